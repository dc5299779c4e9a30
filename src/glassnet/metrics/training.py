"""Metrics reported while training (``compile(metrics=[...])``): one value per batch.

The functions below give one number for a batch; ``compile`` turns each entry of its
``metrics`` into a stateful :class:`~glassnet.metrics.Metric` (``resolve``), which ``fit``
updates batch after batch, as Keras does. The name 'accuracy' (or 'acc') picks the right
accuracy for the loss: sparse categorical for integer labels, binary for one output or binary
cross-entropy, categorical otherwise.

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
from .base import MeanMetricWrapper, Metric

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "compiled_metrics",
    "get",
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


def _registry() -> Registry:
    from . import at_value, confusion, wrapped
    from .base import Mean, Sum

    classes = [wrapped.Accuracy, wrapped.BinaryAccuracy, wrapped.CategoricalAccuracy,
               wrapped.SparseCategoricalAccuracy, wrapped.TopKCategoricalAccuracy,
               wrapped.SparseTopKCategoricalAccuracy, wrapped.MeanSquaredError,
               wrapped.RootMeanSquaredError, wrapped.MeanAbsoluteError,
               wrapped.MeanAbsolutePercentageError, wrapped.MeanSquaredLogarithmicError,
               wrapped.CosineSimilarity, wrapped.LogCoshError, wrapped.KLDivergence,
               wrapped.Poisson, wrapped.Hinge, wrapped.SquaredHinge, wrapped.CategoricalHinge,
               wrapped.BinaryCrossentropy, wrapped.CategoricalCrossentropy,
               wrapped.SparseCategoricalCrossentropy, wrapped.R2Score, confusion.AUC,
               confusion.Precision, confusion.Recall, confusion.TruePositives,
               confusion.FalsePositives, confusion.TrueNegatives, confusion.FalseNegatives,
               confusion.F1Score, confusion.FBetaScore, at_value.PrecisionAtRecall,
               at_value.RecallAtPrecision, at_value.SensitivityAtSpecificity,
               at_value.SpecificityAtSensitivity, Mean, Sum]
    return Registry("metric", {cls.__name__: cls for cls in classes}, base=Metric,
                    aliases={"mse": "MeanSquaredError", "mae": "MeanAbsoluteError",
                             "mape": "MeanAbsolutePercentageError",
                             "msle": "MeanSquaredLogarithmicError", "bce": "BinaryCrossentropy",
                             "kld": "KLDivergence", "kullback_leibler_divergence":
                             "KLDivergence", "logcosh": "LogCoshError",
                             "log_cosh": "LogCoshError", "f_beta_score": "FBetaScore"})


_REGISTRY: list = []


def registry() -> Registry:
    """The metric classes by Keras's names (built on first use)."""
    if not _REGISTRY:
        _REGISTRY.append(_registry())
    return _REGISTRY[0]


def get(identifier) -> Metric:
    """A metric object from a name ('auc', 'RootMeanSquaredError', 'mse', ...), a config,
    a class or an instance; a plain function ``f(y_true, y_pred)`` is wrapped in
    ``MeanMetricWrapper``.

    Example
    -------
    >>> get("RootMeanSquaredError").name, get("auc").name, get("mse").name
    ('root_mean_squared_error', 'auc', 'mean_squared_error')
    """
    if isinstance(identifier, Metric):
        return identifier
    if callable(identifier) and not isinstance(identifier, (str, type)):
        return MeanMetricWrapper(_checked_function(identifier))
    return registry().get(identifier)


def _checked_function(fn):
    name = getattr(fn, "__name__", "metric")
    try:
        inspect.signature(fn).bind(None, None)
    except TypeError:
        raise ConfigError(f"metric {name!r} must take (y_true, y_pred) and return a number "
                          "or one value per sample") from None
    except ValueError:  # a builtin without a signature: trust it
        pass
    return fn


def _accuracy(identifier: str, loss_name: str, n_outputs: int) -> Metric:
    """'accuracy' / 'acc' as the accuracy that fits the loss (glassnet's rule, as before)."""
    from .wrapped import BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy

    if loss_name == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=identifier)
    if loss_name == "binary_crossentropy" or n_outputs == 1:
        return BinaryAccuracy(name=identifier)
    return CategoricalAccuracy(name=identifier)


def resolve(identifier, loss_name: str, n_outputs: int) -> tuple[str, Metric]:
    """(history key, metric object) for one entry of ``compile(metrics=...)``: a string keeps
    its spelling as the key (Keras's rule), an object its ``name``, a function its
    ``__name__``."""
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return identifier, _accuracy(identifier, loss_name, n_outputs)
        metric = registry().get(identifier)
        metric.name = identifier
        return identifier, metric
    metric = get(identifier)
    return metric.name, metric


def _entries(spec) -> list:
    return [] if spec is None else list(spec) if isinstance(spec, (list, tuple)) else [spec]


def compiled_metrics(specs, weighted_specs, names, heads, shapes) -> list:
    """``(output index, log name, Metric, weighted)`` for compile's ``metrics`` then
    ``weighted_metrics`` (one list of specs per output), named as Keras names them: a prefix
    ``<output>_`` with several outputs, ``weighted_`` for a weighted metric whose name is
    taken, then ``_1``, ``_2``, ... for names used again."""
    found, counts = [], {}
    for weighted, per_output in ((False, specs), (True, weighted_specs)):
        for i, spec in enumerate(per_output):
            prefix = "" if len(names) == 1 else f"{names[i]}_"
            for identifier in _entries(spec):
                key, metric = resolve(identifier, heads[i].loss.name if heads[i] else "",
                                      shapes[i][-1])
                name = prefix + key
                if weighted and name in counts:
                    name = f"{prefix}weighted_{key}"
                if name in counts:
                    counts[name] += 1
                    name = f"{name}_{counts[name] - 1}"
                counts.setdefault(name, 1)
                found.append((i, name, metric, weighted))
    return found
