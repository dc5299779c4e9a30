"""Regression losses as Keras 3 defines them, each with its explicit gradient, and the seeds'
half sum of squares.

Each value is a mean over the last axis (cosine similarity: a sum); ``call_grad`` is its
derivative times the reduction's upstream gradient.

Example
-------
>>> import numpy as np
>>> y, p = np.array([[0.0, 1.0]]), np.array([[0.5, 3.0]])
>>> float(Huber()(y, p)), float(MeanAbsoluteError()(y, p))
(0.8125, 1.25)
>>> HalfSumSquaredError()(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))
0.25
"""

from __future__ import annotations

import numpy as np

from .._checks import number_in
from .loss import EPSILON, Loss, _reduce, _scale_rows, last_axis_size

__all__ = ["CosineSimilarity", "HalfSumSquaredError", "Huber", "LogCosh", "MeanAbsoluteError",
           "MeanAbsolutePercentageError", "MeanSquaredError", "MeanSquaredLogarithmicError"]


class _MeanOverLast(Loss):
    """Values ``mean(f(y_true, y_pred), axis=-1)``; subclasses give ``f`` and ``df/dy_pred``."""

    def elementwise(self, y_true, y_pred):
        raise NotImplementedError

    def elementwise_grad(self, y_true, y_pred):
        raise NotImplementedError

    def call(self, y_true, y_pred):
        return self.elementwise(y_true, y_pred).mean(axis=-1)

    def call_grad(self, y_true, y_pred, upstream):
        grad = self.elementwise_grad(y_true, y_pred)
        grad *= (upstream / last_axis_size(y_pred))[..., None]
        return grad


class MeanSquaredError(_MeanOverLast):
    """``mean((y_pred - y_true)^2, axis=-1)``, then the batch reduction."""

    name = "mean_squared_error"

    def elementwise(self, y_true, y_pred):
        diff = y_pred - y_true
        return np.square(diff, out=diff)

    def elementwise_grad(self, y_true, y_pred):
        diff = y_pred - y_true
        diff *= 2.0
        return diff

    def forward(self, y_true, y_pred, weights):
        if self.reduction != "sum_over_batch_size":
            return super().forward(y_true, y_pred, weights)
        diff = y_pred - y_true
        per_sample = np.square(diff, out=diff).reshape(len(diff), -1).mean(axis=1)
        return _reduce(per_sample, weights)

    def backward(self, y_true, y_pred, weights, out):
        if self.reduction != "sum_over_batch_size":
            return super().backward(y_true, y_pred, weights, out)
        np.subtract(y_pred, y_true, out=out)
        return _scale_rows(out, weights, 2.0 / out.size)


class MeanAbsoluteError(_MeanOverLast):
    """``mean(|y_pred - y_true|, axis=-1)``; the gradient at a tie is 0, as in Keras."""

    name = "mean_absolute_error"

    def elementwise(self, y_true, y_pred):
        return np.abs(y_pred - y_true)

    def elementwise_grad(self, y_true, y_pred):
        return np.sign(y_pred - y_true)


class MeanAbsolutePercentageError(_MeanOverLast):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)``."""

    name = "mean_absolute_percentage_error"

    def elementwise(self, y_true, y_pred):
        return 100.0 * np.abs((y_true - y_pred) / np.maximum(np.abs(y_true), EPSILON))

    def elementwise_grad(self, y_true, y_pred):
        return 100.0 * np.sign(y_pred - y_true) / np.maximum(np.abs(y_true), EPSILON)


class MeanSquaredLogarithmicError(_MeanOverLast):
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1)``."""

    name = "mean_squared_logarithmic_error"

    @staticmethod
    def _gap(y_true, y_pred):
        return np.log(np.maximum(y_pred, EPSILON) + 1.0) - np.log(np.maximum(y_true, EPSILON) + 1.0)

    def elementwise(self, y_true, y_pred):
        return np.square(self._gap(y_true, y_pred))

    def elementwise_grad(self, y_true, y_pred):
        inside = y_pred > EPSILON
        return 2.0 * self._gap(y_true, y_pred) * inside / (np.maximum(y_pred, EPSILON) + 1.0)


