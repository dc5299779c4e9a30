"""explain(model, x, y, weight=...): any weight of any model, against the model's own gradient,
finite differences and the optimizer's real step."""

import re

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError
from glassnet.layers import Dense, Flatten
from glassnet.models import training as _training

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "exponential", "softmax"]
LOSSES = ["mse", "half_sum_squared_error", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy"]


def _targets(loss, rng, n, k):
    if loss == "sparse_categorical_crossentropy":
        return rng.integers(0, k, n)
    if loss == "categorical_crossentropy":
        return np.eye(k)[rng.integers(0, k, n)]
    return rng.random((n, k))


def _model(widths, activations, loss, seed, head=None):
    glassnet.utils.set_random_seed(seed)
    stack = [Dense(w, activation=a, name=f"d{i}", **({"input_shape": (widths[0],)} if i == 0
                                                     else {}))
             for i, (w, a) in enumerate(zip(widths[1:], activations, strict=True))]
    model = glassnet.Sequential(stack + ([head] if head else []), dtype="float64")
    model.compile(glassnet.optimizers.SGD(0.1), loss)
    return model


def _engine_grads(model, x, y):
    """The model's own gradient of the batch, by the training loop's functions."""
    x, y, _ = _training.prepare_single(model, x, y)
    out = _training.forward(model, x.astype(np.float64), True)
    _training.backward(model, y, out, None, model.fused_output, np.empty_like(out))
    return [layer.grads["kernel"].copy() for layer in model.layers if isinstance(layer, Dense)]


def _numeric(model, x, y, layer, index, h=1e-6):
    w = layer.kernel
    old = w[index]
    values = []
    for step in (h, -h):
        w[index] = old + step
        values.append(model.evaluate(x, y))
    w[index] = old
    return (values[0] - values[1]) / (2 * h)


CASES = [([3, 4, 2], ["tanh", "sigmoid"], "mse"),
         ([2, 5, 3, 2], ["relu", "leaky_relu", "softmax"], "categorical_crossentropy"),
         ([4, 3, 3], ["exponential", "softmax"], "sparse_categorical_crossentropy"),
         ([3, 6, 2], ["sigmoid", "sigmoid"], "binary_crossentropy"),
         ([2, 3, 3, 3, 2], ["tanh", "linear", "relu", "sigmoid"], "half_sum_squared_error"),
         ([3, 4, 3], ["relu", "softmax"], "mse"),
         ([3, 4, 2], ["leaky_relu", "sigmoid"], "binary_crossentropy")]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_random_weights_equal_the_model_gradient_and_finite_differences(case):
    widths, acts, loss = CASES[case]
    rng = np.random.default_rng(case)
    model = _model(widths, acts, loss, case)
    x = rng.normal(size=(5, widths[0]))
    y = _targets(loss, rng, 5, widths[-1])
    engine = _engine_grads(model, x, y)
    for _ in range(4):
        d = int(rng.integers(len(widths) - 1))
        i, j = int(rng.integers(widths[d])), int(rng.integers(widths[d + 1]))
        e = glassnet.explain(model, x, y, weight=f"d{d}/kernel[{i}, {j}]",
                             sample=int(rng.integers(5)))
        assert e.value == pytest.approx(engine[d][i, j], rel=1e-12, abs=1e-15)
        numeric = _numeric(model, x, y, model.layers[d], (i, j))
        assert e.value == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        assert np.mean(e.per_sample) == pytest.approx(e.value, rel=1e-14, abs=1e-16)


def test_every_activation_and_loss_pair():
    rng = np.random.default_rng(7)
    for act in ACTIVATIONS:
        for loss in LOSSES:
            out = "softmax" if "categorical" in loss else "sigmoid" if loss == \
                "binary_crossentropy" else act
            model = _model([3, 4, 3], [act, out], loss, 3)
            x = rng.normal(size=(3, 3)) * 0.5
            y = _targets(loss, rng, 3, 3)
            engine = _engine_grads(model, x, y)
            e = glassnet.explain(model, x, y, weight="d0/kernel[2, 1]")
            assert e.value == pytest.approx(engine[0][2, 1], rel=1e-12, abs=1e-15), (act, loss)
            assert e.value == pytest.approx(_numeric(model, x, y, model.layers[0], (2, 1)),
                                            rel=1e-6, abs=1e-9), (act, loss)


def test_a_batch_is_the_mean_of_its_samples_and_the_update_is_the_optimizers_step():
    rng = np.random.default_rng(1)
    model = _model([3, 5, 2], ["relu", "softmax"], "sparse_categorical_crossentropy", 1)
    model.compile(glassnet.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    x, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    whole = glassnet.explain(model, x, y, weight="d0/kernel[1, 4]")
    alone = [glassnet.explain(model, x[s], y[s], weight="d0/kernel[1, 4]").value
             for s in range(6)]
    np.testing.assert_allclose(whole.per_sample, alone, rtol=1e-12, atol=1e-15)
    model.fit(x, y, epochs=1, batch_size=6, shuffle=False, verbose=0)
    assert whole.update.new == pytest.approx(model.layers[0].kernel[1, 4], rel=1e-12)


def test_biases_and_neurons():
    rng = np.random.default_rng(2)
    model = _model([2, 3, 2], ["tanh", "sigmoid"], "binary_crossentropy", 2)
    x, y = rng.normal(size=(4, 2)), rng.random((4, 2))
    _engine_grads(model, x, y)
    bias = model.layers[0].grads["bias"].copy()
    e = glassnet.explain(model, x, y, weight=("d0", "bias", 2))
    assert e.value == pytest.approx(bias[2], rel=1e-12)
    n = glassnet.explain(model, x, y, neuron="d0[2]")
    assert n.value == pytest.approx(bias[2], rel=1e-12) and n.update is None
    assert glassnet.explain(model, x, y, weight=("d1", "kernel", (2, 1))).quantity == \
        "d1/kernel[2, 1]"


def test_flatten_dropout_and_activation_layers():
    rng = np.random.default_rng(3)
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([Flatten(input_shape=(2, 2), name="fl"),
                                 Dense(4, name="a"), layers.LeakyReLU(0.1, name="lr"),
                                 layers.Dropout(0.5, seed=1, name="drop"),
                                 Dense(3, name="b"), layers.Softmax(name="sm")], dtype="float64")
    model.compile(glassnet.optimizers.SGD(0.1), "categorical_crossentropy")
    x, y = rng.normal(size=(1, 2, 2)), np.eye(3)[[1]]
    e = glassnet.explain(model, x[0], y[0], weight="a/kernel[3, 2]")  # one 2x2 sample
    model.layers[3].rng = np.random.default_rng(1)  # the same dropout mask again
    assert e.value == pytest.approx(_engine_grads(model, x, y)[0][3, 2], rel=1e-12, abs=1e-15)
    text = str(e)
    assert "x[1, 1]" in text and "mask[2]" in text and "p_u - y_u" in text


def test_the_seeds_mnist_network():
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu",
                                 name="dense_1"), Dense(10, activation="softmax",
                                                        name="dense_2")], dtype="float64")
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 28, 28)), rng.integers(0, 10, 8)
    e = glassnet.explain(model, x, y, weight="dense_1/kernel[400, 7]")
    assert e.value == pytest.approx(_engine_grads(model, x, y)[0][400, 7], rel=1e-12, abs=1e-15)
    text = str(e)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "(780 more terms:" in text and "(6 more terms:" in text
    assert "+ -" not in text and "= 1 = 1" not in text and "Update(" not in text
    html = e._repr_html_()
    assert "<style>" in html and "<script" not in html and "http" not in html
    assert e.to_markdown().count("####") == len(e.sections)


