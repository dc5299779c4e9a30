"""The tensor that records a tape, and reverse-mode differentiation over it.

An op called on plain NumPy arrays (or numbers) computes with NumPy and returns an array: no
tape, nothing kept. An op that gets a :class:`Tensor` returns a Tensor that remembers its
inputs and its vector-Jacobian product; :func:`gradients` walks those records backwards from
one result. Constants (arrays, numbers) in an op get no gradient.

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> value, (grad,) = ops.tensor.value_and_grad(lambda x: ops.sum(x * x), np.array([1.0, 3.0]))
>>> float(value), grad.tolist()
(10.0, [2.0, 6.0])
"""

from __future__ import annotations

import os
import traceback

import numpy as np

from ..errors import ConfigError

__all__ = ["NumpyOnTensorError", "Tensor", "gradients", "unbroadcast", "value_and_grad"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_ops = None  # the glassnet.ops package, set by its __init__ (for the Python operators)

# NumPy's ufuncs that Python operators reach when an array is on the left (``y_true - t``).
_OPERATOR_UFUNCS = {
    "add": "add", "subtract": "subtract", "multiply": "multiply", "true_divide": "divide",
    "divide": "divide", "power": "power", "matmul": "matmul", "negative": "negative",
    "greater": "greater", "greater_equal": "greater_equal", "less": "less",
    "less_equal": "less_equal", "equal": "equal", "not_equal": "not_equal",
}


class NumpyOnTensorError(ConfigError, TypeError):
    """NumPy (or float()) was used on a tensor whose gradient is being recorded."""


def user_frame() -> str:
    """'function (file:line)' of the innermost frame outside glassnet: the user's code."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.name} ({frame.filename}:{frame.lineno}: {frame.line})"
    return "unknown place"


class Tensor:
    """An array with a record of how it was computed (when gradients are wanted).

    ``value`` is the NumPy array. Python operators (``+ - * / ** @``, comparisons, indexing)
    and every ``glassnet.ops`` function work on it; NumPy's own functions do not (they cannot
    follow the gradient) and raise a :class:`NumpyOnTensorError` naming the line.
    """

    __slots__ = ("_parents", "_vjp", "value")
    __array_priority__ = 1000.0

    def __init__(self, value, parents: tuple = (), vjp=None):
        self.value = value if isinstance(value, np.ndarray) else np.asarray(value)
        self._parents = parents
        self._vjp = vjp

    # -- what it looks like ----------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def size(self) -> int:
        return self.value.size

    @property
    def T(self):
        return _ops.transpose(self)

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return f"<glassnet.ops.Tensor shape={self.shape}, dtype={self.dtype}, value={self.value}>"

    def __bool__(self) -> bool:
        return bool(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # -- what NumPy cannot follow ----------------------------------------------------------
    def _refuse(self, what: str, instead: str = ""):
        hint = f" use glassnet.ops.{instead} (keras.ops's name) instead" if instead else \
            " use the glassnet.ops functions (keras.ops's names) instead"
        raise NumpyOnTensorError(
            f"{what} was used on a glassnet.ops tensor in {user_frame()}: this tensor records "
            f"the gradient of a loss or Lambda layer, which NumPy cannot follow;{hint}")

    def __array__(self, dtype=None, copy=None):
        self._refuse("converting to a NumPy array", "convert_to_numpy (no gradient)")

    def __float__(self):
        self._refuse("float()", "convert_to_numpy (no gradient)")

    def __int__(self):
        self._refuse("int()", "convert_to_numpy (no gradient)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = _OPERATOR_UFUNCS.get(ufunc.__name__)
        if method == "__call__" and name is not None and not kwargs:
            return getattr(_ops, name)(*inputs)
        self._refuse(f"NumPy's {ufunc.__name__}",
                     ufunc.__name__ if hasattr(_ops, ufunc.__name__) else "")

    def __array_function__(self, func, types, args, kwargs):
        self._refuse(f"NumPy's {func.__name__}",
                     func.__name__ if hasattr(_ops, func.__name__) else "")

    # -- Python operators ------------------------------------------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.subtract(self, other)

    def __rsub__(self, other):
        return _ops.subtract(other, self)

    def __mul__(self, other):
        return _ops.multiply(self, other)

    def __rmul__(self, other):
        return _ops.multiply(other, self)

    def __truediv__(self, other):
        return _ops.divide(self, other)

    def __rtruediv__(self, other):
        return _ops.divide(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.arrays.getitem(self, index)

    def __gt__(self, other):
        return _ops.greater(self, other)

    def __ge__(self, other):
        return _ops.greater_equal(self, other)

    def __lt__(self, other):
        return _ops.less(self, other)

    def __le__(self, other):
        return _ops.less_equal(self, other)

    def __eq__(self, other):
        return _ops.equal(self, other)

    def __ne__(self, other):
        return _ops.not_equal(self, other)

    __hash__ = object.__hash__


# -- helpers the ops use ---------------------------------------------------------------------
def value_of(x):
    """The array behind ``x`` (a Tensor's value, or ``x`` itself)."""
    return x.value if isinstance(x, Tensor) else x


def recording(*xs) -> bool:
    return any(isinstance(x, Tensor) for x in xs)


def record(value, parents: tuple, vjp):
    """A Tensor for ``value`` computed from ``parents``; ``vjp(g)`` gives one gradient (or
    None) per parent. Called only when some parent is a Tensor."""
    return Tensor(value, parents, vjp)


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` down to ``shape``: the gradient of an input that NumPy broadcast."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, d in enumerate(shape) if d == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _order(root: Tensor) -> list:
    """Every recorded Tensor behind ``root``, each after all of its inputs."""
    order, seen, stack = [], {id(root)}, [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        for parent in node._parents:
            if isinstance(parent, Tensor) and id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, False))
    return order


def gradients(root: Tensor, leaves: list, seed=None) -> list:
    """d(root)/d(leaf) for each leaf (zeros where root does not depend on it).

    ``seed`` is the gradient flowing into ``root`` (ones for a scalar when not given).
    """
    grads = {id(root): np.ones_like(root.value) if seed is None else seed}
    with np.errstate(all="ignore"):  # inf/NaN gradients are reported by the caller, as values
        for node in reversed(_order(root)):
            g = grads.get(id(node))
            if g is None or node._vjp is None:
                continue
            for parent, pg in zip(node._parents, node._vjp(g), strict=True):
                if pg is None or not isinstance(parent, Tensor):
                    continue
                pg = np.asarray(pg)
                if pg.shape != parent.value.shape:  # a broadcast view from a reduction
                    pg = np.broadcast_to(pg, parent.value.shape)
                if pg.dtype != parent.value.dtype and parent.value.dtype.kind == "f":
                    pg = pg.astype(parent.value.dtype)
                key = id(parent)
                grads[key] = pg if key not in grads else grads[key] + pg
    return [grads[id(leaf)] if id(leaf) in grads else np.zeros_like(leaf.value)
            for leaf in leaves]


def value_and_grad(fn, *args):
    """(fn(*args) as an array, [d sum(fn)/d arg for each arg]): the tape run once.

    Every ``args`` entry is watched; ``fn`` must return a Tensor computed from them.
    """
    leaves = [Tensor(np.asarray(a)) for a in args]
    out = fn(*leaves)
    if not isinstance(out, Tensor):
        return np.asarray(out), [np.zeros_like(leaf.value) for leaf in leaves]
    return out.value, gradients(out, leaves, np.ones_like(out.value))
