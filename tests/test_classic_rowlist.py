"""glassnet.classic's row-list network and cross-validation helpers (seed 002)."""

import random

import numpy as np
import pytest

from glassnet.classic import rowlist as rl
from glassnet.datasets import toy
from glassnet.errors import ConfigError, DataError


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.fixture
def dataset():
    X, y = toy.toy_two_class()
    return [[*features, int(label)] for features, label in zip(X.tolist(), y.tolist(),
                                                                strict=True)]


def test_initialize_network_draws_like_the_seed():
    random.seed(1)
    draws = [random.random() for _ in range(3 * 2 + 3 * 2)]
    network = rl.initialize_network(2, 2, 2, seed=1)
    assert isinstance(network, list) and [len(layer) for layer in network] == [2, 2]
    assert [w for layer in network for n in layer for w in n["weights"]] == draws
    random.seed(1)
    assert rl.initialize_network(2, 2, 2)[1][1]["weights"] == network[1][1]["weights"]


def test_feedforward_backward_update_follow_the_seed(dataset):
    network = rl.initialize_network(2, 2, 2, seed=1)
    hidden = np.array([n["weights"] for n in network[0]])
    output = np.array([n["weights"] for n in network[1]])
    row, expected = dataset[0], [1.0, 0.0]
    h = sigmoid(hidden[:, :-1] @ row[:2] + hidden[:, -1])
    o = sigmoid(output[:, :-1] @ h + output[:, -1])
    assert rl.feedforward(network, row) == pytest.approx(o.tolist(), rel=1e-12)
    assert [n["output"] for n in network[0]] == pytest.approx(h.tolist(), rel=1e-12)
    rl.backward_propagate_error(network, expected)
    delta_o = (np.array(expected) - o) * o * (1 - o)  # BP1, the seed's sign
    delta_h = (output[:, :-1].T @ delta_o) * h * (1 - h)  # BP2
    assert [n["delta"] for n in network[1]] == pytest.approx(delta_o.tolist(), rel=1e-12)
    assert [n["delta"] for n in network[0]] == pytest.approx(delta_h.tolist(), rel=1e-12)
    rl.update_weights(network, row, 0.5)
    np.testing.assert_allclose([n["weights"] for n in network[1]],
                               output + 0.5 * np.outer(delta_o, [*h, 1.0]), rtol=1e-12)
    np.testing.assert_allclose([n["weights"] for n in network[0]],
                               hidden + 0.5 * np.outer(delta_h, [*row[:2], 1.0]), rtol=1e-12)
    assert rl.forward_propagate is rl.feedforward


def test_train_network_equals_the_step_by_step_loop(dataset, capsys):
    stepwise = rl.initialize_network(2, 2, 2, seed=1)
    for _ in range(20):
        for row in dataset:
            rl.feedforward(stepwise, row)
            rl.backward_propagate_error(stepwise, [1.0 - row[-1], float(row[-1])])
            rl.update_weights(stepwise, row, 0.5)
    network = rl.initialize_network(2, 2, 2, seed=1)
    errors = rl.train_network(network, dataset, 0.5, 20, 2)
    for a, b in zip(network, stepwise, strict=True):
        np.testing.assert_allclose([n["weights"] for n in a], [n["weights"] for n in b],
                                   rtol=1e-12)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ">epoch=0, lrate=0.500, error=6.350" and len(lines) == 20
    assert lines[-1] == f">epoch=19, lrate=0.500, error={errors[-1]:.3f}"
    assert [rl.predict(network, row) for row in dataset] == [row[-1] for row in dataset]


@pytest.mark.parametrize("batch_size", [3, None])
def test_train_network_minibatch_and_batch_modes(dataset, batch_size):
    network = rl.initialize_network(2, 3, 2, seed=2)
    errors = rl.train_network(network, dataset, 2.0, 300, 2, batch_size=batch_size,
                              verbose=False)
    assert len(errors) == 300 and errors[-1] < errors[0] / 2


