"""glassnet.ops: values against NumPy (and keras.ops when installed), and every op's backward
against central finite differences in float64."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import ops
from glassnet.errors import ConfigError
from glassnet.ops.tensor import Tensor, gradients, value_and_grad


def numeric_grads(fn, args, eps=1e-6):
    """d sum(fn * w)/d arg by central differences, for a fixed random w (a generic seed)."""
    out = np.asarray(ops.convert_to_numpy(fn(*args)), dtype=np.float64)
    w = np.random.default_rng(7).normal(size=out.shape)
    grads = []
    for k, a in enumerate(args):
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            plus = [x.copy() for x in args]
            minus = [x.copy() for x in args]
            plus[k][i] += eps
            minus[k][i] -= eps
            fp = np.asarray(ops.convert_to_numpy(fn(*plus)), dtype=np.float64)
            fm = np.asarray(ops.convert_to_numpy(fn(*minus)), dtype=np.float64)
            g[i] = np.sum(w * (fp - fm)) / (2 * eps)
        grads.append(g)
    return w, grads


def check_grad(fn, *args, tol=1e-6):
    """The tape's gradient of sum(w * fn(args)) equals the finite differences."""
    args = [np.asarray(a, dtype=np.float64) for a in args]
    w, expected = numeric_grads(fn, args)
    leaves = [Tensor(a) for a in args]
    out = fn(*leaves)
    assert isinstance(out, Tensor), f"{fn} did not record"
    got = gradients(out, leaves, w.astype(out.dtype).reshape(out.shape))
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol)


rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
B = rng.normal(size=(3, 4))
POS = rng.uniform(0.5, 2.0, size=(3, 4))
ROW = rng.normal(size=(4,))
COL = rng.normal(size=(3, 1))

UNARY = {
    "negative": A, "square": A, "sqrt": POS, "exp": A, "log": POS, "log2": POS, "log10": POS,
    "log1p": POS, "expm1": A, "abs": A, "reciprocal": POS, "sin": A, "cos": A, "tanh": A,
    "sigmoid": A * 5, "relu": A, "relu6": A * 4, "softplus": A * 5, "log_sigmoid": A * 5,
    "softsign": A, "silu": A, "swish": A, "selu": A, "elu": A, "leaky_relu": A,
    "hard_sigmoid": A * 2, "hard_silu": A * 2, "gelu": A, "rsqrt": POS, "sinh": A, "cosh": A,
    "tan": A, "arctan": A, "nan_to_num": A, "arcsin": A / 3, "arccos": A / 3, "cbrt": POS,
    "exp2": A, "hard_tanh": A * 2,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradients(name):
    check_grad(getattr(ops, name), UNARY[name])


def test_gelu_exact_gradient():
    pytest.importorskip("scipy")
    check_grad(lambda x: ops.gelu(x, approximate=False), A)


BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum"]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", ["same", "row", "col", "scalar"])
def test_binary_gradients_broadcast(name, shapes):
    other = {"same": B, "row": ROW, "col": COL, "scalar": np.array(0.3)}[shapes]
    fn = getattr(ops, name)
    if name == "divide" or name == "true_divide":
        other = np.abs(other) + 0.5
    check_grad(fn, A, other)
    check_grad(fn, other, A)


def test_power_and_divide_no_nan_gradients():
    check_grad(ops.power, POS, B)
    check_grad(lambda x: ops.power(x, 3.0), A)
    check_grad(ops.divide_no_nan, A, POS)
    got = value_and_grad(lambda b: ops.divide_no_nan(np.ones(2), b), np.array([0.0, 2.0]))
    assert got[0].tolist() == [0.0, 0.5] and got[1][0].tolist() == [0.0, -0.25]


