"""Tests of descend.train: the training loop, its stopping rules, divergence, minimize.

The models and the optimizer defined here are tiny and exact, so every expected
number below is worked out by hand in a comment, not copied from a run.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import descend as ds
from descend.errors import DivergenceError
from descend.train import History, Path, minimize, train

# --------------------------------------------------------------------------------------
# tiny exact models and a plain optimizer
# --------------------------------------------------------------------------------------


class Quadratic:
    """L(w) = lam/2 * |w|^2 whatever the data; gradient lam * w.

    With plain gradient descent, w_{t+1} = (1 - lr * lam) w_t, so everything is known.
    """

    def __init__(self, w0=1.0, lam=1.0):
        self.params = {"w": np.atleast_1d(np.array(w0, dtype=float))}
        self.lam = lam
        self.calls = 0

    def loss(self, X, y):
        return 0.5 * self.lam * float(np.sum(self.params["w"] ** 2))

    def loss_and_grads(self, X, y):
        self.calls += 1
        return self.loss(X, y), {"w": self.lam * self.params["w"]}


class Linear:
    """L(w) = c * w: a constant gradient c, so the loss is finite while w drifts."""

    def __init__(self, c):
        self.params = {"w": np.zeros(1)}
        self.c = c

    def loss(self, X, y):
        return float(self.c * self.params["w"][0])

    def loss_and_grads(self, X, y):
        return self.loss(X, y), {"w": np.full(1, self.c)}


class LeastSquares:
    """y_hat = X @ w (+ b); L = mean((y_hat - y)^2) / 2; exact gradient."""

    def __init__(self, d=1, bias=True):
        self.params = {"w": np.zeros(d)}
        if bias:
            self.params["b"] = np.zeros(1)

    def _residual(self, X, y):
        return X @ self.params["w"] + self.params.get("b", 0.0) - y

    def loss(self, X, y):
        r = self._residual(X, y)
        return 0.5 * float(np.mean(r**2))

    def loss_and_grads(self, X, y):
        r = self._residual(X, y)
        grads = {"w": X.T @ r / len(X)}
        if "b" in self.params:
            grads["b"] = np.array([r.mean()])
        return 0.5 * float(np.mean(r**2)), grads


class PlainSGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


def line_data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 1))
    return X, 2.0 * X[:, 0] - 1.0 + 0.1 * rng.normal(size=n)


ONE = (np.zeros((1, 1)), np.zeros(1))  # data the Quadratic ignores


def fields(h: History) -> dict:
    """A History as plain values, snapshots' arrays as lists, to compare with ==."""
    d = dict(vars(h))
    d["snapshots"] = [(e, {k: v.tolist() for k, v in p.items()}) for e, p in h.snapshots]
    return d


# --------------------------------------------------------------------------------------
# the loop itself, on a quadratic worked out by hand
# --------------------------------------------------------------------------------------


def test_full_batch_quadratic_matches_the_hand_computation():
    # lam = 1, lr = 0.5: w_t = 0.5^t, L_t = 0.5 * 0.25^t, |g_t| = 0.5^t
    model = Quadratic(1.0)
    h = train(model, *ONE, PlainSGD(0.5), epochs=4)
    assert h.initial_loss == 0.5
    assert h.step_losses == [0.5, 0.125, 0.03125, 0.0078125]
    assert h.grad_norms == [1.0, 0.5, 0.25, 0.125]
    assert h.epoch_losses == [0.125, 0.03125, 0.0078125, 0.001953125]
    assert h.lrs == [0.5] * 4
    assert model.params["w"][0] == 0.0625
    assert (h.stopped_reason, h.epochs_run, h.steps_run) == ("max_epochs", 4, 4)
    assert h.best_epoch == 4 and h.val_losses == [] and h.initial_val_loss is None
    assert h.snapshots == [] and not h.restored_best


def test_loss_tol_stops_at_the_predicted_epoch():
    # L after epoch e = 0.5 * 4^-e <= 1e-3  <=>  4^e >= 500  <=>  e >= 5 (4^4 = 256)
    h = train(Quadratic(1.0), *ONE, PlainSGD(0.5), epochs=100, loss_tol=1e-3)
    assert (h.stopped_reason, h.epochs_run) == ("loss_tol", 5)
    assert h.epoch_losses[-1] == 0.5 / 4**5
    assert h.summary() == (
        "stopped by loss_tol after 5 epoch(s), 5 step(s), 5 gradient evaluations; "
        "training loss 0.5 -> 0.0004883"
    )


