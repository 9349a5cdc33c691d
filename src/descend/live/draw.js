// Canvas drawing for the live explorers: theme colours, a probability map with the data
// points on top, and loss curves on a log scale. No state of its own: every function
// draws what it is given into the canvas it is given.

/** Whether the page around `el` is dark: the website's data-theme, JupyterLab's theme,
 *  VS Code's body class, else the reader's system preference. */
export function isDark() {
  const theme = document.documentElement.dataset.theme;
  if (theme === "dark" || theme === "light") return theme === "dark";
  const jp = document.body?.dataset.jpThemeLight;
  if (jp === "true" || jp === "false") return jp === "false";
  if (document.body?.classList.contains("vscode-dark")) return true;
  if (document.body?.classList.contains("vscode-light")) return false;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

/** The colours of one theme: the book's Okabe-Ito blue (class 0) and orange (class 1),
 *  lighter blue on a dark page. */
export function palette(dark = isDark()) {
  return dark
    ? { bg: [32, 33, 36], fg: "#e8e8e8", grid: "#555", class0: [86, 180, 233], class1: [230, 159, 0], train: "#56b4e9", val: "#e69f00" }
    : { bg: [255, 255, 255], fg: "#222", grid: "#ccc", class0: [0, 114, 178], class1: [230, 159, 0], train: "#0072b2", val: "#d55e00" };
}

/** Call `onChange` when the page switches between light and dark; returns the un-watcher. */
export function watchTheme(onChange) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  if (document.body) observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "class"] });
  const media = window.matchMedia?.("(prefers-color-scheme: dark)");
  media?.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    media?.removeEventListener("change", onChange);
  };
}

/** A canvas with `width` x `height` drawing units, shown at most `width / 2` CSS pixels wide. */
export function canvas(width, height, label) {
  const c = document.createElement("canvas");
  Object.assign(c, { width, height });
  c.style.width = "100%";
  c.style.maxWidth = `${width / 2}px`;
  c.style.aspectRatio = `${width} / ${height}`;
  c.setAttribute("role", "img");
  c.setAttribute("aria-label", label);
  return c;
}

function mix(a, b, t) {
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

/** A square window [x0, x1] x [y0, y1] around every point, with a margin. */
export function extent(points, margin = 0.15) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of points) {
    [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
  }
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * (1 + margin);
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/** The centres of a res x res grid over `box`, row by row from the top: [[x, y], ...]. */
export function gridPoints(box, res) {
  const pts = [];
  for (let r = 0; r < res; r++) {
    const y = box.y1 - ((r + 0.5) / res) * (box.y1 - box.y0);
    for (let c = 0; c < res; c++) pts.push([box.x0 + ((c + 0.5) / res) * (box.x1 - box.x0), y]);
  }
  return pts;
}

/**
 * The probability map: `proba` (res x res, from gridPoints' order) shaded from class 0's
 * colour (p = 0) through the background (p = 0.5) to class 1's (p = 1), then the points:
 * training points filled, validation points as rings.
 */
export function boundary(ctx, { proba, res, box, train, val, colors }) {
  const { width: w, height: h } = ctx.canvas;
  const img = new ImageData(res, res);
  for (let i = 0; i < proba.length; i++) {
    const p = Number.isFinite(proba[i]) ? proba[i] : 0.5;
    const rgb = p < 0.5 ? mix(colors.bg, colors.class0, 0.6 * (1 - 2 * p)) : mix(colors.bg, colors.class1, 0.6 * (2 * p - 1));
    img.data.set([...rgb, 255], 4 * i);
  }
  const tile = new OffscreenCanvas(res, res);
  tile.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tile, 0, 0, w, h);
  const toPx = ([x, y]) => [((x - box.x0) / (box.x1 - box.x0)) * w, ((box.y1 - y) / (box.y1 - box.y0)) * h];
  const r = w / 110;
  for (const [set, filled] of [[train, true], [val, false]]) {
    for (let i = 0; i < set.X.length; i++) {
      const [px, py] = toPx(set.X[i]);
      const c = `rgb(${(set.y[i] ? colors.class1 : colors.class0).join(",")})`;
      ctx.beginPath();
      ctx.arc(px, py, r, 0, 2 * Math.PI);
      ctx.lineWidth = r / 2;
      if (filled) {
        ctx.fillStyle = c;
        ctx.fill();
        ctx.strokeStyle = colors.fg;
        ctx.lineWidth = r / 4;
      } else ctx.strokeStyle = c;
      ctx.stroke();
    }
  }
}

