"""Fashion-MNIST (Zalando: 70,000 28x28 images of 10 kinds of clothing), as Keras loads it.

The four gzipped IDX files are downloaded once from Keras's origin into
``<data folder>/fashion-mnist`` (Keras's ``~/.keras/datasets/fashion-mnist`` copies are used as
they are) and checked against the MD5s Zalando publishes (Keras checks none). Labels:
:data:`CLASS_NAMES`. MIT licence, Zalando SE.

Example
-------
>>> from glassnet.datasets import fashion_mnist
>>> fashion_mnist.CLASS_NAMES[9]
'Ankle boot'
"""

from __future__ import annotations

from ._download import ORIGIN, fetch
from .idx import load_idx

__all__ = ["CLASS_NAMES", "load_data"]

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")

#: Array name -> (file name, MD5 of the gzipped file as published by Zalando).
FILES = {
    "x_train": ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    "y_train": ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    "x_test": ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    "y_test": ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
}


def load_data():
    """``((x_train, y_train), (x_test, y_test))``: uint8 images (60000, 28, 28) and
    (10000, 28, 28), uint8 labels (60000,) and (10000,) in 0..9, as Keras returns them."""
    arrays = {}
    for key, (name, md5) in FILES.items():
        path = fetch(name, ORIGIN + name, md5, "fashion_mnist.load_data", subdir="fashion-mnist")
        arrays[key] = load_idx(path)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