def test_operators_record_and_reflect():
    """Python operators, with the tensor on either side of an array or a number."""
    check_grad(lambda x, y: (1.0 - x) * y / 2 + x ** 2 - (-y) @ np.eye(4), A, B)
    check_grad(lambda x: B - x, A)  # ndarray on the left reaches Tensor.__array_ufunc__
    check_grad(lambda x, y: x[:, 1:3] * y[0, :2], A, B)
    check_grad(lambda x: abs(x).T, A)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "prod", "var", "std",
                                  "logsumexp", "norm"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_gradients_and_values(name, axis, keepdims):
    x = POS if name in ("prod",) else A
    fn = getattr(ops, name)
    check_grad(lambda v: fn(v, axis=axis, keepdims=keepdims), x)
    numpy_name = {"logsumexp": None, "norm": None}.get(name, name)
    if numpy_name:
        np.testing.assert_allclose(fn(x, axis=axis, keepdims=keepdims),
                                   getattr(np, numpy_name)(x, axis=axis, keepdims=keepdims))


def test_max_ties_share_the_gradient_and_prod_zeros():
    _, (g,) = value_and_grad(lambda x: ops.max(x), np.array([1.0, 3.0, 3.0]))
    assert g.tolist() == [0.0, 0.5, 0.5]
    check_grad(lambda x: ops.prod(x, axis=-1), np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.0]]))


def test_logsumexp_is_stable_and_exact():
    x = np.array([[1000.0, 1000.0], [-1000.0, 0.0]])
    np.testing.assert_allclose(ops.logsumexp(x, axis=-1),
                               [1000 + np.log(2), np.log1p(np.exp(-1000))])


SHAPE_OPS = {
    "broadcast_to": lambda x: ops.broadcast_to(x[:1], (2, 3, 4)),
    "moveaxis": lambda x: ops.moveaxis(ops.reshape(x, (3, 2, 2)), 0, -1),
    "swapaxes": lambda x: ops.swapaxes(x, 0, 1),
    "ravel": lambda x: ops.ravel(x),
    "outer": lambda x: ops.outer(x[0], x[1, :3]),
    "pad": lambda x: ops.pad(x, ((1, 0), (2, 3)), constant_values=5.0),
    "roll": lambda x: ops.roll(x, 2, axis=1) * B,
    "hstack": lambda x: ops.hstack([x, x * 2]),
    "vstack": lambda x: ops.vstack([x, x[0]]),
    "copy": lambda x: ops.copy(x) * 2,
    "flip": lambda x: ops.flip(x, axis=1) * np.arange(4.0),
    "tile": lambda x: ops.tile(x, (2, 1, 3)),
    "repeat": lambda x: ops.repeat(x, 2, axis=0),
    "repeat_flat": lambda x: ops.repeat(x, 3),
    "split": lambda x: ops.split(x, [1, 3], axis=1)[1] * 2 + ops.sum(ops.split(x, 3)[2]),
    "sort": lambda x: ops.sort(x) * np.arange(4.0),
    "top_k": lambda x: ops.top_k(x, 2)[0],
    "cumsum": lambda x: ops.cumsum(x, axis=0) * B,
    "cumsum_flat": lambda x: ops.cumsum(x),
    "average": lambda x: ops.average(x, axis=1, weights=np.array([1.0, 2.0, 0.5, 3.0])),
    "moments": lambda x: ops.moments(x, axes=0)[1] + ops.moments(x, axes=0)[0],
    "normalize": lambda x: ops.normalize(x),
    "normalize_l1": lambda x: ops.normalize(x, axis=0, order=1),
    "logaddexp": lambda x: ops.logaddexp(x, x[::-1] * 3),
    "reshape": lambda x: ops.reshape(x, (2, -1)),
    "transpose": lambda x: ops.transpose(x),
    "expand_dims": lambda x: ops.expand_dims(x, 1),
    "squeeze": lambda x: ops.squeeze(ops.reshape(x, (3, 1, 4)), axis=1),
    "getitem_fancy": lambda x: x[[0, 0, 2], 1:],
    "getitem_mask": lambda x: x[np.array([True, False, True])],
    "take": lambda x: ops.take(x, np.array([0, 0, 3]), axis=1),
    "take_flat": lambda x: ops.take(x, np.array([5, 5, 0])),
    "take_along_axis": lambda x: ops.take_along_axis(x, np.array([[0], [3], [3]]), axis=1),
    "concatenate": lambda x: ops.concatenate([x, x * 2, np.ones((3, 1))], axis=1),
    "stack": lambda x: ops.stack([x, x[::-1]], axis=1),
    "softmax": lambda x: ops.softmax(x * 3),
    "softmax_axis0": lambda x: ops.softmax(x, axis=0),
    "log_softmax": lambda x: ops.log_softmax(x * 3),
    "clip": lambda x: ops.clip(x, -0.5, 0.5),
    "where": lambda x: ops.where(x > 0, x, x * x),
    "cast": lambda x: ops.cast(x, "float64") * 2,
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_rearranging_gradients(name):
    check_grad(SHAPE_OPS[name], A)


def test_cast_passes_the_gradient_float_to_float_only():
    x = Tensor(A)
    (g,) = gradients(ops.sum(ops.cast(x, "float32") * 3), [x])
    assert g.dtype == np.float64 and np.all(g == 3)
    assert not isinstance(ops.cast(x, "int32"), Tensor)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)),
                                    ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((4,), (4,))])
