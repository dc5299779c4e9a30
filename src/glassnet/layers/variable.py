"""Keras-style variables: a named handle on one weight array of a layer.

``layer.weights`` lists them (trainable first, as Keras does); each reads the layer's current
array, a view into the flat buffer of the model that trains it, so it never goes stale.

Example
-------
>>> import numpy as np
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

__all__ = ["Variable"]


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
        array = np.asarray(value)
        if array.shape != self.shape:
            raise ShapeError(f"variable {self.path!r} has shape {self.shape}, cannot assign a "
                             f"value of shape {array.shape}")
        if array.dtype.kind not in "biuf" or not np.isfinite(array).all():
            raise ShapeError(f"variable {self.path!r}: assign finite real numbers")
        within_range(array, f"variable {self.path!r}", self.value.dtype)
        self.value[...] = array

    def __array__(self, dtype=None, copy=None):
        return self.value.astype(dtype) if dtype is not None else self.value.copy()

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"
