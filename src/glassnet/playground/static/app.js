// glassnet playground: the page. Plain JavaScript, canvas and SVG, no build step.
// The network trains in glassnet in the Python process; this file only asks and draws.
"use strict";
(() => {
  const TOKEN = window.GLASSNET_TOKEN;
  const SID = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const NODE = 34, PITCH_Y = 44, TOP = 40, LEFT = 60;
  const ORANGE = [245, 147, 34], WHITE = [232, 234, 235], BLUE = [8, 119, 189];
  const PALETTE = [[8, 119, 189], [245, 147, 34], [44, 160, 44], [214, 39, 40],
    [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34],
    [23, 190, 207]];
  const NAMES = {
    circle: "Circle", xor: "Exclusive or", gauss: "Two Gaussians", spiral: "Spiral",
    plane: "Plane (regression)", multigauss: "Multi-Gaussian (regression)",
    and: "AND gate (seeds)", or: "OR gate (seeds)", nand: "NAND gate (seeds)",
    nor: "NOR gate (seeds)", "xor-gate": "XOR truth table (seeds)", mnist: "MNIST digits",
  };
  const FEATURE_FN = {
    x1: (a, b) => a, x2: (a, b) => b, x1sq: (a, b) => a * a, x2sq: (a, b) => b * b,
    x1x2: (a, b) => a * b, sinx1: (a, b) => Math.sin(a), sinx2: (a, b) => Math.sin(b),
  };
  const FEATURE_LABEL = { x1: "x1", x2: "x2", x1sq: "x1²", x2sq: "x2²", x1x2: "x1·x2",
    sinx1: "sin x1", sinx2: "sin x2" };

  const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));
  const LUT = Array.from({ length: 256 }, (_, i) => {
    const t = i / 127.5 - 1;
    return t < 0 ? mix(WHITE, ORANGE, -t) : mix(WHITE, BLUE, t);
  });
  const colourOf = (v) => LUT[Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)))];
  const css = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

  const S = { options: null, config: null, meta: null, frame: null, history: [],
    playing: false, selected: null, frameTimes: [], nodes: [], links: [], biases: [],
    needFull: false, csvNames: {}, busy: Promise.resolve() };

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

  // -- the network drawing ----------------------------------------------------------------------
  function columns() {
    return [{ name: "features", units: S.meta.features.length }].concat(S.meta.layers);
  }
  function layout() {
    const images = S.meta.task === "images";
    $("network").hidden = images; $("mnist-view").hidden = !images;
    $("plane-view").hidden = images; $("accuracy-line").hidden = !images;
    for (const id of ["features", "features-title", "noise", "train"]) {
      const e = $(id); (e.closest("label") || e).hidden = images;
    }
    const net = $("network"), svg = $("links");
    for (const el of [...net.querySelectorAll(".node,.bias,.col-label")]) el.remove();
    svg.innerHTML = "";
    S.nodes = []; S.links = []; S.biases = [];
    if (images) { mnistLayout(); return; }
    const cols = columns();
    const tallest = Math.max(...cols.map((c) => c.units));
    const width = Math.max(net.clientWidth - 2, 300);
    const pitchX = Math.max(78, Math.min(150, (width - LEFT - NODE - 20) / Math.max(1, cols.length - 1)));
    const height = TOP + tallest * PITCH_Y + 10;
    const total = LEFT + (cols.length - 1) * pitchX + NODE + 20;
    svg.setAttribute("width", total); svg.setAttribute("height", height);
    net.style.height = `${height + 4}px`;
    const pos = cols.map((c, ci) => Array.from({ length: c.units }, (_, u) => [
      LEFT + ci * pitchX, TOP + (tallest - c.units) * PITCH_Y / 2 + u * PITCH_Y]));
    cols.forEach((c, ci) => {
      label(c, ci, pos[ci].length ? pos[ci][0][0] : LEFT + ci * pitchX, pitchX);
      S.nodes.push(pos[ci].map(([x, y], u) => node(x, y, ci, u)));
    });
    for (let l = 1; l < cols.length; l++) {
      const layer = [];
      pos[l - 1].forEach(([x1, y1], i) => {
        const row = [];
        pos[l].forEach(([x2, y2], j) => {
          const a = [x1 + NODE, y1 + NODE / 2], b = [x2, y2 + NODE / 2], m = (a[0] + b[0]) / 2;
          const d = `M${a[0]},${a[1]} C${m},${a[1]} ${m},${b[1]} ${b[0]},${b[1]}`;
          const p = document.createElementNS(SVG, "path");
          p.setAttribute("d", d); p.setAttribute("class", "link");
          const hit = document.createElementNS(SVG, "path");
          hit.setAttribute("d", d); hit.setAttribute("class", "hit");
          Object.assign(hit.dataset, { kind: "kernel", layer: l - 1, i, j });
          svg.appendChild(p); svg.appendChild(hit);
          row.push(p);
        });
        layer.push(row);
      });
      S.links.push(layer);
      S.biases.push(pos[l].map(([x, y], j) => {
        const b = document.createElement("div");
        b.className = "bias";
        Object.assign(b.style, { left: `${x - 5}px`, top: `${y + NODE - 4}px` });
        Object.assign(b.dataset, { kind: "bias", layer: l - 1, j });
        net.appendChild(b);
        return b;
      }));
    }
    const feats = S.nodes[0];
    const g = S.meta.grid, bytes = decode(S.meta.input_pictures);
    feats.forEach((n, k) => paint(n.ctx, n.img, bytes, k * g * g));
    markSelection();
  }
  function label(c, ci, x, pitchX) {
    const el = document.createElement("div");
    el.className = "col-label";
    Object.assign(el.style, { left: `${x + NODE / 2 - pitchX / 2}px`, top: "2px", width: `${pitchX}px` });
    const last = ci === S.meta.layers.length;
    if (ci === 0) el.textContent = "features";
    else if (last) el.innerHTML = `output<br>${c.activation}`;
    else {
      el.innerHTML = `<button data-grow="-1" title="one neuron less">&minus;</button> ${c.units} <button data-grow="1" title="one neuron more">+</button><br>${c.activation}`;
      el.querySelectorAll("button").forEach((btn) => btn.addEventListener("click", (e) => {
        e.stopPropagation();
        const h = S.config.hidden.slice();
        h[ci - 1] = Math.max(1, h[ci - 1] + +btn.dataset.grow);
        change({ hidden: h });
      }));
    }
    $("network").appendChild(el);
  }
  function node(x, y, ci, u) {
    const div = document.createElement("div");
    div.className = "node";
    Object.assign(div.style, { left: `${x}px`, top: `${y}px`, width: `${NODE}px`, height: `${NODE}px` });
    const cv = document.createElement("canvas");
    const g = S.meta.grid;
    cv.width = cv.height = g;
    div.appendChild(cv);
    if (ci === 0) {
      div.title = FEATURE_LABEL[S.meta.features[u]];
      Object.assign(div.dataset, { kind: "feature", u });
      const t = document.createElement("div");
      t.className = "col-label";
      Object.assign(t.style, { left: `${x - 52}px`, top: `${y + 10}px`, width: "48px", textAlign: "right" });
      t.textContent = FEATURE_LABEL[S.meta.features[u]];
      $("network").appendChild(t);
    } else {
      Object.assign(div.dataset, { kind: "neuron", layer: ci - 1, j: u });
    }
    for (const c of [cv]) c.dataset.passthrough = "1";
    $("network").appendChild(div);
    const ctx = cv.getContext("2d");
    return { div, ctx, img: ctx.createImageData(g, g) };
  }

  function decode(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function paint(ctx, img, bytes, offset) {
    const d = img.data, n = d.length / 4;
    for (let p = 0; p < n; p++) {
      const c = LUT[bytes[offset + p]];
      d[4 * p] = c[0]; d[4 * p + 1] = c[1]; d[4 * p + 2] = c[2]; d[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function draw() {
    if (!S.frame || !S.meta) return;
    const f = S.frame;
    $("step-count").textContent = f.step;
    $("epoch-count").textContent = f.epoch;
    const shown = (v) => (v === null ? "overflowed" : v.toFixed(3));
    $("train-loss").textContent = shown(f.train_loss);
    $("test-loss").textContent = shown(f.test_loss);
    if (S.meta.task === "images") { mnistDraw(); drawCurve(); return; }
    f.weights.forEach((w, l) => {
      const links = S.links[l];
      if (!links) return;
      w.kernel.forEach((row, i) => row.forEach((v, j) => {
        const p = links[i][j];
        p.setAttribute("stroke", css(colourOf(Math.max(-1, Math.min(1, v)))));
        p.setAttribute("stroke-width", Math.min(8, 0.6 + Math.abs(v) * 2.5).toFixed(2));
      }));
      w.bias.forEach((v, j) => { S.biases[l][j].style.background = css(colourOf(Math.max(-1, Math.min(1, v)))); });
    });
    const bytes = decode(f.neurons), g = S.meta.grid;
    let k = 0;
    for (let ci = 1; ci < S.nodes.length; ci++) {
      for (const n of S.nodes[ci]) { paint(n.ctx, n.img, bytes, k * g * g); k++; }
    }
    drawHeatmap(); drawCurve();
  }

  const heat = document.createElement("canvas");
  function drawHeatmap() {
    const m = S.meta, g = m.out_grid, bytes = decode(S.frame.output);
    heat.width = heat.height = g;
    const hctx = heat.getContext("2d"), img = hctx.createImageData(g, g), d = img.data;
    const units = bytes.length / (g * g);
    for (let p = 0; p < g * g; p++) {
      let c;
      if (units === 1) c = mix(WHITE, LUT[bytes[p]], 0.6);  // lighter than the points on it
      else {
        let best = 0;
        for (let u = 1; u < units; u++) if (bytes[u * g * g + p] > bytes[best * g * g + p]) best = u;
        c = mix(WHITE, PALETTE[best % PALETTE.length], 0.1 + 0.45 * bytes[best * g * g + p] / 255);
      }
      d[4 * p] = c[0]; d[4 * p + 1] = c[1]; d[4 * p + 2] = c[2]; d[4 * p + 3] = 255;
    }
    hctx.putImageData(img, 0, 0);
    const cv = $("heatmap"), ctx = cv.getContext("2d");
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, 0, 0, cv.width, cv.height);
    const b = m.bounds;
    const sx = (x) => (x - b[0]) / (b[1] - b[0]) * cv.width;
    const sy = (y) => (b[3] - y) / (b[3] - b[2]) * cv.height;
    const sets = [[m.train, "#fff"]].concat($("show-test").checked ? [[m.test, "#111"]] : []);
    const radius = m.train.length <= 20 ? 7 : 3.5;  // a truth table's four rows stand out
    for (const [pts, edge] of sets) {
      for (const [x, y, t] of pts) {
        ctx.beginPath();
        ctx.arc(sx(x), sy(y), radius, 0, 2 * Math.PI);
        ctx.fillStyle = css(pointColour(t));
        ctx.fill(); ctx.lineWidth = 1; ctx.strokeStyle = edge; ctx.stroke();
      }
    }
    legend();
  }
  function pointColour(t) {
    const task = S.meta.task;
    if (task === "regression") return colourOf(Math.max(-1, Math.min(1, t)));
    if (task === "multiclass") return PALETTE[t % PALETTE.length];
    return t > 0.5 ? BLUE : ORANGE;
  }
  function legend() {
    const m = S.meta, el = $("legend");
    if (m.task === "regression") { el.textContent = "colour: the target, -1 orange … +1 blue"; return; }
    const colours = m.task === "multiclass" ? m.classes.map((_, i) => PALETTE[i % PALETTE.length]) : [ORANGE, BLUE];
    el.innerHTML = m.classes.map((c, i) => `<span style="background:${css(colours[i])}"></span>${c}`).join("");
  }
  function drawCurve() {
    const cv = $("curve"), ctx = cv.getContext("2d");
    const h = S.history.filter((r) => r[1] !== null && r[2] !== null);
    ctx.clearRect(0, 0, cv.width, cv.height);
    if (h.length < 2) return;
    const top = Math.max(...h.map((r) => Math.max(r[1], r[2])), 1e-9);
    const x = (s) => 4 + (s - h[0][0]) / Math.max(1, h[h.length - 1][0] - h[0][0]) * (cv.width - 8);
    const y = (v) => cv.height - 4 - v / top * (cv.height - 22);  // room for the title
    for (const [col, colour] of [[1, "#999"], [2, "#111"]]) {
      ctx.beginPath(); ctx.strokeStyle = colour; ctx.lineWidth = 1.5;
      h.forEach((r, i) => (i ? ctx.lineTo(x(r[0]), y(r[col])) : ctx.moveTo(x(r[0]), y(r[col]))));
      ctx.stroke();
    }
    ctx.fillStyle = "#666"; ctx.font = "10px sans-serif";
    ctx.fillText(`loss (max ${top.toFixed(3)}): test black, training grey`, 8, 12);
  }

  // -- the MNIST view ---------------------------------------------------------------------------
  function mnistLayout() {
    const filters = $("filters"), digits = $("digits"), m = S.meta;
    filters.innerHTML = ""; digits.innerHTML = "";
    S.filters = Array.from({ length: Math.min(16, m.layers[0].units) }, (_, u) => {
      const cv = document.createElement("canvas");
      cv.width = cv.height = 28;
      cv.title = `${m.layers[0].name}[${u}]`;
      cv.addEventListener("click", (e) => {
        const row = Math.min(27, Math.floor(e.offsetY / cv.clientHeight * 28));
        const col = Math.min(27, Math.floor(e.offsetX / cv.clientWidth * 28));
        S.selected = { weight: `${m.layers[0].name}/kernel[${row * 28 + col}, ${u}]` };
        queued(showSelection);
      });
      filters.appendChild(cv);
      const ctx = cv.getContext("2d");
      return { ctx, img: ctx.createImageData(28, 28) };
    });
    const pixels = decode(m.digits);
    S.captions = m.labels.map((label, k) => {
      const fig = document.createElement("figure"), cv = document.createElement("canvas");
      cv.width = cv.height = 28;
      const ctx = cv.getContext("2d"), img = ctx.createImageData(28, 28);
      for (let p = 0; p < 784; p++) {
        const v = 255 - pixels[k * 784 + p];
        img.data.set([v, v, v, 255], 4 * p);
      }
      ctx.putImageData(img, 0, 0);
      const cap = document.createElement("figcaption");
      fig.appendChild(cv); fig.appendChild(cap); digits.appendChild(fig);
      return cap;
    });
  }
  function mnistDraw() {
    const f = S.frame, bytes = decode(f.filters);
    S.filters.forEach((n, u) => paint(n.ctx, n.img, bytes, u * 784));
    f.predictions.forEach(([guess, p], k) => {
      const cap = S.captions[k], right = guess === S.meta.labels[k];
      cap.textContent = `${guess} (${Math.round(p * 100)}%)`;
      cap.className = right ? "right" : "wrong";
      cap.title = `label ${S.meta.labels[k]}`;
    });
    $("accuracy").textContent = `${(f.accuracy * 100).toFixed(1)}% of ${S.meta.test_images}`;
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
})();
