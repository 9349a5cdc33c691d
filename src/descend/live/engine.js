// The in-browser engine: the parts of the Python library `descend` that live explorers
// need, in plain JavaScript (ES module, float64, no dependencies, no global state).
//
// Written to be read next to the Python: each function names the public Python function
// whose maths it mirrors, uses the book's names (X, W, b, Z, A, lr, grads) and does the
// arithmetic in the same order, so tests/test_engine_golden.py can require the same
// numbers as `descend` (relative error <= 1e-12 for a forward pass and its gradients,
// <= 1e-9 after 50 optimizer steps or a few epochs of training).
//
// Shapes: a matrix is {rows, cols, data} with `data` a plain array of numbers (float64) in
// row-major order (one example per row, as in descend); a bias or any other vector is a
// plain array. (Plain arrays, not Float64Arrays: V8 allocates small ones far faster, and
// training allocates many small arrays.)
// Data and initial weights always come from Python; the engine draws no random numbers
// except the batch order of `shuffledOrder`, which tests pass explicitly instead.

// ------------------------------------------------------------------ matrices

/** n zeros, in an array V8 stores as raw doubles (the fill with 0.5 sets its kind). */
export function zeros(n) {
  return new Array(n).fill(0.5).fill(0);
}

/** A rows x cols matrix of zeros, or wrapping `data` (row-major). */
export function matrix(rows, cols, data = zeros(rows * cols)) {
  if (data.length !== rows * cols) {
    throw new Error(`a ${rows} x ${cols} matrix needs ${rows * cols} numbers, got ${data.length}`);
  }
  return { rows, cols, data: Array.isArray(data) ? data : Array.from(data) };
}

/** A matrix from nested arrays [[...], [...]] (one row each), as NumPy's tolist() gives. */
export function fromRows(rows) {
  const cols = rows.length ? rows[0].length : 0;
  return matrix(rows.length, cols, rows.flat());
}

/** Nested arrays from a matrix: the inverse of fromRows. */
export function toRows(M) {
  const out = [];
  for (let i = 0; i < M.rows; i++) out.push(M.data.slice(i * M.cols, (i + 1) * M.cols));
  return out;
}

/** The rows of X picked by `idx`, in that order (X[idx] in NumPy). */
export function takeRows(X, idx) {
  const out = matrix(idx.length, X.cols);
  for (let r = 0; r < idx.length; r++) {
    for (let c = 0; c < X.cols; c++) out.data[r * X.cols + c] = X.data[idx[r] * X.cols + c];
  }
  return out;
}

// A @ B, A.T @ B and A @ B.T, each sum taken over k in increasing order.
function matmul(A, B) {
  const [a, b, n, m, p] = [A.data, B.data, A.rows, A.cols, B.cols];
  const C = matrix(n, p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k] * b[k * p + j];
      C.data[i * p + j] = s;
    }
  }
  return C;
}

function matmulTA(A, B) {
  const [a, b, n, m, p] = [A.data, B.data, A.rows, A.cols, B.cols];
  const C = matrix(m, p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k * m + i] * b[k * p + j];
      C.data[i * p + j] = s;
    }
  }
  return C;
}

function matmulTB(A, B) {
  const [a, b, n, m, p] = [A.data, B.data, A.rows, A.cols, B.rows];
  const C = matrix(n, p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += a[i * m + k] * b[j * m + k];
      C.data[i * p + j] = s;
    }
  }
  return C;
}

function mapMatrix(M, fn) {
  const out = matrix(M.rows, M.cols);
  for (let i = 0; i < M.data.length; i++) out.data[i] = fn(M.data[i], i);
  return out;
}

// ------------------------------------------------------------------ step 2: activations

/** sigma(z) = 1 / (1 + exp(-z)) without overflow. // mirrors descend.activations.sigmoid */
export function sigmoid(z) {
  const e = Math.exp(-Math.abs(z));
  return sigmoidFromExp(z, e);
}

function sigmoidFromExp(z, e) {
  const d = 1 + e;
  return z >= 0 ? 1 / d : e / d;
}

export const LEAKY_ALPHA = 0.01; // descend.activations.leaky_relu's default alpha

// Each activation: forward(Z) -> {A, cache}, backward(dA, cache) -> dZ, elementwise, each
// with its own loop (one function per loop keeps them fast in the JIT).
// mirrors descend.activations.{identity,sigmoid,tanh,relu,leaky_relu}_{forward,backward}
export const ACTIVATIONS = {
  identity: {
    forward: (Z) => ({ A: matrix(Z.rows, Z.cols, Z.data.slice()), cache: null }),
    backward: (dA) => matrix(dA.rows, dA.cols, dA.data.slice()),
  },
  sigmoid: {
    forward(Z) {
      const A = matrix(Z.rows, Z.cols);
      for (let i = 0; i < A.data.length; i++) A.data[i] = sigmoid(Z.data[i]);
      return { A, cache: A };
    },
    backward(dA, A) {
      const dZ = matrix(dA.rows, dA.cols);
      for (let i = 0; i < dZ.data.length; i++) dZ.data[i] = dA.data[i] * A.data[i] * (1 - A.data[i]);
      return dZ;
    },
  },
  tanh: {
    forward(Z) {
      const A = matrix(Z.rows, Z.cols);
      for (let i = 0; i < A.data.length; i++) A.data[i] = Math.tanh(Z.data[i]);
      return { A, cache: A };
    },
    backward(dA, A) {
      // descend computes 1 - A^2 first, then multiplies by dA
      const dZ = matrix(dA.rows, dA.cols);
      for (let i = 0; i < dZ.data.length; i++) dZ.data[i] = (1 - A.data[i] * A.data[i]) * dA.data[i];
      return dZ;
    },
  },
  relu: {
    forward(Z) {
      const A = matrix(Z.rows, Z.cols);
      for (let i = 0; i < A.data.length; i++) A.data[i] = Z.data[i] > 0 ? Z.data[i] : 0;
      return { A, cache: Z };
    },
    backward(dA, Z) {
      const dZ = matrix(dA.rows, dA.cols);
      for (let i = 0; i < dZ.data.length; i++) dZ.data[i] = dA.data[i] * (Z.data[i] > 0 ? 1 : 0);
      return dZ;
    },
  },
  leaky_relu: {
    forward(Z) {
      const A = matrix(Z.rows, Z.cols);
      for (let i = 0; i < A.data.length; i++) A.data[i] = Z.data[i] > 0 ? Z.data[i] : LEAKY_ALPHA * Z.data[i];
      return { A, cache: Z };
    },
    backward(dA, Z) {
      const dZ = matrix(dA.rows, dA.cols);
      for (let i = 0; i < dZ.data.length; i++) dZ.data[i] = dA.data[i] * (Z.data[i] > 0 ? 1 : LEAKY_ALPHA);
      return dZ;
    },
  },
};

