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

from .._registry import Registry
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .loss import EPSILON, Loss
from .regression import HalfSumSquaredError, MeanSquaredError

__all__ = [
    "EPSILON",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "HalfSumSquaredError",
    "Loss",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "get",
]

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
    from .custom import resolve as _custom

    custom = _custom(identifier)  # a function, or a Loss subclass with call() (Keras 3)
    return custom if custom is not None else _LOSSES.get(identifier)
