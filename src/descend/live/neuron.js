// Chapter 2: one neuron with one input, a = g(w x + b): the weight steepens (or flips) the
// activation's curve, the bias shifts it; the formula is written with the current numbers.
//
// render({model, el, engine, draw}): state from Python (descend.live.OneNeuron): `ranges`
// ({w, b, x: [low, high], step}) and `settings` ({w, b, activation}). The curve is
// engine.neuronCurve (a dense layer with one input and one unit, then g); the slope on
// each side of the switch x = -b/w comes from the activation's backward pass. The
// settings are written back as `history`, with the switch point.

const NAMES = { sigmoid: "sigmoid σ", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU (α = 0.01)" };
const SYMBOL = { sigmoid: "σ", tanh: "tanh", relu: "ReLU", leaky_relu: "leakyReLU" };
const YLIM = { sigmoid: [-0.1, 1.1], tanh: [-1.2, 1.2], relu: [-1, 6], leaky_relu: [-1, 6] };
const LEVELS = { sigmoid: "from 0 to 1", tanh: "from −1 to 1" };
const N = 481; // points of the curve
const FONT = 24;
const CSS = `
.dl-neuron { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-neuron .dl-controls { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 6px 14px; }
.dl-neuron label { display: flex; flex-direction: column; gap: 2px; }
.dl-neuron select, .dl-neuron input { font: inherit; min-height: 32px; margin: 0; }
.dl-neuron canvas { display: block; margin-top: 8px; border-radius: 4px; }
.dl-neuron .dl-formula { font: 16px/1.4 ui-monospace, monospace; margin: 8px 0 0; }
.dl-neuron .dl-status { font-variant-numeric: tabular-nums; margin: 6px 0 0; }
.dl-neuron :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const num = (v) => String(Number(v.toPrecision(4)) + 0).replace("-", "−"); // + 0: no "-0"
const two = (v) => (v + 0).toFixed(2).replace("-", "−");

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-neuron" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const select = element("select");
  select.setAttribute("aria-label", "activation");
  for (const [name, text] of Object.entries(NAMES)) select.append(element("option", { value: name, textContent: text }));
  const wSlider = element("input", { type: "range" });
  const bSlider = element("input", { type: "range" });
  const wOut = element("span");
  const bOut = element("span");
  const lab = (text, control, out) => element("label", {}, [element("span", { textContent: text }, out ? [" ", out] : []), control]);
  root.append(element("div", { className: "dl-controls" }, [lab("weight w:", wSlider, wOut), lab("bias b:", bSlider, bOut), lab("activation g:", select)]));
  const plot = draw.canvas(800, 420, "the neuron's output a against its input x");
  root.append(plot);
  const formula = element("p", { className: "dl-formula" });
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(formula, status);
  el.append(root);

  function configure() {
    const { w, b, step } = model.get("ranges");
    for (const [s, [lo, hi]] of [[wSlider, w], [bSlider, b]]) Object.assign(s, { min: lo, max: hi, step });
  }

  /** The slope of g(w x + b) just left and just right of the switch (from g's backward pass). */
  function slopes(g, w) {
    const act = engine.ACTIVATIONS[g];
    const d = (z) => {
      const { cache } = act.forward(engine.matrix(1, 1, [z]));
      return w * act.backward(engine.matrix(1, 1, [1]), cache).data[0];
    };
    const eps = 1e-9 * Math.sign(w);
    return { at: d(0), left: d(-eps), right: d(eps) };
  }

  function describe(g, w, b, x0) {
    const head = `w = ${two(w)}, b = ${two(b)}:`;
    if (w === 0) {
      const a = engine.neuronCurve([0], 0, b, g)[0];
      return `${head} the weight is 0, so the output is g(b) = ${num(a)} for every input: no switch at all.`;
    }
    const where = `x = −b/w = ${num(x0)}`;
    const s = slopes(g, w);
    if (g === "sigmoid" || g === "tanh") {
      const dir = w > 0 ? "rises" : "falls";
      const range = w > 0 ? LEVELS[g] : LEVELS[g].replace(/from (\S+) to (\S+)/, "from $2 to $1");
      return `${head} the output ${dir} ${range} around ${where}, with slope ${num(s.at)} there (w × ${g === "sigmoid" ? "1/4" : "1"}).`;
    }
    const flat = g === "relu" ? "is 0" : "is nearly flat (slope " + num(w > 0 ? s.left : s.right) + ")";
    const side = w > 0 ? ["left", "right"] : ["right", "left"];
    return `${head} a kink at ${where}: the output ${flat} to the ${side[0]} and changes with slope ${num(w > 0 ? s.right : s.left)} to the ${side[1]}.`;
  }

  function redraw() {
    const colors = draw.palette();
    const { w, b, activation: g } = settings;
    const [x0lim, x1lim] = model.get("ranges").x;
    const [ylo, yhi] = YLIM[g];
    const ctx = plot.getContext("2d");
    const { width: W, height: H } = plot;
    const pad = { l: FONT * 2.6, r: FONT * 0.8, t: FONT * 1.8, b: FONT * 2.9 };
    const X = (x) => pad.l + ((x - x0lim) / (x1lim - x0lim)) * (W - pad.l - pad.r);
    const Y = (a) => pad.t + ((yhi - Math.min(yhi + 1, Math.max(ylo - 1, a))) / (yhi - ylo)) * (H - pad.t - pad.b);
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, W, H);
    ctx.font = `${FONT}px sans-serif`;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.fg;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const yTicks = g === "sigmoid" ? [0, 0.5, 1] : g === "tanh" ? [-1, 0, 1] : [0, 2, 4, 6];
    for (const v of yTicks) {
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(v));
      ctx.lineTo(W - pad.r, Y(v));
      ctx.stroke();
      ctx.fillText(String(v), pad.l - 6, Y(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let v = Math.ceil(x0lim / 2) * 2; v <= x1lim; v += 2) ctx.fillText(String(v), X(v), H - pad.b + 6);
    ctx.fillText("input x", (pad.l + W - pad.r) / 2, H - pad.b + FONT + 14);
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
    ctx.clip();
    const xs = Array.from({ length: N }, (_, k) => x0lim + (k / (N - 1)) * (x1lim - x0lim));
    const line = (values, color, width, dash) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.setLineDash(dash);
      ctx.beginPath();
      values.forEach((a, k) => (k ? ctx.lineTo(X(xs[k]), Y(a)) : ctx.moveTo(X(xs[k]), Y(a))));
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(engine.neuronCurve(xs, 1, 0, g), colors.grid, 3, [10, 8]); // g(x): w = 1, b = 0
    const x0 = w === 0 ? null : -b / w;
    if (x0 !== null && x0 >= x0lim && x0 <= x1lim) {
      ctx.strokeStyle = colors.fg;
      ctx.setLineDash([6, 6]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(X(x0), pad.t);
      ctx.lineTo(X(x0), H - pad.b);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const curve = engine.neuronCurve(xs, w, b, g);
    line(curve, "#d55e00", 5, []);
    if (x0 !== null && x0 >= x0lim && x0 <= x1lim) {
      ctx.fillStyle = "#d55e00";
      ctx.beginPath();
      ctx.arc(X(x0), Y(engine.neuronCurve([x0], w, b, g)[0]), 9, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.fillText(`a = ${SYMBOL[g]}(${two(w)} x ${b < 0 ? "−" : "+"} ${two(Math.abs(b))})   dashed: ${SYMBOL[g]}(x)`, 6, 6);
    // controls and words
    wSlider.value = String(w);
    bSlider.value = String(b);
    select.value = g;
    wOut.textContent = two(w);
    bOut.textContent = two(b);
    formula.textContent = `a = ${SYMBOL[g]}(w·x + b) = ${SYMBOL[g]}(${two(w)}·x ${b < 0 ? "−" : "+"} ${two(Math.abs(b))})` + (x0 === null ? "" : `;  switch at x = −b/w = ${num(x0)}`);
    const text = describe(g, w, b, x0);
    status.textContent = text;
    plot.setAttribute("aria-label", `the output of ${NAMES[g]} against x: ${text}`);
    model.set("history", { w, b, activation: g, switch: x0 });
    model.save_changes();
  }

  const round = (v) => Number(Number(v).toFixed(6));
  function fromControls() {
    settings = { w: round(wSlider.value), b: round(bSlider.value), activation: select.value };
    model.set("settings", { ...settings });
    model.save_changes();
    redraw();
  }
  wSlider.addEventListener("input", fromControls);
  bSlider.addEventListener("input", fromControls);
  select.addEventListener("change", fromControls);
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    settings = { ...next };
    redraw();
  }
  function fromRanges() {
    configure();
    redraw();
  }
  model.on("change:settings", fromModel);
  model.on("change:ranges", fromRanges);
  const unwatch = draw.watchTheme(() => redraw());
  fromRanges();
  return () => {
    model.off("change:settings", fromModel);
    model.off("change:ranges", fromRanges);
    unwatch();
  };
}
