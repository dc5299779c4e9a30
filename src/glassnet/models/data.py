"""Turning what users pass as ``x``, ``y`` and weights into the arrays a model trains on.

``x`` may be one array, a list of arrays (one per input), a dict keyed by input name, or a
pandas DataFrame / Series (read as its values); ``y`` likewise per output. Every array is
checked (numbers, finite, same number of rows) and named in any error before anything changes.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense, Input
>>> a, b = Input((2,), name="a"), Input((1,), name="b")
>>> model = glassnet.Model([a, b], [Dense(1, name="p")(a), Dense(1, name="q")(b)])
>>> xs = input_arrays(model, {"b": np.ones((4, 1)), "a": np.zeros((4, 2))})
>>> [x.shape for x in xs]
[(4, 2), (4, 1)]
"""

from __future__ import annotations

import numpy as np

from .._checks import numeric_array
from ..errors import DataError, ShapeError

__all__ = ["Batch", "input_arrays", "prepare", "target_arrays"]


class Batch:
    """Checked arrays: ``xs`` (one per input), ``ys`` (one per output; None where the output
    has no loss) and ``w`` (sample weights or None)."""

    __slots__ = ("w", "xs", "ys")

    def __init__(self, xs, ys, w):
        self.xs, self.ys, self.w = xs, ys, w

    def __len__(self) -> int:
        return len(self.xs[0])

    def rows(self, lo: int, hi: int) -> Batch:
        return Batch([x[lo:hi] for x in self.xs], [None if y is None else y[lo:hi]
                                                  for y in self.ys],
                     None if self.w is None else self.w[lo:hi])


def _values(value):
    """A pandas object's values; anything else unchanged (no pandas import)."""
    return value.to_numpy() if hasattr(value, "to_numpy") and hasattr(value, "iloc") else value


