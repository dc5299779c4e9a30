"""The numba kernels against their NumPy references, kernel selection, and numba staying lazy."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import kernels
from glassnet.errors import ConfigError
from glassnet.layers import Dense, Flatten

pytest.importorskip("numba")
_simd = pytest.importorskip("glassnet._simd")

ROOT = Path(__file__).resolve().parents[1]
# float32 within 1e-6 relative, float64 within 1e-12 (the bar for every kernel)
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64])


@pytest.fixture(scope="module")
def numba_impl():
    kernels.set_kernels("numba")
    impl = kernels.active()
    kernels.set_kernels("numpy")
    return impl


def _close(actual, expected, dtype):
    np.testing.assert_allclose(actual, expected, rtol=TOLERANCE[dtype], atol=0)


_CALLS = {  # name -> (number of state arrays, one call of the kernel)
    "sgd": (0, lambda k, p, g, s, d, x: k.sgd(p, g, 0.1, d, x)),
    "sgd_momentum": (1, lambda k, p, g, s, d, x: k.sgd_momentum(p, g, s[0], 0.1, 0.9, False, d, x)),
    "sgd_momentum_nesterov": (1, lambda k, p, g, s, d, x: k.sgd_momentum(p, g, s[0], 0.1, 0.9,
                                                                         True, d, x)),
    "adam": (2, lambda k, p, g, s, d, x: k.adam(p, g, *s, 3e-3, 0.9, 0.999, 1e-7, d, x)),
    "amsgrad": (3, lambda k, p, g, s, d, x: k.amsgrad(p, g, *s, 3e-3, 0.9, 0.999, 1e-7, d, x)),
    "rmsprop": (1, lambda k, p, g, s, d, x: k.rmsprop(p, g, s[0], None, None, 0.01, 0.9, 0.0,
                                                      1e-7, d, x)),
    "rmsprop_momentum": (2, lambda k, p, g, s, d, x: k.rmsprop(p, g, s[0], s[1], None, 0.01, 0.9,
                                                               0.5, 1e-7, d, x)),
    "rmsprop_centered": (3, lambda k, p, g, s, d, x: k.rmsprop(p, g, *s, 0.01, 0.9, 0.5, 1e-7,
                                                               d, x)),
    "adagrad": (1, lambda k, p, g, s, d, x: k.adagrad(p, g, s[0], 0.05, 1e-7, d, x)),
    "adamax": (2, lambda k, p, g, s, d, x: k.adamax(p, g, *s, 0.02, 0.9, 0.999, 1e-7, d, x)),
    "adadelta": (2, lambda k, p, g, s, d, x: k.adadelta(p, g, *s, 1.0, 0.95, 1e-7, d, x)),
    "nadam": (2, lambda k, p, g, s, d, x: k.nadam(p, g, *s, 3e-3, 0.8, 0.1, 1.5, 0.9, 0.999,
                                                  1e-7, d, x)),
    "lion": (1, lambda k, p, g, s, d, x: k.lion(p, g, s[0], 0.01, 0.9, 0.99, d, x)),
}


def _optimizer_call(name, impl, params, grads, state, decay):
    """Three steps of one optimizer kernel; returns params and state after them."""
    params, state = params.copy(), [s.copy() for s in state]
    for _ in range(3):
        _CALLS[name][1](impl, params, grads.copy(), state, decay, np.empty_like(params))
    return [params, *state]


@DTYPES
@pytest.mark.parametrize("decay", [0.0, 0.01])
@pytest.mark.parametrize("name", sorted(_CALLS))
def test_optimizer_kernels_agree(numba_impl, name, decay, dtype):
    rng = np.random.default_rng(0)
    params, grads = rng.normal(size=(2, 5000)).astype(dtype)
    state = [(1 + rng.random(5000)).astype(dtype) for _ in range(_CALLS[name][0])]
    if name == "rmsprop_centered":  # the mean gradient's square stays below v
        state[2] *= 0.1
    fast = _optimizer_call(name, numba_impl, params, grads, state, decay)
    ref = _optimizer_call(name, kernels._REFERENCE, params, grads, state, decay)
    assert not np.array_equal(fast[0], params)  # the step did something
    for a, b in zip(fast, ref, strict=True):
        _close(a, b, dtype)


def _term_scale(a, b):
    """|a| @ |b|: the size of the terms each product element sums, which bounds its rounding."""
    return np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)


@DTYPES
@pytest.mark.parametrize("shape", [(32, 784, 128), (7, 13, 70), (5, 300, 33), (33, 5, 129),
                                   (4, 1, 1000), (1, 40, 64)])
@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("kernel", ["selected", "matmul_skipping_zeros", "matmul_dense"])
def test_matmul_kernel_agrees_with_numpy(numba_impl, shape, transposed, dtype, kernel):
    """Rows not a multiple of 4, columns not a multiple of a vector, a = x.T (the dW product),
    mostly-zero inputs and all-zero rows: within the bar, relative to the summed terms. Both
    variants of the kernel, and the one the wrapper selects for this CPU."""
    if kernel == "selected":
        matmul = numba_impl.matmul
    else:
        def matmul(a, b, out):
            return getattr(_simd, kernel)(a, b, out, 0, len(out), 0, out.shape[1])
    rows, inner, cols = shape
    rng = np.random.default_rng(6)
    a = rng.normal(size=(inner, rows) if transposed else (rows, inner)).astype(dtype)
    a[a < 0.8] = 0  # about 80% zeros, as MNIST's pixels
    a = a.T if transposed else a
    a[rows // 2] = 0
    b = rng.normal(size=(inner, cols)).astype(dtype)
    buffer = np.full(rows * cols + 70, np.nan, dtype)  # NaN past the end: must stay untouched
    out = matmul(a, b, buffer[:rows * cols].reshape(rows, cols))
    assert np.isnan(buffer[rows * cols:]).all()
    expected = kernels._REFERENCE.matmul(a, b, np.empty((rows, cols), dtype))
    error = np.abs(out - expected)
    assert (error <= TOLERANCE[dtype] * _term_scale(a, b)).all(), error.max()
    assert (out[rows // 2] == 0).all()


def test_matmul_falls_back_to_blas_where_the_vector_kernel_does_not_fit(numba_impl,
                                                                       monkeypatch):
    used = []
    monkeypatch.setattr(_simd, "matmul",
                        lambda a, b, out, *parts: used.append(1) or np.matmul(a, b, out))
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(8, 20)).astype(np.float32), rng.normal(size=(20, 96))
    b32 = b.astype(np.float32)
    narrow = 2 * 10 < _simd.LANES[_simd.types.float32]  # a 10-class layer, where it is narrow
    read_only = np.empty((8, 96), np.float32)
    read_only.flags.writeable = False
    shared = rng.normal(size=(96, 96)).astype(np.float32)
    cases = {
        "mixed dtypes": (a, b, np.empty((8, 96), np.float64)),
        "strided b": (a, b32[:, ::2], np.empty((8, 48), np.float32)),
        "integers": (a.astype(np.int64), b.astype(np.int64), np.empty((8, 96), np.int64)),
        "out is b": (shared, shared, shared),
        **({"narrow output": (a, b32[:, :10], np.empty((8, 10), np.float32))} if narrow else {}),
    }
    for name, (x, w, out) in cases.items():
        expected = np.matmul(x, w)
        np.testing.assert_array_equal(numba_impl.matmul(x, w, out), expected, err_msg=name)
        assert used == [], name
    with pytest.raises(ValueError):  # NumPy's own shape and writability errors
        numba_impl.matmul(a, b32[:19], np.empty((8, 96), np.float32))
    with pytest.raises(ValueError):
        numba_impl.matmul(a, b32, read_only)
    numba_impl.matmul(a, b32, np.empty((8, 96), np.float32))
    assert used == [1]  # and a fitting product does take the kernel


def test_matmul_skipping_zeros_differs_from_blas_only_for_zero_times_inf():
    """A skipped zero input never meets the weight, so 0 * inf gives 0, not NaN as in BLAS and
    the dense variant (fit checks the weights are finite at every epoch boundary instead)."""
    a = np.zeros((4, 3), np.float32)
    a[:, 1] = 1.0
    b = np.ones((3, 64), np.float32)
    b[0] = np.inf
    skipped = _simd.matmul_skipping_zeros(a, b, np.empty((4, 64), np.float32), 0, 4, 0, 64)
    np.testing.assert_array_equal(skipped, 1.0)
    with np.errstate(invalid="ignore"):
        assert np.isnan(_simd.matmul_dense(a, b, np.empty((4, 64), np.float32), 0, 4, 0, 64)).all()
        assert np.isnan(np.matmul(a, b)).all()


@DTYPES
@pytest.mark.parametrize("transposed", [False, True])
def test_matmul_variants_give_the_same_bits_for_finite_inputs(dtype, transposed):
    """A skipped step would add exactly +0 to every sum, so which variant this CPU runs
    (_simd.SKIPS_ZEROS) changes the speed, never a result: a seed trains the same on both."""
    rng = np.random.default_rng(8)
    a = rng.normal(size=(37, 50)).astype(dtype)
    a[a < 0.9] = 0
    a[:, 3] = -0.0
    a = a.T if transposed else a  # a strided view, as x.T in the weight gradient
    b = rng.normal(size=(a.shape[1], 100)).astype(dtype)
    skipped = _simd.matmul_skipping_zeros(a, b, np.empty((len(a), 100), dtype), 0, len(a), 0, 100)
    dense = _simd.matmul_dense(a, b, np.empty((len(a), 100), dtype), 0, len(a), 0, 100)
    assert skipped.tobytes() == dense.tobytes()


def _listed(a):
    blocks = (len(a) + 3) // 4
    steps, counts = np.empty((blocks, a.shape[1]), np.int32), np.empty(blocks, np.int64)
    _simd.nonzero_steps(a, steps, counts)
    return steps, counts


def test_nonzero_steps_lists_where_any_row_of_each_block_of_four_is_nonzero():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(37, 50)).astype(np.float32)  # 37 rows: the last block repeats row 36
    a[a < 0.8] = 0
    a[:, 7] = -0.0  # zero, as the skipping kernel's a == 0 test has it
    a[5, 9] = np.nan  # not zero
    steps, counts = _listed(a)
    padded = np.concatenate([a, np.repeat(a[-1:], 3, axis=0)])
    for k in range(10):
        expected = np.flatnonzero((padded[4 * k:4 * k + 4] != 0).any(axis=0))
        assert steps[k, :counts[k]].tolist() == expected.tolist()
    assert 9 in steps[1, :counts[1]] and all(7 not in steps[k, :counts[k]] for k in range(10))


@pytest.mark.parametrize("shape", [(37, 300, 129), (64, 784, 512), (8, 70, 64)])
def test_the_listed_product_gives_the_skipping_kernels_bits_in_any_column_range(shape):
    """The forward product over nonzero_steps' lists (what training runs on AMD Zen CPUs) runs
    the skipping kernel's steps in its order: the same bits, whole or a column range at a
    time (as the team splits it)."""
    rows, inner, cols = shape
    rng = np.random.default_rng(6)
    a = rng.normal(size=(rows, inner)).astype(np.float32)
    a[a < 0.9] = 0
    b = rng.normal(size=(inner, cols)).astype(np.float32)
    steps, counts = _listed(a)
    skipped = _simd.matmul_skipping_zeros(a, b, np.empty((rows, cols), np.float32), 0, rows, 0,
                                          cols)
    whole = _simd.matmul_listed(a, b, np.empty((rows, cols), np.float32), 0, rows, 0, cols,
                                steps, counts)
    parts = np.full((rows, cols), np.nan, np.float32)
    for c0 in range(0, cols, 64):
        _simd.matmul_listed(a, b, parts, 0, rows, c0, min(c0 + 64, cols), steps, counts)
    assert skipped.tobytes() == whole.tobytes() == parts.tobytes()


def test_matmul_kernel_is_right_with_the_narrower_vectors_of_other_cpus(tmp_path):
    """NUMBA_CPU_NAME makes numba compile for another CPU (here without AVX-512): the kernel
    then uses two 256-bit registers per vector; same answers, tails and all. (Training does not
    use it there: the wrapper sends products to BLAS, which was faster on AVX2.)"""
    code = (
        "import numpy as np\n"
        "from glassnet import _simd, _numba_kernels as k\n"
        "rng = np.random.default_rng(9)\n"
        "errs = []\n"
        "for n, d, u, t in [(7, 13, 70, np.float32), (33, 5, 9, np.float64), (32, 784, 128, "
        "np.float32)]:\n"
        "    a = rng.normal(size=(n, d)).astype(t); a[a < 0.5] = 0; b = rng.normal(size=(d, u))"
        ".astype(t)\n"
        "    for matmul in (_simd.matmul_skipping_zeros, _simd.matmul_dense):\n"
        "        out = matmul(a, b, np.full((n, u), np.nan, t), 0, n, 0, u)\n"
        "        scale = np.abs(a) @ np.abs(b) + 1e-30\n"
        "        errs.append(float((np.abs(out - a @ b) / scale).max()))\n"
        "used = []\n"
        "k._simd = type('S', (), {'AVX512': _simd.AVX512, 'matmul': lambda *z: used.append(1)})\n"
        "k.matmul(a, b, np.empty((32, 128), np.float32))\n"
        "print(_simd.LANES[_simd.types.float32], max(errs), len(used))\n")
    lanes, worst, used = _python(code, NUMBA_CPU_NAME="haswell", NUMBA_CACHE_DIR=str(tmp_path))
    assert lanes == "16" and used == "0"
    assert float(worst) < 1e-6


@DTYPES
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("kernel", ["bias_relu", "bias_softmax"])
def test_bias_activation_kernels_agree(numba_impl, kernel, with_bias, dtype):
    rng = np.random.default_rng(1)
    net = (rng.normal(size=(33, 17)) * 4).astype(dtype)
    bias = rng.normal(size=17).astype(dtype) if with_bias else None
    results = []
    for impl in (numba_impl, kernels._REFERENCE):
        z = net.copy()
        out = getattr(impl, kernel)(z, bias, np.empty_like(z))
        results.append((z, out))
    (z_fast, out_fast), (z_ref, out_ref) = results
    _close(z_fast, z_ref, dtype)  # the biased pre-activation stays in net, for backward
    _close(out_fast, out_ref, dtype)
    if kernel == "bias_softmax":
        _close(out_fast.sum(axis=1), np.ones(33), dtype)
    else:
        assert (out_fast == 0).mean() > 0.3  # the ReLU did clip


@DTYPES
def test_relu_backward_agrees_for_any_batch_shape(numba_impl, dtype):
    rng = np.random.default_rng(2)
    grad = rng.normal(size=(8, 3, 5)).astype(dtype)
    a = np.maximum(rng.normal(size=(8, 3, 5)), 0).astype(dtype)
    fast = numba_impl.relu_backward(grad, a, np.empty_like(grad))
    ref = kernels._REFERENCE.relu_backward(grad, a, np.empty_like(grad))
    np.testing.assert_array_equal(fast, ref)
    np.testing.assert_array_equal(fast, np.where(a > 0, grad, 0))


@DTYPES
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_softmax_cross_entropy_agrees(numba_impl, weighted, dtype):
    rng = np.random.default_rng(3)
    logits = (rng.normal(size=(32, 10)) * 5).astype(dtype)
    labels = rng.integers(0, 10, 32)
    probs = kernels.bias_softmax(logits.copy(), None, np.empty_like(logits))
    weights = rng.random(32).astype(dtype) if weighted else None
    out_fast, out_ref = np.empty_like(logits), np.empty_like(logits)
    value = numba_impl.sparse_softmax_xent(logits, probs, labels, weights, out_fast)
    expected = kernels._REFERENCE.sparse_softmax_xent(logits, probs, labels, weights, out_ref)
    _close(value, expected, dtype)
    _close(out_fast, out_ref, dtype)
    loss = glassnet.losses.get("sparse_categorical_crossentropy")  # the loss's own two methods
    _close(value, loss.logits_loss(labels, logits, weights), dtype)
    _close(out_fast, loss.logits_grad(labels, probs, weights, np.empty_like(probs)), dtype)


@DTYPES
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_dense_softmax_cross_entropy_agrees(numba_impl, weighted, smoothing, dtype):
    """One-hot and soft targets, label smoothing, weights: the kernels agree with each other
    and with the loss's own value on the probabilities and its gradient (no clip binds)."""
    rng = np.random.default_rng(3)
    logits = (rng.normal(size=(32, 10)) * 2).astype(dtype)
    targets = np.eye(10, dtype=dtype)[rng.integers(0, 10, 32)]
    targets[:4] = rng.dirichlet(np.ones(10), 4).astype(dtype)  # soft targets too
    probs = kernels.bias_softmax(logits.copy(), None, np.empty_like(logits))
    weights = rng.random(32).astype(dtype) if weighted else None
    lo, hi = glassnet.losses.crossentropy.clip_bounds(probs.dtype)
    out_fast, out_ref = np.empty_like(logits), np.empty_like(logits)
    value, clipped = numba_impl.softmax_xent(logits, probs, targets, smoothing, weights, lo, hi,
                                             out_fast)
    expected, expected_clipped = kernels._REFERENCE.softmax_xent(
        logits, probs, targets, smoothing, weights, lo, hi, out_ref)
    assert clipped is expected_clipped is False
    _close(value, expected, dtype)
    # p sum(t) - t cancels where a smoothed target meets its probability: absolute, per 1/n
    scale = TOLERANCE[dtype] / len(logits)
    np.testing.assert_allclose(out_fast, out_ref, rtol=TOLERANCE[dtype], atol=scale)
    loss = glassnet.losses.CategoricalCrossentropy(label_smoothing=smoothing)
    _close(value, loss.forward(targets, probs, weights), dtype)  # Keras's value, from probs
    np.testing.assert_allclose(
        out_fast, loss.logits_grad(targets, probs, weights, np.empty_like(probs)),
        rtol=TOLERANCE[dtype], atol=scale)