// ------------------------------------------------------------------ step 2: dense layer

/** Z = X @ W + b.  // mirrors descend.layers.dense_forward */
export function denseForward(X, W, b) {
  const Z = matmul(X, W);
  for (let i = 0; i < Z.rows; i++) {
    for (let j = 0; j < Z.cols; j++) Z.data[i * Z.cols + j] += b[j];
  }
  return Z;
}

/** dX = dZ @ W.T, dW = X.T @ dZ, db = sum of dZ's rows.  // mirrors descend.layers.dense_backward */
export function denseBackward(dZ, X, W, needDX = true) {
  const db = zeros(dZ.cols);
  for (let i = 0; i < dZ.rows; i++) {
    for (let j = 0; j < dZ.cols; j++) db[j] += dZ.data[i * dZ.cols + j];
  }
  return { dX: needDX ? matmulTB(dZ, W) : null, dW: matmulTA(X, dZ), db };
}

// ------------------------------------------------------------------ losses from logits

function mean(values) {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Targets as a matrix of the logits' shape: labels (n,) for outputs (n, 1). */
function targets(y, out) {
  if (y.data) return y;
  return matrix(out.rows, out.cols, Array.from(y));
}

/** Mean squared error and its gradient 2 (y_hat - y) / N.  // mirrors descend.losses.mse */
export function mse(yHat, y) {
  const Y = targets(y, yHat);
  const diff = mapMatrix(yHat, (v, i) => v - Y.data[i]);
  const loss = mean(diff.data.map((d) => d ** 2));
  return { loss, dlogits: mapMatrix(diff, (d) => (2 * d) / diff.data.length) };
}

/** max(z, 0) - z y + log(1 + exp(-|z|)) and (sigma(z) - y) / N.
 *  // mirrors descend.losses.binary_cross_entropy */
export function binaryCrossEntropy(logits, y) {
  const Y = targets(y, logits);
  const n = logits.data.length;
  const losses = zeros(n);
  const dlogits = matrix(logits.rows, logits.cols);
  for (let i = 0; i < n; i++) {
    const z = logits.data[i];
    const e = Math.exp(-Math.abs(z));
    losses[i] = Math.max(z, 0) - z * Y.data[i] + Math.log1p(e);
    dlogits.data[i] = (sigmoidFromExp(z, e) - Y.data[i]) / n;
  }
  return { loss: mean(losses), dlogits };
}

/** -mean log softmax(z)[label] and (softmax(z) - one_hot(y)) / n; y holds class labels.
 *  // mirrors descend.losses.softmax_cross_entropy */
export function softmaxCrossEntropy(logits, y) {
  const { rows: n, cols: k } = logits;
  const dlogits = matrix(n, k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const z = logits.data.slice(i * k, (i + 1) * k);
    const m = Math.max(...z);
    let sumE = 0;
    for (let j = 0; j < k; j++) sumE += Math.exp(z[j] - m);
    const label = y.data ? argmax(y.data.slice(i * k, (i + 1) * k)) : y[i];
    total += z[label] - m - Math.log(sumE); // log_softmax(z)[label]
    for (let j = 0; j < k; j++) {
      dlogits.data[i * k + j] = (Math.exp(z[j] - m) / sumE - (j === label ? 1 : 0)) / n;
    }
  }
  return { loss: -total / n, dlogits };
}

function argmax(values) {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j] > values[best]) best = j;
  return best;
}

export const LOSSES = {
  mse,
  binary_cross_entropy: binaryCrossEntropy,
  softmax_cross_entropy: softmaxCrossEntropy,
};

// ------------------------------------------------------------------ the network

/**
 * A network as plain data: sizes [n_in, h1, ..., n_out], one activation name per hidden
 * layer, a loss name, and params {W1, b1, W2, ...} (W{l} a matrix, b{l} an array).
 * `params` come from Python (descend.Network(...).params), never drawn here.
 * // mirrors descend.Network
 */
export function network({ sizes, activation = "tanh", loss = "binary_cross_entropy", params }) {
  const hidden = sizes.length - 2;
  const activations = typeof activation === "string" ? Array(hidden).fill(activation) : activation;
  for (const a of activations) {
    if (!(a in ACTIVATIONS)) throw new Error(`unknown activation ${a}; choose one of ${Object.keys(ACTIVATIONS)}`);
  }
  if (!(loss in LOSSES)) throw new Error(`unknown loss ${loss}; choose one of ${Object.keys(LOSSES)}`);
  const own = {};
  for (let l = 1; l < sizes.length; l++) {
    const W = params[`W${l}`];
    const b = params[`b${l}`];
    own[`W${l}`] = W.data ? matrix(W.rows, W.cols, Array.from(W.data)) : fromRows(W);
    own[`b${l}`] = Array.from(b);
    if (own[`W${l}`].rows !== sizes[l - 1] || own[`W${l}`].cols !== sizes[l] || own[`b${l}`].length !== sizes[l]) {
      throw new Error(`W${l} and b${l} must have shapes (${sizes[l - 1]}, ${sizes[l]}) and (${sizes[l]},)`);
    }
  }
  return { sizes, activations, loss, params: own };
}

/** Logits Z[L] of a batch, and the cache backward needs.  // mirrors descend.Network.forward */
export function forward(net, X) {
  const L = net.sizes.length - 1;
  const cache = [];
  let A = X;
  for (let l = 1; l <= L; l++) {
    const W = net.params[`W${l}`];
    const Z = denseForward(A, W, net.params[`b${l}`]); // Z[l] = A[l-1] @ W[l] + b[l]
    const layer = { A_prev: A, W, act: null };
    if (l < L) {
      const out = ACTIVATIONS[net.activations[l - 1]].forward(Z); // A[l] = g(Z[l])
      layer.act = out.cache;
      A = out.A;
    } else {
      A = Z; // the output layer is linear: Z[L] are the logits
    }
    cache.push(layer);
  }
  return { logits: A, cache };
}

