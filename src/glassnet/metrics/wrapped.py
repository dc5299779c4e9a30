"""Keras 3's mean-over-samples metrics: the accuracy family, the regression errors, the
loss-named metrics and ``R2Score``, as stateful classes with Keras's names and configs.

Each is a :class:`~glassnet.metrics.base.MeanMetricWrapper` over Keras's per-sample function
(``*_values`` here), so the epoch value is the mean over every sample seen.

Example
-------
>>> import numpy as np
>>> m = SparseTopKCategoricalAccuracy(k=2)
>>> m.update_state([2, 0], [[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]])
>>> float(m.result())
0.5
>>> r = RootMeanSquaredError()
>>> round(float(r([[0.0], [2.0]], [[1.0], [0.0]])), 6)
1.581139
"""

from __future__ import annotations

import numpy as np

from .. import losses
from ..errors import ConfigError
from .base import Mean, MeanMetricWrapper, Metric

__all__ = ["Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy",
           "CategoricalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Hinge",
           "KLDivergence", "LogCoshError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson", "R2Score",
           "RootMeanSquaredError", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
           "SparseTopKCategoricalAccuracy", "SquaredHinge", "TopKCategoricalAccuracy"]


def _same_rank(y_true, y_pred):
    """Keras's ``squeeze_or_expand_to_same_rank`` for (y_true, y_pred)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            y_pred = y_pred[:, None]
        else:
            y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            y_true = y_true[:, None]
        else:
            y_pred = y_pred[..., 0]
    return y_true, y_pred


def accuracy_values(y_true, y_pred):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy_values(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _same_rank(y_true, y_pred)
    return (y_true == (y_pred > threshold)).astype(np.float32)


def categorical_accuracy_values(y_true, y_pred):
    return sparse_categorical_accuracy_values(np.argmax(y_true, axis=-1), y_pred)


def sparse_categorical_accuracy_values(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    matches = (np.argmax(y_pred, axis=-1) == y_true).astype(np.float32)
    if y_pred.size and np.isnan(np.max(y_pred)):  # a row of NaN scores has no class: NaN
        matches[np.isnan(y_pred).any(axis=-1)] = np.nan
    return matches


def _in_top_k(labels, y_pred, k):
    """Whether each row's score at its label is among its k largest (ties count as in)."""
    y_pred = np.asarray(y_pred)
    labels = np.asarray(labels).reshape(-1).astype(np.intp)
    scores = y_pred.reshape(-1, y_pred.shape[-1])
    k = min(k, scores.shape[-1])
    kth = np.partition(scores, -k, axis=-1)[:, -k]
    return (scores[np.arange(len(labels)), labels] >= kth).astype(np.float32)


def top_k_categorical_accuracy_values(y_true, y_pred, k=5):
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy_values(y_true, y_pred, k=5, from_sorted_ids=False):
    if from_sorted_ids:
        ids = np.asarray(y_pred)[:, :k]
        return np.any(np.reshape(y_true, (-1, 1)) == ids, axis=1).astype(np.float32)
    return _in_top_k(y_true, y_pred, k)


class _Wrapper(MeanMetricWrapper):
    """A Keras metric class over a per-sample function; ``options`` go in its config."""

    fn = None
    default_name = ""
    options: tuple = ()

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__(type(self).fn, name=name or self.default_name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                **{k: getattr(self, k) for k in self.options}}


def _wrapper(class_name, fn, default_name, options=(), doc=""):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        for key, default in options:
            kwargs.setdefault(key, default)
        _Wrapper.__init__(self, name=name, dtype=dtype, **kwargs)

    return type(class_name, (_Wrapper,), {
        "fn": staticmethod(fn), "default_name": default_name,
        "options": tuple(k for k, _ in options), "__init__": __init__,
        "__doc__": doc or f"Keras's ``{class_name}``: the mean of ``{default_name}``."})


Accuracy = _wrapper("Accuracy", accuracy_values, "accuracy",
                    doc="How often predictions equal the labels.")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy_values, "binary_accuracy",
                          (("threshold", 0.5),))
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy_values,
                               "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy",
                                     sparse_categorical_accuracy_values,
                                     "sparse_categorical_accuracy")


class TopKCategoricalAccuracy(_Wrapper):
    """How often the one-hot target's class is among the top ``k`` scores."""

    fn = staticmethod(top_k_categorical_accuracy_values)
    options = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_Wrapper):
    """How often the integer label is among the top ``k`` scores."""

    fn = staticmethod(sparse_top_k_categorical_accuracy_values)
    options = ("k",)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(name=name, dtype=dtype, k=k, from_sorted_ids=from_sorted_ids)

    def get_config(self):
        config = super().get_config()
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


