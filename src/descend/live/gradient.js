// Chapter 4: pick any point of a surface; see its gradient, the steepest-descent direction,
// the contour line through it and the slope in every direction (D_u f = grad f . u).
//
// render({model, el, engine, draw}): state from Python (descend.live.GradientExplorer):
// `surfaces` (name, params, xlim, ylim, contour levels) and `settings` ({surface, x, y});
// the picked point is written back as `history`. The point moves by a click or a drag on
// the map, the x and y sliders (401 positions each), or the arrow keys on the map.

const NAMES = { himmelblau: "Himmelblau", rosenbrock: "Rosenbrock", beale: "Beale", saddle: "saddle", multi_well: "four wells", quadratic: "stretched bowl (quadratic)" };
const RES = 120; // grid of the contour lines
const STEPS = 400; // slider steps across the window
const CSS = `
.dl-gradient { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-gradient .dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 6px 14px; }
.dl-gradient label { display: flex; flex-direction: column; gap: 2px; }
.dl-gradient select, .dl-gradient input { font: inherit; min-height: 32px; }
.dl-gradient .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 8px; }
.dl-gradient .dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-gradient canvas { border-radius: 4px; touch-action: none; }
.dl-gradient .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-gradient :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const fmt = (v) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(3)).toString());
const deg = (a) => ((((a * 180) / Math.PI) % 360) + 360) % 360;

/** Line segments of the level-`level` contour of `z` (res x res over box), marching squares. */
function contourSegments(z, res, box, level) {
  const segs = [];
  const X = (c) => box.x0 + (c / (res - 1)) * (box.x1 - box.x0);
  const Y = (r) => box.y0 + (r / (res - 1)) * (box.y1 - box.y0);
  const [dc, dr] = [[0, 1, 1, 0], [0, 0, 1, 1]]; // the cell's corners, in order around it
  const v = [0, 0, 0, 0];
  for (let r = 0; r < res - 1; r++) {
    for (let c = 0; c < res - 1; c++) {
      [v[0], v[1], v[2], v[3]] = [z[r * res + c], z[r * res + c + 1], z[(r + 1) * res + c + 1], z[(r + 1) * res + c]];
      const below = (v[0] < level) + (v[1] < level) + (v[2] < level) + (v[3] < level);
      if (below === 0 || below === 4) continue; // the level does not cross this cell
      const pts = [];
      for (let k = 0; k < 4; k++) {
        const j = (k + 1) % 4;
        const [a, b] = [v[k], v[j]];
        if ((a < level) !== (b < level) && Number.isFinite(a) && Number.isFinite(b)) {
          const t = (level - a) / (b - a);
          pts.push([X(c + dc[k] + t * (dc[j] - dc[k])), Y(r + dr[k] + t * (dr[j] - dr[k]))]);
        }
      }
      if (pts.length >= 2) segs.push([pts[0], pts[1]]);
      if (pts.length === 4) segs.push([pts[2], pts[3]]);
    }
  }
  return segs;
}

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-gradient" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const entries = () => Object.fromEntries(model.get("surfaces").map((s) => [s.name, s]));
  const surfaceSelect = element("select");
  surfaceSelect.setAttribute("aria-label", "surface"); // else its name would include the option shown
  for (const s of model.get("surfaces")) surfaceSelect.append(element("option", { value: s.name, textContent: NAMES[s.name] ?? s.name }));
  const xs = element("input", { type: "range", min: 0, max: STEPS, step: 1 });
  const ys = element("input", { type: "range", min: 0, max: STEPS, step: 1 });
  const xOut = element("span");
  const yOut = element("span");
  const lab = (text, control, out) => element("label", {}, [element("span", { textContent: text }, out ? [" ", out] : []), control]);
  root.append(element("div", { className: "dl-controls" }, [lab("surface", surfaceSelect), lab("point x:", xs, xOut), lab("point y:", ys, yOut)]));

  const map = draw.canvas(600, 600, "contour map with the picked point");
  map.classList.add("dl-pick"); // a pickable plot (found by the tests and benchmarks)
  map.tabIndex = 0;
  const polar = draw.canvas(600, 420, "slope in every direction");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [polar])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  let S = null; // the current surface: {entry, fn, box, z, lines, layers}
  const layer = (key, w, h, paint) => draw.layer(S.layers, key, w, h, paint);

  function load() {
    const entry = entries()[settings.surface];
    const fn = engine.SURFACES[entry.name](entry.params);
    const box = { x0: entry.xlim[0], x1: entry.xlim[1], y0: entry.ylim[0], y1: entry.ylim[1] };
    const z = new Float64Array(RES * RES);
    for (let r = 0; r < RES; r++) {
      for (let c = 0; c < RES; c++) z[r * RES + c] = fn.f(box.x0 + (c / (RES - 1)) * (box.x1 - box.x0), box.y0 + (r / (RES - 1)) * (box.y1 - box.y0));
    }
    const lines = entry.levels.map((level) => contourSegments(z, RES, box, level));
    S = { entry, fn, box, z, lines, layers: new Map() };
    surfaceSelect.value = entry.name;
  }

  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  function setPoint(x, y, save = true) {
    const { box } = S;
    settings = { ...settings, x: clamp(x, box.x0, box.x1), y: clamp(y, box.y0, box.y1) };
    if (save) {
      model.set("settings", { ...settings });
      model.save_changes();
    }
    redraw();
  }

  function redraw() {
    const colors = draw.palette();
    const { box, fn } = S;
    const { x, y } = settings;
    const bg = `rgb(${colors.bg.join(",")})`;
    const accent = colors.bg[0] < 128 ? "#ff8a5c" : "#d55e00"; // vermillion: the gradient
    const descent = colors.bg[0] < 128 ? "#6fd3a8" : "#009e73"; // green: steepest descent
    const line = colors.bg[0] < 128 ? "#f0e442" : "#cc79a7"; // the contour through the point
    // ---- the map
    const ctx = map.getContext("2d");
    const { width: w, height: h } = map;
    const px = (vx) => ((vx - box.x0) / (box.x1 - box.x0)) * w;
    const py = (vy) => h - ((vy - box.y0) / (box.y1 - box.y0)) * h;
    ctx.drawImage(layer(`map/${bg}`, w, h, (c) => {
      // the background and the surface's contour lines: the same for every point
      c.fillStyle = bg;
      c.fillRect(0, 0, w, h);
      c.lineWidth = 1.5;
      c.strokeStyle = colors.grid;
      for (const segs of S.lines) {
        c.beginPath();
        for (const [a, b] of segs) {
          c.moveTo(px(a[0]), py(a[1]));
          c.lineTo(px(b[0]), py(b[1]));
        }
        c.stroke();
      }
    }), 0, 0);
    const value = fn.f(x, y);
    const [gx, gy] = fn.grad(x, y);
    const norm = Math.hypot(gx, gy);
    ctx.lineWidth = 4;
    ctx.strokeStyle = line;
    ctx.beginPath();
    for (const [a, b] of contourSegments(S.z, RES, box, value)) {
      ctx.moveTo(px(a[0]), py(a[1]));
      ctx.lineTo(px(b[0]), py(b[1]));
    }
    ctx.stroke();
    const arrow = (dx, dy, color, dash) => {
      const L = w * 0.18;
      const [x0, y0] = [px(x), py(y)];
      const [x1, y1] = [x0 + dx * L, y0 - dy * L];
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 5;
      ctx.setLineDash(dash ? [12, 8] : []);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      ctx.setLineDash([]);
      const a = Math.atan2(y1 - y0, x1 - x0);
      ctx.beginPath();
      ctx.moveTo(x1 + 16 * Math.cos(a), y1 + 16 * Math.sin(a));
      ctx.lineTo(x1 + 16 * Math.cos(a + 2.4), y1 + 16 * Math.sin(a + 2.4));
      ctx.lineTo(x1 + 16 * Math.cos(a - 2.4), y1 + 16 * Math.sin(a - 2.4));
      ctx.fill();
    };
    if (norm > 1e-12) {
      arrow(gx / norm, gy / norm, accent, false);
      arrow(-gx / norm, -gy / norm, descent, true);
    }
    ctx.fillStyle = colors.fg;
    ctx.beginPath();
    ctx.arc(px(x), py(y), 8, 0, 2 * Math.PI);
    ctx.fill();
    ctx.font = "24px sans-serif";
    ctx.textBaseline = "top";
    ctx.fillText(`∇f (solid), −∇f (dashed), arrows of fixed length`, 10, 8);

    // ---- the slope over the angle
    const p = polar.getContext("2d");
    const { width: W, height: H } = polar;
    const font = 24;
    const pad = { l: font * 3.4, r: font * 1.6, t: font * 1.6, b: font * 2.4 };
    const top = Math.max(norm, 1e-9) * 1.1;
    const AX = (a) => pad.l + (a / 360) * (W - pad.l - pad.r);
    const AY = (s) => pad.t + ((top - s) / (2 * top)) * (H - pad.t - pad.b);
    p.drawImage(layer(`polar/${bg}`, W, H, (c) => {
      // the background and the axes' words, outside the plot: the same for every point
      c.fillStyle = bg;
      c.fillRect(0, 0, W, H);
      c.font = `${font}px sans-serif`;
      c.fillStyle = colors.fg;
      c.textAlign = "center";
      c.textBaseline = "top";
      for (const a of [0, 90, 180, 270, 360]) c.fillText(`${a}°`, AX(a), H - pad.b + 6);
      c.fillText("direction of u (degrees from the x-axis)", (pad.l + W - pad.r) / 2, H - pad.b + font + 8);
      c.textAlign = "left";
      c.fillText("slope D_u f = ∇f · u", pad.l, 4);
    }), 0, 0);
    p.font = `${font}px sans-serif`;
    p.strokeStyle = colors.grid;
    p.fillStyle = colors.fg;
    p.lineWidth = 1;
    p.textAlign = "right";
    p.textBaseline = "middle";
    for (const s of [-norm, 0, norm]) {
      p.beginPath();
      p.moveTo(pad.l, AY(s));
      p.lineTo(W - pad.r, AY(s));
      p.stroke();
      p.fillText(fmt(s), pad.l - 6, AY(s));
    }
    const gAngle = deg(Math.atan2(gy, gx));
    p.strokeStyle = accent;
    p.lineWidth = 2;
    p.beginPath();
    p.moveTo(AX(gAngle), pad.t);
    p.lineTo(AX(gAngle), H - pad.b);
    p.stroke();
    p.strokeStyle = descent;
    p.setLineDash([10, 6]);
    p.beginPath();
    p.moveTo(AX((gAngle + 180) % 360), pad.t);
    p.lineTo(AX((gAngle + 180) % 360), H - pad.b);
    p.stroke();
    p.setLineDash([]);
    p.strokeStyle = colors.train;
    p.lineWidth = 4;
    p.beginPath();
    for (let a = 0; a <= 360; a += 2) {
      const s = engine.directionalDerivative(fn, x, y, (a * Math.PI) / 180);
      if (a) p.lineTo(AX(a), AY(s));
      else p.moveTo(AX(a), AY(s));
    }
    p.stroke();
    p.fillStyle = accent;
    p.beginPath();
    p.arc(AX(gAngle), AY(norm), 9, 0, 2 * Math.PI);
    p.fill();

    // ---- controls and words
    xs.value = String(Math.round(((x - box.x0) / (box.x1 - box.x0)) * STEPS));
    ys.value = String(Math.round(((y - box.y0) / (box.y1 - box.y0)) * STEPS));
    xOut.textContent = fmt(x);
    yOut.textContent = fmt(y);
    xs.setAttribute("aria-valuetext", fmt(x));
    ys.setAttribute("aria-valuetext", fmt(y));
    const where = `At (${fmt(x)}, ${fmt(y)}): f = ${fmt(value)}`;
    status.textContent =
      norm < 1e-9
        ? `${where}, the gradient is zero: the slope is 0 in every direction (a flat point).`
        : `${where}, gradient (${fmt(gx)}, ${fmt(gy)}) of length ${fmt(norm)}, pointing at ${gAngle.toFixed(1)}°. ` +
          `Steepest descent at ${((gAngle + 180) % 360).toFixed(1)}° (slope −${fmt(norm)}); ` +
          `the slope is 0 along the contour line, at ${((gAngle + 90) % 360).toFixed(1)}° and ${((gAngle + 270) % 360).toFixed(1)}°.`;
    map.setAttribute("aria-label", `contour map of ${NAMES[S.entry.name]}, point (${fmt(x)}, ${fmt(y)}), arrow keys move it`);
    model.set("history", { surface: S.entry.name, point: [x, y], value, gradient: [gx, gy] });
    model.save_changes();
  }

  // ---- events
  surfaceSelect.addEventListener("change", () => {
    const e = entries()[surfaceSelect.value];
    settings = { ...settings, surface: e.name };
    load();
    setPoint((e.xlim[0] + e.xlim[1]) / 2 + 0.3 * (e.xlim[1] - e.xlim[0]) / 2, (e.ylim[0] + e.ylim[1]) / 2 + 0.2 * (e.ylim[1] - e.ylim[0]) / 2);
  });
  const fromSliders = () => {
    const { box } = S;
    setPoint(box.x0 + (xs.value / STEPS) * (box.x1 - box.x0), box.y0 + (ys.value / STEPS) * (box.y1 - box.y0));
  };
  xs.addEventListener("input", fromSliders);
  ys.addEventListener("input", fromSliders);
  const fromPointer = (event) => {
    const r = map.getBoundingClientRect();
    const { box } = S;
    setPoint(box.x0 + ((event.clientX - r.left) / r.width) * (box.x1 - box.x0), box.y1 - ((event.clientY - r.top) / r.height) * (box.y1 - box.y0));
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
    const { box } = S;
    const k = (event.shiftKey ? 10 : 1) / STEPS;
    setPoint(settings.x + d[0] * k * (box.x1 - box.x0), settings.y + d[1] * k * (box.y1 - box.y0));
  });
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    const newSurface = next.surface !== settings.surface;
    settings = { ...next };
    if (newSurface) load();
    redraw();
  }
  model.on("change:settings", fromModel);
  const unwatch = draw.watchTheme(() => redraw());
  load();
  setPoint(settings.x, settings.y, false);
  return () => {
    model.off("change:settings", fromModel);
    unwatch();
  };
}
