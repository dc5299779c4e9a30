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

import numpy as np

from .._registry import Registry

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "mean_absolute_error",
    "mean_squared_error",
    "resolve",
    "sparse_categorical_accuracy",
]


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest output is at the integer label."""
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.reshape(y_true, -1)))


def categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest output is where the one-hot target has its 1."""
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Share of outputs on the same side of ``threshold`` as their 0/1 target."""
    return float(np.mean((np.asarray(y_pred) > threshold) == (np.asarray(y_true) > threshold)))


def mean_squared_error(y_true, y_pred) -> float:
    return float(np.mean(np.square(np.asarray(y_pred) - y_true)))


def mean_absolute_error(y_true, y_pred) -> float:
    return float(np.mean(np.abs(np.asarray(y_pred) - y_true)))


_METRICS = Registry(
    "metric",
    {
        "sparse_categorical_accuracy": lambda: sparse_categorical_accuracy,
        "categorical_accuracy": lambda: categorical_accuracy,
        "binary_accuracy": lambda: binary_accuracy,
        "mean_squared_error": lambda: mean_squared_error,
        "mean_absolute_error": lambda: mean_absolute_error,
        "accuracy": lambda: None,  # resolved against the loss in resolve()
    },
    aliases={"acc": "accuracy", "mse": "mean_squared_error", "mae": "mean_absolute_error"},
)


def resolve(identifier, loss_name: str, n_outputs: int) -> tuple[str, callable]:
    """(history key, function) for one entry of ``compile(metrics=...)``."""
    if callable(identifier) and not isinstance(identifier, str):
        return getattr(identifier, "__name__", "metric"), identifier
    main = _METRICS.resolve_name(identifier) if isinstance(identifier, str) else None
    if main is None:
        _METRICS.get(identifier)  # raises the registry's error listing valid names
    if main != "accuracy":
        return identifier, _METRICS.factories[main]()
    if loss_name == "sparse_categorical_crossentropy":
        return identifier, sparse_categorical_accuracy
    if loss_name == "binary_crossentropy" or n_outputs == 1:
        return identifier, binary_accuracy
    return identifier, categorical_accuracy
