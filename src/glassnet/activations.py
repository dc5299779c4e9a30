"""Activation functions and their derivatives.

Two faces of the same math:

* plain functions (``relu(x)``, ``sigmoid(x)``, ...) with Keras's names, for users;
* :class:`ActivationFunction` objects that layers use, each with ``forward(z, out)`` and
  ``backward(grad, z, a, out)``. ``backward`` turns dL/da into dL/dz, the chain-rule factor
  da/dz the seeds write as ``out * (1 - out)`` for the sigmoid. Both write into preallocated
  ``out`` buffers, so a training step allocates nothing.

Example
-------
>>> import numpy as np
>>> from glassnet import activations
>>> activations.relu(np.array([-1.0, 2.0]))
array([0., 2.])
>>> fn = activations.get("sigmoid")
>>> z = np.zeros(1); a = fn.forward(z, np.empty(1)); a
array([0.5])
>>> fn.backward(np.ones(1), z, a, np.empty(1))   # da/dz = a (1 - a)
array([0.25])
"""

from __future__ import annotations

import math
import numbers
import types

import numpy as np

from . import kernels
from ._registry import Registry
from .errors import ConfigError, DataError

__all__ = [
    "ActivationFunction",
    "elu",
    "exponential",
    "gelu",
    "get",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]


class ActivationFunction:
    """An activation with its derivative, writing into caller-owned buffers.

    Subclasses implement ``forward(z, out)`` returning ``out`` = f(z), and
    ``backward(grad, z, a, out)`` returning dL/dz given dL/da (``grad``), the input ``z`` and
    the output ``a``. ``backward`` may use ``out`` as scratch; it never modifies ``z`` or ``a``.
    """

    name = "base"

    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad, z, a, out):
        raise NotImplementedError

    def bias_forward(self, z: np.ndarray, bias, out: np.ndarray) -> np.ndarray:
        """``z += bias`` (when not None), then ``forward``: a Dense layer's (n, units) output.

        Activations with a fused kernel (see :mod:`glassnet.kernels`) do both in one pass.
        """
        if bias is not None:
            z += bias
        return self.forward(z, out)

    def get_config(self) -> dict:
        return {"name": self.name}

    def __call__(self, x):
        if type(x).__name__ == "Tensor" and hasattr(x, "_vjp"):  # inside a custom layer's call()
            from .layers.custom import activation_on_tensor

            return activation_on_tensor(self, x)
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise DataError(f"activation {self.name}: needs numbers, got {x.dtype} values; "
                            "convert them first (for example np.asarray(x, dtype=float))")
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
        return self.forward(x, np.empty_like(x))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(ActivationFunction):
    name = "linear"

    def forward(self, z, out):
        np.copyto(out, z)
        return out

    def backward(self, grad, z, a, out):
        np.copyto(out, grad)
        return out


class ReLU(ActivationFunction):
    name = "relu"

    def forward(self, z, out):
        return np.maximum(z, 0, out=out)

    def bias_forward(self, z, bias, out):
        return kernels.active().bias_relu(z, bias, out)

    def backward(self, grad, z, a, out):
        return kernels.active().relu_backward(grad, a, out)


class Sigmoid(ActivationFunction):
    """1 / (1 + e^-z), computed as (1 + tanh(z / 2)) / 2: stable for any z, no overflow."""

    name = "sigmoid"

    def forward(self, z, out):
        np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
        return out

    def backward(self, grad, z, a, out):
        np.subtract(1.0, a, out=out)  # da/dz = a (1 - a)
        out *= a
        return np.multiply(out, grad, out=out)


class Tanh(ActivationFunction):
    name = "tanh"

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def backward(self, grad, z, a, out):
        np.square(a, out=out)  # da/dz = 1 - a^2
        np.subtract(1.0, out, out=out)
        return np.multiply(out, grad, out=out)


class Exponential(ActivationFunction):
    """exp(z): positive outputs, for counts (scikit-learn's Poisson regressor uses it)."""

    name = "exponential"

    def forward(self, z, out):
        return np.exp(z, out=out)

    def backward(self, grad, z, a, out):
        return np.multiply(grad, a, out=out)  # da/dz = exp(z) = a


