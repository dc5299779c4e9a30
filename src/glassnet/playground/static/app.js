// glassnet playground: the page's behaviour (after draw.js). The network trains in glassnet
// in the Python process; these files only ask and draw.
"use strict";
// -- talking to the server -----------------------------------------------------------------
async function reply(r) {
  const text = await r.text();
  let body;
  try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}
const url = (name, extra = "") => `/api/${name}?token=${TOKEN}&sid=${SID}${extra}`;
async function api(name, body = {}) {
  return reply(await fetch(url(name), { method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sid: SID, ...body }) }));
}
// One request at a time: a click while playing waits for the frame in flight.
function queued(fn) {
  const next = S.busy.then(fn, fn);
  S.busy = next.catch(() => {});
  return next;
}

// -- the URL holds the whole state ------------------------------------------------------------
function readHash() {
  const config = {};
  for (const [k, v] of new URLSearchParams(location.hash.slice(1))) config[k] = v;
  return config;
}
function writeHash() {
  if (!S.config) return;
  const p = new URLSearchParams();
  const c = { ...S.config, step: S.frame ? S.frame.step : 0 };
  for (const k of Object.keys(c)) p.set(k, Array.isArray(c[k]) ? c[k].join(",") : c[k]);
  history.replaceState(null, "", location.pathname + location.search + "#" + p.toString());
}

// -- a run ----------------------------------------------------------------------------------
async function start(config, errorBox = "net-error") {
  try {
    const r = await api("run", { config });
    $("net-error").textContent = "";
    $("data-error").textContent = "";
    S.meta = r.meta; S.config = r.meta.config; S.history = []; S.needFull = false;
    applyFrame(r.frame, 0);
    syncControls(); layout(); draw(); writeHash();
    if (S.selected && !explainable(S.selected)) S.selected = null;
    await showSelection();
  } catch (e) {
    $(errorBox).textContent = e.message;
    syncControls();
  }
}
const change = (patch, box) => queued(() => {
  pause();
  return start({ ...S.config, ...patch, step: 0 }, box);
});

function applyFrame(f, since) {
  S.history = since === 0 ? f.history.slice() : S.history.concat(f.history);
  S.needFull = f.history_size !== S.history.length;
  S.frame = f;
  if (f.explain) showChain(f.explain);
}

async function advance(args) {
  const since = S.needFull ? 0 : S.history.length;
  const t0 = performance.now();
  // While playing, the chain rule is re-explained at most 4 times a second (it costs the
  // server as much as the rest of a frame); a step, an epoch or a click always explains.
  const explain = S.selected && (!S.playing || t0 - (S.lastExplain || 0) > 250);
  if (explain) S.lastExplain = t0;
  const f = await api("step", { ...args, since, explain: explain ? S.selected : undefined });
  const t1 = performance.now();
  applyFrame(f, since);
  draw();
  const t2 = performance.now();
  S.timing = [t1 - t0, t2 - t1];
  const now = performance.now();
  S.frameTimes.push(now);
  while (S.frameTimes.length && now - S.frameTimes[0] > 2000) S.frameTimes.shift();
  $("fps").textContent = fps().toFixed(0);
}
function fps() {
  const t = S.frameTimes;
  return t.length < 2 ? 0 : (t.length - 1) * 1000 / (t[t.length - 1] - t[0]);
}

async function loop() {
  let last = 0;
  while (S.playing) {
    try {
      await queued(() => advance({ steps: +$("speed").value }));
    } catch (e) {
      $("net-error").textContent = e.message; pause(); break;
    }
    if (performance.now() - last > 1000) { writeHash(); last = performance.now(); }
    await new Promise(requestAnimationFrame);
  }
}
function play() {
  if (S.playing) return;
  S.playing = true;
  $("play").classList.add("playing"); $("play").innerHTML = "&#x275A;&#x275A; pause";
  loop();
}
function pause() {
  if (!S.playing) return;
  S.playing = false;
  $("play").classList.remove("playing"); $("play").innerHTML = "&#x25B6; play";
  queued(() => writeHash());
}
const once = (args) => queued(async () => {
  pause();
  try { await advance(args); } catch (e) { $("net-error").textContent = e.message; }
  writeHash();
});