def test_grad_tol_stops_at_the_predicted_epoch_on_the_full_gradient():
    # |g| after epoch e = 0.5^e <= 0.01  <=>  2^e >= 100  <=>  e >= 7 (2^6 = 64)
    X = np.zeros((3, 1))
    h = train(Quadratic(1.0), X, np.zeros(3), PlainSGD(0.5), epochs=100, grad_tol=0.01)
    assert (h.stopped_reason, h.epochs_run) == ("grad_tol", 7)
    assert h.epoch_grad_norms == [0.5**e for e in range(1, 8)]
    assert h.grad_evals == 7 * 3  # the monitoring gradient is not counted


def test_epochs_and_max_epochs():
    h = train(Quadratic(1.0), *ONE, PlainSGD(0.1), epochs=3, loss_tol=1e-9)
    assert (h.stopped_reason, h.epochs_run, h.steps_run) == ("max_epochs", 3, 3)


def test_epoch_losses_are_measured_on_the_whole_training_set():
    X, y = line_data(10)
    model = LeastSquares()
    h = train(model, X, y, PlainSGD(0.1), epochs=3, batch_size=4, rng=np.random.default_rng(0))
    assert h.epoch_losses[-1] == model.loss(X, y)
    # full batch: the loss after epoch e is the loss the next step starts from
    h = train(LeastSquares(), X, y, PlainSGD(0.1), epochs=5)
    assert h.epoch_losses[:-1] == h.step_losses[1:]


# --------------------------------------------------------------------------------------
# batches, shuffling, grad_evals, determinism
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch_size", "steps_per_epoch"),
    [(None, 1), (1, 10), (4, 3), (5, 2), (10, 1)],
)
def test_steps_and_grad_evals_for_full_stochastic_and_mini_batch(batch_size, steps_per_epoch):
    X, y = line_data(10)
    h = train(
        LeastSquares(),
        X,
        y,
        PlainSGD(0.05),
        epochs=3,
        batch_size=batch_size,
        rng=np.random.default_rng(1),
    )
    assert h.steps_run == 3 * steps_per_epoch
    assert len(h.step_losses) == len(h.grad_norms) == len(h.lrs) == h.steps_run
    assert len(h.epoch_losses) == 3
    assert h.grad_evals == 3 * 10  # every example once per epoch, whatever the batch size


def test_grad_evals_when_a_step_callback_cuts_an_epoch_short():
    # n = 10, batches of 4, 4, 2: epoch 1 is steps 0-2 (10 examples), then steps 3 and 4
    # (4 + 4 examples) before the callback stops the run after step 4: 18 in all
    X, y = line_data(10)
    h = train(
        LeastSquares(),
        X,
        y,
        PlainSGD(0.05),
        epochs=10,
        batch_size=4,
        shuffle=False,
        on_step=lambda info: info.step == 4,
    )
    assert (h.stopped_reason, h.steps_run, h.epochs_run) == ("callback", 5, 2)
    assert h.grad_evals == 18
    assert len(h.epoch_losses) == 2  # the cut-short epoch is still measured


def test_without_shuffle_batches_come_in_order():
    X, y = line_data(10)
    h = train(LeastSquares(), X, y, PlainSGD(0.05), epochs=1, batch_size=4, shuffle=False)
    assert h.step_losses[0] == LeastSquares().loss(X[:4], y[:4])


def test_same_seed_same_history_and_other_seed_other_history():
    X, y = line_data(20)

    def run(seed):
        model = LeastSquares()
        h = train(
            model,
            X,
            y,
            PlainSGD(0.1),
            epochs=4,
            batch_size=3,
            rng=np.random.default_rng(seed),
            snapshot_every=2,
        )
        return h, model.params["w"].copy()

    (h1, w1), (h2, w2), (h3, _) = run(7), run(7), run(8)
    assert fields(h1) == fields(h2)
    np.testing.assert_array_equal(w1, w2)
    assert h1.step_losses != h3.step_losses


def test_full_batch_needs_no_rng_even_with_shuffle_true():
    X, y = line_data(10)
    a = train(LeastSquares(), X, y, PlainSGD(0.1), epochs=3)
    b = train(LeastSquares(), X, y, PlainSGD(0.1), epochs=3, batch_size=10)
    assert a.step_losses == b.step_losses


