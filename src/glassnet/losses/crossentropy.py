"""Cross-entropy losses as Keras 3 computes them, each with its fused gradient for the paired
activation.

On probabilities Keras first normalises (categorical: ``p / sum(p)``) and clips to
``[epsilon, 1 - epsilon]``, so a saturated sigmoid gives ``-log(1 - 0.99999988) = 15.94`` in
float32, and the clipped entries get no gradient. A model that ends in the paired activation
(softmax, sigmoid) computes dL/dz in one fused step (``p - y``), which is exact wherever the
clip does not bind; where it binds, the fused step falls back to Keras's values and gradient.
``from_logits=True`` uses the stable log-sum-exp and never clips, as Keras does.

Example
-------
>>> import numpy as np
>>> round(BinaryCrossentropy()(np.array([1.0]), np.array([0.5])), 6)
0.693147
>>> round(BinaryCrossentropy()(np.array([[0.0]]), np.array([[1.0]], np.float32)), 2)
15.94
"""

from __future__ import annotations

import numpy as np

from .. import activations, kernels
from .._checks import number_in
from ..errors import ConfigError, DataError, ShapeError
from .loss import EPSILON, Loss, _scale_rows, last_axis_size

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]


_BOUNDS: dict = {}
_LOW_LOSS = 16.0  # just under -log(EPSILON) = 16.12


def clip_bounds(dtype):
    """Keras's clip, ``[epsilon, 1 - epsilon]``, in ``dtype``."""
    bounds = _BOUNDS.get(dtype)
    if bounds is None:
        t = np.dtype(dtype).type
        bounds = _BOUNDS[dtype] = (t(EPSILON), t(1 - EPSILON))
    return bounds


def softmax_backward(probs, grad_p, out):
    """dL/dz from dL/dp through softmax (last axis), into ``out``."""
    np.multiply(probs, grad_p - np.sum(probs * grad_p, axis=-1, keepdims=True), out=out)
    return out


class _CrossEntropy(Loss):
    """Shared machinery: smoothing, the logits path and the fused step."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = self._flag(from_logits, "from_logits")
        self.label_smoothing = number_in(label_smoothing, f"{type(self).__name__}: "
                                         "label_smoothing", 0, 1)
        if axis != -1 or isinstance(axis, bool):
            raise ConfigError(f"{type(self).__name__}: glassnet computes over the last axis "
                              f"only; axis must be -1, got {axis!r}")
        self.axis = axis

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}

    def smoothed(self, y_true):
        return y_true

    def call(self, y_true, y_pred):
        if self.from_logits:
            return self.logits_values(self.smoothed(y_true), y_pred)
        return self.prob_values(self.smoothed(y_true), y_pred)

    def call_grad(self, y_true, y_pred, upstream):
        y = self.smoothed(y_true)
        if self.from_logits:
            probs = activations.get(self.paired_activation).forward(y_pred,
                                                                    np.empty_like(y_pred))
            return self.logits_values_grad(y, probs, upstream)
        return self.prob_values_grad(y, y_pred, upstream)

    # -- the engine's fused entry points ---------------------------------------------------
    def logits_loss(self, y_true, logits, weights) -> float:
        """The reduced loss from logits (the from_logits value)."""
        values = self.logits_values(self.smoothed(y_true), logits)
        divisor = self._divisor(values.shape, y_true, weights)
        return float(self._weighted(values, y_true, weights).sum() / divisor) if divisor else 0.0

    def logits_grad(self, y_true, probs, weights, out) -> np.ndarray:
        """dL/dz from the probabilities; ``probs`` and ``out`` may be the same buffer."""
        up = self.upstream(self.values_shape(y_true, probs), y_true, weights, probs.dtype)
        out[...] = self.logits_values_grad(self.smoothed(y_true), probs, up)
        return out

    def logits_value_and_grad(self, y_true, logits, probs, weights, out):
        """(loss, dL/dz in ``out``) for a model ending in the paired activation: Keras's values
        on the probabilities, the fused gradient where the clip does not bind."""
        value = self.forward(y_true, probs, weights)
        self.logits_grad(y_true, probs, weights, out)
        self.fix_clipped(y_true, probs, weights, out)
        return value, out

    def fix_clipped(self, y_true, probs, weights, out) -> None:
        raise NotImplementedError

    def _scale_grad(self, out, weights) -> float:
        """Scale the kernel's 'sum_over_batch_size' gradient to the reduction; the factor."""
        if self.reduction in ("sum_over_batch_size", "mean", None, "none"):
            return 1.0
        scale = self.rescale(len(out), weights)
        out *= scale
        return scale


