"""Neural-network ops (``keras.ops.nn``, also at ``keras.ops``'s top level): activations,
``softmax`` / ``log_softmax`` and the cross-entropies, with Keras's definitions (its epsilon
clip of probabilities, sigmoid/softmax of logits) and their backward.

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> ops.softmax(np.array([[0.0, np.log(3.0)]])).round(6).tolist()
[[0.25, 0.75]]
>>> float(ops.binary_crossentropy(np.array(1.0), np.array(0.5)).round(6))
0.693147
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from . import arrays
from . import elementwise as el
from . import reductions as red
from .elementwise import apply, tanh
from .tensor import value_of

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "elu",
    "gelu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "normalize",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "sparse_categorical_crossentropy",
    "swish",
    "tanh",
]

EPSILON = 1e-7  # keras.config.epsilon()
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(v):
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1 / (1 + e), e / (1 + e)).astype(np.result_type(v, np.float32))


def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow."""
    return apply(x, _sigmoid, lambda g, v, y: g * y * (1 - y))


def relu(x):
    """max(x, 0) (gradient 0 at 0)."""
    return apply(x, lambda v: np.maximum(v, 0), lambda g, v, y: g * (v > 0))


def relu6(x):
    """min(max(x, 0), 6)."""
    return apply(x, lambda v: np.minimum(np.maximum(v, 0), 6),
                 lambda g, v, y: g * ((v > 0) & (v < 6)))


def leaky_relu(x, negative_slope=0.2):
    """x where x > 0, else ``negative_slope * x`` (keras.ops's default slope 0.2)."""
    return apply(x, lambda v: np.where(v > 0, v, negative_slope * v),
                 lambda g, v, y: g * np.where(v > 0, 1, negative_slope))


def elu(x, alpha=1.0):
    """x where x >= 0, else alpha (e^x - 1)."""
    return apply(x, lambda v: np.where(v >= 0, v, alpha * np.expm1(v)),
                 lambda g, v, y: g * np.where(v >= 0, 1, y + alpha))


def selu(x):
    """scale * elu(x, alpha) with Keras's (self-normalising) constants."""
    return el.multiply(elu(x, _SELU_ALPHA), _SELU_SCALE)


def softplus(x):
    """log(1 + e^x), without overflow; its gradient is the sigmoid."""
    return apply(x, lambda v: np.logaddexp(v, 0), lambda g, v, y: g * _sigmoid(v))


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    return apply(x, lambda v: -np.logaddexp(-v, 0), lambda g, v, y: g * _sigmoid(-v))


def softsign(x):
    """x / (1 + |x|)."""
    return apply(x, lambda v: v / (1 + np.abs(v)), lambda g, v, y: g / np.square(1 + np.abs(v)))


def silu(x):
    """x * sigmoid(x) (also named swish)."""
    def backward(g, v, y):
        s = _sigmoid(v)
        return g * s * (1 + v * (1 - s))

    return apply(x, lambda v: v * _sigmoid(v), backward)


swish = silu


def hard_sigmoid(x):
    """clip(x / 6 + 1/2, 0, 1), Keras 3's hard sigmoid."""
    return apply(x, lambda v: np.clip(v / 6 + 0.5, 0, 1),
                 lambda g, v, y: g * ((v > -3) & (v < 3)) / 6)


def hard_silu(x):
    """x * hard_sigmoid(x) (also named hard_swish)."""
    return el.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def gelu(x, approximate=True):
    """x Phi(x): the tanh approximation by default (as keras.ops), exact with erf if not."""
    c = np.sqrt(2 / np.pi)
    if approximate:
        def forward(v):
            return 0.5 * v * (1 + np.tanh(c * (v + 0.044715 * v ** 3)))

        def backward(g, v, y):
            t = np.tanh(c * (v + 0.044715 * v ** 3))
            return g * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v))

        return apply(x, forward, backward)
    from scipy.special import erf

    def backward_exact(g, v, y):
        return g * (0.5 * (1 + erf(v / np.sqrt(2))) + v * np.exp(-0.5 * v * v) / np.sqrt(2 * np.pi))

    return apply(x, lambda v: 0.5 * v * (1 + erf(v / np.sqrt(2))), backward_exact)


# -- over an axis ----------------------------------------------------------------------------
def softmax(x, axis=-1):
    """e^x / sum(e^x) over ``axis``, without overflow."""
    def forward(v):
        e = np.exp(v - np.max(v, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    return apply(x, forward,
                 lambda g, v, y: y * (g - np.sum(g * y, axis=axis, keepdims=True)))


def log_softmax(x, axis=-1):
    """x - logsumexp(x) over ``axis``."""
    def forward(v):
        m = v - np.max(v, axis=axis, keepdims=True)
        return m - np.log(np.sum(np.exp(m), axis=axis, keepdims=True))

    return apply(x, forward,
                 lambda g, v, y: g - np.exp(y) * np.sum(g, axis=axis, keepdims=True))


def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its ``order``-norm over ``axis`` (Keras: L2 as x * min(rsqrt(sum x^2),
    1/epsilon), others as x / max(norm, epsilon); epsilon 1e-7)."""
    eps = EPSILON if epsilon is None else epsilon
    if order == 2:
        inv = el.minimum(el.rsqrt(red.sum(el.square(x), axis=axis, keepdims=True)), 1.0 / eps)
        return el.multiply(x, inv)
    if order == 1:
        return el.divide(x, el.maximum(red.sum(el.abs(x), axis=axis, keepdims=True), eps))
    from ..errors import ConfigError

    raise ConfigError(f"ops.normalize: order={order!r}; glassnet has order 1 and 2")


# -- cross-entropies (element-wise or per row, no batch reduction: as keras.ops) -------------
def _same_shape(target, output, what: str) -> None:
    if np.shape(value_of(target)) != np.shape(value_of(output)):
        raise ShapeError(f"ops.{what}: target and output must have the same shape, got "
                         f"{np.shape(value_of(target))} and {np.shape(value_of(output))}")


def binary_crossentropy(target, output, from_logits=False):
    """-(t log p + (1 - t) log(1 - p)) per entry, p clipped to [1e-7, 1 - 1e-7] (Keras)."""
    _same_shape(target, output, "binary_crossentropy")
    p = el.clip(sigmoid(output) if from_logits else output, EPSILON, 1 - EPSILON)
    return el.negative(el.add(el.multiply(target, el.log(p)),
                              el.multiply(el.subtract(1.0, target), el.log(el.subtract(1.0, p)))))


def _log_probs(output, from_logits, axis):
    if from_logits:
        return log_softmax(output, axis=axis)
    p = el.divide(output, red.sum(output, axis=axis, keepdims=True))
    return el.log(el.clip(p, EPSILON, 1 - EPSILON))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(t log p) over ``axis``; probabilities renormalised and clipped as Keras does."""
    _same_shape(target, output, "categorical_crossentropy")
    return el.negative(red.sum(el.multiply(target, _log_probs(output, from_logits, axis)),
                               axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-log p[label] with integer labels ``target`` (shape of output without ``axis``)."""
    labels = np.asarray(value_of(target)).astype(np.int64)
    out_shape = np.shape(value_of(output))
    if labels.ndim == len(out_shape) and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != out_shape[:-1]:
        raise ShapeError(f"ops.sparse_categorical_crossentropy: target of shape {labels.shape} "
                         f"does not match output of shape {out_shape} up to its last axis")
    onehot = arrays.one_hot(labels, out_shape[axis], axis=axis, dtype=value_of(output).dtype)
    return el.negative(red.sum(el.multiply(onehot, _log_probs(output, from_logits, axis)),
                               axis=axis))