# --------------------------------------------------------------------------------------
# early stopping and validation
# --------------------------------------------------------------------------------------

# A one-weight line y = w x fitted to (x=1, y=1) from w=0 with lr 0.5: w_e = 1 - 0.5^e,
# i.e. 0, 0.5, 0.75, 0.875, ... Validation point (x=1, y=0.5): loss (w - 0.5)^2 / 2 =
# 0.125, 0, 0.03125, 0.0703125, ... so the best epoch is 1.
X1, Y_TRAIN, Y_VAL = np.ones((1, 1)), np.ones(1), np.array([0.5])


def test_early_stopping_stops_after_patience_and_restores_the_best():
    model = LeastSquares(bias=False)
    h = train(model, X1, Y_TRAIN, PlainSGD(0.5), epochs=50, X_val=X1, y_val=Y_VAL, patience=2)
    assert (h.stopped_reason, h.epochs_run, h.best_epoch) == ("early_stopping", 3, 1)
    assert h.initial_val_loss == 0.125
    assert h.val_losses == [0.0, 0.03125, 0.0703125]
    assert h.restored_best and model.params["w"][0] == 0.5
    assert h.summary().endswith("validation loss 0.07031 (best 0 at epoch 1, restored)")


def test_early_stopping_without_restoring_keeps_the_last_parameters():
    model = LeastSquares(bias=False)
    h = train(
        model,
        X1,
        Y_TRAIN,
        PlainSGD(0.5),
        epochs=50,
        X_val=X1,
        y_val=Y_VAL,
        patience=2,
        restore_best=False,
    )
    assert h.best_epoch == 1 and not h.restored_best
    assert model.params["w"][0] == 0.875


def test_min_delta_counts_only_large_enough_improvements():
    # validation = training point: val loss 0.5 * 0.25^e = .5, .125, .03125, .0078125,
    # .00195, .00049. With min_delta 0.01, epochs 1-3 improve by more than 0.01, epoch 4
    # improves by only 0.0059 and epoch 5 by less: patience 2 stops at epoch 5, best 3.
    model = LeastSquares(bias=False)
    kw = dict(epochs=20, X_val=X1, y_val=Y_TRAIN, patience=2)
    h = train(model, X1, Y_TRAIN, PlainSGD(0.5), min_delta=0.01, **kw)
    assert (h.stopped_reason, h.epochs_run, h.best_epoch) == ("early_stopping", 5, 3)
    assert model.params["w"][0] == 0.875  # w_3 = 1 - 0.5^3, restored
    h = train(LeastSquares(bias=False), X1, Y_TRAIN, PlainSGD(0.5), **kw)
    assert (h.stopped_reason, h.best_epoch) == ("max_epochs", 20)


def test_best_epoch_zero_restores_the_starting_parameters():
    # lr 3 overshoots: w_1 = 3, w_2 = -3, ... the start (val loss 0.125) stays best
    model = LeastSquares(bias=False)
    h = train(model, X1, Y_TRAIN, PlainSGD(3.0), epochs=10, X_val=X1, y_val=Y_VAL, patience=3)
    assert (h.stopped_reason, h.epochs_run, h.best_epoch) == ("early_stopping", 3, 0)
    assert model.params["w"][0] == 0.0


# --------------------------------------------------------------------------------------
# schedules, callbacks, snapshots
# --------------------------------------------------------------------------------------


def test_schedule_per_epoch_and_per_step():
    X = np.zeros((3, 1))
    model = Quadratic(1.0)
    h = train(
        model,
        X,
        np.zeros(3),
        PlainSGD(1.0),
        epochs=3,
        batch_size=1,
        shuffle=False,
        schedule=lambda t: 0.5 / (t + 1),
    )
    assert h.lrs == [0.5] * 3 + [0.25] * 3 + [0.5 / 3] * 3
    expected = math.prod(1 - lr for lr in h.lrs)  # w_{t+1} = (1 - lr_t) w_t
    assert model.params["w"][0] == pytest.approx(expected, rel=1e-15)
    h = train(
        Quadratic(1.0),
        X,
        np.zeros(3),
        PlainSGD(1.0),
        epochs=2,
        batch_size=1,
        shuffle=False,
        schedule=lambda t: 0.1 * (t + 1),
        schedule_per="step",
    )
    assert h.lrs == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], abs=1e-15)


