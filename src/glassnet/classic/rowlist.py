"""Seed 002's row-list network: a list of layers of neuron dicts, trained on rows of a table.

A data set is a list of rows; each row is a list of feature values whose **last entry is the
class** (an integer 0..k-1 once :func:`str_column_to_int` has coded it). A network, from
:func:`initialize_network`, is a list of layers; each layer is a list of neurons; each neuron is
a dict whose ``'weights'`` list ends with its bias, and which gains ``'output'`` in
:func:`feedforward` and ``'delta'`` in :func:`backward_propagate_error`, as in the seed.

The arithmetic runs on glassnet's engine: the network keeps a float64 glassnet model of sigmoid
Dense layers (``network.model``) in step with its dicts. :func:`feedforward` is the engine's
forward; :func:`backward_propagate_error` runs each layer's backward from
dE/d(output) = output - expected (E = 1/2 sum (expected - output)^2) and reads each neuron's
``delta`` = -dE/dnet from the bias gradient; :func:`update_weights` is one SGD step on the
model's flat parameters. :func:`train_network` trains with ``Model.fit`` (stochastic by default;
``batch_size`` chooses mini-batch or batch gradient descent).

Example
-------
>>> from glassnet.classic import rowlist
>>> network = rowlist.initialize_network(2, 1, 2, seed=1)
>>> [len(layer) for layer in network], len(network[0][0]["weights"])
([1, 2], 3)
>>> outputs = rowlist.feedforward(network, [1.0, 2.0, 0])
>>> len(outputs), 0 < outputs[0] < 1
(2, True)
"""

from __future__ import annotations

import itertools
import random
from numbers import Integral, Real

import numpy as np

from .._checks import positive_count, positive_number
from ..callbacks import Callback
from ..data import k_fold, one_hot
from ..errors import ConfigError, DataError
from ..metrics.classification import accuracy
from ..optimizers import SGD
from ._engine import backprop, dense_chain, forward

__all__ = [
    "Network",
    "accuracy_metric",
    "back_propagation",
    "backprop_error",
    "backward_propagate_error",
    "cross_validation_split",
    "dataset_minmax",
    "evaluate_algorithm",
    "feedforward",
    "forward_propagate",
    "initialize_network",
    "normalize_dataset",
    "predict",
    "str_column_to_float",
    "str_column_to_int",
    "train_network",
    "update_weights",
]


class Network(list):
    """The seed's list of layers of neuron dicts, plus ``model``: the glassnet model it mirrors."""

    def __init__(self, layers, model):
        super().__init__(layers)
        self.model = model
        self.n_inputs = model.input_shape[0]

    def load(self) -> None:
        """Copy the dicts' weights into the model (the dicts are what a user edits)."""
        for layer, neurons in zip(self.model.layers, self, strict=True):
            table = np.array([n["weights"] for n in neurons], dtype=np.float64)
            layer.arrays["kernel"][...] = table[:, :-1].T
            layer.arrays["bias"][...] = table[:, -1]

    def store(self) -> None:
        """Copy the model's weights back into the dicts."""
        for layer, neurons in zip(self.model.layers, self, strict=True):
            kernel, bias = layer.arrays["kernel"], layer.arrays["bias"]
            for j, neuron in enumerate(neurons):
                neuron["weights"] = [*kernel[:, j].tolist(), float(bias[j])]


def initialize_network(n_inputs: int, n_hidden: int, n_outputs: int, seed=None) -> Network:
    """A network with one hidden layer; every weight and bias drawn with ``random()`` on [0, 1).

    ``seed`` seeds a private ``random.Random``; without it Python's global ``random`` draws,
    so ``random.seed(1)`` beforehand reproduces a run, as in the seed.
    """
    sizes = [positive_count(v, name) for name, v in
             (("n_inputs", n_inputs), ("n_hidden", n_hidden), ("n_outputs", n_outputs))]
    draw = random.Random(seed).random if seed is not None else random.random
    layers = [[{"weights": [draw() for _ in range(n_in + 1)]} for _ in range(n_out)]
              for n_in, n_out in itertools.pairwise(sizes)]
    network = Network(layers, dense_chain(sizes, ["sigmoid", "sigmoid"], use_bias=True,
                                          prefix="rowlist"))
    # the seed's error at the rate of the last update_weights / train_network: what explain shows
    network.model.compile(SGD(learning_rate=1.0), "half_sum_squared_error")
    network.load()
    return network


