"""The rest of Keras 3's activations, each with its derivative written out.

They follow Keras 3's definitions (``keras.activations``, the torch backend's formulas):
``elu``, ``selu``, ``gelu`` (exact by default, ``approximate=True`` for the tanh form),
``silu`` (also called ``swish``), ``softplus``, ``softsign``, ``hard_sigmoid`` (relu6(x + 3) / 6),
``hard_silu`` (also ``hard_swish``), ``relu6``, ``mish``, ``log_softmax`` and the ``relu`` of the
``ReLU`` layer with ``max_value`` / ``negative_slope`` / ``threshold``. Users reach them through
:mod:`glassnet.activations`; this module only holds the classes.

Example
-------
>>> import numpy as np
>>> from glassnet import activations
>>> fn = activations.get("hard_sigmoid")
>>> z = np.array([-4.0, 0.0, 1.5]); a = fn.forward(z, np.empty(3)); a.tolist()
[0.0, 0.5, 0.75]
>>> fn.backward(np.ones(3), z, a, np.empty(3)).tolist()   # 1/6 inside (-3, 3), 0 outside
[0.0, 0.16666666666666666, 0.16666666666666666]
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .activations import ActivationFunction
from .errors import ConfigError

__all__ = ["ELU", "GELU", "SELU", "AxisSoftmax", "HardSiLU", "HardSigmoid", "KerasReLU",
           "LogSoftmax", "Mish", "ReLU6", "SiLU", "Softplus", "Softsign", "erf"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def _number(value, what: str, minimum=None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{what} must be >= {minimum}, got {value!r}")
    return float(value)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise (SciPy's where installed, else ``math.erf``)."""
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:  # pragma: no cover - SciPy is in every test environment
        return np.vectorize(math.erf, otypes=[x.dtype])(x)
    return scipy_erf(x).astype(x.dtype, copy=False)


def _sigmoid(z, out):
    """1 / (1 + e^-z) through tanh (no overflow), into ``out``."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _softplus(z, out):
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|), into ``out``."""
    np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0)
    return out


class ELU(ActivationFunction):
    """z where z > 0, else alpha (e^z - 1)."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = _number(alpha, "elu: alpha")

    def forward(self, z, out):
        np.minimum(z, 0, out=out)
        np.expm1(out, out=out)
        out *= self.alpha
        np.copyto(out, z, where=z > 0)
        return out

    def backward(self, grad, z, a, out):
        np.minimum(z, 0, out=out)  # alpha e^z below 0, 1 above
        np.exp(out, out=out)
        out *= self.alpha
        np.copyto(out, 1.0, where=z > 0)
        return np.multiply(out, grad, out=out)

    def get_config(self):
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class SELU(ActivationFunction):
    """scale * elu(z, alpha) with Keras's fixed alpha and scale (self-normalising)."""

    name = "selu"

    def forward(self, z, out):
        ELU(SELU_ALPHA).forward(z, out)
        out *= SELU_SCALE
        return out

    def backward(self, grad, z, a, out):
        ELU(SELU_ALPHA).backward(grad, z, a, out)
        out *= SELU_SCALE
        return out


class GELU(ActivationFunction):
    """z * Phi(z) (the normal CDF); ``approximate=True``: Keras's tanh form."""

    name = "gelu"

    def __init__(self, approximate: bool = False):
        if not isinstance(approximate, bool):
            raise ConfigError(f"gelu: approximate must be True or False, got {approximate!r}")
        self.approximate = approximate

    def _inner(self, z):
        return _SQRT_2_OVER_PI * (z + _GELU_CUBIC * z ** 3)

    def forward(self, z, out):
        if self.approximate:
            np.tanh(self._inner(z), out=out)
        else:
            np.copyto(out, erf(z * (1 / math.sqrt(2.0))))
        out += 1.0
        out *= 0.5
        return np.multiply(out, z, out=out)

    def backward(self, grad, z, a, out):
        if self.approximate:
            t = np.tanh(self._inner(z))
            slope = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * z * z)
            np.copyto(out, 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * slope)
        else:  # Phi(z) + z phi(z)
            cdf = 0.5 * (1 + erf(z * (1 / math.sqrt(2.0))))
            np.copyto(out, cdf + z * np.exp(-0.5 * z * z) * (1 / math.sqrt(2 * math.pi)))
        return np.multiply(out, grad, out=out)

    def get_config(self):
        return {"name": self.name, "approximate": self.approximate}

    def __repr__(self):
        return f"GELU(approximate={self.approximate})"


class SiLU(ActivationFunction):
    """z * sigmoid(z) (Keras's ``silu``, also named ``swish``)."""

    name = "silu"

    def forward(self, z, out):
        return np.multiply(_sigmoid(z, out), z, out=out)

    def backward(self, grad, z, a, out):
        s = _sigmoid(z, np.empty_like(z))  # s + z s (1 - s) = s + a (1 - s)
        np.subtract(1.0, s, out=out)
        out *= a
        out += s
        return np.multiply(out, grad, out=out)


class Softplus(ActivationFunction):
    """log(1 + e^z), computed without overflow."""

    name = "softplus"

    def forward(self, z, out):
        return _softplus(z, out)

    def backward(self, grad, z, a, out):
        return np.multiply(_sigmoid(z, out), grad, out=out)


