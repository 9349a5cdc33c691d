"""Registries look their entries up by name at call time: one home for every piece.

Replacing a module attribute (``descend.optim.Adam``, ``descend.activations.tanh_backward``,
...) must replace every route to it, as the exercises' grader relies on when it switches
a function off. Each test replaces one attribute and follows every route.
"""

from __future__ import annotations

import numpy as np
import pytest

import descend as ds
from descend import activations, init, layers, losses, optim
from descend.registry import Registry


def test_a_registry_reads_like_a_read_only_dict():
    reg = Registry(("a", "b"), lambda name: name.upper())
    assert list(reg) == ["a", "b"] and len(reg) == 2
    assert reg["b"] == "B" and dict(reg) == {"a": "A", "b": "B"}
    assert "a" in reg and "c" not in reg and reg.get("c") is None
    with pytest.raises(KeyError):
        reg["c"]
    with pytest.raises(TypeError):
        reg["c"] = "C"  # type: ignore[index]
    assert repr(reg) == "Registry(a, b)"


def test_the_registries_list_every_piece():
    assert list(optim.OPTIMIZERS) == ["sgd", "adagrad", "rmsprop", "adam", "adamw"]
    assert optim.OPTIMIZERS["adam"] is optim.Adam
    assert list(activations.ACTIVATIONS) == [
        "identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"
    ]  # fmt: skip
    assert activations.ACTIVATIONS["softmax"].derivative is None
    assert activations.ACTIVATIONS["relu"].backward is activations.relu_backward
    assert list(losses.LOSSES) == ["mse", "binary_cross_entropy", "softmax_cross_entropy"]
    assert losses.LOSSES["mse"] is losses.mse
    assert init.INITIALIZERS["he_normal"] is init.he_normal and len(init.INITIALIZERS) == 8


def test_replacing_adam_replaces_every_route_to_it(monkeypatch):
    class StandIn(optim.Adam):
        pass

    monkeypatch.setattr(optim, "Adam", StandIn)
    assert ds.optim.Adam is StandIn
    assert optim.OPTIMIZERS["adam"] is StandIn
    assert dict(optim.OPTIMIZERS)["adam"] is StandIn
    assert type(optim.get("adam", lr=0.1)) is StandIn
    assert type(optim.get("ADAM")) is StandIn
    assert optim.OPTIMIZERS["adamw"] is optim.AdamW  # the others stay
    monkeypatch.undo()
    assert optim.OPTIMIZERS["adam"] is optim.Adam is not StandIn
    assert type(optim.get("adam")) is optim.Adam


def test_replacing_an_activation_replaces_it_in_every_network(monkeypatch):
    X, y = np.ones((3, 2)), np.array([0, 1, 1])
    net = ds.Network([2, 4, 1], activation="tanh", rng=np.random.default_rng(0))
    loss, grads = net.loss_and_grads(X, y)
    calls = []
    original_forward, original_backward = activations.tanh_forward, activations.tanh_backward

    def forward(Z):
        calls.append("forward")
        return original_forward(Z)

    def backward(dA, cache):
        calls.append("backward")
        return original_backward(dA, cache)

    monkeypatch.setattr(activations, "tanh_forward", forward)
    monkeypatch.setattr(activations, "tanh_backward", backward)
    assert activations.ACTIVATIONS["tanh"].forward is forward
    assert activations.get("tanh").backward is backward
    # a network built before the replacement uses it too: it looks tanh up by name
    loss2, grads2 = net.loss_and_grads(X, y)
    assert calls == ["forward", "backward"]
    assert loss2 == loss and all(np.array_equal(grads[k], grads2[k]) for k in grads)
    monkeypatch.undo()
    calls.clear()
    net.loss_and_grads(X, y)
    assert calls == []


def test_replacing_a_loss_or_a_layer_replaces_it_in_every_network(monkeypatch):
    X, y = np.ones((3, 2)), np.array([0, 1, 1])
    net = ds.Network([2, 4, 1], rng=np.random.default_rng(0))

    def switched_off(*args, **kwargs):
        raise RuntimeError("switched off")

    monkeypatch.setattr(losses, "binary_cross_entropy", switched_off)
    assert losses.LOSSES["binary_cross_entropy"] is switched_off
    assert losses.get("binary_cross_entropy") is switched_off
    with pytest.raises(RuntimeError, match="switched off"):
        net.loss(X, y)
    monkeypatch.undo()
    net.loss(X, y)
    monkeypatch.setattr(layers, "dense_forward", switched_off)
    with pytest.raises(RuntimeError, match="switched off"):
        net.forward(X)


def test_replacing_an_initializer_replaces_it_in_every_route(monkeypatch):
    def ones(shape, rng=None):
        return np.ones(shape)

    monkeypatch.setattr(init, "he_normal", ones)
    assert init.INITIALIZERS["he_normal"] is ones and init.get("he_normal") is ones
    net = ds.Network([2, 3, 1], activation="relu", rng=np.random.default_rng(0))
    assert net.initializer == "he_normal"
    np.testing.assert_array_equal(net.params["W1"], np.ones((2, 3)))
