"""Activation layers: ``Activation(name)`` and the fixed ones, ``ReLU``, ``Sigmoid``, ``ELU``,
``PReLU`` (a trainable slope), ... with Keras 3's arguments and defaults.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import ELU, LeakyReLU, ReLU
>>> LeakyReLU(0.5, name="leaky_doc")(np.array([[-2.0, 3.0]])).tolist()
[[-1.0, 3.0]]
>>> ReLU(max_value=6.0, name="relu6_doc")(np.array([[-2.0, 8.0]])).tolist()
[[0.0, 6.0]]
>>> np.round(ELU(name="elu_doc", dtype="float64")(np.array([[-1.0, 2.0]])), 4).tolist()
[[-0.6321, 2.0]]
"""

from __future__ import annotations

import numpy as np

from .. import activations, initializers
from .._activations_keras import AxisSoftmax
from ..errors import ConfigError
from .layer import Layer

__all__ = ["ELU", "Activation", "LeakyReLU", "PReLU", "ReLU", "Sigmoid", "Softmax", "Tanh"]


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


class ReLU(Activation):
    """Keras's ReLU layer: max(x, 0) by default; ``max_value`` caps it, ``threshold`` moves
    the kink, ``negative_slope`` lets negative inputs through scaled."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        function = activations.get({"name": "relu", "negative_slope": negative_slope,
                                    "max_value": max_value, "threshold": threshold})
        super().__init__(function, **kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def get_config(self):
        return {**Layer.get_config(self), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class Sigmoid(_FixedActivation):
    """The logistic sigmoid as a layer."""

    function = "sigmoid"


class Tanh(_FixedActivation):
    """tanh as a layer."""

    function = "tanh"


class Softmax(Activation):
    """Softmax over ``axis`` (the last by default; the batch axis counts as 0, as in Keras)."""

    def __init__(self, axis=-1, **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ConfigError(f"Softmax: axis must be an int such as -1, got {axis!r}")
        super().__init__("softmax", **kwargs)
        self.axis = int(axis)

    def compute_output_shape(self, input_shape):
        rank = len(input_shape) + 1
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ConfigError(f"layer {self.name!r} (Softmax): axis {self.axis} is not a "
                              f"feature axis of inputs of rank {rank} (the batch axis is 0)")
        if self.axis % rank != rank - 1:  # not the last axis: the general form, no fused head
            self.activation, self.output_activation = AxisSoftmax(self.axis % rank), None
        return tuple(input_shape)

    def get_config(self):
        return {**Layer.get_config(self), "axis": self.axis}


class ELU(Activation):
    """x where x > 0, else ``alpha * (e^x - 1)``."""

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(activations.ELU(alpha), **kwargs)
        self.alpha = self.activation.alpha

    def get_config(self):
        return {**Layer.get_config(self), "alpha": self.alpha}


class LeakyReLU(Activation):
    """x where x > 0, else ``negative_slope * x`` (Keras's default 0.3; ``alpha`` is accepted)."""

    def __init__(self, negative_slope: float = 0.3, alpha=None, **kwargs):
        slope = negative_slope if alpha is None else alpha
        super().__init__(activations.LeakyReLU(slope), **kwargs)

    def get_config(self):
        return {**Layer.get_config(self), "negative_slope": self.activation.negative_slope}


class PReLU(Layer):
    """max(x, 0) + alpha * min(x, 0) with a trainable ``alpha`` per feature (shared over
    ``shared_axes``, counted with the batch axis as 0, as Keras)."""

    cache_attrs = ("inputs",)
    elementwise_activation = False

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        for what, value in (("alpha_regularizer", alpha_regularizer),
                            ("alpha_constraint", alpha_constraint)):
            if value is not None:
                raise ConfigError(f"layer {self.name!r} (PReLU): {what} is not supported yet")
        self.alpha_initializer = initializers.get(alpha_initializer)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        if shared_axes is not None and not all(
                isinstance(a, int) and not isinstance(a, bool) for a in shared_axes):
            raise ConfigError(f"layer {self.name!r} (PReLU): shared_axes must be ints (the "
                              f"batch axis is 0), got {shared_axes!r}")
        self.shared_axes = None if shared_axes is None else list(shared_axes)

    def compute_output_shape(self, input_shape):
        for axis in self.shared_axes or ():
            if not 1 <= axis <= len(input_shape):
                raise ConfigError(f"layer {self.name!r} (PReLU): shared axis {axis} is not an "
                                  f"axis of inputs of rank {len(input_shape) + 1} (1 to "
                                  f"{len(input_shape)})")
        return tuple(input_shape)

    def param_specs(self):
        shape = [1 if i + 1 in (self.shared_axes or ()) else d
                 for i, d in enumerate(self.input_shape)]
        return [("alpha", tuple(shape), self.alpha_initializer)]

    def forward(self, x, training=False):
        self.inputs = x
        out = np.minimum(x, 0, out=self._buffer("out", len(x), x.shape[1:], x.dtype))
        out *= self.arrays["alpha"]
        out += np.maximum(x, 0)
        return out

    def backward(self, grad, preactivation_grad=False):
        x, alpha = self.inputs, self.arrays["alpha"]
        negative = np.minimum(x, 0) * grad
        summed = tuple(i for i, d in enumerate((len(x), *alpha.shape)) if i == 0 or d == 1)
        self.grads["alpha"][...] = negative.sum(axis=summed).reshape(alpha.shape)
        if not self.needs_input_grad:
            return None
        dx = self._buffer("dx", len(grad), grad.shape[1:], grad.dtype)
        np.copyto(dx, alpha)
        np.copyto(dx, 1.0, where=x > 0)
        return np.multiply(dx, grad, out=dx)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": self.alpha_initializer.get_config(),
                "alpha_regularizer": None, "alpha_constraint": None,
                "shared_axes": self.shared_axes}
