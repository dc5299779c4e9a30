"""glassnet.classic.MLP (seed 000) and NeuralNetwork (seed 001): the seeds' names, shapes and
numbers, on the engine's views, with clear errors."""

import numpy as np
import pytest

import glassnet
from glassnet.classic import MLP, NeuralNetwork
from glassnet.errors import ConfigError, DataError, ShapeError


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture
def mlp():
    return MLP(num_inputs=3, hidden_layers=[3, 3], num_outputs=2, seed=0)


def test_defaults_and_shapes_follow_the_seed():
    mlp = MLP()
    assert (mlp.num_inputs, mlp.hidden_layers, mlp.num_outputs) == (3, [3, 3], 2)
    assert [w.shape for w in mlp.weights] == [(3, 3), (3, 3), (3, 2)]
    assert [d.shape for d in mlp.derivatives] == [(3, 3), (3, 3), (3, 2)]
    assert [a.tolist() for a in mlp.activations] == [[0.0] * 3, [0.0] * 3, [0.0] * 3, [0.0] * 2]
    assert all(((w >= 0) & (w < 1)).all() for w in mlp.weights)  # the seed's rand


def test_weights_and_derivatives_are_views_of_the_engine_buffers(mlp):
    mlp.model.params[:] = 0.5
    assert all((w == 0.5).all() for w in mlp.weights)
    mlp.model.grads[:] = 2.0
    assert all((d == 2.0).all() for d in mlp.derivatives)
    assert MLP(2, [5], 1, seed=7).weights[0].tolist() == MLP(2, [5], 1, seed=7).weights[0].tolist()


def test_forward_propagate_is_the_seeds_matrix_chain(mlp):
    x = np.array([0.1, 0.2, 0.3])
    expected = x
    for w in mlp.weights:
        expected = sigmoid(expected @ w)
    np.testing.assert_allclose(mlp.forward_propagate(x), expected, rtol=1e-12)
    assert mlp.activations[0].tolist() == x.tolist()
    np.testing.assert_allclose(mlp.activations[-1], expected, rtol=1e-12)
    batch = mlp.forward_propagate(np.stack([x, x]))
    assert batch.shape == (2, 2) and len(mlp.activations[1]) == 2


def test_back_propagate_and_gradient_descent_take_the_seeds_step(mlp):
    x, target = np.array([0.1, 0.2, 0.3]), np.array([0.9, 0.1])
    acts = [x]
    for w in mlp.weights:
        acts.append(sigmoid(acts[-1] @ w))
    error, expected = target - acts[-1], [None] * 3
    for i in reversed(range(3)):  # the seed's loop, written out
        delta = error * acts[i + 1] * (1 - acts[i + 1])
        expected[i] = np.outer(acts[i], delta)
        error = delta @ mlp.weights[i].T
    before = [w.copy() for w in mlp.weights]
    output = mlp.forward_propagate(x)
    mlp.back_propagate(target - output)
    for got, want in zip(mlp.derivatives, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)
    mlp.gradient_descent(0.5)
    for w, w0, d in zip(mlp.weights, before, expected, strict=True):
        np.testing.assert_allclose(w, w0 + 0.5 * d, rtol=1e-12)


def test_train_prints_each_epochs_mean_squared_error(capsys):
    mlp = MLP(2, [3], 1, seed=1)
    x, y = np.array([[0.1, 0.2], [0.3, 0.1]]), np.array([[0.3], [0.4]])
    first = np.mean((y - mlp.forward_propagate(x)) ** 2)
    errors = mlp.train(x, y, epochs=3, learning_rate=0.1)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Error: {errors[0]} at epoch 1", f"Error: {errors[1]} at epoch 2",
                     f"Error: {errors[2]} at epoch 3", "Training complete!", "====="]
    assert errors[0] == pytest.approx(first, rel=0.05) and errors[2] < errors[0]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"num_inputs": 0}, "num_inputs must be a positive integer"),
    ({"hidden_layers": 3}, "hidden_layers must be a list"),
    ({"hidden_layers": [3, -1]}, "hidden_layers[1] must be a positive integer"),
    ({"num_outputs": 2.5}, "num_outputs must be a positive integer"),
])
def test_bad_sizes_are_config_errors(kwargs, fragment):
    with pytest.raises(ConfigError) as info:
        MLP(**kwargs)
    assert fragment in str(info.value)


def test_hidden_layers_may_be_empty_but_must_be_a_list_of_sizes():
    direct = MLP(2, [], 1, seed=0)
    assert direct.hidden_layers == [] and [w.shape for w in direct.weights] == [(2, 1)]
    assert MLP(2, (4,), 1, seed=0).hidden_layers == [4]
    with pytest.raises(ConfigError, match=r"^hidden_layers must be a list of positive integers, "
                                          r"got '33'$"):
        MLP(2, "33", 1)
    with pytest.raises(ConfigError, match=r"^hidden_layers\[1\] must be a positive integer, "
                                          r"got True$"):
        MLP(2, (3, True), 1)


