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

Checked once, computed by the layers' kernels: :meth:`Network.forward`,
:meth:`Network.loss` and :meth:`Network.loss_and_grads` check the data and every
parameter once per call (each mistake named: ``params['W2'] holds 1 non-finite
value...``), then run the unchecked kernels behind the public functions of
:mod:`descend.layers`, :mod:`descend.activations` and :mod:`descend.losses`
(``_dense_forward`` behind ``dense_forward``, and so on): the same arithmetic, without
checking again in every layer what the network has just checked or produced itself.

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
from descend import losses as _losses
from descend.errors import all_finite, as_float_array, check_choice, check_finite, check_rng
from descend.layers import _check_dZ, _dense_backward, _dense_forward

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
        # the unchecked (forward, backward) of each hidden layer's activation: forward and
        # loss_and_grads check the input and the parameters once, not in every layer
        self._act_kernels = [_activations._KERNELS[a] for a in names]

        self.loss_name = check_choice("Network(loss=...)", loss, _losses.LOSSES, "loss")
        self._loss = _losses.get(loss)
        self._loss_targets, self._loss_kernel = _losses._KERNELS[loss]
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
        # (name, shape) of W[l] and of b[l], layer by layer: what _layers checks
        self._layout: list[tuple[tuple[str, tuple[int, int]], tuple[str, tuple[int]]]] = []
        for l in range(1, len(self.sizes)):
            shape = (self.sizes[l - 1], self.sizes[l])
            params[f"W{l}"] = np.asarray(init_fn(shape, rng=rng), dtype=self.dtype)
            params[f"b{l}"] = np.zeros(self.sizes[l], dtype=self.dtype)
            self._layout.append(((f"W{l}", shape), (f"b{l}", (self.sizes[l],))))
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
        if (
            type(X) is np.ndarray
            and X.dtype is self.dtype
            and X.ndim == 2
            and X.shape[1] == self.sizes[0]
            and all_finite((X,))
        ):
            return X  # the usual case: a few comparisons and one dot product
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} columns but the first layer expects {self.sizes[0]} "
                f"inputs; pass X of shape (n, {self.sizes[0]})"
            )
        return X.astype(self.dtype, copy=False)

    def _check_batch(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X = self._check_X(X)
        y = as_float_array(y, "y", ndim=(1, 2))
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X has {X.shape[0]} rows but y has {y.shape[0]}; they must hold the same "
                "examples, one per row"
            )
        if X.shape[0] == 0:
            raise ValueError(f"X is empty (shape {X.shape}); a loss needs at least one example")
        return X, y

    def _layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(W[1], b[1]), ..., (W[L], b[L])]`` from :attr:`params`, checked.

        The usual case, the network's own float arrays with their shapes and finite,
        costs a few comparisons and one dot product per array (``all_finite``); anything else (an
        array a learner put in, of another dtype or shape, or with NaN) goes through
        :meth:`_layers_checked`, which says what is wrong.
        """
        params, dtype = self.params, self.dtype
        layers, arrays = [], []
        for (wname, wshape), (bname, bshape) in self._layout:
            W, b = params.get(wname), params.get(bname)
            if not (
                type(W) is np.ndarray
                and type(b) is np.ndarray
                and W.dtype is dtype
                and b.dtype is dtype
                and W.shape == wshape
                and b.shape == bshape
            ):
                return self._layers_checked()
            layers.append((W, b))
            arrays += (W, b)
        if not all_finite(arrays):
            return self._layers_checked()  # which says where the NaN or infinity is
        return layers

    def _layers_checked(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`_layers` the slow way: every parameter checked, each error naming it.

        As the layers themselves would accept them: numbers of any float or integer
        dtype (integers are converted), finite, ``W[l]`` of shape ``(width of A[l-1],
        units)`` and ``b[l]`` of shape ``(units,)``.
        """
        layers = []
        n_in = self.sizes[0]  # the width of A[l-1], the input of layer l
        for l, ((wname, _), (bname, _)) in enumerate(self._layout, start=1):
            for name in (wname, bname):
                if name not in self.params:
                    raise KeyError(
                        f"params has no {name!r}; a network of sizes {list(self.sizes)} "
                        f"has {', '.join(name for layer in self._layout for name, _ in layer)}"
                    )
            W = as_float_array(self.params[wname], f"params[{wname!r}]", finite=False)
            b = as_float_array(self.params[bname], f"params[{bname!r}]", finite=False)
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
            for name, p in ((wname, W), (bname, b)):
                check_finite(
                    p,
                    f"params[{name!r}]",
                    "set it to finite numbers (after a run that diverged, build the network "
                    "again or restore a copy of its parameters)",
                )
            layers.append((W, b))
            n_in = W.shape[1]
        return layers

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
        return self._forward(self._check_X(X), self._layers())

    def _forward(self, A: np.ndarray, layers: list) -> tuple[np.ndarray, list]:
        # A[0] = X and the layers, checked by the caller
        cache = []
        last = len(layers)
        for l, (W, b) in enumerate(layers, start=1):
            Z, dense_cache = _dense_forward(A, W, b)  # Z[l] = A[l-1] @ W[l] + b[l]
            if l < last:  # hidden layer: A[l] = g_l(Z[l]); Z[l] is needed no more
                A, act_cache = self._act_kernels[l - 1][0](Z, overwrite=True)
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
        X, W = cache[-1][0]
        _check_dZ(dZ, X, W)  # then every layer below gets a gradient of the right shape
        return self._backward(dZ, cache, overwrite=False)

    def _backward(self, dZ: np.ndarray, cache: list, overwrite: bool) -> dict[str, np.ndarray]:
        # overwrite: the cache is this call's own (loss_and_grads), so the activations'
        # backward may reuse the memory of what it no longer needs
        grads = {}
        for l in range(len(cache), 0, -1):
            (A_prev, W), _ = cache[l - 1]
            (wname, _), (bname, _) = self._layout[l - 1]
            # dL/dA[l-1] = dZ @ W[l].T,  dL/dW[l] = A[l-1].T @ dZ,  dL/db[l] = sum of dZ's rows
            dA, grads[wname], grads[bname] = _dense_backward(dZ, A_prev, W, need_dX=l > 1)
            if l > 1:  # dL/dZ[l-1] = dL/dA[l-1] * g'(Z[l-1]), through layer l-1's activation
                dZ = self._act_kernels[l - 2][1](dA, cache[l - 2][1], overwrite=overwrite)
        return {name: grads[name] for name in self.params}

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
        X, y = self._check_batch(X, y)
        if not (self._own("forward") and self._own("backward")):
            # a subclass's (or a learner's) own forward or backward: used as they are
            logits, cache = self.forward(X)
            if not np.isfinite(logits).all():
                return math.inf, {k: np.full_like(p, np.nan) for k, p in self.params.items()}
            loss, dlogits = self._loss(logits, y)
            return loss, self.backward(dlogits, cache)
        logits, cache = self._forward(X, self._layers())  # forward
        if not all_finite((logits,)):
            return math.inf, {k: np.full_like(p, np.nan) for k, p in self.params.items()}
        loss, dlogits = self._loss_kernel(logits, self._loss_targets(y, logits))
        # backward; the cache is this call's own, so its arrays may be reused
        return loss, self._backward(dlogits, cache, overwrite=True)

    def loss(self, X: Any, y: Any) -> float:
        """The mean loss on a batch (``inf`` if the logits overflowed).

        Introduced in: book/02-forward
        """
        X, y = self._check_batch(X, y)
        if not self._own("forward"):
            logits, _ = self.forward(X)
            return math.inf if not np.isfinite(logits).all() else self._loss(logits, y)[0]
        logits, _ = self._forward(X, self._layers())
        if not all_finite((logits,)):
            return math.inf
        return self._loss_kernel(logits, self._loss_targets(y, logits))[0]

    def _own(self, method: str) -> bool:
        """Whether ``method`` is still this class's own, not replaced in a subclass or object."""
        return getattr(type(self), method) is _OWN_METHODS[method] and method not in vars(self)

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
        logits, _ = self.forward(X)
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
            return np.argmax(self.forward(X)[0], axis=1)
        if self.loss_name == "binary_cross_entropy":
            return (self.predict_proba(X) >= 0.5).astype(int)
        out, _ = self.forward(X)
        return out[:, 0] if out.shape[1] == 1 else out

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


# Network's own forward and backward: loss_and_grads and loss use their unchecked
# kernels only while these are in place, and call a replacement (a subclass's method, a
# learner's patch, the exercises' guard) as it is.
_OWN_METHODS = {"forward": Network.forward, "backward": Network.backward}
