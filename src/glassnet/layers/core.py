"""``Dense``: the fully connected layer, forward and backward as the seeds write them.

In the seeds' notation, with activation f: ``net = x W + b``, ``out = f(net)``; backward turns
dE/dout into the delta dE/dnet (BP1/BP2), then dE/dW = x^T delta (BP4), dE/db = the sum of
delta over the batch (BP3), and dE/dx = delta W^T, which the layer below receives.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Dense
>>> layer = Dense(2, activation="relu", kernel_initializer="ones", name="dense_doc")
>>> layer(np.array([[1.0, -3.0]])).tolist()
[[0.0, 0.0]]
>>> [w.shape for w in layer.get_weights()]
[(2, 2), (2,)]
"""

from __future__ import annotations

import numpy as np

from .. import _blas, activations, constraints, initializers, kernels, regularizers
from .._checks import boolean, positive_count
from ..errors import ShapeError
from .layer import Layer, format_shape

__all__ = ["Dense"]


def _matmul(a, b, out, training: bool):
    """out = a @ b. Products of a training pass (``fit``, and the gradient checks, ``explain``
    and the classic APIs, which train too) under ``_blas.own_kernels_below`` (the size under
    which ``fit`` gives BLAS one thread) and of at least 4 rows go to the active kernels:
    numba's keeps a block of ``out`` in registers (and skips zero inputs where that pays),
    sharing float32 rows with a second core inside ``fit``. The rest, and every product of
    ``predict`` and ``evaluate``, go to BLAS."""
    if training and len(a) >= 4 and 2.0 * a.size * b.shape[1] < _blas.own_kernels_below(a.dtype):
        return kernels.active().matmul(a, b, out)
    return np.matmul(a, b, out=out)


class Dense(Layer):
    """A fully connected layer: ``out = activation(x @ kernel + bias)``.

    ``kernel`` has shape (inputs, units) and ``bias`` (units,), as in Keras.
    """

    cache_attrs = ("inputs", "net", "out")

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        units = positive_count(units, "Dense: units")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.output_activation = self.activation
        self.use_bias = boolean(use_bias, "Dense: use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._linear = self.activation.name == "linear"

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ShapeError(
                f"layer {self.name!r} (Dense) needs flat inputs (None, features) but got "
                f"{format_shape(input_shape)}: put a Flatten() layer before it"
            )
        return (self.units,)

    def param_specs(self):
        specs = [("kernel", (*self.input_shape, self.units), self.kernel_initializer)]
        if self.use_bias:
            specs.append(("bias", (self.units,), self.bias_initializer))
        return specs

    @property
    def kernel(self) -> np.ndarray:
        if not self.built:  # an AttributeError, so hasattr() and Keras-style checks work
            raise AttributeError(f"layer {self.name!r} has no kernel before it is built: call "
                                 "it on data, or give the model an Input shape")
        self._materialized_specs(True)
        return self.arrays["kernel"]

    @property
    def bias(self) -> np.ndarray | None:
        self._materialized_specs(True)
        return self.arrays.get("bias")

    def forward(self, x, training=False):
        n = len(x)
        net = _matmul(x, self.arrays["kernel"], self._buffer("net", n, (self.units,), x.dtype),
                      training)
        bias = self.arrays.get("bias")
        if self._linear:
            if bias is not None:
                net += bias
            out = net
        else:  # bias add and activation in one kernel
            out = self._buffer("out", n, (self.units,), x.dtype)
            out = self.activation.bias_forward(net, bias, out)
        self.inputs, self.net, self.out = x, net, out
        return out

    def backward(self, grad, preactivation_grad=False):
        if self._linear or preactivation_grad:
            delta = grad
        else:
            delta = self._buffer("delta", len(grad), (self.units,), grad.dtype)
            delta = self.activation.backward(grad, self.net, self.out, delta)
        _matmul(self.inputs.T, delta, self.grads["kernel"], True)
        if self.use_bias:
            np.add.reduce(delta, axis=0, out=self.grads["bias"])  # np.sum minus its wrapper
        if not self.needs_input_grad:
            return None
        dx = self._buffer("dx", len(grad), self.input_shape, grad.dtype)
        return _matmul(delta, self.arrays["kernel"].T, dx, True)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation.get_config(),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
