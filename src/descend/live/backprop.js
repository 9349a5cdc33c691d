// Chapter 3: the backward pass of the tiny network, one node at a time, for the input and
// weights the reader sets.
//
// render({model, el, engine, draw}): state from Python (descend.live.BackpropExplorer):
// `settings` = {x, y, w1, b1, w2, b2, step}. The network is z1 = w1 x + b1, a1 = tanh(z1),
// z2 = w2 a1 + b2, L = BCE(z2, y), computed by engine.tinyNetwork. The step walks the
// forward pass (z1, a1, z2, L) then the backward pass (L, z2, w2, b2, a1, z1, w1, b1, x);
// every gradient known so far is written on the edge it travels back along. The node
// values and gradients shown are written back as `history`.

const RANGE = [-3, 3]; // every number slider: 600 steps of 0.01
const STEP = 0.01;
const CSS = `
.dl-backprop { font: 14px/1.4 system-ui, sans-serif; max-width: 720px; }
.dl-backprop .dl-controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 4px 14px; }
.dl-backprop label { display: flex; flex-direction: column; gap: 2px; }
.dl-backprop select, .dl-backprop input, .dl-backprop button { font: inherit; min-height: 32px; box-sizing: border-box; }
.dl-backprop input[type=range] { width: 100%; }
.dl-backprop .dl-stepper { display: grid; grid-template-columns: auto 1fr auto; gap: 8px; align-items: end; margin-top: 8px; }
.dl-backprop .dl-stepper button { min-width: 64px; }
.dl-backprop canvas { border-radius: 4px; margin-top: 6px; display: block; }
.dl-backprop .dl-eq { font: 15px/1.5 ui-monospace, monospace; overflow-wrap: anywhere; margin: 6px 0 0; padding: 6px 8px; border-left: 4px solid #e69f00; }
.dl-backprop .dl-status { font-variant-numeric: tabular-nums; margin: 6px 0 0; }
.dl-backprop :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

// the graph: node positions in drawing units (canvas 1000 x 540) and labels
const NODES = {
  x: [50, 390, "x"],
  w1: [150, 150, "w₁"],
  b1: [350, 150, "b₁"],
  z1: [250, 390, "z₁"],
  a1: [455, 390, "a₁"],
  w2: [560, 150, "w₂"],
  b2: [760, 150, "b₂"],
  z2: [665, 390, "z₂"],
  L: [900, 390, "L"],
  y: [900, 150, "y"],
};
// the edges tail -> head: the local gradient d(head)/d(tail), as words and as a number
const EDGES = [
  ["x", "z1", "w₁", (v) => v.w1],
  ["w1", "z1", "x", (v) => v.x],
  ["b1", "z1", "1", () => 1],
  ["z1", "a1", "1 − a₁²", (v) => 1 - v.a1 * v.a1],
  ["a1", "z2", "w₂", (v) => v.w2],
  ["w2", "z2", "a₁", (v) => v.a1],
  ["b2", "z2", "1", () => 1],
  ["z2", "L", "σ(z₂) − y", (v) => v.p - v.y],
  ["y", "L", null, null],
];
const INPUTS = ["x", "w1", "b1", "w2", "b2", "y"];
// the steps: [pass, node]; backward steps name the edge their gradient travels along
const STEPS = [
  ["start", null],
  ["forward", "z1"],
  ["forward", "a1"],
  ["forward", "z2"],
  ["forward", "L"],
  ["backward", "L"],
  ["backward", "z2"],
  ["backward", "w2"],
  ["backward", "b2"],
  ["backward", "a1"],
  ["backward", "z1"],
  ["backward", "w1"],
  ["backward", "b1"],
  ["backward", "x"],
];
const LAST = STEPS.length - 1;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** 4 significant digits, a true minus sign; `paren` wraps negatives (a factor of a product). */
function fmt(v, paren = false) {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v) < 1e-4 && v !== 0 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  const t = s.replace("-", "−");
  return paren && v < 0 ? `(${t})` : t;
}

const label = (name) => NODES[name][2];

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-backprop" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const sliders = {};
  const outs = {};
  const controls = element("div", { className: "dl-controls" });
  for (const name of ["x", "w1", "b1", "w2", "b2"]) {
    const input = element("input", { type: "range", min: RANGE[0], max: RANGE[1], step: STEP });
    outs[name] = element("span");
    sliders[name] = input;
    controls.append(element("label", {}, [element("span", { textContent: `${label(name)} = ` }, [outs[name]]), input]));
  }
  const ySelect = element("select");
  for (const v of [1, 0]) ySelect.append(element("option", { value: String(v), textContent: String(v) }));
  controls.append(element("label", {}, [element("span", { textContent: "label y" }), ySelect]));
  const prev = element("button", { type: "button", textContent: "◀ Prev" });
  const next = element("button", { type: "button", textContent: "Next ▶" });
  const stepSlider = element("input", { type: "range", min: 0, max: LAST, step: 1 });
  const stepOut = element("span");
  const stepper = element("div", { className: "dl-stepper" }, [
    prev,
    element("label", {}, [element("span", { textContent: "step: " }, [stepOut]), stepSlider]),
    next,
  ]);
  const plot = draw.canvas(1000, 540, "the computational graph of the tiny network");
  plot.style.maxWidth = "720px";
  const eq = element("p", { className: "dl-eq" });
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(controls, stepper, plot, eq, status);
  el.append(root);

  /** What step k has computed: node values known, gradients known, the current node. */
  function known(k) {
    const values = new Set(INPUTS);
    const grads = [];
    for (let i = 1; i <= k; i++) {
      const [pass, node] = STEPS[i];
      if (pass === "forward") values.add(node);
      else grads.push(node);
    }
    return { values, grads };
  }

  /** The current step's computation in words and numbers: [what, equation]. */
  function explain(k, v, g) {
    const [pass, node] = STEPS[k];
    if (pass === "start") return ["inputs and weights set; nothing computed yet", `x = ${fmt(v.x)}, y = ${v.y}, w₁ = ${fmt(v.w1)}, b₁ = ${fmt(v.b1)}, w₂ = ${fmt(v.w2)}, b₂ = ${fmt(v.b2)}`];
    if (pass === "forward") {
      const forward = {
        z1: `z₁ = w₁ · x + b₁ = ${fmt(v.w1, true)} × ${fmt(v.x, true)} + ${fmt(v.b1, true)} = ${fmt(v.z1)}`,
        a1: `a₁ = tanh(z₁) = tanh(${fmt(v.z1)}) = ${fmt(v.a1)}`,
        z2: `z₂ = w₂ · a₁ + b₂ = ${fmt(v.w2, true)} × ${fmt(v.a1, true)} + ${fmt(v.b2, true)} = ${fmt(v.z2)}`,
        L: `L = −[y log σ(z₂) + (1 − y) log(1 − σ(z₂))] with y = ${v.y}, σ(z₂) = σ(${fmt(v.z2)}) = ${fmt(v.p)}: L = ${fmt(v.L)}`,
      };
      return [`forward pass, the value of ${label(node)}`, forward[node]];
    }
    if (node === "L") return ["backward pass, the start at the loss", "∂L/∂L = 1"];
    const [, head, local, localOf] = EDGES.find((e) => e[0] === node);
    const up = g[head];
    const term = node === "z2" ? `(${fmt(v.p)} − ${v.y})` : local === "1 − a₁²" ? `(1 − ${fmt(v.a1, true)}²)` : fmt(localOf(v), true);
    const rule = `∂L/∂${label(node)} = ∂L/∂${label(head)} · ${local.includes(" ") ? `(${local})` : local}`;
    return [`backward pass, the gradient of ${label(node)}`, `${rule} = ${fmt(up, true)} × ${term} = ${fmt(g[node])}`];
  }

  function redraw() {
    const colors = draw.palette();
    const dark = colors.bg[0] < 128;
    const lit = "#e69f00";
    const gradColor = dark ? "#ff8a5c" : "#c14d00";
    const k = settings.step;
    const net = engine.tinyNetwork(settings);
    const v = { ...settings, ...net.values };
    const g = net.grads;
    const { values: haveValue, grads: haveGrad } = known(k);
    const [pass, current] = STEPS[k];
    const ctx = plot.getContext("2d");
    const { width: w, height: h } = plot;
    ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
    ctx.fillRect(0, 0, w, h);
    const R = 34;
    const font = 24;

    // edges: grey; along the gradient's way back once it is known; lit while computed
    const hot = (tail, head) => (pass === "forward" ? head === current : tail === current && pass === "backward");
    for (const [tail, head] of EDGES) {
      const [x0, y0] = NODES[tail];
      const [x1, y1] = NODES[head];
      const len = Math.hypot(x1 - x0, y1 - y0);
      const [ux, uy] = [(x1 - x0) / len, (y1 - y0) / len];
      const [ax, ay, bx, by] = [x0 + ux * R, y0 + uy * R, x1 - ux * (R + 4), y1 - uy * (R + 4)];
      const isHot = hot(tail, head);
      const done = haveGrad.includes(tail);
      ctx.strokeStyle = isHot ? lit : done ? gradColor : colors.grid;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = isHot ? 7 : done ? 4 : 2.5;
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
      const s = 16; // arrow head
      ctx.beginPath();
      ctx.moveTo(bx + ux * 4, by + uy * 4);
      ctx.lineTo(bx - ux * s - uy * s * 0.6, by - uy * s + ux * s * 0.6);
      ctx.lineTo(bx - ux * s + uy * s * 0.6, by - uy * s - ux * s * 0.6);
      ctx.closePath();
      ctx.fill();
    }
    // edge labels: the local gradient d(head)/d(tail), in words and in numbers
    ctx.font = `${font}px sans-serif`;
    ctx.textBaseline = "middle";
    for (const [tail, head, local, localOf] of EDGES) {
      if (!local) continue;
      const [x0, y0] = NODES[tail];
      const [x1, y1] = NODES[head];
      const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
      const horizontal = y0 === y1;
      const leftSide = !horizontal && x0 < x1; // diagonals from the left: label on their left
      const lines = local === "1" ? ["1"] : [local, `= ${fmt(localOf(v))}`];
      ctx.textAlign = horizontal ? "center" : leftSide ? "right" : "left";
      const x = horizontal ? mx : mx + (leftSide ? -12 : 12);
      const step = font + 4;
      const top = horizontal ? my - 14 - (lines.length - 0.5) * step : my - ((lines.length - 1) * step) / 2;
      ctx.fillStyle = haveGrad.includes(tail) ? gradColor : colors.fg;
      lines.forEach((text, i) => ctx.fillText(text, x, top + i * step));
    }
    // nodes: the current one lit; computed values written next to each
    for (const [name, [px, py, text]] of Object.entries(NODES)) {
      const isCurrent = name === current;
      ctx.beginPath();
      ctx.arc(px, py, R, 0, 2 * Math.PI);
      ctx.fillStyle = isCurrent ? lit : haveGrad.includes(name) ? (dark ? "#5a3a2a" : "#fde3d3") : INPUTS.includes(name) ? (dark ? "#2f4f63" : "#dcecf7") : `rgb(${colors.bg.join(",")})`;
      ctx.fill();
      ctx.lineWidth = isCurrent ? 5 : 2;
      ctx.strokeStyle = colors.fg;
      ctx.stroke();
      ctx.fillStyle = isCurrent && dark ? "#111" : colors.fg;
      ctx.font = `${font + 4}px sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(text, px, py + 1);
      const top = py < 300; // the top row is written above its nodes, the bottom row below
      const value = name === "y" ? String(v.y) : haveValue.has(name) ? fmt(v[name]) : "?";
      const lines = [[value, colors.fg, `${font}px sans-serif`]];
      if (haveGrad.includes(name)) {
        lines.push([`∂L/∂${text}`, gradColor, `bold ${font}px sans-serif`], [`= ${fmt(g[name])}`, gradColor, `bold ${font}px sans-serif`]);
      }
      if (top) lines.push(lines.shift()); // read top down: the gradient, then the value
      const first = top ? py - R - 16 - (lines.length - 1) * (font + 4) : py + R + 16;
      ctx.textBaseline = "middle";
      lines.forEach(([t, color, f], i) => {
        ctx.font = f;
        ctx.fillStyle = color;
        ctx.fillText(t, px, first + i * (font + 4));
      });
    }

    // ---- words
    const [what, equation] = explain(k, v, g);
    eq.textContent = equation;
    const names = haveGrad.map(label);
    status.textContent =
      `Step ${k} of ${LAST}, ${what}: ${equation}. ` + (names.length ? `Gradients known: ${names.join(", ")}.` : "No gradient computed yet.");
    for (const [name, input] of Object.entries(sliders)) {
      input.value = String(settings[name]);
      outs[name].textContent = fmt(settings[name]);
    }
    ySelect.value = String(settings.y);
    stepSlider.value = String(k);
    stepOut.textContent = `${k} of ${LAST} (${pass === "start" ? "nothing computed yet" : `${pass} pass`})`;
    stepSlider.setAttribute("aria-valuetext", `step ${k} of ${LAST}: ${what}`);
    prev.disabled = k === 0;
    next.disabled = k === LAST;
    const shownValues = Object.fromEntries([...haveValue].filter((n) => n in net.values).map((n) => [n, net.values[n]]));
    model.set("history", { settings: { ...settings }, values: shownValues, grads: Object.fromEntries(haveGrad.map((n) => [n, g[n]])) });
    model.save_changes();
  }

  function update(change) {
    settings = { ...settings, ...change };
    model.set("settings", { ...settings });
    model.save_changes();
    redraw();
  }
  for (const [name, input] of Object.entries(sliders)) {
    input.addEventListener("input", () => update({ [name]: Number(Number(input.value).toFixed(2)) }));
  }
  ySelect.addEventListener("change", () => update({ y: Number(ySelect.value) }));
  stepSlider.addEventListener("input", () => update({ step: Number(stepSlider.value) }));
  prev.addEventListener("click", () => update({ step: Math.max(0, settings.step - 1) }));
  next.addEventListener("click", () => update({ step: Math.min(LAST, settings.step + 1) }));
  function fromModel() {
    const nextSettings = model.get("settings");
    if (JSON.stringify(nextSettings) === JSON.stringify(settings)) return;
    settings = { ...nextSettings };
    redraw();
  }
  model.on("change:settings", fromModel);
  const unwatch = draw.watchTheme(() => redraw());
  redraw();
  return () => {
    model.off("change:settings", fromModel);
    unwatch();
  };
}
