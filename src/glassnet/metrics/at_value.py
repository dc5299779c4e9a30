"""Keras 3's "best X where Y >= value" metrics: ``PrecisionAtRecall``, ``RecallAtPrecision``,
``SensitivityAtSpecificity``, ``SpecificityAtSensitivity``, from counts at ``num_thresholds``
evenly spaced thresholds in [0, 1], accumulated over the epoch.

Example
-------
>>> m = PrecisionAtRecall(recall=0.5)
>>> m.update_state([0, 0, 1, 1], [0.1, 0.5, 0.3, 0.9])
>>> float(m.result())
1.0
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .base import Metric
from .confusion import _ratio, confusion_counts

__all__ = ["PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
           "SpecificityAtSensitivity"]


class _AtValue(Metric):
    """Counts at thresholds; ``result`` is the largest ``dependent`` where ``constrained`` >=
    the value (0 when none is)."""

    value_name = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if not isinstance(num_thresholds, int) or num_thresholds <= 0:
            raise ConfigError(f"{type(self).__name__}: num_thresholds must be an integer > 0, "
                              f"got {num_thresholds!r}")
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{type(self).__name__}: {self.value_name} must be a number in "
                              f"[0, 1], got {value!r}")
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0, *inner, 1.0]
        self.counts = [self.add_variable((len(self.thresholds),), "zeros", name=n)
                       for n in ("true_positives", "false_positives", "false_negatives",
                                 "true_negatives")]

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                  class_id=self.class_id)
        for v, c in zip(self.counts, counts, strict=True):
            v.assign_add(c)

    def rates(self):
        raise NotImplementedError

    def result(self):
        constrained, dependent = self.rates()
        best = np.max(np.where(constrained >= self.value, dependent, 0.0), initial=0.0)
        return np.asarray(best, self._dtype)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self.value_name: self.value}

    def _values(self):
        return (v.value for v in self.counts)


class PrecisionAtRecall(_AtValue):
    """The best precision where recall >= ``recall``."""

    value_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall

    def rates(self):
        tp, fp, fn, _ = self._values()
        return _ratio(tp, tp + fn), _ratio(tp, tp + fp)


class RecallAtPrecision(_AtValue):
    """The best recall where precision >= ``precision``."""

    value_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision

    def rates(self):
        tp, fp, fn, _ = self._values()
        return _ratio(tp, tp + fp), _ratio(tp, tp + fn)


class SensitivityAtSpecificity(_AtValue):
    """The best sensitivity (recall) where specificity >= ``specificity``."""

    value_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity

    def rates(self):
        tp, fp, fn, tn = self._values()
        return _ratio(tn, tn + fp), _ratio(tp, tp + fn)


class SpecificityAtSensitivity(_AtValue):
    """The best specificity where sensitivity (recall) >= ``sensitivity``."""

    value_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity

    def rates(self):
        tp, fp, fn, tn = self._values()
        return _ratio(tp, tp + fn), _ratio(tn, tn + fp)
