"""``Flatten``: (None, d1, d2, ...) to (None, d1 * d2 * ...), and ``Reshape(target_shape)``,
both without copying.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Flatten, Reshape
>>> Flatten(name="flat_doc")(np.zeros((2, 3, 4))).shape
(2, 12)
>>> Reshape((-1, 2), name="reshape_doc")(np.zeros((2, 3, 4))).shape
(2, 6, 2)
"""

from __future__ import annotations

import math

from ..errors import ConfigError, ShapeError
from .layer import Layer, format_shape

__all__ = ["Flatten", "Reshape"]


class Flatten(Layer):
    """Reshapes (None, d1, d2, ...) to (None, d1 * d2 * ...) without copying."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False):
        return x.reshape(len(x), -1)

    def backward(self, grad, preactivation_grad=False):
        return grad.reshape(len(grad), *self.input_shape)


class Reshape(Layer):
    """Reshapes (None, ...) to (None, *target_shape); one entry of ``target_shape`` may be -1
    (inferred from the rest), as in Keras."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        dims = (target_shape,) if isinstance(target_shape, int) else target_shape
        if not isinstance(dims, (tuple, list)) or not dims or not all(
                isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1)
                for d in dims) or list(dims).count(-1) > 1:
            raise ConfigError(f"layer {self.name!r} (Reshape): target_shape must be a tuple of "
                              f"positive ints with at most one -1, got {target_shape!r}")
        self.target_shape = tuple(dims)

    def compute_output_shape(self, input_shape):
        size, known = math.prod(input_shape), math.prod(d for d in self.target_shape if d != -1)
        shape = tuple(size // known if d == -1 else d for d in self.target_shape)
        if math.prod(shape) != size:
            raise ShapeError(f"layer {self.name!r} (Reshape): cannot reshape inputs of shape "
                             f"{format_shape(tuple(input_shape))} to "
                             f"{format_shape(self.target_shape)} ({size} values per sample)")
        return shape

    def forward(self, x, training=False):
        return x.reshape(len(x), *self.output_shape)

    def backward(self, grad, preactivation_grad=False):
        return grad.reshape(len(grad), *self.input_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
