"""Data sets: Keras's loaders, bundled MNIST and UCI sets, the seeds' toy sets, the IDX reader.

``mnist`` is bundled; ``fashion_mnist``, ``boston_housing``, ``california_housing``, ``imdb``,
``reuters``, ``cifar10`` and ``cifar100`` have Keras 3's ``load_data`` (same arguments, shapes,
dtypes and shuffles) and download their file once, checked against Keras's hash (see
:mod:`glassnet.datasets._download` for the folders and the message without a network).

Example
-------
>>> from glassnet import datasets
>>> X, y = datasets.uci.load_seeds(return_X_y=True)
>>> X.shape, int(y.max()) + 1
((210, 7), 3)
"""

from . import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    idx,
    imdb,
    mnist,
    reuters,
    toy,
    uci,
)
from ._download import DownloadError, datasets_dir
from .idx import load_idx

__all__ = ["DownloadError", "boston_housing", "california_housing", "cifar10", "cifar100",
           "datasets_dir", "fashion_mnist", "idx", "imdb", "load_idx", "mnist", "reuters", "toy",
           "uci"]