def _by_name(value, names: list[str], what: str, prefix: str) -> list:
    """One entry per name from a dict, a list/tuple, or (for one name) a single array."""
    value = _values(value)
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        extra = [k for k in value if k not in names]
        if missing or extra:
            raise DataError(f"argument {prefix}: the model's {what} are {names}; the dict "
                            f"{'lacks ' + str(missing) if missing else ''}"
                            f"{' and ' if missing and extra else ''}"
                            f"{'has unknown keys ' + str(extra) if extra else ''}")
        return [_values(value[n]) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise DataError(f"argument {prefix}: the model has {len(names)} {what} ({names}), "
                            f"got a list of {len(value)} arrays")
        return [_values(v) for v in value]
    if isinstance(value, (list, tuple)) and value and all(hasattr(v, "shape") for v in value):
        if len(value) == 1:
            return [_values(value[0])]  # [x] for a one-input model, as Keras takes it
        if len(names) == 1:
            raise DataError(f"argument {prefix}: the model has one {what[:-1]} ({names[0]!r}), "
                            f"got a list of {len(value)} arrays")
    if len(names) > 1:
        raise DataError(f"argument {prefix}: the model has {len(names)} {what} ({names}); pass a "
                        "list or a dict of arrays, one per " + what[:-1])
    return [value]


def input_arrays(model, x, prefix: str = "", finite: bool = True) -> list[np.ndarray]:
    """``x`` as a list of checked arrays, one per model input, in the model's order."""
    names = model.input_names if model._graph is not None else ["input"]
    if model._graph is None and isinstance(x, (list, tuple)) and x and not np.isscalar(x[0]) \
            and np.ndim(x[0]) >= 2:
        names = [f"input_{i}" for i in range(len(x))]
    xs = _by_name(x, names, "inputs", prefix + "x")
    arrays = []
    shapes = ([tuple(t.shape[1:]) for t in model.inputs] if model._graph is not None
              else [None] * len(names))
    for name, value, shape in zip(names, xs, shapes, strict=True):
        label = prefix + "x" if len(names) == 1 else f"{prefix}x[{name!r}]"
        array = numeric_array(value, label, finite=finite, dtype=model.dtype)
        if array.ndim == 1 and shape == (1,):  # one value per sample for a (1,) input, as Keras
            array = array.reshape(-1, 1)
        if array.ndim < 2:
            raise ShapeError(f"argument {label}: needs shape (samples, features...), got "
                             f"{array.shape}; for one feature per sample use x.reshape(-1, 1)")
        arrays.append(array)
    _same_rows(arrays, [prefix + "x"] * len(arrays))
    return arrays


def target_arrays(model, y, n: int, prefix: str = "") -> list:
    """``y`` as one prepared target array per output (None for an output without a loss)."""
    names = model.output_names
    with_loss = [n for n, loss in zip(names, model._losses, strict=True) if loss is not None]
    y = _values(y)
    if isinstance(y, (list, tuple)) and len(names) > 1 and len(y) == len(with_loss) < len(names):
        y = dict(zip(with_loss, y, strict=True))  # one array per output that has a loss
    if isinstance(y, dict):  # outputs without a loss need no targets
        y = {**{n: None for n in names if n not in with_loss}, **y}
    ys = _by_name(y, names, "outputs", prefix + "y")
    shapes = model._output_shapes
    out = []
    for i, (name, value) in enumerate(zip(names, ys, strict=True)):
        loss = model._losses[i]
        if loss is None:
            out.append(None)
            continue
        label = prefix + "y" if len(names) == 1 else f"{prefix}y[{name!r}]"
        if value is None:
            raise DataError(f"argument {label} is missing: output {name!r} has a loss")
        array = numeric_array(value, label, dtype=model.dtype)
        if len(array) != n:
            raise DataError(f"arguments {prefix}x and {label} differ in length: {n} samples in "
                            f"{prefix}x but {len(array)} in {label}; they must pair up row by row")
        out.append(loss.prepare_targets(array, shapes[i], model.dtype))
    return out


def _same_rows(arrays, labels) -> None:
    n = len(arrays[0])
    for array, label in zip(arrays[1:], labels[1:], strict=True):
        if len(array) != n:
            raise DataError(f"argument {label}: the inputs have different numbers of rows "
                            f"({n} and {len(array)})")


def prepare(model, x, y, sample_weight=None, class_weight=None, prefix: str = "") -> Batch:
    """Validated arrays in the model's dtype; raises before anything changes."""
    if x is None or y is None:
        raise DataError(f"argument {prefix}{'x' if x is None else 'y'} is missing")
    xs = input_arrays(model, x, prefix)
    if not len(xs[0]):
        raise DataError(f"argument {prefix}x: no samples (length 0); training needs at least one")
    model._ensure_built_for(xs, prefix)
    ys = target_arrays(model, y, len(xs[0]), prefix)
    w = sample_weights(ys, sample_weight, class_weight, len(xs[0]), model.dtype, prefix)
    xs = [np.ascontiguousarray(a, dtype=model.dtype) for a in xs]
    return Batch(xs, ys, w)


def sample_weights(ys, sample_weight, class_weight, n, dtype, prefix):
    weights = None
    if sample_weight is not None:
        weights = numeric_array(_values(sample_weight), prefix + "sample_weight",
                                dtype=dtype).astype(dtype)
        if weights.shape != (n,) or (weights < 0).any():
            raise DataError(f"argument {prefix}sample_weight: needs {n} non-negative values, "
                            f"one per sample; got shape {weights.shape}")
    if class_weight:
        targets = [t for t in ys if t is not None]
        if len(targets) != 1:
            raise DataError("class_weight needs a model with one output; for several outputs "
                            "pass sample_weight")
        y = targets[0]
        labels = y if y.ndim == 1 else (np.argmax(y, axis=1) if y.shape[1] > 1 else
                                        np.rint(np.clip(y[:, 0], -1, 2**40)).astype(np.intp))
        labels = labels.astype(np.intp)
        lookup = np.ones(int(max(class_weight)) + 2, dtype=dtype)  # the last: unlisted labels
        for label, w in class_weight.items():
            lookup[int(label)] = w
        per_class = lookup[np.where((labels >= 0) & (labels < len(lookup)), labels, -1)]
        weights = per_class if weights is None else weights * per_class
    return weights
