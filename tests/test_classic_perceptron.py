"""glassnet.classic.Perceptron, TwoLayerPerceptron and ANN (seed 004)."""

import numpy as np
import pytest

from glassnet.classic import ANN, Perceptron, TwoLayerPerceptron
from glassnet.datasets import toy
from glassnet.errors import (
    ConfigError,
    DataError,
    NotCompiledError,
    ShapeError,
    TrainingDivergedError,
)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("gate, table", [("and", [0, 0, 0, 1]), ("nand", [1, 1, 1, 0]),
                                         ("or", [0, 1, 1, 1]), ("nor", [1, 0, 0, 0])])
def test_single_layer_learns_each_gate(gate, table):
    X, Y = toy.logic_gate(gate)
    p = Perceptron(X, Y, lr=0.1, iteration=1000, seed=0)
    history = p.run()
    assert len(history) == 1000 and len(history[0]) == 3
    assert (p.forward() >= 0.5).astype(int).tolist() == table
    assert history[-1][0] < history[0][0] and p.loss_score == [h[0] for h in history]


def test_one_run_step_is_the_seeds_update():
    X, Y = toy.logic_gate("or")
    p = Perceptron(X, Y.ravel(), lr=0.1, iteration=1, seed=3)
    w, b = p.weight.copy(), p.bias.copy()
    assert ((w >= 0) & (w < 1)).all() and p.weight.shape == (2,) and p.bias.shape == (1,)
    y_pred = sigmoid(X @ w + b)
    dz = y_pred - Y.ravel()
    (loss, w_used, b_used), = p.run()
    assert loss == pytest.approx(-np.mean(Y.ravel() * np.log(y_pred)
                                          + (1 - Y.ravel()) * np.log(1 - y_pred)), rel=1e-9)
    assert w_used.tolist() == w.tolist() and b_used.tolist() == b.tolist()
    np.testing.assert_allclose(p.weight, w - 0.1 * X.T @ dz, rtol=1e-12)  # summed over rows
    np.testing.assert_allclose(p.bias, b - 0.1 * dz.mean(), rtol=1e-12)  # averaged
    np.testing.assert_allclose(p.Model(), X @ p.weight + p.bias)
    assert p.loss(Y, y_pred) == pytest.approx(loss, rel=1e-9)
    np.testing.assert_allclose(p.activation(np.array([0.0])), [0.5])


def test_two_layer_form_learns_xor_and_returns_snapshots():
    X, Y = toy.logic_gate("xor")
    net = TwoLayerPerceptron(X, Y, lr=0.5, iteration=2000, seed=3)
    assert net.bias1.tolist() == [0.0, 0.0] and net.weight1.shape == (2, 2)
    assert ((net.weight1 >= -1) & (net.weight1 < 1)).all()
    history = net.run()
    loss = [h[0] for h in history]
    index = int(np.argmin(loss))
    assert len(history[index]) == 5
    assert (net.predict(X, *history[index][1:]) >= 0.5).astype(int).tolist() == [0, 1, 1, 0]
    hidden = net.activation(net.Linear(X, net.weight1, net.bias1))
    np.testing.assert_allclose(net.activation(net.Model(hidden, net.weight2, net.bias2)),
                               net.forward(), rtol=1e-12)


def test_perceptron_errors():
    X, Y = toy.logic_gate("and")
    with pytest.raises(DataError, match="4 rows in X but 3 targets"):
        Perceptron(X, Y[:3])
    with pytest.raises(DataError, match="targets must be 0 or 1"):
        Perceptron(X, Y * 2)
    with pytest.raises(DataError, match="argument X: cannot be read as numbers"):
        Perceptron([[0, 0], [0, 1, 1]], Y[:2])
    with pytest.raises(ConfigError, match="iteration must be a positive integer"):
        Perceptron(X, Y, iteration=0)
    with pytest.raises(ConfigError, match="hidden must be a positive integer"):
        TwoLayerPerceptron(X, Y, hidden=0)
    with pytest.raises(ConfigError, match=r"lr must be a number in \(0, inf\), got 'fast'"):
        Perceptron(X, Y, lr="fast")
    with pytest.raises(ConfigError, match=r"lr must be a number in \(0, inf\), got -0.5"):
        ANN(lr=-0.5)