class CategoricalCrossentropy(_CrossEntropy):
    """``-sum(y log p)`` per sample; targets are one-hot (or probability) rows.

    ``label_smoothing`` s turns targets into ``y (1 - s) + s / k``.
    """

    name = "categorical_crossentropy"
    paired_activation = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)

    def _shape_hint(self, y, output_shape):
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            return (
                "; these look like integer class labels: use loss='sparse_categorical_crossentropy'"
                " or one-hot encode them with glassnet.utils.to_categorical"
            )
        return ""

    def smoothed(self, y_true):
        s = self.label_smoothing
        return y_true * (1.0 - s) + s / y_true.shape[-1] if s else y_true

    def prob_values(self, y, p):
        lo, hi = clip_bounds(p.dtype)
        return -np.sum(y * np.log(np.clip(p / np.sum(p, axis=-1, keepdims=True), lo, hi)),
                       axis=-1)

    def prob_values_grad(self, y, p, upstream):
        lo, hi = clip_bounds(p.dtype)
        total = np.sum(p, axis=-1, keepdims=True)
        q = p / total
        c = np.clip(q, lo, hi)
        g = -y / c * ((q >= lo) & (q <= hi))
        return (g - np.sum(g * q, axis=-1, keepdims=True)) / total * upstream[..., None]

    def logits_values(self, y, z):
        return -np.sum(y * kernels.log_softmax(z), axis=-1)

    def logits_values_grad(self, y, probs, upstream):
        mass = np.sum(y, axis=-1, keepdims=True)  # 1 for one-hot rows
        out = probs * mass
        out -= y
        out *= upstream[..., None]
        return out

    def logits_value_and_grad(self, y_true, logits, probs, weights, out):
        """One kernel for the value (from the logits) and the gradient, unless Keras's clip
        binds somewhere: then Keras's own path, as the base class has it."""
        if y_true.shape == probs.shape and probs.ndim == 2:
            lo, hi = clip_bounds(probs.dtype)
            value, clipped = kernels.active().softmax_xent(
                logits, probs, y_true, self.label_smoothing, weights, lo, hi, out)
            if not clipped:
                return value * self._scale_grad(out, weights), out
        return super().logits_value_and_grad(y_true, logits, probs, weights, out)

    def fix_clipped(self, y_true, probs, weights, out):
        lo, hi = clip_bounds(probs.dtype)
        q = probs / np.sum(probs, axis=-1, keepdims=True)
        rows = np.any((self.smoothed(y_true) != 0) & ((q < lo) | (q > hi)), axis=-1)
        if rows.any():
            up = self.upstream(self.values_shape(y_true, probs), y_true, weights, probs.dtype)
            y = self.smoothed(y_true[rows])
            grad_p = self.prob_values_grad(y, probs[rows], up[rows])
            out[rows] = softmax_backward(probs[rows], grad_p, np.empty_like(grad_p))