def test_callbacks_are_called_once_per_step_and_epoch_with_progress():
    X, y = line_data(10)
    steps, epochs = [], []
    h = train(
        LeastSquares(),
        X,
        y,
        PlainSGD(0.05),
        epochs=3,
        batch_size=4,
        shuffle=False,
        on_step=lambda info: steps.append((info.epoch, info.step, info.loss)),
        on_epoch=lambda info: epochs.append((info.epoch, info.step, info.loss, info.history)),
    )
    assert [(e, s) for e, s, _ in steps] == [(1, 0), (1, 1), (1, 2), (2, 3), (2, 4), (2, 5)] + [
        (3, 6),
        (3, 7),
        (3, 8),
    ]
    assert [loss for *_, loss in steps] == h.step_losses
    assert [(e, s) for e, s, _, _ in epochs] == [(1, 3), (2, 6), (3, 9)]
    assert [loss for _, _, loss, _ in epochs] == h.epoch_losses
    assert epochs[0][3] is h


def test_epoch_callback_returning_true_stops_and_other_values_are_ignored():
    h = train(Quadratic(1.0), *ONE, PlainSGD(0.1), epochs=10, on_epoch=lambda info: info.epoch == 2)
    assert (h.stopped_reason, h.epochs_run) == ("callback", 2)
    h = train(Quadratic(1.0), *ONE, PlainSGD(0.1), epochs=4, on_epoch=lambda info: [1])
    assert (h.stopped_reason, h.epochs_run) == ("max_epochs", 4)
    h = train(
        Quadratic(1.0), *ONE, PlainSGD(0.1), epochs=9, on_step=lambda i: np.bool_(i.step == 2)
    )
    assert (h.stopped_reason, h.steps_run) == ("callback", 3)


def test_snapshots_every_k_epochs_start_at_epoch_zero_and_are_copies():
    model = Quadratic(1.0)
    h = train(model, *ONE, PlainSGD(0.5), epochs=5, snapshot_every=2)
    assert [e for e, _ in h.snapshots] == [0, 2, 4]
    assert [float(p["w"][0]) for _, p in h.snapshots] == [1.0, 0.25, 0.0625]
    assert model.params["w"][0] == 0.03125  # the model moved on; the copies did not


# --------------------------------------------------------------------------------------
# divergence
# --------------------------------------------------------------------------------------


def test_divergence_on_a_quadratic_with_lr_above_two_over_lambda():
    # lam = 2, lr = 1.5 > 2/lam = 1: w_{t+1} = (1 - 3) w_t, so w_t = (-2)^t and
    # L_t = w_t^2 = 4^t = 2^(2t), which overflows when 2t >= 1024: t = 512, measured
    # after epoch 512 (full batch). The last finite loss is L_511 = 2^1022.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may escape
        with pytest.raises(DivergenceError) as info:
            train(Quadratic(1.0, lam=2.0), *ONE, PlainSGD(1.5), epochs=1000)
    err = info.value
    assert (err.step, err.lr, err.last_finite_loss) == (512, 1.5, 2.0**1022)
    assert err.what == "training loss" and err.value == math.inf
    assert str(err) == (
        "training loss became inf at step 512 (lr=1.5, last finite loss 4.49e+307); the "
        "run diverged: try a smaller learning rate (for example lr=0.15), standardise "
        "the inputs, or check the data for huge values"
    )


def test_divergence_shows_in_jupyter_as_its_message_without_library_frames():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.user_ns.update(train=train, Quadratic=Quadratic, PlainSGD=PlainSGD, ONE=ONE)
    with capture_output() as out:
        shell.run_cell("train(Quadratic(1.0, lam=2.0), *ONE, PlainSGD(1.5), epochs=1000)")
    shown = out.stdout + out.stderr
    assert "DivergenceError: training loss became inf at step 512 (lr=1.5" in shown
    assert "train.py" not in shown and "Traceback" not in shown  # no paths, no frames


