"""The ``Loss`` base class and the reductions every loss shares (Keras's batch mean).

``forward`` gives the reduced value, ``backward`` dL/dy_pred into a buffer; ``EPSILON`` is
Keras's clip for probabilities.

Example
-------
>>> import numpy as np
>>> from glassnet.losses import MeanSquaredError
>>> MeanSquaredError()(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
0.25
"""

from __future__ import annotations

import numpy as np

from .._checks import boolean, numeric_array, same_length
from ..errors import DataError, ShapeError

__all__ = ["EPSILON", "Loss"]

EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]


class Loss:
    """Base class: ``forward`` gives the reduced value, ``backward`` dL/dy_pred into ``out``.

    ``y_true`` is already validated and shaped by :meth:`prepare_targets`.
    """

    name = "loss"
    # The activation whose Jacobian the fused gradient folds in (softmax, sigmoid), if any.
    paired_activation: str | None = None

    def __init__(self, from_logits: bool = False, *, name=None, reduction="sum_over_batch_size",
                 dtype=None):
        self.from_logits = boolean(from_logits, f"{type(self).__name__}: from_logits")
        if name is not None:  # Keras 3's keywords, for subclasses with call() (losses.custom)
            self.name = name
        self.reduction, self.dtype = reduction, dtype

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
