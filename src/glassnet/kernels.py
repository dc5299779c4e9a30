"""The hot loops of training as kernels, with a NumPy reference and a selectable implementation.

Every optimizer in glassnet updates ONE flat parameter array from ONE flat gradient array, a
training step's other elementwise work (bias add and activation on a matrix product's output,
the activation's derivative, softmax with cross-entropy and its gradient, accuracy) is a few
passes over small arrays, and its small matrix products are ``matmul``. This module holds the
NumPy reference of each of those kernels. ``'numba'`` (:mod:`glassnet._numba_kernels`, used
when numba is installed) fuses each into one compiled loop; it agrees with the reference to
float rounding (tested to 1e-6 relative in float32 and 1e-12 in float64; for ``matmul``,
relative to the size of the summed terms, ``|a| @ |b|``, as for any two orders of summation),
except that its optimizers flush subnormal floats to zero, as TensorFlow's kernels do.
Choose with :func:`set_kernels` or the ``GLASSNET_KERNELS`` environment variable ('numpy' or
'numba'); numba is imported only when its kernels are first used. numba's kernels also share a
training step's big products and Adam updates with a second core (:func:`set_num_threads`,
``GLASSNET_NUM_THREADS``), with results bitwise equal to one thread's. Optimizer kernels work in
place on ``params`` and the state arrays, and may use ``scratch`` (same size) and overwrite
``grads`` freely.

Example
-------
>>> import numpy as np
>>> from glassnet import kernels
>>> p, g = np.ones(3), np.full(3, 0.5)
>>> kernels.active().sgd(p, g, 0.1, 0.0, np.empty(3))
>>> p
array([0.95, 0.95, 0.95])
"""

from __future__ import annotations

import importlib.util
import os
from types import SimpleNamespace

import numpy as np

from .errors import ConfigError

__all__ = ["active", "available", "get_num_threads", "register", "set_kernels",
           "set_num_threads"]


def matmul(a, b, out):
    """out = a @ b, for a training step's small products (numba's kernel keeps a block of out in
    registers and, on CPUs where it pays, skips the steps where four rows of ``a`` are all 0)."""
    return np.matmul(a, b, out=out)


def sum_squares(x):
    """sum(x ** 2) of a flat array, in x's dtype: inf or NaN when any number is, or when the
    squares overflow (what a training step tests its gradient with)."""
    return float(np.dot(x, x))


def _apply_decay(params, decay):
    """Keras 3's decoupled weight decay, before the update: p -= p * (lr * weight_decay)."""
    if decay:
        params -= params * decay


def sgd(params, grads, lr, decay, scratch):
    """p -= lr * g."""
    _apply_decay(params, decay)
    np.multiply(grads, lr, out=scratch)
    params -= scratch


def sgd_momentum(params, grads, velocity, lr, momentum, nesterov, decay, scratch):
    """Keras's momentum: v = m v - lr g; p += v (Nesterov: p += m v - lr g)."""
    _apply_decay(params, decay)
    velocity *= momentum
    np.multiply(grads, lr, out=scratch)
    velocity -= scratch
    if nesterov:
        params -= scratch
        np.multiply(velocity, momentum, out=scratch)
    else:
        np.copyto(scratch, velocity)
    params += scratch


def _moments(grads, m, v, beta_1, beta_2, scratch):
    """m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2) (Adam's and Nadam's moments)."""
    np.subtract(grads, m, out=scratch)
    scratch *= 1.0 - beta_1
    m += scratch
    np.square(grads, out=scratch)
    scratch -= v
    scratch *= 1.0 - beta_2
    v += scratch


def adam(params, grads, m, v, lr_t, beta_1, beta_2, epsilon, decay, scratch):
    """m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); p -= lr_t m / (sqrt(v) + eps)."""
    amsgrad(params, grads, m, v, None, lr_t, beta_1, beta_2, epsilon, decay, scratch)