def test_divergence_found_by_a_batch_loss_at_its_step():
    # w0 = 2: w_t = 2 (-2)^t, L_t = 2^(2t+2) overflows at t = 511, the second step of
    # epoch 256 (two examples, batches of one), so a batch loss finds it
    X = np.zeros((2, 1))
    with pytest.raises(DivergenceError) as info:
        train(
            Quadratic(2.0, lam=2.0),
            X,
            np.zeros(2),
            PlainSGD(1.5),
            epochs=1000,
            batch_size=1,
            shuffle=False,
        )
    assert (info.value.step, info.value.lr, info.value.what) == (511, 1.5, "loss")
    assert info.value.last_finite_loss == 2.0**1022


def test_divergence_of_a_parameter_with_a_finite_loss():
    # L = 1e300 w, gradient 1e300: one step of lr 1e10 sends w to -inf while L_0 = 0
    with pytest.raises(DivergenceError) as info:
        train(Linear(1e300), *ONE, PlainSGD(1e10), epochs=5)
    err = info.value
    assert (err.step, err.lr, err.last_finite_loss) == (0, 1e10, 0.0)
    assert err.what == "parameter w" and err.value == -math.inf
    assert "parameter w became -inf at step 0 (lr=1e+10, last finite loss 0)" in str(err)


def test_a_non_finite_starting_loss_is_a_value_error():
    with pytest.raises(
        ValueError, match=r"the training loss is inf before any update.*standardise"
    ):
        train(Quadratic(1e200), *ONE, PlainSGD(0.1), epochs=2)


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------