def small_ann(**kwargs):
    net = ANN(seed=0, **kwargs)
    net.Input(size=(12, 2, 3))
    net.Flatten()
    net.add_ann_layer(4)
    net.relu()
    net.add_ann_layer(3)
    net.softmax()
    net.compile()
    return net


def test_ann_records_and_show(capsys):
    net = small_ann()
    assert [(r.name, r.property, r.dims) for r in net.layers] == [
        ("flatten", "function", 0), ("ANN layers", "param", 4), ("relu", "activation", 0),
        ("ANN layers", "param", 3), ("softmax", "activation", 0)]
    assert sorted(net.layers[1].params) == ["b1", "w1"]
    assert net.layers[1].params["w1"].shape == (6, 4) and net.layers[3].params["w3"].shape == (4, 3)
    assert ((net.layers[1].params["w1"] >= -1) & (net.layers[1].params["w1"] < 1)).all()
    net.layers[1].params["w1"][...] = 0.0  # a view of the engine's parameters
    assert not net.model.params[:24].any()
    net.show()
    assert capsys.readouterr().out.splitlines()[3] == (
        "ANN layers |\t weight : (6, 4) |\t bias : (1, 4)")


def test_ann_run_is_the_seeds_minibatch_step():
    net = small_ann(lr=0.5, dtype="float64")
    rng = np.random.default_rng(0)
    X, Y = rng.random((8, 2, 3)), np.eye(3)[rng.integers(0, 3, 8)]
    w1, b1 = net.layers[1].params["w1"].copy(), net.layers[1].params["b1"].copy()
    w3, b3 = net.layers[3].params["w3"].copy(), net.layers[3].params["b3"].copy()
    x = X.reshape(8, -1)
    a1 = np.maximum(x @ w1 + b1, 0)
    z = a1 @ w3 + b3
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    dz = (p - Y) / 8  # softmax + cross-entropy: alpha - Y_tgt, and the seed's / m
    da = (dz @ w3.T) * (a1 > 0)
    loss = net.run(X, Y, batchsize=8, verbose=False)
    assert loss == net.loss_score[0] == pytest.approx(-np.sum(Y * np.log(p)) / 8, rel=1e-12)
    np.testing.assert_allclose(net.layers[3].params["w3"], w3 - 0.5 * a1.T @ dz, rtol=1e-10)
    np.testing.assert_allclose(net.layers[3].params["b3"], b3 - 0.5 * dz.sum(0), rtol=1e-10)
    np.testing.assert_allclose(net.layers[1].params["w1"], w1 - 0.5 * x.T @ da, rtol=1e-10)
    np.testing.assert_allclose(net.layers[1].params["b1"], b1 - 0.5 * da.sum(0), rtol=1e-10,
                               atol=1e-15)
    assert net.predict(X).shape == (8, 3)


def test_ann_trains_down():
    net = small_ann(lr=0.5, kernel_initializer="he_uniform")
    rng = np.random.default_rng(1)
    X, labels = rng.random((12, 2, 3)), np.arange(12) % 3
    X[np.arange(12), 0, labels] += 2.0  # a learnable signal
    Y = np.eye(3)[labels]
    first = net.run(X, Y, batchsize=4, verbose=False)
    for _ in range(50):
        last = net.run(X, Y, batchsize=4, verbose=False)
    assert last < first / 4
    assert (net.predict(X).argmax(1) == labels).all()