class LeakyReLU(ActivationFunction):
    """max(z, 0) + negative_slope * min(z, 0); 0.2 by default, as Keras's ``leaky_relu``
    function (the ``LeakyReLU`` layer's default is 0.3)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.2):
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real) or \
                not math.isfinite(negative_slope):
            raise ConfigError(f"LeakyReLU: negative_slope must be a finite number such as 0.3, "
                              f"got {negative_slope!r}")
        if abs(negative_slope) > 3.4e38:  # float32's range: it multiplies float32 inputs
            raise ConfigError(f"LeakyReLU: negative_slope {negative_slope!r} is beyond float32's "
                              "range; use a slope such as 0.3")
        self.negative_slope = float(negative_slope)

    def forward(self, z, out):
        np.multiply(z, self.negative_slope, out=out)
        pick = np.maximum if self.negative_slope <= 1 else np.minimum
        return pick(z, out, out=out)

    def backward(self, grad, z, a, out):
        # slope = 1 where z > 0 and negative_slope where z < 0, from sign(z) without a mask.
        half_gap = (1.0 - self.negative_slope) / 2
        np.sign(z, out=out)
        out *= half_gap
        out += 1.0 - half_gap
        return np.multiply(out, grad, out=out)

    def get_config(self):
        return {"name": self.name, "negative_slope": self.negative_slope}

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Softmax(ActivationFunction):
    """exp(z) / sum(exp(z)) over the last axis, shifted by the row maximum for stability."""

    name = "softmax"

    def forward(self, z, out):
        return kernels.bias_softmax(z, None, out)

    def bias_forward(self, z, bias, out):
        return kernels.active().bias_softmax(z, bias, out)

    def backward(self, grad, z, a, out):
        # dL/dz = a * (dL/da - sum(dL/da * a)), the softmax Jacobian applied row by row.
        np.multiply(grad, a, out=out)
        row_dot = out.sum(axis=-1, keepdims=True)
        np.subtract(grad, row_dot, out=out)
        return np.multiply(out, a, out=out)


def get(identifier) -> ActivationFunction:
    """Resolve an activation from a name, a config dict, an instance, one of this module's
    functions (``activations.gelu``), an activation layer (``LeakyReLU(0.1)``), or None
    ('linear').

    Example
    -------
    >>> get("relu").name, get(None).name, get(gelu).name, get("swish").name
    ('relu', 'linear', 'gelu', 'silu')
    """
    if identifier is None:
        return Linear()
    if isinstance(identifier, types.FunctionType) and identifier.__module__ == __name__ and \
            identifier.__name__ in _ACTIVATIONS.names():
        return _ACTIVATIONS.get(identifier.__name__)
    layer_function = _layer_activation(identifier)
    if layer_function is not None:
        return layer_function
    return _ACTIVATIONS.get(identifier)


def _layer_activation(identifier):
    """The function of an activation layer given as ``activation=`` (None if not a layer)."""
    from .layers.layer import Layer

    if not isinstance(identifier, Layer):
        return None
    function = getattr(identifier, "activation", None)
    if not isinstance(function, ActivationFunction) or identifier.param_specs() or \
            getattr(identifier, "elementwise_activation", True) is False:
        raise ConfigError(f"activation={identifier.name!r} ({type(identifier).__name__}): only "
                          "layers that apply a fixed function (ReLU, LeakyReLU, ELU, Softmax, "
                          "Activation, ...) can be an activation; add this layer after the "
                          "Dense layer instead")
    return function


def serialize(function: ActivationFunction):
    """Keras's form of an activation: its name, or its config where it has options."""
    config = get(function).get_config()
    return config["name"] if len(config) == 1 else config


def linear(x):
    """Identity: f(x) = x."""
    return Linear()(x)


def relu(x):
    """Rectified linear unit: max(x, 0)."""
    return ReLU()(x)


def sigmoid(x):
    """Logistic sigmoid: 1 / (1 + e^-x)."""
    return Sigmoid()(x)


def tanh(x):
    """Hyperbolic tangent."""
    return Tanh()(x)


def softmax(x):
    """Softmax over the last axis; each row sums to one."""
    return Softmax()(x)


def exponential(x):
    """Exponential: e^x."""
    return Exponential()(x)


def leaky_relu(x, negative_slope: float = 0.2):
    """Leaky ReLU: x where x > 0, else negative_slope * x (Keras's function default 0.2)."""
    return LeakyReLU(negative_slope)(x)


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: x where x > 0, else alpha (e^x - 1)."""
    return ELU(alpha)(x)


def selu(x):
    """Scaled ELU with Keras's constants (alpha 1.67326324, scale 1.05070098)."""
    return SELU()(x)


def gelu(x, approximate: bool = False):
    """Gaussian error linear unit x * Phi(x); ``approximate=True`` uses the tanh form."""
    return GELU(approximate)(x)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    return SiLU()(x)


swish = silu


def softplus(x):
    """log(1 + e^x)."""
    return Softplus()(x)


def softsign(x):
    """x / (1 + |x|)."""
    return Softsign()(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6, Keras 3's piecewise-linear sigmoid."""
    return HardSigmoid()(x)


def hard_silu(x):
    """x * hard_sigmoid(x) (also called hard_swish)."""
    return HardSiLU()(x)


hard_swish = hard_silu


def relu6(x):
    """min(max(x, 0), 6)."""
    return ReLU6()(x)


def mish(x):
    """x * tanh(softplus(x))."""
    return Mish()(x)


def log_softmax(x, axis: int = -1):
    """x - log(sum(e^x)) over ``axis``."""
    return LogSoftmax(axis)(x)


from ._activations_keras import (  # noqa: E402  (they subclass ActivationFunction above)
    ELU,
    GELU,
    SELU,
    HardSigmoid,
    HardSiLU,
    KerasReLU,
    LogSoftmax,
    Mish,
    ReLU6,
    SiLU,
    Softplus,
    Softsign,
)


def _relu(negative_slope=0.0, max_value=None, threshold=0.0) -> ActivationFunction:
    """'relu' with Keras's options: the fast ReLU when they are the defaults."""
    if negative_slope == 0 and max_value is None and threshold == 0:
        return ReLU()
    return KerasReLU(negative_slope, max_value, threshold)


_ACTIVATIONS = Registry(
    "activation",
    {
        "linear": Linear,
        "relu": _relu,
        "sigmoid": Sigmoid,
        "tanh": Tanh,
        "softmax": Softmax,
        "leaky_relu": LeakyReLU,
        "exponential": Exponential,
        "elu": ELU,
        "selu": SELU,
        "gelu": GELU,
        "silu": SiLU,
        "softplus": Softplus,
        "softsign": Softsign,
        "hard_sigmoid": HardSigmoid,
        "hard_silu": HardSiLU,
        "relu6": ReLU6,
        "mish": Mish,
        "log_softmax": LogSoftmax,
    },
    base=ActivationFunction,
    aliases={"swish": "silu", "hard_swish": "hard_silu"},
)
