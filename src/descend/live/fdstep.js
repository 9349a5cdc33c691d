// Chapter 3: the finite-difference step h of a gradient check, from too large to too small.
//
// render({model, el, engine, draw}): state from Python (descend.live.FiniteDifferenceExplorer):
// `settings` = {x, y, w1, b1, w2, b2, pos}. The tiny network's four gradients (engine.tinyNetwork,
// backpropagation) are compared with centred and forward differences of its loss
// (engine.numericalGradient, engine.forwardGradient) at h = engine.fdStep(pos, 320), about
// 10^(-16 + 16 pos / 320); the
// relative errors (engine.relativeError) are drawn against h on log-log axes, every slider
// position's, with the current h marked. The plot is pickable: click or drag to set h.

const POSITIONS = 320; // descend.live.explorers_backprop.FD_POSITIONS
const [LOG_H0, LOG_H1] = [-16, 0];
const [LOG_E0, LOG_E1] = [-16, 0]; // errors below 1e-16 (or 0) are drawn on the floor
const PARAMS = ["w1", "b1", "w2", "b2"];
const NAMES = { w1: "w₁", b1: "b₁", w2: "w₂", b2: "b₂" };
const CSS = `
.dl-fdstep { font: 14px/1.4 system-ui, sans-serif; max-width: 720px; }
.dl-fdstep label { display: flex; flex-direction: column; gap: 2px; }
.dl-fdstep input { font: inherit; min-height: 32px; width: 100%; box-sizing: border-box; }
.dl-fdstep canvas { border-radius: 4px; margin-top: 6px; display: block; touch-action: none; cursor: crosshair; }
.dl-fdstep table { border-collapse: collapse; font: 13px/1.4 ui-monospace, monospace; margin-top: 6px; width: 100%; }
.dl-fdstep th, .dl-fdstep td { padding: 1px 6px; text-align: right; }
.dl-fdstep th:first-child, .dl-fdstep td:first-child { text-align: left; white-space: nowrap; }
.dl-fdstep .dl-table { overflow-x: auto; }
.dl-fdstep .dl-status { font-variant-numeric: tabular-nums; margin: 6px 0 0; }
.dl-fdstep :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
@media (max-width: 480px) { .dl-fdstep table { font-size: 11px; } .dl-fdstep th, .dl-fdstep td { padding: 1px 2px; } }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const sci = (v, digits = 1) => (v === 0 ? "0" : v.toExponential(digits).replace("-", "−"));
const verdict = (e) => (e < 1e-7 ? "correct" : e < 1e-4 ? "suspicious" : "looks like a bug");

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-fdstep" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));
  const slider = element("input", { type: "range", min: 0, max: POSITIONS, step: 1 });
  const hOut = element("span");
  root.append(element("label", {}, [element("span", { textContent: "step h = " }, [hOut]), slider]));
  const plot = draw.canvas(1000, 600, "relative error of the gradient check against the finite-difference step, log-log");
  plot.classList.add("dl-pick");
  plot.style.maxWidth = "720px";
  const table = element("table");
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(plot, status, element("div", { className: "dl-table" }, [table]));
  el.append(root);

  let curve = null; // per slider position: [h, centred error, forward error]
  let exact = null;
  let f = null;
  let best = null; // the slider positions of the smallest centred and forward errors
  function load() {
    const s = settings;
    exact = PARAMS.map((p) => engine.tinyNetwork(s).grads[p]); // backpropagation
    f = (theta) => engine.tinyLoss(theta, s.x, s.y);
    const theta = PARAMS.map((p) => s[p]);
    curve = [];
    for (let pos = 0; pos <= POSITIONS; pos++) {
      const h = engine.fdStep(pos, POSITIONS);
      curve.push([
        h,
        engine.relativeError(exact, engine.numericalGradient(f, theta, h)),
        engine.relativeError(exact, engine.forwardGradient(f, theta, h)),
      ]);
    }
    const argmin = (col) => curve.reduce((b, row, i) => (row[col] < curve[b][col] ? i : b), 0);
    best = { centred: argmin(1), forward: argmin(2) };
  }

  function redraw() {
    const colors = draw.palette();
    const dark = colors.bg[0] < 128;
    const pos = settings.pos;
    const [h, eC, eF] = curve[pos];
    const theta = PARAMS.map((p) => settings[p]);
    const centred = engine.numericalGradient(f, theta, h);
    const forward = engine.forwardGradient(f, theta, h);
    const ctx = plot.getContext("2d");
    const { width: w, height: ht } = plot;
    const font = 26;
    const pad = { l: font * 3.8, r: font * 1.2, t: font * 2.2, b: font * 2.6 };
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, ht);
    const X = (lh) => pad.l + ((lh - LOG_H0) / (LOG_H1 - LOG_H0)) * (w - pad.l - pad.r);
    const Y = (e) => {
      const le = Math.min(LOG_E1, Math.max(LOG_E0, Math.log10(Math.max(e, 1e-300))));
      return pad.t + ((LOG_E1 - le) / (LOG_E1 - LOG_E0)) * (ht - pad.t - pad.b);
    };
    // verdict bands: correct below 1e-7, a bug above 1e-4
    ctx.fillStyle = dark ? "rgba(0,158,115,0.22)" : "rgba(0,158,115,0.13)";
    ctx.fillRect(pad.l, Y(1e-7), w - pad.l - pad.r, Y(1e-16) - Y(1e-7));
    ctx.fillStyle = dark ? "rgba(213,94,0,0.25)" : "rgba(213,94,0,0.12)";
    ctx.fillRect(pad.l, Y(1), w - pad.l - pad.r, Y(1e-4) - Y(1));
    // grid and ticks
    ctx.font = `${font}px sans-serif`;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.fg;
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let k = LOG_H0; k <= LOG_H1; k += 2) {
      ctx.beginPath();
      ctx.moveTo(X(k), pad.t);
      ctx.lineTo(X(k), ht - pad.b);
      ctx.stroke();
      ctx.fillText(`1e${k}`.replace("-", "−"), X(k), ht - pad.b + 6);
    }
    ctx.fillText("step h (log scale)", (pad.l + w - pad.r) / 2, ht - pad.b + font + 10);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let k = LOG_E0; k <= LOG_E1; k += 2) {
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(10 ** k));
      ctx.lineTo(w - pad.r, Y(10 ** k));
      ctx.stroke();
      ctx.fillText(`1e${k}`.replace("-", "−"), pad.l - 6, Y(10 ** k));
    }
    // the regions either side of the centred difference's best h
    const split = X(Math.log10(curve[best.centred][0]));
    ctx.font = `italic ${font}px sans-serif`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    const place = (lines, centre, y) => {
      const width = Math.max(...lines.map((t) => ctx.measureText(t).width));
      const left = Math.min(Math.max(centre - width / 2, pad.l + 8), w - pad.r - width - 8);
      lines.forEach((t, i) => ctx.fillText(t, left, y + i * (font + 6)));
    };
    place(["round-off", "dominates: ∝ 1/h"], (pad.l + split) / 2, Y(1e-1));
    place(["truncation dominates:", "centred ∝ h², forward ∝ h"], (split + w - pad.r) / 2, Y(10 ** -14.4));
    ctx.setLineDash([4, 6]);
    ctx.beginPath();
    ctx.moveTo(split, pad.t);
    ctx.lineTo(split, ht - pad.b);
    ctx.stroke();
    ctx.setLineDash([]);
    // the two error curves
    const series = [
      [1, colors.train, [], "centred (f(θ+h) − f(θ−h)) / 2h"],
      [2, colors.val, [14, 8], "forward (f(θ+h) − f(θ)) / h"],
    ];
    ctx.textBaseline = "middle";
    let lx = pad.l;
    for (const [col, color, dash, name] of series) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 3.5;
      ctx.setLineDash(dash);
      ctx.beginPath();
      curve.forEach((row, i) => (i ? ctx.lineTo(X(Math.log10(row[0])), Y(row[col])) : ctx.moveTo(X(Math.log10(row[0])), Y(row[col]))));
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(lx, pad.t / 2);
      ctx.lineTo(lx + font * 1.6, pad.t / 2);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `${font}px sans-serif`;
      ctx.fillStyle = colors.fg;
      ctx.textAlign = "left";
      ctx.fillText(name, lx + font * 1.9, pad.t / 2);
      lx += font * 2.6 + ctx.measureText(name).width + font * 0.6;
    }
    // the current h: a line and a marker on each curve
    const cx = X(Math.log10(h));
    ctx.strokeStyle = dark ? "#ff8a5c" : "#c14d00";
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(cx, pad.t);
    ctx.lineTo(cx, ht - pad.b);
    ctx.stroke();
    for (const [e, color] of [[eC, colors.train], [eF, colors.val]]) {
      ctx.beginPath();
      ctx.arc(cx, Y(e), 11, 0, 2 * Math.PI);
      ctx.fillStyle = color;
      ctx.fill();
      ctx.lineWidth = 3;
      ctx.strokeStyle = colors.fg;
      ctx.stroke();
    }

    // ---- words
    const hBest = curve[best.centred][0];
    const region = h > hBest ? "truncation (the h² term) dominates" : h < hBest ? "round-off dominates" : "this is the bottom of the V";
    slider.value = String(pos);
    hOut.textContent = sci(h, 2);
    slider.setAttribute("aria-valuetext", `h = ${sci(h, 2)}`);
    status.textContent =
      `h = ${sci(h, 2)}: relative error ${sci(eC)} for the centred difference (${verdict(eC)}), ` +
      `${sci(eF)} for the forward difference (${verdict(eF)}). For the centred difference, ${region}; ` +
      `its smallest error, ${sci(curve[best.centred][1])}, is at h = ${sci(hBest)}, ` +
      `the forward difference's, ${sci(curve[best.forward][2])}, at h = ${sci(curve[best.forward][0])}.`;
    const digits = (v) => (Number.isFinite(v) ? v.toPrecision(10).replace("-", "−") : String(v));
    table.replaceChildren(
      element("caption", { textContent: `The four gradients at h = ${sci(h, 2)}` }),
      element("tr", {}, ["", "backprop", "centred", "forward"].map((t) => element("th", { textContent: t }))),
      ...PARAMS.map((p, i) =>
        element("tr", {}, [`∂L/∂${NAMES[p]}`, digits(exact[i]), digits(centred[i]), digits(forward[i])].map((t) => element("td", { textContent: t }))),
      ),
    );
    model.set("history", { h, centred: eC, forward: eF, exact: exact.slice(), numeric_centred: centred, numeric_forward: forward });
    model.save_changes();
  }

  function update(pos) {
    settings = { ...settings, pos: Math.max(0, Math.min(POSITIONS, pos)) };
    model.set("settings", { ...settings });
    model.save_changes();
    redraw();
  }
  slider.addEventListener("input", () => update(Number(slider.value)));
  const pick = (event) => {
    const box = plot.getBoundingClientRect();
    const u = ((event.clientX - box.left) / box.width) * plot.width;
    const left = 26 * 3.8; // the plot's pad.l and pad.r
    const frac = (u - left) / (plot.width - left - 26 * 1.2);
    update(Math.round(frac * POSITIONS));
  };
  plot.addEventListener("pointerdown", (event) => {
    plot.setPointerCapture?.(event.pointerId);
    pick(event);
  });
  plot.addEventListener("pointermove", (event) => {
    if (event.buttons) pick(event);
  });
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    const sameNet = PARAMS.concat(["x", "y"]).every((k) => next[k] === settings[k]);
    settings = { ...next };
    if (!sameNet) load();
    redraw();
  }
  model.on("change:settings", fromModel);
  const unwatch = draw.watchTheme(() => redraw());
  load();
  redraw();
  return () => {
    model.off("change:settings", fromModel);
    unwatch();
  };
}
