// The chapter-5 learning rate on a stretched bowl: gradient descent, the rate on a slider.
//
// render({model, el, engine, draw}) builds the slider (with 1/lambda_max and the bound
// 2/lambda_max marked under it), the contour map with the path, the value against the
// step and the status line, and returns a clean-up function. The state comes from
// Python (descend.live.explorers_b.LearningRateBowl): `bowl` (the Hessian's entries, its
// eigenvalues, start and window) and `settings` (lr, steps, lr_max). The path is
// engine.minimize's with SGD, the same numbers as descend.minimize.

const POSITIONS = 250; // the slider's positions: lr = k lr_max / 250
const COLOR = "#d55e00"; // the book's vermillion, as the precomputed frames had

const CSS = `
.dl-bowl { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-bowl label { display: flex; flex-direction: column; gap: 2px; max-width: 560px; }
.dl-bowl input { font: inherit; min-height: 28px; width: 100%; margin: 0; }
.dl-bowl .dl-ruler { position: relative; height: 34px; margin: 0 8px; max-width: 544px; font-size: 12px; }
.dl-bowl .dl-ruler span { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; border-top: 2px solid currentColor; padding-top: 2px; }
.dl-bowl .dl-figures { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; margin: 6px 0 4px; }
.dl-bowl .dl-figures > div { flex: 1 1 240px; max-width: 330px; }
.dl-bowl .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-bowl :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const g4 = (v) => Number(v.toPrecision(4));
const fmt = (v) => (!Number.isFinite(v) ? String(v) : v === 0 ? "0" : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3))));

export function render({ model, el, engine, draw }) {
  let bowl = model.get("bowl");
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-bowl" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const lrOf = (k) => g4((Number(k) * settings.lr_max) / POSITIONS);
  const slider = element("input", { type: "range", min: 1, max: POSITIONS, step: 1 });
  const value = element("span", { className: "dl-value" });
  const ruler = element("div", { className: "dl-ruler" });
  ruler.setAttribute("aria-hidden", "true");
  root.append(element("label", {}, [element("span", { textContent: "learning rate η: " }, [value]), slider]), ruler);
  const map = draw.canvas(600, 600, "contours of the bowl with the path of gradient descent");
  const curve = draw.canvas(600, 480, "the value f against the step, log scale");
  root.append(element("div", { className: "dl-figures" }, [element("div", {}, [map]), element("div", {}, [curve])]));
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(status);
  el.append(root);

  const bound = () => 2 / bowl.lam_max;
  function fillRuler() {
    const marks = [
      [1 / bowl.lam_max, "1/λmax"],
      [bound(), `2/λmax = ${g4(bound())}`],
    ];
    ruler.replaceChildren(
      ...marks.map(([lr, text]) => {
        const span = element("span", { textContent: text });
        span.style.left = `${(100 * (lr - settings.lr_max / POSITIONS)) / (settings.lr_max - settings.lr_max / POSITIONS)}%`;
        return span;
      }),
    );
  }

  let backgrounds = new Map();
  function run() {
    const surface = engine.quadratic(bowl);
    const opt = engine.optimizer("sgd", { lr: settings.lr });
    try {
      return { surface, path: engine.minimize(surface, opt, bowl.start, settings.steps), diverged: null };
    } catch (err) {
      if (!(err instanceof engine.DivergenceError)) throw err;
      const path = engine.minimize(surface, engine.optimizer("sgd", { lr: settings.lr }), bowl.start, Math.max(0, err.step - 1));
      return { surface, path, diverged: err.step };
    }
  }

  function describe({ path, diverged }) {
    const lr = settings.lr;
    const lam = bowl.lam_max;
    let kind;
    if (diverged !== null) kind = "zig-zags ever wider and overflows: it diverges";
    else if (lr < 1 / lam) kind = "slides towards the minimum without crossing the valley";
    else if (Math.abs(lr - bound()) < 1e-9) kind = "bounces across the valley at a constant width, never converging";
    else if (lr < bound()) kind = "zig-zags across the valley while converging";
    else kind = "zig-zags ever wider: it diverges";
    const v = path.values;
    const ratio = v[v.length - 1] / v[0];
    const tail = diverged !== null ? "" : `; after ${settings.steps} steps f is ${fmt(ratio)} times its starting value`;
    return `Learning rate ${lr} (bound 2/λmax = ${g4(bound())}): the path ${kind}${tail}.`;
  }

  function update() {
    const dark = draw.isDark();
    const colors = draw.palette(dark);
    const result = run();
    const { path } = result;
    // the map
    const ctx = map.getContext("2d");
    const { width: w, height: h } = map;
    ctx.drawImage(draw.layer(backgrounds, `map/${dark}`, w, h, (c) => {
      // the contour map, scaled to the canvas once
      c.imageSmoothingEnabled = true;
      c.drawImage(draw.contourImage(result.surface.f, { xlim: bowl.xlim, ylim: bowl.ylim, res: 200, bands: 10, dark }), 0, 0, w, h);
    }), 0, 0);
    const clampPx = (v) => Math.max(-1e4, Math.min(1e4, v));
    const X = (x) => clampPx(((x - bowl.xlim[0]) / (bowl.xlim[1] - bowl.xlim[0])) * w);
    const Y = (y) => clampPx(((bowl.ylim[1] - y) / (bowl.ylim[1] - bowl.ylim[0])) * h);
    ctx.strokeStyle = COLOR;
    ctx.fillStyle = COLOR;
    ctx.lineWidth = 3;
    ctx.beginPath();
    path.points.forEach(([x, y], t) => (t ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
    for (const [x, y] of path.points) {
      ctx.beginPath();
      ctx.arc(X(x), Y(y), 6, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.font = "24px sans-serif";
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(`η = ${settings.lr}   (2/λmax = ${g4(bound())})`, w / 2, 8);
    // the value against the step, log scale, with the starting value dotted
    const c2 = curve.getContext("2d");
    const { width: w2, height: h2 } = curve;
    const font = 22;
    const pad = { l: font * 3.4, r: font, t: font * 2.2, b: font * 2.4 };
    const [lo, hi] = [-12, 4];
    const Xs = (t) => pad.l + (t / settings.steps) * (w2 - pad.l - pad.r);
    const Ys = (v) => h2 - pad.b - ((Math.min(hi, Math.max(lo, Math.log10(Math.max(v, 1e-300)))) - lo) / (hi - lo)) * (h2 - pad.t - pad.b);
    c2.drawImage(draw.layer(backgrounds, `axes/${dark}/${settings.steps}`, w2, h2, (c) => {
      // the background, the grid and the axes' words: the same for every learning rate
      c.fillStyle = `rgb(${colors.bg.join(",")})`;
      c.fillRect(0, 0, w2, h2);
      c.font = `${font}px sans-serif`;
      c.strokeStyle = colors.grid;
      c.fillStyle = colors.fg;
      c.lineWidth = 1;
      c.textAlign = "right";
      c.textBaseline = "middle";
      for (let k = lo; k <= hi; k += 4) {
        c.beginPath();
        c.moveTo(pad.l, Ys(10 ** k));
        c.lineTo(w2 - pad.r, Ys(10 ** k));
        c.stroke();
        c.fillText(k === 0 ? "1" : `1e${k}`, pad.l - font * 0.3, Ys(10 ** k));
      }
      c.textAlign = "center";
      c.textBaseline = "top";
      c.fillText("0", Xs(0), h2 - pad.b + font * 0.3);
      c.fillText(String(settings.steps), Xs(settings.steps) - font * 0.5, h2 - pad.b + font * 0.3);
      c.fillText("step", (pad.l + w2 - pad.r) / 2, h2 - pad.b + font * 0.3);
    }), 0, 0);
    c2.font = `${font}px sans-serif`;
    c2.lineWidth = 1;
    c2.fillStyle = colors.fg;
    c2.textAlign = "left";
    c2.textBaseline = "top";
    const v = path.values;
    c2.fillText(`f (log scale); after ${v.length - 1} steps: ${fmt(v[v.length - 1])}`, font * 0.3, font * 0.2);
    c2.setLineDash([4, 6]);
    c2.strokeStyle = colors.fg;
    c2.beginPath();
    c2.moveTo(pad.l, Ys(v[0]));
    c2.lineTo(w2 - pad.r, Ys(v[0]));
    c2.stroke();
    c2.setLineDash([]);
    c2.strokeStyle = COLOR;
    c2.lineWidth = 3;
    c2.beginPath();
    v.forEach((f, t) => (t ? c2.lineTo(Xs(t), Ys(f)) : c2.moveTo(Xs(t), Ys(f))));
    c2.stroke();
    // words
    const text = describe(result);
    status.textContent = text;
    map.setAttribute("aria-label", text);
    value.textContent = String(settings.lr);
    slider.setAttribute("aria-valuetext", `${settings.lr}${settings.lr > bound() ? ", above the bound 2/λmax" : ""}`);
    model.set("result", { lr: settings.lr, values: v.slice(), ratio: v[v.length - 1] / v[0], diverged: result.diverged });
    model.save_changes();
  }

  function fromModel() {
    bowl = model.get("bowl");
    settings = { ...model.get("settings") };
    backgrounds = new Map();
    slider.value = String(Math.round((settings.lr / settings.lr_max) * POSITIONS));
    fillRuler();
    update();
  }
  slider.addEventListener("input", () => {
    settings = { ...settings, lr: lrOf(slider.value) };
    update();
  });
  model.on("change:settings", fromModel);
  model.on("change:bowl", fromModel);
  const unwatch = draw.watchTheme(() => update());
  fromModel();
  return () => {
    model.off("change:settings", fromModel);
    model.off("change:bowl", fromModel);
    unwatch();
  };
}