def test_the_model_is_left_as_it_was():
    model = _model([2, 3, 1], ["tanh", "sigmoid"], "mse", 4)
    before, grads = model.get_weights(), model.grads.copy()
    glassnet.explain(model, np.ones((2, 2)), np.zeros((2, 1)), weight="d0/kernel[0, 0]")
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.grads, grads)


@pytest.mark.parametrize("kwargs, message", [
    ({"weight": "d9/kernel[0, 0]"}, "has no layer 'd9'; its Dense layers are 'd0', 'd1'"),
    ({"weight": "d0/kernel[5, 0]"}, r"kernel has shape \(2, 3\); indices run from 0 to \(1, 2\)"),
    ({"weight": "d0/gamma[0]"}, r"not a weight name; write weight=\"dense_1/kernel\[3, 7\]\""),
    ({"neuron": "d0"}, r"not a neuron name; write neuron=\"dense_1\[7\]\""),
    ({"weight": "d0/bias[0]", "neuron": "d0[0]"}, "give one of weight=... or neuron=..."),
    ({"weight": "d0/bias[0]", "sample": 3}, "sample must be an index from 0 to 1, got 3"),
])
def test_bad_names_say_what_to_write(kwargs, message):
    model = _model([2, 3, 1], ["tanh", "sigmoid"], "mse", 5)
    with pytest.raises(ConfigError, match=message):
        glassnet.explain(model, np.ones((2, 2)), np.zeros((2, 1)), **kwargs)