@DTYPES
def test_dense_softmax_cross_entropy_says_where_keras_clip_binds(numba_impl, dtype):
    logits = np.array([[0.0, 30.0, 0.0], [1.0, 0.0, 0.0]], dtype)  # row 0: p[0] < 1e-7
    targets = np.array([[1, 0, 0], [0, 1, 0]], dtype)
    probs = kernels.bias_softmax(logits.copy(), None, np.empty_like(logits))
    lo, hi = glassnet.losses.crossentropy.clip_bounds(probs.dtype)
    for impl in (numba_impl, kernels._REFERENCE):
        assert impl.softmax_xent(logits, probs, targets, 0.0, None, lo, hi,
                                 np.empty_like(probs))[1] is True
        assert impl.softmax_xent(logits[1:], probs[1:], targets[1:], 0.0, None, lo, hi,
                                 np.empty_like(probs[1:]))[1] is False
    loss = glassnet.losses.CategoricalCrossentropy()  # there, Keras's exact value: 15.94...
    value, grad = loss.logits_value_and_grad(targets, logits, probs, None, np.empty_like(probs))
    assert value == pytest.approx(loss.forward(targets, probs, None), rel=1e-6)
    assert value == pytest.approx((-np.log(np.float32(1e-7)) + -np.log(probs[1, 1])) / 2,
                                  rel=1e-5)
    np.testing.assert_array_equal(grad[0], 0.0)  # no gradient through the clip, as Keras