/** dL/dW{l} and dL/db{l} for every layer, last to first.  // mirrors descend.Network.backward */
export function backward(net, dlogits, cache) {
  const grads = {};
  let dZ = dlogits;
  for (let l = cache.length; l >= 1; l--) {
    const { A_prev, W } = cache[l - 1];
    const { dX: dA, dW, db } = denseBackward(dZ, A_prev, W, l > 1);
    grads[`W${l}`] = dW;
    grads[`b${l}`] = db;
    if (l > 1) dZ = ACTIVATIONS[net.activations[l - 2]].backward(dA, cache[l - 2].act);
  }
  const ordered = {};
  for (const name of Object.keys(net.params)) ordered[name] = grads[name];
  return ordered;
}

function allFinite(values) {
  for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/** The mean loss on a batch and every gradient.  // mirrors descend.Network.loss_and_grads */
export function lossAndGrads(net, X, y) {
  const { logits, cache } = forward(net, X);
  if (!allFinite(logits.data)) {
    const grads = {};
    for (const [name, p] of Object.entries(net.params)) grads[name] = nanLike(p);
    return { loss: Infinity, grads };
  }
  const { loss, dlogits } = LOSSES[net.loss](logits, y);
  return { loss, grads: backward(net, dlogits, cache) };
}

function nanLike(p) {
  return p.data ? mapMatrix(p, () => NaN) : zeros(p.length).fill(NaN);
}

/** The mean loss on a batch (Infinity if the logits overflowed).  // mirrors descend.Network.loss */
export function loss(net, X, y) {
  const { logits } = forward(net, X);
  return allFinite(logits.data) ? LOSSES[net.loss](logits, y).loss : Infinity;
}

/** sigma(logits) of a one-output classifier, one probability per row.
 *  // mirrors descend.Network.predict_proba */
export function predictProba(net, X) {
  return forward(net, X).logits.data.map(sigmoid);
}

/** The share of rows whose predicted label (p >= 0.5) equals y.  // mirrors np.mean(net.predict(X) == y) */
export function accuracy(net, X, y) {
  const p = predictProba(net, X);
  let right = 0;
  for (let i = 0; i < p.length; i++) right += (p[i] >= 0.5 ? 1 : 0) === y[i] ? 1 : 0;
  return right / p.length;
}

// ------------------------------------------------------------------ step 5: optimizers

// An optimizer is {name, hyper, state: {}, steps: 0}; `step(opt, params, grads)` updates
// every parameter in place (as flat arrays: a matrix's data or a vector). The update
// rules are descend's, which are torch.optim's, operation by operation.

const DEFAULTS = {
  sgd: { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 },
  adagrad: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 },
  rmsprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false },
  adam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
};

/** An optimizer by name with descend's defaults.  // mirrors descend.optim.get */
export function optimizer(name, hyper = {}) {
  if (!(name in DEFAULTS)) throw new Error(`unknown optimizer ${name}; choose one of ${Object.keys(DEFAULTS)}`);
  const h = { ...DEFAULTS[name], ...hyper };
  if (!(h.lr > 0) || !Number.isFinite(h.lr)) throw new Error(`lr must be a finite number > 0, got ${h.lr}`);
  return { name, hyper: h, state: {}, steps: 0 };
}

function flat(p) {
  return p.data ? p.data : p;
}

/** One update of every parameter, in place. Throws DivergenceError on a non-finite gradient.
 *  // mirrors descend.optim.Optimizer.step */
export function step(opt, params, grads) {
  for (const [name, g] of Object.entries(grads)) {
    const bad = flat(g).find((v) => !Number.isFinite(v));
    if (bad !== undefined) throw new DivergenceError(opt.steps, opt.hyper.lr, null, `gradient ${name}`, bad);
  }
  for (const [name, p] of Object.entries(params)) {
    const theta = flat(p);
    const st = (opt.state[name] ??= { step: 0 });
    st.step += 1;
    UPDATES[opt.name](theta, flat(grads[name]).slice(), st, opt.hyper);
  }
  opt.steps += 1;
}

/** start + weight (end - start) in place, rounded as torch.lerp.  // mirrors descend.optim._lerp */
function lerp(start, end, weight) {
  for (let i = 0; i < start.length; i++) {
    start[i] = Math.abs(weight) < 0.5 ? start[i] + (end[i] - start[i]) * weight : end[i] - (end[i] - start[i]) * (1 - weight);
  }
}

function weightDecay(g, theta, wd) {
  if (wd !== 0) for (let i = 0; i < g.length; i++) g[i] = g[i] + wd * theta[i];
}

