"""Seed 002's own code, with only its imports changed, runs on glassnet.classic."""

import random

import pytest

from glassnet import classic
from glassnet.errors import DataError, FileFormatError

SEED_TOY = '''
seed(1)
dataset = [[2.7810836, 2.550537003, 0],
           [1.465489372, 2.362125076, 0],
           [3.396561688, 4.400293529, 0],
           [1.38807019, 1.850220317, 0],
           [3.06407232, 3.005305973, 0],
           [7.627531214, 2.759262235, 1],
           [5.332441248, 2.088626775, 1],
           [6.922596716, 1.77106367, 1],
           [8.675418651, -0.242068655, 1],
           [7.673756466, 3.508563011, 1]]
n_inputs = len(dataset[0]) - 1
n_outputs = len(set([row[-1] for row in dataset]))
network = initialize_network(n_inputs, 2, n_outputs)
train_network(network, dataset, 0.5, 20, n_outputs)
for layer in network:
    print(layer)
for row in dataset:
    prediction = predict(network, row)
    print('Expected:%d, Got=%d' %(row[-1], prediction))
'''

IMPORTS = ("from random import seed\nfrom glassnet.classic import initialize_network, "
           "train_network, predict\n")


def test_the_seeds_toy_run(capsys):
    exec(IMPORTS + SEED_TOY, {})
    out = capsys.readouterr().out
    assert out.count(">epoch=") == 20 and ">epoch=19, lrate=0.500, error=" in out
    got = [line for line in out.splitlines() if line.startswith("Expected")]
    assert len(got) == 10 and all(line[9] == line[-1] for line in got)  # every row right


def test_the_quests_csv_helpers(tmp_path):
    path = tmp_path / "animals.csv"
    path.write_text("1.0, 0.5,fish\n\n2.0,1.5, bird\n0.5,0.25,fish\n")
    dataset = classic.load_csv(str(path))
    assert dataset == [["1.0", " 0.5", "fish"], ["2.0", "1.5", " bird"], ["0.5", "0.25", "fish"]]
    for column in range(len(dataset[0]) - 1):
        classic.str_to_float(dataset, column)
    lookup = classic.str_to_int(dataset, len(dataset[0]) - 1)
    assert lookup == {"bird": 0, "fish": 1}
    assert dataset == [[1.0, 0.5, 1], [2.0, 1.5, 0], [0.5, 0.25, 1]]
    predictions = classic.back_propagation(dataset, dataset, 0.5, 5, 2, seed=0)
    assert len(predictions) == 3 and set(predictions) <= {0, 1}
    with pytest.raises(FileFormatError, match=r"missing\.csv: no such file"):
        classic.load_csv(str(tmp_path / "missing.csv"))


def test_one_neurons_helpers_and_the_seeds_backprop_error():
    weights, inputs = [0.2, -0.4, 0.1], [1.5, 0.5]
    net = classic.transfer(weights, inputs)
    assert net == pytest.approx(0.1 + 0.2 * 1.5 - 0.4 * 0.5, abs=1e-15)
    out = classic.activate(net)
    assert out == pytest.approx(1 / (1 + 2.718281828459045 ** -net), rel=1e-15)
    assert classic.transfer_derivative(out) == pytest.approx(out * (1 - out), rel=1e-15)
    assert classic.backprop_error is classic.backward_propagate_error
    random.seed(3)
    network = classic.initialize_network(2, 1, 1)
    hidden = network[0][0]["weights"]
    outputs = classic.feedforward(network, [1.5, 0.5, 0])
    expected_hidden = classic.activate(classic.transfer(hidden, [1.5, 0.5]))
    assert network[0][0]["output"] == pytest.approx(expected_hidden, rel=1e-12)
    classic.backprop_error(network, [1.0])
    delta = (1.0 - outputs[0]) * classic.transfer_derivative(outputs[0])  # the seed's BP1
    assert network[1][0]["delta"] == pytest.approx(delta, rel=1e-12)
    with pytest.raises(DataError, match="transfer: 3 weights"):
        classic.transfer(weights, [1.0])


def test_explain_shows_the_row_list_networks_step():
    import numpy as np

    import glassnet

    network = classic.initialize_network(2, 2, 2, seed=4)
    row = [0.3, 0.8, 1]
    step = glassnet.explain(network, [row[:2]], [[0.0, 1.0]], weight="rowlist_2/kernel[1, 0]",
                            learning_rate=0.5)
    classic.feedforward(network, row)
    classic.backprop_error(network, [0.0, 1.0])
    classic.update_weights(network, row, 0.5)
    assert network[1][0]["weights"][1] == pytest.approx(step.update.new, rel=1e-12)
    assert network.model.optimizer.learning_rate == 0.5
    assert np.isfinite(step.value)
