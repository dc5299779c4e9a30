"""Feature scaling (min-max and standard) and one-hot labels.

The scalers follow scikit-learn's contract: the constructor stores settings, ``fit`` learns the
attributes ending in ``_`` from the training data only, ``transform`` applies them to any data of
the same width. The seeds' Animals quest normalises every column to 0..1 with the minimum and
maximum of the whole data set, test rows included; fit on the training part instead.

Example
-------
>>> import numpy as np
>>> scaler = StandardScaler().fit(np.array([[0.0], [2.0]]))
>>> scaler.transform(np.array([[4.0]])).tolist()
[[3.0]]
"""

from __future__ import annotations

import copy

import numpy as np
from numpy.typing import ArrayLike

from .._checks import positive_int
from .._registry import Registry
from ..errors import ConfigError, DataError, NotFittedError, ShapeError
from ..utils import to_categorical
from ._validation import as_features

__all__ = ["MinMaxScaler", "Scaler", "StandardScaler", "make_scaler", "one_hot"]


class Scaler:
    """Base of the scalers: ``x -> (x - offset_) / scale_`` per feature, learnt by ``fit``."""

    offset_: np.ndarray
    scale_: np.ndarray

    def fit(self, X: ArrayLike) -> Scaler:
        """Learn the per-feature statistics of ``X`` (samples x features); return ``self``."""
        X = as_features(X, "X", f"{type(self).__name__}.fit")
        if len(X) == 0:
            raise ShapeError(f"{type(self).__name__}.fit: X has no rows")
        with np.errstate(over="ignore", invalid="ignore"):
            offset, scale = self._statistics(X)
        _finite(np.concatenate([offset, scale]), f"{type(self).__name__}.fit",
                "its statistics")
        self.offset_, self.scale_ = offset, scale
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Scale ``X`` with the fitted statistics (a new array)."""
        X = self._checked(X, "transform")
        # columns scaled by a power of two first (exact): values near float64's limit whose
        # difference would overflow still give the right result, and ordinary ones the same bits
        p = _power_of_two(X, self.offset_, 1020)
        with np.errstate(over="ignore", invalid="ignore"):
            result = (X / p - self.offset_ / p) / (self.scale_ / p)
        return _finite(result, f"{type(self).__name__}.transform")

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Undo :meth:`transform`."""
        X = self._checked(X, "inverse_transform")
        with np.errstate(over="ignore", invalid="ignore"):
            result = X * self.scale_ + self.offset_
        return _finite(result, f"{type(self).__name__}.inverse_transform")

    def _statistics(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _checked(self, X, method: str) -> np.ndarray:
        where = f"{type(self).__name__}.{method}"
        if not hasattr(self, "scale_"):
            raise NotFittedError(f"{where}: call fit(X_train) first")
        X = as_features(X, "X", where)
        if X.shape[1] != self.n_features_in_:
            raise ShapeError(
                f"{where}: X has {X.shape[1]} features, but the scaler was fitted on "
                f"{self.n_features_in_}; transform data with the columns it was fitted on"
            )
        return X

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _power_of_two(X: np.ndarray, offset, keep: int) -> np.ndarray:
    """Per column, 1 or the power of two that brings the largest magnitude in ``X`` and
    ``offset`` down to about 2**keep (dividing by it is exact)."""
    top = np.maximum(np.abs(X).max(axis=0, initial=0.0), np.abs(offset))
    exponent = np.frexp(top)[1]
    return np.ldexp(1.0, np.maximum(exponent - keep, 0)).astype(X.dtype)


def _finite(values: np.ndarray, where: str, what: str = "the result") -> np.ndarray:
    """``values``, or a DataError: a value beyond the dtype's range became inf (or NaN)."""
    if values.size and not np.isfinite(values).all():
        col = int(np.argmax(~np.isfinite(values).reshape(-1, values.shape[-1]).all(axis=0)))
        raise DataError(f"{where}: {what} for feature {col} overflow(s) the "
                        f"{values.dtype} range; the data are too large or too far outside the "
                        "fitted range: rescale them (divide by a power of ten) first")
    return values


class MinMaxScaler(Scaler):
    """Scale each feature to ``feature_range`` (default 0..1) using the training min and max.

    A constant feature maps to the lower end of the range (no division by zero).

    Example
    -------
    >>> import numpy as np
    >>> MinMaxScaler().fit_transform(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        self.feature_range = feature_range

    def _statistics(self, X):
        bounds = self.feature_range
        if not (isinstance(bounds, (tuple, list)) and len(bounds) == 2 and all(
                isinstance(b, (int, float, np.integer, np.floating)) and np.isfinite(b)
                for b in bounds) and bounds[0] < bounds[1]):
            raise ConfigError(f"MinMaxScaler: feature_range must be two numbers (low, high) with "
                              f"low < high, such as (0, 1); got {bounds!r}")
        low, high = bounds
        self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
        half = self.data_max_ / 2 - self.data_min_ / 2  # (max - min) / 2 exactly, never inf
        scale = np.where(half > 0, half, 0.5) / ((high - low) / 2)
        return self.data_min_ - low * scale, scale

    def __repr__(self) -> str:
        return f"MinMaxScaler(feature_range={tuple(self.feature_range)})"


class StandardScaler(Scaler):
    """Scale each feature to zero mean and unit variance (population std, ddof=0).

    A constant feature is only centred (its scale is taken as 1).

    Example
    -------
    >>> import numpy as np
    >>> StandardScaler().fit_transform(np.array([[1.0], [3.0]])).tolist()
    [[-1.0], [1.0]]
    """

    def _statistics(self, X):
        p = _power_of_two(X, 0.0, 500)  # exact scaling: squares of 1e200 do not overflow
        scaled = X / p
        self.mean_, std = scaled.mean(axis=0) * p, scaled.std(axis=0) * p
        return self.mean_, np.where(std > 0, std, 1.0)


_SCALERS = Registry(
    "scaler",
    {"minmax": MinMaxScaler, "standard": StandardScaler},
    base=Scaler,
    aliases={"min_max_scaler": "minmax", "standard_scaler": "standard"},
)


def make_scaler(spec: str | type[Scaler] | Scaler | None) -> Scaler | None:
    """A fresh, unfitted scaler from a name ('minmax', 'standard'), a class, or an instance.

    An instance is copied, so each call returns a scaler of its own; None gives None.

    Example
    -------
    >>> make_scaler("standard")
    StandardScaler()
    """
    if spec is None:
        return None
    if isinstance(spec, Scaler):
        fresh = copy.deepcopy(spec)
        for attribute in [a for a in vars(fresh) if a.endswith("_")]:
            delattr(fresh, attribute)
        return fresh
    return _SCALERS.get(spec)


def one_hot(labels: ArrayLike, n_classes: int | None = None, dtype="float32") -> np.ndarray:
    """One-hot rows for integer class labels 0..n_classes-1 (float32, as the seeds' ``one_hot``).

    Parameters
    ----------
    labels : array_like of int
        Class codes, shape (n,) or (n, 1). Whole floats (``2.0``) are accepted.
    n_classes : int, optional
        Number of columns; default ``max(labels) + 1``.
    dtype : dtype, default 'float32'

    Example
    -------
    >>> one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    positive_int(n_classes, "one_hot: n_classes", allow_none=True)
    try:
        shape = np.shape(labels)
    except ValueError as exc:
        raise DataError(f"one_hot: labels cannot be read as an array ({exc})") from None
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1):
        raise ShapeError(f"one_hot: labels need shape (n,) or (n, 1), got {shape}; wrap a single "
                         "label in a list, and use rows that are already one-hot as they are")
    return to_categorical(labels, num_classes=n_classes, dtype=dtype)
