"""Generated hostile inputs: every kind of value a user (or a bug in a user's script) can pass,
mixed with valid ones so that calls get past their first check and reach the deeper ones."""

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

EXTREME_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-320, 5e-324, 1e-45, 3.4e38, 3.5e38, 1e300,
                  -1e300, 1.7976931348623157e308, -1.7976931348623157e308, math.nan, math.inf,
                  -math.inf]
EXTREME_INTS = [0, 1, -1, 2, 3, 255, 256, 2**31, 2**53 + 1, 2**63, -(2**63), 2**70, -(2**70)]

floats = st.one_of(st.sampled_from(EXTREME_FLOATS),
                   st.floats(allow_nan=True, allow_infinity=True, width=64))
ints = st.one_of(st.sampled_from(EXTREME_INTS), st.integers(-10, 10))
texts = st.one_of(
    st.sampled_from(["", " ", "relu", "adam", "mse", "{epoch}", "{", "}", "{}", "{0}", "%s",
                     "\x00", "nan", "inf", "1_000", "١", "²", "-", "../x", "a" * 300, "é",
                     "auto", "min", "max", "loss", "val_loss", "accuracy", "softmax"]),
    st.text(max_size=8),
)


def _numpy_arrays():
    dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_,
                              np.complex128, np.float16, np.int8])
    shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
    return dtypes.flatmap(lambda dt: hnp.arrays(
        dt, shapes, elements=_elements(dt)))


def _elements(dtype):
    kind = np.dtype(dtype).kind
    if kind == "f":
        width = 8 * np.dtype(dtype).itemsize
        return st.floats(allow_nan=True, allow_infinity=True, width=width)
    if kind == "c":
        return st.complex_numbers(allow_nan=True, allow_infinity=True)
    return None


numpy_arrays = _numpy_arrays()
special_arrays = st.sampled_from([
    np.array("text"), np.array(["a", "b"]), np.array([None, 1], dtype=object),
    np.empty((0, 2)), np.empty((2, 0)), np.zeros((1, 2)), np.array(3.0),
    np.arange(6.0).reshape(2, 3)[:, ::2], np.full((3, 2), 1e300), np.full((3, 2), np.nan),
    np.array([[1, 2], [3, 4]], dtype=">f8"), np.ma.masked_array([1.0, 2.0], mask=[0, 1]),
])
scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts, st.binary(max_size=6))
nested = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.one_of(texts, ints), inner, max_size=3)), max_leaves=8)
odd_objects = st.sampled_from([object(), lambda *a: None, print, type, ValueError("x"),
                               iter([1, 2]), (i for i in range(3)), range(3), slice(1),
                               np.float64(np.nan), np.int64(-1), np.bool_(True)])
junk = st.one_of(scalars, nested, numpy_arrays, special_arrays, odd_objects)


def maybe(valid, junk_in=8):
    """``valid``, or junk one time in ``junk_in``: each argument of a call is drawn with this,
    so that a call with several arguments often gets past its first checks."""
    # not k == 0: Hypothesis leans towards the small end of a range (and shrinks to it)
    return st.integers(0, junk_in - 1).flatmap(lambda k: junk if k == junk_in // 2 else valid)


def small_int(low=0, high=4):
    return st.integers(low, high)


@st.composite
def datasets(draw, cols=2, classes=3):
    """(x, y) of one length, plausible values with extremes now and then, each maybe junk."""
    n = draw(st.integers(1, 12))
    x = draw(maybe(feature_arrays(rows=(n, n), cols=(cols, cols))))
    y = draw(maybe(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n).map(np.array)))
    return x, y


def feature_arrays(rows=(1, 12), cols=(1, 4)):
    """Plausible (samples, features) arrays with extreme cells now and then."""
    cells = st.integers(0, 15).flatmap(
        lambda k: st.sampled_from(EXTREME_FLOATS) if k == 7 else st.floats(-10, 10))
    return st.tuples(st.integers(*rows), st.integers(*cols)).flatmap(
        lambda shape: hnp.arrays(np.float64, shape, elements=cells))


@st.composite
def arguments(draw, **valid):
    """Keyword arguments from ``valid`` strategies, with zero, one or two of them (chosen at
    random) replaced by junk: the junk argument meets the checks behind valid ones."""
    names = sorted(valid)
    spoiled = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    return {name: draw(junk if name in spoiled else valid[name]) for name in names}
