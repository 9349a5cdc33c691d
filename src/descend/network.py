"""Step 3, backprop: a fully connected network, its forward pass and its backward pass.

Written to be read, not to be fast. The notation follows the book, with layers
numbered ``l = 1 .. L`` and the input as layer 0:

* ``A[0] = X``, shape ``(n, sizes[0])``;
* ``Z[l] = A[l-1] @ W[l] + b[l]`` with ``W[l]`` of shape ``(sizes[l-1], sizes[l])``;
* ``A[l] = g_l(Z[l])`` for the hidden layers ``l < L``;
* the output layer is linear: ``Z[L]`` are the *logits*, which the loss turns into
  probabilities (sigmoid or softmax) or uses directly (mean squared error).

In the code, ``W[l]`` and ``b[l]`` live in ``params["W{l}"]`` and ``params["b{l}"]``,
and the backward pass fills ``grads`` with the same names.

The network computes with the public functions of :mod:`descend.layers`,
:mod:`descend.activations` and :mod:`descend.losses`, the same ones the chapters
introduce, looked up by name when they are called: replace
``descend.activations.tanh_backward`` and every tanh network backpropagates through
the replacement. Each method checks the data and the parameters first, so a mistake
is named where it is made (``params['W2'] holds 1 non-finite value...``).

Introduced in: book/01-initialize (built), book/02-forward (forward),
book/03-backprop (backward)
"""

from __future__ import annotations

import copy as _copy
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from descend import activations as _activations
from descend import init as _init
from descend import layers as _layers
from descend import losses as _losses
from descend.errors import as_float_array, check_choice, check_finite, check_rng

__all__ = ["Network"]

_RELU_FAMILY = ("relu", "leaky_relu")
_DETERMINISTIC = ("zeros", "constant")


def _check_sizes(sizes: Any) -> tuple[int, ...]:
    if isinstance(sizes, np.ndarray):
        sizes = sizes.tolist()
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise ValueError(
            "sizes must list the layer sizes [n_in, h1, ..., n_out], at least two positive "
            f"integers, got {sizes!r}"
        )
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(
                f"sizes must be positive integers, got {s!r} at position {i} of {list(sizes)}"
            )
    return tuple(int(s) for s in sizes)


