"""CIFAR-100 (60,000 32x32 colour images, 100 classes in 20 superclasses), as Keras loads it.

``label_mode="fine"`` gives the 100 classes, ``"coarse"`` the 20 superclasses. The archive
(169 MB) is downloaded once from the University of Toronto (Keras's origin) and checked against
Keras's SHA-256; Keras's own copy in ``~/.keras/datasets`` is used as it is.

Example
-------
>>> from glassnet.datasets import cifar100
>>> cifar100.load_data.__defaults__
('fine',)
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from . import _cifar

__all__ = ["load_data"]


def load_data(label_mode="fine"):
    """``((x_train, y_train), (x_test, y_test))``: uint8 images (50000, 32, 32, 3) and
    (10000, 32, 32, 3); labels (50000, 1) and (10000, 1) as Keras returns them (int64)."""
    if label_mode not in ("fine", "coarse"):
        raise ConfigError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse', got "
                          f"{label_mode!r}")
    members = ["cifar-100-python/train", "cifar-100-python/test"]
    (x_train, y_train), (x_test, y_test) = _cifar.batches(
        "cifar100", members, f"{label_mode}_labels", "cifar100.load_data")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (_cifar.channels_last(x_train), y_train), (_cifar.channels_last(x_test), y_test)
