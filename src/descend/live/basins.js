// Chapter 6: where you start decides where you end. Pick a start anywhere on a surface
// with several minima; plain gradient descent runs from it (engine.minimize, the same
// numbers as descend.minimize), its path is drawn to where it ends and the minimum it
// reaches is named. A faint basin map colours a grid of starts by the minimum each reaches.
//
// render({model, el, engine, draw}): state from Python (descend.live.BasinExplorer):
// `surface` (name, params, window, minima deepest first, their values, saddles, the
// learning-rate slider's ends) and `settings` ({x, y, lr, steps, basins}); what the reader
// sees is written back as `history`. The start moves by a click or a drag on the map, the
// x and y sliders (401 positions each) or the arrow keys on the map.

const POSITIONS = 400; // the start sliders' positions across the window
const LR_POSITIONS = 300; // the learning-rate slider's positions (log scale)
const MAX_STEPS = 500;
const BASIN_RES = 50; // starts per side of the basin map
const SETTLED = 1e-2; // a run has reached a minimum when it ends this close to it
const FRAME_BUDGET_MS = 8; // basin-map work per animation frame
const LIGHT = ["#0072b2", "#e69f00", "#009e73", "#cc79a7"]; // minima 1-4: Okabe-Ito
const DARK = ["#56b4e9", "#e69f00", "#2fc99a", "#e08cc0"];
const CSS = `
.dl-basins { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-basins .dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 6px 14px; }
.dl-basins label { display: flex; flex-direction: column; gap: 2px; }
.dl-basins label.dl-check { flex-direction: row; align-items: center; gap: 6px; }
.dl-basins input { font: inherit; min-height: 28px; }
.dl-basins .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 8px; align-items: flex-start; }
.dl-basins .dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-basins canvas { border-radius: 4px; touch-action: none; }
.dl-basins canvas.dl-pick { cursor: crosshair; }
.dl-basins .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-basins :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const fmt = (v) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(3)).toString());
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** The learning rate at a slider position: lo (hi / lo)^(k / positions), 3 significant
 *  digits.  // mirrors descend.live.explorers_iterate.slider_lr */
export function sliderLr(k, [lo, hi], positions = LR_POSITIONS) {
  return Number((lo * (hi / lo) ** (k / positions)).toPrecision(3));
}

/** Gradient descent from `start`: the path (cut at a divergence), the minimum nearest its
 *  end and whether it got there. */
function descend(engine, fn, surface, start, lr, steps) {
  let path;
  let diverged = null;
  try {
    path = engine.minimize(fn, engine.optimizer("sgd", { lr }), start, steps);
  } catch (err) {
    if (!(err instanceof engine.DivergenceError)) throw err;
    diverged = err.step;
    path = diverged > 0 ? engine.minimize(fn, engine.optimizer("sgd", { lr }), start, diverged - 1) : null;
  }
  if (!path) return { path: { points: [start], values: [fn.f(...start)], norms: [NaN] }, diverged, nearest: null, distance: Infinity };
  const end = path.points[path.points.length - 1];
  let nearest = 0;
  let distance = Infinity;
  surface.minima.forEach(([mx, my], i) => {
    const d = Math.hypot(end[0] - mx, end[1] - my);
    if (d < distance) [nearest, distance] = [i, d];
  });
  return { path, diverged, nearest, distance };
}

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const surface = model.get("surface");
  const fn = engine.SURFACES[surface.name](surface.params);
  const box = { x0: surface.xlim[0], x1: surface.xlim[1], y0: surface.ylim[0], y1: surface.ylim[1] };

  const root = element("div", { className: "dl-basins" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));
  const c = {
    x: element("input", { type: "range", min: 0, max: POSITIONS, step: 1 }),
    y: element("input", { type: "range", min: 0, max: POSITIONS, step: 1 }),
    lr: element("input", { type: "range", min: 0, max: LR_POSITIONS, step: 1 }),
    steps: element("input", { type: "range", min: 1, max: MAX_STEPS, step: 1 }),
    basins: element("input", { type: "checkbox" }),
  };
  const out = { x: element("span"), y: element("span"), lr: element("span"), steps: element("span") };
  const lab = (text, control, o) => element("label", {}, [element("span", { textContent: text }, o ? [" ", o] : []), control]);
  root.append(
    element("div", { className: "dl-controls" }, [
      lab("start x:", c.x, out.x),
      lab("start y:", c.y, out.y),
      lab("learning rate:", c.lr, out.lr),
      lab("steps:", c.steps, out.steps),
      element("label", { className: "dl-check" }, [c.basins, element("span", { textContent: "basin map" })]),
    ]),
  );
  const map = draw.canvas(600, 600, "contour map with the start and the path");
  map.classList.add("dl-pick");
  map.tabIndex = 0;
  const curve = draw.canvas(600, 420, "the value f along the path, step by step");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [curve])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  // ---- the basin map: the minimum reached from each start of a grid, for the current lr
  // and steps (computed on demand, kept until they change), and the contour background
  const backgrounds = new Map();
  const mapLayers = new Map(); // the map's layer that no start changes (draw.layer), one at a time
  function background(dark) {
    if (!backgrounds.has(dark)) {
      backgrounds.set(dark, draw.contourImage(fn.f, { xlim: surface.xlim, ylim: surface.ylim, fmin: surface.fmin, res: 200, bands: 12, dark }));
    }
    return backgrounds.get(dark);
  }
  // The map costs BASIN_RES^2 runs of `steps` steps (about 0.3 s for 2500 runs of 150
  // steps), so it is filled in over animation frames, FRAME_BUDGET_MS at a time, while
  // the picked start's own path is drawn at once.
  let basinKey = null;
  let basinCells = null; // minimum reached from each start, row by row from the top (-1: diverged, -2: not yet)
  let basinNext = 0;
  let basinFrame = null;
  const starts = draw.gridPoints(box, BASIN_RES);
  function basins() {
    const key = `${settings.lr}/${settings.steps}`;
    if (key !== basinKey) {
      basinKey = key;
      basinCells = new Array(starts.length).fill(-2);
      basinNext = 0;
    }
    if (basinNext < starts.length && basinFrame === null) basinFrame = requestAnimationFrame(fillBasins);
    return basinCells;
  }
  function fillBasins() {
    basinFrame = null;
    if (!settings.basins) return;
    const t0 = performance.now();
    while (basinNext < starts.length && performance.now() - t0 < FRAME_BUDGET_MS) {
      const r = descend(engine, fn, surface, starts[basinNext], settings.lr, settings.steps);
      basinCells[basinNext] = r.diverged !== null ? -1 : r.nearest;
      basinNext += 1;
    }
    redraw();
  }
  function basinImage(colors, dark) {
    const cells = basins();
    const img = new ImageData(BASIN_RES, BASIN_RES);
    const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const tints = (dark ? DARK : LIGHT).map(rgb);
    cells.forEach((k, i) => img.data.set(k < 0 ? [0, 0, 0, 0] : [...tints[k], dark ? 70 : 60], 4 * i));
    const tile = new OffscreenCanvas(BASIN_RES, BASIN_RES);
    tile.getContext("2d").putImageData(img, 0, 0);
    return tile;
  }

  function star(ctx, x, y, r, fill, stroke) {
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 ? r * 0.45 : r;
      ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    ctx.closePath();
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }

  function redraw() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const tints = dark ? DARK : LIGHT;
    const path = dark ? "#ff8a5c" : "#d55e00"; // vermillion
    const { x, y, lr, steps } = settings;
    const run = descend(engine, fn, surface, [x, y], lr, steps);
    // ---- the map
    const ctx = map.getContext("2d");
    const { width: w, height: h } = map;
    const X = (v) => ((v - box.x0) / (box.x1 - box.x0)) * w;
    const Y = (v) => ((box.y1 - v) / (box.y1 - box.y0)) * h;
    if (settings.basins) basins(); // the basin map's cells for this lr and steps (basinKey, basinNext)
    const key = `${dark}/${settings.basins ? `${basinKey}/${basinNext}` : "off"}`;
    if (!mapLayers.has(key)) mapLayers.clear(); // one layer kept: the basin map fills in over frames
    ctx.drawImage(draw.layer(mapLayers, key, w, h, (m) => {
      // the contours, the basin map, the saddles and the minima: the same for every start
      m.imageSmoothingEnabled = true;
      m.drawImage(background(dark), 0, 0, w, h);
      if (settings.basins) {
        m.imageSmoothingEnabled = false;
        m.drawImage(basinImage(colors, dark), 0, 0, w, h);
        m.imageSmoothingEnabled = true;
      }
      for (const [sx, sy] of surface.saddles) {
        m.strokeStyle = colors.fg;
        m.lineWidth = 3;
        m.beginPath();
        m.moveTo(X(sx) - 8, Y(sy) - 8);
        m.lineTo(X(sx) + 8, Y(sy) + 8);
        m.moveTo(X(sx) + 8, Y(sy) - 8);
        m.lineTo(X(sx) - 8, Y(sy) + 8);
        m.stroke();
      }
      m.font = "bold 26px sans-serif";
      m.textBaseline = "bottom";
      surface.minima.forEach(([mx, my], i) => {
        star(m, X(mx), Y(my), 17, tints[i], colors.fg);
        m.fillStyle = colors.fg;
        m.fillText(String(i + 1), X(mx) + 14, Y(my) - 8);
      });
    }), 0, 0);
    ctx.strokeStyle = path;
    ctx.lineWidth = 4;
    ctx.lineJoin = "round";
    ctx.beginPath();
    run.path.points.forEach(([px, py], t) => (t ? ctx.lineTo(X(px), Y(py)) : ctx.moveTo(X(px), Y(py))));
    ctx.stroke();
    ctx.fillStyle = colors.fg;
    ctx.beginPath();
    ctx.arc(X(x), Y(y), 9, 0, 2 * Math.PI);
    ctx.fill();
    const end = run.path.points[run.path.points.length - 1];
    ctx.fillStyle = path;
    ctx.beginPath();
    ctx.arc(clamp(X(end[0]), 0, w), clamp(Y(end[1]), 0, h), 8, 0, 2 * Math.PI);
    ctx.fill();

    // ---- f along the path, with the minima's values dotted
    const p = curve.getContext("2d");
    const { width: W, height: H } = curve;
    p.fillStyle = `rgb(${colors.bg.join(",")})`;
    p.fillRect(0, 0, W, H);
    const font = 24;
    const pad = { l: font * 3.2, r: font * 1.6, t: font * 1.6, b: font * 2.6 };
    const values = run.path.values;
    const vs = [...values.filter(Number.isFinite), ...surface.min_values];
    const lo = Math.min(...vs);
    const hi = Math.max(...vs, lo + 1e-9);
    const margin = 0.06 * (hi - lo);
    const SX = (t) => pad.l + (t / Math.max(steps, 1)) * (W - pad.l - pad.r);
    const SY = (v) => pad.t + ((hi + margin - v) / (hi - lo + 2 * margin)) * (H - pad.t - pad.b);
    p.font = `${font}px sans-serif`;
    p.lineWidth = 2;
    p.textBaseline = "middle";
    surface.min_values.forEach((v, i) => {
      p.strokeStyle = tints[i];
      p.setLineDash([6, 6]);
      p.beginPath();
      p.moveTo(pad.l, SY(v));
      p.lineTo(W - pad.r, SY(v));
      p.stroke();
      p.fillStyle = tints[i];
      p.textAlign = "left";
      p.fillText(String(i + 1), W - pad.r + 4, SY(v));
    });
    p.setLineDash([]);
    p.fillStyle = colors.fg;
    p.textAlign = "right";
    for (const v of [hi, lo]) p.fillText(fmt(v), pad.l - 6, SY(v));
    p.textAlign = "center";
    p.textBaseline = "top";
    p.fillText("0", SX(0), H - pad.b + 6);
    p.fillText(String(steps), SX(steps), H - pad.b + 6);
    p.fillText("step", (pad.l + W - pad.r) / 2, H - pad.b + 6);
    p.textAlign = "left";
    p.fillText("f along the path (dotted: the minima)", pad.l, 4);
    p.strokeStyle = colors.grid;
    p.lineWidth = 1;
    p.strokeRect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
    p.strokeStyle = path;
    p.lineWidth = 3.5;
    p.beginPath();
    values.forEach((v, t) => (t ? p.lineTo(SX(t), SY(v)) : p.moveTo(SX(t), SY(v))));
    p.stroke();

    // ---- controls and words
    c.x.value = String(Math.round(((x - box.x0) / (box.x1 - box.x0)) * POSITIONS));
    c.y.value = String(Math.round(((y - box.y0) / (box.y1 - box.y0)) * POSITIONS));
    const [lo0, hi0] = surface.lr_range;
    c.lr.value = String(Math.round((Math.log(lr / lo0) / Math.log(hi0 / lo0)) * LR_POSITIONS));
    c.steps.value = String(steps);
    c.basins.checked = Boolean(settings.basins);
    out.x.textContent = fmt(x);
    out.y.textContent = fmt(y);
    out.lr.textContent = String(lr);
    out.steps.textContent = String(steps);
    for (const k of ["x", "y", "lr", "steps"]) c[k].setAttribute("aria-valuetext", out[k].textContent);
    status.textContent = describe(run);
    map.setAttribute("aria-label", `contour map with ${surface.minima.length} minima; start (${fmt(x)}, ${fmt(y)}); arrow keys move it`);
    const settled = run.diverged === null && run.distance < SETTLED;
    model.set("history", {
      start: [x, y],
      end: end,
      value: run.path.values[run.path.values.length - 1],
      minimum: settled ? run.nearest : null,
      diverged: run.diverged,
    });
    model.save_changes();
  }

  function describe(run) {
    const { x, y, lr, steps } = settings;
    const from = `From (${fmt(x)}, ${fmt(y)}), gradient descent with η = ${lr}`;
    if (run.diverged !== null) return `${from} diverges at step ${run.diverged}: the learning rate is too large for the curvature. Lower it.`;
    const end = run.path.points[run.path.points.length - 1];
    const value = run.path.values[run.path.values.length - 1];
    const k = run.nearest;
    const deepest = surface.min_values[0];
    const which = k === 0 ? "the deepest" : `not the deepest (minimum 1, f = ${deepest.toFixed(2)})`;
    const at = `after ${steps} steps ends at (${end[0].toFixed(2)}, ${end[1].toFixed(2)}), f = ${value.toFixed(3)}`;
    if (run.distance < SETTLED) return `${from} ${at}: minimum ${k + 1} (f = ${surface.min_values[k].toFixed(2)}), ${which}.`;
    return `${from} ${at}: still on its way, nearest minimum ${k + 1} (${fmt(run.distance)} away); more steps or a larger learning rate take it further.`;
  }

  function update(change, save = true) {
    settings = { ...settings, ...change };
    settings.x = clamp(settings.x, box.x0, box.x1);
    settings.y = clamp(settings.y, box.y0, box.y1);
    if (save) {
      model.set("settings", { ...settings });
      model.save_changes();
    }
    redraw();
  }

  // ---- events
  c.x.addEventListener("input", () => update({ x: box.x0 + (c.x.value / POSITIONS) * (box.x1 - box.x0) }));
  c.y.addEventListener("input", () => update({ y: box.y0 + (c.y.value / POSITIONS) * (box.y1 - box.y0) }));
  c.lr.addEventListener("input", () => update({ lr: sliderLr(Number(c.lr.value), surface.lr_range) }));
  c.steps.addEventListener("input", () => update({ steps: Number(c.steps.value) }));
  c.basins.addEventListener("change", () => update({ basins: c.basins.checked }));
  const fromPointer = (event) => {
    const r = map.getBoundingClientRect();
    update({
      x: box.x0 + ((event.clientX - r.left) / r.width) * (box.x1 - box.x0),
      y: box.y1 - ((event.clientY - r.top) / r.height) * (box.y1 - box.y0),
    });
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
    const k = (event.shiftKey ? 10 : 1) / POSITIONS;
    update({ x: settings.x + d[0] * k * (box.x1 - box.x0), y: settings.y + d[1] * k * (box.y1 - box.y0) });
  });
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    update(next, false);
  }
  model.on("change:settings", fromModel);
  const unwatch = draw.watchTheme(() => redraw());
  update({}, false);
  return () => {
    if (basinFrame !== null) cancelAnimationFrame(basinFrame);
    settings.basins = false;
    model.off("change:settings", fromModel);
    unwatch();
  };
}
