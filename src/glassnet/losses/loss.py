"""The ``Loss`` base class and Keras 3's reductions.

A loss computes Keras's unreduced values with :meth:`Loss.call` (one per sample for 2-D
outputs: the last axis is averaged or summed away), weights them by ``sample_weight`` and
reduces them as ``reduction`` says: ``'sum_over_batch_size'`` (the default) and ``'mean'``
divide the weighted sum by the number of values, ``'mean_with_sample_weight'`` by the sum of
the weights, ``'sum'`` does not divide, ``None`` / ``'none'`` return the values.
:meth:`Loss.call_grad` is the gradient of the values, so every loss has an explicit backward:
``backward`` chains it with the reduction's.

A subclass that defines only ``call()`` (Keras's way, written with ``glassnet.ops``) gets its
gradient from ``losses/custom.py`` (see :meth:`Loss.call_grad`).

``EPSILON`` is Keras's ``backend.epsilon()``, the clip for probabilities.

Example
-------
>>> import numpy as np
>>> from glassnet.losses import MeanSquaredError
>>> MeanSquaredError()(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
0.25
>>> MeanSquaredError(reduction="sum")(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
0.5
"""

from __future__ import annotations

import re

import numpy as np

from .._checks import boolean, numeric_array, same_length
from ..errors import ConfigError, DataError, ShapeError

__all__ = ["EPSILON", "REDUCTIONS", "Loss"]

EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class Loss:
    """Base class: ``call`` gives Keras's unreduced values, ``call_grad`` their gradient.

    Parameters (Keras 3's): ``name`` (default the class's loss name), ``reduction``, ``dtype``
    (the computation's dtype; default float32 or the model's). The engine's entry points are
    ``forward(y_true, y_pred, weights)`` (the reduced value) and ``backward(..., out)``
    (dL/dy_pred into ``out``); ``y_true`` there is already shaped by :meth:`prepare_targets`.
    """

    name = "loss"
    # The activation whose Jacobian the fused gradient folds in (softmax, sigmoid), if any.
    paired_activation: str | None = None
    from_logits = False

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ConfigError(f"{type(self).__name__}: reduction must be one of "
                              f"{', '.join(repr(r) for r in REDUCTIONS)}, got {reduction!r}")
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{type(self).__name__}: name must be a string, got {name!r}")
        default = type(self).name
        self.name = name or (default if default != "loss" else _snake(type(self).__name__))
        self.reduction = reduction
        self.dtype = None if dtype is None else np.dtype(dtype)

    def _flag(self, value, what: str) -> bool:
        return boolean(value, f"{type(self).__name__}: {what}")

    # -- Keras's API -----------------------------------------------------------------------
    def call(self, y_true, y_pred) -> np.ndarray:
        """The unreduced loss values (Keras's ``call``); subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred)")

    def call_grad(self, y_true, y_pred, upstream) -> np.ndarray:
        """dL/dy_pred for dL/d(values) = ``upstream``; built-in losses write it by hand.

        A user's subclass with only ``call`` is differentiated by ``losses.custom``
        (``custom.call_grad(loss, y_true, y_pred, upstream)``), where ``glassnet.ops`` is.
        """
        from . import custom

        return custom.call_grad(self, y_true, y_pred, upstream)

    def mask(self, y_true):
        """Which values count (Keras's loss mask), or None for all."""
        return None

    def __call__(self, y_true, y_pred, sample_weight=None):
        where = f"loss {self.name!r}"
        y_pred, y_true = _checked(y_pred, "y_pred", where), _checked(y_true, "y_true", where)
        dtype = self.dtype or np.result_type(y_pred.dtype, np.float32)
        y_pred = y_pred.astype(dtype, copy=False)
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
            if self.reduction in (None, "none"):
                return self._weighted(self.call(y_true, y_pred), y_true, weights)
            return self.forward(y_true, y_pred, weights)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"

    # -- the engine's entry points ---------------------------------------------------------
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

    def _weighted(self, values, y_true, weights):
        mask = self.mask(y_true)
        if mask is not None:
            values = values * mask
        if weights is not None:
            values = values * _per_row(weights, values)
        return values

    def _divisor(self, values_shape, y_true, weights) -> float:
        """What the weighted sum of the values is divided by (1 for 'sum'); 0 gives 0."""
        if self.reduction == "sum":
            return 1.0
        mask = self.mask(y_true)
        if self.reduction == "mean_with_sample_weight" and (weights is not None
                                                             or mask is not None):
            counted = np.ones(values_shape) if mask is None else mask
            if weights is not None:
                counted = counted * _per_row(weights, counted)
            return float(np.sum(counted))
        if mask is not None:
            return float(np.count_nonzero(mask))
        return float(np.prod(values_shape))

    def forward(self, y_true, y_pred, weights) -> float:
        """The reduced loss (a reduction of None reduces as 'sum_over_batch_size' in fit)."""
        values = self.call(y_true, y_pred)
        divisor = self._divisor(values.shape, y_true, weights)
        weighted = self._weighted(values, y_true, weights)
        return float(weighted.sum() / divisor) if divisor else 0.0

    def upstream(self, values_shape, y_true, weights, dtype) -> np.ndarray:
        """dL/d(values) of the weighting and the reduction."""
        divisor = self._divisor(values_shape, y_true, weights)
        up = np.full(values_shape, 1.0 / divisor if divisor else 0.0, dtype)
        return self._weighted(up, y_true, weights)

    def backward(self, y_true, y_pred, weights, out) -> np.ndarray:
        values_shape = self.values_shape(y_true, y_pred)
        up = self.upstream(values_shape, y_true, weights, y_pred.dtype)
        out[...] = self.call_grad(y_true, y_pred, up)
        return out

    def values_shape(self, y_true, y_pred) -> tuple:
        """The shape of :meth:`call`'s values (the last axis reduced away)."""
        return y_pred.shape[:-1] if y_pred.ndim > 1 else y_pred.shape

    def rescale(self, n: int, weights) -> float:
        """The factor from 'sum_over_batch_size' (what the fused kernels compute) to this
        loss's reduction, for one value per sample."""
        if self.reduction == "sum":
            return float(n)
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            total = float(np.sum(weights))
            return n / total if total else 0.0
        return 1.0


def _per_row(weights, values):
    return weights.reshape(-1, *([1] * (values.ndim - 1))) if values.ndim else weights


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


def last_axis_size(y_pred) -> int:
    return y_pred.shape[-1] if y_pred.ndim > 1 else 1
