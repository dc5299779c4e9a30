"""Classification metrics: accuracy, confusion matrix, precision / recall / F1, a text report.

Inputs
------
``y_true`` and ``y_pred`` are label vectors (ints, whole floats, strings or bools). A 2-D array
of shape (n, k) with k > 1 (one-hot rows, or the class probabilities ``model.predict`` returns)
stands for its row-wise argmax, the column index; a column (n, 1) is a label vector. A vector
of fractional floats (the probabilities of a one-unit sigmoid output) is refused rather than
guessed at: threshold it first, ``(p > 0.5).astype(int)``.

Zero division
-------------
Precision of a class never predicted, recall of a class absent from ``y_true``, and F1 when
both are 0 are 0.0, as scikit-learn's default ``zero_division`` gives, but without a warning.
The results equal scikit-learn's ``precision_recall_fscore_support`` and
``classification_report`` (F1 is computed as ``2 tp / (2 tp + fp + fn)``, as there).

Example
-------
>>> from glassnet.metrics.classification import accuracy, confusion_matrix
>>> accuracy([0, 1, 2, 2], [0, 2, 2, 2])
0.75
>>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 2]).tolist()
[[1, 0, 0], [0, 0, 1], [0, 0, 2]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .._checks import positive_int
from ..data._validation import as_array, as_labels, check_same_length
from ..errors import ConfigError, DataError

__all__ = [
    "Averages",
    "ClassScores",
    "accuracy",
    "classification_report",
    "confusion_matrix",
    "precision_recall_f1",
]


def _pair(y_true, y_pred, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Both inputs as label vectors of one kind (numbers or text) and one length."""
    t, p = as_labels(y_true, "y_true", where), as_labels(y_pred, "y_pred", where)
    check_same_length([t, p], ["y_true", "y_pred"], where)
    if len(t) == 0:
        raise DataError(f"{where}: y_true and y_pred are empty; need at least one sample")
    if (t.dtype.kind in "US") != (p.dtype.kind in "US"):
        raise DataError(
            f"{where}: y_true holds {t.dtype} and y_pred {p.dtype}; labels must be both "
            "numbers or both text"
        )
    return t, p