def test_bad_inputs_name_the_argument(mlp):
    with pytest.raises(ShapeError, match=r"argument inputs: expected 3 values per sample"):
        mlp.forward_propagate([0.1, 0.2])
    with pytest.raises(ConfigError, match="forward_propagate"):
        MLP(seed=0).back_propagate([0.1, 0.2])
    mlp.forward_propagate([0.1, 0.2, 0.3])
    with pytest.raises(ShapeError, match="argument error: expected 2 values"):
        mlp.back_propagate([0.1, 0.2, 0.3])
    with pytest.raises(DataError, match="3 inputs but 2 targets"):
        mlp.train(np.zeros((3, 3)), np.zeros((2, 2)), 1, 0.1)
    before = mlp.model.params.copy()
    with pytest.raises(ConfigError, match="epochs"):
        mlp.train(np.zeros((3, 3)), np.zeros((3, 2)), 0, 0.1)
    with pytest.raises(ConfigError, match=r"learning_rate must be a number in \(0, inf\), got"):
        mlp.train(np.zeros((3, 3)), np.zeros((3, 2)), 1, "fast", verbose=False)
    np.testing.assert_array_equal(mlp.model.params, before)


WIH, WHO = [[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]


def test_neural_network_views_and_fixed_biases():
    n = NeuralNetwork(np.array(WIH), np.array(WHO))
    assert n.wih.tolist() == WIH and n.who.tolist() == WHO
    assert (n.bih, n.bho, n.eta) == (0.35, 0.60, 0.5)
    n.train([0.05, 0.10], [0.01, 0.99])
    np.testing.assert_allclose(n.wih, [[0.149780716, 0.19956143], [0.24975114, 0.29950229]],
                               atol=1e-8)
    np.testing.assert_allclose(n.who, [[0.35891648, 0.408666186], [0.511301270, 0.561370121]],
                               atol=1e-8)
    hidden, final = n.model.layers
    assert hidden.bias.tolist() == [0.35, 0.35] and final.bias.tolist() == [0.60, 0.60]
    out = n.query([0.05, 0.10])
    assert out.shape == (2, 1) and n.hidden_outputs.shape == (2, 1)


def test_neural_network_ten_thousand_steps():
    n = NeuralNetwork(WIH, WHO)
    for _ in range(10000):
        n.train([0.05, 0.10], [0.01, 0.99])
    assert n.error([0.05, 0.10], [0.01, 0.99]) == pytest.approx(3.5102e-05, rel=1e-3)
    np.testing.assert_allclose(n.query([0.05, 0.10]).ravel(), [0.015914, 0.984064], atol=1e-5)


def test_neural_network_other_sizes_use_the_seeds_error():
    n = NeuralNetwork(np.full((3, 2), 0.1), np.full((4, 3), 0.2), eta=0.5)
    x, t = [0.5, -0.5], [0.0, 1.0, 0.0, 1.0]
    out = n.query(x).ravel()
    assert n.error(x, t) == pytest.approx(0.5 * np.sum((np.array(t) - out) ** 2), rel=1e-12)
    d_ih, d_ho = n.gradients(x, t)
    delta = (out - t) * out * (1 - out)
    np.testing.assert_allclose(d_ho, np.outer(delta, n.hidden_outputs.ravel()), rtol=1e-10)
    assert d_ih.shape == (3, 2)


def test_neural_network_errors():
    with pytest.raises(ShapeError, match="wih has 2 hidden units"):
        NeuralNetwork(WIH, [[0.1, 0.2, 0.3]])
    with pytest.raises(ShapeError, match="argument wih: needs a 2-D matrix"):
        NeuralNetwork([0.1, 0.2], WHO)
    n = NeuralNetwork(WIH, WHO)
    with pytest.raises(ShapeError, match="argument inputs_list: expected 2 values"):
        n.query([0.05, 0.10, 0.2])
    before = n.model.params.copy()
    with pytest.raises(DataError, match="one example at a time"):
        n.train([[0.05, 0.10], [0.1, 0.1]], [[0.01, 0.99], [0.0, 1.0]])
    with pytest.raises(ShapeError, match="argument targets_list: expected 2 values"):
        n.train([0.05, 0.10], [0.01])
    np.testing.assert_array_equal(n.model.params, before)


def test_explain_of_the_worked_network_is_the_step_train_makes():
    n = NeuralNetwork(WIH, WHO)
    assert n.model.loss.name == "half_sum_squared_error" and n.model.optimizer.learning_rate == 0.5
    step = n.explain([0.05, 0.10], [0.01, 0.99])
    chain = glassnet.explain(n, [0.05, 0.10], [0.01, 0.99], weight="worked_2/bias[0]")
    assert chain.update.new == 0.6 and "is fixed in this model" in str(chain)
    n.train([0.05, 0.10], [0.01, 0.99])
    w_ih, w_ho = n.wih.T.ravel(), n.who.T.ravel()  # kernels: w1..w4 and w5..w8 by column
    np.testing.assert_allclose([step.updates[f"w{k}"].new for k in (1, 3, 2, 4)], w_ih,
                               rtol=1e-12)
    np.testing.assert_allclose([step.updates[f"w{k}"].new for k in (5, 7, 6, 8)], w_ho,
                               rtol=1e-12)
    assert [step.updates[b].new for b in ("b_h1", "b_h2", "b_o1", "b_o2")] == \
        [0.35, 0.35, 0.6, 0.6] == [*n.model.layers[0].bias, *n.model.layers[1].bias]
    assert n.error([0.05, 0.10], [0.01, 0.99]) == pytest.approx(0.291027774, abs=1e-9)
