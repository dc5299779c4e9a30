"""Metrics: the per-batch ones ``compile(metrics=[...])`` reports, and evaluation reports.

Example
-------
>>> from glassnet import metrics
>>> metrics.binary_accuracy([1, 0], [0.9, 0.7])
0.5
"""

from .training import (
    binary_accuracy,
    categorical_accuracy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_accuracy,
)

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "mean_absolute_error",
    "mean_squared_error",
    "sparse_categorical_accuracy",
]