def test_matmul_and_dot_gradients(shapes):
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    check_grad(ops.matmul, a, b)
    check_grad(ops.dot, a, b)
    np.testing.assert_allclose(ops.matmul(a, b), np.matmul(a, b))
    np.testing.assert_allclose(ops.dot(a, b), np.dot(a, b))


def test_dot_nd_and_einsum():
    a, b = rng.normal(size=(2, 3, 4)), rng.normal(size=(5, 4, 2))
    np.testing.assert_allclose(ops.dot(a, b), np.dot(a, b))
    check_grad(ops.dot, a, b)
    check_grad(lambda x, y: ops.einsum("ij,jk->ik", x, y), A, B.T)
    check_grad(lambda x: ops.einsum("ij->", x), A)
    check_grad(lambda x, y: ops.einsum("ij,ij->i", x, y), A, B)
    with pytest.raises(ConfigError, match=r"'\.\.\.'"):
        ops.einsum("...i,...i", Tensor(A), B)


def test_crossentropy_gradients_and_values():
    t = rng.uniform(size=(3, 4))
    p = rng.uniform(0.05, 0.95, size=(3, 4))
    check_grad(lambda x: ops.binary_crossentropy(t, x), p)
    check_grad(lambda x: ops.binary_crossentropy(t, x, from_logits=True), A)
    onehot = ops.one_hot(np.array([1, 0, 3]), 4, dtype="float64")
    check_grad(lambda x: ops.categorical_crossentropy(onehot, x), p)
    check_grad(lambda x: ops.categorical_crossentropy(onehot, x, from_logits=True), A)
    check_grad(lambda x: ops.sparse_categorical_crossentropy(np.array([1, 0, 3]), x,
                                                             from_logits=True), A)
    np.testing.assert_allclose(ops.sparse_categorical_crossentropy(np.array([[1], [0], [3]]), A,
                                                                   from_logits=True),
                               ops.categorical_crossentropy(onehot, A, from_logits=True))


def test_more_values_equal_numpy():
    np.testing.assert_allclose(ops.average(A, axis=1, weights=ROW ** 2),
                               np.average(A, axis=1, weights=ROW ** 2))
    np.testing.assert_array_equal(ops.tile(A, (2, 1, 3)), np.tile(A, (2, 1, 3)))
    np.testing.assert_array_equal(ops.sort(A, axis=0), np.sort(A, axis=0))
    values, indices = ops.top_k(A, 2)
    np.testing.assert_array_equal(values, -np.sort(-A, axis=-1)[:, :2])
    assert indices.dtype == np.int32
    np.testing.assert_allclose(ops.normalize(A), A / np.linalg.norm(A, axis=-1, keepdims=True))
    assert [p.shape for p in ops.split(A, 2, axis=1)] == [(3, 2), (3, 2)]
    assert ops.count_nonzero(np.array([0, 1, 2])) == 2


def test_erf_and_extras_values():
    pytest.importorskip("scipy")
    from scipy.special import erf

    np.testing.assert_allclose(ops.erf(A), erf(A))
    check_grad(ops.erf, A)
    assert ops.multi_hot(np.array([[0, 2], [1, 1]]), 3).tolist() == [[1, 0, 1], [0, 1, 0]]
    assert ops.in_top_k(np.array([2, 0]), np.array([[0.1, 0.5, 0.4], [0.1, 0.5, 0.4]]),
                        2).tolist() == [True, False]
    assert ops.cond(Tensor(np.array(False)), lambda: 1, lambda: 2) == 2
    np.testing.assert_array_equal(ops.pad(A, 1), np.pad(A, 1))
    assert ops.dtype(Tensor(A)) == "float64" and ops.is_tensor(A)


