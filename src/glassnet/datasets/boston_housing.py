"""Boston housing prices (506 districts, 13 features), as ``keras.datasets.boston_housing``.

Keras's warning stands: one feature ("B") encodes a racial assumption; prefer
:mod:`glassnet.datasets.california_housing` unless discussing exactly that. The file
(``boston_housing.npz``, 57 kB) is downloaded once and checked against Keras's SHA-256.

Example
-------
>>> from glassnet.datasets import boston_housing
>>> boston_housing.load_data.__defaults__
('boston_housing.npz', 0.2, 113)
"""

from __future__ import annotations

from . import _keras

__all__ = ["load_data"]

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """``((x_train, y_train), (x_test, y_test))``: float64 ``x`` (n, 13), ``y`` (n,) in k$.

    The rows are shuffled with ``numpy.random.RandomState(seed)`` and the first
    ``int(506 * (1 - test_split))`` (404 by default) are the training set, as in Keras.
    """
    return _keras.housing(path, "boston_housing.npz", FILE_HASH, test_split, seed,
                          "boston_housing.load_data")
