"""KL divergence, Poisson and the hinge losses, as Keras 3 defines them, with their gradients.

Hinge and squared hinge take targets in {-1, 1}; targets that are all 0 or 1 (over the batch)
are mapped to -1/1 first, as Keras's ``convert_binary_labels_to_hinge`` does.

Example
-------
>>> import numpy as np
>>> round(float(Hinge()(np.array([[0.0, 1.0]]), np.array([[0.3, 0.6]]))), 6)
0.85
>>> round(float(KLDivergence()(np.array([[0.2, 0.8]]), np.array([[0.4, 0.6]]))), 6)
0.091516
"""

from __future__ import annotations

import numpy as np

from .loss import EPSILON, Loss
from .regression import _MeanOverLast

__all__ = ["CategoricalHinge", "Hinge", "KLDivergence", "Poisson", "SquaredHinge"]


class KLDivergence(Loss):
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to [epsilon, 1]."""

    name = "kl_divergence"

    def call(self, y_true, y_pred):
        t, p = np.clip(y_true, EPSILON, 1), np.clip(y_pred, EPSILON, 1)
        return np.sum(t * np.log(t / p), axis=-1)

    def call_grad(self, y_true, y_pred, upstream):
        t, p = np.clip(y_true, EPSILON, 1), np.clip(y_pred, EPSILON, 1)
        inside = (y_pred >= EPSILON) & (y_pred <= 1)
        return -t / p * inside * upstream[..., None]


class Poisson(_MeanOverLast):
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""

    name = "poisson"

    def elementwise(self, y_true, y_pred):
        return y_pred - y_true * np.log(y_pred + EPSILON)

    def elementwise_grad(self, y_true, y_pred):
        return 1.0 - y_true / (y_pred + EPSILON)


def _hinge_labels(y_true):
    """-1/1 targets: 0/1 ones are converted when every target is 0 or 1 (Keras's rule)."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(_MeanOverLast):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``."""

    name = "hinge"

    def elementwise(self, y_true, y_pred):
        return np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)

    def elementwise_grad(self, y_true, y_pred):
        t = _hinge_labels(y_true)
        return -t * (1.0 - t * y_pred > 0)


class SquaredHinge(_MeanOverLast):
    """``mean(max(1 - y_true * y_pred, 0)^2, axis=-1)``."""

    name = "squared_hinge"

    def elementwise(self, y_true, y_pred):
        return np.square(np.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0))

    def elementwise_grad(self, y_true, y_pred):
        t = _hinge_labels(y_true)
        return -2.0 * t * np.maximum(1.0 - t * y_pred, 0.0)


class CategoricalHinge(Loss):
    """``max(neg - pos + 1, 0)``: ``pos = sum(y_true * y_pred)``,
    ``neg = max((1 - y_true) * y_pred)`` over the last axis."""

    name = "categorical_hinge"

    def call(self, y_true, y_pred):
        pos = np.sum(y_true * y_pred, axis=-1)
        neg = np.max((1.0 - y_true) * y_pred, axis=-1)
        return np.maximum(neg - pos + 1.0, 0.0)

    def call_grad(self, y_true, y_pred, upstream):
        others = (1.0 - y_true) * y_pred
        active = (np.max(others, axis=-1) - np.sum(y_true * y_pred, axis=-1) + 1.0) > 0
        at_max = np.zeros_like(y_pred)
        np.put_along_axis(at_max, np.argmax(others, axis=-1)[..., None], 1.0, axis=-1)
        grad = at_max * (1.0 - y_true) - y_true
        return grad * (active * upstream)[..., None]