class SparseCategoricalCrossentropy(_CrossEntropy):
    """``-log p[label]`` per sample; targets are integer class labels, shape (n,) or (n, 1).

    ``ignore_class``: samples with that label count neither in the loss nor in its mean.
    """

    name = "sparse_categorical_crossentropy"
    paired_activation = "softmax"

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(from_logits, 0.0, axis, reduction, name, dtype)
        if ignore_class is not None and (not isinstance(ignore_class, (int, np.integer))
                                         or isinstance(ignore_class, bool)):
            raise ConfigError(f"SparseCategoricalCrossentropy: ignore_class must be an integer "
                              f"label or None, got {ignore_class!r}")
        self.ignore_class = None if ignore_class is None else int(ignore_class)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}

    def prepare_targets(self, y, output_shape, dtype):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            hint = " (one-hot rows? use loss='categorical_crossentropy')" if y.ndim == 2 else ""
            raise ShapeError(
                f"loss {self.name!r}: targets must be integer class labels of shape (n,), "
                f"got shape {y.shape}{hint}"
            )
        n_classes = output_shape[-1]
        with np.errstate(invalid="ignore"):  # 1e30 or NaN: refused just below, by index
            labels = y.astype(np.intp)
        bad = (labels != y) | (labels < 0) | (labels >= n_classes)
        if self.ignore_class is not None:
            bad &= labels != self.ignore_class
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"loss {self.name!r}: label at index {i} is {y[i].item()!r}; labels must be whole "
                f"numbers from 0 to {n_classes - 1} for a model with {n_classes} outputs"
            )
        return labels

    def mask(self, y_true):
        return None if self.ignore_class is None else (y_true != self.ignore_class)

    def _labels(self, y):
        return y if self.ignore_class is None else np.where(y == self.ignore_class, 0, y)

    def values_shape(self, y_true, y_pred):
        return y_true.shape

    def prob_values(self, y, p):
        lo, hi = clip_bounds(p.dtype)
        rows = np.arange(len(y))
        picked = p[rows, self._labels(y)] / np.sum(p, axis=-1)
        return -np.log(np.clip(picked, lo, hi))

    def prob_values_grad(self, y, p, upstream):
        lo, hi = clip_bounds(p.dtype)
        rows, labels = np.arange(len(y)), self._labels(y)
        total = np.sum(p, axis=-1)
        q = p[rows, labels] / total
        g = -1.0 / np.clip(q, lo, hi) * ((q >= lo) & (q <= hi)) * upstream
        out = np.empty_like(p)
        out[...] = (-g * q / total)[:, None]
        out[rows, labels] += g / total
        return out

    def logits_values(self, y, z):
        return -kernels.log_softmax(z)[np.arange(len(y)), self._labels(y)]

    def logits_values_grad(self, y, probs, upstream):
        out = probs * upstream[:, None]
        out[np.arange(len(y)), self._labels(y)] -= upstream
        return out

    def backward(self, y_true, y_pred, weights, out):
        if self.from_logits and self.reduction == "sum_over_batch_size" and \
                self.ignore_class is None:
            probs = activations.get("softmax").forward(y_pred, out)
            return kernels.sparse_xent_grad(probs, y_true, weights, out)
        return super().backward(y_true, y_pred, weights, out)

    def logits_grad(self, y_true, probs, weights, out):
        if self.reduction == "sum_over_batch_size" and self.ignore_class is None:
            return kernels.sparse_xent_grad(probs, y_true, weights, out)
        return super().logits_grad(y_true, probs, weights, out)

    def logits_value_and_grad(self, y_true, logits, probs, weights, out):
        if self.ignore_class is not None:
            return super().logits_value_and_grad(y_true, logits, probs, weights, out)
        value = kernels.active().sparse_softmax_xent(logits, probs, y_true, weights, out)
        lo, hi = clip_bounds(probs.dtype)
        # Keras's clip binds where a label's probability is outside [lo, hi]: none can be when
        # every probability is <= hi and (unweighted) the summed -log p stays below -log(lo)
        if probs.max() > hi or weights is not None or value * len(out) >= _LOW_LOSS:
            picked = probs[np.arange(len(y_true)), y_true]
            if picked.min() < lo or picked.max() > hi:  # its value, and no gradient there
                value = self.forward(y_true, probs, weights)
                self.fix_clipped(y_true, probs, weights, out)
                self._scale_grad(out, weights)
                return value, out
        return value * self._scale_grad(out, weights), out

    def fix_clipped(self, y_true, probs, weights, out):
        lo, hi = clip_bounds(probs.dtype)
        q = probs[np.arange(len(y_true)), self._labels(y_true)] / np.sum(probs, axis=-1)
        out[(q < lo) | (q > hi)] = 0.0


class BinaryCrossentropy(_CrossEntropy):
    """``-(y log p + (1 - y) log(1 - p))``, averaged over the last axis; targets in [0, 1].

    ``label_smoothing`` s squeezes targets towards 0.5: ``y (1 - s) + s / 2``.
    """

    name = "binary_crossentropy"
    paired_activation = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)

    def prepare_targets(self, y, output_shape, dtype):
        y = super().prepare_targets(y, output_shape, dtype)
        outside = (y < 0) | (y > 1)
        if outside.any():
            i = np.unravel_index(int(np.argmax(outside)), y.shape)
            raise DataError(
                f"loss {self.name!r}: target at index {i[0]} is {y[i].item()!r}; binary "
                "cross-entropy needs targets between 0 and 1"
            )
        return y

    def smoothed(self, y_true):
        s = self.label_smoothing
        return y_true * (1.0 - s) + 0.5 * s if s else y_true

    def prob_values(self, y, p):
        lo, hi = clip_bounds(p.dtype)
        c = np.clip(p, lo, hi)
        return -np.mean(y * np.log(c) + (1 - y) * np.log1p(-c), axis=-1)

    def prob_values_grad(self, y, p, upstream):
        lo, hi = clip_bounds(p.dtype)
        c = np.clip(p, lo, hi)
        grad = (c - y) / (c * (1 - c)) * ((p >= lo) & (p <= hi))
        grad *= (upstream / last_axis_size(p))[..., None]
        return grad

    def logits_values(self, y, z):
        # max(z, 0) - z y + log(1 + e^-|z|): the stable form of the sigmoid cross-entropy.
        return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))), axis=-1)

    def logits_values_grad(self, y, probs, upstream):
        out = probs - y
        out *= (upstream / last_axis_size(probs))[..., None]
        return out

    def logits_grad(self, y_true, probs, weights, out):
        if self.reduction != "sum_over_batch_size" or probs.ndim != 2:
            return super().logits_grad(y_true, probs, weights, out)
        np.subtract(probs, self.smoothed(y_true), out=out)
        return _scale_rows(out, weights, 1.0 / out.size)

    def fix_clipped(self, y_true, probs, weights, out):
        lo, hi = clip_bounds(probs.dtype)
        out[(probs < lo) | (probs > hi)] = 0.0

