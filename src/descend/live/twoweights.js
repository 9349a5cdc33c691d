// Chapter 2: pick two weights of a small classifier anywhere on the map of its loss; see the
// network's output over the data (probability shading, decision boundary) and the loss.
//
// render({model, el, engine, draw}): state from Python (descend.live.TwoWeights): `data`
// ({X, y}), `network` ({sizes, activation, loss, params}), `weights` (the two entries
// [name, row, col] called w_a and w_b), `window` ({wa, wb, res}), `marker` (what the star
// stands for) and `settings` ({wa, wb}). The map of the loss over (w_a, w_b) is computed
// once by engine.lossSlice; every pick runs engine.withWeights, engine.loss and
// engine.predictProba. The pick moves by a click or a drag on the map (canvas `dl-pick`),
// the arrow keys on the map (shift: 10 steps), or the two sliders (401 positions each);
// picks snap to the sliders' positions. The picked weights are written back as `history`.

const STEPS = 400; // positions across each axis of the map (the sliders' steps)
const OUT_RES = 120; // the output's probability grid
const MAP_RES = 240; // the map's pixels (the loss grid is interpolated to them)
const BANDS = 12; // colour bands of log(loss): their edges are the contour lines
const FONT = 24;
const PAD = { l: 78, r: 16, t: 44, b: 70 }; // the map's margins, in canvas units
// viridis at 9 stops: dark blue-purple (low loss) to yellow (high loss)
const VIRIDIS = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
const CSS = `
.dl-twoweights { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-twoweights .dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 6px 14px; }
.dl-twoweights label { display: flex; flex-direction: column; gap: 2px; }
.dl-twoweights input { font: inherit; min-height: 32px; margin: 0; }
.dl-twoweights .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 8px; }
.dl-twoweights .dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-twoweights canvas { border-radius: 4px; touch-action: none; }
.dl-twoweights canvas.dl-pick { cursor: crosshair; }
.dl-twoweights .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-twoweights :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const num = (v) => String(Number(v.toPrecision(4)) + 0); // + 0: no "-0"
const fmtLoss = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(3)) : "infinite");

function viridis(t) {
  const s = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(s));
  return VIRIDIS[k].map((v, i) => Math.round(v + (VIRIDIS[k + 1][i] - v) * (s - k)));
}

/** What weight [name, row, col] is, in words: "unit 2 → output" for the last layer. */
function describeEntry([name, row, col], layers) {
  const l = Number(name.slice(1));
  if (l === layers) return `unit ${row + 1} → output${col ? ` ${col + 1}` : ""}`;
  return `${name}[${row}, ${col}]`;
}

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-twoweights" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const sliders = [element("input", { type: "range", min: 0, max: STEPS, step: 1 }), element("input", { type: "range", min: 0, max: STEPS, step: 1 })];
  const outs = [element("span"), element("span")];
  const labels = [element("span"), element("span")];
  root.append(element("div", { className: "dl-controls" }, sliders.map((s, k) => element("label", {}, [element("span", {}, [labels[k], " ", outs[k]]), s]))));
  const map = draw.canvas(600, 600, "the loss over the two weights, with the picked point");
  map.classList.add("dl-pick");
  map.tabIndex = 0;
  const out = draw.canvas(600, 600, "the network's output over the data, with its decision boundary");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [out])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  let S = null; // the loaded state: net, data, entries, window, map image, output grid

  function load() {
    const spec = model.get("network");
    const data = model.get("data");
    const win = model.get("window");
    const net = engine.network({ sizes: spec.sizes, activation: spec.activation, loss: spec.loss, params: spec.params });
    const X = engine.fromRows(data.X);
    const entries = model.get("weights");
    const axis = ([lo, hi], n) => Array.from({ length: n }, (_, k) => lo + (k / (n - 1)) * (hi - lo));
    const grid = engine.lossSlice(net, X, data.y, entries, axis(win.wa, win.res), axis(win.wb, win.res));
    const own = entries.map(([name, row, col]) => net.params[name].data[row * net.params[name].cols + col]);
    const box = draw.extent(data.X);
    const points = draw.gridPoints(box, OUT_RES);
    S = { net, X, y: data.y, data, entries, win, grid, own, box, gridX: engine.fromRows(points), image: new Map() };
    S.stats = sliceStats(grid, win);
    const layers = spec.sizes.length - 1;
    entries.forEach((e, k) => (labels[k].textContent = `${k ? "w_b" : "w_a"} (${describeEntry(e, layers)}):`));
  }

  function sliceStats(grid, win) {
    let [lo, hi, at] = [Infinity, -Infinity, [0, 0]];
    grid.forEach((row, i) =>
      row.forEach((v, j) => {
        if (v < lo) [lo, at] = [v, [j, i]];
        if (Number.isFinite(v)) hi = Math.max(hi, v);
      }),
    );
    const step = (r) => (r[1] - r[0]) / (win.res - 1);
    return { lo, hi, best: [win.wa[0] + at[0] * step(win.wa), win.wb[0] + at[1] * step(win.wb)] };
  }

  /** The heat map of log(loss): the grid interpolated bilinearly to MAP_RES pixels, cut in
   *  BANDS colour bands with a line where the band changes (contour lines). */
  function heatImage(dark) {
    const { grid, win, stats } = S;
    const n = win.res;
    const [a, b] = [Math.log(stats.lo), Math.log(stats.hi)];
    const band = new Int16Array(MAP_RES * MAP_RES);
    for (let r = 0; r < MAP_RES; r++) {
      const gi = (1 - (r + 0.5) / MAP_RES) * (n - 1); // top row: the largest w_b
      const i = Math.min(n - 2, Math.floor(gi));
      for (let c = 0; c < MAP_RES; c++) {
        const gj = ((c + 0.5) / MAP_RES) * (n - 1);
        const j = Math.min(n - 2, Math.floor(gj));
        const [u, v] = [gj - j, gi - i];
        const val = (1 - v) * ((1 - u) * grid[i][j] + u * grid[i][j + 1]) + v * ((1 - u) * grid[i + 1][j] + u * grid[i + 1][j + 1]);
        const t = Number.isFinite(val) ? (Math.log(val) - a) / (b - a + 1e-12) : 1;
        band[r * MAP_RES + c] = Math.min(BANDS - 1, Math.max(0, Math.floor(t * BANDS)));
      }
    }
    const img = new ImageData(MAP_RES, MAP_RES);
    const line = dark ? [20, 20, 24] : [255, 255, 255];
    for (let p = 0; p < band.length; p++) {
      const [r, c] = [Math.floor(p / MAP_RES), p % MAP_RES];
      const edge = (c + 1 < MAP_RES && band[p + 1] !== band[p]) || (r + 1 < MAP_RES && band[p + MAP_RES] !== band[p]);
      const rgb = viridis((band[p] + 0.5) / BANDS).map((v, k) => (edge ? Math.round(0.45 * v + 0.55 * line[k]) : v));
      img.data.set([...rgb, 255], 4 * p);
    }
    const tile = new OffscreenCanvas(MAP_RES, MAP_RES);
    tile.getContext("2d").putImageData(img, 0, 0);
    return tile;
  }

  // the map's plot area, in canvas units, and its conversions
  const area = () => ({ x0: PAD.l, x1: map.width - PAD.r, y0: PAD.t, y1: map.height - PAD.b });
  const toPx = (wa, wb) => {
    const A = area();
    const { wa: ra, wb: rb } = S.win;
    return [A.x0 + ((wa - ra[0]) / (ra[1] - ra[0])) * (A.x1 - A.x0), A.y1 - ((wb - rb[0]) / (rb[1] - rb[0])) * (A.y1 - A.y0)];
  };
  const snap = ([lo, hi], v) => {
    const k = Math.round(((v - lo) / (hi - lo)) * STEPS);
    return Number((lo + (Math.min(STEPS, Math.max(0, k)) / STEPS) * (hi - lo)).toPrecision(12));
  };

  function setPick(wa, wb, save = true) {
    settings = { ...settings, wa: snap(S.win.wa, wa), wb: snap(S.win.wb, wb) };
    if (save) {
      model.set("settings", { ...settings });
      model.save_changes();
    }
    redraw();
  }

  function drawMap(colors, dark) {
    const ctx = map.getContext("2d");
    const { width: w, height: h } = map;
    const A = area();
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    if (!S.image.has(dark)) S.image.set(dark, heatImage(dark));
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(S.image.get(dark), A.x0, A.y0, A.x1 - A.x0, A.y1 - A.y0);
    // axes: ticks at the nice values inside each range
    ctx.font = `${FONT}px sans-serif`;
    ctx.fillStyle = colors.fg;
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 1.5;
    const ticks = ([lo, hi]) => {
      const step = [1, 2, 5, 10, 20, 50].find((s) => (hi - lo) / s <= 5) ?? 100;
      const out = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
      return out;
    };
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of ticks(S.win.wa)) {
      const [px] = toPx(v, S.win.wb[0]);
      ctx.beginPath();
      ctx.moveTo(px, A.y1);
      ctx.lineTo(px, A.y1 + 8);
      ctx.stroke();
      ctx.fillText(String(v), px, A.y1 + 10);
    }
    ctx.fillText("w_a", (A.x0 + A.x1) / 2, A.y1 + 12 + FONT);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(S.win.wb)) {
      const [, py] = toPx(S.win.wa[0], v);
      ctx.beginPath();
      ctx.moveTo(A.x0, py);
      ctx.lineTo(A.x0 - 8, py);
      ctx.stroke();
      ctx.fillText(String(v), A.x0 - 10, py);
    }
    ctx.save();
    ctx.translate(FONT * 0.9, (A.y0 + A.y1) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText("w_b", 0, 0);
    ctx.restore();
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`loss (log colours): ${fmtLoss(S.stats.lo)} dark … ${fmtLoss(S.stats.hi)} light`, 6, 8);
    // the star (the network's own weights) and the pick
    const star = (x, y, r) => {
      ctx.beginPath();
      for (let k = 0; k < 10; k++) {
        const ang = -Math.PI / 2 + (k * Math.PI) / 5;
        const rr = k % 2 ? r * 0.45 : r;
        ctx[k ? "lineTo" : "moveTo"](x + rr * Math.cos(ang), y + rr * Math.sin(ang));
      }
      ctx.closePath();
    };
    const [sx, sy] = toPx(S.own[0], S.own[1]);
    star(sx, sy, 20);
    ctx.fillStyle = "#d55e00";
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2;
    ctx.stroke();
    const [px, py] = toPx(settings.wa, settings.wb);
    ctx.beginPath();
    ctx.arc(px, py, 12, 0, 2 * Math.PI);
    ctx.lineWidth = 5;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#000";
    ctx.stroke();
  }

  function drawOutput(colors, net, lossValue, acc) {
    const ctx = out.getContext("2d");
    const { width: w, height: h } = out;
    const proba = engine.predictProba(net, S.gridX);
    draw.boundary(ctx, { proba, res: OUT_RES, box: S.box, train: { X: S.data.X, y: S.y }, val: { X: [], y: [] }, colors });
    // the decision boundary: the cells where p crosses 0.5, drawn as a line
    const img = new ImageData(OUT_RES, OUT_RES);
    const fg = colors.bg[0] < 128 ? [255, 255, 255] : [0, 0, 0];
    for (let i = 0; i < proba.length; i++) {
      const [r, c] = [Math.floor(i / OUT_RES), i % OUT_RES];
      const side = proba[i] >= 0.5;
      const edge = (c + 1 < OUT_RES && proba[i + 1] >= 0.5 !== side) || (r + 1 < OUT_RES && proba[i + OUT_RES] >= 0.5 !== side);
      if (edge) img.data.set([...fg, 255], 4 * i);
    }
    const tile = new OffscreenCanvas(OUT_RES, OUT_RES);
    tile.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 0, 0, w, h);
    const text = `loss ${fmtLoss(lossValue)}, accuracy ${Math.round(100 * acc)}%`;
    ctx.font = `${FONT}px sans-serif`;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillStyle = `rgba(${colors.bg.join(",")}, 0.8)`;
    ctx.fillRect(0, 0, ctx.measureText(text).width + 16, FONT + 14);
    ctx.fillStyle = colors.fg;
    ctx.fillText(text, 8, 7);
  }

  function describe(lossValue, acc) {
    const { wa, wb } = settings;
    const own = S.own.map(num);
    const head = `w_a = ${num(wa)}, w_b = ${num(wb)}: loss ${fmtLoss(lossValue)}, training accuracy ${Math.round(100 * acc)}%.`;
    const near = Math.abs(wa - S.own[0]) < 1e-9 && Math.abs(wb - S.own[1]) < 1e-9;
    let where;
    if (near) where = `You are on the star (${model.get("marker")}).`;
    else if (lossValue <= S.stats.lo * 1.02) where = "You are at the bottom of this slice.";
    else where = `The star (${model.get("marker")}, w_a = ${own[0]}, w_b = ${own[1]}) has loss ${fmtLoss(S.ownLoss)}.`;
    const votes = [];
    if (wa === 0 && wb === 0) votes.push("both weights are 0: those two units are silenced, and only the others reach the output");
    else {
      if (wa < 0) votes.push("w_a < 0 reverses its unit's vote");
      if (wb < 0) votes.push("w_b < 0 reverses its unit's vote");
    }
    return `${head} ${where}${votes.length ? " " + votes.join("; ").replace(/^./, (c) => c.toUpperCase()) + "." : ""}`;
  }

  function redraw() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const net = engine.withWeights(S.net, S.entries, [settings.wa, settings.wb]);
    const lossValue = engine.loss(net, S.X, S.y);
    const acc = engine.accuracy(net, S.X, S.y);
    S.ownLoss ??= engine.loss(S.net, S.X, S.y);
    drawMap(colors, dark);
    drawOutput(colors, net, lossValue, acc);
    sliders[0].value = String(Math.round(((settings.wa - S.win.wa[0]) / (S.win.wa[1] - S.win.wa[0])) * STEPS));
    sliders[1].value = String(Math.round(((settings.wb - S.win.wb[0]) / (S.win.wb[1] - S.win.wb[0])) * STEPS));
    outs[0].textContent = num(settings.wa);
    outs[1].textContent = num(settings.wb);
    sliders[0].setAttribute("aria-valuetext", num(settings.wa));
    sliders[1].setAttribute("aria-valuetext", num(settings.wb));
    const text = describe(lossValue, acc);
    status.textContent = text;
    map.setAttribute("aria-label", `loss map over w_a and w_b; the pick is at w_a = ${num(settings.wa)}, w_b = ${num(settings.wb)}; arrow keys move it`);
    out.setAttribute("aria-label", `the network's output over the data: ${text}`);
    model.set("history", { wa: settings.wa, wb: settings.wb, loss: lossValue, accuracy: acc });
    model.save_changes();
  }

  // ---- events
  const fromSliders = () => {
    const { wa, wb } = S.win;
    setPick(wa[0] + (sliders[0].value / STEPS) * (wa[1] - wa[0]), wb[0] + (sliders[1].value / STEPS) * (wb[1] - wb[0]));
  };
  sliders.forEach((s) => s.addEventListener("input", fromSliders));
  const fromPointer = (event) => {
    const r = map.getBoundingClientRect();
    const A = area();
    const [cx, cy] = [((event.clientX - r.left) / r.width) * map.width, ((event.clientY - r.top) / r.height) * map.height];
    const { wa, wb } = S.win;
    setPick(wa[0] + ((cx - A.x0) / (A.x1 - A.x0)) * (wa[1] - wa[0]), wb[0] + ((A.y1 - cy) / (A.y1 - A.y0)) * (wb[1] - wb[0]));
  };
  let dragging = false;
  map.addEventListener("pointerdown", (event) => {
    dragging = true;
    map.setPointerCapture?.(event.pointerId);
    map.focus();
    fromPointer(event);
  });
  map.addEventListener("pointermove", (event) => dragging && fromPointer(event));
  map.addEventListener("pointerup", () => (dragging = false));
  map.addEventListener("pointercancel", () => (dragging = false));
  map.addEventListener("keydown", (event) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
    if (!d) return;
    event.preventDefault();
    const k = (event.shiftKey ? 10 : 1) / STEPS;
    const { wa, wb } = S.win;
    setPick(settings.wa + d[0] * k * (wa[1] - wa[0]), settings.wb + d[1] * k * (wb[1] - wb[0]));
  });
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    settings = { ...next };
    setPick(settings.wa, settings.wb, false);
  }
  function reload() {
    load();
    setPick(settings.wa, settings.wb, false);
  }
  model.on("change:settings", fromModel);
  for (const name of ["data", "network", "weights", "window"]) model.on(`change:${name}`, reload);
  const unwatch = draw.watchTheme(() => redraw());
  reload();
  return () => {
    model.off("change:settings", fromModel);
    for (const name of ["data", "network", "weights", "window"]) model.off(`change:${name}`, reload);
    unwatch();
  };
}
