"""descend.schedules: closed forms, use with every optimizer, torch's schedulers, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descend import optim, schedules

TORCH_REASON = (
    "torch is not installed: it is not a course dependency; this test steps "
    "torch.optim.lr_scheduler next to descend.schedules when torch is available "
    "(the hand formulas above cover the same ground without it)"
)

# --- values, by hand --------------------------------------------------------------------------


def test_constant():
    s = schedules.constant(0.3)
    assert [s(t) for t in (0, 1, 1000)] == [0.3, 0.3, 0.3]


def test_step_decay_drops_by_gamma_every_step_size_steps():
    s = schedules.step_decay(1.0, step_size=3, gamma=0.5)
    assert [s(t) for t in range(8)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert schedules.step_decay(0.2, 10)(25) == pytest.approx(0.2 * 0.01, rel=1e-14)


def test_exponential():
    s = schedules.exponential(0.1, gamma=0.9)
    assert [s(t) for t in range(3)] == pytest.approx([0.1, 0.09, 0.081], rel=1e-14)
    assert s(50) == pytest.approx(0.1 * 0.9**50, rel=1e-14)


def test_inverse_time():
    s = schedules.inverse_time(1.0, decay_rate=0.5, decay_steps=10)
    # after decay_steps steps the rate is lr / (1 + decay_rate)
    assert s(0) == 1.0
    assert s(10) == pytest.approx(1 / 1.5, rel=1e-14)
    assert s(30) == pytest.approx(1 / 2.5, rel=1e-14)
    assert schedules.inverse_time(0.4, 0.0)(99) == 0.4


def test_cosine_runs_half_a_cosine_then_stays_at_min_lr():
    s = schedules.cosine(1.0, total_steps=4, min_lr=0.2)
    # cos(0)=1, cos(pi/4)=sqrt(2)/2, cos(pi/2)=0, cos(3pi/4)=-sqrt(2)/2, cos(pi)=-1
    expected = [1.0, 0.2 + 0.8 * (1 + 0.5**0.5) / 2, 0.6, 0.2 + 0.8 * (1 - 0.5**0.5) / 2, 0.2]
    assert [s(t) for t in range(5)] == pytest.approx(expected, rel=1e-14)
    assert s(5) == s(100) == 0.2


def test_warmup_ramps_linearly_then_hands_over():
    base = schedules.step_decay(0.8, step_size=2, gamma=0.5)
    s = schedules.warmup(base, warmup_steps=4)
    assert [s(t) for t in range(4)] == pytest.approx([0.0, 0.2, 0.4, 0.6], rel=1e-14)
    # at t = 4 the wrapped schedule starts from its own t = 0
    assert [s(t) for t in range(4, 9)] == pytest.approx([0.8, 0.8, 0.4, 0.4, 0.2], rel=1e-14)


def test_warmup_start_factor():
    s = schedules.warmup(schedules.constant(1.0), warmup_steps=2, start_factor=0.5)
    assert [s(t) for t in range(4)] == [0.5, 0.75, 1.0, 1.0]


def test_values_and_repr():
    s = schedules.exponential(1.0, 0.5)
    np.testing.assert_array_equal(s.values(4), [1.0, 0.5, 0.25, 0.125])
    assert repr(s) == "exponential(lr=1.0, gamma=0.5)"
    assert repr(schedules.warmup(s, 3)) == (
        "warmup(exponential(lr=1.0, gamma=0.5), warmup_steps=3, start_factor=0.0)"
    )


def test_numpy_integer_steps_are_accepted():
    assert schedules.step_decay(1.0, 2, 0.5)(np.int64(5)) == 0.25


@settings(max_examples=60, deadline=None)
@given(
    lr=st.floats(1e-4, 10.0),
    gamma=st.floats(0.01, 1.0),
    step_size=st.integers(1, 20),
    total=st.integers(1, 200),
    t=st.integers(0, 400),
)
def test_schedules_stay_within_their_bounds_and_never_grow(lr, gamma, step_size, total, t):
    for s in (
        schedules.step_decay(lr, step_size, gamma),
        schedules.exponential(lr, gamma),
        schedules.inverse_time(lr, gamma, step_size),
        schedules.cosine(lr, total, min_lr=lr * gamma / 2),
    ):
        assert 0 <= s(t + 1) <= s(t) <= lr, s
    w = schedules.warmup(schedules.constant(lr), step_size)
    assert 0 <= w(t) <= w(t + 1) <= lr


# --- used with every optimizer -------------------------------------------------------------


def _descend_linear(opt, schedule, steps, g=2.0):
    """Run ``opt`` on f(x) = g x (a constant gradient), setting opt.lr = schedule(t)."""
    params = {"x": np.array(0.0)}
    for t in range(steps):
        opt.lr = schedule(t)
        opt.step(params, {"x": np.array(g)})
    return float(params["x"])


@pytest.mark.parametrize("name", ["sgd", "adagrad", "rmsprop", "adam", "adamw"])
def test_a_schedule_drives_every_optimizer(name):
    # With a constant gradient g every rule's step has a closed form, so the end point
    # is a sum over the scheduled rates:
    #   SGD      step_t = lr_t g
    #   Adagrad  step_t = lr_t g / (sqrt(t g^2) + eps)            (t counted from 1)
    #   RMSprop  step_t = lr_t g / (sqrt((1 - alpha^t) g^2) + eps)
    #   Adam(W)  step_t = lr_t g / (|g| + eps)   (bias correction makes m_hat = g, v_hat = g^2)
    g, steps = 2.0, 12
    sched = schedules.warmup(schedules.step_decay(0.1, step_size=3, gamma=0.5), warmup_steps=4)
    lrs = [sched(t) for t in range(steps)]
    assert lrs[0] == 0.0 and max(lrs) == 0.1
    kwargs = {"adamw": {"weight_decay": 0.0}}.get(name, {})
    opt = optim.get(name, lr=1.0, **kwargs)
    if name == "sgd":
        expected = -sum(lr * g for lr in lrs)
    elif name == "adagrad":
        expected = -sum(lr * g / (math.sqrt(t * g * g) + 1e-10) for t, lr in enumerate(lrs, 1))
    elif name == "rmsprop":
        a = 0.99
        expected = -sum(
            lr * g / (math.sqrt((1 - a**t) * g * g) + 1e-8) for t, lr in enumerate(lrs, 1)
        )
    else:
        expected = -sum(lr * g / (g + 1e-8) for lr in lrs)
    assert _descend_linear(opt, sched, steps, g) == pytest.approx(expected, rel=1e-12)
    assert opt.lr == lrs[-1]


# --- torch's schedulers, when torch is importable --------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason=TORCH_REASON)


def _torch_lrs(torch, make_scheduler, lr, steps):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            lambda: schedules.step_decay(0.3, step_size=4, gamma=0.3),
            lambda T, o: T.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.3),
        ),
        (
            lambda: schedules.exponential(0.3, gamma=0.93),
            lambda T, o: T.optim.lr_scheduler.ExponentialLR(o, gamma=0.93),
        ),
        (
            lambda: schedules.cosine(0.3, total_steps=25, min_lr=0.01),
            lambda T, o: T.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25, eta_min=0.01),
        ),
        (
            lambda: schedules.warmup(schedules.constant(0.3), warmup_steps=6, start_factor=0.1),
            lambda T, o: T.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=6),
        ),
        (
            lambda: schedules.warmup(
                schedules.cosine(0.3, total_steps=20), warmup_steps=5, start_factor=0.25
            ),
            lambda T, o: T.optim.lr_scheduler.SequentialLR(
                o,
                [
                    T.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=5),
                    T.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20),
                ],
                milestones=[5],
            ),
        ),
    ],
    ids=["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "LinearLR+Cosine"],
)
def test_matches_torch_lr_scheduler(torch, ours, theirs):
    steps = 26
    expected = _torch_lrs(torch, lambda o: theirs(torch, o), 0.3, steps)
    got = ours().values(steps)
    assert len(set(np.round(got, 12))) > 2  # the schedule really changes over these steps
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-15)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: schedules.constant(0), ValueError, "lr must be a finite number > 0"),
        (lambda: schedules.constant("0.1"), TypeError, "lr must be a number"),
        (lambda: schedules.step_decay(0.1, 0), ValueError, "step_size must be an integer >= 1"),
        (lambda: schedules.step_decay(0.1, 2.5), TypeError, "step_size must be an integer, got"),
        (lambda: schedules.step_decay(0.1, 2, gamma=1.5), ValueError, r"gamma must be in \(0, 1\]"),
        (lambda: schedules.exponential(0.1, 0), ValueError, r"gamma must be in \(0, 1\], got 0"),
        (lambda: schedules.inverse_time(0.1, -1), ValueError, "decay_rate must be"),
        (lambda: schedules.inverse_time(0.1, 1, 0), ValueError, "decay_steps must be"),
        (lambda: schedules.cosine(0.1, 0), ValueError, "total_steps must be an integer >= 1"),
        (lambda: schedules.cosine(0.1, 10, min_lr=0.2), ValueError, "min_lr must be <= lr"),
        (lambda: schedules.warmup(0.1, 5), TypeError, "schedule must be a callable"),
        (
            lambda: schedules.warmup(schedules.constant(0.1), 0),
            ValueError,
            "warmup_steps must be an integer >= 1",
        ),
        (
            lambda: schedules.warmup(schedules.constant(0.1), 3, start_factor=2),
            ValueError,
            r"start_factor must be in \[0, 1\]",
        ),
    ],
)
def test_bad_arguments_are_rejected(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize(
    "t, exc, match",
    [
        (-1, ValueError, r"t must be an integer >= 0 \(steps count from 0\), got -1"),
        (1.5, TypeError, "t must be an integer, got float 1.5"),
        (True, TypeError, "t must be an integer, got bool True"),
        ("3", TypeError, "t must be an integer, got str"),
    ],
)
def test_bad_step_counts_are_rejected(t, exc, match):
    with pytest.raises(exc, match=match):
        schedules.constant(0.1)(t)
