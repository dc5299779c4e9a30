"""Element-wise ops: arithmetic, the one-input functions, comparisons, ``where``, ``clip``,
``cast``. Each has its backward beside it; broadcast inputs get gradients summed back to
their own shapes. Comparisons and rounding have no gradient and return NumPy arrays.

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> ops.clip(np.array([-2.0, 0.5, 3.0]), 0.0, 1.0).tolist()
[0.0, 0.5, 1.0]
>>> ops.where(np.array([True, False]), 1.0, -1.0).tolist()
[1.0, -1.0]
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, record, unbroadcast, value_of

__all__ = [
    "abs",
    "absolute",
    "add",
    "arctan",
    "cast",
    "ceil",
    "clip",
    "convert_to_numpy",
    "convert_to_tensor",
    "cos",
    "cosh",
    "divide",
    "divide_no_nan",
    "equal",
    "exp",
    "expm1",
    "floor",
    "floor_divide",
    "greater",
    "greater_equal",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "nan_to_num",
    "negative",
    "not_equal",
    "power",
    "reciprocal",
    "round",
    "rsqrt",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "subtract",
    "tan",
    "tanh",
    "true_divide",
    "where",
]


def apply(x, forward, backward):
    """``forward(x)``; with a Tensor, recorded with ``backward(g, x, y)`` -> dL/dx."""
    if not isinstance(x, Tensor):
        return forward(np.asarray(x))
    xv = x.value
    y = np.asarray(forward(xv))
    return record(y, (x,), lambda g: (backward(g, xv, y),))


def apply2(a, b, forward, da, db):
    """``forward(a, b)`` with NumPy's broadcasting; ``da(g, a, b, y)``, ``db(...)`` give the
    gradients before they are summed back to each input's shape."""
    av, bv = value_of(a), value_of(b)
    y = np.asarray(forward(av, bv))
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if not (ta or tb):
        return y

    def vjp(g):
        return (unbroadcast(da(g, av, bv, y), np.shape(av)) if ta else None,
                unbroadcast(db(g, av, bv, y), np.shape(bv)) if tb else None)

    return record(y, (a, b), vjp)


def _unary(name: str, forward, backward, doc: str):
    def op(x):
        return apply(x, forward, backward)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _no_grad(name: str, forward, doc: str):
    def op(*args):
        return forward(*(value_of(a) for a in args))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " No gradient: returns a NumPy array."
    return op


# -- arithmetic ------------------------------------------------------------------------------
def add(x1, x2):
    """x1 + x2."""
    return apply2(x1, x2, np.add, lambda g, a, b, y: g, lambda g, a, b, y: g)


def subtract(x1, x2):
    """x1 - x2."""
    return apply2(x1, x2, np.subtract, lambda g, a, b, y: g, lambda g, a, b, y: -g)


def multiply(x1, x2):
    """x1 * x2."""
    return apply2(x1, x2, np.multiply, lambda g, a, b, y: g * b, lambda g, a, b, y: g * a)


def divide(x1, x2):
    """x1 / x2."""
    return apply2(x1, x2, np.true_divide, lambda g, a, b, y: g / b,
                  lambda g, a, b, y: -g * y / b)


