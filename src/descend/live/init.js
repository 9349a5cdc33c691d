// The chapter-1 explorer: a deep stack at initialization, every layer's signal.
//
// render({model, el, engine, draw}) builds the controls (scheme, activation, width, depth,
// and the scale: the standard deviation of "normal" or the gain of Xavier and He, on a log
// slider of 241 positions), a chart of each layer's output spread and weight-gradient
// spread against depth (log scale), and a histogram of every layer's outputs |a| and
// weight gradients |dL/dW| (log scale, layer 1 at the top), then says in words whether
// the signal survives. The state comes from Python (descend.live.explorers_init):
// `draws` (standard-normal numbers: inputs, targets, one block per layer) and `settings`.
// The numbers are engine.initStats', the same as descend's.

// The scale slider's positions k = lo .. hi: value base^(k/per) to 3 significant digits.
// mirrors descend.live.explorers_init.STD_POSITIONS and GAIN_POSITIONS
const STD = { base: 10, lo: -180, hi: 60, per: 60 }; // sigma: 0.001 .. 10
const GAIN = { base: 2, lo: -100, hi: 100, per: 30 }; // g: 0.0992 .. 10.1 (1, sqrt 2, 2 exact)
const WIDTHS = [4, 8, 16, 32];
const SCHEMES = { normal: "normal N(0, σ²)", xavier: "Xavier (Glorot)", he: "He (Kaiming)" };
const ACTIVATIONS = ["tanh", "relu", "leaky_relu", "sigmoid", "identity"];

