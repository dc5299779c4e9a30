"""Shapes, indexing, products and new arrays: ``reshape``, ``transpose``, ``expand_dims``,
``squeeze``, ``concatenate``, ``stack``, indexing, ``take``, ``take_along_axis``, ``matmul``,
``dot``, ``einsum``, ``one_hot``, ``zeros``/``ones``/... Each recorded op's backward undoes its
rearrangement (indexing adds into zeros, so repeated indices add up).

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> ops.one_hot(np.array([0, 2]), 3).tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
>>> ops.matmul(np.ones((2, 3)), np.ones((3, 4))).shape
(2, 4)
"""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import ConfigError
from .elementwise import apply, multiply
from .tensor import Tensor, record, unbroadcast, value_of

__all__ = [
    "arange",
    "argsort",
    "concatenate",
    "dot",
    "einsum",
    "expand_dims",
    "eye",
    "flip",
    "full",
    "full_like",
    "getitem",
    "matmul",
    "ndim",
    "one_hot",
    "ones",
    "ones_like",
    "repeat",
    "reshape",
    "shape",
    "size",
    "sort",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "take",
    "take_along_axis",
    "tile",
    "top_k",
    "transpose",
    "zeros",
    "zeros_like",
]


# -- shapes ----------------------------------------------------------------------------------
def shape(x) -> tuple:
    """The shape as a tuple of ints."""
    return tuple(np.shape(value_of(x)))


def ndim(x) -> int:
    return len(shape(x))


def size(x) -> int:
    return int(np.size(value_of(x)))


def _back_to_shape(g, x, y):
    return np.reshape(g, np.shape(x))


def reshape(x, newshape):
    """x with shape ``newshape`` (one entry may be -1)."""
    return apply(x, lambda v: np.reshape(v, newshape), _back_to_shape)


def expand_dims(x, axis):
    """x with a new axis of size 1 at ``axis``."""
    return apply(x, lambda v: np.expand_dims(v, axis), _back_to_shape)


def squeeze(x, axis=None):
    """x without its size-1 axes (or only ``axis``)."""
    return apply(x, lambda v: np.squeeze(v, axis=axis), _back_to_shape)


def transpose(x, axes=None):
    """x with its axes reversed (or put in the order ``axes``)."""
    def backward(g, v, y):
        return np.transpose(g) if axes is None else np.transpose(g, np.argsort(axes))

    return apply(x, lambda v: np.transpose(v, axes), backward)


def concatenate(xs, axis=0):
    """The arrays of ``xs`` joined along ``axis``."""
    values = [np.asarray(value_of(x)) for x in xs]
    y = np.concatenate(values, axis=axis)
    if not any(isinstance(x, Tensor) for x in xs):
        return y
    cuts = np.cumsum([v.shape[axis] for v in values])[:-1]
    return record(y, tuple(xs), lambda g: tuple(np.split(g, cuts, axis=axis)))


def stack(x, axis=0):
    """The arrays of ``x`` stacked along a new axis."""
    values = [np.asarray(value_of(v)) for v in x]
    y = np.stack(values, axis=axis)
    if not any(isinstance(v, Tensor) for v in x):
        return y
    return record(y, tuple(x), lambda g: tuple(np.moveaxis(g, axis, 0)))


def flip(x, axis=None):
    """x with the order of entries reversed along ``axis`` (every axis when None)."""
    return apply(x, lambda v: np.flip(v, axis), lambda g, v, y: np.flip(g, axis))


def tile(x, repeats):
    """x repeated ``repeats`` times along each axis (NumPy's ``tile``)."""
    def backward(g, v, y):
        reps = (1,) * (g.ndim - len(np.atleast_1d(repeats))) + tuple(np.atleast_1d(repeats))
        shape = (1,) * (g.ndim - v.ndim) + v.shape
        split = [d for pair in zip(reps, shape, strict=True) for d in pair]
        return g.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(v.shape)

    return apply(x, lambda v: np.tile(v, repeats), backward)


def repeat(x, repeats, axis=None):
    """Each entry repeated ``repeats`` times (an int) along ``axis``."""
    if not isinstance(repeats, (int, np.integer)):
        raise ConfigError("ops.repeat: gradients need one int of repeats for every entry")

    def backward(g, v, y):
        if axis is None:
            return g.reshape(-1, repeats).sum(axis=1).reshape(v.shape)
        ax = axis % v.ndim
        return g.reshape(*v.shape[:ax], v.shape[ax], repeats, *v.shape[ax + 1:]).sum(ax + 1)

    return apply(x, lambda v: np.repeat(v, repeats, axis=axis), backward)