def test_cross_validation_and_evaluation(dataset):
    folds = rl.cross_validation_split(dataset, 3, seed=0)
    assert [len(f) for f in folds] == [4, 3, 3]
    assert sorted(map(tuple, (row for fold in folds for row in fold))) == sorted(
        map(tuple, dataset))
    seen = []

    def algorithm(train, test, marker):
        assert all(row[-1] is None for row in test) and marker == "x"
        seen.append((len(train), len(test)))
        return [0] * len(test)

    scores = rl.evaluate_algorithm(dataset, algorithm, 3, "x", seed=0)
    assert seen == [(6, 4), (7, 3), (7, 3)]
    assert scores == [sum(r[-1] == 0 for r in f) / len(f) for f in folds]
    assert rl.accuracy_metric([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    predictions = rl.back_propagation(dataset, [[*row[:-1], None] for row in dataset], 0.5, 50,
                                      3, 1, 0)
    assert predictions == [row[-1] for row in dataset]


def test_text_columns_minmax_and_normalisation():
    data = [["1.5 ", " 4", "cat"], ["3.5", "4", "dog"], [" 2.5", "4", "cat"]]
    rl.str_column_to_float(data, 0)
    rl.str_column_to_float(data, 1)
    assert rl.str_column_to_int(data, 2) == {"cat": 0, "dog": 1}
    assert data == [[1.5, 4.0, 0], [3.5, 4.0, 1], [2.5, 4.0, 0]]
    minmax = rl.dataset_minmax(data)
    assert minmax == [[1.5, 3.5], [4.0, 4.0], [0.0, 1.0]]
    rl.normalize_dataset(data, minmax)
    assert data == [[0.0, 0.0, 0], [1.0, 0.0, 1], [0.5, 0.0, 0]]  # the class is left alone


def test_class_not_last_is_refused(dataset):
    moved = [[row[-1], *row[:-1]] for row in dataset]  # class first, a feature last
    with pytest.raises(DataError) as info:
        rl.evaluate_algorithm(moved, rl.back_propagation, 2, 0.5, 5, 2)
    message = str(info.value)
    assert "row 0 ends with 2.550537003" in message and "class must be the LAST entry" in message
    named = [[*row[:-1], "ladybird"] for row in dataset]
    with pytest.raises(DataError, match="str_column_to_int"):
        rl.train_network(rl.initialize_network(2, 2, 2, seed=0), named, 0.5, 1, 2)


def test_dataset_too_small_for_the_folds(dataset):
    with pytest.raises(DataError, match="a dataset of 10 rows is too small for 11 folds"):
        rl.evaluate_algorithm(dataset, rl.back_propagation, 11, 0.5, 5, 2)
    with pytest.raises(ConfigError, match="n_folds must be an integer >= 2"):
        rl.cross_validation_split(dataset, 1)


def test_wrong_lengths_are_refused(dataset):
    network = rl.initialize_network(2, 2, 2, seed=0)
    with pytest.raises(DataError, match="row 3 has 2 entries but row 0 has 3"):
        rl.dataset_minmax([*dataset[:3], [1.0, 0], *dataset[4:]])
    with pytest.raises(DataError, match="the network's 2 inputs"):
        rl.feedforward(network, [1.0, 2.0, 3.0, 0])
    rl.feedforward(network, dataset[0])
    with pytest.raises(DataError, match="argument expected: needs 2 values"):
        rl.backward_propagate_error(network, [1.0])
    with pytest.raises(DataError, match="rows have 3 features before the class"):
        rl.train_network(network, [[1.0, 2.0, 3.0, 0]], 0.5, 1, 2)
    with pytest.raises(DataError, match="class 2 needs more than n_outputs=2"):
        rl.train_network(network, [[1.0, 2.0, 2]], 0.5, 1, 2)
    with pytest.raises(DataError, match="minmax needs one"):
        rl.normalize_dataset(dataset, [[0, 1]])
    with pytest.raises(DataError, match="row 1, column 0 holds 'x'"):
        rl.str_column_to_float([["1"], ["x"]], 0)
    with pytest.raises(ConfigError, match="initialize_network"):
        rl.feedforward([[{"weights": [0.1, 0.2, 0.3]}]], [1.0, 2.0])
    with pytest.raises(ConfigError, match="feedforward"):
        rl.backward_propagate_error(rl.initialize_network(2, 2, 2, seed=0), [1.0, 0.0])


def test_back_propagation_rejects_a_bad_learning_rate():
    rows = [[1.0, 2.0, 0], [2.0, 1.0, 1], [3.0, 1.5, 0], [0.5, 2.5, 1]]
    with pytest.raises(ConfigError, match=r"l_rate must be a number in \(0, inf\), got None"):
        rl.back_propagation(rows, rows, None, 2, 2)


def test_column_and_algorithm_arguments_are_checked():
    rows = [["1", "a", 0], ["2", "b", 1]]
    with pytest.raises(ConfigError, match="str_column_to_float: column must be an integer index "
                                          "such as 0 or -1, got '0'"):
        rl.str_column_to_float(rows, "0")
    with pytest.raises(ConfigError, match="str_column_to_int: column must be an integer index"):
        rl.str_column_to_int(rows, None)
    assert rows[0] == ["1", "a", 0]
    with pytest.raises(ConfigError, match="evaluate_algorithm: algorithm must be a function"):
        rl.evaluate_algorithm([[1.0, 0], [2.0, 1], [3.0, 0], [4.0, 1]], "back_propagation", 2)