@DTYPES
def test_sum_squares_agrees_and_sees_inf_and_nan(numba_impl, dtype):
    x = np.random.default_rng(5).normal(size=1001).astype(dtype)
    for impl in (numba_impl, kernels._REFERENCE):
        _close(impl.sum_squares(x), float(np.dot(x, x)), dtype)
        for bad in (np.inf, np.nan):
            y = x.copy()
            y[500] = bad
            with np.errstate(invalid="ignore"):
                assert not np.isfinite(impl.sum_squares(y))


@DTYPES
def test_sparse_accuracy_agrees_with_the_metric(numba_impl, dtype):
    rng = np.random.default_rng(4)
    probs = rng.random((50, 7)).astype(dtype)
    probs[0] = 0.5  # a tie: the first maximum wins, as np.argmax
    labels = np.argmax(probs, axis=1)
    labels[::3] = 0
    expected = glassnet.metrics.sparse_categorical_accuracy(labels, probs)
    assert numba_impl.sparse_accuracy(labels, probs) == expected
    assert kernels._REFERENCE.sparse_accuracy(labels, probs) == expected
    assert 0.3 < expected < 1


def _mnist_like_history(kernel_name, dtype, units):
    kernels.set_kernels(kernel_name)
    glassnet.utils.set_random_seed(5)
    rng = np.random.default_rng(5)
    x, y = rng.random((256, 6, 6)), rng.integers(0, 4, 256)
    x[x < 0.6] = 0
    model = glassnet.Sequential([Flatten(input_shape=(6, 6)), Dense(units, activation="relu"),
                                 Dense(4, activation="softmax")], dtype=dtype)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, seed=5)
    return history.history, model.params.copy()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("units", [16, 96])  # 96: the hidden layer's products take matmul