def test_no_gradient_ops_give_arrays():
    t = Tensor(A)
    for out in (ops.argmax(t, axis=-1), ops.greater(t, 0), t > 0, ops.sign(t), ops.round(t),
                ops.one_hot(np.array([0, 1]), 2), ops.stop_gradient(t), ops.floor(t)):
        assert isinstance(out, np.ndarray) and not isinstance(out, Tensor)
    assert ops.argmax(A, axis=-1).dtype == np.int32
    assert ops.one_hot(np.array([0, -1]), 2).tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert ops.one_hot(np.array([0, 1]), 2).dtype == np.float32


def test_numpy_in_numpy_out_without_a_tape():
    out = ops.mean(ops.square(A - B), axis=-1)
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, np.mean(np.square(A - B), axis=-1))
    assert ops.convert_to_tensor(1.5).dtype == np.float32
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.shape(Tensor(A)) == (3, 4)
    assert ops.where(np.array([0, 3]))[0].tolist() == [1]


def test_float32_stays_float32():
    x = Tensor(A.astype(np.float32))
    y = ops.mean(ops.square(1.0 - x) * 2, axis=-1)
    assert y.dtype == np.float32
    (g,) = gradients(ops.sum(y), [x])
    assert g.dtype == np.float32


def test_numpy_on_a_tensor_is_refused_with_the_line():
    def my_loss(y_true, y_pred):
        return np.mean(np.square(y_true - y_pred))

    with pytest.raises(ops.NumpyOnTensorError, match=r"my_loss .*test_ops.py:\d+.*ops\.square"):
        value_and_grad(lambda p: my_loss(A, p), B)
    with pytest.raises(ops.NumpyOnTensorError, match="convert_to_numpy"):
        float(Tensor(np.array(1.0)))
    with pytest.raises(ops.NumpyOnTensorError, match=r"ops\.mean"):
        np.mean(Tensor(A))


keras_ops = None


@pytest.fixture(scope="module")
def kops():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    return keras.ops


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_equal_keras(kops, name):
    x = UNARY[name].astype(np.float32)
    np.testing.assert_allclose(getattr(ops, name)(x),
                               kops.convert_to_numpy(getattr(kops, name)(x)), rtol=1e-5,
                               atol=1e-6)


def test_reductions_and_nn_values_equal_keras(kops):
    x = A.astype(np.float32)
    p = POS.astype(np.float32) / 3
    t = rng.uniform(size=(3, 4)).astype(np.float32)

    def same(a, b):
        np.testing.assert_allclose(a, kops.convert_to_numpy(b), rtol=1e-5, atol=1e-6)

    for name in ("sum", "mean", "max", "min", "var", "std", "logsumexp"):
        same(getattr(ops, name)(x, axis=-1, keepdims=True),
             getattr(kops, name)(x, axis=-1, keepdims=True))
    same(ops.softmax(x), kops.softmax(x))
    same(ops.log_softmax(x, axis=0), kops.log_softmax(x, axis=0))
    same(ops.binary_crossentropy(t, p), kops.binary_crossentropy(t, p))
    same(ops.binary_crossentropy(t, x, from_logits=True),
         kops.binary_crossentropy(t, x, from_logits=True))
    same(ops.categorical_crossentropy(t, p), kops.categorical_crossentropy(t, p))
    labels = np.array([0, 3, 1])
    same(ops.sparse_categorical_crossentropy(labels, p),
         kops.sparse_categorical_crossentropy(labels, p))
    same(ops.one_hot(labels, 4), kops.one_hot(labels, 4))
    same(ops.clip(x, -0.5, 0.5), kops.clip(x, -0.5, 0.5))
    same(ops.argmax(x, axis=-1), kops.argmax(x, axis=-1))
    same(ops.norm(x, axis=-1), kops.norm(x, axis=-1))