def amsgrad(params, grads, m, v, v_hat, lr_t, beta_1, beta_2, epsilon, decay, scratch):
    """Adam with ``v_hat = max(v_hat, v)`` in the denominator (plain Adam when v_hat is None)."""
    _apply_decay(params, decay)
    _moments(grads, m, v, beta_1, beta_2, scratch)
    if v_hat is not None:
        np.maximum(v_hat, v, out=v_hat)
    np.sqrt(v if v_hat is None else v_hat, out=scratch)
    scratch += epsilon
    np.divide(m, scratch, out=scratch)
    scratch *= lr_t
    params -= scratch


def rmsprop(params, grads, v, velocity, average, lr, rho, momentum, epsilon, decay, scratch):
    """Keras 3: v = rho v + (1 - rho) g^2; step = lr g / sqrt(v + eps) (centered: sqrt(v - a^2 +
    eps), a = rho a + (1 - rho) g); with momentum, velocity = m velocity + step; p -= it."""
    _apply_decay(params, decay)
    v *= rho
    np.square(grads, out=scratch)
    scratch *= 1.0 - rho
    v += scratch
    np.add(v, epsilon, out=scratch)
    if average is not None:
        average *= rho
        average += (1.0 - rho) * grads
        scratch -= np.square(average)
    np.sqrt(scratch, out=scratch)
    np.divide(grads, scratch, out=scratch)
    scratch *= lr
    if momentum:
        velocity *= momentum
        velocity += scratch
        params -= velocity
    else:
        params -= scratch


def adagrad(params, grads, accumulator, lr, epsilon, decay, scratch):
    """acc += g^2; p -= lr g / sqrt(acc + eps)."""
    _apply_decay(params, decay)
    np.square(grads, out=scratch)
    accumulator += scratch
    np.add(accumulator, epsilon, out=scratch)
    np.sqrt(scratch, out=scratch)
    np.divide(grads, scratch, out=scratch)
    scratch *= lr
    params -= scratch


def adamax(params, grads, m, u, lr_t, beta_1, beta_2, epsilon, decay, scratch):
    """m += (g - m)(1 - b1); u = max(b2 u, |g|); p -= lr_t m / (u + eps), lr_t = lr / (1 - b1^t)."""
    _apply_decay(params, decay)
    np.subtract(grads, m, out=scratch)
    scratch *= 1.0 - beta_1
    m += scratch
    u *= beta_2
    np.maximum(u, np.abs(grads, out=scratch), out=u)
    np.add(u, epsilon, out=scratch)
    np.divide(m, scratch, out=scratch)
    scratch *= lr_t
    params -= scratch


def adadelta(params, grads, acc_grad, acc_delta, lr, rho, epsilon, decay, scratch):
    """a = rho a + (1 - rho) g^2; d = -sqrt(ad + eps) g / sqrt(a + eps);
    ad = rho ad + (1 - rho) d^2; p += lr d."""
    _apply_decay(params, decay)
    acc_grad *= rho
    acc_grad += (1.0 - rho) * np.square(grads)
    np.add(acc_delta, epsilon, out=scratch)
    np.sqrt(scratch, out=scratch)
    scratch *= grads
    scratch /= np.sqrt(acc_grad + epsilon)
    np.negative(scratch, out=scratch)
    acc_delta *= rho
    acc_delta += (1.0 - rho) * np.square(scratch)
    scratch *= lr
    params += scratch


def nadam(params, grads, m, v, lr, c_m, c_g, c_v, beta_1, beta_2, epsilon, decay, scratch):
    """Adam's moments, then p -= lr m_hat / (sqrt(v c_v) + eps), m_hat = c_m m + c_g g (the
    step's momentum-schedule coefficients: c_m = u_{t+1} / (1 - prod u to t+1), c_g =
    (1 - u_t) / (1 - prod u to t), c_v = 1 / (1 - b2^t))."""
    _apply_decay(params, decay)
    _moments(grads, m, v, beta_1, beta_2, scratch)
    np.multiply(v, c_v, out=scratch)
    np.sqrt(scratch, out=scratch)
    scratch += epsilon
    np.divide(c_m * m + c_g * grads, scratch, out=scratch)
    scratch *= lr
    params -= scratch


