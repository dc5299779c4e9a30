"""Layers: each one's forward keeps what its backward needs; backward returns dL/d(input).

A layer's life, as in Keras: ``build(input_shape)`` learns the input shape and declares its
parameters; the model then binds the parameters to views of its one flat buffer. ``forward``
and ``backward`` write into workspaces that are allocated once per batch size and reused, so a
training step allocates no arrays.

In the seeds' notation, for ``Dense`` with activation f: ``net = x W + b``, ``out = f(net)``;
backward turns dE/dout into the delta dE/dnet (BP1/BP2), then dE/dW = x^T delta (BP4),
dE/db = sum of delta (BP3), and dE/dx = delta W^T, which the layer below receives.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense, Input
>>> x = Input((2,))
>>> y = Dense(3, activation="relu")(x)
>>> y.shape
(None, 3)
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np

from . import activations, initializers, kernels
from ._blas import SINGLE_THREAD_BELOW
from ._checks import boolean, fraction, positive_count
from ._registry import Registry
from .errors import ConfigError, ShapeError
from .utils import as_generator

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Flatten",
    "Input",
    "Layer",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "SymbolicTensor",
    "Tanh",
    "get",
]

_name_counters: dict[str, itertools.count] = defaultdict(itertools.count)


def _auto_name(prefix: str) -> str:
    i = next(_name_counters[prefix])
    return prefix if i == 0 else f"{prefix}_{i}"


def _shape(value, what: str) -> tuple[int, ...]:
    dims = (value,) if isinstance(value, (int, np.integer)) else value
    if not isinstance(dims, (tuple, list)) or not dims or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ConfigError(f"{what} must be a tuple of positive integers, got {value!r}")
    return tuple(int(d) for d in dims)


def _matmul(a, b, out, training: bool):
    """out = a @ b. Products of a training pass (``fit``, and the gradient checks, ``explain``
    and the classic APIs, which train too) small enough to run on one core (the size under
    which ``fit`` gives BLAS one thread) and at least 4 rows go to the active kernels: numba's
    keeps a block of ``out`` in registers (and skips zero inputs where that pays). The rest,
    and every product of ``predict`` and ``evaluate``, go to BLAS."""
    if training and len(a) >= 4 and 2.0 * a.size * b.shape[1] < SINGLE_THREAD_BELOW:
        return kernels.active().matmul(a, b, out)
    return np.matmul(a, b, out=out)


def _fmt(shape) -> str:
    return "(None, " + ", ".join(str(d) for d in shape) + ")"


class SymbolicTensor:
    """A placeholder flowing through the functional API: a shape and the layer that made it."""

    def __init__(self, shape, layer=None, parent=None, name=None):
        self.shape = (None, *shape)
        self.layer = layer
        self.parent = parent
        self.name = name or (layer.name if layer is not None else _auto_name("input"))

    def __repr__(self) -> str:
        return f"<SymbolicTensor {self.name!r} shape={self.shape}>"


def Input(shape, name: str | None = None) -> SymbolicTensor:
    """The start of a functional model: ``Input((2,))`` stands for a batch of 2-vectors."""
    return SymbolicTensor(_shape(shape, "Input shape"), name=name)


class Layer:
    """Base class. Subclasses implement ``compute_output_shape``, ``forward`` and ``backward``,
    and ``param_specs`` when they have parameters."""

    output_activation: activations.ActivationFunction | None = None

    def __init__(self, name: str | None = None, input_shape=None, input_dim=None):
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{type(self).__name__}: name must be a str, got {name!r}")
        self.name = name or _auto_name(_snake(type(self).__name__))
        if input_dim is not None:
            input_shape = (input_dim,)
        self.input_shape = None if input_shape is None else _shape(input_shape, "input_shape")
        self.declared_input_shape = self.input_shape
        self.output_shape: tuple[int, ...] | None = None
        self.built = False
        self.weights: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.needs_input_grad = True
        self._workspace: dict[str, np.ndarray] = {}

    # -- shapes and parameters -------------------------------------------------------------
    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def check_input_shape(self, input_shape: tuple) -> None:
        """Raise if ``input_shape`` differs from the one this layer was built or declared with."""
        expected = self.input_shape
        if expected is not None and tuple(input_shape) != expected:
            raise ShapeError(
                f"layer {self.name!r} ({type(self).__name__}) expects input of shape "
                f"{_fmt(expected)} but got {_fmt(input_shape)}"
            )

    def build(self, input_shape: tuple) -> tuple:
        """Fix the input shape; return the output shape."""
        self.check_input_shape(input_shape)
        self.output_shape = self.compute_output_shape(tuple(input_shape))
        self.input_shape = tuple(input_shape)
        self.built = True
        return self.output_shape

    def param_specs(self) -> list[tuple[str, tuple, initializers.Initializer]]:
        """(name, shape, initializer) of each parameter, in Keras's order."""
        return []

    def count_params(self) -> int:
        return sum(math.prod(shape) for _, shape, _ in self.param_specs())

    def bind(self, weights: dict, grads: dict, rng) -> None:
        """Adopt views of the model's buffers; keep earlier values, or initialise new ones."""
        for name, shape, init in self.param_specs():
            old = self.weights.get(name)
            view = weights[name]
            view[...] = old if old is not None else init(shape, view.dtype, rng)
        self.weights, self.grads = weights, grads

    def get_weights(self) -> list[np.ndarray]:
        return [self.weights[name].copy() for name, _, _ in self.param_specs()]

    # -- workspaces ------------------------------------------------------------------------
    def _buffer(self, key: str, n: int, tail: tuple, dtype) -> np.ndarray:
        """A reusable (n, *tail) array; grows when a larger batch arrives."""
        buf = self._workspace.get(key)
        if buf is None or buf.shape[0] < n or buf.dtype != dtype:
            buf = self._workspace[key] = np.empty((n, *tail), dtype=dtype)
        return buf[:n]

    # -- computation -----------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, preactivation_grad: bool = False):
        raise NotImplementedError

    def __call__(self, inputs):
        if isinstance(inputs, (list, tuple)):
            raise ConfigError(
                f"layer {self.name!r} takes one input; graphs with several inputs or branches "
                "are not supported yet: build a chain of layers"
            )
        if not isinstance(inputs, SymbolicTensor):
            raise ConfigError(
                f"layer {self.name!r} was called on {type(inputs).__name__}; call layers on "
                "glassnet.Input(...) tensors to build a model, and use model.predict(x) for data"
            )
        shape = self.build(inputs.shape[1:]) if not self.built else self._check_rebuild(inputs)
        return SymbolicTensor(shape, layer=self, parent=inputs)

    def _check_rebuild(self, inputs) -> tuple:
        self.check_input_shape(inputs.shape[1:])
        return self.output_shape

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} output_shape={self.output_shape}>"


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


