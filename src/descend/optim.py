"""Step 5, the update: every optimizer behind one interface.

Each optimizer turns the gradient into a step for every parameter. They all share
one signature, so a training loop never needs to know which one it drives::

    opt = ds.optim.Adam(lr=0.01)
    for t in range(steps):
        loss, grads = net.loss_and_grads(X, y)   # forward + backward
        opt.step(net.params, grads)              # update, in place

The names, defaults and update formulas are PyTorch's (``torch.optim``), written
out operation by operation in the same order, so the numbers agree with PyTorch
to the last few digits and a learner who moves on to PyTorch meets the same
optimizer. Each docstring states the rule in the book's notation:

=========  ===========================  =========
symbol     meaning                      code
=========  ===========================  =========
θ          a parameter array            ``params[name]``
g          its gradient                 ``grads[name]``
η          the learning rate            ``lr``
λ          weight decay                 ``weight_decay``
t          the step count (1, 2, ...)   ``state["step"]``
=========  ===========================  =========

Written to be read, not to be fast. Introduced in: book/05-update
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from descend.errors import (
    DivergenceError,
    check_bool,
    check_choice,
    check_in_range,
    check_positive,
    check_same_keys_and_shapes,
)
from descend.registry import Registry

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    "get",
]


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start + weight * (end - start)`` in place on ``start``, as ``torch.lerp`` computes it.

    For a weight of 0.5 or more torch uses the algebraically equal
    ``end - (end - start) * (1 - weight)``, which loses fewer digits there; we do the same so
    the two libraries round alike.
    """
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1.0 - weight)
    return start


class Optimizer:
    """Base class: the validation and the per-parameter state every optimizer shares.

    Subclasses set ``name`` and implement ``_update(theta, g, state)``, which changes
    ``theta`` in place. The state is a dict per parameter name (``self.state[name]``),
    created on the first step that sees that name and cleared by :meth:`reset`.

    Parameters
    ----------
    lr : float
        The learning rate η, a finite number > 0. It may be changed between steps
        (``opt.lr = schedule(t)``); a schedule may also set it to 0, which leaves the
        parameters where they are.

    Introduced in: book/05-update
    """

    name: ClassVar[str] = "optimizer"

    def __init__(self, lr: float) -> None:
        self._lr = check_positive(lr, "lr")
        self.state: dict[str, dict[str, Any]] = {}
        self.steps = 0

    # --- the learning rate, settable between steps (schedules set it) ------------------
    @property
    def lr(self) -> float:
        """The learning rate η used by the next step (settable; >= 0).

        Introduced in: book/05-update
        """
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # 0 is allowed here (not in the constructor): a warm-up starts at 0 and a cosine
        # schedule may end there, and a step with lr 0 simply changes nothing.
        self._lr = check_positive(value, "lr", allow_zero=True)

    def hyperparameters(self) -> dict[str, Any]:
        """The optimizer's settings as a dict, in the order of the constructor's arguments.

        Introduced in: book/05-update
        """
        return {"lr": self.lr}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"

    def reset(self) -> None:
        """Forget all state (moments, accumulators, step counts), as for a fresh model.

        Introduced in: book/05-update
        """
        self.state.clear()
        self.steps = 0

    # --- one update ----------------------------------------------------------------------
    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
        """Move every parameter one step, in place, using its gradient.

        Parameters
        ----------
        params : dict name -> ndarray
            The parameters, float arrays of any shape; each is changed in place and
            keeps its dtype (float32 stays float32, and so does the arithmetic).
        grads : dict name -> ndarray
            The gradient of the loss for every parameter: the same names and shapes.

        Raises
        ------
        TypeError
            If a parameter is not a float ndarray or a gradient is not an ndarray of numbers.
        ValueError
            If names or shapes differ, or a parameter's shape changed since the optimizer
            last saw it (call :meth:`reset` when you start a new model).
        DivergenceError
            If a gradient holds NaN or infinity (the run has diverged).

        Introduced in: book/05-update
        """
        check_same_keys_and_shapes(params, grads)
        for name in params:
            self._check(name, params[name], grads[name])
        for name, theta in params.items():
            g = np.asarray(grads[name], dtype=theta.dtype)  # the arithmetic is theta's dtype
            state = self.state.get(name)
            if state is None:  # the first step that sees this parameter
                state = self.state[name] = {"shape": theta.shape, "step": 0}
                self._init_state(theta, state)
            state["step"] += 1
            self._update(theta, g, state)
        self.steps += 1

    def _check(self, name: str, theta: Any, g: Any) -> None:
        """Raise unless ``theta`` can be updated in place by the finite gradient ``g``."""
        if not isinstance(theta, np.ndarray) or theta.dtype.kind != "f":
            what = (
                f"an array of dtype {theta.dtype}"
                if isinstance(theta, np.ndarray)
                else f"a {type(theta).__name__}"
            )
            raise TypeError(
                f"params[{name!r}] is {what}; the optimizer updates parameters in place, so "
                f"each must be a float ndarray (e.g. np.asarray(value, dtype=float))"
            )
        if not isinstance(g, np.ndarray) or g.dtype.kind not in "fiu":
            what = (
                f"an array of dtype {g.dtype}"
                if isinstance(g, np.ndarray)
                else f"a {type(g).__name__}"
            )
            raise TypeError(
                f"grads[{name!r}] is {what}; pass the gradient as a NumPy array of real "
                "numbers with the parameter's shape (np.asarray(...))"
            )
        if not np.isfinite(g).all():
            raise DivergenceError(
                self.steps, self.lr, None, what=f"gradient {name}", value=_first_bad(g)
            )
        state = self.state.get(name)
        if state is not None and state["shape"] != theta.shape:
            raise ValueError(
                f"params[{name!r}] has shape {theta.shape} but the optimizer last updated "
                f"a {name!r} of shape {state['shape']}; call opt.reset() before using the "
                "optimizer on a new model"
            )

    def _init_state(self, theta: np.ndarray, state: dict[str, Any]) -> None:
        """Create the state arrays for one parameter (none by default)."""

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        raise NotImplementedError


