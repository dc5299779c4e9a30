"""Loss functions with their gradients, as Keras 3 defines and reduces them.

Each loss computes Keras's unreduced values (one per sample for 2-D outputs) and reduces them
with its ``reduction``: by default ``sum(w_i * l_i) / n`` over the batch (Keras's "sum over
batch size"; ``w_i`` = 1 without sample weights). Mean squared error also averages over the
outputs, so for the seeds' two-output worked example ``mse`` equals
``E_total = sum(1/2 (target - out)^2)``. Names are Keras's: classes (``Huber``), functions
(``huber``) and aliases ('mae', 'mse', 'kld', 'logcosh', ...), case and underscores ignored.

Cross-entropies know the activation they pair with (softmax or sigmoid). When a model ends in
that activation the gradient with respect to the logits z is the fused ``p - y`` (Keras's
clipped values where its clip binds); ``from_logits=True`` uses a stable log-sum-exp.

Example
-------
>>> import numpy as np
>>> from glassnet import losses
>>> mse = losses.get("mse")
>>> round(mse(np.array([[0.01, 0.99]]), np.array([[0.75136507, 0.772928465]])), 9)
0.298371109
>>> losses.get("MeanAbsoluteError").name, losses.get("huber").get_config()
('mean_absolute_error', {'name': 'huber_loss', 'reduction': 'sum_over_batch_size', 'delta': 1.0})
"""

from __future__ import annotations

from .._registry import Registry
from . import functions as _functions
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .focal import BinaryFocalCrossentropy, CategoricalFocalCrossentropy
from .functions import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from .loss import EPSILON, REDUCTIONS, Loss
from .probabilistic import CategoricalHinge, Hinge, KLDivergence, Poisson, SquaredHinge
from .regression import (
    CosineSimilarity,
    HalfSumSquaredError,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
)

__all__ = [
    "EPSILON",
    "REDUCTIONS",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "HalfSumSquaredError",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_crossentropy",
    "squared_hinge",
]

_LOSSES = Registry(
    "loss",
    {**_functions.CLASSES, "half_sum_squared_error": HalfSumSquaredError},
    base=Loss,
    aliases={"mse": "mean_squared_error", "mae": "mean_absolute_error",
             "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
             "bce": "binary_crossentropy", "kld": "kl_divergence",
             "kullback_leibler_divergence": "kl_divergence", "huber_loss": "huber",
             "logcosh": "log_cosh"},
)


def get(identifier) -> Loss:
    """Resolve a loss from a name ('mse', 'categorical_crossentropy', ...), config or instance.

    Example
    -------
    >>> get("sparse_categorical_crossentropy").paired_activation
    'softmax'
    >>> get({"class_name": "Huber", "config": {"delta": 2.0}}).delta
    2.0
    """
    if callable(identifier) and getattr(identifier, "loss_class", None) is not None:
        return identifier.loss_class()  # a Keras loss function: losses.huber
    from .custom import resolve as _custom

    custom = _custom(identifier)  # a function, or a Loss subclass with call() (Keras 3)
    return custom if custom is not None else _LOSSES.get(identifier)
