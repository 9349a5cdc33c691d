"""Step 6, iterate: the training loop, its stopping rules, and what it records.

:func:`train` repeats steps 2 to 5 of the loop over the data, epoch after epoch::

    for each epoch:                                   # 6 iterate
        for each mini-batch (X_batch, y_batch):
            loss, grads = model.loss_and_grads(...)   # 2 forward, 3 backprop
            grad_norm = |grads|                       # 4 gradient
            optimizer.step(model.params, grads)       # 5 update
        measure the loss on all the training data; stop if a rule says so

and returns a :class:`History` of everything it measured. Step 1, initialize,
happens before: the model arrives with its starting parameters.

:func:`minimize` is the same loop for a point on a 2-D test surface (or a 1-D
function), where the "model" is the point itself; it returns the whole :class:`Path`.

Both watch for divergence: the moment the loss or a parameter stops being a finite
number they raise :class:`~descend.errors.DivergenceError`, naming the step, the
learning rate and the last finite loss. NumPy's overflow warnings are silenced
inside the loop (``np.errstate``) so a diverging run ends with that one clear error
instead of a page of warnings.

Written to be read, not to be fast. Introduced in: book/06-iterate
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descend.data import minibatches
from descend.errors import (
    DivergenceError,
    as_float_array,
    check_bool,
    check_choice,
    check_int,
    check_labels,
    check_positive,
    check_rng,
    check_same_length,
)

__all__ = [
    "History",
    "Path",
    "Progress",
    "STOP_REASONS",
    "TargetRun",
    "train",
    "minimize",
    "time_to_target",
]

#: Why a run of :func:`train` stopped, in the order the rules are checked after an epoch.
STOP_REASONS = ("callback", "loss_tol", "grad_tol", "early_stopping", "max_epochs")


# ---------------------------------------------------------------------------------------
# what a run records
# ---------------------------------------------------------------------------------------


@dataclass
class History:
    """Everything :func:`train` measured, step by step and epoch by epoch.

    Epochs are counted from 1; "epoch 0" means the starting parameters.

    Attributes
    ----------
    step_losses : list of float, length steps_run
        The loss on the mini-batch of each step, before that step's update.
    epoch_losses : list of float, length epochs_run
        The loss on the whole training set after each epoch.
    val_losses : list of float, length epochs_run (empty without validation data)
        The loss on the validation set after each epoch.
    grad_norms : list of float, length steps_run
        The Euclidean norm of each step's (mini-batch) gradient, over all parameters.
    lrs : list of float, length steps_run
        The learning rate each step used.
    snapshots : list of (epoch, dict name -> ndarray)
        Copies of the parameters at epochs 0, k, 2k, ... when ``snapshot_every=k``.
    grad_evals : int
        Examples whose gradient the updates used: ``n`` per full epoch whatever the
        batch size. (The full-gradient check of ``grad_tol`` is monitoring, like
        ``epoch_losses``, and is not counted.)
    stopped_reason : str
        One of :data:`STOP_REASONS`: ``"max_epochs"``, ``"loss_tol"``, ``"grad_tol"``,
        ``"early_stopping"`` or ``"callback"``.
    epochs_run, steps_run : int
        Epochs started (an epoch cut short by a step callback counts) and updates made.
    best_epoch : int
        The epoch (0 = the start) with the lowest validation loss, or the lowest
        training loss without validation data; a later epoch counts as better only
        when it improves by more than ``min_delta``.
    initial_loss : float
        The training loss before any update.
    initial_val_loss : float or None
        The validation loss before any update.
    epoch_grad_norms : list of float
        The norm of the full training gradient after each epoch (only with ``grad_tol``).
    restored_best : bool
        Whether the parameters were set back to those of ``best_epoch`` at the end.

    Introduced in: book/06-iterate
    """

    step_losses: list[float] = field(default_factory=list)
    epoch_losses: list[float] = field(default_factory=list)
    val_losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    lrs: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, dict[str, np.ndarray]]] = field(default_factory=list)
    grad_evals: int = 0
    stopped_reason: str = ""
    epochs_run: int = 0
    steps_run: int = 0
    best_epoch: int = 0
    initial_loss: float = math.nan
    initial_val_loss: float | None = None
    epoch_grad_norms: list[float] = field(default_factory=list)
    restored_best: bool = False

    def summary(self) -> str:
        """One line: why and when the run stopped, and how the loss moved.

        Introduced in: book/06-iterate
        """
        final = self.epoch_losses[-1] if self.epoch_losses else self.initial_loss
        text = (
            f"stopped by {self.stopped_reason} after {self.epochs_run} epoch(s), "
            f"{self.steps_run} step(s), {self.grad_evals} gradient evaluations; "
            f"training loss {self.initial_loss:.4g} -> {final:.4g}"
        )
        if self.val_losses:
            e = self.best_epoch
            best = self.initial_val_loss if e == 0 else self.val_losses[e - 1]
            text += (
                f"; validation loss {self.val_losses[-1]:.4g} (best {best:.4g} at epoch "
                f"{self.best_epoch}{', restored' if self.restored_best else ''})"
            )
        return text


@dataclass(frozen=True)
class Progress:
    """What a callback of :func:`train` receives, once per step or once per epoch.

    Attributes
    ----------
    epoch : int
        The current epoch, counted from 1.
    step : int
        For ``on_step``: this step's index (0-based). For ``on_epoch``: the number of
        steps made so far.
    loss : float
        For ``on_step``: the mini-batch loss of this step (before its update). For
        ``on_epoch``: the loss on the whole training set after the epoch.
    params : dict name -> ndarray
        The model's live parameters (after the update); copy them to keep them.
    lr : float
        The learning rate in force.
    grad_norm : float or None
        This step's gradient norm (``on_step``); the full gradient's norm when
        ``grad_tol`` is set (``on_epoch``), else None.
    val_loss : float or None
        The validation loss after the epoch (``on_epoch`` with validation data).
    history : History
        The history so far.

    Introduced in: book/06-iterate
    """

    epoch: int
    step: int
    loss: float
    params: Mapping[str, np.ndarray]
    lr: float
    grad_norm: float | None = None
    val_loss: float | None = None
    history: History | None = None


# ---------------------------------------------------------------------------------------
# the training loop
# ---------------------------------------------------------------------------------------


def train(
    model: Any,
    X: Any,
    y: Any,
    optimizer: Any,
    *,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    rng: np.random.Generator | None = None,
    X_val: Any = None,
    y_val: Any = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    restore_best: bool = True,
    loss_tol: float | None = None,
    grad_tol: float | None = None,
    schedule: Callable[[int], float] | None = None,
    schedule_per: str = "epoch",
    on_step: Callable[[Progress], Any] | None = None,
    on_epoch: Callable[[Progress], Any] | None = None,
    snapshot_every: int | None = None,
) -> History:
    """Train ``model`` by gradient descent: the six-step loop, repeated over epochs.

    The parameters in ``model.params`` are updated in place.

    Parameters
    ----------
    model : object
        Anything with ``params`` (dict name -> float ndarray), ``loss_and_grads(X, y)
        -> (loss, grads)`` and ``loss(X, y) -> float``, e.g. :class:`descend.Network`.
    X : array-like, shape (n, ...)
        Training inputs, one row per example.
    y : array-like, shape (n, ...)
        Training labels or targets.
    optimizer : object
        Anything with a settable ``lr`` and ``step(params, grads)``, e.g.
        ``descend.optim.SGD(lr=0.1)``. Pass a fresh one (its state is kept).
    epochs : int
        The maximum number of passes over the training data, at least 1.
    batch_size : int or None
        ``None``: full batch (one step per epoch, the exact gradient); ``1``:
        stochastic gradient descent; otherwise mini-batches of this size (the last
        one of an epoch may be smaller). Between 1 and ``n``.
    shuffle : bool
        Visit the examples in a new random order every epoch (only matters when an
        epoch has more than one batch; it then needs ``rng``).
    rng : numpy.random.Generator, optional
        ``np.random.default_rng(seed)``; draws the shuffling.
    X_val, y_val : array-like, optional
        Validation data (both or neither), evaluated after every epoch.
    patience : int, optional
        Early stopping: stop once the validation loss has not improved by more than
        ``min_delta`` for ``patience`` epochs in a row. Needs validation data.
    min_delta : float
        The smallest decrease of the monitored loss that counts as an improvement.
    restore_best : bool
        With early stopping (``patience`` set), leave the model at the parameters of
        ``best_epoch`` when the run ends, whatever ended it.
    loss_tol : float, optional
        Stop once the training loss after an epoch is ``<= loss_tol``.
    grad_tol : float, optional
        Stop once the norm of the gradient over the whole training set, measured
        after an epoch, is ``<= grad_tol``.
    schedule : callable, optional
        ``schedule(t) -> lr``; sets ``optimizer.lr`` before every epoch
        (``t`` = 0, 1, ... epochs done) or every step (``t`` = steps done).
    schedule_per : {"epoch", "step"}
        How often the schedule is applied.
    on_step, on_epoch : callable, optional
        Called with a :class:`Progress` after every step / every epoch; returning
        ``True`` stops the run (reason ``"callback"``). A stop from ``on_step`` cuts
        the epoch short; it is still measured and ``on_epoch`` still sees it.
    snapshot_every : int, optional
        Keep a copy of the parameters at epochs 0, k, 2k, ... (``k = snapshot_every``).

    Returns
    -------
    History
        The losses, gradient norms and learning rates of every step and epoch, and why
        the run stopped. After an epoch the stopping rules are checked in the order of
        :data:`STOP_REASONS`; ``"max_epochs"`` when none fired.

    Raises
    ------
    DivergenceError
        The moment a loss or a parameter becomes NaN or infinite.
    ValueError, TypeError
        For any invalid argument, before any work is done; ``ValueError`` also when the
        loss is not finite before the first update.

    Introduced in: book/06-iterate
    """
    _check_model(model)
    _check_optimizer(optimizer)
    X, y = _check_data(X, y, "X", "y")
    batch_size, shuffling = _check_batches(len(X), batch_size, shuffle, rng)
    val = _check_validation(X_val, y_val)  # None, or the pair (X_val, y_val)
    rules = _StoppingRules(
        epochs, patience, min_delta, restore_best, loss_tol, grad_tol, val is not None
    )
    snapshot_every = _check_hooks(schedule, schedule_per, on_step, on_epoch, snapshot_every)

    params, history = model.params, History()
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
        _record_start(model, X, y, val, history, snapshot=snapshot_every is not None)
        rules.start(history, params)
        last_loss = history.initial_loss  # the last finite loss seen, for DivergenceError
        step, epoch, stop = 0, 0, None
        while stop is None:
            epoch += 1  # 6 iterate: one epoch is one pass over the training data
            if schedule is not None and schedule_per == "epoch":
                _set_lr(optimizer, schedule, epoch - 1)
            for X_batch, y_batch in minibatches(X, y, batch_size, rng, shuffle=shuffling):
                if schedule is not None and schedule_per == "step":
                    _set_lr(optimizer, schedule, step)
                lr = float(optimizer.lr)
                # 2 forward and 3 backprop: the batch's loss and its gradient
                loss, grads = model.loss_and_grads(X_batch, y_batch)
                loss = _finite_loss(loss, "loss", step, lr, last_loss)
                # 4 gradient: its length says how steep the loss is here
                grad_norm = _norm(grads)
                # 5 update: every parameter a step against its gradient, in place
                _update(optimizer, params, grads, step, lr, loss)
                last_loss = loss
                _record_step(history, loss, grad_norm, lr, len(X_batch))
                step += 1
                if on_step is not None:
                    info = Progress(epoch, step - 1, loss, params, lr, grad_norm, None, history)
                    if _wants_stop(on_step(info)):
                        stop = "callback"
                        break

            # measure the epoch on the whole training set (and the validation set)
            history.epochs_run, history.steps_run = epoch, step
            loss, val_loss, full_norm = _measure_epoch(
                model, X, y, val, rules.grad_tol, history, step, optimizer.lr, last_loss
            )
            last_loss = loss
            rules.track_best(epoch, loss if val is None else val_loss, params, history)
            if snapshot_every is not None and epoch % snapshot_every == 0:
                history.snapshots.append((epoch, _copy(params)))
            if on_epoch is not None:
                info = Progress(
                    epoch, step, loss, params, optimizer.lr, full_norm, val_loss, history
                )
                if _wants_stop(on_epoch(info)) and stop is None:
                    stop = "callback"
            stop = stop or rules.reason_to_stop(epoch, loss, full_norm)

    history.stopped_reason = stop
    rules.finish(params, history)
    return history


class _StoppingRules:
    """When :func:`train` stops, and the best epoch that early stopping watches.

    Checks its arguments when built (see :func:`train` for their meaning). The rules are
    checked after every epoch, in the order of :data:`STOP_REASONS` ("callback" is
    decided by :func:`train` itself).
    """

    def __init__(
        self,
        epochs: Any,
        patience: Any,
        min_delta: Any,
        restore_best: Any,
        loss_tol: Any,
        grad_tol: Any,
        has_val: bool,
    ) -> None:
        self.epochs = check_int(
            epochs, "epochs", 1, hint=" (the maximum number of passes over the data)"
        )
        if patience is not None:
            patience = check_int(patience, "patience", 1, hint=" (epochs without improvement)")
            if not has_val:
                raise ValueError(
                    "patience (early stopping) watches the validation loss, so it needs "
                    "validation data: pass X_val and y_val (e.g. from ds.data.train_val_split)"
                )
        self.patience = patience
        self.min_delta = check_positive(min_delta, "min_delta", allow_zero=True)
        self.keep_best = check_bool(restore_best, "restore_best") and patience is not None
        self.loss_tol = None if loss_tol is None else check_positive(loss_tol, "loss_tol")
        self.grad_tol = None if grad_tol is None else check_positive(grad_tol, "grad_tol")

    def start(self, history: History, params: Mapping[str, np.ndarray]) -> None:
        """Epoch 0, the starting parameters, is the best so far."""
        has_val = history.initial_val_loss is not None
        self.best = history.initial_val_loss if has_val else history.initial_loss
        self.since_best = 0
        self.best_params = _copy(params) if self.keep_best else None

    def track_best(
        self, epoch: int, monitored: float, params: Mapping[str, np.ndarray], history: History
    ) -> None:
        """Note whether ``epoch`` improved the monitored loss by more than ``min_delta``."""
        if monitored < self.best - self.min_delta:
            self.best, history.best_epoch, self.since_best = monitored, epoch, 0
            if self.keep_best:
                self.best_params = _copy(params)
        else:
            self.since_best += 1

    def reason_to_stop(self, epoch: int, loss: float, full_grad_norm: float | None) -> str | None:
        """The first rule that fires after ``epoch``, or None to go on."""
        if self.loss_tol is not None and loss <= self.loss_tol:
            return "loss_tol"
        if self.grad_tol is not None and full_grad_norm <= self.grad_tol:
            return "grad_tol"
        if self.patience is not None and self.since_best >= self.patience:
            return "early_stopping"
        if epoch == self.epochs:
            return "max_epochs"
        return None

    def finish(self, params: Mapping[str, np.ndarray], history: History) -> None:
        """With early stopping, set the parameters back to those of the best epoch."""
        if self.keep_best and history.best_epoch != history.epochs_run:
            for name, value in self.best_params.items():
                params[name][...] = value
            history.restored_best = True


def _record_start(
    model: Any, X: np.ndarray, y: np.ndarray, val: Any, history: History, snapshot: bool
) -> None:
    """Record where the parameters start: the losses before any update, snapshot 0."""
    history.initial_loss = _starting_loss(model.loss(X, y), "training")
    if val is not None:
        history.initial_val_loss = _starting_loss(model.loss(*val), "validation")
    if snapshot:
        history.snapshots.append((0, _copy(model.params)))


def _record_step(history: History, loss: float, grad_norm: float, lr: float, n: int) -> None:
    """Record one step: its mini-batch loss, gradient norm, learning rate, ``n`` examples."""
    history.step_losses.append(loss)
    history.grad_norms.append(grad_norm)
    history.lrs.append(lr)
    history.grad_evals += n


def _measure_epoch(
    model: Any,
    X: np.ndarray,
    y: np.ndarray,
    val: Any,
    grad_tol: float | None,
    history: History,
    step: int,
    lr: float,
    last_loss: float,
) -> tuple[float, float | None, float | None]:
    """The losses after an epoch, recorded: ``(training loss, validation loss, full norm)``.

    The norm of the full training gradient is measured only for ``grad_tol`` (else None),
    the validation loss only with validation data. A non-finite loss raises
    :class:`DivergenceError` (at ``step``, with ``lr`` and ``last_loss``).
    """
    full_norm = None
    if grad_tol is None:
        loss = model.loss(X, y)
    else:
        loss, full_grads = model.loss_and_grads(X, y)
        full_norm = _norm(full_grads)
        history.epoch_grad_norms.append(full_norm)
    loss = _finite_loss(loss, "training loss", step, lr, last_loss)
    history.epoch_losses.append(loss)
    val_loss = None
    if val is not None:
        val_loss = _finite_loss(model.loss(*val), "validation loss", step, lr, loss)
        history.val_losses.append(val_loss)
    return loss, val_loss, full_norm


# ---------------------------------------------------------------------------------------
# descent on a surface
# ---------------------------------------------------------------------------------------


@dataclass
class Path:
    """The route :func:`minimize` took: every point, with its value and gradient norm.

    Attributes
    ----------
    points : ndarray, shape (k+1, d)
        The start and the point after each of the ``k`` steps (``d`` = 2 on a surface,
        1 for a function of one variable).
    values : ndarray, shape (k+1,)
        The function's value at each point.
    grad_norms : ndarray, shape (k+1,)
        The norm of the gradient at each point.
    stopped_reason : str
        ``"max_steps"`` or ``"grad_tol"``.
    lrs : ndarray, shape (k,)
        The learning rate of each step.

    Introduced in: book/00-one-dimension
    """

    points: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    stopped_reason: str
    lrs: np.ndarray

    @property
    def steps_run(self) -> int:
        """The number of steps taken, ``k``."""
        return len(self.points) - 1

    def summary(self) -> str:
        """One line: where the path ended and why.

        Introduced in: book/00-one-dimension
        """
        end = ", ".join(f"{v:.4g}" for v in self.points[-1])
        return (
            f"stopped by {self.stopped_reason} after {self.steps_run} step(s) at ({end}): "
            f"value {self.values[0]:.4g} -> {self.values[-1]:.4g}, "
            f"gradient norm {self.grad_norms[-1]:.3g}"
        )


def minimize(
    surface: Any,
    start: Any,
    optimizer: Any,
    steps: int = 100,
    grad_tol: float | None = None,
) -> Path:
    """Descend a surface from ``start`` with ``optimizer``, returning the whole path.

    The point is treated as a one-parameter model: ``params = {"p": point}`` and
    ``grads = {"p": surface.gradient(point)}``, so every optimizer of
    :mod:`descend.optim` works unchanged.

    Parameters
    ----------
    surface : object
        Anything with ``value(p) -> float`` and ``gradient(p) -> array like p``: a
        :class:`descend.surfaces.Surface` (points of shape (2,)) or your own
        function of one variable (points of shape (1,)).
    start : array-like, shape (d,), or a number, or None
        The starting point; a number is a point of shape (1,); ``None`` takes
        ``surface.start``.
    optimizer : object
        Anything with a settable ``lr`` and ``step(params, grads)``. Pass a fresh one.
    steps : int
        The maximum number of steps, at least 1.
    grad_tol : float, optional
        Stop at the first point where the gradient norm is ``<= grad_tol``.

    Returns
    -------
    Path
        ``points`` (k+1, d), ``values`` (k+1,), ``grad_norms`` (k+1,), ``lrs`` (k,),
        ``stopped_reason`` (``"max_steps"`` or ``"grad_tol"``).

    Raises
    ------
    DivergenceError
        When a value, a gradient or the point becomes NaN or infinite; ``step`` is the
        number of steps that led to that point (for the point itself, the step that
        produced it), ``last_finite_loss`` the last finite value.

    Introduced in: book/00-one-dimension
    """
    for attr in ("value", "gradient"):
        if not callable(getattr(surface, attr, None)):
            raise TypeError(
                f"surface must have methods value(p) and gradient(p) (like ds.surfaces.get("
                f"'rosenbrock')); {type(surface).__name__} has no {attr}()"
            )
    _check_optimizer(optimizer)
    if start is None:
        start = getattr(surface, "start", None)
        if start is None:
            raise ValueError("start is None and the surface suggests no start: pass a point")
    p = np.array(as_float_array(start, "start", ndim=(0, 1)), dtype=np.float64).reshape(-1)
    if p.size == 0:
        raise ValueError("start must hold at least one coordinate, got an empty array")
    steps = check_int(steps, "steps", 1)
    if grad_tol is not None:
        grad_tol = check_positive(grad_tol, "grad_tol")

    params = {"p": p}
    points, values, norms, lrs = [], [], [], []
    stop = "max_steps"
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
        for step in range(steps + 1):
            # 2 forward: the value at the current point
            value = _value(surface, p)
            last = values[-1] if values else None
            if not math.isfinite(value):
                if step == 0:
                    raise ValueError(f"the value at the start {p.tolist()} is {value}")
                raise DivergenceError(step, optimizer.lr, last, what="value", value=value)
            # 3 backprop and 4 gradient: the slope at the current point
            g = _gradient(surface, p)
            if not np.all(np.isfinite(g)):
                if step == 0:
                    raise ValueError(f"the gradient at the start {p.tolist()} is {g.tolist()}")
                raise DivergenceError(step, optimizer.lr, value, what="gradient", value=_bad(g))
            points.append(p.copy())
            values.append(value)
            norms.append(float(np.linalg.norm(g)))
            if grad_tol is not None and norms[-1] <= grad_tol:
                stop = "grad_tol"
                break
            if step == steps:
                break
            # 5 update: a step against the gradient
            lrs.append(float(optimizer.lr))
            _update(optimizer, params, {"p": g}, step, lrs[-1], value, what="point")
    return Path(np.array(points), np.array(values), np.array(norms), stop, np.array(lrs))


# ---------------------------------------------------------------------------------------
# measuring: how much work does a run need to reach a target loss?
# ---------------------------------------------------------------------------------------


@dataclass
class TargetRun:
    """What :func:`time_to_target` measured: the work a run needed to reach a target loss.

    Attributes
    ----------
    reached : bool
        Whether the training loss came down to the target within ``max_epochs``.
    seconds : float
        Wall-clock time of the training (``time.perf_counter``), without the time spent
        checking the full training loss for the target.
    epochs : float
        Passes over the data, ``grad_evals / n`` (fractional: a run may stop mid-epoch).
    steps : int
        Parameter updates made.
    grad_evals : int
        Examples whose gradient the updates used.
    final_loss : float
        The training loss at the last check (``<= target`` when ``reached``).
    history : History
        The run's :class:`History`.

    Introduced in: book/05-update
    """

    reached: bool
    seconds: float
    epochs: float
    steps: int
    grad_evals: int
    final_loss: float
    history: History


def time_to_target(
    model: Any,
    X: Any,
    y: Any,
    optimizer: Any,
    target: float,
    *,
    batch_size: int | None = None,
    max_epochs: int = 100,
    check_every: int | None = None,
    rng: np.random.Generator | None = None,
) -> TargetRun:
    """Train until the training loss is ``<= target`` and report the work it took.

    The full training loss is checked each time another ``check_every`` examples have
    been used (after the step that reaches that count), so runs with any batch size are
    checked equally often per example seen; the time those checks take is left out of
    ``seconds``. With ``batch_size=None`` (full batch) every step is checked.

    Parameters
    ----------
    model, X, y, optimizer, batch_size, rng
        As for :func:`train` (``rng`` draws the shuffling of mini-batches).
    target : float
        The training loss to reach, > 0.
    max_epochs : int
        Give up after this many epochs (then ``reached`` is False).
    check_every : int, optional
        Examples between two checks of the full training loss, >= 1; default
        ``ceil(n / 20)`` (twenty checks per epoch).

    Returns
    -------
    TargetRun
        ``reached``, ``seconds``, ``epochs``, ``steps``, ``grad_evals``, ``final_loss``
        and the ``history``.

    Introduced in: book/05-update
    """
    _check_model(model)
    target = check_positive(target, "target")
    X, y = _check_data(X, y, "X", "y")
    n = len(X)
    if check_every is None:
        check_every = math.ceil(n / 20)
    check_every = check_int(check_every, "check_every", 1, hint=" (examples between checks)")
    start_loss = float(model.loss(X, y))
    if start_loss <= target:
        return TargetRun(True, 0.0, 0.0, 0, 0, start_loss, History(initial_loss=start_loss))

    seen = {"evals": 0, "since_check": 0, "check_seconds": 0.0, "loss": start_loss}
    seen["reached"] = False

    def on_step(info: Progress) -> bool:
        # examples used by this step: the history's count went up by the batch's size
        seen["since_check"] += info.history.grad_evals - seen["evals"]
        seen["evals"] = info.history.grad_evals
        if seen["since_check"] < check_every:
            return False
        seen["since_check"] = 0
        t_check = time.perf_counter()
        seen["loss"] = float(model.loss(X, y))
        seen["check_seconds"] += time.perf_counter() - t_check
        seen["reached"] = seen["loss"] <= target
        return seen["reached"]

    t0 = time.perf_counter()
    history = train(
        model, X, y, optimizer, epochs=max_epochs, batch_size=batch_size, rng=rng, on_step=on_step
    )
    seconds = time.perf_counter() - t0 - seen["check_seconds"]
    final = seen["loss"] if seen["reached"] else history.epoch_losses[-1]
    return TargetRun(
        reached=bool(seen["reached"]),
        seconds=max(seconds, 0.0),
        epochs=history.grad_evals / n,
        steps=history.steps_run,
        grad_evals=history.grad_evals,
        final_loss=float(final),
        history=history,
    )


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _check_model(model: Any) -> None:
    missing = [a for a in ("params", "loss_and_grads", "loss") if not hasattr(model, a)]
    if missing:
        raise TypeError(
            f"model must have params, loss_and_grads(X, y) and loss(X, y) (like ds.Network); "
            f"{type(model).__name__} lacks {', '.join(missing)}"
        )
    if not isinstance(model.params, Mapping) or not model.params:
        raise TypeError(
            "model.params must be a non-empty dict name -> ndarray, got "
            f"{type(model.params).__name__}"
        )


def _check_optimizer(optimizer: Any) -> None:
    if isinstance(optimizer, type):
        raise TypeError(
            f"optimizer is the class {optimizer.__name__}, not an optimizer: build one with "
            f"its learning rate, e.g. {optimizer.__name__}(lr=0.1), and pass that"
        )
    if not hasattr(optimizer, "lr") or not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            "optimizer must have lr and step(params, grads) (like ds.optim.SGD(lr=0.1)); "
            f"got {type(optimizer).__name__}"
        )


def _check_data(X: Any, y: Any, xname: str, yname: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, xname)
    y = check_labels(y, yname)
    check_same_length(X, y, xname, yname)
    if len(X) == 0:
        raise ValueError(f"{xname} has no examples (shape {X.shape})")
    return X, y


def _check_batches(n: int, batch_size: Any, shuffle: Any, rng: Any) -> tuple[int, bool]:
    """``(batch_size, shuffling)`` for ``n`` examples: ``None`` is one batch of all ``n``."""
    if batch_size is None:
        batch_size = n
    else:
        batch_size = check_int(
            batch_size, "batch_size", 1, n, f" (n={n} training examples; None for full batch)"
        )
    shuffle = check_bool(shuffle, "shuffle")
    if rng is not None:
        check_rng(rng, "train")
    shuffling = shuffle and batch_size < n  # one batch per epoch: its order changes nothing
    if shuffling and rng is None:
        raise ValueError(
            f"shuffling mini-batches of {batch_size} needs a random generator: pass "
            "rng=np.random.default_rng(seed), or shuffle=False to keep the data's order"
        )
    return batch_size, shuffling


def _check_validation(X_val: Any, y_val: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The validation data as checked arrays, or None when there is none."""
    if (X_val is None) != (y_val is None):
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(f"{given} was given without {missing}: pass both or neither")
    return None if X_val is None else _check_data(X_val, y_val, "X_val", "y_val")