def test_the_half_sum_squared_error_is_the_seeds_error():
    loss = glassnet.losses.get("half_sum_squared_error")
    t, o = np.array([[0.01, 0.99], [0.5, 0.5]]), np.array([[0.75136507, 0.772928465], [0.2, 0.9]])
    per_sample = 0.5 * ((t - o) ** 2).sum(axis=1)
    assert loss(t, o) == pytest.approx(per_sample.mean(), rel=1e-15)
    value, grad = loss.value_and_grad(t, o, None, np.empty_like(o))
    assert value == pytest.approx(per_sample.mean(), rel=1e-15)
    np.testing.assert_allclose(grad, (o - t) / 2, rtol=1e-15)
    model = _model([3, 4, 2], ["tanh", "sigmoid"], "half_sum_squared_error", 6)
    rng = np.random.default_rng(6)
    worst = glassnet.gradcheck(model, rng.normal(size=(4, 3)), rng.random((4, 2)))
    assert max(worst.values()) < 1e-7
    assert re.search("glassnet's own", glassnet.losses.HalfSumSquaredError.__doc__)


def test_classic_models_show_the_step_they_really_take():
    from glassnet.classic import ANN, MLP, Perceptron

    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    Y = np.array([[0], [0], [0], [1]], float)
    gate = Perceptron(X, Y, lr=0.1, iteration=1, seed=0)
    name = gate.model.layers[0].name
    kernel = glassnet.explain(gate, X, Y, weight=f"{name}/kernel[1, 0]")
    bias = glassnet.explain(gate, X, Y, weight=f"{name}/bias[0]")
    assert "steps perceptron_1/kernel by 4 times its gradient" in " ".join(str(kernel).split())
    gate.run(verbose=False)
    assert kernel.update.new == pytest.approx(gate.model.layers[0].kernel[1, 0], rel=1e-12)
    assert bias.update.new == pytest.approx(gate.model.layers[0].bias[0], rel=1e-12)

    mlp = MLP(2, [3], 1, seed=0)
    x, y = np.array([[0.1, 0.2]]), np.array([[0.3]])
    step = glassnet.explain(mlp, x, y, weight="mlp_1/kernel[1, 2]", learning_rate=0.1)
    mlp.train(x, y, epochs=1, learning_rate=0.1, verbose=False)
    assert step.update.new == pytest.approx(mlp.model.layers[0].kernel[1, 2], rel=1e-12)

    ann = ANN(lr=0.1, seed=0, dtype="float64")
    ann.Input(size=(10, 2, 2))
    ann.Flatten()
    ann.add_ann_layer(3)
    ann.relu()
    ann.add_ann_layer(2)
    ann.softmax()
    ann.compile()
    rng = np.random.default_rng(0)
    xa, ya = rng.random((4, 2, 2)), np.eye(2)[[0, 1, 1, 0]]
    step = glassnet.explain(ann, xa, ya, weight="ann_1_ann/kernel[3, 1]")
    ann.run(xa, ya, batchsize=4, verbose=False)
    assert step.update.new == pytest.approx(ann.model.layers[1].kernel[3, 1], rel=1e-12)


@pytest.mark.parametrize("stack, loss", [
    (lambda: [Dense(4, name="a"), layers.Sigmoid(name="s"), Dense(3, name="b"),
              layers.Softmax(name="sm")], "mse"),
    (lambda: [Dense(4, activation="tanh", name="a"), Dense(3, name="b")],
     glassnet.losses.CategoricalCrossentropy(from_logits=True)),
    (lambda: [Dense(4, activation="relu", name="a"), Dense(3, name="b")],
     glassnet.losses.BinaryCrossentropy(from_logits=True)),
    (lambda: [Dense(4, name="a"), layers.ReLU(name="r"), layers.Tanh(name="t"),
              Dense(3, activation="softmax", name="b")], "mse"),
    (lambda: [Dense(4, name="a"), layers.Activation("exponential", name="e"),
              Dense(3, activation="sigmoid", name="b"), layers.Activation("linear", name="l")],
     "half_sum_squared_error"),
])
def test_activation_layers_and_losses_on_logits(stack, loss):
    rng = np.random.default_rng(11)
    glassnet.utils.set_random_seed(11)
    built = stack()
    built[0] = Dense(4, activation=built[0].activation, name="a", input_shape=(3,))
    model = glassnet.Sequential(built, dtype="float64")
    model.compile(glassnet.optimizers.SGD(0.1), loss)
    x = rng.normal(size=(4, 3)) * 0.5
    y = np.eye(3)[rng.integers(0, 3, 4)]
    engine = _engine_grads(model, x, y)
    for weight, index in (("a", (2, 3)), ("b", (1, 2))):
        e = glassnet.explain(model, x, y, weight=f"{weight}/kernel[{index[0]}, {index[1]}]")
        layer = model.layers[[m.name for m in model.layers].index(weight)]
        k = [m for m in model.layers if isinstance(m, Dense)].index(layer)
        assert e.value == pytest.approx(engine[k][index], rel=1e-12, abs=1e-15)
        assert e.value == pytest.approx(_numeric(model, x, y, layer, index), rel=1e-6, abs=1e-9)
        assert max(len(line) for line in str(e).splitlines()) <= 100
