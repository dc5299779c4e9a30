"""Keras 3's activations in glassnet: values equal Keras's (when installed), derivatives equal
central differences, and every way of naming one (string, config, function, layer object)."""

import numpy as np
import pytest

import glassnet
from glassnet import activations
from glassnet.errors import ConfigError
from glassnet.layers import Dense, LeakyReLU, PReLU

# (glassnet identifier, Keras function name, Keras keyword arguments)
CASES = [
    ("elu", "elu", {}), ({"name": "elu", "alpha": 0.5}, "elu", {"alpha": 0.5}),
    ("selu", "selu", {}), ("gelu", "gelu", {}),
    ({"name": "gelu", "approximate": True}, "gelu", {"approximate": True}),
    ("silu", "silu", {}), ("swish", "swish", {}), ("softplus", "softplus", {}),
    ("softsign", "softsign", {}), ("hard_sigmoid", "hard_sigmoid", {}),
    ("hard_silu", "hard_silu", {}), ("hard_swish", "hard_swish", {}), ("relu6", "relu6", {}),
    ("mish", "mish", {}), ("log_softmax", "log_softmax", {}), ("leaky_relu", "leaky_relu", {}),
    ({"name": "relu", "max_value": 2.5, "negative_slope": 0.1, "threshold": 0.5}, "relu",
     {"max_value": 2.5, "negative_slope": 0.1, "threshold": 0.5}),
    ({"name": "relu", "max_value": 6.0}, "relu", {"max_value": 6.0}),
]
IDS = [f"{k}-{kw}" if kw else k for _, k, kw in CASES]
KINKS = (-3.0, 0.0, 0.5, 2.5, 3.0, 6.0)


def _inputs(dtype, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.uniform(-8, 8, size=(6, 7))
    z[0, :6] = [-30.0, -3.5, -0.2, 0.2, 3.5, 30.0]
    far = np.min(np.abs(z[..., None] - np.array(KINKS)), axis=-1) > 1e-3
    return np.where(far, z, z + 0.01).astype(dtype)


@pytest.mark.parametrize(("ours", "name", "kwargs"), CASES, ids=IDS)
def test_values_equal_keras(keras, ours, name, kwargs):
    z = _inputs("float32")
    expected = np.asarray(getattr(keras.activations, name)(keras.ops.convert_to_tensor(z),
                                                           **kwargs))
    fn = activations.get(ours)
    np.testing.assert_allclose(fn.forward(z, np.empty_like(z)), expected, rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize(("ours", "name", "kwargs"), CASES, ids=IDS)
def test_derivatives_equal_central_differences(ours, name, kwargs):
    fn = activations.get(ours)
    z = _inputs("float64", seed=1)
    r = np.random.default_rng(2).normal(size=z.shape)
    a = fn.forward(z, np.empty_like(z))
    grad = fn.backward(r, z.copy(), a.copy(), np.empty_like(z))
    h = 1e-6
    numeric = np.empty_like(z)
    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = ((fn.forward(up, np.empty_like(z)) - fn.forward(down, np.empty_like(z)))
                        * r).sum() / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_keras_gradients_equal_ours(keras):
    import torch

    z = _inputs("float64", seed=3)
    for ours, name, kwargs in CASES:
        t = torch.tensor(z, requires_grad=True)
        getattr(keras.activations, name)(t, **kwargs).sum().backward()
        fn = activations.get(ours)
        a = fn.forward(z, np.empty_like(z))
        np.testing.assert_allclose(fn.backward(np.ones_like(z), z, a, np.empty_like(z)),
                                   t.grad.numpy(), rtol=1e-7, atol=1e-12, err_msg=name)


def test_module_functions_match_the_objects():
    x = np.array([[-2.0, -0.5, 0.0, 0.7, 4.0]])
    for name in ("elu", "selu", "gelu", "silu", "swish", "softplus", "softsign", "hard_sigmoid",
                 "hard_silu", "hard_swish", "relu6", "mish", "log_softmax"):
        np.testing.assert_array_equal(getattr(activations, name)(x),
                                      activations.get(name)(x), err_msg=name)
    assert activations.gelu(np.array([1.0]), approximate=True)[0] == pytest.approx(0.8411920)
    assert activations.elu(np.array([-1.0]), alpha=2.0)[0] == pytest.approx(2 * (np.exp(-1) - 1))
    assert activations.leaky_relu(np.array([-1.0]))[0] == pytest.approx(-0.2)  # Keras's 0.2


def test_every_identifier_form():
    assert activations.get("swish").name == "silu"
    assert activations.get("hard_swish").name == "hard_silu"
    assert activations.get(activations.gelu).get_config() == {"name": "gelu",
                                                             "approximate": False}
    assert activations.get(activations.swish).name == "silu"
    assert activations.get(LeakyReLU(0.1)).negative_slope == 0.1
    assert activations.get("leaky_relu").negative_slope == 0.2  # Keras's function default
    assert type(activations.get({"name": "relu"})).__name__ == "ReLU"  # the fast path
    assert activations.serialize(activations.get("mish")) == "mish"
    with pytest.raises(ConfigError, match=r"prelu.*PReLU.*after the Dense layer"):
        activations.get(PReLU(name="prelu"))
    with pytest.raises(ConfigError, match="approximate must be True or False"):
        activations.get({"name": "gelu", "approximate": "yes"})
    with pytest.raises(ConfigError, match="unknown activation 'gelu2'"):
        activations.get("gelu2")


@pytest.mark.parametrize("activation", ["gelu", "selu", "mish", "hard_swish", "softplus",
                                        "log_softmax", LeakyReLU(0.1), activations.elu])
def test_dense_with_the_activation_gradchecks_and_round_trips(activation, tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 2))
    model = glassnet.Sequential([Dense(5, activation=activation, input_shape=(3,)), Dense(2)],
                                dtype="float64")
    model.compile("sgd", "mse")
    errors = glassnet.gradcheck(model, x, y)
    assert max(errors.values()) < 1e-6
    model.save(tmp_path / "m.glassnet")
    loaded = glassnet.models.load_model(tmp_path / "m.glassnet")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].activation.get_config() == model.layers[0].activation.get_config()


def test_dense_activations_equal_keras_dense(keras):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(8, 3)).astype("float32")
    for name in ("elu", "selu", "gelu", "silu", "swish", "softplus", "softsign", "hard_sigmoid",
                 "hard_silu", "relu6", "mish", "log_softmax", "leaky_relu"):
        ours = glassnet.Sequential([Dense(4, activation=name, input_shape=(3,))])
        theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation=name)])
        theirs.set_weights(ours.get_weights())
        np.testing.assert_allclose(ours.predict(x, verbose=0),
                                   np.asarray(theirs.predict(x, verbose=0)), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