/** Loss curves against the epoch on a log scale: [{values, color, dash, label}, ...]. */
export function lossCurves(ctx, { series, epochs, colors, font = 22 }) {
  const { width: w, height: h } = ctx.canvas;
  ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
  ctx.fillRect(0, 0, w, h);
  const pad = { l: font * 3.2, r: font * 1.8, t: font * 1.8, b: font * 2.4 };
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.floor(Math.log10(Math.min(...all, 0.1)));
  const hi = Math.ceil(Math.log10(Math.max(...all, 1)));
  const xmax = Math.max(epochs, 10);
  const X = (e) => pad.l + (e / xmax) * (w - pad.l - pad.r);
  const Y = (v) => h - pad.b - ((Math.log10(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.font = `${font}px sans-serif`;
  ctx.fillStyle = colors.fg;
  ctx.strokeStyle = colors.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let k = lo; k <= hi; k++) {
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(10 ** k));
    ctx.lineTo(w - pad.r, Y(10 ** k));
    ctx.stroke();
    ctx.fillText(k >= 0 ? String(10 ** k) : (10 ** k).toFixed(-k), pad.l - font * 0.3, Y(10 ** k));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText("0", X(0), h - pad.b + font * 0.3);
  ctx.fillText(String(xmax), X(xmax), h - pad.b + font * 0.3);
  ctx.fillText("epoch", (pad.l + w - pad.r) / 2, h - pad.b + font * 0.3);
  ctx.save();
  ctx.translate(font * 0.8, (pad.t + h - pad.b) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText("loss", 0, -font * 0.5);
  ctx.restore();
  ctx.textAlign = "left";
  let lx = pad.l;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 3;
    ctx.setLineDash(s.dash ? [10, 6] : []);
    ctx.beginPath();
    s.values.forEach((v, e) => (e ? ctx.lineTo(X(e), Y(Math.max(v, 10 ** lo))) : ctx.moveTo(X(e), Y(Math.max(v, 10 ** lo)))));
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(lx, pad.t / 2);
    ctx.lineTo(lx + font * 1.5, pad.t / 2);
    ctx.stroke();
    ctx.fillStyle = colors.fg;
    ctx.textBaseline = "middle";
    ctx.fillText(s.label, lx + font * 1.8, pad.t / 2);
    lx += font * 2.2 + ctx.measureText(s.label).width + font;
  }
  ctx.setLineDash([]);
}

// ------------------------------------------------------------------ contour maps (live2: chapter 5)

/**
 * A contour map of `f` over the window `xlim` x `ylim` as a `res` x `res` image: bands
 * evenly spaced in log10(f - fmin) (floored at 1e-4), lower bands shaded darker, and a
 * line where the band changes. Returns an OffscreenCanvas to draw scaled with drawImage.
 */
export function contourImage(f, { xlim, ylim, fmin = 0, res = 240, bands = 14, dark = isDark() }) {
  const [x0, x1] = xlim;
  const [y0, y1] = ylim;
  const logs = new Float64Array(res * res);
  let [lo, hi] = [Infinity, -Infinity];
  for (let r = 0; r < res; r++) {
    const y = y1 - ((r + 0.5) / res) * (y1 - y0);
    for (let c = 0; c < res; c++) {
      const x = x0 + ((c + 0.5) / res) * (x1 - x0);
      const v = Math.log10(Math.max(f(x, y) - fmin, 1e-4));
      logs[r * res + c] = v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const band = new Array(logs.length);
  for (let i = 0; i < logs.length; i++) band[i] = Math.min(bands - 1, Math.floor(((logs[i] - lo) / (hi - lo + 1e-12)) * bands));
  const img = new ImageData(res, res);
  const base = palette(dark).bg;
  const tint = dark ? [70, 72, 80] : [222, 226, 235];
  const line = dark ? [120, 122, 130] : [160, 164, 175];
  // each band's shade, once: darker tint in the low valleys
  const shade = Array.from({ length: bands }, (_, k) => base.map((b, j) => Math.round(b + (tint[j] - b) * (1 - k / (bands - 1)))));
  const data = img.data;
  for (let i = 0; i < band.length; i++) {
    const r = Math.floor(i / res);
    const c = i - r * res;
    const edge = (c + 1 < res && band[i + 1] !== band[i]) || (r + 1 < res && band[i + res] !== band[i]);
    const rgb = edge ? line : (shade[band[i]] ?? [0, 0, 0]); // a band that is not a number: black, as ImageData stores NaN
    data[4 * i] = rgb[0];
    data[4 * i + 1] = rgb[1];
    data[4 * i + 2] = rgb[2];
    data[4 * i + 3] = 255;
  }
  const tile = new OffscreenCanvas(res, res);
  tile.getContext("2d").putImageData(img, 0, 0);
  return tile;
}

// ---- iterate (chapter 06): the decision boundary as a line

/**
 * The line segments where `z` (res x res values at gridPoints(box, res), row by row from
 * the top) crosses `level`, by marching squares: [[[x, y], [x, y]], ...] in data units.
 * For a probability map and level 0.5, the decision boundary.
 */
export function levelSegments(z, res, box, level) {
  const X = (c) => box.x0 + ((c + 0.5) / res) * (box.x1 - box.x0);
  const Y = (r) => box.y1 - ((r + 0.5) / res) * (box.y1 - box.y0);
  const segs = [];
  for (let r = 0; r < res - 1; r++) {
    for (let c = 0; c < res - 1; c++) {
      const v = [z[r * res + c], z[r * res + c + 1], z[(r + 1) * res + c + 1], z[(r + 1) * res + c]];
      const corners = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]];
      const pts = [];
      for (let k = 0; k < 4; k++) {
        const [a, b] = [v[k], v[(k + 1) % 4]];
        if (a < level !== b < level && Number.isFinite(a) && Number.isFinite(b)) {
          const t = (level - a) / (b - a);
          const [ca, cb] = [corners[k], corners[(k + 1) % 4]];
          pts.push([X(ca[0] + t * (cb[0] - ca[0])), Y(ca[1] + t * (cb[1] - ca[1]))]);
        }
      }
      if (pts.length >= 2) segs.push([pts[0], pts[1]]);
      if (pts.length === 4) segs.push([pts[2], pts[3]]);
    }
  }
  return segs;
}

// ---- regression (chapters 07 and 08): the loss against the step

/** The nice axis end at or above `k` steps: 10, 20, 50, 100, 200, 500, 1000, ... */
export function niceSteps(k) {
  for (let top = 10; ; top *= 10) for (const m of [1, 2, 5]) if (m * top >= k) return m * top;
}

/**
 * The loss against the step on a log scale: `values` (step 0 .. k) as a line with the last
 * value dotted, an optional `floor` (e.g. the least-squares loss) dashed, a title at the top.
 */
export function lossVsStep(ctx, { values, floor = null, title, color, colors, font = 22 }) {
  const { width: w, height: h } = ctx.canvas;
  ctx.fillStyle = `rgb(${colors.bg.join(",")})`;
  ctx.fillRect(0, 0, w, h);
  const pad = { l: font * 3.2, r: font * 1.2, t: font * 2.0, b: font * 2.4 };
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const all = floor !== null && floor > 0 ? [...finite, floor] : finite;
  let lo = Math.floor(Math.log10(Math.min(...all, 1)));
  let hi = Math.ceil(Math.log10(Math.max(...all, 1)));
  lo = Math.max(lo, hi - 12);
  if (hi === lo) hi = lo + 1;
  const top = niceSteps(Math.max(values.length - 1, 1));
  const X = (t) => pad.l + (t / top) * (w - pad.l - pad.r);
  const Y = (v) => h - pad.b - ((Math.min(hi, Math.max(lo, Math.log10(v))) - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.font = `${font}px sans-serif`;
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.fg;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const every = Math.ceil((hi - lo) / 5);
  for (let k = lo; k <= hi; k += every) {
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(10 ** k));
    ctx.lineTo(w - pad.r, Y(10 ** k));
    ctx.stroke();
    ctx.fillText(k === 0 ? "1" : k > 0 && k < 4 ? String(10 ** k) : `1e${k}`, pad.l - font * 0.3, Y(10 ** k));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText("0", X(0), h - pad.b + font * 0.3);
  ctx.fillText(String(top), X(top) - font * 0.6, h - pad.b + font * 0.3);
  ctx.fillText("step", (pad.l + w - pad.r) / 2, h - pad.b + font * 0.3);
  ctx.textAlign = "left";
  ctx.fillText(title, font * 0.3, font * 0.3);
  if (floor !== null && floor > 0) {
    ctx.setLineDash([8, 6]);
    ctx.strokeStyle = colors.fg;
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(floor));
    ctx.lineTo(w - pad.r, Y(floor));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 3;
  ctx.beginPath();
  tracePath(ctx, values.map((v, t) => [X(t), Y(v)]));
  ctx.stroke();
  const last = values.length - 1;
  ctx.beginPath();
  ctx.arc(X(last), Y(values[last]), 6, 0, 2 * Math.PI);
  ctx.fill();
}

// ---- perf (issue 15): what does not change with an input, drawn once and copied

/**
 * The layer `key` of `cache` (a Map): a `width` x `height` OffscreenCanvas that `paint(ctx)`
 * draws the first time it is asked for. An explorer copies it into its canvas with
 * `drawImage(layer, 0, 0)` (pixel for pixel) on every input instead of drawing it again,
 * and clears `cache` when what the layer shows changes (a new surface, new data).
 */
export function layer(cache, key, width, height, paint) {
  if (!cache.has(key)) {
    const c = new OffscreenCanvas(width, height);
    paint(c.getContext("2d"));
    cache.set(key, c);
  }
  return cache.get(key);
}

/**
 * `points` ([[x, y], ...], canvas units) as one path: moveTo the first, lineTo the rest,
 * leaving out each point that lies within `tolerance` units of the line drawn without it:
 * first the points that close to the last point kept (a run that has converged stacks
 * hundreds on one spot), then, from each point kept, as many of the next (up to 32) as all
 * lie that close to one straight segment (a curve flatter than a pixel). The line stroked
 * moves by less than `tolerance` (a quarter of a canvas unit, an eighth of a CSS pixel),
 * and a path of a thousand steps costs the segments it shows, in time linear in its length.
 * A point that is not finite is kept, as are the first and the last.
 */
export function tracePath(ctx, points, tolerance = 0.25) {
  const tol2 = tolerance * tolerance; // squared distances: no square roots
  const near = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const q = near.length ? near[near.length - 1] : null;
    if (!q || i === points.length - 1 || !((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 <= tol2)) near.push(p);
  }
  const within = (a, c) => {
    // every point strictly between a and c within `tolerance` of the segment a-c
    const [ax, ay] = near[a];
    const [dx, dy] = [near[c][0] - ax, near[c][1] - ay];
    const len2 = dx * dx + dy * dy;
    for (let i = a + 1; i < c; i++) {
      const [px, py] = near[i];
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
      const [ex, ey] = [px - ax - t * dx, py - ay - t * dy];
      if (!(ex * ex + ey * ey <= tol2)) return false;
    }
    return true;
  };
  if (!near.length) return;
  ctx.moveTo(near[0][0], near[0][1]);
  for (let a = 0; a < near.length - 1; ) {
    let c = a + 1;
    while (c + 1 < near.length && c + 1 - a <= 32 && within(a, c + 1)) c += 1;
    ctx.lineTo(near[c][0], near[c][1]);
    a = c;
  }
}
