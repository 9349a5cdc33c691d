// The chapter-5 optimizer race: six optimizers from a start the reader picks, live.
//
// render({model, el, engine, draw}) builds the controls, the contour map, the loss
// curves, the legend and the status line in `el`, and returns a clean-up function. The
// state comes from Python (descend.live.explorers_b.OptimizerRace): `surfaces` (each
// surface's parameters, window, start, minima and lowest value), `racers` (each
// optimizer's engine name and hyperparameters, in drawing order) and `settings`
// (surface, steps, start). Every path is engine.minimize's, the same numbers as
// descend.minimize; nothing here is random. What the reader sees is written back as
// `result`.

const MARKERS = ["circle", "square", "triangle", "diamond", "down", "plus"]; // by racer order
const GRID = 240; // the contour map's resolution
const BANDS = 14; // contour levels, evenly spaced in log10(f - f*)
const LR = { min: -5, max: 1, step: 0.02 }; // log10 of the learning rate: 301 positions
const START_POSITIONS = 400; // the start sliders' positions across the window
const GAP_FLOOR = 1e-12; // the loss curves' floor for f - f*
const NAMES = {
  rosenbrock: "Rosenbrock",
  beale: "Beale",
  himmelblau: "Himmelblau",
  quadratic: "stretched bowl (quadratic)",
  saddle: "saddle",
  multi_well: "four wells",
};