def test_argument_errors_name_the_problem():
    X, y = line_data(10)
    m, opt = LeastSquares(), PlainSGD(0.1)
    cases = [
        (
            dict(batch_size=0),
            ValueError,
            r"batch_size must be an integer between 1 and 10 "
            r"\(n=10 training examples; None for full batch\), got 0",
        ),
        (dict(batch_size=11), ValueError, "batch_size must be an integer between 1 and 10"),
        (dict(batch_size=2.5), TypeError, "batch_size must be an integer, got float 2.5"),
        (dict(epochs=0), ValueError, "epochs must be an integer >= 1"),
        (
            dict(batch_size=2),
            ValueError,
            r"shuffling mini-batches of 2 needs a random "
            r"generator: pass rng=np.random.default_rng\(seed\), or shuffle=False",
        ),
        (dict(batch_size=2, rng=3), TypeError, "train .* np.random.Generator, got rng of type int"),
        (dict(X_val=X), ValueError, "X_val was given without y_val: pass both or neither"),
        (dict(y_val=y), ValueError, "y_val was given without X_val"),
        (
            dict(patience=3),
            ValueError,
            r"patience \(early stopping\) watches the validation "
            r"loss, so it needs validation data: pass X_val and y_val",
        ),
        (dict(X_val=X, y_val=y, patience=0), ValueError, "patience must be an integer >= 1"),
        (dict(X_val=X, y_val=y[:3]), ValueError, r"X_val has 10 examples .* but y_val has 3"),
        (dict(min_delta=-1), ValueError, "min_delta must be a finite number >= 0"),
        (dict(loss_tol=0), ValueError, "loss_tol must be a finite number > 0"),
        (dict(grad_tol=-1e-3), ValueError, "grad_tol must be a finite number > 0"),
        (dict(schedule=0.1), TypeError, "schedule must be a function t -> lr, got float"),
        (
            dict(schedule_per="batch"),
            ValueError,
            "unknown schedule interval 'batch' for schedule_per; choose one of: epoch, step",
        ),
        (dict(on_step=1), TypeError, "on_step must be a function"),
        (dict(snapshot_every=0), ValueError, "snapshot_every must be an integer >= 1"),
        (dict(shuffle="yes"), TypeError, "shuffle must be True or False"),
        (dict(restore_best=None), TypeError, "restore_best must be True or False"),
        (
            dict(schedule=lambda t: -0.1),
            ValueError,
            "the schedule's learning rate at t=0 must be a finite number >= 0, got -0.1",
        ),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            train(m, X, y, opt, **{"epochs": 2, **kwargs})
    assert np.all(m.params["w"] == 0)  # no case did any work


def test_data_errors_name_the_shapes():
    X, y = line_data(10)
    with pytest.raises(
        ValueError, match=r"X has 10 examples \(shape \(10, 1\)\) but y has 9 \(shape \(9,\)\)"
    ):
        train(LeastSquares(), X, y[:9], PlainSGD(0.1))
    Xbad = X.copy()
    Xbad[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"X holds 1 non-finite value.*index \(3, 0\)"):
        train(LeastSquares(), Xbad, y, PlainSGD(0.1))
    with pytest.raises(ValueError, match="y_val holds 1 non-finite value"):
        train(LeastSquares(), X, y, PlainSGD(0.1), X_val=X, y_val=np.r_[y[:9], np.inf])


def test_model_and_optimizer_must_have_the_interface():
    X, y = line_data(10)
    with pytest.raises(TypeError, match="model must have params.*object lacks params, "):
        train(object(), X, y, PlainSGD(0.1))
    with pytest.raises(TypeError, match=r"optimizer must have lr and step.*got float"):
        train(LeastSquares(), X, y, 0.1)


@pytest.mark.parametrize("cls", [ds.optim.Adam, ds.optim.SGD])
def test_an_optimizer_class_instead_of_an_optimizer_is_named(cls):
    # a class has the property lr and the method step too: without this check the run
    # failed inside with "float() argument must be ... not 'property'"
    X, y = line_data(10)
    name = cls.__name__
    message = (
        f"optimizer is the class {name}, not an optimizer: build one with its learning rate, "
        f"e.g. {name}(lr=0.1), and pass that"
    )
    with pytest.raises(TypeError) as err:
        train(LeastSquares(), X, y, cls)
    assert str(err.value) == message
    with pytest.raises(TypeError) as err:
        minimize(Bowl([1.0, 2.0]), [1.0, 1.0], cls)
    assert str(err.value) == message


# --------------------------------------------------------------------------------------
# minimize
# --------------------------------------------------------------------------------------


class Bowl:
    """f(p) = 0.5 * sum(lam * p^2), minimum 0 at the origin; works in any dimension."""

    def __init__(self, lam):
        self.lam = np.asarray(lam, dtype=float)

    def value(self, p):
        return 0.5 * float(np.sum(self.lam * p**2))

    def gradient(self, p):
        return self.lam * p


def test_minimize_one_dimension_by_hand_and_grad_tol():
    # f = w^2 / 2, lr 0.5: w_t = 0.5^t and |f'(w_t)| = 0.5^t <= 1e-3 first at t = 10
    path = minimize(Bowl(1.0), 1.0, PlainSGD(0.5), steps=100, grad_tol=1e-3)
    assert isinstance(path, Path)
    assert path.points.shape == (11, 1) and path.steps_run == 10
    np.testing.assert_array_equal(path.points[:, 0], 0.5 ** np.arange(11))
    np.testing.assert_array_equal(path.values, 0.5 * 0.25 ** np.arange(11))
    np.testing.assert_array_equal(path.grad_norms, 0.5 ** np.arange(11))
    assert path.stopped_reason == "grad_tol" and path.lrs.tolist() == [0.5] * 10


def test_minimize_converges_to_the_minimum_of_an_ill_conditioned_quadratic():
    # lam = (1, 10), lr 0.1: the steep coordinate goes to 0 in one step (1 - 0.1 * 10 = 0),
    # the shallow one shrinks by 0.9 a step: after 200 steps x = 3 * 0.9^200
    path = minimize(Bowl([1.0, 10.0]), [3.0, 2.0], PlainSGD(0.1), steps=200)
    assert path.points.shape == (201, 2) and path.stopped_reason == "max_steps"
    np.testing.assert_allclose(path.points[-1], [3 * 0.9**200, 0.0], atol=1e-15)
    assert np.all(np.diff(path.values) <= 0)
    assert "stopped by max_steps after 200 step(s)" in path.summary()


def test_minimize_divergence_names_the_step():
    # f = w^2 (lam = 2), lr 1.5: w_t = (-2)^t, f = 4^t overflows at t = 512
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError) as info:
            minimize(Bowl(2.0), [1.0], PlainSGD(1.5), steps=600)
    assert (info.value.step, info.value.lr, info.value.what) == (512, 1.5, "value")
    assert info.value.last_finite_loss == 2.0**1022