def test_ann_errors():
    net = ANN()
    net.Flatten()
    net.add_ann_layer(2)
    with pytest.raises(ConfigError, match=r"call Input\(size=X.shape\)"):
        net.compile()
    with pytest.raises(NotCompiledError, match="call compile"):
        net.run(np.zeros((2, 2, 2)), np.zeros((2, 2)))
    with pytest.raises(ConfigError, match="dims must be a positive integer"):
        net.add_ann_layer(0)
    with pytest.raises(ConfigError, match="size must be the data's shape"):
        net.Input(size=5)
    no_flatten = ANN()
    no_flatten.Input(size=(4, 2, 2))
    no_flatten.add_ann_layer(2)
    with pytest.raises(ShapeError, match=r"put a Flatten\(\) layer before it"):
        no_flatten.compile()
    net = small_ann()
    before = net.model.params.copy()
    with pytest.raises(ShapeError, match="integer class labels"):
        net.run(np.zeros((12, 2, 3)), np.zeros(12), verbose=False)
    with pytest.raises(ShapeError, match="argument x"):
        net.run(np.zeros((12, 3, 3)), np.zeros((12, 3)), verbose=False)
    np.testing.assert_array_equal(net.model.params, before)


def test_ann_sigmoid_layers_on_flat_inputs():
    net = ANN(seed=1, dtype="float64")
    net.Input(size=(6, 4))
    net.add_ann_layer(3)
    net.sigmoid()
    net.add_ann_layer(2)
    net.softmax()
    net.compile()
    x = np.random.default_rng(2).random((6, 4))
    w0, b0, w2, b2 = (net.layers[0].params["w0"], net.layers[0].params["b0"],
                      net.layers[2].params["w2"], net.layers[2].params["b2"])
    z = sigmoid(x @ w0 + b0) @ w2 + b2
    expected = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-12)
    assert [r.name for r in net.layers] == ["ANN layers", "sigmoid", "ANN layers", "softmax"]


def test_ann_divergence_is_a_clear_error():
    # lr=1e30 overflows the weights; at 1e20 Keras's probability clip (loss at most 16.1, no
    # gradient where it binds) leaves the network stuck at a finite loss, as Keras does
    net = small_ann(lr=1e30)
    rng = np.random.default_rng(0)
    X, Y = rng.random((12, 2, 3)), np.eye(3)[rng.integers(0, 3, 12)]
    with pytest.raises(TrainingDivergedError, match=r"ANN.run: the loss became .* lower lr"):
        net.run(X, Y, batchsize=4, verbose=False)


def test_activation_takes_numbers_not_a_name():
    X, Y = toy.logic_gate("and")
    gate = Perceptron(X, Y, seed=0)
    before = gate.model.params.copy()
    with pytest.raises(ConfigError) as caught:
        gate.activation("relu")
    assert str(caught.value) == (
        "Perceptron.activation: takes numbers (the pre-activations X @ weight + bias), not a "
        "name such as 'relu'; the seed's perceptrons always use 'sigmoid'. The other activations "
        "('elu', 'exponential', 'gelu', 'hard_sigmoid', 'hard_silu', 'hard_swish', 'leaky_relu', "
        "'linear', 'log_softmax', 'mish', 'relu', 'relu6', 'selu', 'silu', 'softmax', "
        "'softplus', 'softsign', 'swish', 'tanh') are for glassnet models: "
        "glassnet.layers.Dense(units, activation=name)")
    for bad in (None, [[1, "a"]], [[1], [1, 2]]):
        with pytest.raises(DataError, match=r"^Perceptron.activation: takes numbers \(an array "):
            gate.activation(bad)
    net = TwoLayerPerceptron(X, Y, seed=0)
    with pytest.raises(DataError, match=r"^TwoLayerPerceptron.Model: takes numbers.*got None"):
        net.predict(None, net.weight1, net.bias1, net.weight2, net.bias2)
    np.testing.assert_array_equal(gate.model.params, before)
    assert gate.activation(0.0) == 0.5 and gate.activation([[0.0, 0.0]]).shape == (1, 2)
