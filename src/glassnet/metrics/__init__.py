"""Metrics: the per-batch ones ``compile(metrics=[...])`` reports, and evaluation reports.

Example
-------
>>> from glassnet import metrics
>>> metrics.binary_accuracy([1, 0], [0.9, 0.7])
0.5
>>> metrics.accuracy([0, 1, 2], [0, 2, 2])
0.6666666666666666
"""

from .classification import (
    Averages,
    ClassScores,
    accuracy,
    classification_report,
    confusion_matrix,
    precision_recall_f1,
)
from .training import (
    binary_accuracy,
    categorical_accuracy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_accuracy,
)

__all__ = [
    "Averages",
    "ClassScores",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "classification_report",
    "confusion_matrix",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_f1",
    "sparse_categorical_accuracy",
]
