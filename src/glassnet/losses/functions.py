"""Keras's loss functions (``keras.losses.mean_absolute_error(y_true, y_pred)``, ...): the
unreduced values, one per sample for 2-D inputs, as NumPy arrays.

Example
-------
>>> import numpy as np
>>> mean_absolute_error(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 1.0], [0.0, 0.0]]))
array([0.5, 1. ])
>>> huber([[0.0, 1.0]], [[0.5, 3.0]], delta=1.0)
array([0.8125])
"""

from __future__ import annotations

from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .focal import BinaryFocalCrossentropy, CategoricalFocalCrossentropy
from .probabilistic import CategoricalHinge, Hinge, KLDivergence, Poisson, SquaredHinge
from .regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
)

#: Keras's function name -> the loss class (the loss registry is built from this table).
CLASSES = {
    "mean_squared_error": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "cosine_similarity": CosineSimilarity,
    "huber": Huber,
    "log_cosh": LogCosh,
    "kl_divergence": KLDivergence,
    "poisson": Poisson,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
}

__all__ = sorted(CLASSES)


def _function(name: str, cls):
    def loss_function(y_true, y_pred, **kwargs):
        return cls(reduction=None, **kwargs)(y_true, y_pred)

    loss_function.__name__ = loss_function.__qualname__ = name
    loss_function.__doc__ = (f"Keras's ``{name}(y_true, y_pred, ...)``: the unreduced values "
                             f"of :class:`{cls.__name__}` (keyword arguments as the class's).")
    loss_function.loss_class = cls
    return loss_function


mean_squared_error = _function("mean_squared_error", MeanSquaredError)
mean_absolute_error = _function("mean_absolute_error", MeanAbsoluteError)
mean_absolute_percentage_error = _function("mean_absolute_percentage_error",
                                           MeanAbsolutePercentageError)
mean_squared_logarithmic_error = _function("mean_squared_logarithmic_error",
                                           MeanSquaredLogarithmicError)
cosine_similarity = _function("cosine_similarity", CosineSimilarity)
huber = _function("huber", Huber)
log_cosh = _function("log_cosh", LogCosh)
kl_divergence = _function("kl_divergence", KLDivergence)
poisson = _function("poisson", Poisson)
hinge = _function("hinge", Hinge)
squared_hinge = _function("squared_hinge", SquaredHinge)
categorical_hinge = _function("categorical_hinge", CategoricalHinge)
binary_crossentropy = _function("binary_crossentropy", BinaryCrossentropy)
categorical_crossentropy = _function("categorical_crossentropy", CategoricalCrossentropy)
sparse_categorical_crossentropy = _function("sparse_categorical_crossentropy",
                                            SparseCategoricalCrossentropy)
binary_focal_crossentropy = _function("binary_focal_crossentropy", BinaryFocalCrossentropy)
categorical_focal_crossentropy = _function("categorical_focal_crossentropy",
                                           CategoricalFocalCrossentropy)
