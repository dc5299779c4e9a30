"""Small shared utilities: the global random seed and label encoding.

Example
-------
>>> import glassnet
>>> glassnet.utils.set_random_seed(0)
>>> glassnet.utils.to_categorical([0, 2], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.]], dtype=float32)
"""

from __future__ import annotations

import random

import numpy as np

from ._checks import allocation, positive_int
from .errors import ConfigError, DataError

__all__ = ["PyDataset", "Sequence", "as_generator", "clear_session", "global_generator",
           "set_random_seed", "to_categorical"]


_global = {"rng": np.random.default_rng()}


def set_random_seed(seed: int) -> None:
    """Seed glassnet's global generator, NumPy's legacy global state and Python's ``random``.

    Weights drawn after this call (and shuffling and dropout without their own ``seed``) are
    the same on every run.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"set_random_seed: seed must be a non-negative integer, got {seed!r}")
    _global["rng"] = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)  # noqa: NPY002  (the seeds' own code draws from it)
    random.seed(int(seed))


def global_generator() -> np.random.Generator:
    """The generator used when no ``seed`` is given."""
    return _global["rng"]


def as_generator(seed=None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from None (the global one), an int, or a Generator."""
    if seed is None:
        return _global["rng"]
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ConfigError(f"seed must be None, a non-negative int or a numpy Generator, got {seed!r}")


def to_categorical(y, num_classes: int | None = None, dtype="float32") -> np.ndarray:
    """One-hot encode integer class labels, as ``keras.utils.to_categorical`` does."""
    num_classes = positive_int(num_classes, "to_categorical: num_classes", allow_none=True)
    try:
        if np.dtype(dtype).kind not in "biuf":
            raise TypeError(dtype)
    except TypeError:
        raise ConfigError(f"to_categorical: dtype must be a numeric dtype such as 'float32', "
                          f"got {dtype!r}") from None
    try:
        labels = np.asarray(y)
    except (ValueError, TypeError) as exc:
        raise DataError(f"to_categorical: labels cannot be read as an array ({exc})") from None
    if labels.ndim == 0:
        raise DataError(f"to_categorical: needs an array of labels, one per sample, got the single "
                        f"value {y!r}; wrap it in a list: [{y!r}]")
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.floating) or not np.isfinite(labels).all() \
                or np.any(labels != np.round(labels)):
            raise DataError("to_categorical: labels must be whole numbers")
    if labels.size and (labels.max() >= 2**62 or labels.min() < -(2**62)):
        raise DataError(f"to_categorical: label {labels.max()} is too large to be a class")
    labels = labels.astype(np.intp)
    if labels.size and labels.min() < 0:
        bad = int(np.argmax(labels < 0))
        raise DataError(
            f"to_categorical: label at index {bad} is {labels[bad]}; labels must be >= 0"
        )
    n = int(labels.max()) + 1 if num_classes is None and labels.size else num_classes or 0
    if labels.size and labels.max() >= n:
        bad = int(np.argmax(labels >= n))
        raise DataError(
            f"to_categorical: label at index {bad} is {labels[bad]}, not below num_classes={n}"
        )
    allocation((*labels.shape, n), dtype, "to_categorical")
    out = np.zeros((*labels.shape, n), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


class PyDataset:
    """Base class for a dataset of batches: define ``__len__`` and ``__getitem__``.

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are Keras's arguments; glassnet
    reads batches in the training thread, one at a time.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self.workers, self.use_multiprocessing = workers, use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, index):
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after every epoch (shuffle your data here, as in Keras)."""

    @property
    def num_batches(self) -> int:
        return len(self)


Sequence = PyDataset  # Keras 2's name


def clear_session() -> None:
    """Keras's ``utils.clear_session``: see :func:`glassnet.backend.clear_session`."""
    from .backend import clear_session as clear

    clear()
