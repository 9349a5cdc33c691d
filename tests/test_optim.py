"""descend.optim: hand-computed first steps, PyTorch golden trajectories, torch itself, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from descend import optim
from descend.errors import DivergenceError

GOLDEN = Path(__file__).parent / "golden" / "optim_trajectories.json"
TORCH_REASON = (
    "torch is not installed: it is not a course dependency; this test compares "
    "descend.optim with torch.optim directly when torch is available (the golden "
    "trajectories in tests/golden/ cover the same ground without it)"
)


def run_scalar(opt, x0, grad_fn, steps):
    """Run ``opt`` on one 0-d parameter; return x after each step."""
    params = {"x": np.array(x0, dtype=float)}
    xs = []
    for _ in range(steps):
        opt.step(params, {"x": np.array(grad_fn(float(params["x"])))})
        xs.append(float(params["x"]))
    return xs


def square_grad(x):  # f(x) = x**2
    return 2.0 * x


# --- hand-computed first steps on a scalar -------------------------------------------------


def test_sgd_plain_two_steps_by_hand():
    # x1 = 1 - 0.1*2 = 0.8; x2 = 0.8 - 0.1*1.6 = 0.64
    assert run_scalar(optim.SGD(lr=0.1), 1.0, square_grad, 2) == pytest.approx(
        [0.8, 0.64], rel=1e-14
    )


def test_sgd_momentum_two_steps_by_hand():
    # b1 = g1 = 2, x1 = 0.8; b2 = 0.9*2 + 1.6 = 3.4, x2 = 0.8 - 0.34 = 0.46
    xs = run_scalar(optim.SGD(lr=0.1, momentum=0.9), 1.0, square_grad, 2)
    assert xs == pytest.approx([0.8, 0.46], rel=1e-14)


def test_sgd_dampening_leaves_the_first_buffer_undamped():
    # b1 = g1 = 2 (no dampening on the first step), x1 = 0.8;
    # b2 = 0.9*2 + (1-0.5)*1.6 = 2.6, x2 = 0.8 - 0.26 = 0.54
    xs = run_scalar(optim.SGD(lr=0.1, momentum=0.9, dampening=0.5), 1.0, square_grad, 2)
    assert xs == pytest.approx([0.8, 0.54], rel=1e-14)


def test_sgd_nesterov_two_steps_by_hand():
    # b1 = 2, step 2 + 0.9*2 = 3.8, x1 = 0.62; g2 = 1.24, b2 = 1.8 + 1.24 = 3.04,
    # step 1.24 + 0.9*3.04 = 3.976, x2 = 0.62 - 0.3976 = 0.2224
    xs = run_scalar(optim.SGD(lr=0.1, momentum=0.9, nesterov=True), 1.0, square_grad, 2)
    assert xs == pytest.approx([0.62, 0.2224], rel=1e-14)


def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    # g = 2 + 0.1*1 = 2.1, x1 = 1 - 0.21 = 0.79; g = 1.58 + 0.079 = 1.659, x2 = 0.6241
    xs = run_scalar(optim.SGD(lr=0.1, weight_decay=0.1), 1.0, square_grad, 2)
    assert xs == pytest.approx([0.79, 0.6241], rel=1e-14)


def test_sgd_momentum_and_weight_decay_on_a_0d_parameter_keep_their_buffer():
    # g1 = 2 + 0.5 = 2.5 -> b1 = 2.5, x1 = 0.75; g2 = 1.5 + 0.375 = 1.875,
    # b2 = 0.5*2.5 + 1.875 = 3.125, x2 = 0.75 - 0.3125 = 0.4375
    xs = run_scalar(optim.SGD(lr=0.1, momentum=0.5, weight_decay=0.5), 1.0, square_grad, 2)
    assert xs == pytest.approx([0.75, 0.4375], rel=1e-14)


def test_adagrad_two_steps_by_hand():
    eps = 1e-10
    x1 = 1.0 - 0.1 * 2.0 / (math.sqrt(4.0) + eps)
    g2 = 2 * x1
    x2 = x1 - 0.1 * g2 / (math.sqrt(4.0 + g2**2) + eps)
    assert run_scalar(optim.Adagrad(lr=0.1), 1.0, square_grad, 2) == pytest.approx(
        [x1, x2], rel=1e-13
    )


def test_adagrad_lr_decay_and_initial_accumulator_by_hand():
    # step t uses lr / (1 + (t-1) lr_decay); the sum starts at 0.5
    eps = 1e-10
    x1 = 1.0 - 0.1 * 2.0 / (math.sqrt(0.5 + 4.0) + eps)
    g2 = 2 * x1
    x2 = x1 - (0.1 / 1.5) * g2 / (math.sqrt(0.5 + 4.0 + g2**2) + eps)
    opt = optim.Adagrad(lr=0.1, lr_decay=0.5, initial_accumulator_value=0.5)
    assert run_scalar(opt, 1.0, square_grad, 2) == pytest.approx([x1, x2], rel=1e-13)


def test_rmsprop_two_steps_by_hand():
    eps, a = 1e-8, 0.99
    v1 = (1 - a) * 4.0
    x1 = 1.0 - 0.01 * 2.0 / (math.sqrt(v1) + eps)  # = 0.9 up to eps
    g2 = 2 * x1
    v2 = a * v1 + (1 - a) * g2**2
    x2 = x1 - 0.01 * g2 / (math.sqrt(v2) + eps)
    assert x1 == pytest.approx(0.9, rel=1e-6)
    assert run_scalar(optim.RMSprop(lr=0.01), 1.0, square_grad, 2) == pytest.approx(
        [x1, x2], rel=1e-13
    )


def test_rmsprop_centered_with_momentum_by_hand():
    eps, a, mu = 1e-8, 0.9, 0.5
    v1, m1 = (1 - a) * 4.0, (1 - a) * 2.0
    b1 = 2.0 / (math.sqrt(v1 - m1**2) + eps)
    x1 = 1.0 - 0.01 * b1
    g2 = 2 * x1
    v2, m2 = a * v1 + (1 - a) * g2**2, a * m1 + (1 - a) * g2
    b2 = mu * b1 + g2 / (math.sqrt(v2 - m2**2) + eps)
    x2 = x1 - 0.01 * b2
    opt = optim.RMSprop(lr=0.01, alpha=a, momentum=mu, centered=True)
    assert run_scalar(opt, 1.0, square_grad, 2) == pytest.approx([x1, x2], rel=1e-13)


def test_adam_first_step_moves_by_lr_and_second_by_hand():
    eps, b1, b2, lr = 1e-8, 0.9, 0.999, 0.1
    # step 1: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps) ~ lr
    x1 = 1.0 - lr * 2.0 / (2.0 + eps)
    g2 = 2 * x1
    m2 = b1 * (1 - b1) * 2.0 + (1 - b1) * g2
    v2 = b2 * (1 - b2) * 4.0 + (1 - b2) * g2**2
    m_hat, v_hat = m2 / (1 - b1**2), v2 / (1 - b2**2)
    x2 = x1 - lr * m_hat / (math.sqrt(v_hat) + eps)
    assert x1 == pytest.approx(0.9, rel=1e-8)
    assert run_scalar(optim.Adam(lr=lr), 1.0, square_grad, 2) == pytest.approx([x1, x2], rel=1e-13)


def test_adam_amsgrad_uses_the_largest_second_moment():
    # gradients 2 then 0.1 with beta2 = 0.5: v1 = 2, v2 = 1.005 < v1, so AMSGrad divides by v1
    eps, b1, b2, lr = 1e-8, 0.9, 0.5, 0.1
    grads = iter([2.0, 0.1])
    m1, v1 = (1 - b1) * 2.0, (1 - b2) * 4.0
    x1 = 1.0 - lr * (m1 / (1 - b1)) / (math.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * 0.1, b2 * v1 + (1 - b2) * 0.01
    assert v2 < v1
    x2_ams = x1 - lr * (m2 / (1 - b1**2)) / (math.sqrt(max(v1, v2) / (1 - b2**2)) + eps)
    x2_plain = x1 - lr * (m2 / (1 - b1**2)) / (math.sqrt(v2 / (1 - b2**2)) + eps)
    opt = optim.Adam(lr=lr, betas=(b1, b2), amsgrad=True)
    assert run_scalar(opt, 1.0, lambda x: next(grads), 2) == pytest.approx([x1, x2_ams], rel=1e-13)
    grads = iter([2.0, 0.1])
    plain = optim.Adam(lr=lr, betas=(b1, b2))
    assert run_scalar(plain, 1.0, lambda x: next(grads), 2)[1] == pytest.approx(x2_plain, rel=1e-13)


def test_adam_weight_decay_is_added_to_the_gradient():
    # g = 2 + 0.5*1 = 2.5; first Adam step is lr * g / (|g| + eps) ~ lr regardless of g
    x1 = 1.0 - 0.1 * 2.5 / (2.5 + 1e-8)
    assert run_scalar(optim.Adam(lr=0.1, weight_decay=0.5), 1.0, square_grad, 1) == pytest.approx(
        [x1], rel=1e-14
    )


def test_adamw_decays_the_weight_directly():
    # theta <- theta (1 - lr*wd) = 0.95, then the Adam step 0.1 * 2 / (2 + eps)
    x1 = 1.0 * (1 - 0.1 * 0.5) - 0.1 * 2.0 / (2.0 + 1e-8)
    assert run_scalar(optim.AdamW(lr=0.1, weight_decay=0.5), 1.0, square_grad, 1) == pytest.approx(
        [x1], rel=1e-14
    )


def test_defaults_match_torch_optim():
    # torch.optim's documented defaults, typed from its documentation
    assert optim.SGD().hyperparameters() == {
        "lr": 1e-3,
        "momentum": 0,
        "dampening": 0,
        "nesterov": False,
        "weight_decay": 0,
    }
    assert optim.Adagrad().hyperparameters() == {
        "lr": 1e-2,
        "lr_decay": 0,
        "weight_decay": 0,
        "initial_accumulator_value": 0,
        "eps": 1e-10,
    }
    assert optim.RMSprop().hyperparameters() == {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0,
        "momentum": 0,
        "centered": False,
    }
    adam = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False}
    assert optim.Adam().hyperparameters() == adam
    assert optim.AdamW().hyperparameters() == {**adam, "weight_decay": 1e-2}
    assert repr(optim.SGD(lr=0.5, momentum=0.9)) == (
        "SGD(lr=0.5, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0)"
    )


# --- golden trajectories recorded from torch.optim ------------------------------------------


def _golden():
    data = json.loads(GOLDEN.read_text())
    problems = {p["name"]: p for p in data["problems"]}
    return data, problems


GOLDEN_DATA, GOLDEN_PROBLEMS = _golden()


def _replay(problem, optimizer, kwargs, steps, dtype=np.float64):
    A, b_vec = np.array(problem["A"]), np.array(problem["b_vec"])
    c = problem["c"]
    theta = np.array(problem["theta0"])
    params, i = {}, 0
    for name, shape in problem["shapes"].items():
        n = int(np.prod(shape))
        params[name] = theta[i : i + n].reshape(shape).astype(dtype)
        i += n

    def flat():
        return np.concatenate([p.ravel() for p in params.values()]).astype(np.float64)

    opt = optim.get(optimizer, **{k: tuple(v) if k == "betas" else v for k, v in kwargs.items()})
    traj = [flat()]
    for _ in range(steps):
        th = flat()
        g_flat = A @ th - b_vec + c * th**3
        grads, i = {}, 0
        for name, p in params.items():
            grads[name] = g_flat[i : i + p.size].reshape(p.shape).astype(dtype)
            i += p.size
        opt.step(params, grads)
        traj.append(flat())
    return np.array(traj), params, opt


def _case_id(case):
    kw = ",".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['optimizer']}({kw})-{case['problem']}"


def test_golden_file_covers_every_optimizer_and_option():
    seen = {(c["optimizer"], k) for c in GOLDEN_DATA["cases"] for k in c["kwargs"]}
    for name, cls in optim.OPTIMIZERS.items():
        for option in cls().hyperparameters():
            assert (cls.__name__, option) in seen, f"no golden trajectory for {name} {option}"
    assert GOLDEN.stat().st_size < 1_000_000


@pytest.mark.parametrize("case", GOLDEN_DATA["cases"], ids=_case_id)
def test_matches_torch_golden_trajectory(case):
    problem = GOLDEN_PROBLEMS[case["problem"]]
    expected = np.array(case["trajectory"])
    got, _, _ = _replay(problem, case["optimizer"], case["kwargs"], GOLDEN_DATA["steps"])
    # the trajectory really moves, so agreement is not agreement about standing still
    assert np.max(np.abs(expected[-1] - expected[0])) > 0.1
    # torch fuses some multiply-adds; that differs in the last bit, hence a tiny atol
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def test_step_reports_every_mistake_before_any_parameter_moves():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    cases = [
        ({"W": np.ones((2, 2))}, ValueError, r"grads lacks \['b'\]"),
        ({"W": np.ones((2, 2)), "b": np.ones(2), "c": np.ones(1)}, ValueError, "grads has extra"),
        ({"W": np.ones((2, 3)), "b": np.ones(2)}, ValueError, r"grads\['W'\] has shape \(2, 3\)"),
        ({"W": [[1.0, 1.0]] * 2, "b": np.ones(2)}, TypeError, r"grads\['W'\] is a list"),
        ({"W": np.ones((2, 2)), "b": np.array(["a", "b"])}, TypeError, "dtype <U1"),
        ({"W": np.ones((2, 2)), "b": np.array([0.0, np.nan])}, DivergenceError, "gradient b"),
    ]
    for grads, error, message in cases:
        opt = optim.Adam()
        with pytest.raises(error, match=message):
            opt.step(params, grads)
        assert opt.steps == 0 and not opt.state
    np.testing.assert_array_equal(params["W"], 0.0)
    with pytest.raises(TypeError, match=r"params\['W'\] is an array of dtype int64"):
        optim.SGD().step({"W": np.zeros(2, dtype=int)}, {"W": np.ones(2)})
    opt = optim.RMSprop()
    opt.step({"W": np.zeros((2, 2))}, {"W": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"call opt.reset\(\)"):
        opt.step({"W": np.zeros((3, 2))}, {"W": np.ones((3, 2))})
    # integer gradients are cast to the parameter's dtype
    params = {"x": np.array([1.0, 2.0])}
    optim.SGD(lr=0.5).step(params, {"x": np.array([2, -2])})
    np.testing.assert_array_equal(params["x"], [0.0, 3.0])


def test_float32_parameters_stay_float32_and_track_the_float64_run():
    case = next(
        c for c in GOLDEN_DATA["cases"] if c["optimizer"] == "Adam" and c["kwargs"] == {"lr": 0.05}
    )
    problem = GOLDEN_PROBLEMS[case["problem"]]
    got, params, opt = _replay(problem, "Adam", case["kwargs"], 20, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in params.values())
    for st_ in opt.state.values():
        assert st_["exp_avg"].dtype == np.float32 and st_["exp_avg_sq"].dtype == np.float32
    expected = np.array(case["trajectory"])[:21]
    np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-6)
    # and it really is float32 arithmetic: not identical to the float64 run
    assert np.max(np.abs(got - expected)) > 1e-9


# --- directly against torch, when torch is importable ---------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason=TORCH_REASON)


def _torch_run(torch, name, kwargs, theta0_parts, grad_fn, steps, dtype):
    tdtype = {np.float64: torch.float64, np.float32: torch.float32}[dtype]
    tensors = {
        k: torch.tensor(v, dtype=tdtype, requires_grad=True) for k, v in theta0_parts.items()
    }
    opt = getattr(torch.optim, name)(list(tensors.values()), foreach=False, **kwargs)
    out = []
    for _ in range(steps):
        g = grad_fn({k: t.detach().numpy() for k, t in tensors.items()})
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=tdtype)
        opt.step()
        out.append({k: t.detach().numpy().copy() for k, t in tensors.items()})
    return out


def _descend_run(name, kwargs, theta0_parts, grad_fn, steps, dtype):
    params = {k: np.array(v, dtype=dtype) for k, v in theta0_parts.items()}
    opt = optim.get(name, **kwargs)
    out = []
    for _ in range(steps):
        opt.step(params, grad_fn(params))
        out.append({k: v.copy() for k, v in params.items()})
    return out


HYPER = {
    "SGD": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-3, 0.1),
            "momentum": st.sampled_from([0.0, 0.5, 0.9]),
            "dampening": st.sampled_from([0.0, 0.3]),
            "nesterov": st.booleans(),
            "weight_decay": st.sampled_from([0.0, 0.01, 0.3]),
        }
    ).filter(lambda d: not d["nesterov"] or (d["momentum"] > 0 and d["dampening"] == 0)),
    "Adagrad": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-3, 0.5),
            "lr_decay": st.sampled_from([0.0, 0.01, 0.2]),
            "weight_decay": st.sampled_from([0.0, 0.1]),
            "initial_accumulator_value": st.sampled_from([0.0, 0.1, 1.0]),
            "eps": st.sampled_from([1e-10, 1e-6]),
        }
    ),
    "RMSprop": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 0.02),
            "alpha": st.floats(0.1, 0.999),
            "eps": st.sampled_from([1e-8, 1e-4]),
            "weight_decay": st.sampled_from([0.0, 0.1]),
            "momentum": st.sampled_from([0.0, 0.5, 0.9]),
            "centered": st.booleans(),
        }
    ),
    "Adam": st.fixed_dictionaries(
        {
            "lr": st.floats(1e-4, 0.1),
            "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999)),
            "eps": st.sampled_from([1e-8, 1e-4]),
            "weight_decay": st.sampled_from([0.0, 0.1]),
            "amsgrad": st.booleans(),
        }
    ),
}
HYPER["AdamW"] = HYPER["Adam"]


@st.composite
def optimizer_problem(draw):
    name = draw(st.sampled_from(sorted(HYPER)))
    kwargs = draw(HYPER[name])
    seed = draw(st.integers(0, 2**32 - 1))
    rows = draw(st.integers(1, 3))
    cols = draw(st.integers(1, 3))
    return name, kwargs, seed, (rows, cols)


@settings(max_examples=40, deadline=None)
@given(optimizer_problem())
def test_random_hyperparameters_match_torch(torch, drawn):
    name, kwargs, seed, shape = drawn
    rng = np.random.default_rng(seed)
    n = shape[0] * shape[1] + shape[1]
    M = rng.normal(size=(n, n))
    A = M @ M.T / n + 0.2 * np.eye(n)
    A /= np.linalg.eigvalsh(A)[-1]  # largest curvature 1, so every drawn lr is stable
    b_vec = rng.normal(size=n)

    def grad_fn(parts):
        th = np.concatenate([parts["W"].ravel(), parts["b"].ravel()])
        g = A @ th - b_vec + 0.05 * th**3
        return {"W": g[: shape[0] * shape[1]].reshape(shape), "b": g[shape[0] * shape[1] :]}

    start = {"W": rng.normal(size=shape), "b": rng.normal(size=shape[1])}
    ours = _descend_run(name, kwargs, start, grad_fn, 15, np.float64)
    theirs = _torch_run(torch, name, kwargs, start, grad_fn, 15, np.float64)
    for a, b in zip(ours, theirs, strict=True):
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-10, atol=1e-13, err_msg=f"{name} {k}")


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_float32_matches_torch_float32(torch, name):
    kwargs = {
        "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        "Adagrad": {"lr": 0.3, "lr_decay": 0.01},
        "RMSprop": {"lr": 0.01, "centered": True, "momentum": 0.5},
        "Adam": {"lr": 0.05, "amsgrad": True},
        "AdamW": {"lr": 0.05, "weight_decay": 0.3},
    }[name]
    rng = np.random.default_rng(7)
    start = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}

    def grad_fn(parts):
        return {"W": (parts["W"] - 0.5) * 2.0, "b": parts["b"] ** 3 + 0.1}

    ours = _descend_run(name, kwargs, start, grad_fn, 20, np.float32)
    theirs = _torch_run(torch, name, kwargs, start, grad_fn, 20, np.float32)
    assert ours[-1]["W"].dtype == np.float32
    for a, b in zip(ours, theirs, strict=True):
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6)


# --- state, lr and reset --------------------------------------------------------------------


def test_step_updates_the_callers_arrays_in_place():
    W = np.array([[1.0, -2.0]])
    params = {"W": W}
    optim.SGD(lr=0.5).step(params, {"W": np.array([[2.0, 2.0]])})
    assert params["W"] is W
    np.testing.assert_array_equal(W, [[0.0, -3.0]])


def test_lr_can_change_between_steps():
    opt = optim.SGD(lr=0.1)
    params = {"x": np.array(1.0)}
    opt.step(params, {"x": np.array(1.0)})
    opt.lr = 0.25
    opt.step(params, {"x": np.array(1.0)})
    assert float(params["x"]) == pytest.approx(1.0 - 0.1 - 0.25, rel=1e-15)
    opt.lr = 0  # schedules may reach 0: a step that changes nothing
    opt.step(params, {"x": np.array(1.0)})
    assert float(params["x"]) == pytest.approx(0.65, rel=1e-15)


def test_reset_forgets_the_moments():
    params = {"x": np.array(1.0)}
    opt = optim.Adam(lr=0.1)
    for _ in range(3):
        opt.step(params, {"x": np.array(2.0)})
    assert opt.steps == 3 and opt.state["x"]["step"] == 3
    opt.reset()
    assert opt.steps == 0 and opt.state == {}
    # after reset the first step is a fresh first step: a move of lr * g / (|g| + eps)
    params = {"x": np.array(1.0)}
    opt.step(params, {"x": np.array(-5.0)})
    assert float(params["x"]) == pytest.approx(1.0 + 0.1 * 5.0 / (5.0 + 1e-8), rel=1e-14)


def test_state_is_kept_per_parameter_name():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    params = {"a": np.array([1.0]), "b": np.array([1.0, 1.0])}
    opt.step(params, {"a": np.array([1.0]), "b": np.array([0.0, 0.0])})
    np.testing.assert_array_equal(opt.state["a"]["momentum_buffer"], [1.0])
    np.testing.assert_array_equal(opt.state["b"]["momentum_buffer"], [0.0, 0.0])


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW])
@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
def test_lr_must_be_positive(cls, lr):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        cls(lr=lr)


def test_lr_setter_rejects_negative_and_non_numbers():
    opt = optim.Adam()
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        opt.lr = -1e-3
    with pytest.raises(TypeError, match="lr must be a number"):
        opt.lr = "0.1"
    assert opt.lr == 1e-3


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: optim.SGD(nesterov=True), "Nesterov momentum requires a momentum > 0"),
        (
            lambda: optim.SGD(momentum=0.9, dampening=0.1, nesterov=True),
            "Nesterov momentum requires .* zero dampening",
        ),
        (lambda: optim.SGD(momentum=-0.5), r"momentum must be in \[0, 1\), got -0.5"),
        (lambda: optim.RMSprop(momentum=1.0), r"momentum must be in \[0, 1\), got 1.0"),
        (lambda: optim.SGD(dampening=1.5), r"dampening must be in \[0, 1\]"),
        (lambda: optim.SGD(weight_decay=-1), "weight_decay must be a finite number >= 0"),
        (lambda: optim.Adagrad(lr_decay=-0.1), "lr_decay must be"),
        (lambda: optim.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
        (lambda: optim.Adagrad(eps=0), "eps must be a finite number > 0, got 0; PyTorch allows 0"),
        (lambda: optim.RMSprop(alpha=1.5), r"alpha must be in \[0, 1\]"),
        (lambda: optim.RMSprop(eps=-1e-8), "eps must be a finite number > 0"),
        (lambda: optim.Adam(betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
        (lambda: optim.Adam(betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda: optim.AdamW(betas=(0.9, 1.0)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda: optim.AdamW(weight_decay=-0.01), "weight_decay must be"),
    ],
)
def test_bad_hyperparameters_are_rejected(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: optim.Adam(betas=0.9), r"betas must be a pair"),
        (lambda: optim.Adam(betas=(0.9, 0.99, 0.1)), r"betas must be a pair"),
        (lambda: optim.Adam(amsgrad="yes"), "amsgrad must be True or False"),
        (lambda: optim.SGD(nesterov=1), "nesterov must be True or False"),
        (lambda: optim.RMSprop(centered=None), "centered must be True or False"),
        (lambda: optim.SGD(momentum="0.9"), "momentum must be a number"),
    ],
)
def test_wrongly_typed_hyperparameters_are_rejected(make, match):
    with pytest.raises(TypeError, match=match):
        make()


def test_a_momentum_of_one_or_more_is_refused_saying_why():
    # μ >= 1 never lets old gradients fade: heavy ball then circles or runs away for ever
    with pytest.raises(ValueError) as err:
        optim.SGD(momentum=1.5)
    assert str(err.value) == (
        "momentum must be in [0, 1), got 1.5; with a momentum of 1 or more old gradients "
        "never fade, so the steps do not shrink and the run never settles; 0.9 is common"
    )
    assert optim.SGD(momentum=0.99).momentum == 0.99


def test_params_and_grads_must_have_the_same_keys():
    opt = optim.SGD(lr=0.1)
    params = {"W1": np.zeros((2, 2)), "b1": np.zeros(2)}
    with pytest.raises(ValueError, match=r"grads lacks \['b1'\]"):
        opt.step(params, {"W1": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"grads has extra \['W2'\]"):
        opt.step(params, {"W1": np.zeros((2, 2)), "b1": np.zeros(2), "W2": np.zeros(1)})
    assert opt.steps == 0  # nothing half-done


def test_params_and_grads_must_have_the_same_shapes():
    with pytest.raises(ValueError, match=r"grads\['W'\] has shape \(2, 3\) but params\['W'\] has"):
        optim.Adam().step({"W": np.zeros((3, 2))}, {"W": np.zeros((2, 3))})


def test_grads_must_be_arrays_of_numbers():
    params = {"W": np.zeros((1, 2))}
    with pytest.raises(TypeError, match=r"grads\['W'\] is a list; pass the gradient as a NumPy"):
        optim.SGD().step(params, {"W": [[1.0, 2.0]]})
    with pytest.raises(TypeError, match=r"grads\['W'\] is an array of dtype <U1"):
        optim.SGD().step(params, {"W": np.array([["a", "b"]])})
    with pytest.raises(TypeError, match="params and grads must be dicts"):
        optim.SGD().step(params, [np.zeros((1, 2))])
    np.testing.assert_array_equal(params["W"], [[0.0, 0.0]])


def test_params_must_be_float_arrays():
    with pytest.raises(TypeError, match=r"params\['W'\] is an array of dtype int64"):
        optim.SGD().step({"W": np.array([1, 2])}, {"W": np.array([1.0, 1.0])})
    with pytest.raises(TypeError, match=r"params\['x'\] is a float"):
        optim.SGD().step({"x": 1.0}, {"x": np.array(1.0)})


def test_integer_gradients_are_accepted_and_cast():
    params = {"x": np.array([1.0, 2.0])}
    optim.SGD(lr=0.5).step(params, {"x": np.array([2, -2])})
    np.testing.assert_array_equal(params["x"], [0.0, 3.0])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_gradient_raises_divergence_error(bad):
    params = {"W": np.ones(3)}
    opt = optim.Adam(lr=0.01)
    opt.step(params, {"W": np.ones(3)})
    before = params["W"].copy()
    with pytest.raises(DivergenceError, match="gradient W became") as info:
        opt.step(params, {"W": np.array([1.0, bad, 1.0])})
    assert info.value.step == 1 and info.value.lr == 0.01
    np.testing.assert_array_equal(params["W"], before)


def test_a_new_shape_for_a_known_name_asks_for_reset():
    opt = optim.RMSprop()
    opt.step({"W": np.zeros((2, 2))}, {"W": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"call opt.reset\(\)"):
        opt.step({"W": np.zeros((3, 2))}, {"W": np.ones((3, 2))})
    opt.reset()
    opt.step({"W": np.zeros((3, 2))}, {"W": np.ones((3, 2))})
    assert opt.state["W"]["square_avg"].shape == (3, 2)


def test_get_builds_by_name_and_lists_valid_names():
    opt = optim.get("Adam", lr=0.01, amsgrad=True)
    assert isinstance(opt, optim.Adam) and opt.lr == 0.01 and opt.amsgrad
    assert type(optim.get("rmsprop")) is optim.RMSprop
    assert sorted(optim.OPTIMIZERS) == ["adagrad", "adam", "adamw", "rmsprop", "sgd"]
    with pytest.raises(ValueError, match="choose one of: sgd, adagrad, rmsprop, adam, adamw"):
        optim.get("adadelta")
    with pytest.raises(TypeError, match="unexpected keyword argument 'momentum'"):
        optim.get("adam", momentum=0.9)


def test_every_optimizer_documents_its_formula_and_chapter():
    for cls in optim.OPTIMIZERS.values():
        doc = cls.__doc__
        assert "θ ←" in doc, cls
        assert "Introduced in: book/05-update" in doc, cls