const CSS = `
.dl-init { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-init .dl-controls { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: end; }
.dl-init label { display: flex; flex-direction: column; gap: 2px; }
.dl-init .dl-slider { flex: 1 1 100%; max-width: 560px; }
.dl-init select, .dl-init input { font: inherit; min-height: 28px; margin: 0; }
.dl-init input[type=range] { width: 100%; }
.dl-init .dl-figures { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.dl-init .dl-figures > div { flex: 1 1 250px; max-width: 340px; }
.dl-init .dl-figures > div.dl-wide { flex-basis: 100%; max-width: 690px; }
.dl-init .dl-status { font-variant-numeric: tabular-nums; margin: 6px 0 0; }
.dl-init :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** 3 significant digits; exponent form below 0.001 and from 10000 up. */
export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e4 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

const position = (k, { base, per }) => Number((base ** (k / per)).toPrecision(3));
const nearestK = (value, { base, lo, hi, per }) =>
  Math.max(lo, Math.min(hi, Math.round((Math.log(value) / Math.log(base)) * per)));

/** Decade ticks from lo to hi (log10 units), at most about 6 of them. */
function decades(lo, hi) {
  const step = [1, 2, 5, 10, 20, 50, 100].find((s) => (hi - lo) / s <= 6) ?? 200;
  const ticks = [];
  for (let k = Math.ceil(lo / step) * step; k <= hi; k += step) ticks.push(k);
  return ticks;
}

const tickLabel = (k) => ({ [-2]: "0.01", [-1]: "0.1", 0: "1", 1: "10" })[k] ?? `1e${k}`;

/** The log10 window that holds every layer's bulk: 3 decades under the smallest spread,
 *  1 over the largest, and always 1 (the inputs' spread) when `withOne`. */
function windowOf(spreads, withOne) {
  const logs = spreads.filter((s) => s > 0).map(Math.log10);
  if (withOne) logs.push(0);
  if (!logs.length) return [-3, 1];
  return [Math.floor(Math.min(...logs) - 3), Math.ceil(Math.max(...logs) + 1)];
}

/** Histogram counts of log10|v| over [lo, hi] in `bins` bins (zeros and values outside left out). */
function logHistogram(values, lo, hi, bins) {
  const counts = new Array(bins).fill(0);
  for (const v of values) {
    if (v === 0) continue;
    const b = Math.floor(((Math.log10(Math.abs(v)) - lo) / (hi - lo)) * bins);
    if (b >= 0 && b < bins) counts[b] += 1;
  }
  return counts;
}

function clear(ctx, colors) {
  ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

/** One histogram per layer, layer 1 at the top, on a shared log axis of |value|. */
function ridgeline(ctx, { rows, spreads, title, color, band, colors, font = 24 }) {
  const { width: w, height: h } = ctx.canvas;
  clear(ctx, colors);
  const [lo, hi] = windowOf(spreads, band);
  const pad = { l: font * 2.2, r: font * 1.6, t: font * 2.9, b: font * 2.6 };
  const X = (v) => pad.l + ((v - lo) / (hi - lo)) * (w - pad.l - pad.r);
  const L = rows.length;
  const rh = (h - pad.t - pad.b) / L;
  ctx.font = `${font}px sans-serif`;
  if (band) {
    // sizes 0.01 .. 10 around the inputs' spread 1, shaded
    ctx.fillStyle = colors.bandFill;
    ctx.fillRect(X(-2), pad.t, X(1) - X(-2), h - pad.t - pad.b);
  }
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.fg;
  ctx.lineWidth = 1;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const k of decades(lo, hi)) {
    ctx.beginPath();
    ctx.moveTo(X(k), pad.t);
    ctx.lineTo(X(k), h - pad.b);
    ctx.stroke();
    ctx.fillText(tickLabel(k), X(k), h - pad.b + font * 0.25);
  }
  ctx.fillText(band ? "size |a| (log scale)" : "size |∂L/∂W| (log scale)", (pad.l + w - pad.r) / 2, h - pad.b + font * 1.35);
  ctx.textAlign = "left";
  ctx.fillText(title, font * 0.3, font * 0.3);
  ctx.fillText("layer", font * 0.3, font * 1.5);
  const every = L <= 10 ? 1 : 5;
  // 6 bins per decade for a thousand values or more, fewer for fewer; at least 30 in all
  const n = rows.length ? rows[0].length : 0;
  const bins = Math.max(30, Math.round((hi - lo) * (n >= 1000 ? 6 : n >= 250 ? 4 : 3)));
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.fillStyle = color;
  rows.forEach((values, i) => {
    const counts = logHistogram(values, lo, hi, bins);
    const top = Math.max(...counts, 1);
    const base = pad.t + (i + 1) * rh;
    ctx.beginPath();
    ctx.moveTo(X(lo), base);
    counts.forEach((c, b) => {
      const y = base - 0.9 * rh * (c / top);
      ctx.lineTo(X(lo + ((hi - lo) * b) / bins), y);
      ctx.lineTo(X(lo + ((hi - lo) * (b + 1)) / bins), y);
    });
    ctx.lineTo(X(hi), base);
    ctx.closePath();
    ctx.fill();
  });
  ctx.fillStyle = colors.fg;
  rows.forEach((_, i) => {
    const l = i + 1;
    if (l === 1 || l === L || l % every === 0) ctx.fillText(String(l), pad.l - font * 0.3, pad.t + (i + 0.55) * rh);
  });
}

/** Each layer's output spread (solid, dots) and weight-gradient spread (dashed, squares). */
function spreadChart(ctx, { std, gradStd, colors, font = 28 }) {
  const { width: w, height: h } = ctx.canvas;
  clear(ctx, colors);
  const all = [...std, ...gradStd].filter((v) => v > 0).map(Math.log10);
  all.push(0); // the inputs' spread, 1, always in view
  const lo = Math.floor(Math.min(...all));
  const hi = Math.ceil(Math.max(...all));
  const [y0, y1] = hi - lo < 2 ? [lo - 1, hi + 1] : [lo, hi];
  const L = std.length;
  const pad = { l: font * 3.2, r: font * 1.2, t: font * 3.4, b: font * 2.4 };
  const X = (l) => pad.l + (L === 1 ? 0.5 : (l - 1) / (L - 1)) * (w - pad.l - pad.r);
  const Y = (v) => h - pad.b - ((Math.log10(v) - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  ctx.font = `${font}px sans-serif`;
  ctx.lineWidth = 1;
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.fg;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const k of decades(y0, y1)) {
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(10 ** k));
    ctx.lineTo(w - pad.r, Y(10 ** k));
    ctx.stroke();
    ctx.fillText(tickLabel(k), pad.l - font * 0.3, Y(10 ** k));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const step = L <= 10 ? 1 : 5;
  for (let l = 1; l <= L; l++) if (l === 1 || l % step === 0) ctx.fillText(String(l), X(l), h - pad.b + font * 0.25);
  ctx.fillText("layer", (pad.l + w - pad.r) / 2, h - pad.b + font * 1.2);
  const series = [
    { values: std, color: colors.train, dash: [], label: "outputs A", square: false },
    { values: gradStd, color: colors.val, dash: [12, 7], label: "weight gradients ∂L/∂W", square: true },
  ];
  let lx = pad.l;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 3;
    ctx.setLineDash(s.dash);
    ctx.beginPath();
    s.values.forEach((v, i) => {
      const [px, py] = [X(i + 1), Y(Math.max(v, 10 ** y0))];
      if (i) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
    });
    ctx.stroke();
    ctx.setLineDash([]);
    const r = L > 20 ? 4 : 6;
    s.values.forEach((v, i) => {
      const [px, py] = [X(i + 1), Y(Math.max(v, 10 ** y0))];
      ctx.beginPath();
      if (s.square) ctx.rect(px - r, py - r, 2 * r, 2 * r);
      else ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.setLineDash(s.dash);
    ctx.beginPath();
    ctx.moveTo(lx, font * 1.9);
    ctx.lineTo(lx + font * 1.6, font * 1.9);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colors.fg;
    ctx.fillText(s.label, lx + font * 1.9, font * 1.9);
    lx += font * 2.9 + ctx.measureText(s.label).width;
  }
  ctx.fillText("spread (std) of each layer, log scale", font * 0.3, font * 0.7);
}

/** The words for the last layer's outputs. */
function outputWord(std, saturated, activation) {
  if (saturated >= 0.5) {
    const where = activation === "tanh" ? "beyond ±0.99" : "below 0.01 or above 0.99";
    return `saturated: ${Math.round(100 * saturated)}% of them ${where}`;
  }
  if (std < 1e-3) return "vanished";
  if (std < 0.1) return "fading";
  if (std > 1e3) return "exploded";
  if (std > 10) return "growing";
  return "steady";
}

function gradientWord(first, last) {
  const r = first / last;
  if (!(r > 0) || !Number.isFinite(r)) return "no gradient reaches the weights";
  if (r < 1e-3) return "vanishing towards layer 1";
  if (r > 1e3) return "exploding towards layer 1";
  return `level within a factor ${fmt(Math.max(r, 1 / r))}`;
}

export function render({ model, el, engine, draw }) {
  let draws = model.get("draws");
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-init" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const select = (options, labels) =>
    element(
      "select",
      {},
      options.map((o) => element("option", { value: String(o), textContent: labels ? labels[o] : String(o) })),
    );
  const scheme = select(Object.keys(SCHEMES), SCHEMES);
  const activation = select(ACTIVATIONS);
  const width = select(WIDTHS);
  // named by their labels' words only (a select's label would also read out the option shown)
  for (const [node, name] of [[scheme, "scheme"], [activation, "activation"], [width, "width"]]) node.setAttribute("aria-label", name);
  const depth = element("input", { type: "range", min: 1, max: draws.max_depth, step: 1 });
  const depthValue = element("span", { className: "dl-value" });
  const scale = element("input", { type: "range", step: 1 });
  const scaleName = element("span");
  const scaleValue = element("span", { className: "dl-value" });
  root.append(
    element("div", { className: "dl-controls" }, [
      element("label", {}, ["scheme", scheme]),
      element("label", {}, ["activation", activation]),
      element("label", {}, ["width", width]),
      element("label", { className: "dl-slider" }, [element("span", {}, ["depth (hidden layers): ", depthValue]), depth]),
      element("label", { className: "dl-slider" }, [element("span", {}, [scaleName, ": ", scaleValue]), scale]),
    ]),
  );
  const chart = draw.canvas(1000, 440, "the spread of every layer's outputs and weight gradients, log scale");
  chart.style.maxWidth = "100%";
  const outs = draw.canvas(640, 720, "histograms of every layer's outputs");
  const grads = draw.canvas(640, 720, "histograms of every layer's weight gradients");
  root.append(
    element("div", { className: "dl-figures" }, [
      element("div", { className: "dl-wide" }, [chart]),
      element("div", {}, [outs]),
      element("div", {}, [grads]),
    ]),
  );
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  const grid = () => (settings.scheme === "normal" ? STD : GAIN);
  const scaleKey = () => (settings.scheme === "normal" ? "std" : "gain");

  function describeScale() {
    const w = settings.width;
    const sigma = engine.initStd(settings.scheme, w, w, settings);
    if (settings.scheme === "normal") return ["σ of every weight", String(settings.std)];
    const formula = settings.scheme === "xavier" ? "g·√(2/(n_in+n_out))" : "g·√(2/n_in)";
    return ["gain g", `${settings.gain} (σ = ${formula} = ${fmt(sigma)})`];
  }

  function words(stats) {
    const L = settings.depth;
    const s = stats.std[L - 1];
    const [g1, gL] = [stats.gradStd[0], stats.gradStd[L - 1]];
    const what =
      settings.scheme === "normal" ? `normal N(0, ${settings.std}²)` : `${SCHEMES[settings.scheme]} with gain ${settings.gain}`;
    const head = `${what}, ${settings.activation}, ${L} layer${L > 1 ? "s" : ""} of ${settings.width}`;
    const out = `layer ${L}'s outputs have spread ${fmt(s)} (${outputWord(s, stats.saturated[L - 1], settings.activation)})`;
    const grad =
      L > 1
        ? `the weight gradients' spread is ${fmt(g1)} at layer 1 and ${fmt(gL)} at layer ${L} (${gradientWord(g1, gL)})`
        : `the weight gradients' spread is ${fmt(g1)}`;
    return `${head}: ${out}; ${grad}.`;
  }

  function update() {
    const dark = draw.isDark();
    const colors = { ...draw.palette(dark), bandFill: dark ? "rgba(0, 158, 115, 0.14)" : "rgba(0, 158, 115, 0.12)" };
    const stats = engine.initStats(draws, settings);
    spreadChart(chart.getContext("2d"), { std: stats.std, gradStd: stats.gradStd, colors });
    ridgeline(outs.getContext("2d"), {
      rows: stats.A,
      spreads: stats.std,
      title: "each layer's outputs A",
      color: colors.train,
      band: true,
      colors,
    });
    ridgeline(grads.getContext("2d"), {
      rows: stats.dW,
      spreads: stats.gradStd,
      title: "each layer's weight gradients",
      color: colors.val,
      band: false,
      colors,
    });
    const text = words(stats);
    status.textContent = text;
    chart.setAttribute("aria-label", text);
    depthValue.textContent = String(settings.depth);
    depth.setAttribute("aria-valuetext", `${settings.depth} hidden layers`);
    const [name, shown] = describeScale();
    scaleName.textContent = name;
    scaleValue.textContent = shown;
    scale.setAttribute("aria-valuetext", String(settings[scaleKey()]));
    model.set("result", { settings: { ...settings }, std: stats.std, grad_std: stats.gradStd });
    model.save_changes();
  }

  function placeScale() {
    const g = grid();
    scale.min = String(g.lo);
    scale.max = String(g.hi);
    scale.value = String(nearestK(settings[scaleKey()], g));
  }

  function fromModel() {
    draws = model.get("draws");
    settings = { ...model.get("settings") };
    scheme.value = settings.scheme;
    activation.value = settings.activation;
    width.value = String(settings.width);
    depth.max = String(draws.max_depth);
    depth.value = String(settings.depth);
    placeScale();
    update();
  }

  const listeners = [
    [scheme, "change", () => ((settings = { ...settings, scheme: scheme.value }), placeScale())],
    [activation, "change", () => (settings = { ...settings, activation: activation.value })],
    [width, "change", () => (settings = { ...settings, width: Number(width.value) })],
    [depth, "input", () => (settings = { ...settings, depth: Number(depth.value) })],
    [scale, "input", () => (settings = { ...settings, [scaleKey()]: position(Number(scale.value), grid()) })],
  ];
  for (const [node, event, set] of listeners) {
    node.addEventListener(event, () => {
      set();
      update();
    });
  }
  model.on("change:settings", fromModel);
  model.on("change:draws", fromModel);
  const unwatch = draw.watchTheme(() => update());
  fromModel();
  return () => {
    model.off("change:settings", fromModel);
    model.off("change:draws", fromModel);
    unwatch();
  };
}
