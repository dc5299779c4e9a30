"""Focal cross-entropies (Lin et al. 2017) as Keras 3 computes them, with their gradients.

Binary: ``(1 - p_t)^gamma * bce`` per output (``p_t = y p + (1 - y)(1 - p)``), times
``alpha`` / ``1 - alpha`` for classes 1 / 0 with ``apply_class_balancing``, averaged over the
last axis. Categorical: ``sum(alpha (1 - p)^gamma * -y log p)`` over the classes, on Keras's
normalised and clipped probabilities. With ``from_logits`` the activation (sigmoid, softmax) is
applied first; there is no fused step.

Example
-------
>>> import numpy as np
>>> y, p = np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]])
>>> round(float(BinaryFocalCrossentropy(gamma=2.0)(y, p)), 4)
0.3299
>>> round(float(CategoricalFocalCrossentropy()(y, p)), 4)
0.0825
"""

from __future__ import annotations

import numpy as np

from .. import activations
from .._checks import number_in
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, clip_bounds, softmax_backward
from .loss import last_axis_size

__all__ = ["BinaryFocalCrossentropy", "CategoricalFocalCrossentropy"]


def _focal_power(u, gamma):
    """(u^gamma, d/du u^gamma), with the derivative 0 for gamma = 0 (as autograd gives)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.zeros_like(u) if gamma == 0 else gamma * np.power(u, gamma - 1)
    return np.power(u, gamma), slope


class _Focal:
    """No fused step: the loss works on probabilities; ``from_logits`` applies the activation."""

    paired_activation = None

    def _probs(self, y_pred):
        if not self.from_logits:
            return y_pred
        return activations.get(self.activation).forward(y_pred, np.empty_like(y_pred))

    def call(self, y_true, y_pred):
        return self.focal_values(self.smoothed(y_true), self._probs(y_pred))

    def call_grad(self, y_true, y_pred, upstream):
        probs = self._probs(y_pred)
        grad = self.focal_grad(self.smoothed(y_true), probs, upstream)
        if not self.from_logits:
            return grad
        if self.activation == "sigmoid":
            return grad * probs * (1 - probs)
        return softmax_backward(probs, grad, np.empty_like(grad))


class BinaryFocalCrossentropy(_Focal, BinaryCrossentropy):
    """Keras's ``BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, ...)``."""

    name = "binary_focal_crossentropy"
    activation = "sigmoid"

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)
        self.apply_class_balancing = self._flag(apply_class_balancing, "apply_class_balancing")
        self.alpha = number_in(alpha, "BinaryFocalCrossentropy: alpha", 0, 1)
        self.gamma = number_in(gamma, "BinaryFocalCrossentropy: gamma", 0)

    def get_config(self):
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma}

    def _parts(self, y, p):
        lo, hi = clip_bounds(p.dtype)
        c = np.clip(p, lo, hi)
        bce = -(y * np.log(c) + (1 - y) * np.log1p(-c))
        factor, slope = _focal_power(1 - (y * p + (1 - y) * (1 - p)), self.gamma)
        balance = y * self.alpha + (1 - y) * (1 - self.alpha) if self.apply_class_balancing \
            else 1.0
        return c, bce, factor, slope, balance, (p >= lo) & (p <= hi)

    def focal_values(self, y, p):
        _, bce, factor, _, balance, _ = self._parts(y, p)
        return np.mean(balance * factor * bce, axis=-1)

    def focal_grad(self, y, p, upstream):
        c, bce, factor, slope, balance, inside = self._parts(y, p)
        d_bce = (c - y) / (c * (1 - c)) * inside
        d_factor = -slope * (2 * y - 1)  # d(1 - p_t)/dp = -(2y - 1)
        grad = balance * (d_factor * bce + factor * d_bce)
        return grad * (upstream / last_axis_size(p))[..., None]


class CategoricalFocalCrossentropy(_Focal, CategoricalCrossentropy):
    """Keras's ``CategoricalFocalCrossentropy(alpha, gamma, ...)``; ``alpha`` may be one
    number or one per class."""

    name = "categorical_focal_crossentropy"
    activation = "softmax"

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)
        if isinstance(alpha, (list, tuple, np.ndarray)):
            self.alpha = [number_in(a, "CategoricalFocalCrossentropy: alpha", 0) for a in alpha]
        else:
            self.alpha = number_in(alpha, "CategoricalFocalCrossentropy: alpha", 0)
        self.gamma = number_in(gamma, "CategoricalFocalCrossentropy: gamma", 0)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma}

    def _parts(self, y, p):
        lo, hi = clip_bounds(p.dtype)
        total = np.sum(p, axis=-1, keepdims=True)
        q = p / total
        c = np.clip(q, lo, hi)
        factor, slope = _focal_power(1 - c, self.gamma)
        alpha = np.asarray(self.alpha, p.dtype)
        return q, c, total, -y * np.log(c), factor, slope, alpha, (q >= lo) & (q <= hi)

    def focal_values(self, y, p):
        _, _, _, cce, factor, _, alpha, _ = self._parts(y, p)
        return np.sum(alpha * factor * cce, axis=-1)

    def focal_grad(self, y, p, upstream):
        q, c, total, cce, factor, slope, alpha, inside = self._parts(y, p)
        g = alpha * (-slope * cce - factor * y / c) * inside
        return (g - np.sum(g * q, axis=-1, keepdims=True)) / total * upstream[..., None]
