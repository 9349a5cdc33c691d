"""The Python side of chapter 5's live optimizer race (descend.live.explorers_b)."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

import descend as ds
import descend.live as L
from descend.live.explorers_b import RACE_SURFACES, RACERS


def test_race_state_comes_from_the_library():
    w = L.optimizer_race(surface="beale", steps=300)
    assert w.kind == "race" and set(w.page_state) == {"surfaces", "racers", "settings"}
    assert list(w.racers) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert w.settings == {"surface": "beale", "steps": 300, "start": None}
    assert list(w.surfaces) == list(RACE_SURFACES)
    for name, s in w.surfaces.items():
        surface = ds.surfaces.get(name)
        np.testing.assert_allclose(s["minima"], surface.minima, atol=1e-6)
        assert s["fmin"] == min(surface.min_values)
        assert s["start"] == pytest.approx(list(surface.start), abs=1e-4)
        (x0, x1), (y0, y1) = s["xlim"], s["ylim"]
        assert x0 < s["start"][0] < x1 and y0 < s["start"][1] < y1  # the start is on the map
        for m in surface.minima:
            assert x0 < m[0] < x1 and y0 < m[1] < y1, (name, m)  # and so are the minima
    h = ds.surfaces.quadratic().hessian
    q = w.surfaces["quadratic"]["params"]
    assert [q["h11"], q["h12"], q["h22"]] == [h[0, 0], h[0, 1], h[1, 1]]


def test_race_optimizers_are_descends_with_the_racers_settings():
    w = L.optimizer_race(adam={"lr": 0.05, "betas": [0.8, 0.99]}, momentum={"momentum": 0.5})
    adam = w.optimizer("adam")
    assert isinstance(adam, ds.optim.Adam)
    assert adam.hyperparameters()["lr"] == 0.05
    assert tuple(adam.hyperparameters()["betas"]) == (0.8, 0.99)
    mom = w.optimizer("momentum")
    assert isinstance(mom, ds.optim.SGD) and mom.hyperparameters()["momentum"] == 0.5
    assert w.optimizer("nesterov").hyperparameters()["nesterov"] is True
    assert w.racers["adagrad"]["hyper"] == {"lr": 0.5}  # untouched racers keep the defaults
    # the start and a racer reproduce a path with descend itself
    path = ds.minimize(ds.surfaces.rosenbrock(), w.start(), w.optimizer("adam"), steps=20)
    assert np.all(np.isfinite(path.values)) and path.values[-1] < path.values[0]
    with pytest.raises(ValueError, match="unknown racer 'lion'"):
        w.optimizer("lion")


def test_race_placeholder_carries_the_state_as_json():
    w = L.optimizer_race(start=(0.5, -0.25), steps=40)
    placeholder = w.placeholder_html()
    m = re.fullmatch(
        r'<div class="descend-live" data-kind="race" data-state="([^"]*)">.*',
        placeholder,
    )
    assert m, placeholder
    state = json.loads(html.unescape(m[1]))
    assert state["settings"] == {"surface": "rosenbrock", "steps": 40, "start": [0.5, -0.25]}
    assert w.start() == (0.5, -0.25)
    assert len(placeholder) < 4000  # small: every surface's numbers, not sampled paths
    data, _ = w._repr_mimebundle_()
    assert data["text/html"] == placeholder and "application/vnd.jupyter.widget-view+json" in data


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"surface": "bowl"}, ValueError, "unknown surface .*'bowl'.*rosenbrock, beale"),
        ({"surface": "beale", "surfaces": ("rosenbrock",)}, ValueError, "of those offered"),
        ({"surfaces": ()}, ValueError, "at least one surface"),
        ({"steps": 0}, ValueError, "steps must be an integer between 1 and 1000"),
        ({"steps": 2.5}, TypeError, "steps must be an integer"),
        ({"start": (1.0,)}, ValueError, r"start must be a point \(x, y\)"),
        ({"start": (1.0, float("nan"))}, ValueError, "start must be a finite number"),
        ({"lion": {"lr": 0.1}}, TypeError, r"unknown racer\(s\) \['lion'\]"),
        ({"adam": 0.1}, TypeError, "adam takes a dict of hyperparameters"),
        ({"sgd": {"momentum": 0.9}}, TypeError, "unknown hyperparameter.*gradient descent"),
        ({"adam": {"lr": 100.0}}, ValueError, r"Adam's lr must be in \[1e-05, 10\]"),
        ({"rmsprop": {"alpha": 1.0}}, ValueError, r"RMSProp's alpha must be in \[0.5, 0.999\]"),
        ({"adam": {"betas": [0.9, 1.0]}}, ValueError, "Adam's beta2 must be in"),
        ({"momentum": {"momentum": -0.1}}, ValueError, "momentum's momentum must be in"),
    ],
)
def test_race_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        L.optimizer_race(**kwargs)


def test_racers_are_the_six_of_the_chapter():
    labels = [label for label, _, _ in RACERS.values()]
    assert labels == ["gradient descent", "momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]


# ------------------------------------------------------------------ the learning rate on a bowl


def test_bowl_state_and_slider_reach_past_the_bound():
    w = L.learning_rate_bowl(condition=10.0, angle=np.pi / 6, lr=0.1, steps=30)
    assert w.kind == "bowl" and set(w.page_state) == {"bowl", "settings"}
    H = ds.surfaces.quadratic(condition=10.0, angle=np.pi / 6).hessian
    b = w.bowl
    assert [b["h11"], b["h12"], b["h22"]] == [H[0, 0], H[0, 1], H[1, 1]]
    assert b["lam_min"] == pytest.approx(1.0) and b["lam_max"] == pytest.approx(10.0)
    assert w.settings == {"lr": 0.1, "steps": 30, "lr_max": 0.25}
    rates = w.slider_lrs()
    assert len(set(rates)) == 250 and rates[0] == 0.001 and rates[-1] == 0.25
    assert 0.2 in rates and 0.1 in rates  # 2 / lambda_max and 1 / lambda_max are positions
    # another bowl: the slider scales with 1 / lambda_max, the start value snaps to it
    w4 = L.learning_rate_bowl(condition=4.0, lr=0.333)
    assert w4.settings["lr_max"] == 0.625 and w4.settings["lr"] == 0.3325  # k = 133 of 250
    assert 'data-kind="bowl"' in w4.placeholder_html()


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"condition": 0.5}, ValueError, "condition must be >= 1"),
        ({"lr": 0.5}, ValueError, r"lr must be in \[0.001, 0.25\].*slider's range"),
        ({"lr": 0.0}, ValueError, "lr must be in"),
        ({"steps": 0}, ValueError, "steps must be an integer between 1 and 200"),
    ],
)
def test_bowl_rejects_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        L.learning_rate_bowl(**kwargs)