const UPDATES = {
  // mirrors descend.optim.SGD: b <- mu b + (1 - tau) g; g <- g + mu b (Nesterov) or b; theta <- theta - lr g
  sgd(theta, g, st, { lr, momentum, dampening, nesterov, weight_decay }) {
    weightDecay(g, theta, weight_decay);
    if (momentum !== 0) {
      if (!st.buf) st.buf = g.slice();
      else for (let i = 0; i < g.length; i++) st.buf[i] = st.buf[i] * momentum + (1 - dampening) * g[i];
      for (let i = 0; i < g.length; i++) g[i] = nesterov ? g[i] + momentum * st.buf[i] : st.buf[i];
    }
    for (let i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
  },
  // mirrors descend.optim.Adagrad: s <- s + g^2; theta <- theta - lr_t g / (sqrt(s) + eps)
  adagrad(theta, g, st, { lr, lr_decay, weight_decay, initial_accumulator_value, eps }) {
    weightDecay(g, theta, weight_decay);
    st.sum ??= zeros(theta.length).fill(initial_accumulator_value);
    const clr = lr / (1 + (st.step - 1) * lr_decay);
    for (let i = 0; i < theta.length; i++) {
      st.sum[i] += g[i] * g[i];
      theta[i] += (-clr * g[i]) / (Math.sqrt(st.sum[i]) + eps);
    }
  },
  // mirrors descend.optim.RMSprop: v <- alpha v + (1 - alpha) g^2; theta <- theta - lr g / (sqrt(v) + eps)
  rmsprop(theta, g, st, { lr, alpha, eps, weight_decay, momentum, centered }) {
    weightDecay(g, theta, weight_decay);
    st.square_avg ??= zeros(theta.length);
    const v = st.square_avg;
    for (let i = 0; i < v.length; i++) v[i] = v[i] * alpha + (1 - alpha) * g[i] * g[i];
    const d = zeros(v.length);
    if (centered) {
      st.grad_avg ??= zeros(theta.length);
      lerp(st.grad_avg, g, 1 - alpha);
      for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(v[i] - st.grad_avg[i] * st.grad_avg[i]) + eps;
    } else {
      for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(v[i]) + eps;
    }
    if (momentum > 0) {
      st.buf ??= zeros(theta.length);
      for (let i = 0; i < d.length; i++) {
        st.buf[i] = st.buf[i] * momentum + g[i] / d[i];
        theta[i] -= lr * st.buf[i];
      }
    } else {
      for (let i = 0; i < d.length; i++) theta[i] += (-lr * g[i]) / d[i];
    }
  },
  // mirrors descend.optim.Adam: m, v moving averages; theta <- theta - lr m_hat / (sqrt(v_hat) + eps)
  adam(theta, g, st, { lr, betas, eps, weight_decay, amsgrad }) {
    const [beta1, beta2] = betas;
    weightDecay(g, theta, weight_decay);
    st.exp_avg ??= zeros(theta.length);
    st.exp_avg_sq ??= zeros(theta.length);
    const m = st.exp_avg;
    const v = st.exp_avg_sq;
    lerp(m, g, 1 - beta1);
    for (let i = 0; i < v.length; i++) v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i];
    const biasCorrection1 = 1 - beta1 ** st.step;
    const biasCorrection2 = 1 - beta2 ** st.step;
    const stepSize = lr / biasCorrection1;
    if (amsgrad) {
      st.max_exp_avg_sq ??= zeros(theta.length);
      for (let i = 0; i < v.length; i++) st.max_exp_avg_sq[i] = Math.max(st.max_exp_avg_sq[i], v[i]);
    }
    const vDenom = amsgrad ? st.max_exp_avg_sq : v;
    const sqrtBc2 = Math.sqrt(biasCorrection2);
    for (let i = 0; i < theta.length; i++) {
      const denom = Math.sqrt(vDenom[i]) / sqrtBc2 + eps;
      theta[i] += (m[i] * -stepSize) / denom;
    }
  },
};

// ------------------------------------------------------------------ divergence

/** Python's format(x, "g") (precision 6) and format(x, ".3g"). */
export function formatG(x, precision = 6) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(precision)))));
  if (exp < -4 || exp >= precision) {
    const [mant, e] = x.toExponential(precision - 1).split("e");
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    const n = Math.abs(Number(e));
    return `${m}e${e[0] === "-" ? "-" : "+"}${n < 10 ? "0" : ""}${n}`;
  }
  const fixed = x.toFixed(Math.max(0, precision - 1 - exp));
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