def _first_bad(g: np.ndarray) -> float:
    return float(np.asarray(g)[~np.isfinite(g)].flat[0])


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (heavy ball or Nesterov).

    One step, for each parameter θ with gradient g (as ``torch.optim.SGD``)::

        if λ ≠ 0:  g ← g + λ θ                           (L2 weight decay)
        if μ ≠ 0:  b ← g                                  on the first step
                   b ← μ b + (1 − τ) g                    afterwards
                   g ← g + μ b   if nesterov,   else  g ← b
        θ ← θ − η g

    Plain gradient descent is the default (μ = 0): θ ← θ − η g.

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate η > 0.
    momentum : float, default 0
        Momentum factor μ ≥ 0 (0.9 is common).
    dampening : float, default 0
        Dampening τ in [0, 1]: the share of the new gradient left out of the buffer.
    nesterov : bool, default False
        Use Nesterov's look-ahead form; needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float, default 0
        L2 penalty λ ≥ 0 added to the gradient.

    State per parameter: ``momentum_buffer`` b (same shape as θ), when μ > 0.

    Introduced in: book/05-update
    """

    name = "sgd"

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        nesterov: bool = False,
        weight_decay: float = 0,
    ) -> None:
        super().__init__(lr)
        self.momentum = _check_momentum(momentum)
        self.dampening = check_in_range(dampening, "dampening", 0.0, 1.0)
        self.nesterov = check_bool(nesterov, "nesterov")
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={momentum!r}, dampening={dampening!r}; set momentum=0.9 (say) "
                "and dampening=0, or nesterov=False"
            )

    def hyperparameters(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "momentum": self.momentum,
            "dampening": self.dampening,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        if self.momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # np.array, not g.copy(): for a 0-d parameter g may be a NumPy scalar
                buf = state["momentum_buffer"] = np.array(g, dtype=theta.dtype)
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        theta -= self.lr * g


class Adagrad(Optimizer):
    """AdaGrad: each coordinate's step shrinks with the sum of its squared gradients.

    One step, for each parameter θ with gradient g, at step t = 1, 2, ... (as
    ``torch.optim.Adagrad``)::

        if λ ≠ 0:  g ← g + λ θ
        η_t ← η / (1 + (t − 1) · lr_decay)
        s ← s + g ⊙ g                         (s starts at initial_accumulator_value)
        θ ← θ − η_t · g / (√s + ε)

    Coordinates that have seen large gradients take small steps and vice versa;
    because s only grows, the steps shrink for ever (which RMSprop fixes).

    Parameters
    ----------
    lr : float, default 1e-2
        Learning rate η > 0.
    lr_decay : float, default 0
        Decay of the learning rate with the step count, ≥ 0.
    weight_decay : float, default 0
        L2 penalty λ ≥ 0.
    initial_accumulator_value : float, default 0
        Starting value of every entry of s, ≥ 0.
    eps : float, default 1e-10
        ε > 0, keeps the division finite where s is 0.

    State per parameter: ``sum`` s (shape of θ).

    Introduced in: book/05-update
    """

    name = "adagrad"

    def __init__(
        self,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(lr)
        self.lr_decay = check_positive(lr_decay, "lr_decay", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.initial_accumulator_value = check_positive(
            initial_accumulator_value, "initial_accumulator_value", allow_zero=True
        )
        self.eps = _check_eps(eps)

    def hyperparameters(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "lr_decay": self.lr_decay,
            "weight_decay": self.weight_decay,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.eps,
        }

    def _init_state(self, theta: np.ndarray, state: dict[str, Any]) -> None:
        state["sum"] = np.full_like(theta, self.initial_accumulator_value)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        s = state["sum"]
        s += g * g
        std = np.sqrt(s)
        std += self.eps
        theta += -clr * g / std


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of recent gradients.

    One step, for each parameter θ with gradient g (as ``torch.optim.RMSprop``)::

        if λ ≠ 0:  g ← g + λ θ
        v ← α v + (1 − α) g ⊙ g                     (running mean of g², starts at 0)
        if centered:
            m ← α m + (1 − α) g                     (running mean of g, starts at 0)
            d ← √(v − m ⊙ m) + ε                    (a running standard deviation)
        else:
            d ← √v + ε
        if μ > 0:  b ← μ b + g / d;   θ ← θ − η b
        else:      θ ← θ − η g / d

    Unlike AdaGrad's sum, the running mean forgets old gradients (at rate 1 − α), so
    the steps do not shrink for ever.

    Parameters
    ----------
    lr : float, default 1e-2
        Learning rate η > 0.
    alpha : float, default 0.99
        Smoothing constant α in [0, 1] (PyTorch only asks α ≥ 0; above 1 the mean of
        g² could turn negative and its square root NaN).
    eps : float, default 1e-8
        ε > 0.
    weight_decay : float, default 0
        L2 penalty λ ≥ 0.
    momentum : float, default 0
        Momentum factor μ ≥ 0.
    centered : bool, default False
        Divide by the running standard deviation instead of the root mean square.

    State per parameter: ``square_avg`` v, ``grad_avg`` m (if centered),
    ``momentum_buffer`` b (if μ > 0), each of the shape of θ.

    Introduced in: book/05-update
    """

    name = "rmsprop"

    def __init__(
        self,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ) -> None:
        super().__init__(lr)
        self.alpha = check_in_range(alpha, "alpha", 0.0, 1.0)
        self.eps = _check_eps(eps)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.momentum = _check_momentum(momentum)
        self.centered = check_bool(centered, "centered")

    def hyperparameters(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "alpha": self.alpha,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def _init_state(self, theta: np.ndarray, state: dict[str, Any]) -> None:
        state["square_avg"] = np.zeros_like(theta)
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(theta)
        if self.centered:
            state["grad_avg"] = np.zeros_like(theta)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        alpha = self.alpha
        if self.weight_decay != 0:
            g = g + self.weight_decay * theta
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * g * g
        if self.centered:
            # created here too in case centered was switched on after the first step
            m = state.setdefault("grad_avg", np.zeros_like(theta))
            _lerp(m, g, 1 - alpha)
            d = np.sqrt(v - m * m)
        else:
            d = np.sqrt(v)
        d += self.eps
        if self.momentum > 0:
            b = state.setdefault("momentum_buffer", np.zeros_like(theta))
            b *= self.momentum
            b += g / d
            theta -= self.lr * b
        else:
            theta += -self.lr * g / d


class Adam(Optimizer):
    """Adam: momentum on the gradient, RMSprop-style scaling, and bias correction.

    One step, for each parameter θ with gradient g, at step t = 1, 2, ... (as
    ``torch.optim.Adam``)::

        if λ ≠ 0:  g ← g + λ θ                        (L2 penalty, coupled: see AdamW)
        m ← β₁ m + (1 − β₁) g                         (first moment, starts at 0)
        v ← β₂ v + (1 − β₂) g ⊙ g                     (second moment, starts at 0)
        if amsgrad:  v_max ← max(v_max, v);  use v_max in place of v below
        θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

    The last line is the bias-corrected update θ ← θ − η m̂ / (√v̂ + ε) with
    m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ), written the way PyTorch computes it:
    ε is added after dividing √v by √(1 − β₂ᵗ).

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate η > 0.
    betas : (float, float), default (0.9, 0.999)
        Decay rates β₁, β₂ of the moment estimates, each in [0, 1).
    eps : float, default 1e-8
        ε > 0.
    weight_decay : float, default 0
        L2 penalty λ ≥ 0, added to the gradient.
    amsgrad : bool, default False
        Normalise by the largest second moment seen so far (AMSGrad).

    State per parameter: ``exp_avg`` m, ``exp_avg_sq`` v, ``max_exp_avg_sq`` (if amsgrad),
    each of the shape of θ.

    Introduced in: book/05-update
    """

    name = "adam"
    _decoupled: ClassVar[bool] = False

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr)
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(
                f"betas must be a pair (beta1, beta2), e.g. (0.9, 0.999); got {betas!r}"
            )
        self.betas = (
            check_in_range(betas[0], "betas[0]", 0.0, 1.0, high_inclusive=False),
            check_in_range(betas[1], "betas[1]", 0.0, 1.0, high_inclusive=False),
        )
        self.eps = _check_eps(eps)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.amsgrad = check_bool(amsgrad, "amsgrad")

    def hyperparameters(self) -> dict[str, Any]:
        return {
            "lr": self.lr,
            "betas": self.betas,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
            "amsgrad": self.amsgrad,
        }

    def _init_state(self, theta: np.ndarray, state: dict[str, Any]) -> None:
        state["exp_avg"] = np.zeros_like(theta)
        state["exp_avg_sq"] = np.zeros_like(theta)
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(theta)

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any]) -> None:
        beta1, beta2 = self.betas
        lr, t = self.lr, state["step"]
        if self.weight_decay != 0:
            if self._decoupled:
                theta *= 1 - lr * self.weight_decay
            else:
                g = g + self.weight_decay * theta
        m, v = state["exp_avg"], state["exp_avg_sq"]
        _lerp(m, g, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * g * g
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        step_size = lr / bias_correction1
        if self.amsgrad:
            v_max = state.setdefault("max_exp_avg_sq", np.zeros_like(theta))
            np.maximum(v_max, v, out=v_max)
            denom = np.sqrt(v_max)
        else:
            denom = np.sqrt(v)
        # torch's operations in torch's order: eps is added after dividing by sqrt(bc2)
        denom = denom / bias_correction2**0.5 + self.eps
        theta += -step_size * m / denom


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov and Hutter).

    One step, for each parameter θ with gradient g, at step t = 1, 2, ... (as
    ``torch.optim.AdamW``)::

        θ ← θ (1 − η λ)                               (decay the weights directly)
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g ⊙ g
        if amsgrad:  v_max ← max(v_max, v);  use v_max in place of v below
        θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

    The only difference from :class:`Adam` is the first line: the decay shrinks θ
    itself instead of being added to g, so it is not rescaled by √v. Note the
    default ``weight_decay=1e-2`` (Adam's is 0).

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate η > 0.
    betas : (float, float), default (0.9, 0.999)
        β₁, β₂, each in [0, 1).
    eps : float, default 1e-8
        ε > 0.
    weight_decay : float, default 1e-2
        Decoupled decay λ ≥ 0.
    amsgrad : bool, default False
        Use the largest second moment so far.

    Introduced in: book/05-update
    """

    name = "adamw"
    _decoupled = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr, betas, eps, weight_decay, amsgrad)


def _check_eps(eps: Any) -> float:
    why = (
        "PyTorch allows 0, but then a zero gradient gives 0/0 = NaN; keep the default "
        "or use a tiny value such as 1e-8"
    )
    return check_positive(eps, "eps", why=why)


def _check_momentum(momentum: Any) -> float:
    why = (
        "with a momentum of 1 or more old gradients never fade, so the steps do not "
        "shrink and the run never settles; 0.9 is common"
    )
    return check_in_range(momentum, "momentum", 0.0, 1.0, high_inclusive=False, why=why)


#: lowercase name -> the name of its class in this module
_CLASS_NAMES = {
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}

#: name -> optimizer class, looked up in this module on every access, so replacing
#: ``descend.optim.Adam`` replaces ``OPTIMIZERS["adam"]`` and ``get("adam")`` too
OPTIMIZERS: Registry = Registry(_CLASS_NAMES, lambda name: globals()[_CLASS_NAMES[name]])


def get(name: str, **kwargs: Any) -> Optimizer:
    """Build an optimizer by name (case does not matter), e.g. ``get("adam", lr=0.01)``.

    Parameters
    ----------
    name : str
        One of ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, ``"adamw"``.
    **kwargs
        The optimizer's hyperparameters.

    Introduced in: book/05-update
    """
    key = name.lower() if isinstance(name, str) else name
    check_choice("get", key, OPTIMIZERS, "optimizer")
    return OPTIMIZERS[key](**kwargs)
