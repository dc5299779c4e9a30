"""``Identity``: passes its input through (Keras's placeholder layer).

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Identity
>>> Identity(name="identity_doc")(np.array([[1.0, 2.0]])).tolist()
[[1.0, 2.0]]
"""

from __future__ import annotations

from .layer import Layer

__all__ = ["Identity"]


class Identity(Layer):
    """out = x; the gradient passes through unchanged."""

    def forward(self, x, training=False):
        return x

    def backward(self, grad, preactivation_grad=False):
        return grad