def _check_hooks(
    schedule: Any, schedule_per: Any, on_step: Any, on_epoch: Any, snapshot_every: Any
) -> int | None:
    """Check what train calls or keeps along the way; return ``snapshot_every``, checked."""
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function t -> lr, got {type(schedule).__name__}")
    check_choice("schedule_per", schedule_per, ("epoch", "step"), "schedule interval")
    for cb, name in ((on_step, "on_step"), (on_epoch, "on_epoch")):
        if cb is not None and not callable(cb):
            raise TypeError(f"{name} must be a function of one Progress argument or None")
    if snapshot_every is None:
        return None
    return check_int(snapshot_every, "snapshot_every", 1, hint=" (epochs)")


def _finite_loss(loss: Any, what: str, step: int, lr: float, last_loss: float) -> float:
    """``loss`` as a float, or :class:`DivergenceError` if it is NaN or infinite."""
    loss = float(loss)
    if not math.isfinite(loss):
        raise DivergenceError(step, lr, last_loss, what=what, value=loss)
    return loss


def _starting_loss(loss: Any, which: str) -> float:
    loss = float(loss)
    if not math.isfinite(loss):
        raise ValueError(
            f"the {which} loss is {loss} before any update, so there is nothing to descend: "
            "check the data for huge values (standardise it) and the initial parameters"
        )
    return loss


