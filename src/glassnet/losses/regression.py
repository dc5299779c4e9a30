"""Squared-error losses: Keras's ``MeanSquaredError`` and the seeds' half sum of squares.

Example
-------
>>> import numpy as np
>>> HalfSumSquaredError()(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))
0.25
"""

from __future__ import annotations

import numpy as np

from .loss import Loss, _reduce, _scale_rows

__all__ = ["HalfSumSquaredError", "MeanSquaredError"]


class MeanSquaredError(Loss):
    """mean over outputs of (y_pred - y_true)^2, then the batch reduction."""

    name = "mean_squared_error"

    def __init__(self):
        super().__init__(from_logits=False)

    def forward(self, y_true, y_pred, weights):
        diff = y_pred - y_true
        per_sample = np.square(diff, out=diff).reshape(len(diff), -1).mean(axis=1)
        return _reduce(per_sample, weights)

    def backward(self, y_true, y_pred, weights, out):
        np.subtract(y_pred, y_true, out=out)
        return _scale_rows(out, weights, 2.0 / out.size)

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return "MeanSquaredError()"


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

    def __init__(self):
        super().__init__(from_logits=False)

    def forward(self, y_true, y_pred, weights):
        diff = (y_pred - y_true).reshape(len(y_pred), -1)
        return _reduce(0.5 * np.einsum("ij,ij->i", diff, diff), weights)

    def backward(self, y_true, y_pred, weights, out):
        np.subtract(y_pred, y_true, out=out)
        return _scale_rows(out, weights, 1.0 / len(out))

    def value_and_grad(self, y_true, y_pred, weights, out):
        """(loss, dL/dy_pred in ``out``) from one difference ``o - t``."""
        diff = np.subtract(y_pred, y_true, out=out).reshape(len(out), -1)
        value = _reduce(0.5 * np.einsum("ij,ij->i", diff, diff), weights)
        return value, _scale_rows(out, weights, 1.0 / len(out))

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return "HalfSumSquaredError()"