class Network:
    """A fully connected network trained by backpropagation.

    Example::

        net = ds.Network([2, 8, 1], activation="tanh", rng=np.random.default_rng(0))
        loss, grads = net.loss_and_grads(X, y)            # forward, then backprop
        for name in net.params:                           # one gradient-descent step
            net.params[name] -= 0.5 * grads[name]

    Parameters
    ----------
    sizes : list of int
        ``[n_in, h1, ..., n_out]``: input width, hidden widths, output width.
    activation : str or list of str
        The hidden layers' activation, one name for all or one per hidden layer:
        ``"identity"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"softmax"``.
    initializer : str, callable or None
        Weight initializer, a name in ``descend.init.INITIALIZERS`` or a function
        ``(shape, rng) -> array``. None picks ``"he_normal"`` when every hidden
        activation is ReLU-family and ``"xavier_normal"`` otherwise. Biases start at 0.
    loss : str
        ``"mse"``, ``"binary_cross_entropy"`` or ``"softmax_cross_entropy"``.
    rng : np.random.Generator or None
        Required for random initializers: ``np.random.default_rng(seed)``.
    dtype : np.float64 or np.float32
        Floating type of the parameters and of every computation.

    Attributes
    ----------
    params : dict of str -> ndarray
        ``W1, b1, W2, b2, ...`` in order; ``W{l}`` has shape ``(sizes[l-1], sizes[l])``,
        ``b{l}`` shape ``(sizes[l],)``.

    Introduced in: book/01-initialize
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "tanh",
        initializer: str | Callable[..., np.ndarray] | None = None,
        loss: str = "binary_cross_entropy",
        rng: np.random.Generator | None = None,
        dtype: Any = np.float64,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        n_hidden = len(self.sizes) - 2

        # one activation name per hidden layer
        if not isinstance(activation, (str, Sequence, np.ndarray)):
            raise TypeError(
                f"activation must be a name or a list of names, got {type(activation).__name__}"
            )
        names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
        if len(names) != n_hidden:
            raise ValueError(
                f"activation lists {len(names)} names but the network has {n_hidden} hidden "
                "layer(s); give one name for all of them or exactly one per hidden layer"
            )
        for a in names:
            check_choice("Network(activation=...)", a, _activations.ACTIVATIONS, "activation")
        self.activation_names = tuple(names)
        self.loss_name = check_choice("Network(loss=...)", loss, _losses.LOSSES, "loss")
        if loss == "softmax_cross_entropy" and self.sizes[-1] < 2:
            raise ValueError(
                "softmax_cross_entropy needs at least 2 outputs (one per class), got "
                f"sizes[-1] = {self.sizes[-1]}; for two classes use 2 outputs or "
                'loss="binary_cross_entropy" with 1 output'
            )

        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float64 or np.float32, got {self.dtype}")

        if rng is not None:  # needed only by a random initializer, but always checked
            check_rng(rng, "Network")
        init_fn = self._initializer(initializer, rng)

        # Step 1, initialize: W[l] drawn from the initializer, b[l] = 0.
        params = {}
        for l in range(1, len(self.sizes)):
            shape = (self.sizes[l - 1], self.sizes[l])
            params[f"W{l}"] = np.asarray(init_fn(shape, rng=rng), dtype=self.dtype)
            params[f"b{l}"] = np.zeros(self.sizes[l], dtype=self.dtype)
        self.params: dict[str, np.ndarray] = params

    def _initializer(self, initializer: Any, rng: Any) -> Callable[..., np.ndarray]:
        if callable(initializer):
            self.initializer = getattr(initializer, "__name__", "custom")
            return initializer
        if initializer is None:
            relu_only = bool(self.activation_names) and all(
                a in _RELU_FAMILY for a in self.activation_names
            )
            initializer = "he_normal" if relu_only else "xavier_normal"
        self.initializer = check_choice(
            "Network(initializer=...)", initializer, _init.INITIALIZERS, "initializer"
        )
        if initializer == "constant":
            raise ValueError(
                'initializer "constant" needs a value; pass a function instead, e.g. '
                "initializer=lambda shape, rng: ds.init.constant(shape, 0.5)"
            )
        if initializer not in _DETERMINISTIC:
            check_rng(rng, f"Network(initializer={initializer!r})")
        return _init.get(initializer)

    # ------------------------------------------------------------ shape and size

    @property
    def n_layers(self) -> int:
        """``L``, the number of weight layers (hidden layers + the output layer).

        Introduced in: book/02-forward
        """
        return len(self.sizes) - 1

    @property
    def n_params(self) -> int:
        """The number of parameters, ``sum_l (sizes[l-1] + 1) * sizes[l]``.

        Introduced in: book/01-initialize
        """
        return sum(p.size for p in self.params.values())

    def __repr__(self) -> str:
        layers = [str(self.sizes[0])]
        layers += [f"{h} {a}" for h, a in zip(self.sizes[1:-1], self.activation_names, strict=True)]
        layers.append(str(self.sizes[-1]))
        dtype = "" if self.dtype == np.float64 else f", dtype={self.dtype.name}"
        return (
            f"Network({' -> '.join(layers)}, loss={self.loss_name!r}, "
            f"initializer={self.initializer!r}{dtype}; {self.n_params} parameters)"
        )

    # ------------------------------------------------------------ checks, once per call

    def _check_X(self, X: Any) -> np.ndarray:
        """``X`` as an array of this network's dtype, one row per example, or say why not."""
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} columns but the first layer expects {self.sizes[0]} "
                f"inputs; pass X of shape (n, {self.sizes[0]})"
            )
        return X.astype(self.dtype, copy=False)

    def _check_y(self, y: Any, n: int) -> np.ndarray:
        """``y`` as a float array with one row for each of the ``n`` rows of X, or say why not."""
        y = as_float_array(y, "y", ndim=(1, 2))
        if y.shape[0] != n:
            raise ValueError(
                f"X has {n} rows but y has {y.shape[0]}; they must hold the same "
                "examples, one per row"
            )
        if n == 0:
            raise ValueError("X is empty (no rows); a loss needs at least one example")
        return y

    def _param_names(self) -> list[tuple[str, str]]:
        """``[("W1", "b1"), ..., ("WL", "bL")]``: the names of each layer's parameters."""
        return [(f"W{l}", f"b{l}") for l in range(1, self.n_layers + 1)]

    def _check_params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W[1], b[1]), ..., (W[L], b[L])]`` from :attr:`params`, each mistake named.

        A parameter may have been replaced (``net.params["W1"] = ...``): it must hold
        finite numbers, ``W[l]`` of shape ``(width of A[l-1], units)`` and ``b[l]`` of
        shape ``(units,)``.
        """
        layers, n_in = [], self.sizes[0]  # n_in: the width of A[l-1], the input of layer l
        for l, (wname, bname) in enumerate(self._param_names(), start=1):
            W, b = (self._check_param(name) for name in (wname, bname))
            if W.ndim != 2 or W.shape[0] != n_in:
                raise ValueError(
                    f"params[{wname!r}] has shape {W.shape} but layer {l} takes {n_in} "
                    f"inputs, so it needs shape ({n_in}, units) (as built: "
                    f"{(self.sizes[l - 1], self.sizes[l])}); give it that shape, or build a "
                    "Network with the sizes you want"
                )
            if b.shape != (W.shape[1],):
                raise ValueError(
                    f"params[{bname!r}] has shape {b.shape} but params[{wname!r}] has "
                    f"{W.shape[1]} units (shape {W.shape}); it needs one entry per unit, "
                    f"shape ({W.shape[1]},)"
                )
            layers.append((W, b))
            n_in = W.shape[1]
        return layers

    def _check_param(self, name: str) -> np.ndarray:
        """``params[name]`` as a float array of finite numbers, or say what is wrong."""
        if name not in self.params:
            names = ", ".join(name for layer in self._param_names() for name in layer)
            raise KeyError(
                f"params has no {name!r}; a network of sizes {list(self.sizes)} has {names}"
            )
        p = as_float_array(self.params[name], f"params[{name!r}]", finite=False)
        check_finite(
            p,
            f"params[{name!r}]",
            "set it to finite numbers (after a run that diverged, build the network "
            "again or restore a copy of its parameters)",
        )
        return p

    def _activation(self, l: int) -> _activations.Activation:
        """The activation ``g_l`` of hidden layer ``l``, looked up by name now."""
        return _activations.ACTIVATIONS[self.activation_names[l - 1]]

    # ------------------------------------------------------------ step 2: forward

    def forward(self, X: Any) -> tuple[np.ndarray, list]:
        """Push a batch through the network.

        Parameters
        ----------
        X : array, shape ``(n, sizes[0])``

        Returns
        -------
        logits : ndarray, shape ``(n, sizes[-1])``
            ``Z[L]``, the linear output layer's values.
        cache : list
            One ``(dense_cache, activation_cache)`` per layer, for :meth:`backward`.

        Introduced in: book/02-forward
        """
        A, cache = self._check_X(X), []  # A[0] = X
        for l, (W, b) in enumerate(self._check_params(), start=1):
            Z, dense_cache = _layers.dense_forward(A, W, b)  # Z[l] = A[l-1] @ W[l] + b[l]
            if l < self.n_layers:  # hidden layer: A[l] = g_l(Z[l])
                A, act_cache = self._activation(l).forward(Z)
            else:  # output layer: linear, Z[L] are the logits
                A, act_cache = Z, None
            cache.append((dense_cache, act_cache))
        return A, cache

    # ------------------------------------------------------------ step 3: backprop

    def backward(self, dlogits: Any, cache: list) -> dict[str, np.ndarray]:
        """Backpropagate ``dL/dlogits`` through the layers, last to first.

        Parameters
        ----------
        dlogits : array, shape ``(n, sizes[-1])``
            Gradient of the loss with respect to the logits (from the loss function).
        cache : list
            From :meth:`forward` on the same batch.

        Returns
        -------
        dict of str -> ndarray
            ``dL/dW{l}`` and ``dL/db{l}``, the same names, order and shapes as :attr:`params`.

        Introduced in: book/03-backprop
        """
        dZ = as_float_array(dlogits, "dlogits", ndim=2, finite=False)  # dL/dZ[L]
        A_last, W_last = cache[-1][0]  # the output layer's input A[L-1] and weights W[L]
        logits_shape = (A_last.shape[0], W_last.shape[1])
        if dZ.shape != logits_shape:
            raise ValueError(
                f"dlogits has shape {dZ.shape} but the logits of the forward pass have shape "
                f"{logits_shape}; pass the loss's gradient for the same batch"
            )
        grads = {}
        for l in range(self.n_layers, 0, -1):
            wname, bname = f"W{l}", f"b{l}"
            dense_cache, _ = cache[l - 1]
            # dL/dA[l-1] = dZ @ W[l].T,  dL/dW[l] = A[l-1].T @ dZ,  dL/db[l] = sum of dZ's rows
            dA, grads[wname], grads[bname] = _layers.dense_backward(dZ, dense_cache)
            if l > 1:  # dL/dZ[l-1] = dL/dA[l-1] * g'(Z[l-1]), through layer l-1's activation
                dZ = self._activation(l - 1).backward(dA, cache[l - 2][1])
        return {name: grads[name] for layer in self._param_names() for name in layer}

    def loss_and_grads(self, X: Any, y: Any) -> tuple[float, dict[str, np.ndarray]]:
        """The loss on a batch and its gradient with respect to every parameter.

        Parameters
        ----------
        X : array, shape ``(n, sizes[0])``
        y : array
            Targets: shape ``(n,)`` or ``(n, sizes[-1])`` (see :mod:`descend.losses`).

        Returns
        -------
        loss : float
            The mean loss over the batch. If the logits overflowed (a diverging run)
            it is ``inf``, the grads are NaN, and the training loop reports the divergence.
        grads : dict of str -> ndarray
            Same names and shapes as :attr:`params`.

        Introduced in: book/03-backprop
        """
        logits, cache = self.forward(X)  # 2 forward (X and the parameters checked there)
        y = self._check_y(y, len(logits))
        if not np.isfinite(logits).all():
            return math.inf, {k: np.full_like(p, np.nan) for k, p in self.params.items()}
        loss, dlogits = _losses.LOSSES[self.loss_name](logits, y)
        return loss, self.backward(dlogits, cache)  # 3 backprop

    def loss(self, X: Any, y: Any) -> float:
        """The mean loss on a batch (``inf`` if the logits overflowed).

        Introduced in: book/02-forward
        """
        logits, _ = self.forward(X)
        y = self._check_y(y, len(logits))
        if not np.isfinite(logits).all():
            return math.inf
        return _losses.LOSSES[self.loss_name](logits, y)[0]

    # ------------------------------------------------------------ predictions

    def predict_proba(self, X: Any) -> np.ndarray:
        """Predicted probabilities.

        Returns
        -------
        ndarray
            ``binary_cross_entropy``: ``sigma(logits)``, shape ``(n,)`` for one output
            (the probability of label 1), else ``(n, k)``. ``softmax_cross_entropy``:
            ``softmax(logits)``, shape ``(n, k)``, rows summing to 1.

        Introduced in: book/02-forward
        """
        if self.loss_name == "mse":
            raise ValueError(
                'predict_proba needs a classification loss; this network uses loss="mse", '
                "whose outputs are predictions: use predict(X)"
            )
        logits = self._finite_logits(X)
        if self.loss_name == "softmax_cross_entropy":
            return _activations.softmax(logits)
        p = _activations.sigmoid(logits)
        return p[:, 0] if p.shape[1] == 1 else p

    def predict(self, X: Any) -> np.ndarray:
        """Predictions: class labels for classification losses, outputs for ``mse``.

        Returns
        -------
        ndarray
            ``binary_cross_entropy``: labels 0/1 (``p >= 0.5``), shape ``(n,)`` for one
            output, else ``(n, k)``; ``softmax_cross_entropy``: the most probable class,
            shape ``(n,)``; ``mse``: the outputs, shape ``(n,)`` for one output, else ``(n, k)``.

        Introduced in: book/02-forward
        """
        if self.loss_name == "softmax_cross_entropy":
            return np.argmax(self._finite_logits(X), axis=1)
        if self.loss_name == "binary_cross_entropy":
            return (self.predict_proba(X) >= 0.5).astype(int)
        out = self._finite_logits(X)
        return out[:, 0] if out.shape[1] == 1 else out

    def _finite_logits(self, X: Any) -> np.ndarray:
        """The logits on ``X``, or an error saying that they overflowed (never a NaN answer)."""
        logits, _ = self.forward(X)
        finite = np.isfinite(logits).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            raise ValueError(
                f"the network's outputs overflowed to inf or NaN for {int((~finite).sum())} "
                f"example(s) of X, the first at row {row}, so no prediction can be made; "
                "standardise the inputs (ds.data.Standardizer) or check the parameters "
                "for huge values"
            )
        return logits

    def activations(self, X: Any) -> list[np.ndarray]:
        """Every layer's output on a batch: ``[A[0] = X, A[1], ..., A[L-1], logits]``.

        For histograms of activations layer by layer (chapter 1's vanishing and
        exploding signals). Entry ``l`` has shape ``(n, sizes[l])``.

        Introduced in: book/01-initialize
        """
        logits, cache = self.forward(X)
        inputs = [dense_cache[0] for dense_cache, _ in cache]  # A[l-1], the input of layer l
        return [*inputs, logits]

    # ------------------------------------------------------------ parameters as one vector

    def get_params(self) -> np.ndarray:
        """All parameters as one 1-D vector (a copy), in the order of :attr:`params`.

        Introduced in: book/01-initialize
        """
        return np.concatenate([p.ravel() for p in self.params.values()])

    def set_params(self, vector: Any) -> None:
        """Overwrite all parameters, in place, from a vector like :meth:`get_params` returns.

        Parameters
        ----------
        vector : array, shape ``(n_params,)``

        Introduced in: book/01-initialize
        """
        vector = as_float_array(vector, "vector", ndim=1)
        if vector.size != self.n_params:
            raise ValueError(
                f"set_params got a vector of {vector.size} numbers but the network has "
                f"{self.n_params} parameters; build it with get_params()"
            )
        start = 0
        for p in self.params.values():
            p[...] = vector[start : start + p.size].reshape(p.shape)
            start += p.size

    def copy(self) -> Network:
        """An independent copy: same architecture, its own copy of the parameters.

        Introduced in: book/01-initialize
        """
        other = _copy.copy(self)
        other.params = {k: p.copy() for k, p in self.params.items()}
        return other
