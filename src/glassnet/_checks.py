"""Checks on user data, run before anything changes, with messages that say where and what to do.

Example
-------
>>> import numpy as np
>>> numeric_array([[1.0, float("nan")]], "x")
Traceback (most recent call last):
...
glassnet.errors.DataError: argument x: row 0 holds NaN or inf (column 1); remove or impute ...
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import ConfigError, DataError


def numeric_array(value, name: str, finite: bool = True, dtype=None) -> np.ndarray:
    """``value`` as a real-valued array of at least one dimension, rows checked for NaN/inf
    and, with ``dtype`` (the model's), for values that the dtype cannot hold."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise DataError(f"argument {name}: cannot be read as an array ({exc})") from None
    if array.dtype.kind in "USO" and array.size:
        raise DataError(
            f"argument {name}: holds text or Python objects (dtype {array.dtype}), not numbers; "
            "encode class names as integers first, for example "
            f"classes, {name} = np.unique({name}, return_inverse=True), and convert numbers "
            f"stored as text with {name}.astype('float32')"
        )
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"argument {name}: dtype {array.dtype} is not real-valued numbers; convert it first "
            f"(for example {name}.astype('float32'))"
        )
    if array.ndim == 0:
        raise DataError(f"argument {name}: needs one row per sample, got a scalar")
    # min and max carry NaN and inf through, so a clean array is checked in two passes with no
    # temporary the size of the data; only a bad one pays for locating the first bad cell.
    if finite and array.dtype.kind == "f" and array.size and not (
        np.isfinite(array.min()) and np.isfinite(array.max())
    ):
        ok = np.isfinite(array)
        if not ok.all():
            rows = ok.reshape(len(array), -1).all(axis=1)
            row = int(np.argmin(rows))
            col = int(np.argmin(ok[row].reshape(-1)))
            raise DataError(
                f"argument {name}: row {row} holds NaN or inf (column {col}); "
                "remove or impute those values before training"
            )
    if dtype is not None:
        within_range(array, f"argument {name}", dtype)
    return array


def _largest(dtype) -> float:
    dtype = np.dtype(dtype)
    return float(np.finfo(dtype).max) if dtype.kind == "f" else math.inf


def within_range(array: np.ndarray, name: str, dtype, error=DataError) -> None:
    """An ``error`` starting with ``name`` ('argument x') naming the first cell whose magnitude
    the floating ``dtype`` cannot hold (it would become inf): 1e300 for a float32 model. NaN
    and inf are left to the finiteness checks."""
    limit = _largest(dtype)
    if array.dtype.kind != "f" or not array.size or _largest(array.dtype) <= limit:
        return
    low, high = float(array.min()), float(array.max())  # NaN fails the test: the slow path
    if -limit <= low and high <= limit:
        return
    bad = np.isfinite(array) & (np.abs(array) > limit)
    if not bad.any():
        return
    where = np.unravel_index(int(np.argmax(bad.reshape(-1))), array.shape)
    cell = f"row {where[0]}" + (f" (column {where[1]})" if len(where) > 1 else "")
    raise error(f"{name}: {cell} holds {array[where]:.6g}, beyond the range of "
                f"{np.dtype(dtype).name} (about ±{limit:.3g}), so it would become inf; rescale "
                "the values (for example with glassnet.data.StandardScaler) or use "
                "dtype='float64'")


def no_overflow(x: np.ndarray, result: np.ndarray, where: str) -> None:
    """A DataError naming the first row whose input is finite but whose output is not: the
    computation overflowed there (NaN in, NaN out is the caller's choice)."""
    if not result.size or (np.isfinite(result.max()) and np.isfinite(result.min())):
        return
    bad = ~np.isfinite(result.reshape(len(result), -1)).all(axis=1)
    bad &= np.isfinite(x.reshape(len(x), -1)).all(axis=1)
    if bad.any():
        raise DataError(f"{where}: the outputs of row {int(np.argmax(bad))} ({int(bad.sum())} "
                        "row(s) in all) overflowed though its inputs are finite; they are too "
                        "large for the model's weights (scale the inputs as in training)")


def same_length(x: np.ndarray, y: np.ndarray, x_name="x", y_name="y") -> None:
    if len(x) == 0:
        raise DataError(f"argument {x_name}: no samples (length 0); training needs at least one")
    if len(x) != len(y):
        raise DataError(
            f"arguments {x_name} and {y_name} differ in length: {len(x)} samples in {x_name} but "
            f"{len(y)} in {y_name}; they must pair up row by row"
        )


def positive_int(value, name: str, allow_none: bool = False, minimum: int = 1,
                 maximum: int | None = None):
    """A whole number >= ``minimum`` (and <= ``maximum``; or None with ``allow_none``), or a
    ConfigError naming ``name``; bools and floats such as 2.0 are refused."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(f"{name} must be {wanted}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value!r}")
    return int(value)


MAX_ALLOCATION = 2**31  # bytes: the largest array a helper (one-hot, a plot grid) allocates


def allocation(shape: tuple, dtype, where: str) -> None:
    """A DataError, before allocating, when an array of ``shape`` would exceed MAX_ALLOCATION."""
    size = math.prod(int(d) for d in shape) * np.dtype(dtype).itemsize
    if size > MAX_ALLOCATION:
        raise DataError(f"{where}: the result would be an array of shape {tuple(shape)} "
                        f"({size / 2**30:.3g} GiB), more than the {MAX_ALLOCATION // 2**30} GiB "
                        "glassnet allocates for it; check the labels or sizes given")


def positive_count(value, name: str) -> int:
    """A whole number >= 1 (a size, a count), or a ConfigError naming ``name``."""
    return positive_int(value, name)


def boolean(value, name: str, allow_none: bool = False) -> bool | None:
    """True or False (NumPy's bool too), or None with ``allow_none``; ``'no'``, 1 or None are
    refused, not read as truthy."""
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        wanted = "True, False or None" if allow_none else "True or False"
        raise ConfigError(f"{name} must be {wanted}, got {value!r}")
    return bool(value)


def number_in(value, name: str, low: float, high: float = math.inf, *, low_open: bool = False,
              high_open: bool = False) -> float:
    """A finite real number in the interval from ``low`` to ``high``, as a float.

    The ends are included unless ``low_open`` / ``high_open``. Bools, text, NaN and inf are
    refused with a ConfigError naming ``name`` and the interval.

    Example
    -------
    >>> number_in(0.5, "rate", 0, 1, high_open=True)
    0.5
    >>> number_in(float("inf"), "learning_rate", 0, low_open=True)
    Traceback (most recent call last):
    ...
    glassnet.errors.ConfigError: learning_rate must be a number in (0, inf), got inf
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high)
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open or math.isinf(high) else "]"
        raise ConfigError(f"{name} must be a number in {lo}{low:g}, {high:g}{hi}, got {value!r}")
    return float(value)


def positive_number(value, name: str) -> float:
    """A finite number > 0 (a learning rate, a tolerance)."""
    return number_in(value, name, 0, low_open=True)


def fraction(value, name: str) -> float:
    """A number in [0, 1) (a share of the data, a dropout rate)."""
    return number_in(value, name, 0, 1, high_open=True)


def glassnet_model(value, where: str) -> None:
    """A ConfigError unless ``value`` is a glassnet model (say, a History passed by mistake)."""
    from .models import Model  # models imports this module

    if not isinstance(value, Model):
        raise ConfigError(f"{where}: needs a glassnet model (Sequential or Model), got "
                          f"{type(value).__name__}")
