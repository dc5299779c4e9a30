"""The numba implementation of :mod:`glassnet.kernels`: each kernel one fused pass, compiled once.

Imported only when the 'numba' kernels are selected (``import glassnet`` never imports numba).
Every function here computes exactly what its NumPy reference in :mod:`glassnet.kernels` does, in
the same order of floating-point operations, but in one loop over the data instead of one NumPy
call (and one temporary pass over memory) per operation. Scalars are converted to the arrays'
dtype first, so float32 arithmetic stays float32 as it does in NumPy. One difference: the
optimizer kernels run with subnormal floats flushed to zero (see ``_subnormals_flushed``), where
the reference keeps IEEE arithmetic; values below 1.2e-38 (float32) or 2.2e-308 (float64) differ.

The loops are serial; inside :func:`parallel` (``fit`` enters it while BLAS runs on one thread)
the big products and Adam updates of the training thread are shared with the worker threads of
:mod:`glassnet._team`, which give the same bits.
``cache=True`` keeps the compiled machine code on disk, so only the first run ever compiles;
``error_model='numpy'`` lets LLVM vectorise the divisions and square roots.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from types import SimpleNamespace

import numpy as np
from numba import njit

from . import _simd, _team

_jit = njit(cache=True, error_model="numpy", nogil=True)


# -- matrix products --------------------------------------------------------------------------
def matmul(a, b, out):
    # _simd.matmul reads rows of b and writes rows of out (a may be any view: x.T for dW). It
    # checks nothing, so anything it was not written for goes to NumPy, which raises on bad
    # shapes: other dtypes, strided b or out, a read-only out, out overlapping a or b, and
    # outputs narrower than half a Vec (a 10-class layer), which would waste most of each
    # vector. Without AVX-512 it goes to NumPy too: built for AVX2 (16-float vectors) it was
    # slower than OpenBLAS's AVX2 kernels (benchmarks/RESULTS.md). A big float32 product with
    # an F-contiguous b (an input gradient, delta @ W.T) is computed as (W @ delta.T).T.
    lanes = _LANES.get(out.dtype)
    if (_simd.AVX512 and lanes and a.dtype == b.dtype == out.dtype
            and a.ndim == b.ndim == out.ndim == 2 and a.shape[1] == b.shape[0]
            and out.shape == (a.shape[0], b.shape[1]) and out.flags.c_contiguous
            and out.flags.writeable and not np.may_share_memory(out, a)
            and not np.may_share_memory(out, b)):
        # shareable: the same test with or without a team, so one thread gives the same bits
        big = (out.dtype == np.float32 and len(out) >= 8
               and 2 * a.size * out.shape[1] >= TEAM_MATMUL_FLOPS)
        if b.flags.c_contiguous and 2 * out.shape[1] >= lanes:
            if big and _simd.SKIPS_ZEROS and a.flags.c_contiguous and len(a) < a.shape[1]:
                return _over_nonzero_steps(a, b, out)  # a batch through a layer
            return _product(a, b, out, big)
        if (big and b.flags.f_contiguous and a.flags.c_contiguous and 2 * len(out) >= lanes
                and a.shape[1] >= lanes):
            return _through_transposes(a, b, out)
    return np.matmul(a, b, out=out)


class _Scratch(threading.local):
    arrays: dict | None = None  # (role, *shape) -> this thread's array (transposes, lists)


_scratch = _Scratch()


def _scratch_for(role: str, shape, dtype=np.float32) -> np.ndarray:
    if _scratch.arrays is None or len(_scratch.arrays) > 16:  # batch sizes come and go
        _scratch.arrays = {}
    key = (role, *shape)
    found = _scratch.arrays.get(key)
    if found is None:
        found = _scratch.arrays[key] = np.empty(shape, dtype)
    return found


def _product(a, b, out, big: bool):
    """out = a @ b in the kernel, shared with the team if ``big``."""
    team = _lead.team
    if team is not None and big and (a.flags.c_contiguous or a.flags.f_contiguous):
        return team.matmul(a, b, out)
    return _simd.matmul(a, b, out, 0, len(out), 0, out.shape[1])


def _over_nonzero_steps(a, b, out):
    """out = a @ b over the steps where some of each block's four rows of ``a`` is nonzero,
    listed first (:func:`glassnet._simd.nonzero_steps`): the bits of the skipping kernel,
    without its mispredicted branch per step."""
    blocks = (len(a) + 3) // 4
    steps = _scratch_for("steps", (blocks, a.shape[1]), np.int32)
    counts = _scratch_for("counts", (blocks,), np.int64)
    _simd.nonzero_steps(a, steps, counts)
    team = _lead.team
    if team is not None:
        return team.matmul(a, b, out, steps, counts)
    return _simd.matmul_listed(a, b, out, 0, len(out), 0, out.shape[1], steps, counts)


def _through_transposes(a, b, out):
    """out = a @ b as (b.T @ a.T).T, ``b.T`` C-contiguous (a layer's W) and ``a.T`` copied:
    the product is then one the kernel (and the team) takes, as 268 MFLOP of a 1024-wide
    layer's input gradient were on BLAS's one thread before (2.8 ms a step)."""
    a_t = _scratch_for("a", a.shape[::-1])
    out_t = _scratch_for("out", out.shape[::-1])
    _simd.transpose(a, a_t)
    _product(b.T, a_t, out_t, len(out_t) >= 8)  # not over listed steps: W has no zeros
    _simd.transpose(out_t, out)
    return out


_LANES = {np.dtype(str(t)): lanes for t, lanes in _simd.LANES.items()}

# Work worth sharing with the team (measured, sessions 6-7): a job costs the lead ~1-2 us to
# publish and collect, a chunk a few hundred nanoseconds; products of 2 MFLOP (~10 us on one
# core) pay. Adam and the finiteness sum, memory-bound, pay once each core keeps its own rows of
# the buffers (the lead the first, the worker the last, as in the weight gradient): 784-128-10
# (101K numbers) at batch 32 an epoch 1.16x faster on two threads with them shared, 1.09x
# without; 784-64-10 (51K) about even; 784-32-10 (25K) 5 % slower.
TEAM_MATMUL_FLOPS = 2e6
TEAM_VECTOR_SIZE = 65_536


class _Lead(threading.local):
    team = None  # the team this thread leads inside parallel(), else None


_lead = _Lead()


@contextlib.contextmanager
def parallel():
    """Inside, this thread's big float32 products and Adam updates are shared with a team of
    ``kernels.get_num_threads()`` threads (when another thread leads the team, it runs alone)."""
    from .kernels import get_num_threads

    team = _team.team(get_num_threads())
    if team is None or _lead.team is not None:  # one thread, or already leading
        yield
        return
    with team.lease() as leased:
        _lead.team = leased
        try:
            yield
        finally:
            _lead.team = None


# -- optimizers -------------------------------------------------------------------------------
@_jit
def _sgd(p, g, lr, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        p[i] = pi - g[i] * lr


@_jit
def _sgd_momentum(p, g, vel, lr, mom, nesterov, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        step = g[i] * lr
        v = vel[i] * mom - step
        vel[i] = v
        p[i] = (pi - step) + v * mom if nesterov else pi + v


@_jit
def _amsgrad(p, g, m, v, vhat, lr_t, c1, c2, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        mi = m[i] + (gi - m[i]) * c1
        vi = v[i] + (gi * gi - v[i]) * c2
        m[i] = mi
        v[i] = vi
        vh = max(vhat[i], vi)
        vhat[i] = vh
        p[i] = pi - mi / (np.sqrt(vh) + eps) * lr_t


@_jit
def _rmsprop(p, g, v, vel, lr, rho, c, mom, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        vi = v[i] * rho + gi * gi * c
        v[i] = vi
        step = gi / np.sqrt(vi + eps) * lr
        if mom:
            step = vel[i] * mom + step
            vel[i] = step
        p[i] = pi - step


@_jit
def _rmsprop_centered(p, g, v, vel, avg, lr, rho, c, mom, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        vi = v[i] * rho + gi * gi * c
        v[i] = vi
        ai = avg[i] * rho + gi * c
        avg[i] = ai
        step = gi / np.sqrt(vi + eps - ai * ai) * lr
        if mom:
            step = vel[i] * mom + step
            vel[i] = step
        p[i] = pi - step


@_jit
def _adagrad(p, g, acc, lr, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        a = acc[i] + gi * gi
        acc[i] = a
        p[i] = pi - gi / np.sqrt(a + eps) * lr


@_jit
def _adamax(p, g, m, u, lr_t, c1, b2, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        mi = m[i] + (gi - m[i]) * c1
        ui = max(u[i] * b2, abs(gi))
        m[i] = mi
        u[i] = ui
        p[i] = pi - mi / (ui + eps) * lr_t


@_jit
def _adadelta(p, g, ag, ad, lr, rho, c, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        a = ag[i] * rho + c * (gi * gi)
        ag[i] = a
        d = -(np.sqrt(ad[i] + eps) * gi / np.sqrt(a + eps))
        ad[i] = ad[i] * rho + c * (d * d)
        p[i] = pi + d * lr


@_jit
def _nadam(p, g, m, v, lr, c_m, c_g, c_v, c1, c2, eps, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        mi = m[i] + (gi - m[i]) * c1
        vi = v[i] + (gi * gi - v[i]) * c2
        m[i] = mi
        v[i] = vi
        p[i] = pi - (c_m * mi + c_g * gi) / (np.sqrt(vi * c_v) + eps) * lr


@_jit
def _lion(p, g, m, lr, b1, c1, b2, c2, decay):
    for i in range(p.size):
        pi = p[i] - p[i] * decay if decay else p[i]
        gi = g[i]
        p[i] = pi - np.sign(m[i] * b1 + c1 * gi) * lr
        m[i] = m[i] * b2 + c2 * gi


def _subnormals_flushed(update):
    """``update`` run with subnormal floats flushed to zero (FTZ and DAZ on x86-64, as
    TensorFlow's kernels run), the caller's setting put back after. Adam's first
    moment of a weight whose input is almost always zero decays by 0.9 a step through the
    subnormal range, and some CPUs (Intel's) take ~100 cycles per operation on a subnormal: an
    MNIST step became 2.5x slower (benchmarks/RESULTS.md). Flushed, the state stops shrinking
    near 1e-37 instead (a change to the weights below 1e-33 a step)."""

    @functools.wraps(update)
    def flushed(*args):
        previous = _simd.flush_subnormals()
        try:
            update(*args)
        finally:
            _simd.restore_fp_control(previous)

    return flushed


@_subnormals_flushed
def sgd(params, grads, lr, decay, scratch):
    t = params.dtype.type
    _sgd(params, grads, t(lr), t(decay))


@_subnormals_flushed
def sgd_momentum(params, grads, velocity, lr, momentum, nesterov, decay, scratch):
    t = params.dtype.type
    _sgd_momentum(params, grads, velocity, t(lr), t(momentum), bool(nesterov), t(decay))


def _vector_team(first, *vectors):
    """The team this thread leads if the flat ``first`` (and ``vectors`` alongside) are float32,
    contiguous and long enough to share; else None."""
    team = _lead.team
    if (team is not None and first.dtype == np.float32 and first.size >= TEAM_VECTOR_SIZE
            and all(x.flags.c_contiguous for x in (first, *vectors))):
        return team
    return None


def sum_squares(x):
    team = _vector_team(x)
    if team is not None:
        return team.sum_squares(x)
    return float(_simd.sum_squares(x, 0, x.size))


def _adam(p, g, m, v, lr_t, c1, c2, eps, decay):
    team = _vector_team(p, g, m, v)
    if team is not None:
        team.adam(p, g, m, v, lr_t, c1, c2, eps, decay)
    else:
        _simd.adam(p, g, m, v, lr_t, c1, c2, eps, decay, 0, p.size)


@_subnormals_flushed
def adam(params, grads, m, v, lr_t, beta_1, beta_2, epsilon, decay, scratch):
    t = params.dtype.type
    _adam(params, grads, m, v, t(lr_t), t(1.0 - beta_1), t(1.0 - beta_2), t(epsilon), t(decay))


@_subnormals_flushed
def amsgrad(params, grads, m, v, v_hat, lr_t, beta_1, beta_2, epsilon, decay, scratch):
    t = params.dtype.type
    if v_hat is None:
        _adam(params, grads, m, v, t(lr_t), t(1.0 - beta_1), t(1.0 - beta_2), t(epsilon),
              t(decay))
    else:
        _amsgrad(params, grads, m, v, v_hat, t(lr_t), t(1.0 - beta_1), t(1.0 - beta_2),
                 t(epsilon), t(decay))


@_subnormals_flushed
def rmsprop(params, grads, v, velocity, average, lr, rho, momentum, epsilon, decay, scratch):
    t = params.dtype.type
    vel = v if velocity is None else velocity
    if average is None:
        _rmsprop(params, grads, v, vel, t(lr), t(rho), t(1.0 - rho), t(momentum), t(epsilon),
                 t(decay))
    else:
        _rmsprop_centered(params, grads, v, vel, average, t(lr), t(rho), t(1.0 - rho),
                          t(momentum), t(epsilon), t(decay))


@_subnormals_flushed
def adagrad(params, grads, accumulator, lr, epsilon, decay, scratch):
    t = params.dtype.type
    _adagrad(params, grads, accumulator, t(lr), t(epsilon), t(decay))


@_subnormals_flushed
def adamax(params, grads, m, u, lr_t, beta_1, beta_2, epsilon, decay, scratch):
    t = params.dtype.type
    _adamax(params, grads, m, u, t(lr_t), t(1.0 - beta_1), t(beta_2), t(epsilon), t(decay))


@_subnormals_flushed
def adadelta(params, grads, acc_grad, acc_delta, lr, rho, epsilon, decay, scratch):
    t = params.dtype.type
    _adadelta(params, grads, acc_grad, acc_delta, t(lr), t(rho), t(1.0 - rho), t(epsilon),
              t(decay))


@_subnormals_flushed
def nadam(params, grads, m, v, lr, c_m, c_g, c_v, beta_1, beta_2, epsilon, decay, scratch):
    t = params.dtype.type
    _nadam(params, grads, m, v, t(lr), t(c_m), t(c_g), t(c_v), t(1.0 - beta_1),
           t(1.0 - beta_2), t(epsilon), t(decay))


@_subnormals_flushed
def lion(params, grads, m, lr, beta_1, beta_2, decay, scratch):
    t = params.dtype.type
    _lion(params, grads, m, t(lr), t(beta_1), t(1.0 - beta_1), t(beta_2), t(1.0 - beta_2),
          t(decay))


# -- activations on a matrix product's output -------------------------------------------------
@_jit
def _bias_relu(net, bias, out):
    rows, cols = net.shape
    for i in range(rows):
        for j in range(cols):
            z = net[i, j] + bias[j] if bias is not None else net[i, j]
            net[i, j] = z
            out[i, j] = z * 0 if z < 0 else z  # max(z, 0), and NaN stays NaN as in np.maximum
    return out


@_jit
def _relu_backward(grad, a, out):
    rows, cols = grad.shape
    for i in range(rows):
        for j in range(cols):
            out[i, j] = grad[i, j] if a[i, j] > 0 else grad[i, j] * 0
    return out


@_jit
def _bias_softmax(net, bias, out):
    rows, cols = net.shape
    for i in range(rows):
        top = net[i, 0] + bias[0] if bias is not None else net[i, 0]
        for j in range(cols):
            z = net[i, j] + bias[j] if bias is not None else net[i, j]
            net[i, j] = z
            top = max(top, z)
        total = out.dtype.type(0)
        for j in range(cols):
            e = np.exp(net[i, j] - top)
            out[i, j] = e
            total += e
        for j in range(cols):
            out[i, j] /= total
    return out


def bias_relu(net, bias, out):
    return _bias_relu(net, bias, out)


def relu_backward(grad, a, out):
    # any (n, ...) shape as (n, features): views of the layers' contiguous buffers
    _relu_backward(grad.reshape(len(grad), -1), a.reshape(len(a), -1), out.reshape(len(out), -1))
    return out


def bias_softmax(net, bias, out):
    return _bias_softmax(net, bias, out)


# -- softmax with sparse cross-entropy, and its accuracy --------------------------------------
@_jit
def _sparse_softmax_xent(logits, probs, labels, weights, out, scale):
    rows, cols = logits.shape
    total = 0.0
    for i in range(rows):
        top = logits[i, 0]
        for j in range(cols):
            top = max(top, logits[i, j])
        mass = logits.dtype.type(0)
        for j in range(cols):
            mass += np.exp(logits[i, j] - top)
        w = weights[i] if weights is not None else logits.dtype.type(1)
        total += w * ((np.log(mass) + top) - logits[i, labels[i]])
        for j in range(cols):
            d = probs[i, j] - 1 if j == labels[i] else probs[i, j]
            out[i, j] = d * scale * w if weights is not None else d * scale
    return total / rows


@_jit
def _softmax_xent(logits, probs, targets, keep, spread, weights, lo, hi, out, scale):
    rows, cols = logits.shape
    total, clipped = 0.0, False
    for i in range(rows):
        top = logits[i, 0]
        for j in range(cols):
            top = max(top, logits[i, j])
        mass, psum = logits.dtype.type(0), probs.dtype.type(0)
        for j in range(cols):
            mass += np.exp(logits[i, j] - top)
            psum += probs[i, j]
        lse = np.log(mass) + top
        w = weights[i] if weights is not None else logits.dtype.type(1)
        row, t_sum = 0.0, targets.dtype.type(0)
        for j in range(cols):
            t = targets[i, j] * keep + spread
            t_sum += t
            row += t * (lse - logits[i, j])
            q = probs[i, j] / psum
            clipped |= t != 0 and (q < lo or q > hi)
        total += w * row
        for j in range(cols):
            d = probs[i, j] * t_sum - (targets[i, j] * keep + spread)
            out[i, j] = d * scale * w if weights is not None else d * scale
    return total / rows, clipped


def softmax_xent(logits, probs, targets, smoothing, weights, lo, hi, out):
    t = targets.dtype.type
    scale = logits.dtype.type(1.0 / len(logits))
    value, clipped = _softmax_xent(logits, probs, targets, t(1.0 - smoothing),
                                   t(smoothing / targets.shape[-1]), weights, lo, hi, out, scale)
    return float(value), bool(clipped)


@_jit
def _sparse_hits(labels, probs):
    hits = 0
    for i in range(probs.shape[0]):
        best = 0
        for j in range(1, probs.shape[1]):
            if probs[i, j] > probs[i, best]:
                best = j
        hits += best == labels[i]
    return hits


def sparse_softmax_xent(logits, probs, labels, weights, out):
    scale = logits.dtype.type(1.0 / len(logits))
    return float(_sparse_softmax_xent(logits, probs, labels, weights, out, scale))


def sparse_accuracy(labels, probs):
    return int(_sparse_hits(labels, probs)) / len(labels)


IMPLEMENTATION = SimpleNamespace(
    name="numba", parallel=parallel, matmul=matmul, sum_squares=sum_squares, sgd=sgd,
    sgd_momentum=sgd_momentum, adam=adam, amsgrad=amsgrad,
    rmsprop=rmsprop, adagrad=adagrad, adamax=adamax, adadelta=adadelta, nadam=nadam, lion=lion,
    bias_relu=bias_relu, relu_backward=relu_backward, bias_softmax=bias_softmax,
    sparse_softmax_xent=sparse_softmax_xent, softmax_xent=softmax_xent,
    sparse_accuracy=sparse_accuracy,
)
