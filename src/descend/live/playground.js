// The chapter-9 playground: train a small network on a 2-D data set, live, in the page.
//
// render({model, el, engine, draw}) builds the controls, the two canvases and the status
// line in `el`, and returns a clean-up function. The state comes from Python
// (descend.live.Playground): `data` (every data set at every noise level), `weights`
// (initial parameters of every architecture) and `settings` (the controls' values); the
// run is written back as `history`. Nothing here is random except the batch order, drawn
// from a seeded generator so the same settings give the same run.

const OPTIMIZERS = {
  sgd: ["SGD", (lr) => ["sgd", { lr }]],
  momentum: ["SGD + momentum 0.9", (lr) => ["sgd", { lr, momentum: 0.9 }]],
  adagrad: ["AdaGrad", (lr) => ["adagrad", { lr }]],
  rmsprop: ["RMSProp", (lr) => ["rmsprop", { lr }]],
  adam: ["Adam", (lr) => ["adam", { lr }]],
};
const ACTIVATIONS = { tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", sigmoid: "sigmoid", identity: "identity (linear)" };
const BATCH_SIZES = { 1: "1", 5: "5", 10: "10", 25: "25", 50: "50", 0: "all (full batch)" };
const MAX_EPOCHS = 2000; // a run pauses itself here
const FRAME_BUDGET_MS = 10; // training time per animation frame; the rest is drawing
const GRID = 48; // the probability map's resolution
const SEED = 1; // of the batch order

const CSS = `
.dl-playground { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 6px 14px; }
.dl-controls label { display: flex; flex-direction: column; gap: 2px; }
.dl-controls select, .dl-controls input, .dl-buttons button { font: inherit; min-height: 32px; }
.dl-buttons { display: flex; gap: 8px; margin: 10px 0; flex-wrap: wrap; }
.dl-buttons button { padding: 2px 14px; border-radius: 6px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
.dl-buttons button[aria-pressed="true"] { font-weight: 600; }
.dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.dl-figures canvas { border-radius: 4px; }
.dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-playground :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
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

function labelled(text, control, output = null) {
  const title = element("span", { textContent: text });
  if (output) title.append(" ", output);
  return element("label", {}, [title, control]);
}

const lrFromSlider = (v) => Number((10 ** Number(v)).toPrecision(2));

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-playground" });
  // keys pressed on the controls are theirs: not JupyterLab's shortcuts (which skip
  // elements marked so) nor its notebook's cell navigation (which listens as keys bubble)
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const keepKeys = (event) => event.stopPropagation();
  root.addEventListener("keydown", keepKeys);
  root.append(element("style", { textContent: CSS }));

  // ---- controls: native elements inside their labels, so each is keyboard-operable and named
  const dataNames = Object.keys(model.get("data"));
  const noiseLevels = () => model.get("data")[settings.data].map((d) => d.noise);
  const c = {
    data: select(Object.fromEntries(dataNames.map((n) => [n, n])), settings.data),
    noise: select({}, settings.noise),
    depth: element("input", { type: "range", min: 0, max: 4, step: 1, value: settings.depth }),
    width: element("input", { type: "range", min: 1, max: 8, step: 1, value: settings.width }),
    activation: select(ACTIVATIONS, settings.activation),
    optimizer: select(Object.fromEntries(Object.entries(OPTIMIZERS).map(([k, [t]]) => [k, t])), settings.optimizer),
    lr: element("input", { type: "range", min: -4, max: 1, step: 0.05, value: Math.log10(settings.lr) }),
    batch_size: select(BATCH_SIZES, settings.batch_size),
  };
  // the values shown beside the sliders' names (spans: an <output> inside the label would
  // take the label from the slider); the learning-rate slider moves in log10(lr), so it
  // also tells assistive technology the rate itself (aria-valuetext)
  const out = { depth: element("span"), width: element("span"), lr: element("span") };
  for (const o of Object.values(out)) o.className = "dl-value";
  const fillNoise = () => {
    c.noise.replaceChildren(...noiseLevels().map((v) => element("option", { value: v, textContent: `${v}` })));
    c.noise.value = String(settings.noise);
  };
  fillNoise();
  root.append(
    element("div", { className: "dl-controls" }, [
      labelled("data set", c.data),
      labelled("noise", c.noise),
      labelled("hidden layers:", c.depth, out.depth),
      labelled("units per layer:", c.width, out.width),
      labelled("activation", c.activation),
      labelled("optimizer", c.optimizer),
      labelled("learning rate:", c.lr, out.lr),
      labelled("batch size", c.batch_size),
    ]),
  );
  const buttons = {
    play: element("button", { type: "button", textContent: "Play" }),
    step: element("button", { type: "button", textContent: "One epoch" }),
    reset: element("button", { type: "button", textContent: "Reset" }),
  };
  buttons.play.setAttribute("aria-pressed", "false");
  root.append(element("div", { className: "dl-buttons" }, Object.values(buttons)));

  // ---- figures and the status line
  const map = draw.canvas(600, 600, "decision boundary");
  const curves = draw.canvas(600, 420, "training and validation loss per epoch");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [curves])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  // ---- the run
  let run = null;
  let playing = false;
  let frameId = null;
  let lastSaved = 0;

  function dataSet() {
    const sets = model.get("data")[settings.data];
    const d = sets.find((s) => s.noise === settings.noise) ?? sets[0];
    return { X: engine.fromRows(d.X), y: d.y, X_val: engine.fromRows(d.X_val), y_val: d.y_val, raw: d };
  }

  function reset() {
    const depth = Number(settings.depth);
    const init = ["relu", "leaky_relu"].includes(settings.activation) ? "he_normal" : "xavier_normal";
    const key = `${init}/${depth}x${depth ? settings.width : 1}`;
    const sizes = [2, ...Array(depth).fill(Number(settings.width)), 1];
    const net = engine.network({ sizes, activation: settings.activation, params: model.get("weights")[key] });
    const [name, hyper] = OPTIMIZERS[settings.optimizer][1](Number(settings.lr));
    const data = dataSet();
    const all = [...data.raw.X, ...data.raw.X_val];
    run = {
      net,
      data,
      opt: engine.optimizer(name, hyper),
      h: engine.history(net, data),
      random: engine.prng(SEED),
      batch: Number(settings.batch_size) || data.X.rows,
      box: draw.extent(all),
      diverged: null,
      nParams: Object.values(net.params).reduce((n, p) => n + (p.data ?? p).length, 0),
    };
    run.grid = engine.fromRows(draw.gridPoints(run.box, GRID));
    redraw();
    save();
  }

  function epoch() {
    const { net, opt, data, h, batch } = run;
    const order = batch < data.X.rows ? engine.shuffledOrder(data.X.rows, run.random) : null;
    try {
      engine.trainEpoch(net, opt, data, batch, order, h);
    } catch (err) {
      if (!(err instanceof engine.DivergenceError)) throw err;
      run.diverged = err.message;
      setPlaying(false);
    }
  }

  function accuracy() {
    return engine.accuracy(run.net, run.data.X_val, run.data.y_val);
  }

  function describe() {
    const h = run.h;
    const e = h.epochs_run;
    if (run.diverged) return `Diverged in epoch ${e + 1}: ${run.diverged.split(";")[0]}. Lower the learning rate and press Reset.`;
    const lossNow = e ? h.epoch_losses[e - 1] : h.initial_loss;
    return `epoch ${e}, training loss ${lossNow.toFixed(3)}, validation accuracy ${Math.round(100 * accuracy())}% (${run.nParams} parameters)`;
  }

  function redraw() {
    const colors = draw.palette();
    const proba = run.diverged ? new Float64Array(GRID * GRID).fill(0.5) : engine.predictProba(run.net, run.grid);
    const raw = run.data.raw;
    draw.boundary(map.getContext("2d"), {
      proba, res: GRID, box: run.box, colors,
      train: { X: raw.X, y: raw.y }, val: { X: raw.X_val, y: raw.y_val },
    });
    const h = run.h;
    draw.lossCurves(curves.getContext("2d"), {
      epochs: h.epochs_run, colors,
      series: [
        { values: [h.initial_loss, ...h.epoch_losses], color: colors.train, label: "training" },
        { values: [h.initial_val_loss, ...h.val_losses], color: colors.val, dash: true, label: "validation" },
      ],
    });
    map.setAttribute("aria-label", `decision boundary after epoch ${h.epochs_run}`);
    status.textContent = describe();
    out.depth.textContent = String(settings.depth);
    out.width.textContent = String(settings.width);
    out.lr.textContent = String(settings.lr);
    c.lr.setAttribute("aria-valuetext", String(settings.lr));
  }

  function save(force = true) {
    const now = performance.now();
    if (!force && now - lastSaved < 1000) return;
    lastSaved = now;
    const h = run.h;
    model.set("history", {
      epoch: h.epochs_run,
      epoch_losses: h.epoch_losses.slice(),
      val_losses: h.val_losses.slice(),
      initial_loss: h.initial_loss,
      initial_val_loss: h.initial_val_loss,
      val_accuracy: run.diverged ? null : accuracy(),
      diverged: run.diverged,
      settings: { ...settings },
    });
    model.save_changes();
  }

  function frame() {
    frameId = null;
    if (!playing) return;
    const start = performance.now();
    do epoch();
    while (playing && performance.now() - start < FRAME_BUDGET_MS && run.h.epochs_run < MAX_EPOCHS);
    if (run.h.epochs_run >= MAX_EPOCHS) setPlaying(false);
    redraw();
    save(false);
    if (playing) frameId = requestAnimationFrame(frame);
  }

  function setPlaying(on) {
    playing = on && !run.diverged;
    buttons.play.textContent = playing ? "Pause" : "Play";
    buttons.play.setAttribute("aria-pressed", String(playing));
    if (playing && frameId === null) frameId = requestAnimationFrame(frame);
    if (!playing) save();
  }

  // ---- events
  function onControl(name) {
    let value = c[name].value;
    if (name === "lr") value = lrFromSlider(value);
    else if (name !== "data" && name !== "activation" && name !== "optimizer") value = Number(value);
    settings = { ...settings, [name]: value };
    if (name === "data") {
      if (!noiseLevels().includes(settings.noise)) settings.noise = noiseLevels()[0];
      fillNoise();
    }
    model.set("settings", { ...settings });
    model.save_changes();
    reset();
  }
  const listeners = Object.keys(c).map((name) => {
    const handler = () => onControl(name);
    const event = c[name].type === "range" ? "input" : "change";
    c[name].addEventListener(event, handler);
    return () => c[name].removeEventListener(event, handler);
  });
  buttons.play.addEventListener("click", () => setPlaying(!playing));
  buttons.step.addEventListener("click", () => {
    setPlaying(false);
    if (!run.diverged) epoch();
    redraw();
    save();
  });
  buttons.reset.addEventListener("click", () => reset());

  // settings or data set from Python: show them and start again
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    settings = { ...next };
    fillNoise();
    for (const [name, control] of Object.entries(c)) {
      control.value = name === "lr" ? Math.log10(settings.lr) : String(settings[name]);
    }
    reset();
  }
  function onData() {
    // data sets from Python: offer theirs, keep the current one if it is still there
    const names = Object.keys(model.get("data"));
    c.data.replaceChildren(...names.map((n) => element("option", { value: n, textContent: n })));
    const next = model.get("settings");
    settings = { ...settings, ...next };
    if (!names.includes(settings.data)) settings.data = names[0];
    if (!noiseLevels().includes(settings.noise)) settings.noise = noiseLevels()[0];
    c.data.value = settings.data;
    fillNoise();
    reset();
  }
  model.on("change:settings", fromModel);
  model.on("change:data", onData);
  model.on("change:weights", onData);
  const unwatch = draw.watchTheme(() => redraw());

  reset();
  return () => {
    playing = false;
    if (frameId !== null) cancelAnimationFrame(frameId);
    listeners.forEach((off) => off());
    model.off("change:settings", fromModel);
    model.off("change:data", onData);
    model.off("change:weights", onData);
    unwatch();
  };
}
