// Chapter 8's logistic regression trained live: full-batch gradient descent on the
// cross-entropy while the reader drags points, flips their class or moves the learning rate.
//
// render({model, el, engine, draw}) builds the learning-rate slider (log scale, 241
// positions), Play/Step/Reset, the point selector with a "flip class" button, two figures
// (the points with the decision boundary and the predicted probability as shading; the
// loss against the step) and the status line, and returns a clean-up function. The state
// comes from Python (descend.live.explorers_regression.LogisticFitExplorer): `data` {X, y}
// and `settings`. The run is engine.fullBatchRun (descend.train.train, full batch, SGD) of
// a network [2, 1] with the binary cross-entropy: logistic regression.

const POSITIONS = 240;
const RES = 64; // the probability map's grid

const CSS = `
.dl-logfit { font: 14px/1.4 system-ui, sans-serif; max-width: 760px; }
.dl-logfit .dl-row { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; }
.dl-logfit label { display: flex; flex-direction: column; gap: 2px; }
.dl-logfit label.dl-lr { flex: 1 1 260px; max-width: 420px; }
.dl-logfit input[type=range] { width: 100%; margin: 0; min-height: 28px; }
.dl-logfit input[type=number] { width: 4.5em; font: inherit; min-height: 28px; }
.dl-logfit button { font: inherit; min-height: 32px; min-width: 56px; padding: 2px 10px; border-radius: 4px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
.dl-logfit .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin: 8px 0 4px; }
.dl-logfit .dl-figures > div { flex: 1 1 300px; max-width: 360px; }
.dl-logfit canvas { touch-action: none; border-radius: 4px; }
.dl-logfit canvas.dl-pick { cursor: grab; }
.dl-logfit .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-logfit .dl-hint { font-size: 12px; opacity: 0.8; margin: 2px 0 0; }
.dl-logfit :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
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
  let X = original.X.map((p) => p.slice());
  let y = original.y.slice();
  let lr = settings.lr;
  let steps = settings.steps;
  let selected = 0;
  let playing = false;
  let frame = null;

  const root = element("div", { className: "dl-logfit" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const lrOf = (k) => g4(settings.lr_min * (settings.lr_max / settings.lr_min) ** (Number(k) / POSITIONS));
  const slider = element("input", { type: "range", min: 0, max: POSITIONS, step: 1 });
  const lrValue = element("span");
  const play = element("button", { type: "button", textContent: "Play" });
  const stepButton = element("button", { type: "button", textContent: "Step" });
  const reset = element("button", { type: "button", textContent: "Reset" });
  const flip = element("button", { type: "button", textContent: "Flip class" });
  const restore = element("button", { type: "button", textContent: "Restore points" });
  const pointInput = element("input", { type: "number", min: 1, step: 1 });
  root.append(
    element("div", { className: "dl-row" }, [
      element("label", { className: "dl-lr" }, [element("span", { textContent: "learning rate η: " }, [lrValue]), slider]),
      play,
      stepButton,
      reset,
    ]),
    element("div", { className: "dl-row" }, [element("label", {}, [element("span", { textContent: "point" }), pointInput]), flip, restore]),
    element("p", {
      className: "dl-hint",
      textContent:
        "Drag a point; Shift+click (or the button, or the C key on the plot) flips its class. Keyboard: choose its number, then the arrow keys on the plot (Shift: 10 times further).",
    }),
  );
  const plot = draw.canvas(600, 600, "the two classes with the decision boundary and the predicted probability");
  plot.classList.add("dl-pick");
  plot.tabIndex = 0;
  const curve = draw.canvas(600, 480, "the loss against the step, log scale");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [plot]), element("div", {}, [curve])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  let run = null;
  function restart() {
    run = engine.fullBatchRun({
      sizes: [2, 1],
      loss: "binary_cross_entropy",
      params: { W1: [[settings.start.w[0]], [settings.start.w[1]]], b1: [settings.start.b] },
      X,
      y,
      lr,
    });
  }
  const box = () => ({ x0: settings.lim[0], x1: settings.lim[1], y0: settings.lim[0], y1: settings.lim[1] });

  function shownState() {
    run.extend(steps);
    const k = Math.min(steps, run.losses.length - 1);
    const p = run.params[k];
    const w = [p.W1[0][0], p.W1[1][0]];
    const b = p.b1[0];
    let right = 0;
    for (let i = 0; i < y.length; i++) right += (w[0] * X[i][0] + w[1] * X[i][1] + b >= 0 ? 1 : 0) === y[i] ? 1 : 0;
    return { step: k, w, b, loss: run.losses[k], right };
  }

  function drawPlot(colors, shown) {
    const ctx = plot.getContext("2d");
    const { width: wpx, height: hpx } = plot;
    const B = box();
    const grid = draw.gridPoints(B, RES);
    const proba = grid.map(([a, c]) => engine.sigmoid(shown.w[0] * a + shown.w[1] * c + shown.b));
    draw.boundary(ctx, { proba, res: RES, box: B, train: { X, y }, val: { X: [], y: [] }, colors });
    const px = (a) => ((a - B.x0) / (B.x1 - B.x0)) * wpx;
    const py = (c) => ((B.y1 - c) / (B.y1 - B.y0)) * hpx;
    // the boundary w1 x1 + w2 x2 + b = 0, clipped to the window
    const [w1, w2] = shown.w;
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 4;
    ctx.beginPath();
    if (Math.abs(w2) >= Math.abs(w1) && w2 !== 0) {
      ctx.moveTo(px(B.x0), py(-(w1 * B.x0 + shown.b) / w2));
      ctx.lineTo(px(B.x1), py(-(w1 * B.x1 + shown.b) / w2));
    } else if (w1 !== 0) {
      ctx.moveTo(px(-(w2 * B.y0 + shown.b) / w1), py(B.y0));
      ctx.lineTo(px(-(w2 * B.y1 + shown.b) / w1), py(B.y1));
    }
    ctx.stroke();
    // w, drawn from the window's centre: it points towards class 1
    const cx = (B.x0 + B.x1) / 2;
    const cy = (B.y0 + B.y1) / 2;
    const norm = Math.hypot(w1, w2);
    if (norm > 0) {
      const len = 0.12 * (B.x1 - B.x0);
      const [ex, ey] = [cx + (len * w1) / norm, cy + (len * w2) / norm];
      const [qx, qy] = [cx - (w1 * (w1 * cx + w2 * cy + shown.b)) / norm ** 2, cy - (w2 * (w1 * cx + w2 * cy + shown.b)) / norm ** 2];
      const [sx, sy] = [qx, qy];
      const [tx, ty] = [sx + ex - cx, sy + ey - cy];
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(px(sx), py(sy));
      ctx.lineTo(px(tx), py(ty));
      ctx.stroke();
      const ang = Math.atan2(py(ty) - py(sy), px(tx) - px(sx));
      ctx.beginPath();
      ctx.moveTo(px(tx), py(ty));
      ctx.lineTo(px(tx) - 16 * Math.cos(ang - 0.4), py(ty) - 16 * Math.sin(ang - 0.4));
      ctx.lineTo(px(tx) - 16 * Math.cos(ang + 0.4), py(ty) - 16 * Math.sin(ang + 0.4));
      ctx.closePath();
      ctx.fillStyle = colors.fg;
      ctx.fill();
      ctx.font = "22px sans-serif";
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      if (tx > B.x0 && tx < B.x1 && ty > B.y0 && ty < B.y1) ctx.fillText("w", px(tx) + 8, py(ty));
    }
    ctx.beginPath();
    ctx.arc(px(X[selected][0]), py(X[selected][1]), 14, 0, 2 * Math.PI);
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.font = "22px sans-serif";
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`step ${shown.step}: p(class 1) shaded`, 8, 6);
    ctx.textBaseline = "bottom";
    ctx.fillText(`x1, x2: ${settings.lim[0]} to ${settings.lim[1]}`, 8, hpx - 4);
  }

  function describe(shown) {
    const n = y.length;
    const parts = [];
    if (run.diverged !== null) {
      parts.push(`Step ${steps}, learning rate ${lr}: the run diverged at step ${run.diverged.step}; showing step ${shown.step}.`);
    }
    const [w1, w2] = shown.w;
    const sign = (v) => (v < 0 ? `− ${num(-v)}` : `+ ${num(v)}`);
    parts.push(
      `Step ${shown.step}, learning rate ${lr}: loss ${num(shown.loss)}, ${shown.right} of ${n} points on their class's side; ` +
        `boundary ${num(w1)} x1 ${sign(w2)} x2 ${sign(shown.b)} = 0, |w| = ${num(Math.hypot(w1, w2))}.`,
    );
    parts.push(`Point ${selected + 1} (class ${y[selected]}) at (${X[selected][0]}, ${X[selected][1]}).`);
    return parts.join(" ");
  }

  function update() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const shown = shownState();
    drawPlot(colors, shown);
    draw.lossVsStep(curve.getContext("2d"), {
      values: run.losses.slice(0, shown.step + 1),
      title: `cross-entropy (log scale): ${num(shown.loss)}`,
      color: colors.train,
      colors,
    });
    const text = describe(shown);
    status.textContent = text;
    plot.setAttribute("aria-label", `The two classes, the decision boundary and the predicted probability. ${text}`);
    lrValue.textContent = String(lr);
    slider.setAttribute("aria-valuetext", String(lr));
    pointInput.value = String(selected + 1);
    model.set("result", {
      data: { X: X.map((p) => p.slice()), y: y.slice() },
      lr,
      steps,
      w: shown.w,
      b: shown.b,
      loss: shown.loss,
      losses: run.losses.slice(0, shown.step + 1),
      accuracy: shown.right / y.length,
      diverged: run.diverged === null ? null : run.diverged.step,
    });
    model.save_changes();
  }

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
  function flipSelected() {
    y[selected] = 1 - y[selected];
    restart();
    update();
  }
  flip.addEventListener("click", flipSelected);
  restore.addEventListener("click", () => {
    X = original.X.map((p) => p.slice());
    y = original.y.slice();
    restart();
    update();
  });
  slider.addEventListener("input", () => {
    lr = lrOf(slider.value);
    restart();
    update();
  });
  pointInput.addEventListener("input", () => {
    const i = Math.round(Number(pointInput.value)) - 1;
    if (i >= 0 && i < y.length) {
      selected = i;
      update();
    }
  });

  function movePoint(i, a, c) {
    const [lo, hi] = settings.lim;
    const na = snap(Math.min(hi, Math.max(lo, a)));
    const nc = snap(Math.min(hi, Math.max(lo, c)));
    if (na === X[i][0] && nc === X[i][1]) return;
    X[i] = [na, nc];
    restart();
    update();
  }
  const toData = (event) => {
    const r = plot.getBoundingClientRect();
    const B = box();
    return [B.x0 + ((event.clientX - r.left) / r.width) * (B.x1 - B.x0), B.y1 - ((event.clientY - r.top) / r.height) * (B.y1 - B.y0)];
  };
  let dragging = false;
  plot.addEventListener("pointerdown", (event) => {
    const r = plot.getBoundingClientRect();
    const B = box();
    let best = -1;
    let bestD = Math.max(14, r.width * 0.035) ** 2; // within 14 CSS px (or 3.5% of the width)
    for (let i = 0; i < y.length; i++) {
      const qx = r.left + ((X[i][0] - B.x0) / (B.x1 - B.x0)) * r.width;
      const qy = r.top + ((B.y1 - X[i][1]) / (B.y1 - B.y0)) * r.height;
      const d = (qx - event.clientX) ** 2 + (qy - event.clientY) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    plot.focus();
    if (best < 0) return;
    event.preventDefault();
    selected = best;
    if (event.shiftKey) return flipSelected();
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
    if (event.key === "c" || event.key === "C") {
      event.preventDefault();
      return flipSelected();
    }
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[event.key];
    if (!d) return;
    event.preventDefault();
    const k = event.shiftKey ? 0.5 : 0.05;
    movePoint(selected, X[selected][0] + d[0] * k, X[selected][1] + d[1] * k);
  });

  function fromModel() {
    stop();
    settings = { ...model.get("settings") };
    original = model.get("data");
    X = original.X.map((p) => p.slice());
    y = original.y.slice();
    lr = settings.lr;
    steps = settings.steps;
    selected = Math.min(selected, y.length - 1);
    pointInput.max = String(y.length);
    slider.value = String(Math.round((POSITIONS * Math.log(lr / settings.lr_min)) / Math.log(settings.lr_max / settings.lr_min)));
    restart();
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
