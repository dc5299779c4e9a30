"""Keras-style variables: a named handle on one weight array of a layer.

``layer.weights`` lists them (trainable first, as Keras does); each reads the layer's current
array, a view into the flat buffer of the model that trains it, so it never goes stale.

Example
-------
>>> import numpy as np

from .._checks import within_range
from ..errors import ShapeError
>>> from glassnet.layers import Dense
>>> layer = Dense(2, name="d")
>>> _ = layer(np.ones((1, 3)))
>>> [(v.path, v.shape, v.trainable) for v in layer.weights]
[('d/kernel', (3, 2), True), ('d/bias', (2,), True)]
>>> layer.weights[1].assign([0.5, -0.5]); layer.bias.tolist()
[0.5, -0.5]
"""

from __future__ import annotations

import numpy as np

from .._checks import within_range
from ..errors import ShapeError

__all__ = ["Variable", "check_assignable"]


def _binary(name: str, reverse: bool = False):
    """A Python operator of a Variable, as the glassnet.ops function ``name``."""
    def method(self, other):
        return self._op(name, other, self) if reverse else self._op(name, self, other)

    method.__name__ = f"__{'r' if reverse else ''}{name}__"
    return method


class Variable:
    """Weight ``name`` of ``layer``: ``numpy()``, ``assign()``, ``shape``, ``dtype``, ``path``."""

    def __init__(self, layer, name: str, trainable: bool):
        self._layer, self.name, self._trainable = layer, name, trainable

    @property
    def value(self) -> np.ndarray:
        """The array itself (writes go into the model's buffer)."""
        return self._layer.arrays[self.name]

    @property
    def path(self) -> str:
        return f"{self._layer.name}/{self.name}"

    @property
    def trainable(self) -> bool:
        return self._trainable and self._layer.trainable

    @property
    def shape(self) -> tuple:
        return self.value.shape

    @property
    def dtype(self) -> str:
        return self.value.dtype.name

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def numpy(self) -> np.ndarray:
        """A copy of the values."""
        return self.value.copy()

    def assign(self, value) -> None:
        """Write ``value`` (same shape, finite numbers) into the weight."""
        value = getattr(value, "value", value) if type(value).__name__ == "Tensor" else value
        (array,) = check_assignable([self], [value], "assign")
        self.value[...] = array

    def assign_add(self, delta) -> None:
        """Add ``delta`` to the weight in place (Keras's ``assign_add``; no gradient)."""
        self.assign(self.value + np.asarray(getattr(delta, "value", delta)))

    def assign_sub(self, delta) -> None:
        """Subtract ``delta`` from the weight in place (Keras's ``assign_sub``)."""
        self.assign(self.value - np.asarray(getattr(delta, "value", delta)))

    def __array__(self, dtype=None, copy=None):
        if getattr(self._layer, "_tape_leaves", None):  # a custom layer's call() is training
            return self._resolve().__array__(dtype)  # the tape's error, naming the line
        return self.value.astype(dtype) if dtype is not None else self.value.copy()

    def _resolve(self):
        """What glassnet.ops computes with: the weight's tape Tensor while its layer's
        ``call()`` trains (so the gradient reaches it), else the array itself."""
        leaves = getattr(self._layer, "_tape_leaves", None)
        if leaves and self.name in leaves:
            return leaves[self.name]
        return self.value

    # Keras's variables take part in arithmetic (through glassnet.ops, so the tape sees them)
    def _op(self, name, *args):
        from .. import ops

        return getattr(ops, name)(*args)

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __truediv__, __rtruediv__ = _binary("divide"), _binary("divide", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __pow__ = _binary("power")

    def __neg__(self):
        return self._op("negative", self)

    def __getitem__(self, index):
        return self._resolve()[index]

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """``array * variable`` goes to glassnet.ops (so a training call() keeps the gradient);
        other ufuncs see the array (or the tape's error while the layer trains)."""
        from ..ops.tensor import _OPERATOR_UFUNCS

        name = _OPERATOR_UFUNCS.get(ufunc.__name__)
        if method == "__call__" and name is not None and not kwargs:
            return self._op(name, *inputs)
        args = [i._resolve() if isinstance(i, Variable) else i for i in inputs]
        return getattr(ufunc, method)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"


def check_assignable(variables, values, where: str = "set_weights") -> list[np.ndarray]:
    """Every value fits its variable (shape, finite real numbers, in range of its dtype), as
    arrays; raises before any write."""
    arrays = []
    for variable, value in zip(variables, values, strict=True):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise ShapeError(f"{where}: {variable.path} cannot be read as an array "
                             f"({exc})") from None
        if array.shape != variable.shape:
            raise ShapeError(f"{where}: {variable.path} needs shape {variable.shape}, got "
                             f"{array.shape}")
        if array.dtype.kind not in "biuf" or not np.isfinite(array).all():
            raise ShapeError(f"{where}: {variable.path} must hold finite real numbers")
        within_range(array, f"{where} ({variable.path})", variable.value.dtype)
        arrays.append(array)
    return arrays
