// Chapter 0: the learning rate of gradient descent on a 1-D function, from crawling to
// diverging.
//
// render({model, el, engine, draw}): state from Python (descend.live.LearningRate1D):
// `functions` (name, label, x0, window, x_min, f_min, curvature, bound = 2 / f''(x_min),
// lr_range) and `settings` ({function, lr, steps}); the run is written back as `history`.
// The learning-rate slider moves in log10(lr) over 400 positions; 1/f'' and the bound 2/f''
// are marked on it, and the positions nearest them are those two rates exactly. Two
// figures: the path on the curve, and x_t against the step t with the minimum dashed.

const POSITIONS = 400;
const CSS = `
.dl-lr1d { font: 14px/1.4 system-ui, sans-serif; max-width: 700px; }
.dl-lr1d .dl-controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 6px 14px; }
.dl-lr1d label { display: flex; flex-direction: column; gap: 2px; }
.dl-lr1d select, .dl-lr1d input { font: inherit; min-height: 32px; width: 100%; box-sizing: border-box; }
.dl-lr1d .dl-scale { position: relative; height: 3.8em; font-size: 12px; }
.dl-lr1d .dl-mark { position: absolute; top: 0; white-space: nowrap; border-left: 2px solid currentColor; height: 1.2em; }
.dl-lr1d .dl-mark span { position: absolute; top: 1.2em; right: -2px; }
.dl-lr1d .dl-mark.dl-left span { top: 2.5em; }
.dl-lr1d .dl-figures { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.dl-lr1d .dl-figures > canvas { flex: 1 1 280px; min-width: 0; }
.dl-lr1d canvas { border-radius: 4px; }
.dl-lr1d .dl-values { font: 12px/1.4 ui-monospace, monospace; overflow-wrap: anywhere; margin: 6px 0 0; }
.dl-lr1d .dl-status { font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.dl-lr1d :focus-visible { outline: 2px solid #0a7bd4; outline-offset: 2px; }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const fmt = (v) => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(4)).toString());

export function render({ model, el, engine, draw }) {
  let settings = { ...model.get("settings") };
  const root = element("div", { className: "dl-lr1d" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(element("style", { textContent: CSS }));

  const byName = () => Object.fromEntries(model.get("functions").map((f) => [f.name, f]));
  const fnSelect = element("select");
  fnSelect.setAttribute("aria-label", "function"); // else its name would include the option shown
  for (const f of model.get("functions")) fnSelect.append(element("option", { value: f.name, textContent: f.label }));
  const slider = element("input", { type: "range", min: 0, max: POSITIONS, step: 1 });
  const lrOut = element("span");
  const scale = element("div", { className: "dl-scale" });
  scale.setAttribute("aria-hidden", "true");
  root.append(
    element("div", { className: "dl-controls" }, [
      element("label", {}, [element("span", { textContent: "function" }), fnSelect]),
      element("label", {}, [element("span", { textContent: "learning rate η:" }, [" ", lrOut]), slider, scale]),
    ]),
  );
  const plot = draw.canvas(1000, 560, "the function and the path of gradient descent");
  const steps = draw.canvas(1000, 560, "the iterate x against the step, the minimum dashed");
  const bound = element("p", { className: "dl-bound" });
  const values = element("p", { className: "dl-values" });
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(element("div", { className: "dl-figures" }, [plot, steps]), bound, status, values);
  plot.style.maxWidth = steps.style.maxWidth = "640px";
  el.append(root);

  let F = null;
  let fn = null;
  let layers = new Map(); // the function's drawings that no learning rate changes (draw.layer)
  const logRange = () => [Math.log10(F.lr_range[0]), Math.log10(F.lr_range[1])];
  const toPos = (lr) => {
    const [a, b] = logRange();
    return Math.round(((Math.log10(lr) - a) / (b - a)) * POSITIONS);
  };
  const toLr = (pos) => {
    const mark = [F.bound / 2, F.bound].find((lr) => toPos(lr) === pos);
    if (mark !== undefined) return mark; // the marks themselves: 1/f'' and 2/f''
    const [a, b] = logRange();
    return Number((10 ** (a + (pos / POSITIONS) * (b - a))).toPrecision(3));
  };

  function load() {
    F = byName()[settings.function];
    fn = engine.FUNCTIONS_1D[F.name];
    layers = new Map();
    fnSelect.value = F.name;
    const marks = [
      [F.bound / 2, `1/f'' = ${fmt(F.bound / 2)}`],
      [F.bound, `2/f'' = ${fmt(F.bound)}`],
    ];
    scale.replaceChildren(
      ...marks.map(([lr, text]) => {
        const m = element("div", { className: lr < F.bound ? "dl-mark dl-left" : "dl-mark" }, [element("span", { textContent: text })]);
        // the thumb's centre runs from 8 px to (width - 8 px) of the slider
        m.style.left = `calc(8px + (100% - 16px) * ${toPos(lr) / POSITIONS})`;
        return m;
      }),
    );
    bound.textContent =
      `Bound: at the minimum x* = ${fmt(F.x_min)} the curvature is f''(x*) = ${fmt(F.curvature)}, so steps near it ` +
      `shrink the distance to x* only for η < 2/f''(x*) = ${fmt(F.bound)}; they overshoot (alternate sides) for ` +
      `η > 1/f''(x*) = ${fmt(F.bound / 2)}, and grow for η > ${fmt(F.bound)}.`;
  }

  function redraw() {
    const colors = draw.palette();
    const lr = settings.lr;
    const xs = engine.descent1d(fn, F.x0, lr, settings.steps);
    const diverged = xs.length <= settings.steps || !Number.isFinite(xs[xs.length - 1]) || Math.abs(xs[xs.length - 1]) > 1e6;
    const ctx = plot.getContext("2d");
    const { width: w, height: h } = plot;
    const font = 26;
    const pad = { l: font * 3.2, r: font, t: font * 1.4, b: font * 2.2 };
    const [x0, x1] = F.window;
    const grid = Array.from({ length: 301 }, (_, i) => x0 + (i / 300) * (x1 - x0));
    const fs = grid.map(fn.f);
    const [lo, hi0] = [Math.min(...fs), Math.max(...fs)];
    const hi = lo + (hi0 - lo) * 1.05;
    const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const Y = (v) => pad.t + ((hi - v) / (hi - lo)) * (h - pad.t - pad.b);
    ctx.drawImage(draw.layer(layers, `plot/${colors.fg}`, w, h, (c) => {
      // the background, the axes and the function's curve: the same for every learning rate
      c.fillStyle = `rgb(${colors.bg.join(",")})`;
      c.fillRect(0, 0, w, h);
      c.font = `${font}px sans-serif`;
      c.fillStyle = colors.fg;
      c.strokeStyle = colors.grid;
      c.lineWidth = 1;
      c.textAlign = "center";
      c.textBaseline = "top";
      for (let k = Math.ceil(x0); k <= Math.floor(x1); k++) {
        c.beginPath();
        c.moveTo(X(k), pad.t);
        c.lineTo(X(k), h - pad.b);
        c.stroke();
        c.fillText(String(k), X(k), h - pad.b + 6);
      }
      c.fillText("x", (pad.l + w - pad.r) / 2, h - pad.b + font + 4);
      c.textAlign = "right";
      c.textBaseline = "middle";
      for (const v of [lo, (lo + hi) / 2, hi]) c.fillText(fmt(v), pad.l - 6, Y(v));
      c.strokeStyle = colors.train;
      c.lineWidth = 4;
      c.beginPath();
      grid.forEach((x, i) => (i ? c.lineTo(X(x), Y(fs[i])) : c.moveTo(X(x), Y(fs[i]))));
      c.stroke();
    }), 0, 0);
    ctx.font = `${font}px sans-serif`;
    // the path: each iterate on the curve, joined in order; points outside the window are clipped
    const path = colors.bg[0] < 128 ? "#ff8a5c" : "#d55e00";
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
    ctx.clip();
    ctx.strokeStyle = path;
    ctx.fillStyle = path;
    ctx.lineWidth = 2;
    ctx.beginPath();
    xs.forEach((x, i) => {
      const [px, py] = [X(x), Y(fn.f(x))];
      if (i) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
    });
    ctx.stroke();
    xs.forEach((x, i) => {
      ctx.beginPath();
      ctx.arc(X(x), Y(fn.f(x)), i ? 6 : 10, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.restore();
    ctx.fillStyle = colors.fg;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`${F.label}, η = ${fmt(lr)}, x₀ = ${fmt(F.x0)}`, pad.l, 4);
    const away = xs.map((x) => Math.abs(x - F.x_min));
    const growing = diverged || away[away.length - 1] > away[0] * (1 + 1e-9);
    drawSteps(xs, colors, path, growing);

    // ---- words
    slider.value = String(toPos(lr));
    lrOut.textContent = `${fmt(lr)} (${fmt(lr / F.bound)} × 2/f'')`;
    slider.setAttribute("aria-valuetext", `${fmt(lr)}, ${fmt(lr / F.bound)} times the bound 2/f'' = ${fmt(F.bound)}`);
    const last = xs[xs.length - 1];
    const t = xs.length - 1;
    const gap = fn.f(last) - F.f_min;
    const crosses = xs.slice(1).some((x, i) => (x - F.x_min) * (xs[i] - F.x_min) < 0);
    let verdict;
    if (diverged) verdict = `diverges: |x| passed 10⁶ at step ${t}`;
    else if (growing) verdict = `diverges: each jump lands further from x* = ${fmt(F.x_min)}, |x − x*| = ${fmt(away[t])} after ${t} steps`;
    else if (crosses && Math.abs(away[t] - away[0]) <= 1e-9 * away[0])
      verdict = `bounces between the same two points forever, neither converging nor diverging`;
    else if (away[1] < 1e-12) verdict = `lands on x* = ${fmt(F.x_min)} in one step`;
    else if (Math.abs(last - F.x_min) < 1e-3)
      verdict = `converges, within 0.001 of x* = ${fmt(F.x_min)}, ${crosses ? "zig-zagging across it" : "sliding in from one side"}`;
    else if (Math.abs(fn.df(last)) < 1e-4 && fn.d2f(last) > 0) verdict = `settles in another valley, at the minimum x = ${fmt(last)}`;
    else if (Math.abs(last - F.x_min) < Math.abs(F.x0 - F.x_min) && lr < F.bound) verdict = `is still on its way to x* = ${fmt(F.x_min)} (${crosses ? "zig-zagging in slowly" : "crawling"})`;
    else verdict = `has not reached x* = ${fmt(F.x_min)}`;
    status.textContent = `η = ${fmt(lr)}: after ${t} steps x = ${fmt(last)}, f(x) − f(x*) = ${fmt(gap)}; the run ${verdict}.`;
    const shown = xs.slice(0, 16).map((x, i) => `x${i} = ${fmt(x)}`);
    values.textContent = `Iterates: ${shown.join(", ")}${xs.length > 16 ? `, …, x${t} = ${fmt(last)}` : ""}`;
    model.set("history", { function: F.name, lr, xs: xs.slice() });
    model.save_changes();
  }

  /** x_t against the step t: the minimum x* dashed, points outside the window clipped. */
  function drawSteps(xs, colors, color, growing) {
    const ctx = steps.getContext("2d");
    const { width: w, height: h } = steps;
    const font = 26;
    const pad = { l: font * 3.2, r: font, t: font * 1.4, b: font * 2.2 };
    const [lo, hi] = F.window;
    const n = settings.steps;
    const X = (t) => pad.l + (t / n) * (w - pad.l - pad.r);
    const Y = (x) => pad.t + ((hi - x) / (hi - lo)) * (h - pad.t - pad.b);
    ctx.drawImage(draw.layer(layers, `steps/${colors.fg}/${n}`, w, h, (c) => {
      // the background, the axes, x* dashed and the title: the same for every learning rate
      c.fillStyle = `rgb(${colors.bg.join(",")})`;
      c.fillRect(0, 0, w, h);
      c.font = `${font}px sans-serif`;
      c.fillStyle = colors.fg;
      c.strokeStyle = colors.grid;
      c.lineWidth = 1;
      c.textAlign = "right";
      c.textBaseline = "middle";
      for (let k = Math.ceil(lo); k <= Math.floor(hi); k++) {
        c.beginPath();
        c.moveTo(pad.l, Y(k));
        c.lineTo(w - pad.r, Y(k));
        c.stroke();
        c.fillText(String(k), pad.l - 6, Y(k));
      }
      c.textAlign = "center";
      c.textBaseline = "top";
      for (const t of [0, Math.round(n / 2), n]) c.fillText(String(t), X(t), h - pad.b + 6);
      c.fillText("step t", (pad.l + w - pad.r) / 2 + font * 2, h - pad.b + font + 4);
      c.strokeStyle = colors.fg;
      c.lineWidth = 2;
      c.setLineDash([12, 8]);
      c.beginPath();
      c.moveTo(pad.l, Y(F.x_min));
      c.lineTo(w - pad.r, Y(F.x_min));
      c.stroke();
      c.setLineDash([]);
      c.fillStyle = colors.fg;
      c.textAlign = "left";
      c.textBaseline = "top";
      c.fillText(`xₜ against the step (dashed: x* = ${fmt(F.x_min)})`, pad.l, 4);
    }), 0, 0);
    ctx.font = `${font}px sans-serif`;
    ctx.lineWidth = 2;
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
    ctx.clip();
    const clampY = (x) => Math.max(-1e4, Math.min(1e4, Y(x)));
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.beginPath();
    xs.forEach((x, t) => (t ? ctx.lineTo(X(t), clampY(x)) : ctx.moveTo(X(t), clampY(x))));
    ctx.stroke();
    xs.forEach((x, t) => {
      ctx.beginPath();
      ctx.arc(X(t), clampY(x), t ? 6 : 10, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.restore();
    if (growing) {
      const t = xs.length - 1;
      const text = `diverging: |x − x*| = ${fmt(Math.abs(xs[t] - F.x_min))} after ${t} steps`;
      ctx.font = `bold ${font}px sans-serif`;
      const tw = ctx.measureText(text).width;
      ctx.fillStyle = `rgba(${colors.bg.join(",")}, 0.85)`;
      ctx.fillRect((w - tw) / 2 - 8, pad.t + 8, tw + 16, font * 1.4);
      ctx.fillStyle = color;
      ctx.textAlign = "center";
      ctx.fillText(text, w / 2, pad.t + 8 + font * 0.2);
    }
  }

  function update(next, save = true) {
    settings = { ...settings, ...next };
    if (save) {
      model.set("settings", { ...settings });
      model.save_changes();
    }
    redraw();
  }
  fnSelect.addEventListener("change", () => {
    settings = { ...settings, function: fnSelect.value };
    load();
    update({ lr: toLr(Math.round(POSITIONS * 0.6)) });
  });
  slider.addEventListener("input", () => update({ lr: toLr(Number(slider.value)) }));
  function fromModel() {
    const next = model.get("settings");
    if (JSON.stringify(next) === JSON.stringify(settings)) return;
    const newFn = next.function !== settings.function;
    settings = { ...next };
    if (newFn) load();
    redraw();
  }
  model.on("change:settings", fromModel);
  const unwatch = draw.watchTheme(() => redraw());
  load();
  redraw();
  return () => {
    model.off("change:settings", fromModel);
    unwatch();
  };
}