def lion(params, grads, m, lr, beta_1, beta_2, decay, scratch):
    """p -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g."""
    _apply_decay(params, decay)
    np.multiply(m, beta_1, out=scratch)
    scratch += (1.0 - beta_1) * grads
    np.sign(scratch, out=scratch)
    scratch *= lr
    params -= scratch
    m *= beta_2
    m += (1.0 - beta_2) * grads


# -- activations on a matrix product's output -------------------------------------------------
def bias_relu(net, bias, out):
    """net += bias (when given); out = max(net, 0). Returns ``out``."""
    if bias is not None:
        net += bias
    return np.maximum(net, 0, out=out)


def relu_backward(grad, a, out):
    """dL/dz = dL/da where the ReLU's output a > 0, else 0. Returns ``out``."""
    np.sign(a, out=out)  # a >= 0, so sign(a) is the 0/1 step da/dz
    return np.multiply(out, grad, out=out)


def bias_softmax(net, bias, out):
    """net += bias (when given); out = softmax of each row, shifted by its maximum."""
    if bias is not None:
        net += bias
    np.subtract(net, net.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


# -- softmax with sparse cross-entropy, and its accuracy --------------------------------------
def log_softmax(z):
    """log(softmax(z)) over the last axis, from the shifted logits: finite for any finite z."""
    shifted = z - z.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


def sparse_xent_grad(probs, labels, weights, out):
    """dL/dlogits = (probs - onehot(labels)) * w / n into ``out`` (which may be ``probs``)."""
    if out is not probs:
        np.copyto(out, probs)
    out[np.arange(len(labels)), labels] -= 1.0
    out *= 1.0 / len(out)
    if weights is not None:
        out *= weights[:, None]
    return out


def sparse_softmax_xent(logits, probs, labels, weights, out):
    """The mean (weighted) -log softmax(logits)[label]; its gradient into ``out``.

    ``probs`` is softmax(logits), already computed by the forward pass.
    """
    per_sample = -log_softmax(logits)[np.arange(len(labels)), labels]
    sparse_xent_grad(probs, labels, weights, out)
    if weights is None:
        return float(per_sample.mean())
    return float(np.dot(per_sample, weights) / len(per_sample))


def softmax_xent(logits, probs, targets, smoothing, weights, lo, hi, out):
    """(The mean, weighted, cross-entropy ``-sum(t log softmax(logits))`` of the rows; whether
    Keras's probability clip to [lo, hi] binds in some row), with ``t`` the targets smoothed
    towards 1/k by ``smoothing``; the gradient ``(probs sum(t) - t) w / n`` into ``out``.

    Where the clip binds, Keras's value and gradient differ from these (the caller recomputes
    them on Keras's own path).
    """
    t = targets
    if smoothing:
        t = targets * (1.0 - smoothing) + smoothing / targets.shape[-1]
    per_sample = -np.sum(t * log_softmax(logits), axis=-1)
    q = probs / np.sum(probs, axis=-1, keepdims=True)
    clipped = bool(np.any((t != 0) & ((q < lo) | (q > hi))))
    np.multiply(probs, np.sum(t, axis=-1, keepdims=True), out=out)
    out -= t
    out *= 1.0 / len(out)
    if weights is not None:
        out *= weights[:, None]
        return float(np.dot(per_sample, weights) / len(per_sample)), clipped
    return float(per_sample.mean()), clipped


def sparse_accuracy(labels, probs):
    """Share of rows whose largest probability is at the integer label."""
    return float(np.mean(np.argmax(probs, axis=-1) == labels))


_KERNEL_NAMES = ("sgd", "sgd_momentum", "adam", "amsgrad", "rmsprop", "adagrad", "adamax",
                 "adadelta", "nadam", "lion", "bias_relu", "relu_backward", "bias_softmax",
                 "sparse_softmax_xent", "softmax_xent", "sparse_accuracy", "matmul",
                 "sum_squares")
_REFERENCE = SimpleNamespace(name="numpy", **{k: globals()[k] for k in _KERNEL_NAMES})


def _load_numba():
    from ._numba_kernels import IMPLEMENTATION

    return IMPLEMENTATION


# name -> an implementation, or a function that imports and returns one (loaded on first use)
_IMPLEMENTATIONS: dict = {"numpy": _REFERENCE, "numba": _load_numba}
_state: dict = {"name": None, "impl": None, "threads": None}


def register(name: str, implementation) -> None:
    """Make an implementation selectable by name.

    ``implementation`` is an object with every kernel of the NumPy reference as an attribute,
    or a function without arguments that returns one (called when the name is first selected,
    so heavy imports wait until then).
    """
    _IMPLEMENTATIONS[name] = implementation
    if _state["name"] == name:
        _state["impl"] = None


def _installed(name: str) -> bool:
    return name != "numba" or importlib.util.find_spec("numba") is not None


def available() -> list[str]:
    """Names of the implementations that can be selected now (numba only when installed)."""
    return sorted(name for name in _IMPLEMENTATIONS if _installed(name))


def _resolve(name: str):
    impl = _IMPLEMENTATIONS[name]
    if not isinstance(impl, SimpleNamespace) and callable(impl):
        impl = _IMPLEMENTATIONS[name] = impl()
    missing = [k for k in _KERNEL_NAMES if not hasattr(impl, k)]
    if missing:
        raise ConfigError(f"kernel implementation {name!r} lacks {', '.join(missing)}")
    return impl


def _default_threads() -> int:
    """``GLASSNET_NUM_THREADS``, else this process's CPUs up to 2."""
    chosen = os.environ.get("GLASSNET_NUM_THREADS")
    if chosen:
        if not chosen.strip().isdigit() or int(chosen) < 1:
            raise ConfigError(f"GLASSNET_NUM_THREADS={chosen!r} is not a whole number >= 1: set "
                              "it to the number of threads training may use, e.g. 1 or 2")
        return int(chosen)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(2, cpus or 1))