def test_training_with_numba_matches_numpy(dtype, units):
    fast, params_fast = _mnist_like_history("numba", dtype, units)
    ref, params_ref = _mnist_like_history("numpy", dtype, units)
    rtol = 1e-5 if dtype == "float32" else 1e-10  # three epochs of rounding differences
    np.testing.assert_allclose(params_fast, params_ref, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(fast["loss"], ref["loss"], rtol=rtol)
    assert fast["accuracy"] == ref["accuracy"]
    assert ref["loss"][-1] < ref["loss"][0]


def _subnormal_product():
    return np.float32(1e-38) * np.float32(0.01)  # 1e-40: below float32's smallest normal


X86 = pytest.mark.skipif(not _simd._X86,
                         reason="flushing subnormals is implemented for x86-64's MXCSR")


@X86
def test_flush_subnormals_sets_ftz_and_daz_and_restore_puts_them_back():
    subnormal = np.float32(1e-39)  # made before the flush: under FTZ alone it stays subnormal
    assert subnormal * np.float32(1e30) != 0 and _subnormal_product() != 0
    previous = _simd.flush_subnormals()
    try:
        assert _subnormal_product() == 0  # FTZ: a subnormal result is written as zero
        assert subnormal * np.float32(1e30) == 0  # DAZ: a subnormal input is read as zero
        _simd.restore_fp_control(_simd.flush_subnormals())  # nested: the outer setting stays
        assert _subnormal_product() == 0
    finally:
        _simd.restore_fp_control(previous)
    assert subnormal * np.float32(1e30) != 0 and _subnormal_product() != 0


@X86
@pytest.mark.parametrize("name", ["sgd_momentum", "adam", "rmsprop_momentum"])
def test_numba_optimizers_keep_state_out_of_subnormals_and_restore_ieee_after(numba_impl, name):
    """Three steps of zero gradient from state just above float32's smallest normal: the
    reference (IEEE) shrinks it into the subnormal range, the numba kernels never hold one."""
    tiny = np.finfo(np.float32).tiny
    params, grads = np.zeros(4, np.float32), np.zeros(4, np.float32)
    state = [np.full(4, 1.1 * tiny, np.float32), np.full(4, 1.1 * tiny, np.float32)]
    flushed = _optimizer_call(name, numba_impl, params, grads, state, 0.0)
    for array in flushed[1:]:
        assert ((array == 0) | (np.abs(array) >= tiny)).all(), (name, array)
    assert _subnormal_product() != 0  # the caller's arithmetic is IEEE again
    ieee = _optimizer_call(name, kernels._REFERENCE, params, grads, state, 0.0)
    assert ((0 < ieee[1]) & (ieee[1] < tiny)).all(), (name, ieee[1])


def _first_moment_after_zero_gradients(kernel_name):
    """Adam's m after 40 steps of zero gradient from 1e-37: IEEE takes it to ~1.5e-39 (0.9**40
    of it), a subnormal; flushed, it stays 1e-37: normal, tiny, and fast."""
    kernels.set_kernels(kernel_name)
    model = glassnet.Sequential([Dense(1, use_bias=False, input_shape=(3,))])
    model.compile("adam", "mse")
    x, y = np.zeros((40, 3), np.float32), np.zeros((40, 1), np.float32)
    model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    model.optimizer.state["m"][:] = 1e-37
    model.fit(x, y, epochs=1, batch_size=1, shuffle=False, verbose=0)
    return model.optimizer.state["m"]


@X86
def test_fit_with_numba_kernels_keeps_subnormals_out_of_adam():
    tiny = np.finfo(np.float32).tiny
    np.testing.assert_array_equal(_first_moment_after_zero_gradients("numba"), np.float32(1e-37))
    ieee = _first_moment_after_zero_gradients("numpy")
    assert ((0 < ieee) & (ieee < tiny)).all(), ieee


def test_set_kernels_chooses_and_rejects():
    assert kernels.available() == ["numba", "numpy"]
    glassnet.set_kernels("numba")
    assert kernels.active().name == "numba"
    with pytest.raises(ConfigError, match=r"unknown or unavailable kernel implementation "
                                          r"'fortran'; available: numba, numpy"):
        glassnet.set_kernels("fortran")
    assert kernels.active().name == "numba"  # a rejected call changes nothing


def test_without_numba_the_default_is_numpy(monkeypatch):
    monkeypatch.setattr(kernels, "_installed", lambda name: name != "numba")
    monkeypatch.setitem(kernels._state, "name", None)
    monkeypatch.setitem(kernels._state, "impl", None)
    monkeypatch.delenv("GLASSNET_KERNELS", raising=False)
    assert kernels.available() == ["numpy"]
    assert kernels.active().name == "numpy"
    with pytest.raises(ConfigError, match=r"'numba' \(pip install numba\)"):
        kernels.set_kernels("numba")


def test_register_checks_the_implementation_is_complete():
    kernels.register("partial", kernels.SimpleNamespace(name="partial", sgd=kernels.sgd))
    try:
        with pytest.raises(ConfigError, match="'partial' lacks sgd_momentum, adam"):
            kernels.set_kernels("partial")
    finally:
        kernels._IMPLEMENTATIONS.pop("partial")


def _python(code, **env):
    environ = {k: v for k, v in os.environ.items() if k != "GLASSNET_KERNELS"}
    environ.update(PYTHONPATH=str(ROOT / "src"), **env)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environ, timeout=120, check=True)
    return done.stdout.split()


