// Chapter 5: the batch size and the noise of the path. Mini-batch SGD on a line fit.
//
// render({model, el, engine, draw}) builds two sliders (the batch size B, every size from
// 1 to n; the learning rate, 301 positions on a log scale), three figures and the status
// line, and returns a clean-up function. The state comes from Python
// (descend.live.explorers_batch.BatchSizeExplorer): `data` (x, y), `orders` (one
// permutation of the examples per epoch, drawn by Python: the engine draws no random
// numbers), `line` (the loss surface: minimum, fmin, Hessian, window) and `settings`
// (batch_size, lr, epochs). Figures: the path over (slope w, intercept b) on the loss's
// contours beside the full-batch path; the loss against the examples seen; the gradient
// estimates of the first epoch's batches at the start (0, 0) with the ellipse of two
// standard deviations (engine.gradientSpread, exact) around the full gradient.

const LR_POSITIONS = 300;
const LR_RANGE = [5e-4, 0.5];
const COLOR = "#d55e00"; // the book's vermillion: the mini-batch path
const FONT = 22; // the canvases' text, in drawing units (600 units wide)

const CSS = `
.dl-batch { font: 14px/1.4 system-ui, sans-serif; max-width: 760px; }
.dl-batch .dl-controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 6px 14px; }
.dl-batch label { display: flex; flex-direction: column; gap: 2px; }
.dl-batch input { font: inherit; min-height: 28px; width: 100%; margin: 0; box-sizing: border-box; }
.dl-batch .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin: 6px 0 4px; }
.dl-batch .dl-figures > div { flex: 1 1 220px; max-width: 300px; }
.dl-batch .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-batch :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const fmt = (v) => (!Number.isFinite(v) ? String(v) : v === 0 ? "0" : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3))));
const LOG = [Math.log10(LR_RANGE[0]), Math.log10(LR_RANGE[1])];
/** The slider's learning rate at position k (descend.live.BatchSizeExplorer.slider_lrs). */
const lrAt = (k) => Number((10 ** (LOG[0] + (k / LR_POSITIONS) * (LOG[1] - LOG[0]))).toPrecision(3));
const positionOf = (lr) => Math.round(((Math.log10(lr) - LOG[0]) / (LOG[1] - LOG[0])) * LR_POSITIONS);

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-batch" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const bSlider = element("input", { type: "range", min: 1, step: 1 });
  const lrSlider = element("input", { type: "range", min: 0, max: LR_POSITIONS, step: 1 });
  const bOut = element("span");
  const lrOut = element("span");
  root.append(
    element("div", { className: "dl-controls" }, [
      element("label", {}, [element("span", { textContent: "batch size B: " }, [bOut]), bSlider]),
      element("label", {}, [element("span", { textContent: "learning rate η: " }, [lrOut]), lrSlider]),
    ]),
  );
  const map = draw.canvas(600, 600, "the loss over slope and intercept, with the paths");
  const curve = draw.canvas(600, 480, "the loss against the examples seen, log scale");
  const cloud = draw.canvas(600, 480, "the gradient estimates of the batches at the start");
  root.append(element("div", { className: "dl-figures" }, [map, curve, cloud].map((c) => element("div", {}, [c]))));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  let data = null; // {X (matrix), y, x, n}
  let line = null;
  let backgrounds = new Map();
  let full = null; // the full-batch run at the current learning rate, and its rate
  let mapLayers = new Map(); // the map's layer that no batch size changes (draw.layer)
  let box = null; // the gradient panel's window: every single example's gradient at the start

  function load() {
    const d = model.get("data");
    data = { x: d.x, y: d.y, n: d.x.length, X: engine.matrix(d.x.length, 1, d.x.slice()) };
    line = model.get("line");
    backgrounds = new Map();
    mapLayers = new Map();
    full = null;
    const { gradients, mean } = engine.gradientSpread(data.x, data.y, [0, 0], 1);
    const gx = gradients.map((g) => g[0]).concat(mean[0]);
    const gy = gradients.map((g) => g[1]).concat(mean[1]);
    const pad = (lo, hi) => [lo - 0.06 * (hi - lo), hi + 0.06 * (hi - lo)];
    box = { x: pad(Math.min(...gx), Math.max(...gx)), y: pad(Math.min(...gy), Math.max(...gy)) };
    bSlider.max = String(data.n);
  }

  function run(batchSize) {
    const net = engine.network({ sizes: [1, 1], activation: [], loss: "mse", params: { W1: [[0]], b1: [0] } });
    const opt = engine.optimizer("sgd", { lr: settings.lr });
    const epochs = Math.min(settings.epochs, model.get("orders").length);
    return engine.minibatchPath(net, opt, { X: data.X, y: data.y }, batchSize, model.get("orders"), epochs);
  }

  const surfaceF = () => {
    const [h11, h12, h22] = line.hessian;
    const [ws, bs] = line.minimum;
    return (w, b) => {
      const [dw, db] = [w - ws, b - bs];
      return line.fmin + 0.5 * (h11 * dw * dw + 2 * h12 * dw * db + h22 * db * db);
    };
  };

  function drawMap(ctx, mini, colors, dark) {
    const { width: w, height: h } = ctx.canvas;
    const clampPx = (v) => Math.max(-1e4, Math.min(1e4, v));
    const X = (x) => clampPx(((x - line.xlim[0]) / (line.xlim[1] - line.xlim[0])) * w);
    const Y = (y) => clampPx(((line.ylim[1] - y) / (line.ylim[1] - line.ylim[0])) * h);
    const trace = (c, points, color, width, dash, r) => {
      c.strokeStyle = color;
      c.fillStyle = color;
      c.lineWidth = width;
      c.setLineDash(dash);
      c.beginPath();
      points.forEach(([x, y], t) => (t ? c.lineTo(X(x), Y(y)) : c.moveTo(X(x), Y(y))));
      c.stroke();
      c.setLineDash([]);
      for (const [x, y] of r ? points : []) c.fillRect(X(x) - r, Y(y) - r, 2 * r, 2 * r);
    };
    const contours = draw.layer(backgrounds, `contours/${dark}`, w, h, (c) => {
      c.imageSmoothingEnabled = true; // scaled to the canvas once
      c.drawImage(draw.contourImage(surfaceF(), { xlim: line.xlim, ylim: line.ylim, fmin: line.fmin, res: 200, bands: 10, dark }), 0, 0, w, h);
    });
    const key = `${dark}/${full.lr}/${full.epochs}`;
    if (!mapLayers.has(key)) mapLayers.clear(); // one kept: the full batch's path changes with the learning rate
    ctx.drawImage(draw.layer(mapLayers, key, w, h, (c) => {
      // the contours and the full batch's path: the same for every batch size
      c.drawImage(contours, 0, 0);
      trace(c, full.path.points, colors.fg, 3, [10, 7], 7);
    }), 0, 0);
    ctx.strokeStyle = COLOR; // the mini-batch path: up to thousands of updates
    ctx.fillStyle = COLOR;
    ctx.lineWidth = mini.points.length > 150 ? 1.5 : 2.5;
    ctx.beginPath();
    draw.tracePath(ctx, mini.points.map(([x, y]) => [X(x), Y(y)]));
    ctx.stroke();
    const [ex, ey] = mini.points[mini.points.length - 1];
    ctx.beginPath();
    ctx.fillStyle = COLOR;
    ctx.arc(X(ex), Y(ey), 8, 0, 2 * Math.PI);
    ctx.fill();
    star(ctx, X(line.minimum[0]), Y(line.minimum[1]), 16, colors);
    ctx.font = `${FONT}px sans-serif`;
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`B = ${settings.batch_size}: ${mini.points.length - 1} updates`, 10, 8);
    ctx.fillText(`dashed: full batch, ${full.path.points.length - 1} updates`, 10, 8 + FONT * 1.2);
    ctx.textBaseline = "bottom";
    ctx.fillText("slope w →", 10, h - 8);
    ctx.save();
    ctx.translate(w - 10, h - 8);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "bottom";
    ctx.fillText("intercept b →", 0, 0);
    ctx.restore();
  }

  function star(ctx, x, y, r, colors) {
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const a = -Math.PI / 2 + (k * Math.PI) / 5;
      const rr = k % 2 ? r * 0.45 : r;
      ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    }
    ctx.closePath();
    ctx.fillStyle = "#f0e442";
    ctx.fill();
    ctx.strokeStyle = colors.bg[0] < 128 ? "#000" : "#222";
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  function drawCurve(ctx, mini, colors) {
    const { width: w, height: h } = ctx.canvas;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    const pad = { l: FONT * 3.2, r: FONT, t: FONT * 2.2, b: FONT * 2.4 };
    const seen = settings.epochs * data.n;
    const [lo, hi] = [-4, 2];
    const gap = (v) => Math.min(hi, Math.max(lo, Math.log10(Math.max(v - line.fmin, 1e-300))));
    const X = (e) => pad.l + (e / seen) * (w - pad.l - pad.r);
    const Y = (v) => h - pad.b - ((gap(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);
    ctx.font = `${FONT}px sans-serif`;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.fg;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let k = lo; k <= hi; k += 2) {
      const v = line.fmin + 10 ** k;
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(v));
      ctx.lineTo(w - pad.r, Y(v));
      ctx.stroke();
      ctx.fillText(k === 0 ? "1" : `1e${k}`, pad.l - FONT * 0.3, Y(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("0", X(0), h - pad.b + FONT * 0.3);
    ctx.fillText(String(seen), X(seen) - FONT, h - pad.b + FONT * 0.3);
    ctx.fillText("examples seen", (pad.l + w - pad.r) / 2, h - pad.b + FONT * 0.3);
    ctx.textAlign = "left";
    ctx.fillText("loss − least-squares loss (log)", FONT * 0.3, FONT * 0.3);
    const series = (losses, batch, color, width, dash) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      losses.forEach((v, t) => {
        const e = Math.min(t * batch, seen); // examples seen after t updates (the last batch may be short)
        if (t) ctx.lineTo(X(e), Y(v));
        else ctx.moveTo(X(e), Y(v));
      });
      ctx.stroke();
      ctx.setLineDash([]);
    };
    const perEpoch = Math.ceil(data.n / settings.batch_size);
    const examples = (t) => Math.floor(t / perEpoch) * data.n + Math.min((t % perEpoch) * settings.batch_size, data.n);
    // x of the mini-batch curve: examples seen, counted epoch by epoch
    ctx.strokeStyle = COLOR;
    ctx.lineWidth = mini.losses.length > 150 ? 1.5 : 2.5;
    ctx.beginPath();
    draw.tracePath(ctx, mini.losses.map((v, t) => [X(t ? examples(t) : 0), Y(v)]));
    ctx.stroke();
    series(full.path.losses, data.n, colors.fg, 3, [10, 7]);
  }

  function drawCloud(ctx, spreadStart, colors) {
    const { width: w, height: h } = ctx.canvas;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    const pad = { l: FONT * 1.2, r: FONT * 0.6, t: FONT * 2.8, b: FONT * 1.6 };
    const X = (v) => pad.l + ((v - box.x[0]) / (box.x[1] - box.x[0])) * (w - pad.l - pad.r);
    const Y = (v) => h - pad.b - ((v - box.y[0]) / (box.y[1] - box.y[0])) * (h - pad.t - pad.b);
    ctx.strokeStyle = colors.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(X(0), pad.t);
    ctx.lineTo(X(0), h - pad.b);
    ctx.moveTo(pad.l, Y(0));
    ctx.lineTo(w - pad.r, Y(0));
    ctx.stroke();
    // the estimates of the first epoch's batches at the start: real draws without replacement
    const B = settings.batch_size;
    const order = B < data.n ? model.get("orders")[0] : null;
    ctx.fillStyle = `rgba(${colors.class0.join(",")}, 0.75)`;
    const { gradients } = spreadStart;
    for (let start = 0; start < data.n; start += B) {
      let [sx, sy, m] = [0, 0, 0];
      for (let i = start; i < Math.min(start + B, data.n); i++) {
        const g = gradients[order ? order[i] : i];
        sx += g[0];
        sy += g[1];
        m += 1;
      }
      ctx.beginPath();
      ctx.arc(X(sx / m), Y(sy / m), 5, 0, 2 * Math.PI);
      ctx.fill();
    }
    // two standard deviations: mean + 2 L (cos t, sin t), L the Cholesky factor of the covariance
    const [[c11, c12], [, c22]] = spreadStart.cov;
    if (c11 > 0) {
      const l11 = Math.sqrt(c11);
      const l21 = c12 / l11;
      const l22 = Math.sqrt(Math.max(c22 - l21 * l21, 0));
      ctx.strokeStyle = COLOR;
      ctx.lineWidth = 3;
      ctx.beginPath();
      for (let k = 0; k <= 72; k++) {
        const a = (k / 72) * 2 * Math.PI;
        const [u, v] = [2 * Math.cos(a), 2 * Math.sin(a)];
        const [px, py] = [X(spreadStart.mean[0] + l11 * u), Y(spreadStart.mean[1] + l21 * u + l22 * v)];
        if (k) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
      }
      ctx.stroke();
    }
    star(ctx, X(spreadStart.mean[0]), Y(spreadStart.mean[1]), 14, colors);
    ctx.font = `${FONT}px sans-serif`;
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`batch gradients at (0, 0): spread ${fmt(spreadStart.spread)}`, FONT * 0.3, FONT * 0.3);
    ctx.textAlign = "right";
    ctx.fillText("ring: 2 std. dev.; ★ full gradient", w - FONT * 0.3, FONT * 1.5);
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText("∂L/∂w →", pad.l, h - 4);
    ctx.save();
    ctx.translate(FONT * 1.0, pad.t);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText("∂L/∂b →", 0, 0);
    ctx.restore();
  }

  function describe(mini, spreadStart, spreadMin) {
    const B = settings.batch_size;
    const seen = settings.epochs * data.n;
    const updates = mini.points.length - 1;
    const end = mini.points[updates];
    const dist = Math.hypot(end[0] - line.minimum[0], end[1] - line.minimum[1]);
    const fEnd = full.path.points[full.path.points.length - 1];
    const fullDist = Math.hypot(fEnd[0] - line.minimum[0], fEnd[1] - line.minimum[1]);
    const passes = `${settings.epochs} pass${settings.epochs > 1 ? "es" : ""}`;
    const fullWord = `${full.path.points.length - 1} update${full.path.points.length === 2 ? "" : "s"}`;
    const path =
      mini.diverged !== null
        ? `the path diverges: the loss overflows at update ${mini.diverged + 1}`
        : `${updates} updates for ${seen} examples (${passes}); the path ends ${fmt(dist)} from the least-squares line, loss ${fmt(mini.losses[updates])} (least squares ${fmt(line.fmin)})` +
          (mini.losses[updates] > mini.losses[0] ? ", higher than at the start: η is too large for this batch size" : "");
    const fullLosses = full.path.losses;
    const fullText =
      full.path.diverged !== null
        ? `the full batch diverges`
        : `the full batch (${fullWord}) ends ${fmt(fullDist)} away` + (fullLosses[fullLosses.length - 1] > fullLosses[0] ? ", its loss growing" : "");
    return {
      text:
        `Batch size B = ${B}, η = ${settings.lr}: ${path}; ${fullText}. ` +
        `Spread of a batch's gradient: ${fmt(spreadStart.spread)} at the start, ${fmt(spreadMin.spread)} at the minimum.`,
      dist: mini.diverged !== null ? null : dist,
    };
  }

  function update() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    if (!full || full.lr !== settings.lr || full.epochs !== settings.epochs) full = { lr: settings.lr, epochs: settings.epochs, path: run(data.n) };
    const mini = run(settings.batch_size);
    const spreadStart = engine.gradientSpread(data.x, data.y, [0, 0], settings.batch_size);
    const spreadMin = engine.gradientSpread(data.x, data.y, line.minimum, settings.batch_size);
    drawMap(map.getContext("2d"), mini, colors, dark);
    drawCurve(curve.getContext("2d"), mini, colors);
    drawCloud(cloud.getContext("2d"), spreadStart, colors);
    const { text, dist } = describe(mini, spreadStart, spreadMin);
    status.textContent = text;
    map.setAttribute("aria-label", text);
    bOut.textContent = String(settings.batch_size);
    lrOut.textContent = String(settings.lr);
    bSlider.value = String(settings.batch_size);
    lrSlider.value = String(positionOf(settings.lr));
    bSlider.setAttribute("aria-valuetext", `${settings.batch_size} of ${data.n} examples`);
    lrSlider.setAttribute("aria-valuetext", String(settings.lr));
    const end = mini.points[mini.points.length - 1];
    model.set("result", {
      batch_size: settings.batch_size,
      lr: settings.lr,
      updates: mini.points.length - 1,
      end: end.slice(),
      distance: dist,
      loss: mini.losses[mini.losses.length - 1],
      diverged: mini.diverged,
      spread: spreadStart.spread,
    });
    model.save_changes();
  }

  function change(next) {
    settings = { ...settings, ...next };
    model.set("settings", { ...settings });
    model.save_changes();
    update();
  }
  bSlider.addEventListener("input", () => change({ batch_size: Number(bSlider.value) }));
  lrSlider.addEventListener("input", () => change({ lr: lrAt(Number(lrSlider.value)) }));
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    settings = { ...next };
    update();
  }
  function fromData() {
    load();
    update();
  }
  model.on("change:settings", fromModel);
  model.on("change:data", fromData);
  model.on("change:line", fromData);
  const unwatch = draw.watchTheme(() => update());
  load();
  update();
  return () => {
    model.off("change:settings", fromModel);
    model.off("change:data", fromData);
    model.off("change:line", fromData);
    unwatch();
  };
}