true_divide = divide


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0 (the gradient is 0 there too)."""
    def forward(a, b):
        return np.where(b == 0, 0, np.true_divide(a, np.where(b == 0, 1, b)))

    return apply2(x1, x2, forward, lambda g, a, b, y: np.where(b == 0, 0, g / b),
                  lambda g, a, b, y: np.where(b == 0, 0, -g * y / np.where(b == 0, 1, b)))


def power(x1, x2):
    """x1 ** x2."""
    return apply2(x1, x2, np.power, lambda g, a, b, y: g * b * np.power(a, b - 1),
                  lambda g, a, b, y: np.where(a == 0, 0, g * y * np.log(np.abs(a))))


def logaddexp(x1, x2):
    """log(e^x1 + e^x2), without overflow."""
    return apply2(x1, x2, np.logaddexp, lambda g, a, b, y: g * np.exp(a - y),
                  lambda g, a, b, y: g * np.exp(b - y))


def maximum(x1, x2):
    """The larger of x1 and x2; on a tie the gradient goes to x1."""
    return apply2(x1, x2, np.maximum, lambda g, a, b, y: g * (a >= b),
                  lambda g, a, b, y: g * (a < b))


def minimum(x1, x2):
    """The smaller of x1 and x2; on a tie the gradient goes to x1."""
    return apply2(x1, x2, np.minimum, lambda g, a, b, y: g * (a <= b),
                  lambda g, a, b, y: g * (a > b))


# -- one input -------------------------------------------------------------------------------
negative = _unary("negative", np.negative, lambda g, x, y: -g, "-x.")
square = _unary("square", np.square, lambda g, x, y: 2 * x * g, "x ** 2.")
sqrt = _unary("sqrt", np.sqrt, lambda g, x, y: g / (2 * y), "The square root.")
exp = _unary("exp", np.exp, lambda g, x, y: g * y, "e ** x.")
log = _unary("log", np.log, lambda g, x, y: g / x, "The natural logarithm.")
log2 = _unary("log2", np.log2, lambda g, x, y: g / (x * np.log(2.0)), "The base-2 logarithm.")
log10 = _unary("log10", np.log10, lambda g, x, y: g / (x * np.log(10.0)),
               "The base-10 logarithm.")
log1p = _unary("log1p", np.log1p, lambda g, x, y: g / (1 + x), "log(1 + x), exact near 0.")
expm1 = _unary("expm1", np.expm1, lambda g, x, y: g * (y + 1), "e ** x - 1, exact near 0.")
abs = _unary("abs", np.abs, lambda g, x, y: g * np.sign(x), "|x| (gradient 0 at 0).")
absolute = abs
reciprocal = _unary("reciprocal", np.reciprocal, lambda g, x, y: -g * y * y, "1 / x.")
sin = _unary("sin", np.sin, lambda g, x, y: g * np.cos(x), "The sine.")
cos = _unary("cos", np.cos, lambda g, x, y: -g * np.sin(x), "The cosine.")
tanh = _unary("tanh", np.tanh, lambda g, x, y: g * (1 - y * y), "The hyperbolic tangent.")

rsqrt = _unary("rsqrt", lambda v: 1 / np.sqrt(v), lambda g, x, y: -0.5 * g * y ** 3,
               "1 / sqrt(x).")
sinh = _unary("sinh", np.sinh, lambda g, x, y: g * np.cosh(x), "The hyperbolic sine.")
cosh = _unary("cosh", np.cosh, lambda g, x, y: g * np.sinh(x), "The hyperbolic cosine.")
tan = _unary("tan", np.tan, lambda g, x, y: g * (1 + y * y), "The tangent.")
arctan = _unary("arctan", np.arctan, lambda g, x, y: g / (1 + x * x), "The inverse tangent.")
nan_to_num = _unary("nan_to_num", np.nan_to_num, lambda g, x, y: g * np.isfinite(x),
                    "NaN as 0 and infinities as the dtype's extremes (no gradient there).")

sign = _no_grad("sign", np.sign, "-1, 0 or 1.")
mod = _no_grad("mod", np.mod, "The remainder of x1 / x2.")
floor_divide = _no_grad("floor_divide", np.floor_divide, "x1 // x2.")
floor = _no_grad("floor", np.floor, "Rounded down.")
ceil = _no_grad("ceil", np.ceil, "Rounded up.")
isnan = _no_grad("isnan", np.isnan, "True where NaN.")
isinf = _no_grad("isinf", np.isinf, "True where infinite.")
isfinite = _no_grad("isfinite", np.isfinite, "True where finite.")
logical_not = _no_grad("logical_not", np.logical_not, "Not x.")
logical_and = _no_grad("logical_and", np.logical_and, "x1 and x2.")
logical_or = _no_grad("logical_or", np.logical_or, "x1 or x2.")
equal = _no_grad("equal", np.equal, "x1 == x2.")
not_equal = _no_grad("not_equal", np.not_equal, "x1 != x2.")
greater = _no_grad("greater", np.greater, "x1 > x2.")
greater_equal = _no_grad("greater_equal", np.greater_equal, "x1 >= x2.")
less = _no_grad("less", np.less, "x1 < x2.")
less_equal = _no_grad("less_equal", np.less_equal, "x1 <= x2.")


def round(x, decimals=0):
    """Rounded to ``decimals`` places (halves to even, as NumPy). No gradient."""
    return np.round(value_of(x), decimals)


# -- selection -------------------------------------------------------------------------------
def where(condition, x1=None, x2=None):
    """x1 where ``condition`` holds, else x2; with only ``condition``, its nonzero indices."""
    cond = np.asarray(value_of(condition)).astype(bool)
    if x1 is None and x2 is None:
        return np.nonzero(cond)
    if x1 is None or x2 is None:
        from ..errors import ConfigError

        raise ConfigError("ops.where: give both x1 and x2, or neither")
    return apply2(x1, x2, lambda a, b: np.where(cond, a, b), lambda g, a, b, y: g * cond,
                  lambda g, a, b, y: g * ~cond)


def clip(x, x_min, x_max):
    """x limited to [x_min, x_max]; the gradient is 1 inside (bounds included), else 0."""
    lo, hi = value_of(x_min), value_of(x_max)
    return apply(x, lambda v: np.clip(v, lo, hi), lambda g, v, y: g * ((v >= lo) & (v <= hi)))


# -- dtypes ----------------------------------------------------------------------------------
def cast(x, dtype):
    """x as ``dtype`` ('float32', 'int32', 'bool', ...); the gradient flows float to float."""
    dtype = np.dtype(dtype)
    xv = value_of(x)
    y = np.asarray(xv).astype(dtype)
    if not isinstance(x, Tensor) or dtype.kind != "f" or xv.dtype.kind != "f":
        return y
    return record(y, (x,), lambda g: (g.astype(xv.dtype),))


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """x as an array (a recording Tensor stays one); Python floats become float32 and Python
    ints int32, as Keras's default dtypes."""
    if isinstance(x, Tensor):
        return x if dtype is None or np.dtype(dtype) == x.dtype else cast(x, dtype)
    if dtype is not None:
        return np.asarray(x, dtype=dtype)
    array = np.asarray(x)
    if not isinstance(x, (np.ndarray, np.generic)):
        if array.dtype == np.float64:
            return array.astype(np.float32)
        if array.dtype == np.int64:
            return array.astype(np.int32)
    return array


def convert_to_numpy(x):
    """A NumPy array of x's values (a Tensor's gradient record is left behind)."""
    return np.array(x.value) if isinstance(x, Tensor) else np.asarray(x)
