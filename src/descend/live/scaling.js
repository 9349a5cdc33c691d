// Chapter 7's feature scaling: two sliders centre and scale the input of the line fit, and
// the loss bowl, the first steps of gradient descent on it and the steps to a tolerance
// follow.
//
// render({model, el, engine, draw}) builds the two sliders (241 positions each), the bowl
// (contours of the loss over (w, b) around its minimum, with the first `shown` steps from
// (0, 0)), the loss gap against the step (log-log; the four corners raw, centred, scaled,
// standardised in grey) and the status line. The state comes from Python
// (descend.live.explorers_regression.FeatureScaling): `data` {x, y} and `settings`. The
// maths is engine.scaledInput, engine.lineFit (descend.surfaces.line_fit),
// engine.minimize and engine.stepsToTolerance, with lr = 1 / lambda_max.

const POSITIONS = 240;
const COLOR = "#d55e00";
const RADIUS = 4; // the bowl's window: the minimum +- 4 in w and b
const CORNERS = [
  ["raw", 0, 0],
  ["centred", 1, 0],
  ["scaled", 0, 1],
  ["standardised", 1, 1],
];

const CSS = `
.dl-scaling { font: 14px/1.4 system-ui, sans-serif; max-width: 720px; }
.dl-scaling .dl-row { display: flex; flex-wrap: wrap; gap: 8px 18px; }
.dl-scaling label { display: flex; flex-direction: column; gap: 2px; flex: 1 1 240px; max-width: 340px; }
.dl-scaling input[type=range] { width: 100%; margin: 0; min-height: 28px; }
.dl-scaling .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin: 8px 0 4px; }
.dl-scaling .dl-figures > div { flex: 1 1 260px; max-width: 330px; }
.dl-scaling .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-scaling :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const g4 = (v) => Number(v.toPrecision(4));
const g3 = (v) => Number(v.toPrecision(3));

export function render({ model, el, engine, draw }) {
  let data = model.get("data");
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-scaling" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));
  const centreSlider = element("input", { type: "range", min: 0, max: POSITIONS, step: 1 });
  const scaleSlider = element("input", { type: "range", min: 0, max: POSITIONS, step: 1 });
  const centreValue = element("span");
  const scaleValue = element("span");
  root.append(
    element("div", { className: "dl-row" }, [
      element("label", {}, [element("span", { textContent: "centre c: " }, [centreValue]), centreSlider]),
      element("label", {}, [element("span", { textContent: "scale s: " }, [scaleValue]), scaleSlider]),
    ]),
  );
  const bowl = draw.canvas(600, 600, "the loss bowl over (w, b) with the first steps of gradient descent");
  const curve = draw.canvas(600, 480, "the loss gap against the step, log-log");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [bowl]), element("div", {}, [curve])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  function compute(centre, scale) {
    const x = engine.scaledInput(data.x, centre, scale);
    const surface = engine.lineFit(x, data.y);
    const { h11, h12, h22 } = surface.hessian;
    const half = (h11 + h22) / 2;
    const root2 = Math.hypot((h11 - h22) / 2, h12);
    const [lamMax, lamMin] = [half + root2, half - root2];
    const lr = 1 / lamMax;
    const walk = engine.minimize(surface, engine.optimizer("sgd", { lr }), [0, 0], settings.shown);
    const tol = engine.stepsToTolerance(surface, lr, [0, 0], settings.tol, settings.max_steps);
    const m = x.reduce((a, v) => a + v, 0) / x.length;
    return { surface, lr, kappa: lamMax / lamMin, walk, tol, coupling: h12, mean: m };
  }
  let corners = [];
  function loadCorners() {
    corners = CORNERS.map(([name, c, s]) => ({ name, ...compute(c, s) }));
  }

  function drawBowl(now, colors, dark) {
    const ctx = bowl.getContext("2d");
    const { width: w, height: h } = bowl;
    const [ws, bs] = now.surface.minimum;
    const xlim = [ws - RADIUS, ws + RADIUS];
    const ylim = [bs - RADIUS, bs + RADIUS];
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(draw.contourImage(now.surface.f, { xlim, ylim, fmin: now.surface.fmin, res: 120, bands: 12, dark }), 0, 0, w, h);
    const clampPx = (v) => Math.max(-1e4, Math.min(1e4, v));
    const X = (v) => clampPx(((v - xlim[0]) / (xlim[1] - xlim[0])) * w);
    const Y = (v) => clampPx(((ylim[1] - v) / (ylim[1] - ylim[0])) * h);
    ctx.strokeStyle = COLOR;
    ctx.fillStyle = COLOR;
    ctx.lineWidth = 3;
    ctx.beginPath();
    now.walk.points.forEach(([a, b], t) => (t ? ctx.lineTo(X(a), Y(b)) : ctx.moveTo(X(a), Y(b))));
    ctx.stroke();
    for (const [a, b] of now.walk.points) {
      ctx.beginPath();
      ctx.arc(X(a), Y(b), 5, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.font = "24px sans-serif";
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`κ = ${g3(now.kappa)}; first ${settings.shown} steps`, 8, 6);
    ctx.textBaseline = "bottom";
    ctx.fillText(`w: ${g3(xlim[0])} to ${g3(xlim[1])} →`, 8, h - 4);
    ctx.save();
    ctx.translate(w - 6, h - 8);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(`b: ${g3(ylim[0])} to ${g3(ylim[1])} →`, 0, 0);
    ctx.restore();
  }

  function drawCurve(now, colors) {
    const ctx = curve.getContext("2d");
    const { width: w, height: h } = curve;
    const font = 22;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    const pad = { l: font * 3.2, r: font * 1.2, t: font * 2.2, b: font * 2.4 };
    const [xlo, xhi] = [0, Math.log10(settings.max_steps)];
    const [ylo, yhi] = [-8, 2];
    const X = (t) => pad.l + ((Math.log10(Math.max(t, 1)) - xlo) / (xhi - xlo)) * (w - pad.l - pad.r);
    const Y = (g) => h - pad.b - ((Math.min(yhi, Math.max(ylo, Math.log10(Math.max(g, 1e-300)))) - ylo) / (yhi - ylo)) * (h - pad.t - pad.b);
    ctx.font = `${font}px sans-serif`;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.fg;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let k = ylo; k <= yhi; k += 2) {
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(10 ** k));
      ctx.lineTo(w - pad.r, Y(10 ** k));
      ctx.stroke();
      ctx.fillText(k === 0 ? "1" : `1e${k}`, pad.l - font * 0.3, Y(10 ** k));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let k = 0; k <= xhi; k++) ctx.fillText(k === 0 ? "1" : `1e${k}`, X(10 ** k), h - pad.b + font * 0.3);
    ctx.fillText("step (log scale)", (pad.l + w - pad.r) / 2, h - pad.b + font * 1.3);
    ctx.textAlign = "left";
    ctx.fillText("L − L* (log scale); tolerance dotted", font * 0.3, font * 0.3);
    ctx.setLineDash([3, 6]);
    ctx.strokeStyle = colors.fg;
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(settings.tol));
    ctx.lineTo(w - pad.r, Y(settings.tol));
    ctx.stroke();
    ctx.setLineDash([]);
    const line = (gaps, color, width) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      draw.tracePath(ctx, gaps.slice(1).map((g, i) => [X(i + 1), Y(g)])); // from step 1: the log axis starts there
      ctx.stroke();
      const t = gaps.length - 1;
      ctx.beginPath();
      ctx.arc(X(Math.max(t, 1)), Y(gaps[t]), width + 2, 0, 2 * Math.PI);
      ctx.fillStyle = color;
      ctx.fill();
    };
    for (const c of corners) line(c.tol.gaps, colors.grid, 2);
    line(now.tol.gaps, COLOR, 3.5);
  }

  function describe(now, centre, scale) {
    const n = now.tol.steps;
    const reach = n === null ? `not within ${settings.max_steps} steps` : `${n} ${n === 1 ? "step" : "steps"}`;
    const corner = CORNERS.find(([, c, s]) => c === centre && s === scale);
    return (
      `Input (x − ${centre.toFixed(3)} x̄) / ${g4(1 + scale * (stdOf() - 1))}${corner ? ` (${corner[0]})` : ""}: ` +
      `condition number κ = ${g4(now.kappa)}, learning rate 1/λmax = ${g4(now.lr)}, ` +
      `${reach} to come within ${settings.tol.toExponential(0)} of the least-squares loss.`
    );
  }
  const stdOf = () => {
    const m = data.x.reduce((a, v) => a + v, 0) / data.x.length;
    return Math.sqrt(data.x.reduce((a, v) => a + (v - m) ** 2, 0) / data.x.length);
  };

  function update() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const { centre, scale } = settings;
    const now = compute(centre, scale);
    drawBowl(now, colors, dark);
    drawCurve(now, colors);
    const text = describe(now, centre, scale);
    status.textContent = text;
    bowl.setAttribute("aria-label", `The loss bowl over (w, b) and the first ${settings.shown} steps. ${text}`);
    centreValue.textContent = centre.toFixed(3);
    scaleValue.textContent = scale.toFixed(3);
    centreSlider.setAttribute("aria-valuetext", centre.toFixed(3));
    scaleSlider.setAttribute("aria-valuetext", scale.toFixed(3));
    model.set("result", { centre, scale, kappa: now.kappa, lr: now.lr, steps: now.tol.steps });
    model.save_changes();
  }

  const onSlider = () => {
    settings = { ...settings, centre: Number(centreSlider.value) / POSITIONS, scale: Number(scaleSlider.value) / POSITIONS };
    update();
  };
  centreSlider.addEventListener("input", onSlider);
  scaleSlider.addEventListener("input", onSlider);
  function fromModel() {
    data = model.get("data");
    settings = { ...model.get("settings") };
    centreSlider.value = String(Math.round(settings.centre * POSITIONS));
    scaleSlider.value = String(Math.round(settings.scale * POSITIONS));
    loadCorners();
    update();
  }
  model.on("change:settings", fromModel);
  model.on("change:data", fromModel);
  const unwatch = draw.watchTheme(() => update());
  fromModel();
  return () => {
    model.off("change:settings", fromModel);
    model.off("change:data", fromModel);
    unwatch();
  };
}