def _set_lr(optimizer: Any, schedule: Callable[[int], float], t: int) -> None:
    optimizer.lr = check_positive(schedule(t), f"the schedule's learning rate at t={t}", True)


def _norm(grads: Mapping[str, np.ndarray]) -> float:
    """The Euclidean norm of all gradients together, as if stacked in one vector.

    It is finite only if every gradient is (NaN and infinity propagate through the sum of
    squares); an infinite norm may also be an overflow of finite gradients.
    """
    return math.sqrt(sum(float((g**2).sum()) for g in grads.values()))


def _update(
    optimizer: Any,
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    step: int,
    lr: float,
    loss: float,
    what: str = "parameter",
) -> None:
    """``optimizer.step``, then check that every parameter is still finite.

    ``what`` names the culprit in the error: ``"parameter"`` (followed by the
    parameter's name) in :func:`train`, ``"point"`` in :func:`minimize`.
    """
    try:
        optimizer.step(params, grads)
    except DivergenceError as exc:  # a non-finite gradient, caught by the optimizer
        raise DivergenceError(step, lr, loss, what=exc.what, value=exc.value) from exc
    for name, value in params.items():
        if not np.isfinite(value).all():
            label = f"parameter {name}" if what == "parameter" else what
            raise DivergenceError(step, lr, loss, what=label, value=_bad(value))


def _bad(arr: np.ndarray) -> float:
    arr = np.asarray(arr, dtype=float)
    return float(arr[~np.isfinite(arr)].flat[0])


def _copy(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.array(value, copy=True) for name, value in params.items()}


def _wants_stop(answer: Any) -> bool:
    """A callback stops the run by returning True (a bool; anything else is ignored)."""
    return isinstance(answer, (bool, np.bool_)) and bool(answer)


def _value(surface: Any, p: np.ndarray) -> float:
    v = np.asarray(surface.value(p.copy()), dtype=float)
    if v.size != 1:
        raise ValueError(f"surface.value(p) must return one number, got shape {v.shape}")
    return float(v.reshape(-1)[0])


def _gradient(surface: Any, p: np.ndarray) -> np.ndarray:
    g = np.asarray(surface.gradient(p.copy()), dtype=float)
    if g.size != p.size:
        raise ValueError(
            f"surface.gradient(p) returned shape {g.shape} for a point of shape {p.shape}; "
            "it must return one partial derivative per coordinate"
        )
    return g.reshape(p.shape)