def set_num_threads(threads: int) -> None:
    """How many threads a training step's big kernels may use (the numba kernels; 1 = one core).

    Results do not depend on it: each number is computed the same way on any thread.

    Example
    -------
    >>> from glassnet import kernels
    >>> kernels.set_num_threads(1); kernels.get_num_threads()
    1
    """
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ConfigError(f"set_num_threads needs a whole number >= 1, got {threads!r}")
    _state["threads"] = int(threads)


def get_num_threads() -> int:
    """The threads a training step may use: :func:`set_num_threads`'s, else
    ``GLASSNET_NUM_THREADS``, else this process's CPUs up to 2."""
    if _state["threads"] is None:
        _state["threads"] = _default_threads()
    return _state["threads"]


def set_kernels(name: str) -> None:
    """Choose the kernel implementation used from now on: 'numpy', 'numba' or a registered one.

    Example
    -------
    >>> from glassnet import kernels
    >>> kernels.set_kernels("numpy"); kernels.active().name
    'numpy'
    """
    if name not in available():
        hint = " (pip install numba)" if name == "numba" else ""
        raise ConfigError(f"unknown or unavailable kernel implementation {name!r}{hint}; "
                          f"available: {', '.join(available())}")
    impl = _resolve(name)
    _state["name"], _state["impl"] = name, impl


def active():
    """The implementation in use. Unless chosen, the first call picks ``GLASSNET_KERNELS``, else
    'numba' when it is installed, else 'numpy'."""
    impl = _state["impl"]
    if impl is None:
        set_kernels(_state["name"] or os.environ.get("GLASSNET_KERNELS")
                    or ("numba" if _installed("numba") else "numpy"))
        impl = _state["impl"]
    return impl