// -- controls -------------------------------------------------------------------------------
function fill(select, values, labels = {}) {
  select.innerHTML = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = v; o.textContent = labels[v] || v;
    select.appendChild(o);
  }
}
function lossesFor(task) {
  if (task === "regression") return ["mse"];
  if (task === "multiclass" || task === "images") return ["sparse_categorical_crossentropy"];
  return ["binary_crossentropy", "mse"];
}
function syncControls() {
  const c = S.config;
  if (!c) return;
  if (c.data.startsWith("csv:") && !S.csvNames[c.data]) S.csvNames[c.data] = "your CSV";
  const data = S.options.data.concat(Object.keys(S.csvNames));
  fill($("data"), data, { ...NAMES, ...S.csvNames });
  $("data").value = c.data;
  if (S.meta) fill($("loss"), lossesFor(S.meta.task));
  for (const k of ["activation", "optimizer", "loss", "batch", "reg", "init"]) $(k).value = c[k];
  for (const k of ["lr", "batch_size", "reg_rate", "seed", "samples"]) $(k).value = c[k];
  $("batch_size").disabled = c.batch !== "mini";
  $("reg_rate").disabled = c.reg === "none";
  $("noise").value = Math.round(c.noise * 100); $("noise-v").textContent = $("noise").value;
  $("train").value = Math.round(c.train * 100); $("train-v").textContent = $("train").value + "%";
  $("hidden").value = c.hidden.join(",");
  const csv = c.data.startsWith("csv:");
  for (const k of ["noise", "samples"]) $(k).disabled = csv;
  featureToggles();
}
function featureToggles() {
  const box = $("features");
  box.innerHTML = "";
  const b = S.meta && S.meta.bounds ? S.meta.bounds : [-6, 6, -6, 6];
  for (const key of S.options.features) {
    const row = document.createElement("div");
    row.className = "feature" + (S.config.features.includes(key) ? " on" : "");
    row.dataset.feature = key;
    const cv = document.createElement("canvas");
    cv.width = cv.height = 16;
    paintFunction(cv, FEATURE_FN[key], b);
    row.appendChild(cv);
    row.appendChild(document.createTextNode(FEATURE_LABEL[key]));
    row.addEventListener("click", () => {
      const on = new Set(S.config.features);
      on.has(key) ? on.delete(key) : on.add(key);
      change({ features: [...on] }, "data-error");
    });
    box.appendChild(row);
  }
}
function paintFunction(cv, fn, b) {
  const n = cv.width, img = cv.getContext("2d").createImageData(n, n);
  const values = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    values.push(fn(b[0] + (c + 0.5) / n * (b[1] - b[0]), b[3] - (r + 0.5) / n * (b[3] - b[2])));
  }
  const scale = Math.max(1, ...values.map(Math.abs));
  values.forEach((v, i) => {
    const col = colourOf(v / scale);
    img.data.set([col[0], col[1], col[2], 255], i * 4);
  });
  cv.getContext("2d").putImageData(img, 0, 0);
}