def test_import_is_lazy_and_the_default_is_numba_when_installed():
    code = ("import sys, glassnet; print('numba' in sys.modules); "
            "print(glassnet.kernels.active().name); print('numba' in sys.modules)")
    assert _python(code) == ["False", "numba", "True"]
    assert _python(code, GLASSNET_KERNELS="numpy") == ["False", "numpy", "False"]


@pytest.mark.slow
def test_gradient_checks_and_worked_example_pass_with_numba_kernels():
    env = {**os.environ, "GLASSNET_KERNELS": "numba", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_gradcheck.py", "tests/test_worked_example.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_a_training_step_sends_its_small_products_to_the_kernels():
    """fit: forward x @ W and dW = x.T @ delta of a 784-wide layer go to ``matmul``; predict and
    batches under 4 rows stay with BLAS (np.matmul)."""
    calls = []

    def counting_matmul(a, b, out):
        calls.append((a.shape, b.shape))
        return np.matmul(a, b, out=out)

    kernels.register("counting", kernels.SimpleNamespace(
        **{**vars(kernels._REFERENCE), "name": "counting", "matmul": counting_matmul}))
    previous = kernels.active().name
    try:
        kernels.set_kernels("counting")
        model = glassnet.Sequential([Dense(8, activation="relu", input_shape=(784,)),
                                     Dense(3, activation="softmax")])
        model.compile("sgd", "sparse_categorical_crossentropy")
        x, y = np.random.default_rng(8).random((64, 784)), np.arange(64) % 3
        model.fit(x, y, epochs=1, batch_size=32, verbose=0)
        assert calls.count(((32, 784), (784, 8))) == 2  # forward, one per step
        assert calls.count(((784, 32), (32, 8))) == 2  # dW of the first layer
        assert ((32, 8), (8, 3)) in calls  # the small second layer too
        calls.clear()
        model.predict(x)
        model.evaluate(x, y)
        assert calls == []
        model.fit(x[:3], y[:3], epochs=1, verbose=0)
        assert all(a[0] >= 4 for a, _ in calls) and ((3, 784), (784, 8)) not in calls
        calls.clear()  # 2 x 512 x 784 x 400 = 321 MFLOP: above the kernels' size, BLAS's
        wide = glassnet.Sequential([Dense(400, activation="relu", input_shape=(784,))])
        wide.compile("sgd", "mse")
        wide.fit(np.tile(x, (8, 1)), np.zeros((512, 400)), epochs=1, batch_size=512, verbose=0)
        assert ((512, 784), (784, 400)) not in calls and ((784, 512), (512, 400)) not in calls
    finally:
        kernels._IMPLEMENTATIONS.pop("counting")
        kernels.set_kernels(previous)