def _encode(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The position of each value in ``labels``, or -1 for a value not listed."""
    order = np.argsort(labels, kind="stable")
    at = np.clip(np.searchsorted(labels, values, sorter=order), 0, len(labels) - 1)
    found = labels[order[at]] == values
    return np.where(found, order[at], -1)


def _codes(y_true, y_pred, labels, where: str):
    """Labels (given, else the sorted union) and both inputs as codes into them (-1: unlisted)."""
    t, p = _pair(y_true, y_pred, where)
    if labels is None:
        labels = np.unique(np.concatenate([t, p]))
    else:
        labels = as_array(labels, "labels", where)
        if labels.ndim == 1:
            labels = as_labels(labels, "labels", where)
        if labels.ndim != 1 or len(labels) == 0 or len(np.unique(labels)) != len(labels):
            raise ConfigError(f"{where}: labels must be a non-empty list of distinct labels")
        if (labels.dtype.kind in "US") != (t.dtype.kind in "US"):
            raise DataError(f"{where}: labels hold {labels.dtype} but y_true {t.dtype}; list "
                            "labels of the same kind (numbers or text) as the data")
    return labels, _encode(t, labels), _encode(p, labels)


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """The fraction of samples whose predicted label equals the true one.

    Example
    -------
    >>> accuracy([1, 0, 1], [[0.2, 0.8], [0.6, 0.4], [0.9, 0.1]])  # probabilities: argmax
    0.6666666666666666
    """
    t, p = _pair(y_true, y_pred, "accuracy")
    return float(np.mean(t == p))


def confusion_matrix(
    y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike | None = None
) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    Parameters
    ----------
    y_true, y_pred : array_like
        Labels, one-hot rows or class scores (see the module notes).
    labels : array_like, optional
        Row and column order; default the sorted union of both inputs. Samples whose true or
        predicted label is not listed are left out.

    Returns
    -------
    numpy.ndarray of int64, shape (k, k)

    Example
    -------
    >>> confusion_matrix(["cat", "dog", "dog"], ["dog", "dog", "dog"]).tolist()
    [[0, 1], [0, 2]]
    """
    labels, t, p = _codes(y_true, y_pred, labels, "confusion_matrix")
    k = len(labels)
    kept = (t >= 0) & (p >= 0)
    return np.bincount(t[kept] * k + p[kept], minlength=k * k).reshape(k, k).astype(np.int64)


class Averages(NamedTuple):
    """Precision, recall and F1 averaged over classes."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, eq=False)
class ClassScores:
    """Per-class precision, recall, F1 and support (true count), in the order of ``labels``.

    Also the per-class ``tp`` and ``predicted`` counts, and ``all_listed``: whether every label
    in the inputs is one of ``labels``.

    ``macro`` averages the classes equally, ``weighted`` by support, ``micro`` pools the counts
    of the listed classes (its F1 is the accuracy when every class is listed).
    """

    labels: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    tp: np.ndarray
    predicted: np.ndarray
    all_listed: bool

    @property
    def macro(self) -> Averages:
        return Averages(*(float(np.mean(s)) for s in (self.precision, self.recall, self.f1)))

    @property
    def weighted(self) -> Averages:
        if self.support.sum() == 0:
            return Averages(0.0, 0.0, 0.0)
        scores = (self.precision, self.recall, self.f1)
        return Averages(*(float(np.average(s, weights=self.support)) for s in scores))

    @property
    def micro(self) -> Averages:
        tp, pred, true = self.tp.sum(), self.predicted.sum(), self.support.sum()
        return Averages(_ratio(tp, pred), _ratio(tp, true), _ratio(2 * tp, pred + true))


def _ratio(numerator, denominator):
    """``numerator / denominator`` elementwise, 0 where the denominator is 0."""
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    out = np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)
    return float(out) if out.ndim == 0 else out


def precision_recall_f1(
    y_true: ArrayLike, y_pred: ArrayLike, labels: ArrayLike | None = None
) -> ClassScores:
    """Per-class precision, recall, F1 and support, with macro / weighted / micro averages.

    Example
    -------
    >>> scores = precision_recall_f1([0, 0, 1, 1], [0, 1, 1, 1])
    >>> scores.precision.tolist(), scores.recall.tolist(), round(scores.macro.f1, 4)
    ([1.0, 0.6666666666666666], [0.5, 1.0], 0.7333)
    """
    return _scores(y_true, y_pred, labels, "precision_recall_f1")


def _scores(y_true, y_pred, labels, where: str) -> ClassScores:
    labels, t, p = _codes(y_true, y_pred, labels, where)
    k = len(labels)
    tp = np.bincount(t[(t == p) & (t >= 0)], minlength=k)
    true = np.bincount(t[t >= 0], minlength=k)
    predicted = np.bincount(p[p >= 0], minlength=k)
    return ClassScores(
        labels=labels,
        precision=_ratio(tp, predicted),
        recall=_ratio(tp, true),
        f1=_ratio(2 * tp, true + predicted),
        support=true,
        tp=tp,
        predicted=predicted,
        all_listed=bool((t >= 0).all() and (p >= 0).all()),
    )


_HEADINGS = ("precision", "recall", "f1-score", "support")


def classification_report(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    labels: ArrayLike | None = None,
    target_names: Sequence[str] | None = None,
    digits: int = 2,
) -> str:
    """A text table of per-class precision, recall, F1 and support, laid out as scikit-learn's.

    The ``accuracy`` row (micro F1) is shown when every label present is listed, else a
    ``micro avg`` row; then ``macro avg`` and ``weighted avg``.

    Example
    -------
    >>> print(classification_report([0, 1, 1], [0, 1, 0], target_names=["no", "yes"]))
                  precision    recall  f1-score   support
    <BLANKLINE>
              no       0.50      1.00      0.67         1
             yes       1.00      0.50      0.67         2
    <BLANKLINE>
        accuracy                           0.67         3
       macro avg       0.75      0.75      0.67         3
    weighted avg       0.83      0.67      0.67         3
    <BLANKLINE>
    """
    positive_int(digits, "classification_report: digits", minimum=0)
    scores = _scores(y_true, y_pred, labels, "classification_report")
    names = [str(label) for label in scores.labels] if target_names is None else target_names
    if len(names) != len(scores.labels):
        raise ConfigError(
            f"classification_report: {len(names)} target_names for {len(scores.labels)} labels"
        )
    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    row = "{:>{w}s} " + " {:>9.{d}f}" * 3 + " {:>9}\n"
    head = ("{:>{w}s} " + " {:>9}" * 4).format("", *_HEADINGS, w=width)
    text = head + "\n\n"
    columns = zip(names, scores.precision, scores.recall, scores.f1, scores.support, strict=True)
    text += "".join(row.format(*values, w=width, d=digits) for values in columns) + "\n"
    total = int(scores.support.sum())
    if scores.all_listed:
        accuracy_row = "{:>{w}s} " + " {:>9}" * 2 + " {:>9.{d}f} {:>9}\n"
        text += accuracy_row.format("accuracy", "", "", scores.micro.f1, total, w=width, d=digits)
    else:
        text += row.format("micro avg", *scores.micro, total, w=width, d=digits)
    text += row.format("macro avg", *scores.macro, total, w=width, d=digits)
    return text + row.format("weighted avg", *scores.weighted, total, w=width, d=digits)