def split(x, indices_or_sections, axis=0):
    """x cut along ``axis`` into equal sections or at the given indices."""
    n = np.shape(value_of(x))[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        step = n // int(indices_or_sections)
        if step * int(indices_or_sections) != n:
            raise ConfigError(f"ops.split: {n} entries do not split into "
                              f"{indices_or_sections} equal sections")
        cuts = list(range(step, n, step))
    else:
        cuts = list(indices_or_sections)
    bounds = [0, *cuts, n]
    index = (slice(None),) * (axis % np.ndim(value_of(x)))
    return [getitem(x, (*index, slice(a, b))) for a, b in itertools.pairwise(bounds)]


def argsort(x, axis=-1):
    """The indices that sort x along ``axis`` (int32). No gradient."""
    return np.argsort(value_of(x), axis=axis).astype(np.int32)


def sort(x, axis=-1):
    """x sorted along ``axis``; the gradient goes back to where each entry came from."""
    return take_along_axis(x, np.argsort(value_of(x), axis=axis), axis=axis)


def top_k(x, k, sorted=True):
    """(the k largest entries of the last axis, their indices), largest first."""
    order = np.argsort(-np.asarray(value_of(x)), axis=-1, kind="stable")[..., :k]
    return take_along_axis(x, order, axis=-1), order.astype(np.int32)


# -- indexing --------------------------------------------------------------------------------
def _is_basic(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))
               for i in items)


def _added(v, index, g, flat: bool = False):
    """Zeros shaped like ``v`` with ``g`` added at ``index`` (repeated indices add up)."""
    out = np.zeros_like(v)
    np.add.at(out.reshape(-1) if flat else out, index, g)
    return out


def getitem(x, index):
    """``x[index]`` (what ``tensor[...]`` calls); its gradient adds into zeros."""
    index = tuple(value_of(i) for i in index) if isinstance(index, tuple) else value_of(index)

    def backward(g, v, y):
        if not _is_basic(index):
            return _added(v, index, g)
        out = np.zeros_like(v)
        out[index] = g
        return out

    return apply(x, lambda v: v[index], backward)


def take(x, indices, axis=None):
    """The entries at ``indices`` along ``axis`` (of the flattened x when None)."""
    idx = np.asarray(value_of(indices))

    def backward(g, v, y):
        if axis is None:
            return _added(v, idx, g, flat=True)
        return _added(v, (slice(None),) * (axis % v.ndim) + (idx,), g)

    return apply(x, lambda v: np.take(v, idx, axis=axis), backward)


def take_along_axis(x, indices, axis=None):
    """NumPy's ``take_along_axis``: pick along ``axis`` by an index array of x's rank."""
    idx = np.asarray(value_of(indices))

    def backward(g, v, y):
        if axis is None:
            return _added(v, idx, g, flat=True)
        shape_ = np.broadcast_shapes(idx.shape, g.shape)
        full = [np.arange(n).reshape([-1 if d == k else 1 for d in range(len(shape_))])
                for k, n in enumerate(shape_)]
        full[axis % v.ndim] = idx
        return _added(v, tuple(np.broadcast_to(f, shape_) for f in full), g)

    return apply(x, lambda v: np.take_along_axis(v, idx, axis=axis), backward)


# -- products --------------------------------------------------------------------------------
def _swap(a):
    return np.swapaxes(a, -1, -2)


def matmul(x1, x2):
    """The matrix product (batched over leading axes, as NumPy's ``@``)."""
    av, bv = np.asarray(value_of(x1)), np.asarray(value_of(x2))
    y = np.matmul(av, bv)
    ta, tb = isinstance(x1, Tensor), isinstance(x2, Tensor)
    if not (ta or tb):
        return y
    a2 = av if av.ndim > 1 else av[None, :]
    b2 = bv if bv.ndim > 1 else bv[:, None]

    def vjp(g):
        g2 = np.reshape(g, (*np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]), a2.shape[-2],
                            b2.shape[-1]))
        ga = gb = None
        if ta:
            ga = unbroadcast(np.matmul(g2, _swap(b2)), a2.shape).reshape(av.shape)
        if tb:
            gb = unbroadcast(np.matmul(_swap(a2), g2), b2.shape).reshape(bv.shape)
        return ga, gb

    return record(y, (x1, x2), vjp)


