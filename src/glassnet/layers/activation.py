"""Activation layers: ``Activation(name)`` and the fixed ones, ``ReLU``, ``Sigmoid``, ...

Example
-------
>>> import numpy as np
>>> from glassnet.layers import LeakyReLU
>>> LeakyReLU(0.5, name="leaky_doc")(np.array([[-2.0, 3.0]])).tolist()
[[-1.0, 3.0]]
"""

from __future__ import annotations

from .. import activations
from .layer import Layer

__all__ = ["Activation", "LeakyReLU", "ReLU", "Sigmoid", "Softmax", "Tanh"]


class Activation(Layer):
    """Applies an activation function on its own: ``Activation('relu')``."""

    cache_attrs = ("net", "out")

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.output_activation = self.activation

    def forward(self, x, training=False):
        out = self.activation.forward(x, self._buffer("out", len(x), x.shape[1:], x.dtype))
        self.net, self.out = x, out
        return out

    def backward(self, grad, preactivation_grad=False):
        if preactivation_grad:
            return grad
        dx = self._buffer("dx", len(grad), grad.shape[1:], grad.dtype)
        return self.activation.backward(grad, self.net, self.out, dx)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation.get_config()}


class _FixedActivation(Activation):
    """An Activation layer whose function is fixed by the class (``ReLU()`` for 'relu')."""

    function = "linear"

    def __init__(self, **kwargs):
        super().__init__(self.function, **kwargs)

    def get_config(self):
        return Layer.get_config(self)


class ReLU(_FixedActivation):
    """max(x, 0) as a layer."""

    function = "relu"


class Sigmoid(_FixedActivation):
    """The logistic sigmoid as a layer."""

    function = "sigmoid"


class Tanh(_FixedActivation):
    """tanh as a layer."""

    function = "tanh"


class Softmax(_FixedActivation):
    """Softmax over the features as a layer."""

    function = "softmax"


class LeakyReLU(Activation):
    """x where x > 0, else ``negative_slope * x`` (Keras's default 0.3; ``alpha`` is accepted)."""

    def __init__(self, negative_slope: float = 0.3, alpha=None, **kwargs):
        slope = negative_slope if alpha is None else alpha
        super().__init__(activations.LeakyReLU(slope), **kwargs)

    def get_config(self):
        return {**Layer.get_config(self), "negative_slope": self.activation.negative_slope}