class Dense(Layer):
    """A fully connected layer: ``out = activation(x @ kernel + bias)``.

    ``kernel`` has shape (inputs, units) and ``bias`` (units,), as in Keras.
    """

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 input_shape=None, name: str | None = None, input_dim=None):
        units = positive_count(units, "Dense: units")
        super().__init__(name, input_shape, input_dim)
        self.units = units
        self.activation = activations.get(activation)
        self.output_activation = self.activation
        self.use_bias = boolean(use_bias, "Dense: use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._linear = self.activation.name == "linear"

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ShapeError(
                f"layer {self.name!r} (Dense) needs flat inputs (None, features) but got "
                f"{_fmt(input_shape)}: put a Flatten() layer before it"
            )
        return (self.units,)

    def param_specs(self):
        specs = [("kernel", (*self.input_shape, self.units), self.kernel_initializer)]
        if self.use_bias:
            specs.append(("bias", (self.units,), self.bias_initializer))
        return specs

    @property
    def kernel(self) -> np.ndarray:
        return self.weights["kernel"]

    @property
    def bias(self) -> np.ndarray | None:
        return self.weights.get("bias")

    def forward(self, x, training=False):
        n = len(x)
        net = _matmul(x, self.weights["kernel"], self._buffer("net", n, (self.units,), x.dtype),
                      training)
        bias = self.weights.get("bias")
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
        return np.matmul(delta, self.weights["kernel"].T, out=dx)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation.get_config(),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer.get_config(),
            "bias_initializer": self.bias_initializer.get_config(),
        }


class Activation(Layer):
    """Applies an activation function on its own: ``Activation('relu')``."""

    def __init__(self, activation, name: str | None = None, input_shape=None):
        super().__init__(name, input_shape)
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

    def __init__(self, name=None, input_shape=None):
        super().__init__(self.function, name, input_shape)

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

    def __init__(self, negative_slope: float = 0.3, name=None, input_shape=None, alpha=None):
        slope = negative_slope if alpha is None else alpha
        super().__init__(activations.LeakyReLU(slope), name, input_shape)

    def get_config(self):
        return {**Layer.get_config(self), "negative_slope": self.activation.negative_slope}


class Flatten(Layer):
    """Reshapes (None, d1, d2, ...) to (None, d1 * d2 * ...) without copying."""

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False):
        return x.reshape(len(x), -1)

    def backward(self, grad, preactivation_grad=False):
        return grad.reshape(len(grad), *self.input_shape)


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of its inputs while training, scaling the rest by 1/(1-rate).

    At inference it passes its input through unchanged.
    """

    def __init__(self, rate: float, seed=None, name=None, input_shape=None):
        rate = fraction(rate, "Dropout: rate")
        super().__init__(name, input_shape)
        self.rate = float(rate)
        self.seed = seed
        self.rng = None if seed is None else as_generator(seed)
        self._mask = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        mask = self._buffer("mask", len(x), x.shape[1:], x.dtype)
        (self.rng or as_generator(None)).random(out=mask, dtype=mask.dtype)
        np.greater_equal(mask, self.rate, out=mask)
        mask *= 1.0 / (1.0 - self.rate)
        self._mask = mask
        return np.multiply(x, mask, out=self._buffer("out", len(x), x.shape[1:], x.dtype))

    def backward(self, grad, preactivation_grad=False):
        if self._mask is None:
            return grad
        dx = self._buffer("dx", len(grad), grad.shape[1:], grad.dtype)
        return np.multiply(grad, self._mask, out=dx)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


_LAYERS = Registry(
    "layer",
    {cls.__name__: cls for cls in (Dense, Activation, ReLU, Sigmoid, Tanh, Softmax, LeakyReLU,
                                   Flatten, Dropout)},
    base=Layer,
)


def get(config) -> Layer:
    """Rebuild a layer from ``{'class_name': 'Dense', 'config': {...}}``."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ConfigError(f"a layer config needs 'class_name' and 'config' keys, got {config!r}")
    name = _LAYERS.resolve_name(config["class_name"])
    try:
        return _LAYERS.factories[name].from_config(dict(config.get("config", {})))
    except TypeError as exc:
        raise ConfigError(f"bad {name} layer config {config!r}: {exc}") from None


def serialize(layer: Layer) -> dict:
    """The layer's ``{'class_name': ..., 'config': ...}`` form."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}
