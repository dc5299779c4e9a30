"""More of keras.ops: inverse trigonometry, ``broadcast_to``, ``moveaxis``, ``swapaxes``,
``ravel``, ``outer``, ``pad``, ``roll``, ``hstack``/``vstack``, ``multi_hot``, ``cond``,
``erf`` and a few tests on values. Most are compositions of the recorded ops, so their
gradients come from those.

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> ops.multi_hot(np.array([[0, 2], [1, 1]]), 3).tolist()
[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
>>> ops.cond(True, lambda: "yes", lambda: "no")
'yes'
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from . import arrays
from . import elementwise as el
from .elementwise import _no_grad, _unary, apply
from .tensor import Tensor, unbroadcast, value_of

__all__ = [
    "arccos", "arcsin", "array", "broadcast_to", "cbrt", "cond", "copy", "dtype", "erf", "exp2",
    "get_item", "hard_tanh", "hstack", "identity", "in_top_k", "is_tensor", "isclose",
    "logical_xor", "moveaxis", "multi_hot", "nonzero", "outer", "pad", "ravel", "roll",
    "swapaxes", "trunc", "vstack",
]

arcsin = _unary("arcsin", np.arcsin, lambda g, x, y: g / np.sqrt(1 - x * x), "The inverse sine.")
arccos = _unary("arccos", np.arccos, lambda g, x, y: -g / np.sqrt(1 - x * x),
                "The inverse cosine.")
cbrt = _unary("cbrt", np.cbrt, lambda g, x, y: g / (3 * y * y), "The cube root.")
exp2 = _unary("exp2", np.exp2, lambda g, x, y: g * y * np.log(2.0), "2 ** x.")
hard_tanh = _unary("hard_tanh", lambda v: np.clip(v, -1, 1),
                   lambda g, x, y: g * ((x > -1) & (x < 1)), "clip(x, -1, 1).")
trunc = _no_grad("trunc", np.trunc, "Rounded towards 0.")
logical_xor = _no_grad("logical_xor", np.logical_xor, "x1 xor x2.")
isclose = _no_grad("isclose", np.isclose, "True where x1 and x2 are close (NumPy's rule).")
get_item = arrays.getitem


def erf(x):
    """The error function (scipy's), with its gradient 2/sqrt(pi) e^(-x^2)."""
    from scipy.special import erf as _erf

    return apply(x, _erf, lambda g, v, y: g * 2 / np.sqrt(np.pi) * np.exp(-v * v))


def identity(n, dtype=None):
    """The n x n identity matrix (float32 unless ``dtype``)."""
    return arrays.eye(n, dtype=dtype)


def copy(x):
    return el.multiply(x, 1) if isinstance(x, Tensor) else np.array(x)


def array(x, dtype=None):
    return np.array(value_of(x), dtype=dtype)


def is_tensor(x) -> bool:
    return isinstance(x, (Tensor, np.ndarray))


def dtype(x) -> str:
    """The dtype's name ('float32', ...)."""
    return np.asarray(value_of(x)).dtype.name


def nonzero(x):
    """The indices of the nonzero entries, one array per axis. No gradient."""
    return np.nonzero(value_of(x))


def broadcast_to(x, shape):
    """x repeated to ``shape`` by NumPy's broadcasting; its gradient sums back."""
    return apply(x, lambda v: np.broadcast_to(v, shape).copy(),
                 lambda g, v, y: unbroadcast(g, v.shape))


def moveaxis(x, source, destination):
    return apply(x, lambda v: np.moveaxis(v, source, destination),
                 lambda g, v, y: np.moveaxis(g, destination, source))


def swapaxes(x, axis1, axis2):
    return apply(x, lambda v: np.swapaxes(v, axis1, axis2),
                 lambda g, v, y: np.swapaxes(g, axis1, axis2))


def ravel(x):
    return arrays.reshape(x, (-1,))


def outer(x1, x2):
    """Every product x1[i] * x2[j] of the flattened inputs."""
    return el.multiply(arrays.reshape(x1, (-1, 1)), arrays.reshape(x2, (1, -1)))


def pad(x, pad_width, mode="constant", constant_values=None):
    """x with ``pad_width`` entries added around it (constant mode only)."""
    if mode != "constant":
        raise ConfigError(f"ops.pad: mode={mode!r} is not supported; glassnet pads with a "
                          "constant")
    width = np.broadcast_to(np.asarray(pad_width), (np.ndim(value_of(x)), 2))
    value = 0 if constant_values is None else constant_values

    def backward(g, v, y):
        return g[tuple(slice(lo, lo + n) for (lo, _), n in zip(width, v.shape, strict=True))]

    return apply(x, lambda v: np.pad(v, width, constant_values=value), backward)


def roll(x, shift, axis=None):
    def backward(g, v, y):
        return np.roll(g, np.negative(shift), axis=axis)

    return apply(x, lambda v: np.roll(v, shift, axis=axis), backward)


def hstack(xs):
    """Joined along axis 1 (axis 0 for 1-D inputs), as NumPy's ``hstack``."""
    return arrays.concatenate(xs, axis=1 if np.ndim(value_of(xs[0])) > 1 else 0)


def vstack(xs):
    """Joined along axis 0 (1-D inputs become rows), as NumPy's ``vstack``."""
    rows = [arrays.reshape(x, (1, -1)) if np.ndim(value_of(x)) == 1 else x for x in xs]
    return arrays.concatenate(rows, axis=0)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """1 at every class a row of integer labels names (float32 unless ``dtype``)."""
    if sparse:
        raise ConfigError("ops.multi_hot: sparse=True is not supported; glassnet's arrays are "
                          "dense")
    num_classes = kwargs.get("num_tokens", num_classes)
    labels = np.asarray(value_of(inputs)).astype(np.int64)
    hot = arrays.one_hot(labels, num_classes, dtype=dtype)
    out = np.max(hot, axis=-2) if labels.ndim > 1 else np.max(hot, axis=0)
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def in_top_k(targets, predictions, k):
    """True where the target class is among the k largest scores of its row."""
    scores = np.asarray(value_of(predictions))
    labels = np.asarray(value_of(targets)).astype(np.int64)
    picked = np.take_along_axis(scores, labels[:, None], axis=-1)
    return (scores > picked).sum(axis=-1) < k


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` holds, else ``false_fn()`` (eager, as in Keras's backends)."""
    return true_fn() if bool(np.asarray(value_of(pred))) else false_fn()