class Softsign(ActivationFunction):
    """z / (1 + |z|)."""

    name = "softsign"

    def forward(self, z, out):
        np.abs(z, out=out)
        out += 1.0
        return np.divide(z, out, out=out)

    def backward(self, grad, z, a, out):
        np.abs(z, out=out)  # 1 / (1 + |z|)^2
        out += 1.0
        np.square(out, out=out)
        return np.divide(grad, out, out=out)


class HardSigmoid(ActivationFunction):
    """relu6(z + 3) / 6 = clip(z / 6 + 1/2, 0, 1), Keras 3's definition."""

    name = "hard_sigmoid"

    def forward(self, z, out):
        np.add(z, 3.0, out=out)
        np.clip(out, 0.0, 6.0, out=out)
        out /= 6.0
        return out

    def backward(self, grad, z, a, out):
        inside = (z > -3.0) & (z < 3.0)
        np.multiply(grad, 1 / 6, out=out)
        out *= inside
        return out


class HardSiLU(ActivationFunction):
    """z * hard_sigmoid(z) (Keras's ``hard_silu``, also named ``hard_swish``)."""

    name = "hard_silu"

    def forward(self, z, out):
        HardSigmoid().forward(z, out)
        return np.multiply(out, z, out=out)

    def backward(self, grad, z, a, out):
        # 0 below -3, (2z + 3) / 6 inside, 1 above 3
        np.multiply(z, 1 / 3, out=out)
        out += 0.5
        np.copyto(out, 0.0, where=z <= -3.0)
        np.copyto(out, 1.0, where=z >= 3.0)
        return np.multiply(out, grad, out=out)


class ReLU6(ActivationFunction):
    """min(max(z, 0), 6)."""

    name = "relu6"

    def forward(self, z, out):
        return np.clip(z, 0.0, 6.0, out=out)

    def backward(self, grad, z, a, out):
        np.multiply(grad, (z > 0) & (z < 6), out=out)
        return out


class Mish(ActivationFunction):
    """z * tanh(softplus(z))."""

    name = "mish"

    def forward(self, z, out):
        _softplus(z, out)
        np.tanh(out, out=out)
        return np.multiply(out, z, out=out)

    def backward(self, grad, z, a, out):
        t = np.tanh(_softplus(z, np.empty_like(z)))
        s = _sigmoid(z, out)  # tanh(sp) + z (1 - tanh(sp)^2) sigmoid(z)
        s *= z
        s *= 1 - t * t
        s += t
        return np.multiply(s, grad, out=out)


class LogSoftmax(ActivationFunction):
    """z - log(sum(e^z)) over ``axis`` (the last by default)."""

    name = "log_softmax"

    def __init__(self, axis: int = -1):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ConfigError(f"log_softmax: axis must be an int, got {axis!r}")
        self.axis = int(axis)

    def forward(self, z, out):
        shifted = z - z.max(axis=self.axis, keepdims=True)
        total = np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        return np.subtract(shifted, total, out=out)

    def backward(self, grad, z, a, out):
        # dL/dz = g - softmax(z) * sum(g), softmax(z) = e^a
        total = grad.sum(axis=self.axis, keepdims=True)
        np.exp(a, out=out)
        out *= total
        return np.subtract(grad, out, out=out)

    def get_config(self):
        return {"name": self.name} if self.axis == -1 else {"name": self.name, "axis": self.axis}


class KerasReLU(ActivationFunction):
    """Keras's ``relu(x, negative_slope, max_value, threshold)``: x above ``threshold``
    (capped at ``max_value``), ``negative_slope * (x - threshold)`` below it, else 0."""

    name = "relu"

    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope = _number(negative_slope, "ReLU: negative_slope", 0.0)
        self.max_value = None if max_value is None else _number(max_value, "ReLU: max_value",
                                                                0.0)
        self.threshold = _number(threshold, "ReLU: threshold", 0.0)

    def forward(self, z, out):
        t, top = self.threshold, self.max_value
        np.copyto(out, 0.0)
        np.copyto(out, z, where=z > t)
        if top is not None:
            np.clip(out, 0.0, top, out=out)
        if self.negative_slope:
            out -= self.negative_slope * np.maximum(t - z, 0)
        return out

    def backward(self, grad, z, a, out):
        slope = z > self.threshold
        if self.max_value is not None:
            slope &= z < self.max_value
        np.multiply(grad, slope, out=out)
        if self.negative_slope:
            out += self.negative_slope * grad * (z < self.threshold)
        return out

    def get_config(self):
        return {"name": self.name, "negative_slope": self.negative_slope,
                "max_value": self.max_value, "threshold": self.threshold}

    def __repr__(self):
        return (f"KerasReLU(negative_slope={self.negative_slope}, max_value={self.max_value}, "
                f"threshold={self.threshold})")


class AxisSoftmax(ActivationFunction):
    """Softmax over one ``axis`` of the whole tensor (batch axis 0), for ``Softmax(axis=1)``
    on inputs with more than one feature axis."""

    name = "softmax"

    def __init__(self, axis: int):
        self.axis = int(axis)

    def forward(self, z, out):
        np.subtract(z, z.max(axis=self.axis, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=self.axis, keepdims=True)
        return out

    def backward(self, grad, z, a, out):
        np.multiply(grad, a, out=out)  # a * (g - sum(g a)) over the axis
        row_dot = out.sum(axis=self.axis, keepdims=True)
        np.subtract(grad, row_dot, out=out)
        return np.multiply(out, a, out=out)

    def get_config(self):
        return {"name": self.name, "axis": self.axis}
