"""Metrics: Keras 3's stateful metric classes (what ``compile(metrics=[...])`` reports), the
per-batch functions, and the evaluation reports.

Example
-------
>>> from glassnet import metrics
>>> metrics.binary_accuracy([1, 0], [0.9, 0.7])
0.5
>>> metrics.accuracy([0, 1, 2], [0, 2, 2])
0.6666666666666666
>>> auc = metrics.AUC()
>>> auc.update_state([0, 1, 1, 0], [0.2, 0.9, 0.6, 0.7])
>>> round(float(auc.result()), 3)
0.75
"""

from .at_value import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .classification import (
    Averages,
    ClassScores,
    accuracy,
    classification_report,
    confusion_matrix,
    precision_recall_f1,
)
from .confusion import (
    AUC,
    F1Score,
    FalseNegatives,
    FalsePositives,
    FBetaScore,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from .training import (
    binary_accuracy,
    categorical_accuracy,
    get,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_accuracy,
)
from .wrapped import (
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    R2Score,
    RootMeanSquaredError,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
)

__all__ = [
    "AUC",
    "Accuracy",
    "Averages",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ClassScores",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "classification_report",
    "confusion_matrix",
    "get",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_f1",
    "sparse_categorical_accuracy",
]