const CSS = `
.dl-race { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-race .dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 6px 14px; }
.dl-race label { display: flex; flex-direction: column; gap: 2px; }
.dl-race label.dl-check { flex-direction: row; align-items: center; gap: 6px; }
.dl-race select, .dl-race input, .dl-race button { font: inherit; min-height: 28px; }
.dl-race button { padding: 2px 14px; border-radius: 6px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
.dl-race .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin: 10px 0 4px; }
.dl-race .dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-race .dl-figures canvas { border-radius: 4px; touch-action: none; }
.dl-race .dl-legend { display: flex; flex-wrap: wrap; gap: 2px 14px; margin: 0; padding: 0; list-style: none; }
.dl-race .dl-legend li { display: flex; align-items: center; gap: 4px; }
.dl-race .dl-swatch { width: 18px; height: 18px; }
.dl-race .dl-racers { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: 8px; margin-top: 8px; }
.dl-race fieldset { border: 1px solid #8884; border-radius: 6px; padding: 4px 8px 8px; margin: 0; min-width: 0; }
.dl-race fieldset legend { display: flex; align-items: center; gap: 4px; font: 600 14px/1.4 system-ui, sans-serif; float: none; width: auto; margin: 0; padding: 0 4px; }
.dl-race fieldset label { margin-top: 4px; }
.dl-race .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-race .dl-hint { margin: 2px 0 0; font-size: 13px; opacity: 0.85; }
.dl-race :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function slider(min, max, step, value) {
  return element("input", { type: "range", min, max, step, value });
}

function labelled(text, control, output = null) {
  const title = element("span", { textContent: text });
  if (output) title.append(" ", output);
  return element("label", {}, [title, control]);
}

/** The racers' colours: the book's Okabe-Ito palette (ds.plots.PALETTE), by racer order. */
function racerColors(dark) {
  // blue, orange, bluish green, vermillion, reddish purple, sky blue; on a dark page
  // the dark blue is swapped for a lighter tint of itself so it stays visible
  return [dark ? "#4da3db" : "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", dark ? "#a6dcf7" : "#56b4e9"];
}

/** One racer's marker, centred at (x, y) with radius r. */
function marker(ctx, kind, x, y, r, fill, stroke) {
  ctx.beginPath();
  if (kind === "circle") ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (kind === "square") ctx.rect(x - r * 0.85, y - r * 0.85, 1.7 * r, 1.7 * r);
  else if (kind === "triangle" || kind === "down") {
    const s = kind === "triangle" ? 1 : -1;
    ctx.moveTo(x, y - s * r * 1.15);
    ctx.lineTo(x + r, y + s * r * 0.75);
    ctx.lineTo(x - r, y + s * r * 0.75);
    ctx.closePath();
  } else if (kind === "diamond") {
    ctx.moveTo(x, y - r * 1.2);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r * 1.2);
    ctx.lineTo(x - r, y);
    ctx.closePath();
  } else {
    const w = r * 0.4; // a plus sign
    ctx.moveTo(x - w, y - r);
    for (const [dx, dy] of [[w, -r], [w, -w], [r, -w], [r, w], [w, w], [w, r], [-w, r], [-w, w], [-r, w], [-r, -w], [-w, -w]]) ctx.lineTo(x + dx, y + dy);
    ctx.closePath();
  }
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = Math.max(1, r / 4);
  ctx.strokeStyle = stroke;
  ctx.stroke();
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
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = stroke;
  ctx.stroke();
}

const fmt = (v) => (v === 0 ? "0" : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3))));
const lrOf = (sliderValue) => Number((10 ** Number(sliderValue)).toPrecision(3));
const clampPx = (v) => Math.max(-1e4, Math.min(1e4, v));

export function render({ model, el, engine, draw }) {
  let surfaces = model.get("surfaces");
  let racers = structuredClone(model.get("racers"));
  let settings = { ...model.get("settings") };
  const keys = () => Object.keys(racers);
  const shown = Object.fromEntries(keys().map((k) => [k, true]));

  const root = element("div", { className: "dl-race" });
  // keys pressed on the controls are theirs, not JupyterLab's (see playground.js)
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  // ---- the race's controls: surface, steps, start point
  const surfaceSelect = element("select");
  const steps = slider(1, 1000, 1, settings.steps);
  const startX = slider(0, START_POSITIONS, 1, 0);
  const startY = slider(0, START_POSITIONS, 1, 0);
  const out = { steps: element("span"), x: element("span"), y: element("span") };
  for (const o of Object.values(out)) o.className = "dl-value";
  const resetButton = element("button", { type: "button", textContent: "Back to the book's start and settings" });
  root.append(
    element("div", { className: "dl-controls" }, [
      labelled("surface", surfaceSelect),
      labelled("steps:", steps, out.steps),
      labelled("start x:", startX, out.x),
      labelled("start y:", startY, out.y),
    ]),
  );

  // ---- figures, legend, status
  const map = draw.canvas(600, 600, "contour map with the optimizers' paths");
  map.classList.add("dl-pick"); // a pickable plot (found by the tests and benchmarks)
  map.tabIndex = 0;
  map.style.cursor = "crosshair";
  const curves = draw.canvas(600, 480, "each optimizer's f minus its minimum against the step, log scale");
  const legend = element("ul", { className: "dl-legend" });
  legend.setAttribute("aria-label", "legend");
  root.append(
    element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [curves, legend])]),
    element("p", { className: "dl-hint", textContent: "Click or drag on the map (or focus it and use the arrow keys) to move the start." }),
  );
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);

  // ---- each racer's settings: a fieldset with its swatch, a show box and its sliders
  const racerBox = element("div", { className: "dl-racers" });
  const swatches = []; // [canvas, racer index]
  let swatchesDark = null; // the theme the swatches are drawn in (null: not drawn yet)
  const hyperControls = {}; // key -> {name: [input, span, toValue, fromValue]}
  function swatch(i) {
    const c = element("canvas", { className: "dl-swatch", width: 36, height: 36 });
    c.setAttribute("aria-hidden", "true");
    swatches.push([c, i]);
    return c;
  }
  function buildRacers() {
    swatches.length = 0;
    swatchesDark = null;
    racerBox.replaceChildren();
    legend.replaceChildren();
    keys().forEach((key, i) => {
      const r = racers[key];
      legend.append(element("li", {}, [swatch(i), element("span", { textContent: r.label })]));
      const controls = {};
      const add = (name, text, input, toValue, fromValue) => {
        const span = element("span", { className: "dl-value" });
        controls[name] = [input, span, toValue, fromValue];
        input.setAttribute("aria-label", `${text} of ${r.label}`);
        return labelled(`${text}:`, input, span);
      };
      const show = element("input", { type: "checkbox", checked: shown[key] });
      show.setAttribute("aria-label", `show ${r.label}`);
      show.addEventListener("change", () => {
        shown[key] = show.checked;
        update();
      });
      const parts = [element("label", { className: "dl-check" }, [show, element("span", { textContent: "show" })])];
      parts.push(add("lr", "learning rate", slider(LR.min, LR.max, LR.step, 0), lrOf, Math.log10));
      if ("momentum" in r.hyper) parts.push(add("momentum", "momentum", slider(0, 0.99, 0.01, 0), Number, Number));
      if ("alpha" in r.hyper) parts.push(add("alpha", "alpha (decay)", slider(0.5, 0.999, 0.001, 0.5), Number, Number));
      if ("betas" in r.hyper) {
        parts.push(add("beta1", "beta1", slider(0, 0.99, 0.01, 0), Number, Number));
        parts.push(add("beta2", "beta2", slider(0.5, 0.9999, 0.0001, 0.5), Number, Number));
      }
      hyperControls[key] = controls;
      for (const [name, [input]] of Object.entries(controls)) {
        input.addEventListener("input", () => onHyper(key, name));
      }
      const fs = element("fieldset", {}, [element("legend", {}, [swatch(i), element("span", { textContent: r.label })]), ...parts]);
      racerBox.append(fs);
    });
    syncHyperControls();
  }
  root.append(racerBox, element("div", { className: "dl-controls", style: "margin-top: 8px" }, [resetButton]));
  el.append(root);

  function hyperValue(key, name) {
    const h = racers[key].hyper;
    return name === "beta1" ? h.betas[0] : name === "beta2" ? h.betas[1] : h[name];
  }
  function syncHyperControls() {
    for (const [key, controls] of Object.entries(hyperControls)) {
      for (const [name, [input, span, , fromValue]] of Object.entries(controls)) {
        const v = hyperValue(key, name);
        input.value = String(fromValue(v));
        span.textContent = String(v);
        input.setAttribute("aria-valuetext", String(v));
      }
    }
  }
  function onHyper(key, name) {
    const [input, span, toValue] = hyperControls[key][name];
    const v = toValue(input.value);
    const h = racers[key].hyper;
    if (name === "beta1") h.betas = [v, h.betas[1]];
    else if (name === "beta2") h.betas = [h.betas[0], v];
    else h[name] = v;
    span.textContent = String(v);
    input.setAttribute("aria-valuetext", String(v));
    update();
  }

  function fillSurfaces() {
    surfaceSelect.replaceChildren(...Object.keys(surfaces).map((n) => element("option", { value: n, textContent: NAMES[n] ?? n })));
    surfaceSelect.value = settings.surface;
  }

  // ---- state
  const surf = () => surfaces[settings.surface];
  const start = () => settings.start ?? surf().start;
  const toStartSlider = (v, [lo, hi]) => Math.round(((v - lo) / (hi - lo)) * START_POSITIONS);
  const fromStartSlider = (k, [lo, hi]) => Number((lo + (Number(k) / START_POSITIONS) * (hi - lo)).toPrecision(4));

  function syncRaceControls() {
    const s = surf();
    const [x, y] = start();
    startX.value = String(toStartSlider(x, s.xlim));
    startY.value = String(toStartSlider(y, s.ylim));
    steps.value = String(settings.steps);
    out.steps.textContent = String(settings.steps);
    out.x.textContent = String(x);
    out.y.textContent = String(y);
    startX.setAttribute("aria-valuetext", String(x));
    startY.setAttribute("aria-valuetext", String(y));
  }

  // ---- the race: every racer's path by engine.minimize; a diverging racer's path is
  // kept up to its last finite point
  function surfaceObject() {
    return engine.SURFACES[settings.surface](surf().params);
  }
  function runRace() {
    const surface = surfaceObject();
    return keys().map((key) => {
      const r = racers[key];
      const hyper = { ...r.hyper };
      const go = (n) => engine.minimize(surface, engine.optimizer(r.name, hyper), start(), n);
      try {
        return { key, path: go(settings.steps), diverged: null };
      } catch (err) {
        if (!(err instanceof engine.DivergenceError)) throw err;
        return { key, path: go(Math.max(0, err.step - 1)), diverged: err.step };
      }
    });
  }

  // ---- drawing
  const backgrounds = new Map(); // "surface/dark" -> the contour map at the canvas's size (draw.layer)
  function background(dark, w, h) {
    return draw.layer(backgrounds, `${settings.surface}/${dark}`, w, h, (c) => {
      const s = surf();
      c.imageSmoothingEnabled = true;
      c.drawImage(draw.contourImage(surfaceObject().f, { xlim: s.xlim, ylim: s.ylim, fmin: s.fmin, res: GRID, bands: BANDS, dark }), 0, 0, w, h);
    });
  }

  function drawMap(results, dark, colors, palette) {
    const ctx = map.getContext("2d");
    const { width: w, height: h } = map;
    const s = surf();
    ctx.drawImage(background(dark, w, h), 0, 0);
    const X = (x) => clampPx(((x - s.xlim[0]) / (s.xlim[1] - s.xlim[0])) * w);
    const Y = (y) => clampPx(((s.ylim[1] - y) / (s.ylim[1] - s.ylim[0])) * h);
    for (const m of s.minima) star(ctx, X(m[0]), Y(m[1]), 16, "#f0e442", colors.fg);
    results.forEach(({ key, path }, i) => {
      if (!shown[key]) return;
      ctx.strokeStyle = palette[i];
      ctx.lineWidth = 3.5;
      ctx.lineJoin = "round";
      ctx.beginPath();
      draw.tracePath(ctx, path.points.map(([x, y]) => [X(x), Y(y)]));
      ctx.stroke();
    });
    results.forEach(({ key, path }, i) => {
      if (!shown[key]) return;
      const [x, y] = path.points[path.points.length - 1];
      marker(ctx, MARKERS[i], X(x), Y(y), 11, palette[i], colors.fg);
    });
    const [sx, sy] = start();
    ctx.beginPath();
    ctx.arc(X(sx), Y(sy), 10, 0, 2 * Math.PI);
    ctx.lineWidth = 3;
    ctx.strokeStyle = colors.fg;
    ctx.stroke();
    // axes' ends, in the corners
    ctx.font = "22px sans-serif";
    ctx.fillStyle = colors.fg;
    ctx.textBaseline = "bottom";
    ctx.textAlign = "left";
    ctx.fillText(`x ${s.xlim[0]} to ${s.xlim[1]}, y ${s.ylim[0]} to ${s.ylim[1]}`, 8, h - 6);
  }

  function drawCurves(results, colors, palette) {
    const ctx = curves.getContext("2d");
    const { width: w, height: h } = curves;
    const font = 22;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    const pad = { l: font * 3.4, r: font, t: font * 2.2, b: font * 2.4 };
    const fmin = surf().fmin;
    const gaps = results.filter((r) => shown[r.key]).flatMap((r) => r.path.values.map((v) => Math.max(v - fmin, GAP_FLOOR)));
    let lo = Math.floor(Math.log10(Math.min(...gaps, 1)));
    let hi = Math.ceil(Math.log10(Math.max(...gaps, 10)));
    hi = Math.min(hi, 12);
    lo = Math.max(lo, Math.log10(GAP_FLOOR));
    const xmax = settings.steps;
    const Xs = (t) => pad.l + (t / xmax) * (w - pad.l - pad.r);
    const Ys = (v) => {
      const e = Math.min(hi, Math.max(lo, Math.log10(Math.max(v - fmin, GAP_FLOOR))));
      return h - pad.b - ((e - lo) / (hi - lo)) * (h - pad.t - pad.b);
    };
    ctx.font = `${font}px sans-serif`;
    ctx.lineWidth = 1;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let k = hi; k >= lo; k -= every) {
      const y = h - pad.b - ((k - lo) / (hi - lo)) * (h - pad.t - pad.b);
      ctx.beginPath();
      ctx.moveTo(pad.l, y);
      ctx.lineTo(w - pad.r, y);
      ctx.stroke();
      ctx.fillText(k === 0 ? "1" : `1e${k}`, pad.l - font * 0.3, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("0", Xs(0), h - pad.b + font * 0.3);
    ctx.fillText(String(xmax), Xs(xmax) - font, h - pad.b + font * 0.3);
    ctx.fillText("step", (pad.l + w - pad.r) / 2, h - pad.b + font * 0.3);
    ctx.textAlign = "left";
    ctx.fillText("f − f*, the gap to the lowest minimum (log scale)", font * 0.3, font * 0.2);
    results.forEach(({ key, path }, i) => {
      if (!shown[key]) return;
      ctx.strokeStyle = palette[i];
      ctx.lineWidth = 3;
      ctx.beginPath();
      draw.tracePath(ctx, path.values.map((v, t) => [Xs(t), Ys(v)]));
      ctx.stroke();
    });
    results.forEach(({ key, path }, i) => {
      if (!shown[key]) return;
      const t = path.values.length - 1;
      marker(ctx, MARKERS[i], Xs(t), Ys(path.values[t]), 9, palette[i], colors.fg);
    });
  }

  function drawSwatches(dark, colors, palette) {
    if (swatchesDark === dark) return; // they change only with the theme or the racers
    swatchesDark = dark;
    for (const [c, i] of swatches) {
      const ctx = c.getContext("2d");
      ctx.clearRect(0, 0, c.width, c.height);
      ctx.strokeStyle = palette[i];
      ctx.lineWidth = 4;
      ctx.beginPath();
      ctx.moveTo(0, 18);
      ctx.lineTo(36, 18);
      ctx.stroke();
      marker(ctx, MARKERS[i], 18, 18, 10, palette[i], colors.fg);
    }
  }

  function describe(results) {
    const [x, y] = start();
    const head = `After ${settings.steps} steps on ${NAMES[settings.surface] ?? settings.surface} from (${x}, ${y}): `;
    const live = results.filter((r) => shown[r.key]);
    if (!live.length) return `${head}no optimizer is shown.`;
    const finishers = live.filter((r) => r.diverged === null);
    const label = (r) => racers[r.key].label;
    const diverged = live.filter((r) => r.diverged !== null).map((r) => `${label(r)} (at step ${r.diverged})`);
    const tail = diverged.length ? ` Diverged: ${diverged.join(", ")}.` : "";
    if (!finishers.length) return `${head}every optimizer shown diverged.${tail}`;
    const last = (r) => r.path.values[r.path.values.length - 1];
    const ranked = finishers.slice().sort((a, b) => last(a) - last(b));
    const best = ranked[0];
    const worst = ranked[ranked.length - 1];
    const gap = (r) => fmt(Math.max(last(r) - surf().fmin, 0));
    const rest = ranked.length > 1 ? `; highest is ${label(worst)} (f − f* = ${gap(worst)})` : "";
    return `${head}lowest is ${label(best)} (f − f* = ${gap(best)})${rest}.${tail}`;
  }

  function update() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const palette = racerColors(dark);
    const results = runRace();
    drawMap(results, dark, colors, palette);
    drawCurves(results, colors, palette);
    drawSwatches(dark, colors, palette);
    syncRaceControls();
    const text = describe(results);
    status.textContent = text;
    map.setAttribute("aria-label", `contour map of ${NAMES[settings.surface] ?? settings.surface} with the optimizers' paths; start (${start().join(", ")}). ${text}`);
    const last = (r) => r.path.values[r.path.values.length - 1];
    const finishers = results.filter((r) => shown[r.key] && r.diverged === null);
    const leader = finishers.length ? finishers.reduce((a, b) => (last(b) < last(a) ? b : a)).key : null;
    model.set("result", {
      surface: settings.surface,
      start: start(),
      steps: settings.steps,
      hyper: Object.fromEntries(keys().map((k) => [k, { ...racers[k].hyper }])),
      final: Object.fromEntries(results.map((r) => [r.key, r.diverged === null ? last(r) : null])),
      leader,
    });
    model.save_changes();
  }

  // ---- events
  function setStart(x, y) {
    settings = { ...settings, start: [Number(x.toPrecision(4)), Number(y.toPrecision(4))] };
    update();
  }
  surfaceSelect.addEventListener("change", () => {
    settings = { ...settings, surface: surfaceSelect.value, start: null };
    update();
  });
  steps.addEventListener("input", () => {
    settings = { ...settings, steps: Number(steps.value) };
    update();
  });
  startX.addEventListener("input", () => setStart(fromStartSlider(startX.value, surf().xlim), start()[1]));
  startY.addEventListener("input", () => setStart(start()[0], fromStartSlider(startY.value, surf().ylim)));
  function fromPointer(event) {
    const box = map.getBoundingClientRect();
    const s = surf();
    const u = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const v = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    setStart(s.xlim[0] + u * (s.xlim[1] - s.xlim[0]), s.ylim[1] - v * (s.ylim[1] - s.ylim[0]));
  }
  let dragging = false;
  map.addEventListener("pointerdown", (event) => {
    dragging = true;
    map.setPointerCapture?.(event.pointerId);
    fromPointer(event);
  });
  map.addEventListener("pointermove", (event) => dragging && fromPointer(event));
  const stopDrag = () => (dragging = false);
  map.addEventListener("pointerup", stopDrag);
  map.addEventListener("pointercancel", stopDrag);
  map.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const s = surf();
    const k = event.shiftKey ? 0.1 : 0.01;
    const [dx, dy] = moves[event.key];
    const [x, y] = start();
    const clamp = (v, [lo, hi]) => Math.min(hi, Math.max(lo, v));
    setStart(clamp(x + dx * k * (s.xlim[1] - s.xlim[0]), s.xlim), clamp(y + dy * k * (s.ylim[1] - s.ylim[0]), s.ylim));
  });
  resetButton.addEventListener("click", () => {
    racers = structuredClone(model.get("racers"));
    settings = { ...model.get("settings") };
    for (const k of keys()) shown[k] = true;
    fillSurfaces();
    buildRacers();
    update();
  });

  // settings, racers or surfaces from Python: show them
  function fromModel() {
    surfaces = model.get("surfaces");
    racers = structuredClone(model.get("racers"));
    settings = { ...model.get("settings") };
    if (!(settings.surface in surfaces)) settings.surface = Object.keys(surfaces)[0];
    for (const k of keys()) shown[k] ??= true;
    backgrounds.clear();
    fillSurfaces();
    buildRacers();
    update();
  }
  const events = ["change:settings", "change:racers", "change:surfaces"];
  for (const e of events) model.on(e, fromModel);
  const unwatch = draw.watchTheme(() => update());

  fillSurfaces();
  buildRacers();
  update();
  return () => {
    for (const e of events) model.off(e, fromModel);
    unwatch();
  };
}
