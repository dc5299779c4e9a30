"""Checks shared by the data, metrics and model-selection modules, with glassnet's errors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import DataError, ShapeError

__all__ = ["as_array", "as_features", "as_labels", "check_same_length"]


def check_same_length(arrays: Sequence[np.ndarray], names: Sequence[str], where: str) -> int:
    """The common length of ``arrays``; raise ShapeError naming the ones that differ."""
    for array, name in zip(arrays, names, strict=True):
        if np.ndim(array) == 0:
            raise ShapeError(f"{where}: {name} is a single value ({np.asarray(array).item()!r}), "
                             "not an array with one entry per sample; name options such as "
                             "test_size= or batch_size= by keyword")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        found = ", ".join(f"{n} has {k}" for n, k in zip(names, lengths, strict=True))
        raise ShapeError(f"{where}: arrays must have the same number of samples; {found}")
    return lengths[0]


def as_array(value, name: str, where: str) -> np.ndarray:
    """``np.asarray(value)``, or a DataError when it is ragged or not array-like at all."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"{where}: {name} cannot be read as an array (ragged rows or mixed "
                        f"types? {exc})") from None


def as_features(X, name: str, where: str) -> np.ndarray:
    """``X`` as a finite 2-D float array (samples x features)."""
    array = as_array(X, name, where)
    if array.ndim != 2:
        hint = " (one feature? use X.reshape(-1, 1))" if array.ndim == 1 else ""
        raise ShapeError(
            f"{where}: {name} must be 2-D (samples, features), got {array.shape}{hint}"
        )
    if array.dtype.kind not in "biuf":
        raise DataError(f"{where}: {name} must be numeric, got dtype {array.dtype}")
    array = array.astype(np.result_type(array.dtype, np.float32), copy=False)
    if not np.isfinite(array).all():
        row, col = np.argwhere(~np.isfinite(array))[0]
        raise DataError(
            f"{where}: {name}[{row}, {col}] is {array[row, col]}; remove or impute non-finite "
            "values first"
        )
    return array


def as_labels(y, name: str, where: str) -> np.ndarray:
    """Class labels as a 1-D array.

    A label vector (ints, whole floats, strings, bools) is taken as it is; a column (n, 1) is
    flattened; a matrix (n, k) with k > 1 (one-hot rows or class scores) becomes its row-wise
    argmax, the column index. Whole floats become int64 so that 1.0 and 1 are one class.
    """
    labels = as_array(y, name, where)
    if labels.dtype.kind not in "biufUS":
        raise DataError(f"{where}: {name} holds {labels.dtype} values; labels must be numbers "
                        "or text")
    if labels.ndim == 2 and labels.dtype.kind == "f" and labels.size \
            and not np.isfinite(labels).all():
        row = int(np.argmax(~np.isfinite(labels).all(axis=1)))
        raise DataError(f"{where}: {name} row {row} holds NaN or inf scores; it has no "
                        "predicted class (did the model diverge?)")
    if labels.ndim == 2 and labels.shape[1] == 0:
        raise ShapeError(f"{where}: {name} has shape {labels.shape}: rows without any class "
                         "score or label")
    if labels.ndim == 2:
        labels = labels[:, 0] if labels.shape[1] == 1 else np.argmax(labels, axis=1)
    if labels.ndim != 1:
        raise ShapeError(
            f"{where}: {name} must be a label vector (n,) or a score matrix (n, k), "
            f"got shape {labels.shape}"
        )
    if labels.dtype == bool:
        return labels.astype(np.int64)
    if np.issubdtype(labels.dtype, np.floating):
        bad = ~np.isfinite(labels) | (labels != np.round(labels)) | (np.abs(labels) >= 2**62)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"{where}: {name}[{i}] is {labels[i]}, not a class label; for probabilities "
                "of one class threshold them first (y > 0.5), for several pass the (n, k) matrix"
            )
        return labels.astype(np.int64)
    return labels
