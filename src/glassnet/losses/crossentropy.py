"""Cross-entropy losses, each with its fused gradient for the paired activation (p - y).

Example
-------
>>> import numpy as np
>>> round(BinaryCrossentropy()(np.array([1.0]), np.array([0.5])), 6)
0.693147
"""

from __future__ import annotations

import numpy as np

from .. import activations, kernels
from ..errors import DataError, ShapeError
from .loss import EPSILON, Loss, _reduce, _scale_rows

__all__ = ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]


class _CrossEntropy(Loss):
    """Shared machinery: the prob path (clipped) and the logits path (fused p - y)."""

    def forward(self, y_true, y_pred, weights):
        if self.from_logits:
            return self.logits_loss(y_true, y_pred, weights)
        return _reduce(self.prob_loss(y_true, y_pred), weights)

    def backward(self, y_true, y_pred, weights, out):
        if self.from_logits:
            probs = activations.get(self.paired_activation).forward(y_pred, out)
            return self.logits_grad(y_true, probs, weights, out)
        return self.prob_grad(y_true, y_pred, weights, out)

    def logits_loss(self, y_true, logits, weights) -> float:
        raise NotImplementedError

    def logits_grad(self, y_true, probs, weights, out) -> np.ndarray:
        """dL/dz from the probabilities; ``probs`` and ``out`` may be the same buffer."""
        raise NotImplementedError

    def logits_value_and_grad(self, y_true, logits, probs, weights, out):
        """(loss, dL/dz in ``out``) from the logits and their probabilities, in one call."""
        return self.logits_loss(y_true, logits, weights), self.logits_grad(y_true, probs, weights,
                                                                            out)


class CategoricalCrossentropy(_CrossEntropy):
    """-sum_j y_j log p_j per sample; targets are one-hot (or probability) rows."""

    name = "categorical_crossentropy"
    paired_activation = "softmax"

    def _shape_hint(self, y, output_shape):
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            return (
                "; these look like integer class labels: use loss='sparse_categorical_crossentropy'"
                " or one-hot encode them with glassnet.utils.to_categorical"
            )
        return ""

    def prob_loss(self, y_true, y_pred):
        return -(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON))).sum(axis=-1)

    def prob_grad(self, y_true, y_pred, weights, out):
        np.clip(y_pred, EPSILON, 1 - EPSILON, out=out)
        np.divide(y_true, out, out=out)
        return _scale_rows(out, weights, -1.0 / len(out))

    def logits_loss(self, y_true, logits, weights):
        return _reduce(-(y_true * kernels.log_softmax(logits)).sum(axis=-1), weights)

    def logits_grad(self, y_true, probs, weights, out):
        row_mass = y_true.sum(axis=-1, keepdims=True)  # 1 for one-hot rows
        np.multiply(probs, row_mass, out=out)
        out -= y_true
        return _scale_rows(out, weights, 1.0 / len(out))


class SparseCategoricalCrossentropy(_CrossEntropy):
    """-log p[label] per sample; targets are integer class labels, shape (n,) or (n, 1)."""

    name = "sparse_categorical_crossentropy"
    paired_activation = "softmax"

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
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"loss {self.name!r}: label at index {i} is {y[i].item()!r}; labels must be whole "
                f"numbers from 0 to {n_classes - 1} for a model with {n_classes} outputs"
            )
        return labels

    def prob_loss(self, y_true, y_pred):
        picked = y_pred[np.arange(len(y_true)), y_true]
        return -np.log(np.clip(picked, EPSILON, 1 - EPSILON))

    def prob_grad(self, y_true, y_pred, weights, out):
        rows = np.arange(len(y_true))
        out.fill(0)
        out[rows, y_true] = -1.0 / np.clip(y_pred[rows, y_true], EPSILON, 1 - EPSILON)
        return _scale_rows(out, weights, 1.0 / len(out))

    def logits_loss(self, y_true, logits, weights):
        rows = np.arange(len(y_true))
        return _reduce(-kernels.log_softmax(logits)[rows, y_true], weights)

    def logits_grad(self, y_true, probs, weights, out):
        return kernels.sparse_xent_grad(probs, y_true, weights, out)

    def logits_value_and_grad(self, y_true, logits, probs, weights, out):
        return kernels.active().sparse_softmax_xent(logits, probs, y_true, weights, out), out


class BinaryCrossentropy(_CrossEntropy):
    """-(y log p + (1 - y) log(1 - p)), averaged over outputs; targets in [0, 1]."""

    name = "binary_crossentropy"
    paired_activation = "sigmoid"

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

    def prob_loss(self, y_true, y_pred):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        per_output = -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))
        return per_output.reshape(len(p), -1).mean(axis=1)

    def prob_grad(self, y_true, y_pred, weights, out):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        np.subtract(p, y_true, out=out)
        out /= p * (1 - p)
        return _scale_rows(out, weights, 1.0 / out.size)

    def logits_loss(self, y_true, logits, weights):
        # max(z, 0) - z y + log(1 + e^-|z|): the stable form of the sigmoid cross-entropy.
        per_output = np.maximum(logits, 0) - logits * y_true + np.log1p(np.exp(-np.abs(logits)))
        return _reduce(per_output.reshape(len(logits), -1).mean(axis=1), weights)

    def logits_grad(self, y_true, probs, weights, out):
        np.subtract(probs, y_true, out=out)
        return _scale_rows(out, weights, 1.0 / out.size)
