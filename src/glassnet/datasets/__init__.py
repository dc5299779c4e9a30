"""Data sets: bundled MNIST and UCI sets, the seeds' toy sets, and the IDX file reader.

Example
-------
>>> from glassnet import datasets
>>> X, y = datasets.uci.load_seeds(return_X_y=True)
>>> X.shape, int(y.max()) + 1
((210, 7), 3)
"""

from . import idx, mnist, toy, uci
from .idx import load_idx

__all__ = ["idx", "load_idx", "mnist", "toy", "uci"]
