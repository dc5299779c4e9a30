"""Finite-difference checks of every layer, activation and loss, in float64."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import GradientCheckError

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "exponential"]
SHAPES = [(4, 3, 5, 2), (7, 2, 3, 4), (3, 6, 1, 3)]  # batch, inputs, hidden, outputs


def _data(seed, n, d_in, d_out):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_in))
    return rng, x, rng.random((n, d_out))


@pytest.mark.parametrize("hidden_activation", ACTIVATIONS)
@pytest.mark.parametrize("output_activation", ACTIVATIONS)
@pytest.mark.parametrize("shape_seed", range(len(SHAPES)))
def test_dense_activations_with_mse(hidden_activation, output_activation, shape_seed):
    n, d_in, hidden, d_out = SHAPES[shape_seed]
    glassnet.utils.set_random_seed(shape_seed)
    _, x, y = _data(shape_seed, n, d_in, d_out)
    # Random biases keep every ReLU away from its kink at exactly 0, where no derivative exists.
    bias = glassnet.initializers.RandomNormal(stddev=0.5)
    model = glassnet.Sequential([
        layers.Dense(hidden, activation=hidden_activation, input_shape=(d_in,),
                     bias_initializer=bias),
        layers.Dense(d_out, activation=output_activation, bias_initializer=bias),
    ])
    model.compile("sgd", "mse")
    worst = glassnet.gradcheck(model, x, y)
    assert set(worst) == {layer.name for layer in model.layers}
    assert max(worst.values()) < 1e-6


CROSS_ENTROPY_HEADS = [
    ("softmax", "categorical_crossentropy", False),
    ("softmax", "sparse_categorical_crossentropy", False),
    ("sigmoid", "binary_crossentropy", False),
    ("linear", "categorical_crossentropy", True),
    ("linear", "sparse_categorical_crossentropy", True),
    ("linear", "binary_crossentropy", True),
]


def _targets(rng, loss, n, k):
    labels = rng.integers(0, k, n)
    if loss.startswith("sparse"):
        return labels
    if loss.startswith("categorical"):
        return np.eye(k)[labels]
    return (rng.random((n, k)) > 0.5).astype(float)


@pytest.mark.parametrize(("activation", "loss", "from_logits"), CROSS_ENTROPY_HEADS)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_heads(activation, loss, from_logits, seed, weighted):
    rng = np.random.default_rng(seed)
    n, d_in, k = 5 + seed, 3 + seed, 3 + seed % 2
    x = rng.normal(size=(n, d_in))
    y = _targets(rng, loss, n, k)
    glassnet.utils.set_random_seed(seed)
    model = glassnet.Sequential([
        layers.Dense(4, activation="tanh", input_shape=(d_in,)),
        layers.Dense(k, activation=activation),
    ])
    model.compile("sgd", glassnet.losses.get({"name": loss, "from_logits": from_logits}))
    weights = rng.random(n) + 0.5 if weighted else None
    worst = glassnet.gradcheck(model, x, y, sample_weight=weights)
    assert max(worst.values()) < 1e-6


@pytest.mark.parametrize(
    "middle",
    [
        lambda: layers.ReLU(),
        lambda: layers.Sigmoid(),
        lambda: layers.Tanh(),
        lambda: layers.Softmax(),
        lambda: layers.LeakyReLU(alpha=0.1),
        lambda: layers.Activation("tanh"),
        lambda: layers.Dropout(0.3),
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_standalone_layers(middle, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6, 2, 3))  # Flatten in front: (6, 6)
    y = rng.random((6, 2))
    glassnet.utils.set_random_seed(seed)
    model = glassnet.Sequential([
        layers.Flatten(input_shape=(2, 3)),
        layers.Dense(5, use_bias=seed == 0),
        middle(),
        layers.Dense(2, activation="sigmoid"),
    ])
    model.compile("sgd", "mse")
    assert max(glassnet.gradcheck(model, x, y).values()) < 1e-6


def test_softmax_layer_fuses_with_cross_entropy():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(5, 4)), rng.integers(0, 3, 5)
    model = glassnet.Sequential([layers.Dense(3, input_shape=(4,)), layers.Softmax()])
    model.compile("sgd", "sparse_categorical_crossentropy")
    assert model.fused_output
    assert max(glassnet.gradcheck(model, x, y).values()) < 1e-6


def test_float32_model_is_checked_in_float64_and_left_unchanged():
    rng = np.random.default_rng(0)
    model = glassnet.Sequential([layers.Dense(3, activation="relu", input_shape=(2,)),
                                 layers.Dense(1)])
    model.compile("adam", "mse")
    before = model.params.copy()
    worst = glassnet.gradcheck(model, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))
    assert max(worst.values()) < 1e-6
    assert model.params.dtype == np.float32
    np.testing.assert_array_equal(model.params, before)


def test_a_wrong_backward_is_caught_and_named(monkeypatch):
    rng = np.random.default_rng(0)
    model = glassnet.Sequential([layers.Dense(3, activation="sigmoid", input_shape=(2,),
                                              name="hidden"),
                                 layers.Dense(1, name="out")])
    model.compile("sgd", "mse")
    sigmoid = glassnet.activations.Sigmoid
    original = sigmoid.backward

    def off_by_ten_percent(self, grad, z, a, out):
        return original(self, grad, z, a, out) * 1.1

    monkeypatch.setattr(sigmoid, "backward", off_by_ten_percent)
    with pytest.raises(GradientCheckError, match=r"layer 'hidden' kernel\[\d, \d\]: analytic"):
        glassnet.gradcheck(model, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))
    worst = glassnet.gradcheck(model, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)),
                               raise_on_failure=False)
    assert worst["hidden"] > 0.05
    assert worst["out"] < 1e-6


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"step": 0}, r"gradcheck: step must be a number in \(0, inf\), got 0"),
    ({"tolerance": "tight"}, r"gradcheck: tolerance must be a number in \(0, inf\), got 'tight'"),
])
def test_bad_step_or_tolerance_is_a_config_error(kwargs, message):
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    with pytest.raises(glassnet.errors.ConfigError, match=message):
        glassnet.gradcheck(model, np.ones((2, 2)), np.ones(2), **kwargs)
