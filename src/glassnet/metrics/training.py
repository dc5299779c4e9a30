"""Metrics reported while training (``compile(metrics=[...])``): one value per batch.

``fit`` averages each metric over an epoch weighted by batch size, as Keras does. The name
'accuracy' (or 'acc') picks the right accuracy for the loss: sparse categorical for integer
labels, binary for one output or binary cross-entropy, categorical otherwise.

Example
-------
>>> import numpy as np
>>> sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]]))
0.5
"""

from __future__ import annotations

import inspect

import numpy as np

from .._checks import numeric_array, same_length
from .._registry import Registry
from ..errors import ConfigError, DataError, ShapeError

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "mean_absolute_error",
    "mean_squared_error",
    "resolve",
    "sparse_categorical_accuracy",
]


def _unscored(y_pred) -> bool:
    """True when some row of scores holds NaN: it has no predicted class (argmax would say 0),
    so the accuracy is NaN, not a number that counts it (``max`` carries NaN, no temporary)."""
    return bool(np.size(y_pred)) and bool(np.isnan(np.max(y_pred)))


def _sparse_categorical_accuracy(y_true, y_pred) -> float:
    if _unscored(y_pred):
        return float("nan")
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.reshape(y_true, -1)))


def _categorical_accuracy(y_true, y_pred) -> float:
    if _unscored(y_pred):
        return float("nan")
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))


def _binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    return float(np.mean((np.asarray(y_pred) > threshold) == (np.asarray(y_true) > threshold)))


def _mean_squared_error(y_true, y_pred) -> float:
    return float(np.mean(np.square(np.asarray(y_pred) - y_true)))


def _mean_absolute_error(y_true, y_pred) -> float:
    return float(np.mean(np.abs(np.asarray(y_pred) - y_true)))


def _checked(y_true, y_pred, metric: str, rows: bool = False):
    """Both arrays validated up front, so a mismatch is an error instead of a broadcast result.

    ``rows``: ``y_pred`` holds one row of class scores per sample (the argmax metrics).
    Otherwise (n,) and (n, 1) pair up, and any other shapes must be equal.
    """
    try:
        y_true, y_pred = numeric_array(y_true, "y_true"), numeric_array(y_pred, "y_pred")
        same_length(y_true, y_pred, "y_true", "y_pred")
    except DataError as exc:
        raise type(exc)(f"{metric}: {exc}") from None
    if rows and y_pred.ndim != 2:
        raise ShapeError(f"{metric}: argument y_pred needs one row of class scores per sample "
                         f"(2-D), got shape {y_pred.shape}")
    true_2d, pred_2d = y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1)
    if not rows and true_2d.shape != pred_2d.shape:
        raise ShapeError(f"{metric}: y_true has shape {y_true.shape} but y_pred has shape "
                         f"{y_pred.shape}; give one prediction per target (reshape one of them)")
    return y_true, y_pred


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest output is at the integer label."""
    y_true, y_pred = _checked(y_true, y_pred, "sparse_categorical_accuracy", rows=True)
    if y_true.reshape(len(y_true), -1).shape[1] != 1:
        raise ShapeError(f"sparse_categorical_accuracy: argument y_true needs one integer label "
                         f"per sample, got shape {y_true.shape}; for one-hot targets use "
                         "categorical_accuracy")
    return _sparse_categorical_accuracy(y_true, y_pred)


def categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest output is where the one-hot target has its 1."""
    y_true, y_pred = _checked(y_true, y_pred, "categorical_accuracy", rows=True)
    if y_true.shape != y_pred.shape:
        raise ShapeError(f"categorical_accuracy: one-hot y_true has shape {y_true.shape} but "
                         f"y_pred has shape {y_pred.shape}; for integer labels use "
                         "sparse_categorical_accuracy")
    return _categorical_accuracy(y_true, y_pred)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Share of outputs on the same side of ``threshold`` as their 0/1 target."""
    y_true, y_pred = _checked(y_true, y_pred, "binary_accuracy")
    return _binary_accuracy(y_true.reshape(y_pred.shape), y_pred, threshold)


def mean_squared_error(y_true, y_pred) -> float:
    """Mean of the squared differences; (n,) targets pair with (n, 1) predictions."""
    y_true, y_pred = _checked(y_true, y_pred, "mean_squared_error")
    with np.errstate(over="ignore"):  # a square beyond float64 is inf: the honest value
        return _mean_squared_error(y_true.reshape(y_pred.shape), y_pred)


def mean_absolute_error(y_true, y_pred) -> float:
    """Mean of the absolute differences; (n,) targets pair with (n, 1) predictions."""
    y_true, y_pred = _checked(y_true, y_pred, "mean_absolute_error")
    with np.errstate(over="ignore"):  # a difference beyond float64 is inf: the honest value
        return _mean_absolute_error(y_true.reshape(y_pred.shape), y_pred)


def _mean_of(fn):
    """A metric function's value as one number: the mean of the per-sample values it returns
    (Keras wraps a function metric in MeanMetricWrapper), e.g. one written with glassnet.ops."""
    def metric(y_true, y_pred):
        return float(np.mean(fn(y_true, y_pred)))

    metric.__name__ = getattr(fn, "__name__", "metric")
    return metric


_METRICS = Registry(
    "metric",
    {
        "sparse_categorical_accuracy": lambda: _sparse_categorical_accuracy,
        "categorical_accuracy": lambda: _categorical_accuracy,
        "binary_accuracy": lambda: _binary_accuracy,
        "mean_squared_error": lambda: _mean_squared_error,
        "mean_absolute_error": lambda: _mean_absolute_error,
        "accuracy": lambda: None,  # resolved against the loss in resolve()
    },
    aliases={"acc": "accuracy", "mse": "mean_squared_error", "mae": "mean_absolute_error"},
)


def resolve(identifier, loss_name: str, n_outputs: int) -> tuple[str, callable]:
    """(history key, function) for one entry of ``compile(metrics=...)``."""
    if callable(identifier) and not isinstance(identifier, str):
        name = getattr(identifier, "__name__", "metric")
        try:
            inspect.signature(identifier).bind(None, None)
        except TypeError:
            raise ConfigError(f"metric {name!r} must take (y_true, y_pred) and return a number"
                              ) from None
        except ValueError:  # a builtin without a signature: trust it
            pass
        return name, _mean_of(identifier)
    main = _METRICS.resolve_name(identifier) if isinstance(identifier, str) else None
    if main is None:
        _METRICS.get(identifier)  # raises the registry's error listing valid names
    if main != "accuracy":
        return identifier, _METRICS.factories[main]()
    if loss_name == "sparse_categorical_crossentropy":
        return identifier, _sparse_categorical_accuracy
    if loss_name == "binary_crossentropy" or n_outputs == 1:
        return identifier, _binary_accuracy
    return identifier, _categorical_accuracy
