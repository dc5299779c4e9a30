"""``Flatten``: (None, d1, d2, ...) to (None, d1 * d2 * ...), without copying.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Flatten
>>> Flatten(name="flat_doc")(np.zeros((2, 3, 4))).shape
(2, 12)
"""

from __future__ import annotations

import math

from .layer import Layer

__all__ = ["Flatten"]


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