def _checked_network(network) -> Network:
    if not isinstance(network, Network):
        raise ConfigError("the network must come from initialize_network(n_inputs, n_hidden, "
                          f"n_outputs), got {type(network).__name__}")
    return network


def feedforward(network: Network, row) -> list[float]:
    """The output layer's values for ``row`` (its first ``n_inputs`` entries are the inputs).

    Each neuron's ``'output'`` is set along the way.
    """
    network = _checked_network(network)
    x = _features(row, network.n_inputs)
    network.load()
    forward(network.model, x)
    for layer, neurons in zip(network.model.layers, network, strict=True):
        for neuron, value in zip(neurons, layer.out[0].tolist(), strict=True):
            neuron["output"] = value
    return [n["output"] for n in network[-1]]


forward_propagate = feedforward


def backward_propagate_error(network: Network, expected) -> None:
    """Give every neuron its ``'delta'`` for the last :func:`feedforward` (BP1 and BP2)."""
    network = _checked_network(network)
    if any("output" not in n for n in network[-1]):
        raise ConfigError("backward_propagate_error needs a forward pass first: call "
                          "feedforward(network, row)")
    expected = _vector(expected, len(network[-1]), "expected")
    outputs = np.array([[n["output"] for n in network[-1]]])
    backprop(network.model, outputs - expected)
    for layer, neurons in zip(network.model.layers, network, strict=True):
        for neuron, grad in zip(neurons, layer.grads["bias"].tolist(), strict=True):
            neuron["delta"] = -grad


backprop_error = backward_propagate_error  # the seed's name


def update_weights(network: Network, row, l_rate: float) -> None:
    """weight += l_rate * delta * input for every weight (BP3, BP4 and one SGD step)."""
    network = _checked_network(network)
    _features(row, network.n_inputs)
    if any("delta" not in n for n in network[-1]):
        raise ConfigError("update_weights needs deltas: call backward_propagate_error first")
    rate = positive_number(l_rate, "l_rate")
    network.model.optimizer.learning_rate = rate
    network.model.params -= rate * network.model.grads
    network.store()


class _EpochError(Callback):
    """Prints the seed's '>epoch=..., lrate=..., error=...' line after each epoch."""

    def __init__(self, l_rate, scale, verbose):
        super().__init__()
        self.l_rate, self.scale, self.verbose, self.errors = l_rate, scale, verbose, []

    def on_epoch_end(self, epoch, logs=None):
        self.errors.append(logs["loss"] * self.scale)
        if self.verbose:
            print(f">epoch={epoch}, lrate={self.l_rate:.3f}, error={self.errors[-1]:.3f}")


def train_network(network: Network, train, l_rate: float, n_epoch: int, n_outputs: int,
                  batch_size: int | None = 1, verbose: bool = True) -> list[float]:
    """Train for ``n_epoch`` epochs; print and return each epoch's summed squared error.

    ``batch_size=1`` is the seed's stochastic gradient descent (one row per step, in order),
    ``None`` is batch gradient descent (one step per epoch on the mean gradient), anything
    between is mini-batch.
    """
    network = _checked_network(network)
    X, y = _xy(train, "train_network")
    if X.shape[1] != network.n_inputs:
        raise DataError(f"train_network: rows have {X.shape[1]} features before the class, the "
                        f"network takes {network.n_inputs}")
    n_outputs, l_rate = positive_count(n_outputs, "n_outputs"), positive_number(l_rate, "l_rate")
    if y.max() >= n_outputs:
        raise DataError(f"train_network: class {int(y.max())} needs more than n_outputs="
                        f"{n_outputs} outputs; classes must be 0..n_outputs-1")
    model = network.model
    network.load()
    # E = 1/2 sum (expected - output)^2 per row: the seed's step l_rate * dE/dw
    model.compile(SGD(learning_rate=l_rate), "half_sum_squared_error")
    printer = _EpochError(l_rate, 2 * len(X), verbose)
    model.fit(X, one_hot(y, n_outputs, dtype="float64"), epochs=positive_count(n_epoch, "n_epoch"),
              batch_size=batch_size, shuffle=False, verbose=0, callbacks=[printer])
    network.store()
    return printer.errors


