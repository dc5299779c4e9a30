"""Keras 3's confusion-matrix metrics: ``TruePositives`` ... ``FalseNegatives``, ``Precision``,
``Recall``, ``AUC`` (ROC, PR; interpolation, minoring, majoring), ``F1Score`` and
``FBetaScore``, accumulated over every batch of an epoch (so AUC is the epoch's AUC, not a mean
of batch AUCs).

A prediction counts as positive above a threshold (``>``), a label when it is non-zero, as in
Keras. ``top_k`` keeps each row's k largest scores only; ``class_id`` looks at one column.

Example
-------
>>> import numpy as np
>>> auc = AUC()
>>> auc.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
>>> round(float(auc.result()), 4)
0.75
>>> float(Precision(thresholds=0.3)([0, 1, 1], [0.9, 0.6, 0.1]))
0.5
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .base import Metric
from .wrapped import _same_rank

__all__ = ["AUC", "F1Score", "FBetaScore", "FalseNegatives", "FalsePositives", "Precision",
           "Recall", "TrueNegatives", "TruePositives"]

EPSILON = 1e-7
NEG_INF = -1e10


def _thresholds(thresholds, default):
    if thresholds is None:
        return [default]
    if isinstance(thresholds, (int, float)) and not isinstance(thresholds, bool):
        return [float(thresholds)]
    values = [float(t) for t in thresholds]
    if any(not 0 <= t <= 1 for t in values):
        raise ConfigError(f"thresholds must be in [0, 1], got {thresholds!r}")
    return values


def _filter_top_k(y_pred, k):
    top = np.argpartition(-y_pred, min(k, y_pred.shape[-1]) - 1, axis=-1)[..., :k]
    mask = np.zeros(y_pred.shape, bool)
    np.put_along_axis(mask, top, True, axis=-1)
    return np.where(mask, y_pred, NEG_INF)


def _counts(positive, scores, weights, thresholds):
    """(tp, fp, fn, tn) at each threshold for flat arrays: prediction > threshold."""
    order = np.argsort(thresholds, kind="stable")
    above = np.searchsorted(thresholds[order], scores, side="left")  # thresholds below each
    size = len(thresholds) + 1

    def weighted_above(mask):
        hist = np.bincount(above[mask], weights=weights[mask], minlength=size)
        return np.cumsum(hist[::-1])[::-1][1:]  # sum over scores above threshold i

    tp, fp = weighted_above(positive), weighted_above(~positive)
    fn, tn = weights[positive].sum() - tp, weights[~positive].sum() - fp
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return tuple(c[back] for c in (tp, fp, fn, tn))


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None,
                     class_id=None, multi_label=False, label_weights=None):
    """Keras's ``update_confusion_matrix_variables``: (tp, fp, fn, tn), shape (T,) or (T, L)."""
    y_pred, y_true = _same_rank(np.asarray(y_pred, np.float64), np.asarray(y_true, np.float64))
    weights = np.ones(y_pred.shape)
    if sample_weight is not None:
        w = np.asarray(sample_weight, np.float64)
        w = w.reshape(w.shape + (1,) * (y_pred.ndim - w.ndim)) if w.ndim < y_pred.ndim else w
        weights = weights * w
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ConfigError("class_id needs y_pred of shape (samples, classes), got shape "
                              f"{y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
        weights = weights[..., class_id, None]
    if label_weights is not None and not multi_label:
        weights = weights * np.asarray(label_weights, np.float64)
    positive = y_true.astype(bool)
    thresholds = np.asarray(thresholds, np.float64)
    if not multi_label:
        return _counts(positive.ravel(), y_pred.ravel(), weights.ravel(), thresholds)
    columns = [_counts(positive[:, j], y_pred[:, j], weights[:, j], thresholds)
               for j in range(y_pred.shape[1])]
    return tuple(np.stack([c[i] for c in columns], axis=1) for i in range(4))


def _ratio(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b != 0)


class _ThresholdCounts(Metric):
    """Counts at thresholds; subclasses pick which and how ``result`` combines them."""

    kinds = ("tp", "fp", "fn", "tn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _thresholds(thresholds, default)
        self.accumulators = {k: self.add_variable((len(self.thresholds),), "zeros", name=k)
                             for k in self.kinds}

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = dict(zip(("tp", "fp", "fn", "tn"), confusion_counts(
            y_true, y_pred, self.thresholds, sample_weight, self.top_k, self.class_id),
            strict=True))
        for k, v in self.accumulators.items():
            v.assign_add(counts[k])

    def _single(self, value):
        value = np.asarray(value, self._dtype)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


def _count_metric(class_name, kind, default_name):
    class Count(_ThresholdCounts):
        kinds = (kind,)

        def __init__(self, thresholds=None, name=default_name, dtype=None):
            super().__init__(thresholds, name=name, dtype=dtype)

        def result(self):
            return self._single(self.accumulators[kind].value)

    Count.__name__ = Count.__qualname__ = class_name
    Count.__doc__ = f"Keras's ``{class_name}``: the (weighted) count at each threshold."
    return Count


TruePositives = _count_metric("TruePositives", "tp", "true_positives")
FalsePositives = _count_metric("FalsePositives", "fp", "false_positives")
TrueNegatives = _count_metric("TrueNegatives", "tn", "true_negatives")
FalseNegatives = _count_metric("FalseNegatives", "fn", "false_negatives")


class Precision(_ThresholdCounts):
    """``tp / (tp + fp)`` over the epoch (0 when nothing is predicted positive)."""

    kinds = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision",
                 dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        tp, fp = self.accumulators["tp"].value, self.accumulators["fp"].value
        return self._single(_ratio(tp, tp + fp))

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Recall(Precision):
    """``tp / (tp + fn)`` over the epoch (0 when there is no positive label)."""

    kinds = ("tp", "fn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        tp, fn = self.accumulators["tp"].value, self.accumulators["fn"].value
        return self._single(_ratio(tp, tp + fn))


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """The area under the ROC or precision-recall curve, from counts at ``num_thresholds``
    evenly spaced thresholds (Keras's ``AUC``)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name="auc", dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        if str(curve).lower() not in _CURVES or summation_method not in _SUMMATIONS:
            raise ConfigError(f"AUC: curve must be 'ROC', 'PR' or 'PRGAIN' and "
                              f"summation_method one of {_SUMMATIONS}; got {curve!r}, "
                              f"{summation_method!r}")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_thresholds(thresholds, 0.5))
        else:
            if not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ConfigError(f"AUC: num_thresholds must be an integer > 1, got "
                                  f"{num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = len(inner) + 2
        self._thresholds = np.array([0.0 - EPSILON, *inner, 1.0 + EPSILON])
        self.curve, self.summation_method = _CURVES[str(curve).lower()], summation_method
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else list(label_weights)
        self._from_logits = from_logits
        self._counts = None

    @property
    def thresholds(self):
        return list(self._thresholds)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred, np.float64)
        if self._from_logits:
            y_pred = 0.5 * (1 + np.tanh(0.5 * y_pred))  # sigmoid, without overflow
        counts = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                  multi_label=self.multi_label,
                                  label_weights=None if self.multi_label else self.label_weights)
        if self._counts is None:
            self._counts = [self.add_variable(c.shape, "zeros", name=n)
                            for n, c in zip(("tp", "fp", "fn", "tn"), counts, strict=True)]
        for v, c in zip(self._counts, counts, strict=True):
            v.assign_add(c)

    def _by_label(self, terms):
        if not self.multi_label:
            return np.sum(terms)
        by_label = np.sum(terms, axis=0)
        if self.label_weights is None:
            return np.mean(by_label)
        weights = np.asarray(self.label_weights)
        return _ratio(np.sum(by_label * weights), np.sum(weights))

    def _interpolate_pr(self, tp, fp, fn):
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        slope = _ratio(dtp, np.maximum(p[:-1] - p[1:], 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), _ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return self._by_label(_ratio(slope * (dtp + intercept * np.log(ratio)),
                                     np.maximum(tp[1:] + fn[1:], 0)))

    def _curve(self, tp, fp, fn, tn):
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            return _ratio(fp, fp + tn), recall
        if self.curve == "PR":
            return recall, _ratio(tp, tp + fp)
        scale = _ratio(tp + fn, tn + fp)
        recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * _ratio(fn, tp))
        precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * _ratio(fp, tp))
        return np.maximum(recall_gain, 0.0), precision_gain

    def result(self):
        if self._counts is None:
            return np.zeros((), self._dtype)
        tp, fp, fn, tn = (v.value for v in self._counts)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return np.asarray(self._interpolate_pr(tp, fp, fn), self._dtype)
        x, y = self._curve(tp, fp, fn, tn)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return np.asarray(self._by_label((x[:-1] - x[1:]) * heights), self._dtype)

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": self.label_weights, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


class FBetaScore(Metric):
    """F-beta over the epoch per class (``average=None``) or 'micro', 'macro', 'weighted';
    without ``threshold`` each row's largest score is its prediction."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ConfigError(f"{type(self).__name__}: average must be None, 'micro', 'macro' "
                              f"or 'weighted', got {average!r}")
        if not isinstance(beta, float) or beta <= 0:
            raise ConfigError(f"{type(self).__name__}: beta must be a float > 0, got {beta!r}")
        if threshold is not None and (not isinstance(threshold, float)
                                      or not 0 < threshold <= 1):
            raise ConfigError(f"{type(self).__name__}: threshold must be a float in (0, 1], "
                              f"got {threshold!r}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._sums = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = np.asarray(y_true, self._dtype), np.asarray(y_pred, self._dtype)
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ConfigError(f"{type(self).__name__} expects 2-D inputs (batch, classes); got "
                              f"shapes {y_true.shape} and {y_pred.shape}")
        if self.threshold is None:
            y_pred = (y_pred >= y_pred.max(axis=-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self._dtype)
        w = 1.0 if sample_weight is None else np.asarray(sample_weight, self._dtype)[:, None]
        if self._sums is None:
            shape = () if self.average == "micro" else (y_pred.shape[-1],)
            self._sums = [self.add_variable(shape, "zeros", name=n)
                          for n in ("true_positives", "false_positives", "false_negatives",
                                    "intermediate_weights")]
        parts = (y_pred * y_true, y_pred * (1 - y_true), (1 - y_pred) * y_true, y_true)
        for v, part in zip(self._sums, parts, strict=True):
            v.assign_add(np.sum(part * w, axis=self.axis))

    def result(self):
        if self._sums is None:
            return np.zeros((), self._dtype)
        tp, fp, fn, weights = (v.value.astype(self._dtype) for v in self._sums)
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta ** 2
        score = precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2)
        if self.average == "weighted":
            score = np.sum(score * weights / (np.sum(weights) + EPSILON))
        elif self.average is not None:
            score = np.mean(score)
        return np.asarray(score, self._dtype)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 (beta = 1) over the epoch."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
