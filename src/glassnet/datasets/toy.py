"""The seeds' toy data sets, exactly as the seed documents print them.

- :func:`logic_gate`: the truth tables of seed 004's perceptron exercise (and XOR).
- :func:`streetlights`: seed 003's 4x3 lights and walk / stop targets.
- :func:`two_number_sum`: seed 000's pairs of ``random() / 2`` and their sums.
- :func:`toy_two_class`: seed 002's 10-row, two-feature, two-class table.

Example
-------
>>> from glassnet.datasets import toy
>>> X, y = toy.logic_gate("xor")
>>> X.tolist(), y.ravel().tolist()
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
"""

from __future__ import annotations

import numpy as np

from .._checks import positive_count
from ..errors import ConfigError
from ..utils import as_generator

__all__ = ["logic_gate", "streetlights", "toy_two_class", "two_number_sum"]

_GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input gate: ``X`` (4, 2) and ``y`` (4, 1), float64.

    Parameters
    ----------
    name : {'and', 'or', 'nand', 'nor', 'xor'}
        The gate (case-insensitive). Rows are in the order 00, 01, 10, 11.

    Example
    -------
    >>> X, y = logic_gate("AND")
    >>> y.ravel().tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    key = name.lower() if isinstance(name, str) else name
    if key not in _GATES:
        raise ConfigError(f"logic_gate: unknown gate {name!r}; valid names: {', '.join(_GATES)}")
    return _GATE_INPUTS.copy(), np.array(_GATES[key], dtype=np.float64).reshape(4, 1)


def streetlights() -> tuple[np.ndarray, np.ndarray]:
    """Seed 003's street lights: ``X`` (4, 3) light patterns, ``y`` (4, 1) walk (1) or stop (0).

    Float64, so that the seed's ``2*np.random.random(...) - 1`` network reproduces its printed
    errors digit for digit.

    Example
    -------
    >>> X, y = streetlights()
    >>> X[0].tolist(), y.ravel().tolist()
    ([1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0])
    """
    lights = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=np.float64)
    walk_vs_stop = np.array([[1, 1, 0, 0]], dtype=np.float64).T
    return lights, walk_vs_stop


def two_number_sum(
    n: int = 1000, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Seed 000's adding task: ``X`` (n, 2) uniform in [0, 0.5), ``y`` (n, 1) the row sums.

    Parameters
    ----------
    n : int, default 1000
        Number of pairs (the seed uses 1000).
    seed : int, numpy.random.Generator or None
        Randomness; the same seed gives the same pairs.

    Example
    -------
    >>> X, y = two_number_sum(3, seed=0)
    >>> X.shape, bool((X < 0.5).all()), bool(np.allclose(y[:, 0], X.sum(axis=1)))
    ((3, 2), True, True)
    """
    n = positive_count(n, "two_number_sum: n")
    items = as_generator(seed).random((n, 2)) / 2
    return items, items.sum(axis=1, keepdims=True)


def toy_two_class() -> tuple[np.ndarray, np.ndarray]:
    """Seed 002's backpropagation test set: ``X`` (10, 2) float64, ``y`` (10,) int64 in {0, 1}.

    Example
    -------
    >>> X, y = toy_two_class()
    >>> X[0].tolist(), y.tolist()
    ([2.7810836, 2.550537003], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    """
    X = np.array(
        [
            [2.7810836, 2.550537003],
            [1.465489372, 2.362125076],
            [3.396561688, 4.400293529],
            [1.38807019, 1.850220317],
            [3.06407232, 3.005305973],
            [7.627531214, 2.759262235],
            [5.332441248, 2.088626775],
            [6.922596716, 1.77106367],
            [8.675418651, -0.242068655],
            [7.673756466, 3.508563011],
        ]
    )
    return X, np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=np.int64)