class Huber(_MeanOverLast):
    """``0.5 e^2`` where ``|e| <= delta``, else ``delta |e| - 0.5 delta^2`` (e = y_pred - y_true).

    Keras's class is named 'huber_loss'. ``get_config`` keeps ``delta`` (Keras 3's leaves it
    out, so its saved models forget it; Keras reads it back all the same).
    """

    name = "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.delta = number_in(delta, "Huber: delta", 0)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}

    def elementwise(self, y_true, y_pred):
        error = y_pred - y_true
        small = np.abs(error) <= self.delta
        return np.where(small, 0.5 * np.square(error),
                        self.delta * np.abs(error) - 0.5 * self.delta ** 2)

    def elementwise_grad(self, y_true, y_pred):
        return np.clip(y_pred - y_true, -self.delta, self.delta)


class LogCosh(_MeanOverLast):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as x + softplus(-2x) - log 2."""

    name = "log_cosh"

    def elementwise(self, y_true, y_pred):
        x = y_pred - y_true
        return x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0).astype(x.dtype)

    def elementwise_grad(self, y_true, y_pred):
        return np.tanh(y_pred - y_true)


class CosineSimilarity(Loss):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``; between -1 and 1.

    The norm's inverse is capped at ``1 / epsilon`` (Keras's ``normalize``), so a zero vector
    gives 0. ``get_config`` keeps ``axis`` (Keras 3's leaves it out).
    """

    name = "cosine_similarity"

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.axis = axis

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}

    def _inverse_norm(self, x):
        square_sum = np.sum(np.square(x), axis=self.axis, keepdims=True)
        with np.errstate(divide="ignore"):
            return np.minimum(1.0 / np.sqrt(square_sum), 1.0 / EPSILON)

    def call(self, y_true, y_pred):
        a = y_true * self._inverse_norm(y_true)
        b = y_pred * self._inverse_norm(y_pred)
        return -np.sum(a * b, axis=self.axis)

    def call_grad(self, y_true, y_pred, upstream):
        a = y_true * self._inverse_norm(y_true)
        inverse = self._inverse_norm(y_pred)
        b = y_pred * inverse
        capped = inverse >= 1.0 / EPSILON  # b = p / epsilon: linear in p
        dot = np.sum(a * b, axis=self.axis, keepdims=True)
        grad = -inverse * np.where(capped, a, a - dot * b)
        return grad * np.expand_dims(upstream, self.axis)

    def values_shape(self, y_true, y_pred):
        axis = self.axis % y_pred.ndim
        return tuple(d for i, d in enumerate(y_pred.shape) if i != axis)


class HalfSumSquaredError(Loss):
    """The seeds' error: per sample E = 1/2 sum over outputs of (t - o)^2, then the batch mean.

    glassnet's own loss (Keras has none like it): its gradient is ``(o - t) / n``, so a learning
    rate means what it means in the seeds (``mse`` averages over the k outputs instead, and
    gives a step 2/k times as large). ``value_and_grad`` computes both from one difference.

    Example
    -------
    >>> import numpy as np
    >>> loss = HalfSumSquaredError()
    >>> round(loss(np.array([[0.01, 0.99]]), np.array([[0.75136507, 0.772928465]])), 9)
    0.298371109
    """

    name = "half_sum_squared_error"

    def call(self, y_true, y_pred):
        diff = (y_pred - y_true).reshape(len(y_pred), -1)
        return 0.5 * np.einsum("ij,ij->i", diff, diff)

    def call_grad(self, y_true, y_pred, upstream):
        return (y_pred - y_true) * upstream.reshape(-1, *([1] * (y_pred.ndim - 1)))

    def values_shape(self, y_true, y_pred):
        return (len(y_pred),)

    def value_and_grad(self, y_true, y_pred, weights, out):
        """(loss, dL/dy_pred in ``out``) from one difference ``o - t``."""
        if self.reduction != "sum_over_batch_size":
            return self.forward(y_true, y_pred, weights), self.backward(y_true, y_pred,
                                                                        weights, out)
        diff = np.subtract(y_pred, y_true, out=out).reshape(len(out), -1)
        value = _reduce(0.5 * np.einsum("ij,ij->i", diff, diff), weights)
        return value, _scale_rows(out, weights, 1.0 / len(out))
