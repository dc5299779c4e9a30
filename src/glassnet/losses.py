"""Loss functions with their gradients, reduced as Keras reduces them.

Each loss computes one value per sample and then ``sum(w_i * l_i) / n`` over the batch (Keras's
"sum over batch size"; ``w_i`` = 1 without sample weights). Mean squared error also averages
over the outputs, so for the seeds' two-output worked example ``mse`` equals
``E_total = sum(1/2 (target - out)^2)``.

Cross-entropies know the activation they pair with (softmax or sigmoid). When a model ends in
that activation, or the loss is built with ``from_logits=True``, the loss is computed from the
logits z with a stable log-sum-exp, and the gradient with respect to z is the fused ``p - y``:
finite even for logits of +-1e4.

Example
-------
>>> import numpy as np
>>> from glassnet import losses
>>> mse = losses.get("mse")
>>> round(mse(np.array([[0.01, 0.99]]), np.array([[0.75136507, 0.772928465]])), 9)
0.298371109
"""

from __future__ import annotations

import numpy as np

from . import activations, kernels
from ._checks import boolean, numeric_array, same_length
from ._registry import Registry
from .errors import DataError, ShapeError

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "HalfSumSquaredError",
    "Loss",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "get",
]

EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]


class Loss:
    """Base class: ``forward`` gives the reduced value, ``backward`` dL/dy_pred into ``out``.

    ``y_true`` is already validated and shaped by :meth:`prepare_targets`.
    """

    name = "loss"
    # The activation whose Jacobian the fused gradient folds in (softmax, sigmoid), if any.
    paired_activation: str | None = None

    def __init__(self, from_logits: bool = False):
        self.from_logits = boolean(from_logits, f"{type(self).__name__}: from_logits")

    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        where = f"loss {self.name!r}"
        y_pred, y_true = _checked(y_pred, "y_pred", where), _checked(y_true, "y_true", where)
        y_pred = y_pred.astype(np.result_type(y_pred.dtype, np.float32), copy=False)
        try:
            same_length(y_pred, y_true, "y_pred", "y_true")
        except DataError as exc:
            raise DataError(f"{where}: {exc}") from None
        y_true = self.prepare_targets(y_true, y_pred.shape[1:], y_pred.dtype)
        weights = None
        if sample_weight is not None:
            weights = _checked(sample_weight, "sample_weight", where).astype(y_pred.dtype)
            if weights.shape != (len(y_pred),) or (weights < 0).any():
                raise DataError(f"{where}: sample_weight needs {len(y_pred)} values >= 0, one per "
                                f"sample; got shape {weights.shape}")
        with np.errstate(over="ignore"):  # a loss beyond the dtype's range is inf, as it is
            return self.forward(y_true, y_pred, weights)

    def prepare_targets(self, y, output_shape: tuple, dtype) -> np.ndarray:
        """Check targets against the model's output shape and return them ready for training."""
        y = np.asarray(y)
        if y.ndim == 1 and output_shape == (1,):
            y = y[:, None]
        if y.shape[1:] != tuple(output_shape):
            raise ShapeError(
                f"loss {self.name!r}: targets of shape {_batch(y.shape)} do not fit the model's "
                f"output {_batch(output_shape, None)}{self._shape_hint(y, output_shape)}"
            )
        return np.ascontiguousarray(y, dtype=dtype)

    def _shape_hint(self, y, output_shape) -> str:
        return ""

    def forward(self, y_true, y_pred, weights) -> float:
        raise NotImplementedError

    def backward(self, y_true, y_pred, weights, out) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


def _checked(value, name: str, where: str) -> np.ndarray:
    try:
        return numeric_array(value, name)
    except DataError as exc:
        raise type(exc)(f"{where}: {exc}") from None


def _batch(shape, n="n") -> str:
    dims = ", ".join(str(d) for d in shape) if n is None else ", ".join(str(d) for d in shape[1:])
    lead = "None" if n is None else str(shape[0])
    return f"({lead}, {dims})" if dims else f"({lead},)"


def _reduce(per_sample: np.ndarray, weights) -> float:
    if weights is None:
        return float(per_sample.mean())
    return float(np.dot(per_sample, weights) / per_sample.shape[0])


def _scale_rows(out: np.ndarray, weights, scale: float) -> np.ndarray:
    """Multiply by ``scale`` and, with sample weights, by each row's weight."""
    out *= scale
    if weights is not None:
        out *= weights.reshape(-1, *([1] * (out.ndim - 1)))
    return out


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


_LOSSES = Registry(
    "loss",
    {
        "mean_squared_error": MeanSquaredError,
        "half_sum_squared_error": HalfSumSquaredError,
        "binary_crossentropy": BinaryCrossentropy,
        "categorical_crossentropy": CategoricalCrossentropy,
        "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    },
    base=Loss,
    aliases={"mse": "mean_squared_error", "bce": "binary_crossentropy"},
)


def get(identifier) -> Loss:
    """Resolve a loss from a name ('mse', 'categorical_crossentropy', ...), config or instance.

    Example
    -------
    >>> get("sparse_categorical_crossentropy").paired_activation
    'softmax'
    """
    return _LOSSES.get(identifier)
