// Chapter 7's line fitted live: gradient descent on the mean squared error of a line,
// while the reader drags the data points or moves the learning rate.
//
// render({model, el, engine, draw}) builds the learning-rate slider (log scale, 241
// positions), Play/Step/Reset, the point selector, three figures (the data with the current
// line and the least-squares line dashed; the loss bowl over (w, b) with the path; the loss
// against the step) and the status line, and returns a clean-up function. The state comes
// from Python (descend.live.explorers_regression.LineFitExplorer): `data` {x, y} and
// `settings`. The run is engine.fullBatchRun (descend.train.train, full batch, SGD); the
// dashed line is engine.leastSquaresLine (the normal equations).

const POSITIONS = 240;
const COLOR = "#d55e00"; // the book's vermillion: gradient descent's line and path

const CSS = `
.dl-linefit { font: 14px/1.4 system-ui, sans-serif; max-width: 760px; }
.dl-linefit .dl-row { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; }
.dl-linefit label { display: flex; flex-direction: column; gap: 2px; }
.dl-linefit label.dl-lr { flex: 1 1 260px; max-width: 420px; }
.dl-linefit input[type=range] { width: 100%; margin: 0; min-height: 28px; }
.dl-linefit input[type=number] { width: 4.5em; font: inherit; min-height: 28px; }
.dl-linefit button { font: inherit; min-height: 32px; min-width: 56px; padding: 2px 10px; border-radius: 4px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
.dl-linefit .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin: 8px 0 4px; }
.dl-linefit .dl-figures > div { flex: 1 1 220px; }
.dl-linefit .dl-figures > div.dl-main { flex: 1 1 300px; max-width: 360px; }
.dl-linefit .dl-figures > div:not(.dl-main) { max-width: 220px; }
.dl-linefit canvas { touch-action: none; border-radius: 4px; }
.dl-linefit canvas.dl-pick { cursor: grab; }
.dl-linefit .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-linefit .dl-hint { font-size: 12px; opacity: 0.8; margin: 2px 0 0; }
.dl-linefit :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
@media (max-width: 480px) { .dl-linefit .dl-figures > div, .dl-linefit .dl-figures > div.dl-main { flex-basis: 100%; max-width: 100%; } }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const g4 = (v) => Number(v.toPrecision(4));
const num = (v) => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(3) : String(g4(v)));
const snap = (v) => Math.round(v * 100) / 100;

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  let original = model.get("data");
  let xs = original.x.slice();
  let ys = original.y.slice();
  let lr = settings.lr;
  let steps = settings.steps;
  let selected = 0;
  let playing = false;
  let frame = null;

  const root = element("div", { className: "dl-linefit" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const lrOf = (k) => g4(settings.lr_min * (settings.lr_max / settings.lr_min) ** (Number(k) / POSITIONS));
  const slider = element("input", { type: "range", min: 0, max: POSITIONS, step: 1 });
  const lrValue = element("span");
  const play = element("button", { type: "button", textContent: "Play" });
  const stepButton = element("button", { type: "button", textContent: "Step" });
  const reset = element("button", { type: "button", textContent: "Reset" });
  const restore = element("button", { type: "button", textContent: "Restore points" });
  const pointInput = element("input", { type: "number", min: 1, step: 1 });
  root.append(
    element("div", { className: "dl-row" }, [
      element("label", { className: "dl-lr" }, [element("span", { textContent: "learning rate η: " }, [lrValue]), slider]),
      play,
      stepButton,
      reset,
    ]),
    element("div", { className: "dl-row" }, [element("label", {}, [element("span", { textContent: "point" }), pointInput]), restore]),
    element("p", {
      className: "dl-hint",
      textContent: "Drag a point on the data plot, or choose its number and move it with the arrow keys on the plot (Shift: 10 times further).",
    }),
  );
  const plot = draw.canvas(600, 480, "the data points with the current line and the least-squares line");
  plot.classList.add("dl-pick");
  plot.tabIndex = 0;
  const bowl = draw.canvas(440, 440, "the loss bowl over slope w and intercept b, with the path of gradient descent");
  const curve = draw.canvas(440, 360, "the loss against the step, log scale");
  root.append(
    element("div", { className: "dl-figures" }, [
      element("div", { className: "dl-main" }, [plot]),
      element("div", {}, [bowl]),
      element("div", {}, [curve]),
    ]),
  );
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  // ---- the maths: the least-squares line, the bowl and the run for the current points
  let fit = null; // engine.lineFit of the current points (null: every x equal)
  let run = null; // engine.fullBatchRun, extended to `steps`
  let bowlImage = new Map();
  function refit() {
    try {
      fit = engine.lineFit(xs, ys);
    } catch {
      fit = null;
    }
    bowlImage = new Map();
    restart();
  }
  function restart() {
    run = engine.fullBatchRun({
      sizes: [1, 1],
      loss: "mse",
      params: { W1: [[settings.start[0]]], b1: [settings.start[1]] },
      X: xs.map((v) => [v]),
      y: ys,
      lr,
    });
  }
  const lambdaMax = () => {
    const { h11, h12, h22 } = fit.hessian;
    return (h11 + h22) / 2 + Math.hypot((h11 - h22) / 2, h12);
  };

  // the bowl's window: the settings' one, widened to hold the start and the minimum
  function bowlBox() {
    let [w0, w1] = settings.wlim;
    let [b0, b1] = settings.blim;
    const pts = [settings.start, ...(fit ? [fit.minimum] : [])];
    for (const [w, b] of pts) {
      const [mw, mb] = [0.1 * (w1 - w0), 0.1 * (b1 - b0)];
      [w0, w1, b0, b1] = [Math.min(w0, w - mw), Math.max(w1, w + mw), Math.min(b0, b - mb), Math.max(b1, b + mb)];
    }
    return { w0, w1, b0, b1 };
  }

  // ---- drawing
  function drawPlot(colors, shown) {
    const ctx = plot.getContext("2d");
    const { width: w, height: h } = plot;
    const [x0, x1] = settings.xlim;
    const [y0, y1] = settings.ylim;
    const X = (x) => ((x - x0) / (x1 - x0)) * w;
    const Y = (y) => ((y1 - y) / (y1 - y0)) * h;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.font = "22px sans-serif";
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let x = Math.ceil(x0); x <= x1; x++) {
      ctx.beginPath();
      ctx.moveTo(X(x), 0);
      ctx.lineTo(X(x), h);
      ctx.stroke();
      if (x !== 0 && x > x0 + 0.3 && x < x1 - 0.3) ctx.fillText(String(x), X(x), Y(0) + 4);
    }
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (let y = Math.ceil(y0 / 2) * 2; y <= y1; y += 2) {
      ctx.beginPath();
      ctx.moveTo(0, Y(y));
      ctx.lineTo(w, Y(y));
      ctx.stroke();
      if (y !== 0 && y > y0 + 0.5 && y < y1 - 0.5) ctx.fillText(String(y), X(0) + 5, Y(y));
    }
    ctx.strokeStyle = colors.fg;
    ctx.beginPath();
    ctx.moveTo(X(0), 0);
    ctx.lineTo(X(0), h);
    ctx.moveTo(0, Y(0));
    ctx.lineTo(w, Y(0));
    ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillText("x", w - 6, Y(0) - 14);
    ctx.textAlign = "left";
    ctx.fillText("y", X(0) + 8, 14);
    const line = (wl, bl) => {
      ctx.beginPath();
      ctx.moveTo(X(x0), Y(wl * x0 + bl));
      ctx.lineTo(X(x1), Y(wl * x1 + bl));
      ctx.stroke();
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, w, h);
    ctx.clip();
    if (fit) {
      ctx.setLineDash([12, 8]);
      ctx.strokeStyle = colors.fg;
      ctx.lineWidth = 2;
      line(...fit.minimum);
      ctx.setLineDash([]);
    }
    if (shown) {
      ctx.strokeStyle = COLOR;
      ctx.lineWidth = 4;
      line(shown.w, shown.b);
    }
    ctx.restore();
    const dot = `rgb(${colors.class0.join(",")})`;
    for (let i = 0; i < xs.length; i++) {
      ctx.beginPath();
      ctx.arc(X(xs[i]), Y(ys[i]), 7, 0, 2 * Math.PI);
      ctx.fillStyle = dot;
      ctx.fill();
    }
    ctx.beginPath();
    ctx.arc(X(xs[selected]), Y(ys[selected]), 13, 0, 2 * Math.PI);
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 3;
    ctx.stroke();
    // legend
    ctx.fillStyle = `rgba(${colors.bg.join(",")}, 0.85)`;
    ctx.fillRect(6, 6, 250, 66);
    ctx.lineWidth = 4;
    ctx.strokeStyle = COLOR;
    ctx.beginPath();
    ctx.moveTo(14, 24);
    ctx.lineTo(54, 24);
    ctx.stroke();
    ctx.setLineDash([12, 8]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = colors.fg;
    ctx.beginPath();
    ctx.moveTo(14, 54);
    ctx.lineTo(54, 54);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.fillText(`step ${shown ? shown.step : 0}`, 62, 24);
    ctx.fillText("least squares", 62, 54);
  }

  function drawBowl(colors, dark, shown) {
    const ctx = bowl.getContext("2d");
    const { width: w, height: h } = bowl;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    if (!fit) return;
    const box = bowlBox();
    const key = `${dark}`;
    if (!bowlImage.has(key)) {
      bowlImage.set(key, draw.contourImage(fit.f, { xlim: [box.w0, box.w1], ylim: [box.b0, box.b1], fmin: fit.fmin, res: 110, bands: 12, dark }));
    }
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(bowlImage.get(key), 0, 0, w, h);
    const clampPx = (v) => Math.max(-1e4, Math.min(1e4, v));
    const X = (v) => clampPx(((v - box.w0) / (box.w1 - box.w0)) * w);
    const Y = (v) => clampPx(((box.b1 - v) / (box.b1 - box.b0)) * h);
    const pts = run.params.slice(0, (shown ? shown.step : 0) + 1).map((p) => [p.W1[0][0], p.b1[0]]);
    ctx.strokeStyle = COLOR;
    ctx.fillStyle = COLOR;
    ctx.lineWidth = 3;
    ctx.beginPath();
    pts.forEach(([a, b], t) => (t ? ctx.lineTo(X(a), Y(b)) : ctx.moveTo(X(a), Y(b))));
    ctx.stroke();
    for (const [a, b] of pts.slice(-200)) {
      ctx.beginPath();
      ctx.arc(X(a), Y(b), 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    // the least-squares point: a star
    const [sw, sb] = fit.minimum;
    ctx.fillStyle = colors.fg;
    ctx.beginPath();
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 5 : 12;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      ctx.lineTo(X(sw) + r * Math.cos(a), Y(sb) + r * Math.sin(a));
    }
    ctx.closePath();
    ctx.fill();
    ctx.font = "22px sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText("loss over (w, b)", 8, 6);
    ctx.textBaseline = "bottom";
    ctx.fillText(`w: ${g4(box.w0)} to ${g4(box.w1)} →`, 8, h - 4);
    ctx.save();
    ctx.translate(w - 6, h - 8);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(`b: ${g4(box.b0)} to ${g4(box.b1)} →`, 0, 0);
    ctx.restore();
  }

  function shownState() {
    run.extend(steps);
    const last = run.losses.length - 1;
    const k = Math.min(steps, last);
    const p = run.params[k];
    return { step: k, w: p.W1[0][0], b: p.b1[0], loss: run.losses[k] };
  }

  function describe(shown) {
    const parts = [];
    if (run.diverged !== null) {
      parts.push(
        `Step ${steps}, learning rate ${lr}: the run diverged at step ${run.diverged.step} ` +
          `(the loss overflowed).`,
      );
    } else {
      parts.push(`Step ${shown.step}, learning rate ${lr}: loss ${num(shown.loss)}, w = ${num(shown.w)}, b = ${num(shown.b)}.`);
    }
    if (fit) {
      parts.push(
        `Least squares: w* = ${num(fit.minimum[0])}, b* = ${num(fit.minimum[1])}, loss ${num(fit.fmin)}; ` +
          `gradient descent is stable for η < 2/λmax = ${g4(2 / lambdaMax())}.`,
      );
    }
    else parts.push("Every point has the same x: no single line fits best; move a point sideways.");
    parts.push(`Point ${selected + 1} at (${xs[selected]}, ${ys[selected]}).`);
    return parts.join(" ");
  }

  function update() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const shown = shownState();
    drawPlot(colors, run.diverged !== null && shown.step < steps ? null : shown);
    drawBowl(colors, dark, shown);
    draw.lossVsStep(curve.getContext("2d"), {
      values: run.losses.slice(0, shown.step + 1),
      floor: fit ? fit.fmin : null,
      title: `loss (log scale): ${num(shown.loss)}`,
      color: COLOR,
      colors,
    });
    const text = describe(shown);
    status.textContent = text;
    plot.setAttribute("aria-label", `The data points and the line of step ${shown.step}, with the least-squares line dashed. ${text}`);
    lrValue.textContent = String(lr);
    slider.setAttribute("aria-valuetext", String(lr));
    pointInput.value = String(selected + 1);
    model.set("result", {
      data: { x: xs.slice(), y: ys.slice() },
      lr,
      steps,
      w: shown.w,
      b: shown.b,
      loss: shown.loss,
      losses: run.losses.slice(0, shown.step + 1),
      w_star: fit ? fit.minimum[0] : null,
      b_star: fit ? fit.minimum[1] : null,
      loss_star: fit ? fit.fmin : null,
      diverged: run.diverged === null ? null : run.diverged.step,
    });
    model.save_changes();
  }

  // ---- controls
  function stop() {
    playing = false;
    play.textContent = "Play";
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
  }
  function tick() {
    const done = steps >= settings.max_steps || run.diverged !== null;
    if (!playing || done) return stop();
    steps = Math.min(settings.max_steps, steps + Math.max(1, Math.floor(steps / 30)));
    update();
    frame = requestAnimationFrame(tick);
  }
  play.addEventListener("click", () => {
    if (playing) return stop();
    if (steps >= settings.max_steps || run.diverged !== null) steps = 0;
    playing = true;
    play.textContent = "Pause";
    frame = requestAnimationFrame(tick);
  });
  stepButton.addEventListener("click", () => {
    stop();
    steps = Math.min(settings.max_steps, steps + 1);
    update();
  });
  reset.addEventListener("click", () => {
    stop();
    steps = 0;
    update();
  });
  restore.addEventListener("click", () => {
    xs = original.x.slice();
    ys = original.y.slice();
    refit();
    update();
  });
  slider.addEventListener("input", () => {
    lr = lrOf(slider.value);
    restart();
    update();
  });
  pointInput.addEventListener("input", () => {
    const i = Math.round(Number(pointInput.value)) - 1;
    if (i >= 0 && i < xs.length) {
      selected = i;
      update();
    }
  });

  function movePoint(i, x, y) {
    const [x0, x1] = settings.xlim;
    const [y0, y1] = settings.ylim;
    const nx = snap(Math.min(x1, Math.max(x0, x)));
    const ny = snap(Math.min(y1, Math.max(y0, y)));
    if (nx === xs[i] && ny === ys[i]) return;
    xs[i] = nx;
    ys[i] = ny;
    refit();
    update();
  }
  const toData = (event) => {
    const r = plot.getBoundingClientRect();
    const [x0, x1] = settings.xlim;
    const [y0, y1] = settings.ylim;
    return [x0 + ((event.clientX - r.left) / r.width) * (x1 - x0), y1 - ((event.clientY - r.top) / r.height) * (y1 - y0)];
  };
  let dragging = false;
  plot.addEventListener("pointerdown", (event) => {
    const r = plot.getBoundingClientRect();
    const [x0, x1] = settings.xlim;
    const [y0, y1] = settings.ylim;
    let best = -1;
    let bestD = (Math.max(18, r.width * 0.05)) ** 2; // pick within 18 CSS px (or 5% of the width)
    for (let i = 0; i < xs.length; i++) {
      const px = r.left + ((xs[i] - x0) / (x1 - x0)) * r.width;
      const py = r.top + ((y1 - ys[i]) / (y1 - y0)) * r.height;
      const d = (px - event.clientX) ** 2 + (py - event.clientY) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    plot.focus();
    if (best < 0) return;
    event.preventDefault();
    selected = best;
    dragging = true;
    plot.setPointerCapture?.(event.pointerId);
    update();
  });
  plot.addEventListener("pointermove", (event) => {
    if (dragging) movePoint(selected, ...toData(event));
  });
  plot.addEventListener("pointerup", () => (dragging = false));
  plot.addEventListener("pointercancel", () => (dragging = false));
  plot.addEventListener("keydown", (event) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
    if (!d) return;
    event.preventDefault();
    const k = event.shiftKey ? 0.5 : 0.05;
    movePoint(selected, xs[selected] + d[0] * k, ys[selected] + d[1] * k);
  });

  function fromModel() {
    stop();
    settings = { ...model.get("settings") };
    original = model.get("data");
    xs = original.x.slice();
    ys = original.y.slice();
    lr = settings.lr;
    steps = settings.steps;
    selected = Math.min(selected, xs.length - 1);
    pointInput.max = String(xs.length);
    slider.value = String(Math.round((POSITIONS * Math.log(lr / settings.lr_min)) / Math.log(settings.lr_max / settings.lr_min)));
    refit();
    update();
  }
  model.on("change:settings", fromModel);
  model.on("change:data", fromModel);
  const unwatch = draw.watchTheme(() => update());
  fromModel();
  return () => {
    stop();
    model.off("change:settings", fromModel);
    model.off("change:data", fromModel);
    unwatch();
  };
}