def test_minimize_argument_errors():
    with pytest.raises(TypeError, match=r"surface must have methods value\(p\) and gradient"):
        minimize(object(), [0.0, 0.0], PlainSGD(0.1))
    with pytest.raises(ValueError, match="start is None and the surface suggests no start"):
        minimize(Bowl(1.0), None, PlainSGD(0.1))
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        minimize(Bowl(1.0), [1.0], PlainSGD(0.1), steps=0)

    class WrongGradient(Bowl):
        def gradient(self, p):
            return np.zeros(3)

    with pytest.raises(ValueError, match=r"surface.gradient\(p\) returned shape \(3,\) for a "):
        minimize(WrongGradient(1.0), [1.0, 1.0], PlainSGD(0.1))

    class TwoValues(Bowl):
        def value(self, p):
            return np.zeros(2)

    with pytest.raises(ValueError, match=r"value\(p\) must return one number, got shape \(2,\)"):
        minimize(TwoValues(1.0), [1.0, 1.0], PlainSGD(0.1))
    with pytest.raises(ValueError, match="start holds 1 non-finite value"):
        minimize(Bowl(1.0), [np.nan], PlainSGD(0.1))


# --------------------------------------------------------------------------------------
# with the real library: Network, optimizers, schedules, surfaces
# --------------------------------------------------------------------------------------


def moons():
    return ds.data.two_moons(200, 0.1, np.random.default_rng(0))


def net(seed=2, **kw):
    return ds.Network([2, 16, 1], rng=np.random.default_rng(seed), **kw)


def test_package_exposes_the_loop_under_one_name():
    assert ds.train.train is train and ds.History is History and ds.minimize is minimize
    assert ds.Path is Path
    # one public name for the training loop: ds.train.train (ds.fit is gone)
    assert "fit" not in ds.__all__
    with pytest.raises(AttributeError, match="module 'descend' has no attribute 'fit'"):
        ds.fit  # noqa: B018


def test_network_learns_two_moons_with_full_batch_sgd_momentum():
    X, y = moons()
    model = net()
    h = train(model, X, y, ds.optim.SGD(lr=0.5, momentum=0.9), epochs=300)
    assert h.initial_loss > 0.5 and h.epoch_losses[-1] < 0.05
    # a straight line gets about 86% of the moons right; the network gets nearly all
    assert np.mean(model.predict(X) == y) >= 0.98
    assert h.grad_evals == 300 * 200 and h.steps_run == 300


def test_network_learns_two_moons_with_mini_batch_adam_deterministically():
    X, y = moons()

    def run():
        model = net()
        h = train(
            model,
            X,
            y,
            ds.optim.Adam(lr=0.03),
            epochs=60,
            batch_size=20,
            rng=np.random.default_rng(1),
        )
        return model, h

    (m1, h1), (m2, h2) = run(), run()
    assert h1.epoch_losses[-1] < 0.1
    assert np.mean(m1.predict(X) == y) >= 0.98
    assert h1.steps_run == 60 * 10 and h1.grad_evals == 60 * 200
    assert fields(h1) == fields(h2)
    np.testing.assert_array_equal(m1.get_params(), m2.get_params())


def test_network_early_stopping_restores_the_best_validation_parameters():
    X, y = ds.data.two_moons(200, 0.35, np.random.default_rng(4))
    X_tr, y_tr, X_val, y_val = ds.data.train_val_split(X, y, 0.5, np.random.default_rng(5))
    model = ds.Network([2, 32, 32, 1], rng=np.random.default_rng(6))
    h = train(
        model,
        X_tr,
        y_tr,
        ds.optim.Adam(lr=0.05),
        epochs=300,
        batch_size=10,
        rng=np.random.default_rng(7),
        X_val=X_val,
        y_val=y_val,
        patience=10,
    )
    assert h.stopped_reason == "early_stopping" and h.epochs_run < 300
    assert h.epochs_run == h.best_epoch + 10  # ten epochs without improvement
    assert model.loss(X_val, y_val) == h.val_losses[h.best_epoch - 1] == min(h.val_losses)
    assert h.restored_best


def test_real_schedule_and_optimizer_per_epoch():
    # step_decay halves the rate every 2 epochs: 0.1, 0.1, 0.05, 0.05, 0.025
    opt = ds.optim.SGD(lr=1.0)
    sched = ds.schedules.step_decay(0.1, step_size=2, gamma=0.5)
    h = train(Quadratic(1.0), *ONE, opt, epochs=5, schedule=sched)
    assert h.lrs == [0.1, 0.1, 0.05, 0.05, 0.025] and opt.lr == 0.025