function formatValue(v) {
  return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

/** A run whose loss or parameters stopped being finite.  // mirrors descend.DivergenceError */
export class DivergenceError extends Error {
  constructor(step, lr, lastFiniteLoss, what = "loss", value = Infinity) {
    const last = lastFiniteLoss === null ? "none" : formatG(lastFiniteLoss, 3);
    super(
      `${what} became ${formatValue(value)} at step ${step} (lr=${formatG(lr)}, last finite loss ` +
        `${last}); the run diverged: try a smaller learning rate (for example ` +
        `lr=${formatG(lr / 10)}), standardise the inputs, or check the data for huge values`,
    );
    this.name = "DivergenceError";
    Object.assign(this, { step, lr, lastFiniteLoss, what, value });
  }
}

// ------------------------------------------------------------------ step 6: training

/** A seeded generator of numbers in [0, 1) (mulberry32): the browser's own shuffling for
 *  play. It does not reproduce NumPy's; tests pass the batch order explicitly. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random order of 0..n-1 (Fisher-Yates) drawn from `random`.  // plays rng.permutation(n) */
export function shuffledOrder(n, random) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** A fresh run's record: what descend.train.History holds, for the curves. */
export function history(net, data) {
  const h = { epoch_losses: [], val_losses: [], step_losses: [], steps_run: 0, epochs_run: 0 };
  h.initial_loss = loss(net, data.X, data.y);
  h.last_loss = h.initial_loss;
  if (data.X_val) h.initial_val_loss = loss(net, data.X_val, data.y_val);
  return h;
}

/**
 * One epoch of mini-batch training, in place on `net` and `opt`, recorded in `h`:
 * the batches follow `order` (a permutation of the rows, or null for the data's order),
 * then the epoch's training (and validation) loss is measured on all the data.
 * Throws DivergenceError exactly where descend.train.train raises it.
 * // mirrors one epoch of descend.train.train
 */
export function trainEpoch(net, opt, data, batchSize, order, h) {
  const { X, y } = data;
  const n = X.rows;
  const lr = opt.hyper.lr;
  for (let start = 0; start < n; start += batchSize) {
    const idx = [];
    for (let i = start; i < Math.min(start + batchSize, n); i++) idx.push(order ? order[i] : i);
    const { loss: batchLoss, grads } = lossAndGrads(net, takeRows(X, idx), idx.map((i) => y[i]));
    if (!Number.isFinite(batchLoss)) throw new DivergenceError(h.steps_run, lr, h.last_loss, "loss", batchLoss);
    try {
      step(opt, net.params, grads);
    } catch (err) {
      if (!(err instanceof DivergenceError)) throw err;
      throw new DivergenceError(h.steps_run, lr, batchLoss, err.what, err.value);
    }
    for (const [name, p] of Object.entries(net.params)) {
      const bad = flat(p).find((v) => !Number.isFinite(v));
      if (bad !== undefined) throw new DivergenceError(h.steps_run, lr, batchLoss, `parameter ${name}`, bad);
    }
    h.last_loss = batchLoss;
    h.step_losses.push(batchLoss);
    h.steps_run += 1;
  }
  h.epochs_run += 1;
  const epochLoss = loss(net, X, y);
  if (!Number.isFinite(epochLoss)) throw new DivergenceError(h.steps_run, lr, h.last_loss, "training loss", epochLoss);
  h.last_loss = epochLoss;
  h.epoch_losses.push(epochLoss);
  if (data.X_val) {
    const valLoss = loss(net, data.X_val, data.y_val);
    if (!Number.isFinite(valLoss)) throw new DivergenceError(h.steps_run, lr, h.last_loss, "validation loss", valLoss);
    h.val_losses.push(valLoss);
  }
  return h;
}

/** `epochs` epochs of trainEpoch, with the batch orders given (one per epoch) or none.
 *  // mirrors descend.train.train (max_epochs stopping rule) */
export function train(net, opt, data, { epochs, batchSize, orders = null }) {
  const h = history(net, data);
  for (let e = 0; e < epochs; e++) trainEpoch(net, opt, data, batchSize, orders ? orders[e] : null, h);
  return h;
}

// ------------------------------------------------------------------ 2-D surfaces

// Each surface: {name, f(x, y), grad(x, y) -> [gx, gy]}, the formulas of descend.surfaces.

/** f = 1/2 p^T H p with H's entries from Python.  // mirrors descend.surfaces.quadratic */
export function quadratic({ h11, h12, h22 }) {
  return {
    name: "quadratic",
    f: (x, y) => 0.5 * (h11 * x * x + 2.0 * h12 * x * y + h22 * y * y),
    grad: (x, y) => [h11 * x + h12 * y, h12 * x + h22 * y],
  };
}

/** f = (a - x)^2 + b (y - x^2)^2.  // mirrors descend.surfaces.rosenbrock */
export function rosenbrock({ a = 1.0, b = 100.0 } = {}) {
  return {
    name: "rosenbrock",
    f: (x, y) => (a - x) ** 2 + b * (y - x * x) ** 2,
    grad: (x, y) => {
      const r = y - x * x;
      return [-2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r];
    },
  };
}

/** f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2.  // mirrors descend.surfaces.himmelblau */
export function himmelblau() {
  return {
    name: "himmelblau",
    f: (x, y) => (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2,
    grad: (x, y) => {
      const u = x * x + y - 11.0;
      const v = x + y * y - 7.0;
      return [4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v];
    },
  };
}

/** Beale's function.  // mirrors descend.surfaces.beale */
export function beale() {
  const [c1, c2, c3] = [1.5, 2.25, 2.625];
  return {
    name: "beale",
    f: (x, y) => (c1 - x + x * y) ** 2 + (c2 - x + x * y ** 2) ** 2 + (c3 - x + x * y ** 3) ** 2,
    grad: (x, y) => {
      const t1 = c1 - x + x * y;
      const t2 = c2 - x + x * y ** 2;
      const t3 = c3 - x + x * y ** 3;
      const gx = 2.0 * (t1 * (y - 1.0) + t2 * (y ** 2 - 1.0) + t3 * (y ** 3 - 1.0));
      const gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y ** 2 * t3);
      return [gx, gy];
    },
  };
}

/** f = x^2 + y^4 / 4 - y^2 / 2.  // mirrors descend.surfaces.saddle */
export function saddle() {
  return {
    name: "saddle",
    f: (x, y) => x * x + 0.25 * y ** 4 - 0.5 * y * y,
    grad: (x, y) => [2.0 * x, y ** 3 - y],
  };
}

// mirrors descend.surfaces._well: a 1-D double well whose derivative is (u - r1)(u - r2)(u - r3)
function well(rLow, rMid, rHigh) {
  const e1 = rLow + rMid + rHigh;
  const e2 = rLow * rMid + rLow * rHigh + rMid * rHigh;
  const e3 = rLow * rMid * rHigh;
  return [
    (u) => ((0.25 * u - e1 / 3.0) * u + e2 / 2.0) * u * u - e3 * u,
    (u) => (u - rLow) * (u - rMid) * (u - rHigh),
  ];
}

/** Four minima of different depths.  // mirrors descend.surfaces.multi_well */
export function multiWell() {
  const [g, dg] = well(-1.5, 0.3, 1.4);
  const [h, dh] = well(-1.2, -0.2, 1.3);
  const V_WEIGHT = 1.6;
  const angle = (25.0 * Math.PI) / 180.0; // math.radians(25.0)
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return {
    name: "multi_well",
    f: (x, y) => g(c * x + s * y) + V_WEIGHT * h(-s * x + c * y),
    grad: (x, y) => {
      const [u, v] = [c * x + s * y, -s * x + c * y];
      const [gu, gv] = [dg(u), V_WEIGHT * dh(v)];
      return [c * gu - s * gv, s * gu + c * gv];
    },
  };
}

export const SURFACES = { quadratic, rosenbrock, himmelblau, beale, saddle, multi_well: multiWell };

/**
 * Gradient descent on a surface from `start` for `steps` steps: every point, value and
 * gradient norm, as descend's Path. Throws DivergenceError as descend does.
 * // mirrors descend.train.minimize
 */
export function minimize(surface, opt, start, steps) {
  const p = Array.from(start);
  const path = { points: [], values: [], norms: [] };
  for (let t = 0; t <= steps; t++) {
    const value = surface.f(p[0], p[1]);
    const last = path.values.length ? path.values[path.values.length - 1] : null;
    if (!Number.isFinite(value)) throw new DivergenceError(t, opt.hyper.lr, last, "value", value);
    const g = surface.grad(p[0], p[1]);
    const bad = g.find((v) => !Number.isFinite(v));
    if (bad !== undefined) throw new DivergenceError(t, opt.hyper.lr, value, "gradient", bad);
    path.points.push([p[0], p[1]]);
    path.values.push(value);
    path.norms.push(Math.hypot(g[0], g[1]));
    if (t === steps) break;
    step(opt, { p }, { p: g.slice() });
    const badP = p.find((v) => !Number.isFinite(v));
    if (badP !== undefined) throw new DivergenceError(t, opt.hyper.lr, value, "point", badP);
  }
  return path;
}

// ------------------------------------------------------------------ explorers of chapters 0 and 4
// (the learning rate on a 1-D function; the gradient and every directional slope on a surface)

/** The slope of `surface` at (x, y) in the direction at `angle` radians: grad f . u.
 *  // mirrors descend.surfaces.directional_derivative */
export function directionalDerivative(surface, x, y, angle) {
  const [gx, gy] = surface.grad(x, y);
  return gx * Math.cos(angle) + gy * Math.sin(angle);
}

/** The 1-D functions of chapter 0: f, its slope df and its curvature d2f.
 *  // mirrors descend.live.explorers_a.FUNCTIONS_1D */
export const FUNCTIONS_1D = {
  quadratic: {
    f: (x) => (x - 2.0) ** 2 + 1.0,
    df: (x) => 2.0 * (x - 2.0),
    d2f: () => 2.0,
  },
  quartic: {
    f: (x) => 0.1 * x ** 4 + 0.5 * x ** 2,
    df: (x) => 0.4 * x ** 3 + x,
    d2f: (x) => 1.2 * x ** 2 + 1.0,
  },
  double_well: {
    f: (x) => 0.25 * x ** 4 - x ** 2 + 0.3 * x,
    df: (x) => x ** 3 - 2.0 * x + 0.3,
    d2f: (x) => 3.0 * x ** 2 - 2.0,
  },
};

/** Iterates x_0 .. x_steps of x <- x - lr f'(x), stopped after the first |x| > limit (or
 *  a non-finite x): the run has diverged then.  // mirrors descend.live.explorers_a.descent_1d */
export function descent1d(fn, x0, lr, steps, limit = 1e6) {
  const xs = [x0];
  let x = x0;
  for (let t = 0; t < steps; t++) {
    x = x - lr * fn.df(x);
    xs.push(x);
    if (!Number.isFinite(x) || Math.abs(x) > limit) break;
  }
  return xs;
}

// ---- init (chapter 01): a deep stack at initialization, layer by layer
// The draws (standard-normal numbers, rounded) come from Python:
// descend.live.explorers_init.init_explorer. Nothing here is random.

/** The standard deviation of a layer's weights under `scheme`.
 *  // mirrors descend.live.explorers_init.init_std (descend.init's formulas) */
export function initStd(scheme, fanIn, fanOut, { std, gain }) {
  if (scheme === "normal") return std; // descend.init.normal(std=std)
  if (scheme === "xavier") return gain * Math.sqrt(2.0 / (fanIn + fanOut)); // xavier_normal
  if (scheme === "he") return gain * Math.sqrt(2.0 / fanIn); // he_normal, times the gain
  throw new Error(`unknown scheme ${scheme}; choose normal, xavier or he`);
}

/** The stack [width] * (depth + 1) + [1]: W{l} = initStd * the top-left corner of layer l's
 *  block of draws, b{l} = 0, loss mse; with the inputs X and targets y.
 *  // mirrors descend.live.explorers_init.InitExplorer.network and .data */
export function initNetwork(draws, { scheme, activation, depth, width, std, gain }) {
  const m = draws.max_width;
  const sizes = Array(depth + 1).fill(width).concat([1]);
  const params = {};
  for (let l = 1; l < sizes.length; l++) {
    const [nIn, nOut] = [sizes[l - 1], sizes[l]];
    const s = initStd(scheme, nIn, nOut, { std, gain });
    const W = matrix(nIn, nOut);
    for (let i = 0; i < nIn; i++) {
      for (let j = 0; j < nOut; j++) {
        const z = l < sizes.length - 1 ? draws.W[l - 1][i * m + j] : draws.w_out[i];
        W.data[i * nOut + j] = s * z;
      }
    }
    params[`W${l}`] = W;
    params[`b${l}`] = zeros(nOut);
  }
  const X = matrix(draws.n, width);
  for (let r = 0; r < draws.n; r++) {
    for (let c = 0; c < width; c++) X.data[r * width + c] = draws.X[r * m + c];
  }
  return { net: network({ sizes, activation, loss: "mse", params }), X, y: draws.y.slice() };
}

/** The population standard deviation sqrt(mean((x - mean)^2)).  // mirrors numpy.ndarray.std */
export function stdOf(values) {
  let s = 0;
  for (const v of values) s += v;
  const mu = s / values.length;
  let q = 0;
  for (const v of values) q += (v - mu) * (v - mu);
  return Math.sqrt(q / values.length);
}

/** The share of outputs within 1% of the activation's bounds (0 for unbounded ones).
 *  // mirrors descend.live.explorers_init._saturated */
export function saturatedShare(values, activation) {
  let k = 0;
  if (activation === "tanh") for (const v of values) k += Math.abs(v) > 0.99 ? 1 : 0;
  else if (activation === "sigmoid") for (const v of values) k += v < 0.01 || v > 0.99 ? 1 : 0;
  return k / values.length;
}

/** Every hidden layer's outputs A[l] and weight gradients dL/dW[l] (l = 1 .. depth), with
 *  their spreads and saturated shares.  // mirrors descend.live.explorers_init.InitExplorer.layer_stats */
export function initStats(draws, settings) {
  const { net, X, y } = initNetwork(draws, settings);
  const { logits, cache } = forward(net, X);
  const { dlogits } = mse(logits, y);
  const grads = backward(net, dlogits, cache);
  const A = [];
  const dW = [];
  for (let l = 1; l <= settings.depth; l++) {
    A.push(cache[l].A_prev.data); // the input of layer l + 1 is the output of layer l
    dW.push(grads[`W${l}`].data);
  }
  return {
    A,
    dW,
    std: A.map(stdOf),
    gradStd: dW.map(stdOf),
    saturated: A.map((a) => saturatedShare(a, settings.activation)),
  };
}

// ---- forward (chapter 02): two weights of a small network over a grid; one neuron's curve

/** A copy of `net` whose weights `weights` ([[name, row, col], ...]) hold `values`; every
 *  other parameter keeps its value.  // mirrors descend.live.explorers_forward.with_weights */
export function withWeights(net, weights, values) {
  const params = {};
  for (const [name, p] of Object.entries(net.params)) params[name] = p.data ? matrix(p.rows, p.cols, p.data.slice()) : p.slice();
  weights.forEach(([name, row, col], k) => {
    const W = params[name];
    W.data[row * W.cols + col] = values[k];
  });
  return { ...net, params };
}

/** The loss over a grid of two weights (w_a, w_b): rows follow `wb`, columns `wa`.
 *  // mirrors descend.live.explorers_forward.loss_slice */
export function lossSlice(net, X, y, weights, wa, wb) {
  return wb.map((b) => wa.map((a) => loss(withWeights(net, weights, [a, b]), X, y)));
}

/** a = g(w x + b) for every x: a dense layer with one input and one unit, then g.
 *  // mirrors descend.live.explorers_forward.neuron_curve */
export function neuronCurve(xs, w, b, activation = "sigmoid") {
  const Z = denseForward(matrix(xs.length, 1, Array.from(xs)), matrix(1, 1, [w]), [b]);
  return ACTIVATIONS[activation].forward(Z).A.data;
}

// ---- batch (chapter 5): mini-batch SGD on a line fit, and the spread of a batch gradient

/**
 * Mini-batch SGD from net's parameters, recording every point: the batches of epoch e
 * follow orders[e] (a permutation of the rows, drawn by Python), or the data's order for
 * a full batch. Returns {points: [[W1, b1], ...] (before the first and after every
 * update), losses (the training loss on all the data at each point), diverged (the step
 * at which descend.train.train raises DivergenceError, or null)}. For a one-input,
 * one-output network: a line fit, whose (slope, intercept) is the point.
 * // mirrors descend.train.train with an on_step callback recording the parameters
 */
export function minibatchPath(net, opt, data, batchSize, orders, epochs) {
  const { X, y } = data;
  const n = X.rows;
  const point = () => [net.params.W1.data[0], net.params.b1[0]];
  const out = { points: [point()], losses: [loss(net, X, y)], diverged: null };
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    const order = batchSize < n ? orders[e] : null; // one batch: descend does not shuffle
    for (let start = 0; start < n; start += batchSize) {
      const idx = [];
      for (let i = start; i < Math.min(start + batchSize, n); i++) idx.push(order ? order[i] : i);
      const { loss: batchLoss, grads } = lossAndGrads(net, takeRows(X, idx), idx.map((i) => y[i]));
      if (!Number.isFinite(batchLoss)) return { ...out, diverged: t };
      try {
        step(opt, net.params, grads);
      } catch (err) {
        if (err instanceof DivergenceError) return { ...out, diverged: t };
        throw err;
      }
      if (!allFinite(point())) return { ...out, diverged: t };
      t += 1;
      out.points.push(point());
      out.losses.push(loss(net, X, y));
    }
    // descend measures the epoch on all the data: a non-finite loss stops it there
    if (!Number.isFinite(out.losses[out.losses.length - 1])) return { ...out, diverged: t };
  }
  return out;
}

