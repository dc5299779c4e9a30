"""Small shared utilities with Keras's names: the global random seed, label encoding,
``normalize``, ``pad_sequences``, ``split_dataset``, ``plot_model`` and ``PyDataset``.

Example
-------
>>> import glassnet
>>> glassnet.utils.set_random_seed(0)
>>> glassnet.utils.to_categorical([0, 2], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.]])
"""

from __future__ import annotations

import random

import numpy as np

from ._checks import allocation, numeric_array, positive_int
from .errors import ConfigError, DataError

__all__ = ["PyDataset", "Sequence", "as_generator", "clear_session", "get_file",
           "global_generator", "normalize", "pad_sequences", "plot_model", "set_random_seed",
           "split_dataset", "to_categorical"]


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


def to_categorical(x, num_classes: int | None = None, dtype="float64") -> np.ndarray:
    """One-hot encode integer class labels, as ``keras.utils.to_categorical`` does.

    The result has ``x``'s shape plus a last axis of ``num_classes`` (default ``max(x) + 1``);
    a last axis of size 1 is dropped first (labels of shape (n, 1) give (n, k)), and a single
    label gives a vector, as in Keras 3. Keras 3 returns float64; ``dtype`` (Keras 2's
    argument) picks another.

    Example
    -------
    >>> to_categorical([[1], [0]]).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> to_categorical(2, num_classes=4).tolist()
    [0.0, 0.0, 1.0, 0.0]
    """
    num_classes = positive_int(num_classes, "to_categorical: num_classes", allow_none=True)
    try:
        if np.dtype(dtype).kind not in "biuf":
            raise TypeError(dtype)
    except TypeError:
        raise ConfigError(f"to_categorical: dtype must be a numeric dtype such as 'float32', "
                          f"got {dtype!r}") from None
    labels = _labels(x)
    shape = labels.shape[:-1] if labels.ndim > 1 and labels.shape[-1] == 1 else labels.shape
    labels = labels.reshape(shape)
    n = int(labels.max()) + 1 if num_classes is None and labels.size else num_classes or 0
    if labels.size and labels.max() >= n:
        bad = int(np.argmax(labels.ravel() >= n))
        raise DataError(f"to_categorical: label at index {bad} is {labels.ravel()[bad]}, not "
                        f"below num_classes={n}")
    allocation((*labels.shape, n), dtype, "to_categorical")
    out = np.zeros((*labels.shape, n), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


def _labels(x) -> np.ndarray:
    """Whole-number labels >= 0 as an intp array, or a DataError saying which one is not."""
    try:
        labels = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise DataError(f"to_categorical: labels cannot be read as an array ({exc})") from None
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        if not np.issubdtype(labels.dtype, np.floating) or not np.isfinite(labels).all() \
                or np.any(labels != np.round(labels)):
            raise DataError("to_categorical: labels must be whole numbers")
    if labels.size and (labels.max() >= 2**62 or labels.min() < -(2**62)):
        raise DataError(f"to_categorical: label {labels.max()} is too large to be a class")
    labels = labels.astype(np.intp)
    if labels.size and labels.min() < 0:
        bad = int(np.argmax(labels.ravel() < 0))
        raise DataError(f"to_categorical: label at index {bad} is {labels.ravel()[bad]}; "
                        "labels must be >= 0")
    return labels


def normalize(x, axis=-1, order=2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as 1), as Keras.

    The values are Keras 3's for ``axis=-1``. Keras's NumPy path puts the norms back with
    ``axis or -1``, so its ``axis=0`` divides a square array along the wrong axis (and fails on
    others), and a 1-D ``x`` comes back as (1, n); glassnet keeps ``x``'s shape and divides
    along ``axis``, as Keras's tensor path (``ops.normalize``) does.

    Example
    -------
    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    >>> normalize(np.array([[1.0, 1.0]]), order=1).tolist()
    [[0.5, 0.5]]
    """
    x = numeric_array(x, "normalize: x", finite=False)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) \
            or not -x.ndim <= axis < max(x.ndim, 1):
        raise ConfigError(f"normalize: axis must be an axis of the array (ndim {x.ndim}), got "
                          f"{axis!r}")
    try:
        norm = np.linalg.norm(x, order, axis, keepdims=True)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"normalize: order {order!r} is not a vector norm ({exc})") from None
    norm[norm == 0] = 1
    return x / norm


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0) -> np.ndarray:
    """Pad (or cut) each sequence to ``maxlen``, as ``keras.utils.pad_sequences`` does.

    ``padding`` / ``truncating`` ``'pre'`` (the default) pads or cuts at the start, ``'post'``
    at the end; ``maxlen`` defaults to the longest sequence. Returns an array
    ``(len(sequences), maxlen, ...)`` of ``dtype`` filled with ``value``.

    Example
    -------
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
    [[2, 3], [0, 4]]
    >>> pad_sequences([[1, 2, 3], [4]], padding="post", truncating="post").tolist()
    [[1, 2, 3], [4, 0, 0]]
    """
    from ._utils_data import pad_sequences as pad

    return pad(sequences, maxlen, dtype, padding, truncating, value)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split an array, or a tuple / list of arrays of one length, into a left and a right part.

    Sizes as in Keras 3: a float in (0, 1) is a fraction (rounded), an int a number of
    samples, None the rest. With ``shuffle`` the samples are shuffled as Keras's NumPy path
    does (``random.seed(seed); random.shuffle``, without touching Python's global ``random``).
    Keras returns ``tf.data`` / torch datasets; glassnet returns the NumPy arrays (a tuple of
    arrays for a tuple or list), ready for ``fit``.

    Example
    -------
    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> left.tolist(), right.tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    >>> (x_left, y_left), _ = split_dataset((np.zeros((5, 2)), np.arange(5)), right_size=2)
    >>> x_left.shape, y_left.tolist()
    ((3, 2), [0, 1, 2])
    """
    from ._utils_data import split_dataset as split

    return split(dataset, left_size, right_size, shuffle, seed)


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False) -> str:
    """Download ``origin`` once (checked against ``file_hash`` when given) and return its local
    path, as ``keras.utils.get_file``; see :mod:`glassnet.datasets._get_file`."""
    from .datasets._get_file import get_file as fetch

    return fetch(fname, origin, untar, md5_hash, file_hash, cache_subdir, hash_algorithm,
                 extract, archive_format, cache_dir, force_download)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw the model's layers as boxes joined by arrows and save it to ``to_file``, with
    Keras 3's arguments (drawn with matplotlib: no pydot or graphviz needed).

    Returns the figure (shown in a notebook). See :func:`glassnet._plot_model.plot_model`.
    """
    from ._plot_model import plot_model as draw

    return draw(model, to_file, show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, rankdir=rankdir, expand_nested=expand_nested,
                dpi=dpi, show_layer_activations=show_layer_activations,
                show_trainable=show_trainable, splines=splines, **kwargs)


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
