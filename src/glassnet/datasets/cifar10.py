"""CIFAR-10 (60,000 32x32 colour images, 10 classes), as ``keras.datasets.cifar10``.

The archive (163 MB) is downloaded once from the University of Toronto (Keras's origin) and
checked against Keras's SHA-256; Keras's own copy in ``~/.keras/datasets`` is used as it is.

Example
-------
>>> from glassnet.datasets import cifar10
>>> cifar10.CLASS_NAMES[:3]
('airplane', 'automobile', 'bird')
"""

from __future__ import annotations

import numpy as np

from . import _cifar

__all__ = ["CLASS_NAMES", "load_data"]

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")


def load_data():
    """``((x_train, y_train), (x_test, y_test))``: uint8 images (50000, 32, 32, 3) and
    (10000, 32, 32, 3), uint8 labels (50000, 1) and (10000, 1), as Keras returns them."""
    members = [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)]
    members.append("cifar-10-batches-py/test_batch")
    loaded = _cifar.batches("cifar10", members, "labels", "cifar10.load_data")
    x_train = np.concatenate([x for x, _ in loaded[:5]]).astype(np.uint8, copy=False)
    y_train = np.concatenate([np.asarray(y) for _, y in loaded[:5]]).astype(np.uint8)
    x_test, y_test = loaded[5]
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.reshape(y_test, (len(y_test), 1)).astype(y_train.dtype)
    x_test = _cifar.channels_last(x_test).astype(x_train.dtype)
    return (_cifar.channels_last(x_train), y_train), (x_test, y_test)