/**
 * The full gradient of a line fit's mean squared error at (w, b), and the covariance and
 * spread (sqrt of its trace) of the gradient of a batch of B examples drawn without
 * replacement: (n - B) / (B (n - 1)) times the examples' own covariance.
 * // mirrors descend.live.explorers_batch.gradient_spread
 */
export function gradientSpread(x, y, [w, b], B) {
  const n = x.length;
  const G = x.map((xi, i) => {
    const r = 2.0 * (w * xi + b - y[i]);
    return [r * xi, r];
  });
  const mean = [0, 0];
  for (const g of G) for (let k = 0; k < 2; k++) mean[k] += g[k];
  for (let k = 0; k < 2; k++) mean[k] /= n;
  const S = [0, 0, 0]; // s11, s12, s22
  for (const g of G) {
    const [d1, d2] = [g[0] - mean[0], g[1] - mean[1]];
    S[0] += d1 * d1;
    S[1] += d1 * d2;
    S[2] += d2 * d2;
  }
  const factor = n === 1 ? 0 : (n - B) / (B * (n - 1));
  const cov = S.map((s) => factor * (s / n));
  return { mean, cov: [[cov[0], cov[1]], [cov[1], cov[2]]], spread: Math.sqrt(Math.max(cov[0] + cov[2], 0)), gradients: G };
}

