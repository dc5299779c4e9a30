"""Reductions: ``sum``, ``mean``, ``max``, ``min``, ``prod``, ``var``, ``std``, ``logsumexp``,
``norm``, ``argmax``/``argmin``, ``any``/``all``, each over ``axis`` (None: every axis) with
``keepdims``. Backward spreads the gradient back over the reduced axes; ``max``/``min``
share it equally among tied entries.

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> x = np.array([[1.0, 2.0], [3.0, 6.0]])
>>> ops.mean(x, axis=-1).tolist(), ops.max(x, axis=0, keepdims=True).tolist()
([1.5, 4.5], [[3.0, 6.0]])
"""

from __future__ import annotations

import numpy as np

from . import elementwise as el
from .tensor import Tensor, record, value_of

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "average",
    "count_nonzero",
    "cumsum",
    "logsumexp",
    "max",
    "mean",
    "min",
    "moments",
    "norm",
    "prod",
    "std",
    "sum",
    "var",
]


def _axes(axis, ndim: int) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(int(a) % ndim if ndim else 0 for a in axes)


def _expand(g, axes: tuple, keepdims: bool):
    """``g`` (reduced) with its reduced axes back, of size 1 (it broadcasts against x)."""
    g = np.asarray(g)
    return np.expand_dims(g, axes) if axes and not keepdims else g


def _spread(g, v):
    """``g`` (kept axes) copied out to x's shape."""
    out = np.empty(v.shape, g.dtype)
    out[...] = g
    return out


def _reduction(x, axis, keepdims, forward, backward):
    """``forward(x, axes)`` with keepdims=True; ``backward(g, x, y)`` gets both with kept
    axes and returns dL/dx."""
    xv = np.asarray(value_of(x))
    axes = _axes(axis, xv.ndim)
    kept = forward(xv, axes)
    y = kept if keepdims else np.squeeze(kept, axis=axes) if axes else kept
    if not isinstance(x, Tensor):
        return y
    return record(y, (x,), lambda g: (backward(_expand(g, axes, keepdims), xv, kept),))


def sum(x, axis=None, keepdims=False):
    """The sum over ``axis``."""
    return _reduction(x, axis, keepdims, lambda v, a: np.sum(v, axis=a, keepdims=True),
                      lambda g, v, y: _spread(g, v))


def mean(x, axis=None, keepdims=False):
    """The mean over ``axis``."""
    def backward(g, v, y):
        return _spread(g * (y.size / v.size if v.size else 0.0), v)

    def forward(v, a):  # np.mean's arithmetic (a sum, then / count) without its wrapper
        total = np.add.reduce(v, axis=a, keepdims=True, dtype=v.dtype if v.dtype.kind == "f"
                              else np.float64)
        return total / (v.size // total.size) if v.size else np.full_like(total, np.nan)

    return _reduction(x, axis, keepdims, forward, backward)


def _extreme(x, axis, keepdims, pick):
    def backward(g, v, y):
        hit = v == y
        return g * hit / hit.sum(axis=_axes(axis, v.ndim), keepdims=True)

    return _reduction(x, axis, keepdims, lambda v, a: pick(v, axis=a, keepdims=True), backward)


def max(x, axis=None, keepdims=False, initial=None):
    """The largest entry over ``axis`` (``initial``: a floor for it)."""
    out = _extreme(x, axis, keepdims, np.max)
    return out if initial is None else el.maximum(out, initial)


def min(x, axis=None, keepdims=False, initial=None):
    """The smallest entry over ``axis`` (``initial``: a ceiling for it)."""
    out = _extreme(x, axis, keepdims, np.min)
    return out if initial is None else el.minimum(out, initial)


amax, amin = max, min


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over ``axis`` (the gradient is exact where entries are 0)."""
    def backward(g, v, y):
        axes = _axes(axis, v.ndim)
        zero = v == 0
        zeros = zero.sum(axis=axes, keepdims=True)
        others = np.prod(np.where(zero, 1, v), axis=axes, keepdims=True)
        local = np.where(zero, np.where(zeros == 1, others, 0),
                         np.where(zeros == 0, y / np.where(zero, 1, v), 0))
        return g * local

    out = _reduction(x, axis, keepdims, lambda v, a: np.prod(v, axis=a, keepdims=True), backward)
    return out if dtype is None else el.cast(out, dtype)


def var(x, axis=None, keepdims=False):
    """The variance over ``axis`` (divided by the count, as NumPy and Keras)."""
    centred = el.subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(el.square(centred), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation over ``axis``."""
    return el.sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over ``axis``, without overflow; its gradient is the softmax."""
    def forward(v, a):
        m = np.max(v, axis=a, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        return np.log(np.sum(np.exp(v - m), axis=a, keepdims=True)) + m

    return _reduction(x, axis, keepdims, forward,
                      lambda g, v, y: g * np.exp(v - y))


def norm(x, ord=None, axis=None, keepdims=False):
    """The Euclidean (Frobenius) norm over ``axis``; other ``ord``s are not supported."""
    if ord not in (None, 2, "fro", "euclidean"):
        from ..errors import ConfigError

        raise ConfigError(f"ops.norm: ord={ord!r} is not supported; glassnet has the Euclidean "
                          "norm (ord=None)")
    return el.sqrt(sum(el.square(x), axis=axis, keepdims=keepdims))


def average(x, axis=None, weights=None):
    """The mean over ``axis``, weighted by ``weights`` (NumPy's ``average``)."""
    if weights is None:
        return mean(x, axis=axis)
    w = value_of(weights)
    if np.ndim(w) == 1 and np.ndim(value_of(x)) > 1 and axis is not None:
        shape = [1] * np.ndim(value_of(x))
        shape[axis] = -1
        w = np.reshape(w, shape)
    return el.divide(sum(el.multiply(x, w), axis=axis), np.sum(np.broadcast_to(
        w, np.shape(value_of(x))), axis=axis))


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over ``axes``."""
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)


def cumsum(x, axis=None, dtype=None):
    """Running sums along ``axis`` (of the flattened x when None)."""
    def backward(g, v, y):
        if axis is None:
            return np.flip(np.cumsum(np.flip(g))).reshape(v.shape)
        return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)

    from .elementwise import apply

    out = apply(x, lambda v: np.cumsum(v, axis=axis), backward)
    return out if dtype is None else el.cast(out, dtype)


def count_nonzero(x, axis=None):
    """How many entries are not 0 (int32). No gradient."""
    return np.asarray(np.count_nonzero(value_of(x), axis=axis)).astype(np.int32)


def argmax(x, axis=None, keepdims=False):
    """The index of the largest entry (int32). No gradient."""
    return np.argmax(value_of(x), axis=axis, keepdims=keepdims).astype(np.int32)


def argmin(x, axis=None, keepdims=False):
    """The index of the smallest entry (int32). No gradient."""
    return np.argmin(value_of(x), axis=axis, keepdims=keepdims).astype(np.int32)


def any(x, axis=None, keepdims=False):
    """True where any entry over ``axis`` is. No gradient."""
    return np.any(value_of(x), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """True where every entry over ``axis`` is. No gradient."""
    return np.all(value_of(x), axis=axis, keepdims=keepdims)