def predict(network: Network, row) -> int:
    """The class whose output is largest for ``row``."""
    outputs = feedforward(network, row)
    return outputs.index(max(outputs))


def back_propagation(train, test, l_rate: float, n_epoch: int, n_hidden: int,
                     batch_size: int | None = 1, seed=None) -> list[int]:
    """Train a fresh network on ``train`` and return its predictions for ``test``'s rows."""
    _, y = _xy(train, "back_propagation")
    n_inputs = _width(train, "back_propagation") - 1
    n_outputs = int(y.max()) + 1
    network = initialize_network(n_inputs, n_hidden, n_outputs, seed=seed)
    train_network(network, train, l_rate, n_epoch, n_outputs, batch_size, verbose=False)
    return [predict(network, row) for row in test]


def cross_validation_split(dataset, n_folds: int, seed=None) -> list[list]:
    """``n_folds`` folds of shuffled rows, sizes differing by at most one."""
    n = len(dataset) if isinstance(dataset, list) else 0
    if not n:
        raise DataError("cross_validation_split: dataset must be a non-empty list of rows")
    if isinstance(n_folds, bool) or not isinstance(n_folds, Integral) or n_folds < 2:
        raise ConfigError(f"cross_validation_split: n_folds must be an integer >= 2, got "
                          f"{n_folds!r}")
    if n_folds > n:
        raise DataError(f"cross_validation_split: a dataset of {n} rows is too small for "
                        f"{n_folds} folds (each fold needs at least one row); use at most "
                        f"{n} folds")
    return [[dataset[i] for i in test] for _, test in k_fold(n, int(n_folds), seed=seed)]


def accuracy_metric(actual, predicted) -> float:
    """The fraction of ``predicted`` classes equal to ``actual``."""
    return accuracy(actual, predicted)


def evaluate_algorithm(dataset, algorithm, n_folds: int, *args, seed=None) -> list[float]:
    """k-fold cross-validation: the accuracy of ``algorithm(train, test, *args)`` on each fold.

    The test rows handed to ``algorithm`` have their class replaced by None.

    Example
    -------
    >>> data = [[0.0, 0], [0.1, 0], [0.2, 0], [0.8, 1], [0.9, 1], [1.0, 1]]
    >>> evaluate_algorithm(data, lambda train, test: [0] * len(test), 2, seed=0)
    [0.3333333333333333, 0.6666666666666666]
    """
    _xy(dataset, "evaluate_algorithm")
    if not callable(algorithm):
        raise ConfigError(f"evaluate_algorithm: algorithm must be a function such as "
                          f"back_propagation, got {algorithm!r}")
    folds = cross_validation_split(dataset, n_folds, seed=seed)
    scores = []
    for i, fold in enumerate(folds):
        train = [row for j, other in enumerate(folds) if j != i for row in other]
        test = [[*row[:-1], None] for row in fold]
        predicted = algorithm(train, test, *args)
        scores.append(accuracy_metric([row[-1] for row in fold], predicted))
    return scores


def dataset_minmax(dataset) -> list[list[float]]:
    """[min, max] of every column."""
    _width(dataset, "dataset_minmax")
    table = _numbers(dataset, "dataset_minmax")
    return [[float(lo), float(hi)] for lo, hi in zip(table.min(0), table.max(0), strict=True)]


def normalize_dataset(dataset, minmax) -> None:
    """Rescale every column but the last (the class) to 0..1, in place.

    A constant column becomes 0.

    Example
    -------
    >>> data = [[1.0, 10.0, 0], [3.0, 10.0, 1]]
    >>> normalize_dataset(data, dataset_minmax(data)); data
    [[0.0, 0.0, 0], [1.0, 0.0, 1]]
    """
    width = _width(dataset, "normalize_dataset")
    if len(minmax) != width or any(len(pair) != 2 for pair in minmax):
        raise DataError(f"normalize_dataset: minmax needs one [min, max] pair per column "
                        f"({width}), got {len(minmax)}; compute it with dataset_minmax(dataset)")
    features = _numbers([row[:-1] for row in dataset], "normalize_dataset")
    low, high = np.array(minmax, dtype=np.float64)[:-1].T
    span = high - low
    scaled = np.where(span > 0, (features - low) / np.where(span > 0, span, 1.0), 0.0)
    for row, values in zip(dataset, scaled.tolist(), strict=True):
        row[:-1] = values