// ---- regression (chapters 07 and 08): the least-squares line, its loss bowl, full-batch runs

/** The least-squares line (w*, b*) through the points (x_i, y_i): the solution of the
 *  normal equations A^T A theta = A^T y with A = [x, 1], written out for two unknowns
 *  (centred sums: w* = sum (x - mean x)(y - mean y) / sum (x - mean x)^2, b* = mean y - w* mean x).
 *  Throws when every x is equal (no single best line), as descend does.
 *  // mirrors descend.surfaces.line_fit(X, y).minima[0] (numpy.linalg.lstsq) */
export function leastSquaresLine(x, y) {
  const n = x.length;
  if (n < 2 || y.length !== n) throw new Error(`a line fit needs at least two points (x, y), got ${n} x and ${y.length} y`);
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx === 0) throw new Error(`every x equals ${x[0]}, so there is no single best line; move a point sideways`);
  const w = sxy / sxx;
  return [w, my - w * mx];
}

/** The line fit's mean squared error as a surface over (w, b), with its minimum, lowest
 *  value, Hessian (2/n) A^T A and the formulas L = L* + 1/2 d^T H d, grad = H d, d = theta - theta*.
 *  // mirrors descend.surfaces.line_fit */
export function lineFit(x, y) {
  const n = x.length;
  const [wStar, bStar] = leastSquaresLine(x, y);
  const fmin = mean(x.map((xi, i) => (wStar * xi + bStar - y[i]) ** 2));
  let sxx = 0;
  let sx = 0;
  for (const xi of x) {
    sxx += xi * xi;
    sx += xi;
  }
  const [h11, h12, h22] = [(2 / n) * sxx, (2 / n) * sx, (2 / n) * n];
  return {
    name: "line_fit",
    minimum: [wStar, bStar],
    fmin,
    hessian: { h11, h12, h22 },
    f(w, b) {
      const [dw, db] = [w - wStar, b - bStar];
      return fmin + 0.5 * (h11 * dw * dw + 2.0 * h12 * dw * db + h22 * db * db);
    },
    grad(w, b) {
      const [dw, db] = [w - wStar, b - bStar];
      return [h11 * dw + h12 * db, h12 * dw + h22 * db];
    },
  };
}

function copyParams(params) {
  const out = {};
  for (const [name, p] of Object.entries(params)) out[name] = p.data ? toRows(p) : p.slice();
  return out;
}

/**
 * Full-batch gradient descent on a network without hidden layers (a line fit, sizes [1, 1]
 * and loss "mse"; logistic regression, sizes [2, 1] and "binary_cross_entropy") from
 * `params`, one step per epoch, extendable: `run.extend(epochs)` trains up to that many
 * epochs in total. The run holds `losses` (the loss before any step, then after each epoch),
 * `params` (a copy after every epoch, 0 = the start) and `diverged` (the DivergenceError
 * that stopped it, or null).
 * // mirrors descend.train.train(net, X, y, SGD(lr), epochs=..., snapshot_every=1), full batch
 */