def dot(x1, x2):
    """NumPy's ``dot``: a product for scalars, ``matmul`` up to 2-D, else a sum over the last
    axis of x1 and the second-to-last of x2."""
    av, bv = np.asarray(value_of(x1)), np.asarray(value_of(x2))
    if av.ndim == 0 or bv.ndim == 0:
        return multiply(x1, x2)
    if av.ndim <= 2 and bv.ndim <= 2:
        return matmul(x1, x2)
    letters = "abcdefghijklmnopqrstuvwxyz"
    a_sub = letters[:av.ndim - 1] + "z"
    b_rest = letters[av.ndim - 1:av.ndim - 1 + bv.ndim - 1]
    b_sub = b_rest[:-1] + "z" + b_rest[-1] if bv.ndim >= 2 else "z"
    return einsum(f"{a_sub},{b_sub}->{a_sub[:-1]}{b_rest}", x1, x2)


def _parse_einsum(subscripts: str, n: int):
    if "." in subscripts:
        raise ConfigError("ops.einsum: gradients through '...' are not supported; spell out "
                          "every axis")
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins = subscripts
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    parts = ins.split(",")
    if len(parts) != n or any(len(set(p)) != len(p) for p in parts):
        raise ConfigError(f"ops.einsum: gradients need {n} operand subscripts without repeated "
                          f"letters, got {subscripts!r}")
    return parts, out


def einsum(subscripts, *operands):
    """NumPy's ``einsum``; with a recorded operand, each gradient is an einsum too."""
    values = [np.asarray(value_of(x)) for x in operands]
    y = np.einsum(subscripts, *values)
    if not any(isinstance(x, Tensor) for x in operands):
        return y
    parts, out = _parse_einsum(subscripts, len(operands))

    def vjp(g):
        grads = []
        for k, (x, sub) in enumerate(zip(operands, parts, strict=True)):
            if not isinstance(x, Tensor):
                grads.append(None)
                continue
            others = [p for j, p in enumerate(parts) if j != k]
            known = set(out).union(*others)
            target = "".join(c for c in sub if c in known)
            spec = ",".join([out, *others]) + "->" + target
            partial = np.einsum(spec, g, *(v for j, v in enumerate(values) if j != k))
            for pos, c in enumerate(sub):
                if c not in known:
                    partial = np.expand_dims(partial, pos)
            grads.append(np.broadcast_to(partial, values[k].shape))
        return tuple(grads)

    return record(y, tuple(operands), vjp)


# -- new arrays (no gradient) ----------------------------------------------------------------
def _floatx(dtype):
    return np.float32 if dtype is None else dtype


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Rows of zeros with a 1 at each integer of x (negative labels give all zeros), float32
    unless ``dtype`` says otherwise, as Keras."""
    if sparse:
        raise ConfigError("ops.one_hot: sparse=True is not supported; glassnet's arrays are dense")
    labels = np.asarray(value_of(x)).astype(np.int64)
    out = (labels[..., None] == np.arange(num_classes)).astype(_floatx(dtype))
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def stop_gradient(variable):
    """The values of ``variable``, with no gradient flowing back through them."""
    return np.array(value_of(variable))


def zeros(shape, dtype=None):
    return np.zeros(shape, _floatx(dtype))


def ones(shape, dtype=None):
    return np.ones(shape, _floatx(dtype))


def full(shape, fill_value, dtype=None):
    return np.full(shape, value_of(fill_value), _floatx(dtype))


def zeros_like(x, dtype=None):
    return np.zeros_like(value_of(x), dtype=dtype)


def ones_like(x, dtype=None):
    return np.ones_like(value_of(x), dtype=dtype)


def full_like(x, fill_value, dtype=None):
    return np.full_like(value_of(x), value_of(fill_value), dtype=dtype)


def eye(N, M=None, k=0, dtype=None):
    return np.eye(N, M, k, dtype=_floatx(dtype))


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop) (Keras's dtype rules: int32 for ints)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is not None:
        return values.astype(dtype)
    return values.astype(np.int32 if values.dtype.kind == "i" else np.float32)

