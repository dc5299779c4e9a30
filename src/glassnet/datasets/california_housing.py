"""California housing (20,640 block groups, 8 features), as ``keras.datasets.california_housing``.

``version="small"`` keeps the first 600 rows (Keras's stand-in for Boston housing). The file
(``california_housing.npz``) is downloaded once and checked against Keras's SHA-256.

Example
-------
>>> from glassnet.datasets import california_housing
>>> california_housing.load_data.__defaults__
('large', 'california_housing.npz', 0.2, 113)
"""

from __future__ import annotations

from ..errors import ConfigError
from . import _keras

__all__ = ["load_data"]

FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """``((x_train, y_train), (x_test, y_test))``: ``x`` (n, 8), ``y`` (n,) values in dollars.

    Rows (all 20,640, or the first 600 for ``"small"``) are shuffled with
    ``numpy.random.RandomState(seed)`` and split at ``int(n * (1 - test_split))``, as in Keras.
    """
    if version not in ("small", "large"):
        raise ConfigError(f"california_housing.load_data: version must be 'small' or 'large', "
                          f"got {version!r}")
    return _keras.housing(path, "california_housing.npz", FILE_HASH, test_split, seed,
                          "california_housing.load_data", 600 if version == "small" else None)