function bind() {
  $("play").addEventListener("click", () => (S.playing ? pause() : play()));
  $("step").addEventListener("click", () => once({ steps: 1 }));
  $("epoch").addEventListener("click", () => once({ epoch: true }));
  $("reset").addEventListener("click", () => change({}));
  $("data").addEventListener("change", (e) => change({ data: e.target.value }, "data-error"));
  for (const k of ["activation", "optimizer", "loss", "batch", "reg", "init", "lr",
    "batch_size", "reg_rate", "seed", "samples"]) {
    $(k).addEventListener("change", (e) => change({ [k]: e.target.value }));
  }
  $("noise").addEventListener("input", (e) => { $("noise-v").textContent = e.target.value; });
  $("train").addEventListener("input", (e) => { $("train-v").textContent = e.target.value + "%"; });
  $("noise").addEventListener("change", (e) => change({ noise: e.target.value / 100 }, "data-error"));
  $("train").addEventListener("change", (e) => change({ train: e.target.value / 100 }, "data-error"));
  $("hidden").addEventListener("change", (e) => change({ hidden: e.target.value }));
  $("layer-add").addEventListener("click", () => {
    const h = S.config.hidden;
    change({ hidden: h.concat([h.length ? h[h.length - 1] : 4]) });
  });
  $("layer-remove").addEventListener("click", () => change({ hidden: S.config.hidden.slice(0, -1) }));
  $("show-test").addEventListener("change", draw);
  $("upload").addEventListener("change", upload);
  $("show-code").addEventListener("click", showCode);
  $("code-close").addEventListener("click", () => { $("code-dialog").hidden = true; });
  $("code-copy").addEventListener("click", () => navigator.clipboard.writeText($("code-text").textContent));
  $("dl-figures").addEventListener("click", downloadFigures);
  $("dl-model").href = url("model");
  $("dl-data").href = url("data");
  const net = $("network");
  net.addEventListener("click", (e) => select(e.target));
  net.addEventListener("mousemove", hover);
  net.addEventListener("mouseleave", () => { $("tooltip").style.display = "none"; });
  window.addEventListener("resize", () => { layout(); draw(); });
}

async function upload(e) {
  const file = e.target.files[0];
  if (!file) return;
  $("data-error").textContent = "";
  try {
    const r = await reply(await fetch(`/api/upload?token=${TOKEN}&name=${encodeURIComponent(file.name)}`,
      { method: "POST", body: await file.arrayBuffer() }));
    S.csvNames[r.data] = `your CSV: ${r.name} (${r.rows} rows)`;
    await change({ data: r.data }, "data-error");
  } catch (err) {
    $("data-error").textContent = err.message;
  }
  e.target.value = "";
}

