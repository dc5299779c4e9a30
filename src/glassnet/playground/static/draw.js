// glassnet playground: the shared state and the drawing (loaded before app.js).
// Plain JavaScript, canvas and SVG, no build step; the scripts share the page's global scope.
"use strict";
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
  el.innerHTML = "";
  m.classes.forEach((c, i) => {  // class names come from the user's file: text, not HTML
    const swatch = document.createElement("span");
    swatch.style.background = css(colours[i]);
    el.append(swatch, document.createTextNode(c));
  });
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