def _column_index(column, where: str) -> None:
    if isinstance(column, bool) or not isinstance(column, (int, np.integer)):
        raise ConfigError(f"{where}: column must be an integer index such as 0 or -1, got "
                          f"{column!r}")


def str_column_to_float(dataset, column: int) -> None:
    """Convert column ``column`` from text to float, in place."""
    _column_index(column, "str_column_to_float")
    for i, row in enumerate(dataset):
        try:
            row[column] = float(str(row[column]).strip())
        except ValueError:
            raise DataError(f"str_column_to_float: row {i}, column {column} holds "
                            f"{row[column]!r}, not a number") from None
        except IndexError:
            raise DataError(f"str_column_to_float: row {i} has {len(row)} entries, no column "
                            f"{column}") from None


def str_column_to_int(dataset, column: int) -> dict:
    """Replace each value of column ``column`` by an integer code; return value -> code.

    Codes follow the sorted values, so every run gives the same codes.

    Example
    -------
    >>> data = [[1.0, "fish"], [2.0, "bird"], [3.0, "fish"]]
    >>> str_column_to_int(data, 1), [row[1] for row in data]
    ({'bird': 0, 'fish': 1}, [1, 0, 1])
    """
    _width(dataset, "str_column_to_int")
    _column_index(column, "str_column_to_int")
    try:
        values = [row[column] for row in dataset]
    except IndexError:
        raise DataError(f"str_column_to_int: the rows have no column {column}") from None
    lookup = {value: code for code, value in enumerate(sorted(set(values), key=str))}
    for row in dataset:
        row[column] = lookup[row[column]]
    return lookup


# -- checks -----------------------------------------------------------------------------------
def _width(dataset, where: str) -> int:
    """The common row length of a non-empty list of rows."""
    if not isinstance(dataset, list) or not dataset:
        raise DataError(f"{where}: the dataset must be a non-empty list of rows")
    if not all(isinstance(row, (list, tuple)) for row in dataset):
        raise DataError(f"{where}: every row must be a list of values")
    width = len(dataset[0])
    for i, row in enumerate(dataset):
        if len(row) != width:
            raise DataError(f"{where}: row {i} has {len(row)} entries but row 0 has {width}; "
                            "every row needs the same columns")
    return width


def _numbers(rows, where: str) -> np.ndarray:
    try:
        return np.array(rows, dtype=np.float64).reshape(len(rows), -1)
    except (TypeError, ValueError):
        raise DataError(f"{where}: the rows hold text; convert the columns first with "
                        "str_column_to_float and str_column_to_int") from None


def _xy(dataset, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Features (n, width - 1) and integer classes (n,) from rows whose last entry is the class."""
    width = _width(dataset, where)
    if width < 2:
        raise DataError(f"{where}: rows need at least one feature before the class")
    for i, row in enumerate(dataset):
        label = row[-1]
        if (isinstance(label, bool) or not isinstance(label, Real)
                or not float(label).is_integer() or label < 0):
            raise DataError(
                f"{where}: row {i} ends with {label!r}, which is not a class label; the class "
                "must be the LAST entry of every row, as an integer 0..k-1: move the class column "
                "last, or code it with str_column_to_int(dataset, column)")
    return (_numbers([row[:-1] for row in dataset], where),
            np.array([int(row[-1]) for row in dataset]))


def _features(row, n_inputs: int) -> np.ndarray:
    if not isinstance(row, (list, tuple)) or len(row) not in (n_inputs, n_inputs + 1):
        got = len(row) if isinstance(row, (list, tuple)) else type(row).__name__
        raise DataError(f"the row must hold the network's {n_inputs} inputs (optionally followed "
                        f"by the class), got {got} entries")
    return _numbers([list(row[:n_inputs])], "feedforward")


def _vector(values, n: int, name: str) -> np.ndarray:
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) != n:
        raise DataError(f"argument {name}: needs {n} values, one per output neuron")
    return np.array([values], dtype=np.float64)