// -- glass: the chain rule of what was clicked --------------------------------------------------
function targetOf(el) {
  const t = el.closest ? el.closest("[data-kind]") : null;
  if (!t || t.dataset.kind === "feature") return null;
  const name = S.meta.layers[+t.dataset.layer].name;
  if (t.dataset.kind === "kernel") return { weight: `${name}/kernel[${t.dataset.i}, ${t.dataset.j}]` };
  if (t.dataset.kind === "bias") return { weight: `${name}/bias[${t.dataset.j}]` };
  return { neuron: `${name}[${t.dataset.j}]` };
}
function explainable(sel) {
  const m = /^([^/[]+)/.exec(sel.weight || sel.neuron);
  return m && S.meta.layers.some((l) => l.name === m[1]);
}
function select(el) {
  const sel = targetOf(el);
  if (!sel) return;
  S.selected = sel;
  markSelection();
  queued(showSelection);
}
async function showSelection() {
  if (!S.selected) { $("chain-numbers").innerHTML = ""; $("chain-text").textContent = ""; return; }
  try { showChain(await api("explain", S.selected)); } catch (e) { $("chain-text").textContent = e.message; }
}
function markSelection() {
  document.querySelectorAll(".selected, .selected-link").forEach((e) => e.classList.remove("selected", "selected-link"));
  const sel = S.selected;
  if (!sel || !S.meta) return;
  const k = /^(.+)\/kernel\[(\d+), (\d+)\]$/.exec(sel.weight || "");
  const b = /^(.+)\/bias\[(\d+)\]$/.exec(sel.weight || "");
  const n = /^(.+)\[(\d+)\]$/.exec(sel.neuron || "");
  const layer = (name) => S.meta.layers.findIndex((l) => l.name === name);
  if (k && S.links[layer(k[1])]) S.links[layer(k[1])][+k[2]][+k[3]].classList.add("selected-link");
  if (b && S.biases[layer(b[1])]) S.biases[layer(b[1])][+b[2]].classList.add("selected");
  if (n && S.nodes[layer(n[1]) + 1]) S.nodes[layer(n[1]) + 1][+n[2]].div.classList.add("selected");
}
function showChain(e) {
  $("chain-title").textContent = `${e.quantity}: its chain rule on the next batch (${e.batch_rows} samples), at step ${e.step}`;
  const parts = [`<span>dE/d${e.update ? "w" : "net"} = <b id="chain-value" data-value="${e.value}">${e.value.toPrecision(9)}</b></span>`];
  if (e.update) {
    parts.push(`<span>now <b id="chain-old" data-value="${e.update.old}">${e.update.old.toPrecision(9)}</b></span>`);
    parts.push(`<span>after the step <b id="chain-new" data-value="${e.update.new}">${e.update.new.toPrecision(9)}</b></span>`);
  }
  $("chain-numbers").innerHTML = parts.join("");
  $("chain-text").textContent = e.text;
}

function hover(e) {
  const tip = $("tooltip"), sel = targetOf(e.target);
  const t = e.target.closest ? e.target.closest("[data-kind]") : null;
  if (!t || !S.frame) { tip.style.display = "none"; return; }
  let text;
  if (t.dataset.kind === "feature") text = `feature ${FEATURE_LABEL[S.meta.features[+t.dataset.u]]}`;
  else {
    const w = S.frame.weights[+t.dataset.layer];
    if (t.dataset.kind === "kernel") text = `${sel.weight} = ${w.kernel[+t.dataset.i][+t.dataset.j].toPrecision(6)}`;
    else if (t.dataset.kind === "bias") text = `${sel.weight} = ${w.bias[+t.dataset.j].toPrecision(6)}`;
    else text = `neuron ${sel.neuron}; bias ${w.bias[+t.dataset.j].toPrecision(4)} (click: its delta)`;
  }
  const box = $("network-panel").getBoundingClientRect();
  Object.assign(tip.style, { display: "block", left: `${e.clientX - box.left + 12}px`, top: `${e.clientY - box.top + 12}px` });
  tip.textContent = text;
}

// -- take it home -------------------------------------------------------------------------------
async function showCode() {
  await queued(async () => {
    pause();
    const text = await (await fetch(url("code"))).text();
    $("code-text").textContent = text;
    $("code-download").href = URL.createObjectURL(new Blob([text], { type: "text/x-python" }));
    $("code-dialog").hidden = false;
  });
}
function downloadFigures() {
  const heatmap = $("heatmap"), curve = $("curve"), out = document.createElement("canvas");
  out.width = heatmap.width; out.height = heatmap.height + curve.height + 8;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(curve, 0, 0); ctx.drawImage(heatmap, 0, curve.height + 8);
  const a = document.createElement("a");
  a.href = out.toDataURL("image/png"); a.download = `playground-step-${S.frame.step}.png`;
  a.click();
}

// -- start ----------------------------------------------------------------------------------
async function init() {
  S.options = await reply(await fetch(`/api/options?token=${TOKEN}`));
  fill($("activation"), S.options.activation); fill($("optimizer"), S.options.optimizer);
  fill($("reg"), S.options.reg); fill($("init"), S.options.init);
  bind();
  await queued(() => start({ ...S.options.defaults, ...readHash() }));
  if (!S.config) {  // a link this server cannot rebuild (an upload it no longer has): defaults
    const why = $("net-error").textContent;
    await queued(() => start({ ...S.options.defaults }));
    $("net-error").textContent = `${why} (started with the defaults instead)`;
  }
}
window.playground = { fps, get timing() { return S.timing; }, state: S, ready: init(), sid: SID,
  idle: () => S.busy, play, pause };