def test_a_non_finite_gradient_caught_by_the_optimizer_names_the_step_and_loss():
    class InfGradient(Quadratic):
        def loss_and_grads(self, X, y):
            g = np.full(1, np.inf) if self.calls == 2 else self.params["w"]
            self.calls += 1
            return self.loss(X, y), {"w": g}

    # w: 1 -> 0.5 -> 0.25, then the third step's gradient is inf; its loss is 0.25^2 / 2
    with pytest.raises(DivergenceError) as info:
        train(InfGradient(1.0), *ONE, ds.optim.SGD(lr=0.5), epochs=5)
    assert (info.value.step, info.value.lr, info.value.what) == (2, 0.5, "gradient w")
    assert info.value.last_finite_loss == 0.03125


def test_train_updates_through_the_optimizers_step_whatever_it_is():
    # one route for every update: a subclass's step, or an object's own, is what is called
    calls = []

    class OwnStep(ds.optim.SGD):
        def step(self, params, grads):
            calls.append("step")
            super().step(params, grads)

    X, y = line_data(10)
    a, b = LeastSquares(), LeastSquares()
    train(a, X, y, ds.optim.SGD(lr=0.1), epochs=3)
    train(b, X, y, OwnStep(lr=0.1), epochs=3)
    assert calls == ["step"] * 3
    np.testing.assert_array_equal(a.params["w"], b.params["w"])
    calls.clear()
    patched = ds.optim.SGD(lr=0.1)
    patched.step = lambda params, grads: calls.append("own step")
    train(LeastSquares(), X, y, patched, epochs=2)
    assert calls == ["own step"] * 2
    # a norm that overflows with finite gradients is no divergence: the step is made
    model = Linear(1e200)
    h = train(model, *ONE, ds.optim.SGD(lr=1e-300), epochs=2)
    assert h.grad_norms == [math.inf, math.inf]
    assert model.params["w"][0] == -2 * (1e-300 * 1e200)


def test_a_diverging_network_raises_once_without_warnings():
    X, y = moons()
    model = ds.Network([2, 32, 32, 1], activation="relu", loss="mse", rng=np.random.default_rng(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergenceError) as info:
            train(model, X, y.astype(float), ds.optim.SGD(lr=1.0), epochs=200)
    err = info.value
    assert err.lr == 1.0 and 1 <= err.step < 200
    assert err.last_finite_loss > 1e100  # it exploded before it overflowed
    assert "try a smaller learning rate (for example lr=0.1)" in str(err)


def test_minimize_on_the_library_quadratic_converges_and_diverges_where_predicted():
    # H = diag(1, 8), start (-2.5, 1). With lr 0.2 the coordinates shrink by 0.8 and
    # -0.6 a step; the gradient norm ~ 2.5 * 0.8^t <= 1e-8 first at t = 87
    # (2.5 * 0.8^86 = 1.16e-8, 2.5 * 0.8^87 = 9.3e-9).
    surface = ds.surfaces.quadratic(condition=8.0)
    path = minimize(surface, None, ds.optim.SGD(lr=0.2), steps=500, grad_tol=1e-8)
    assert path.stopped_reason == "grad_tol" and path.steps_run == 87
    np.testing.assert_allclose(path.points[-1], surface.minima[0], atol=1e-8)
    np.testing.assert_array_equal(path.points[0], surface.start)
    # lr 0.375 > 2/8: y_t = (-2)^t (exactly: 0.375 * 8 = 3). f = (x^2 + 8 y^2) / 2 whose
    # term 8 y^2 = 2^(2t+3) overflows once 2t + 3 >= 1024: t = 511; f_510 = 2^1022 (x is
    # -2.5 * 0.625^t, far below the last bit)
    with pytest.raises(DivergenceError) as info:
        minimize(surface, None, ds.optim.SGD(lr=0.375), steps=1000)
    assert (info.value.step, info.value.lr, info.value.what) == (511, 0.375, "value")
    assert info.value.last_finite_loss == 2.0**1022


def test_top_level_alias_follows_its_module_after_a_swap():
    # ds.minimize and ds.History are looked up in descend.train on every access, so a
    # temporary replacement (as the exercises' grader makes) never sticks to them
    import descend as ds
    from descend import train as train_module

    original = train_module.minimize
    try:
        train_module.minimize = stand_in = lambda *a, **k: "stand-in"
        assert ds.minimize is stand_in
    finally:
        train_module.minimize = original
    assert ds.minimize is original
