// Chapter 6: the running example trained live, epoch by epoch: Play, Pause, Step, Reset
// and an epoch slider; the decision boundary and both loss curves drawn as it goes.
//
// render({model, el, engine, draw}): state from Python (descend.live.TrainingExplorer):
// `data` (training and validation points, full precision), `network` (sizes, activations,
// loss and the initial weights), `orders` (every epoch's batch order, base64) and
// `settings` ({optimizer, lr, batch_size, epoch, epochs}). Training is engine.trainEpoch
// with Python's batch orders, so the run is descend.train.train's with the same rng,
// epoch by epoch. Every epoch's parameters are kept, so the slider moves back for free;
// changing the learning rate or the batch size starts the run again from the same
// weights. What the reader sees is written back as `history`.

const LR_RANGE = [1e-4, 1]; // descend.live.explorers_iterate.TRAIN_LR_RANGE
const LR_POSITIONS = 300;
const BATCH_SIZES = { 1: "1", 8: "8", 16: "16", 32: "32", 64: "64", 0: "all (full batch)" };
const OPTIMIZERS = { adam: "Adam", sgd: "SGD" };
const GRID = 56; // the probability map's resolution
const FRAME_BUDGET_MS = 30; // training per redraw when the slider jumps ahead
const CSS = `
.dl-training { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-training .dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 6px 14px; }
.dl-training label { display: flex; flex-direction: column; gap: 2px; }
.dl-training select, .dl-training input, .dl-training button { font: inherit; min-height: 32px; }
.dl-training .dl-buttons { display: flex; gap: 8px; margin: 10px 0; flex-wrap: wrap; align-items: center; }
.dl-training .dl-buttons button { padding: 2px 14px; border-radius: 6px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
.dl-training .dl-buttons button[aria-pressed="true"] { font-weight: 600; }
.dl-training .dl-epoch { flex: 1 1 220px; display: flex; flex-direction: column; gap: 2px; }
.dl-training .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.dl-training .dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-training canvas { border-radius: 4px; }
.dl-training .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-training :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function select(options, value) {
  const s = element("select");
  for (const [v, text] of Object.entries(options)) s.append(element("option", { value: v, textContent: text }));
  s.value = String(value);
  return s;
}

/** Every epoch's batch order from Python's base64 (little-endian uint8 or uint16 indices).
 *  // mirrors descend.live.explorers_iterate.decode_orders */
export function decodeOrders({ n, epochs, bytes, data }) {
  const raw = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
  const orders = [];
  for (let e = 0; e < epochs; e++) {
    const order = new Array(n);
    for (let i = 0; i < n; i++) {
      const at = (e * n + i) * bytes;
      order[i] = bytes === 1 ? raw[at] : raw[at] | (raw[at + 1] << 8);
    }
    orders.push(order);
  }
  return orders;
}

/** The learning rate at a log-scale slider position.  // mirrors descend.live.explorers_iterate.slider_lr */
export function sliderLr(k, [lo, hi] = LR_RANGE, positions = LR_POSITIONS) {
  return Number((lo * (hi / lo) ** (k / positions)).toPrecision(3));
}

function copyParams(params) {
  const out = {};
  for (const [k, p] of Object.entries(params)) out[k] = p.data ? { rows: p.rows, cols: p.cols, data: p.data.slice() } : p.slice();
  return out;
}

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-training" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const c = {
    optimizer: select(OPTIMIZERS, settings.optimizer),
    lr: element("input", { type: "range", min: 0, max: LR_POSITIONS, step: 1 }),
    batch_size: select(BATCH_SIZES, settings.batch_size),
    epoch: element("input", { type: "range", min: 0, max: settings.epochs, step: 1 }),
  };
  const out = { lr: element("span"), epoch: element("span") };
  const lab = (text, control, o, cls) => element("label", cls ? { className: cls } : {}, [element("span", { textContent: text }, o ? [" ", o] : []), control]);
  root.append(
    element("div", { className: "dl-controls" }, [
      lab("optimizer", c.optimizer),
      lab("learning rate:", c.lr, out.lr),
      lab("batch size", c.batch_size),
    ]),
  );
  const buttons = {
    play: element("button", { type: "button", textContent: "Play" }),
    step: element("button", { type: "button", textContent: "Step (one epoch)" }),
    reset: element("button", { type: "button", textContent: "Reset (epoch 0)" }),
  };
  buttons.play.setAttribute("aria-pressed", "false");
  root.append(element("div", { className: "dl-buttons" }, [...Object.values(buttons), lab("epoch:", c.epoch, out.epoch, "dl-epoch")]));
  const map = draw.canvas(600, 600, "decision boundary");
  const curves = draw.canvas(600, 420, "training and validation loss per epoch");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [curves])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  // ---- the data, the start and the batch orders: from Python, once
  let raw = null;
  let data = null;
  let orders = null;
  let box = null;
  let grid = null;
  function load() {
    raw = model.get("data");
    data = { X: engine.fromRows(raw.X), y: raw.y, X_val: engine.fromRows(raw.X_val), y_val: raw.y_val };
    orders = decodeOrders(model.get("orders"));
    box = draw.extent([...raw.X, ...raw.X_val], 0.1);
    grid = engine.fromRows(draw.gridPoints(box, GRID));
  }

  // ---- the run: every epoch's parameters, losses and accuracy, trained on demand
  let run = null;
  function restart() {
    const spec = model.get("network");
    const net = engine.network(spec);
    const hyper = { lr: Number(settings.lr) };
    run = {
      net,
      spec,
      opt: engine.optimizer(settings.optimizer, hyper),
      h: engine.history(net, data),
      batch: Number(settings.batch_size) || data.X.rows,
      snapshots: [copyParams(net.params)],
      accuracy: [engine.accuracy(net, data.X_val, data.y_val)],
      diverged: null,
    };
  }
  /** Train towards epoch `e` for at most `budget` ms (or until the run diverged); the
   *  epoch reached. (All 270 epochs of the chapter's run take about 0.3 s, with batches
   *  of 1 about 1 s: a far epoch is reached over several animation frames.) */
  function reach(e, budget) {
    const { net, opt, h, batch } = run;
    const t0 = performance.now();
    while (run.diverged === null && h.epochs_run < e && performance.now() - t0 < budget) {
      const order = batch < data.X.rows ? orders[h.epochs_run] : null;
      try {
        engine.trainEpoch(net, opt, data, batch, order, h);
      } catch (err) {
        if (!(err instanceof engine.DivergenceError)) throw err;
        run.diverged = { epoch: h.epochs_run + 1, message: err.message };
        break;
      }
      run.snapshots.push(copyParams(net.params));
      run.accuracy.push(engine.accuracy(net, data.X_val, data.y_val));
    }
    return Math.min(e, h.epochs_run);
  }

  // ---- drawing
  function drawCurves(colors, shown) {
    const ctx = curves.getContext("2d");
    const { width: w, height: h } = curves;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    const font = 22;
    const pad = { l: font * 3, r: font * 1.2, t: font * 2, b: font * 2.4 };
    const train = [run.h.initial_loss, ...run.h.epoch_losses];
    const val = [run.h.initial_val_loss, ...run.h.val_losses];
    const top = Math.max(...train.slice(0, 1), ...val.slice(0, 1), ...train, ...val) * 1.08;
    const E = settings.epochs;
    const X = (e) => pad.l + (e / E) * (w - pad.l - pad.r);
    const Y = (v) => h - pad.b - (Math.min(v, top) / top) * (h - pad.t - pad.b);
    ctx.font = `${font}px sans-serif`;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.fg;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const tick = top > 2 ? 1 : top > 1 ? 0.5 : 0.2;
    for (let v = 0; v <= top; v += tick) {
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(v));
      ctx.lineTo(w - pad.r, Y(v));
      ctx.stroke();
      ctx.fillText(Number(v.toFixed(1)).toString(), pad.l - 6, Y(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("0", X(0), h - pad.b + 6);
    ctx.fillText(String(E), X(E), h - pad.b + 6);
    ctx.fillText("epoch", (pad.l + w - pad.r) / 2, h - pad.b + 6);
    const series = [
      [train, colors.train, false, "training"],
      [val, colors.val, true, "validation"],
    ];
    let lx = pad.l;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (const [values, color, dash, label] of series) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 3;
      ctx.setLineDash(dash ? [10, 6] : []);
      for (const [from, to, alpha] of [[shown, values.length - 1, 0.3], [0, shown, 1]]) {
        ctx.globalAlpha = alpha;
        ctx.beginPath();
        for (let e = from; e <= to; e++) (e === from ? ctx.moveTo : ctx.lineTo).call(ctx, X(e), Y(values[e]));
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.moveTo(lx, pad.t / 2);
      ctx.lineTo(lx + font * 1.5, pad.t / 2);
      ctx.stroke();
      ctx.fillStyle = colors.fg;
      ctx.fillText(label, lx + font * 1.8, pad.t / 2);
      lx += font * 2.6 + ctx.measureText(label).width + font;
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(X(shown), pad.t);
    ctx.lineTo(X(shown), h - pad.b);
    ctx.stroke();
    for (const [values, color] of series) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(X(shown), Y(values[shown]), 7, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  let catchUp = null; // the animation frame that trains on towards the slider's epoch
  function redraw() {
    const colors = draw.palette();
    const target = Number(settings.epoch);
    const shown = reach(target, FRAME_BUDGET_MS);
    if (shown < target && !run.diverged && catchUp === null) {
      catchUp = requestAnimationFrame(() => {
        catchUp = null;
        redraw();
      });
    }
    const net = engine.network({ ...run.spec, params: run.snapshots[shown] });
    const proba = engine.predictProba(net, grid);
    const ctx = map.getContext("2d");
    draw.boundary(ctx, { proba, res: GRID, box, colors, train: { X: raw.X, y: raw.y }, val: { X: raw.X_val, y: raw.y_val } });
    const { width: w, height: h } = map;
    ctx.strokeStyle = colors.fg;
    ctx.lineWidth = 3;
    ctx.beginPath();
    for (const [a, b] of draw.levelSegments(proba, GRID, box, 0.5)) {
      ctx.moveTo(((a[0] - box.x0) / (box.x1 - box.x0)) * w, ((box.y1 - a[1]) / (box.y1 - box.y0)) * h);
      ctx.lineTo(((b[0] - box.x0) / (box.x1 - box.x0)) * w, ((box.y1 - b[1]) / (box.y1 - box.y0)) * h);
    }
    ctx.stroke();
    drawCurves(colors, shown);
    const trainLoss = shown ? run.h.epoch_losses[shown - 1] : run.h.initial_loss;
    const valLoss = shown ? run.h.val_losses[shown - 1] : run.h.initial_val_loss;
    const acc = run.accuracy[shown];
    const how = `${OPTIMIZERS[settings.optimizer]}, η = ${settings.lr}, batch size ${Number(settings.batch_size) || data.X.rows}`;
    let text = `Epoch ${shown} of ${settings.epochs} (${how}): training loss ${trainLoss.toFixed(4)}, validation loss ${valLoss.toFixed(4)}, validation accuracy ${Math.round(100 * acc)}%.`;
    if (shown < target && !run.diverged) text += ` Training on towards epoch ${target}…`;
    if (run.diverged) text += ` The run diverged in epoch ${run.diverged.epoch}: ${run.diverged.message.split(";")[0]}; lower the learning rate.`;
    status.textContent = text;
    map.setAttribute("aria-label", `decision boundary after epoch ${shown}`);
    c.epoch.value = String(target);
    out.epoch.textContent = String(target);
    c.epoch.setAttribute("aria-valuetext", `epoch ${target}`);
    const [lo, hi] = LR_RANGE;
    c.lr.value = String(Math.round((Math.log(settings.lr / lo) / Math.log(hi / lo)) * LR_POSITIONS));
    out.lr.textContent = String(settings.lr);
    c.lr.setAttribute("aria-valuetext", String(settings.lr));
    c.optimizer.value = settings.optimizer;
    c.batch_size.value = String(settings.batch_size);
    if (run.diverged && shown < target) settings = { ...settings, epoch: shown };
    save(!playing && shown === target);
  }

  let lastSaved = 0;
  function save(force) {
    const now = performance.now();
    if (!force && now - lastSaved < 1000) return;
    lastSaved = now;
    const shown = Math.min(Number(settings.epoch), run.h.epochs_run);
    model.set("history", {
      epoch: shown,
      epoch_losses: run.h.epoch_losses.slice(0, shown),
      val_losses: run.h.val_losses.slice(0, shown),
      initial_loss: run.h.initial_loss,
      initial_val_loss: run.h.initial_val_loss,
      val_accuracy: run.accuracy[shown],
      diverged: run.diverged ? run.diverged.message : null,
      settings: { ...settings },
    });
    model.save_changes();
  }

  function setSettings(change, fresh) {
    settings = { ...settings, ...change };
    model.set("settings", { ...settings });
    model.save_changes();
    if (fresh) restart();
    redraw();
  }

  // ---- Play: one epoch per animation frame, to the end of the run
  let playing = false;
  let frameId = null;
  function frame() {
    frameId = null;
    if (!playing) return;
    if (Number(settings.epoch) >= settings.epochs || run.diverged) {
      setPlaying(false);
      return;
    }
    setSettings({ epoch: Number(settings.epoch) + 1 }, false);
    if (playing) frameId = requestAnimationFrame(frame);
  }
  function setPlaying(on) {
    playing = on;
    buttons.play.textContent = playing ? "Pause" : "Play";
    buttons.play.setAttribute("aria-pressed", String(playing));
    if (playing) {
      if (Number(settings.epoch) >= settings.epochs) setSettings({ epoch: 0 }, false);
      if (frameId === null) frameId = requestAnimationFrame(frame);
    } else save(true);
  }

  // ---- events
  buttons.play.addEventListener("click", () => setPlaying(!playing));
  buttons.step.addEventListener("click", () => {
    setPlaying(false);
    setSettings({ epoch: Math.min(settings.epochs, Number(settings.epoch) + 1) }, false);
  });
  buttons.reset.addEventListener("click", () => {
    setPlaying(false);
    setSettings({ epoch: 0 }, false);
  });
  c.epoch.addEventListener("input", () => setSettings({ epoch: Number(c.epoch.value) }, false));
  c.lr.addEventListener("input", () => setSettings({ lr: sliderLr(Number(c.lr.value)) }, true));
  c.batch_size.addEventListener("change", () => setSettings({ batch_size: Number(c.batch_size.value) }, true));
  c.optimizer.addEventListener("change", () => setSettings({ optimizer: c.optimizer.value }, true));

  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    const fresh = ["optimizer", "lr", "batch_size"].some((k) => next[k] !== settings[k]);
    settings = { ...next };
    c.epoch.max = String(settings.epochs);
    if (fresh) restart();
    redraw();
  }
  function fromData() {
    load();
    restart();
    redraw();
  }
  model.on("change:settings", fromModel);
  for (const name of ["data", "network", "orders"]) model.on(`change:${name}`, fromData);
  const unwatch = draw.watchTheme(() => redraw());
  load();
  restart();
  redraw();
  return () => {
    playing = false;
    if (frameId !== null) cancelAnimationFrame(frameId);
    if (catchUp !== null) cancelAnimationFrame(catchUp);
    model.off("change:settings", fromModel);
    for (const name of ["data", "network", "orders"]) model.off(`change:${name}`, fromData);
    unwatch();
  };
}
