"""What the classic APIs share: building glassnet models in the seeds' shapes, driving one
backward pass by hand, and the checks that turn bad input into glassnet errors."""

from __future__ import annotations

import numpy as np

from .._checks import positive_count
from ..errors import ConfigError, DataError, ShapeError
from ..layers import Dense
from ..models import Sequential
from ..models import training as _training
from ..utils import as_generator


def dense_chain(sizes, activations, *, use_bias, prefix, dtype="float64", bias=0.0) -> Sequential:
    """A built Sequential of Dense layers ``sizes[0] -> sizes[1] -> ...`` in float64."""
    layers = [
        Dense(n, activation=act, use_bias=use_bias, bias_initializer=bias,
              name=f"{prefix}_{i + 1}", **({"input_shape": (sizes[0],)} if i == 0 else {}))
        for i, (n, act) in enumerate(zip(sizes[1:], activations, strict=True))
    ]
    return Sequential(layers, name=prefix, dtype=dtype)


def draw_kernels(model: Sequential, seed, low: float = 0.0, high: float = 1.0) -> None:
    """Fill every kernel with uniform draws on [low, high), the seeds' ``rand`` by default."""
    rng = as_generator(seed)
    for layer in model.layers:
        kernel = layer.arrays["kernel"]
        kernel[...] = rng.uniform(low, high, size=kernel.shape)


def backprop(model: Sequential, grad: np.ndarray) -> None:
    """Run every layer's backward, last to first, from dE/d(output) = ``grad``.

    Each Dense layer writes dE/dW and dE/db into its views of ``model.grads``.
    """
    for layer in reversed(model.layers):
        grad = layer.backward(grad)


def forward(model: Sequential, x: np.ndarray) -> np.ndarray:
    """The model's output for the batch ``x``, keeping what backward needs."""
    return _training.forward(model, np.asarray(x, dtype=model.dtype), True)


def check_sizes(name: str, value) -> list[int]:
    """A list (or tuple) of positive layer sizes, possibly empty (no hidden layer), as a list;
    else a ConfigError naming ``name`` or the bad entry."""
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{name} must be a list of positive integers, got {value!r}")
    return [positive_count(v, f"{name}[{i}]") for i, v in enumerate(value)]


def as_rows(value, width: int, name: str) -> np.ndarray:
    """``value`` as a float64 (n, width) array; one 1-D sample of ``width`` becomes (1, width)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"argument {name}: cannot be read as numbers; give a table of numbers "
                        "whose rows all have the same length") from None
    if array.ndim == 1 and array.shape[0] == width:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != width:
        raise ShapeError(f"argument {name}: expected {width} values per sample (shape "
                         f"({width},) or (n, {width})), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise DataError(f"argument {name}: holds NaN or inf; remove those values first")
    return array


def paired(inputs, targets, n_in: int, n_out: int,
           names=("inputs", "targets")) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, n_in) and targets (n, n_out) checked to pair up row by row."""
    x, y = as_rows(inputs, n_in, names[0]), as_rows(targets, n_out, names[1])
    if len(x) != len(y):
        raise DataError(f"arguments {names[0]} and {names[1]} differ in length: {len(x)} "
                        f"inputs but {len(y)} targets; they must pair up row by row")
    return x, y