def _loss_values(loss_class, **fixed):
    """Keras's loss function as per-sample values (``reduction=None``)."""
    def values(y_true, y_pred, **kwargs):
        return loss_class(reduction=None, **fixed, **kwargs)(y_true, y_pred)

    values.__name__ = loss_class.__name__
    return values


MeanSquaredError = _wrapper("MeanSquaredError", _loss_values(losses.MeanSquaredError),
                            "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _loss_values(losses.MeanAbsoluteError),
                             "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError", _loss_values(losses.MeanAbsolutePercentageError),
    "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError", _loss_values(losses.MeanSquaredLogarithmicError),
    "mean_squared_logarithmic_error")
LogCoshError = _wrapper("LogCoshError", _loss_values(losses.LogCosh), "logcosh")
KLDivergence = _wrapper("KLDivergence", _loss_values(losses.KLDivergence), "kl_divergence")
Poisson = _wrapper("Poisson", _loss_values(losses.Poisson), "poisson")
Hinge = _wrapper("Hinge", _loss_values(losses.Hinge), "hinge")
SquaredHinge = _wrapper("SquaredHinge", _loss_values(losses.SquaredHinge), "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", _loss_values(losses.CategoricalHinge),
                            "categorical_hinge")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", _loss_values(losses.BinaryCrossentropy),
                              "binary_crossentropy",
                              (("from_logits", False), ("label_smoothing", 0)))
CategoricalCrossentropy = _wrapper(
    "CategoricalCrossentropy", _loss_values(losses.CategoricalCrossentropy),
    "categorical_crossentropy", (("from_logits", False), ("label_smoothing", 0), ("axis", -1)))
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", _loss_values(losses.SparseCategoricalCrossentropy),
    "sparse_categorical_crossentropy",
    (("from_logits", False), ("ignore_class", None), ("axis", -1)))


def cosine_similarity_values(y_true, y_pred, axis=-1):
    return -losses.CosineSimilarity(axis=axis, reduction=None)(y_true, y_pred)


class CosineSimilarity(_Wrapper):
    """The mean cosine similarity of targets and predictions (``axis`` is not in its config,
    as in Keras)."""

    fn = staticmethod(cosine_similarity_values)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the mean squared error over every value seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(y_true, y_pred)
        super().update_state(np.square(np.asarray(y_pred, self._dtype) - y_true),
                             sample_weight=sample_weight)

    def result(self):
        return np.sqrt(super().result())


class R2Score(Metric):
    """The coefficient of determination over all samples seen (Keras's ``R2Score``).

    ``class_aggregation``: 'uniform_average' (default), 'variance_weighted_average' or None
    (one score per output); ``num_regressors`` > 0 gives the adjusted R2.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ConfigError("R2Score: class_aggregation must be None, 'uniform_average' or "
                              f"'variance_weighted_average', got {class_aggregation!r}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._sums = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(y_true, y_pred)
        y_true, y_pred = np.asarray(y_true, self._dtype), np.asarray(y_pred, self._dtype)
        if y_true.ndim != 2:
            raise ConfigError(f"R2Score expects 2-D inputs (batch, outputs); got y_true of "
                              f"shape {y_true.shape}")
        if self._sums is None:
            self._sums = [self.add_variable((y_true.shape[1],), "zeros", name=n)
                          for n in ("sum", "squared_sum", "residual", "count")]
        w = np.ones((), self._dtype) if sample_weight is None else np.asarray(sample_weight,
                                                                                self._dtype)
        w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, y_true.shape)
        total, squares, residual, count = self._sums
        total.assign_add(np.sum(y_true * w, axis=0))
        squares.assign_add(np.sum(y_true * y_true * w, axis=0))
        residual.assign_add(np.sum(np.square(y_true - y_pred) * w, axis=0))
        count.assign_add(np.sum(w, axis=0))
        self.num_samples.assign_add(y_true.size)

    def result(self):
        if self._sums is None:
            return np.zeros((), self._dtype)
        total, squares, residual, count = (v.value for v in self._sums)
        with np.errstate(divide="ignore", invalid="ignore"):
            variance = squares - total * (total / count)
            scores = 1 - residual / variance
        scores = np.where(np.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score = np.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(variance * scores) / np.sum(variance)
        else:
            score = scores
        n, p = float(self.num_samples.value), self.num_regressors
        if p and p < n - 1:
            score = 1 - (1 - score) * (n - 1) / (n - p - 1)
        return np.asarray(score, self._dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