export function fullBatchRun({ sizes, loss: lossName, params, X, y, lr }) {
  const net = network({ sizes, activation: [], loss: lossName, params });
  const opt = optimizer("sgd", { lr });
  const data = { X: X.data ? X : fromRows(X), y: Array.from(y) };
  const h = history(net, data);
  const run = { losses: [h.initial_loss], params: [copyParams(net.params)], diverged: null };
  if (!Number.isFinite(h.initial_loss)) run.diverged = new DivergenceError(0, lr, null, "loss", h.initial_loss);
  run.extend = (epochs) => {
    while (run.losses.length <= epochs && run.diverged === null) {
      try {
        trainEpoch(net, opt, data, data.X.rows, null, h);
      } catch (err) {
        if (!(err instanceof DivergenceError)) throw err;
        run.diverged = err;
        break;
      }
      run.losses.push(h.epoch_losses[h.epoch_losses.length - 1]);
      run.params.push(copyParams(net.params));
    }
    return run;
  };
  return run;
}

/** The input x' = (x - centre mean(x)) / (1 + scale (std(x) - 1)), std with 1/n: raw at
 *  (0, 0), standardised at (1, 1).  // mirrors descend.live.explorers_regression.FeatureScaling.transform */
export function scaledInput(x, centre, scale) {
  const m = mean(x);
  const std = Math.sqrt(mean(x.map((v) => (v - m) ** 2)));
  return x.map((v) => (v - centre * m) / (1.0 + scale * (std - 1.0)));
}

/** Gradient descent (SGD at `lr`) on a line-fit surface from `start` until its value is
 *  within `tol` of the lowest: {steps (null if not within maxSteps), gaps (f - fmin at
 *  every step run)}.  // mirrors FeatureScaling.steps_to_tolerance (descend.minimize's path) */
export function stepsToTolerance(surface, lr, start, tol, maxSteps) {
  const opt = optimizer("sgd", { lr });
  const p = Array.from(start);
  const gaps = [];
  for (let t = 0; t <= maxSteps; t++) {
    const gap = surface.f(p[0], p[1]) - surface.fmin;
    gaps.push(gap);
    if (gap <= tol) return { steps: t, gaps };
    if (t === maxSteps || !Number.isFinite(gap)) break;
    step(opt, { p }, { p: surface.grad(p[0], p[1]) });
  }
  return { steps: null, gaps };
}

// ---- backprop (chapter 03): the tiny network node by node, and finite differences

/**
 * Every node's value and every gradient of chapter 3's tiny network on one example:
 * z1 = w1 x + b1, a1 = tanh(z1), z2 = w2 a1 + b2, L = BCE(z2, y); grads[n] = dL/dn.
 * // mirrors descend.live.explorers_backprop.tiny_network (the same scalar operations, in
 * // the same order, as descend's dense, tanh and binary cross-entropy on one example)
 */
export function tinyNetwork({ x, y, w1, b1, w2, b2 }) {
  // forward
  const z1 = x * w1 + b1;
  const a1 = Math.tanh(z1);
  const z2 = a1 * w2 + b2;
  const e = Math.exp(-Math.abs(z2)); // BCE from logits, without overflow
  const L = Math.max(z2, 0) - z2 * y + Math.log1p(e);
  const p = sigmoidFromExp(z2, e); // sigma(z2)
  // backward
  const dz2 = p - y;
  const [dw2, db2, da1] = [a1 * dz2, dz2, dz2 * w2];
  const dz1 = da1 * (1 - a1 * a1);
  const [dw1, db1, dx] = [x * dz1, dz1, dz1 * w1];
  return {
    values: { z1, a1, z2, p, L },
    grads: { L: 1, z2: dz2, w2: dw2, b2: db2, a1: da1, z1: dz1, w1: dw1, b1: db1, x: dx },
  };
}

/** The tiny network's loss at theta = [w1, b1, w2, b2].
 *  // mirrors descend.live.explorers_backprop.tiny_loss */
export function tinyLoss(theta, x, y) {
  const [w1, b1, w2, b2] = theta;
  return tinyNetwork({ x, y, w1, b1, w2, b2 }).values.L;
}

/** Centred differences (f(theta + h e_i) - f(theta - h e_i)) / (2h), one per entry.
 *  // mirrors descend.gradcheck.numerical_gradient */
export function numericalGradient(f, theta, h) {
  const x = theta.slice();
  return x.map((old, i) => {
    x[i] = old + h;
    const fPlus = f(x);
    x[i] = old - h;
    const fMinus = f(x);
    x[i] = old; // restore
    return (fPlus - fMinus) / (2 * h);
  });
}

/** Forward differences (f(theta + h e_i) - f(theta)) / h, one per entry: order h, where the
 *  centred difference reaches order h^2.  // mirrors (f(x + h) - f(x)) / h, chapter 3's formula */
export function forwardGradient(f, theta, h) {
  const x = theta.slice();
  const f0 = f(x);
  return x.map((old, i) => {
    x[i] = old + h;
    const fPlus = f(x);
    x[i] = old;
    return (fPlus - f0) / h;
  });
}

/** max_i |a_i - b_i| / max_i (|a_i| + |b_i|), the denominator at least the smallest normal
 *  float64.  // mirrors descend.gradcheck.relative_error */
export function relativeError(a, b) {
  if (a.length !== b.length) throw new Error(`a has ${a.length} entries but b has ${b.length}; compare equal lengths`);
  if (a.length === 0) return 0;
  let [top, scale] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    top = Math.max(top, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]) + Math.abs(b[i]));
  }
  return top / Math.max(scale, 2.2250738585072014e-308);
}

/** The finite-difference explorer's step at slider position `pos` of `positions`:
 *  10^(-16 + 16 pos / positions) rounded to 3 significant digits, so the h the page writes
 *  is exactly the h it uses.  // mirrors descend.live.explorers_backprop.fd_step */
export function fdStep(pos, positions) {
  return Number((10 ** (-16 + (16 * pos) / positions)).toPrecision(3));
}
