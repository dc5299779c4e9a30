"""The optimizer updates as kernels over flat buffers, with a selectable implementation.

Every optimizer in glassnet updates ONE flat parameter array from ONE flat gradient array, so
each update is a handful of vector operations. This module holds the NumPy reference of each
update; a faster implementation registers itself under another name and is chosen with
:func:`set_kernels` or the ``GLASSNET_KERNELS`` environment variable. Every kernel works in place
on ``params`` and the state arrays, and may use ``scratch`` (same size) freely.

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

import os
from types import SimpleNamespace

import numpy as np

from .errors import ConfigError

__all__ = ["active", "available", "register", "set_kernels"]


def _apply_decay(params, grads, weight_decay):
    """L2 weight decay folded into the gradient: g += wd * p."""
    if weight_decay:
        grads += weight_decay * params


def sgd(params, grads, lr, weight_decay, scratch):
    """p -= lr * g."""
    _apply_decay(params, grads, weight_decay)
    np.multiply(grads, lr, out=scratch)
    params -= scratch


def sgd_momentum(params, grads, velocity, lr, momentum, nesterov, weight_decay, scratch):
    """Keras's momentum: v = m v - lr g; p += v (Nesterov: p += m v - lr g)."""
    _apply_decay(params, grads, weight_decay)
    velocity *= momentum
    np.multiply(grads, lr, out=scratch)
    velocity -= scratch
    if nesterov:
        params -= scratch
        np.multiply(velocity, momentum, out=scratch)
    else:
        np.copyto(scratch, velocity)
    params += scratch


def adam(params, grads, m, v, lr_t, beta_1, beta_2, epsilon, weight_decay, scratch):
    """m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); p -= lr_t m / (sqrt(v) + eps)."""
    _apply_decay(params, grads, weight_decay)
    np.subtract(grads, m, out=scratch)
    scratch *= 1.0 - beta_1
    m += scratch
    np.square(grads, out=scratch)
    scratch -= v
    scratch *= 1.0 - beta_2
    v += scratch
    np.sqrt(v, out=scratch)
    scratch += epsilon
    np.divide(m, scratch, out=scratch)
    scratch *= lr_t
    params -= scratch


def rmsprop(params, grads, v, velocity, lr, rho, momentum, epsilon, weight_decay, scratch):
    """v = rho v + (1 - rho) g^2; step = lr g / (sqrt(v) + eps); with momentum, v' = m v' + step."""
    _apply_decay(params, grads, weight_decay)
    v *= rho
    np.square(grads, out=scratch)
    scratch *= 1.0 - rho
    v += scratch
    np.sqrt(v, out=scratch)
    scratch += epsilon
    np.divide(grads, scratch, out=scratch)
    scratch *= lr
    if momentum:
        velocity *= momentum
        velocity += scratch
        params -= velocity
    else:
        params -= scratch


_IMPLEMENTATIONS = {
    "numpy": SimpleNamespace(
        name="numpy", sgd=sgd, sgd_momentum=sgd_momentum, adam=adam, rmsprop=rmsprop
    )
}
_state = {"name": "numpy"}


def register(name: str, implementation) -> None:
    """Make an implementation (an object with the kernel functions above) selectable by name."""
    _IMPLEMENTATIONS[name] = implementation


def available() -> list[str]:
    """Names of the implementations that can be selected now."""
    return sorted(_IMPLEMENTATIONS)


def set_kernels(name: str) -> None:
    """Choose the kernel implementation used from now on ('numpy', or a registered one)."""
    if name not in _IMPLEMENTATIONS:
        raise ConfigError(
            f"unknown kernel implementation {name!r}; available: {', '.join(available())}"
        )
    _state["name"] = name


def active():
    """The implementation in use."""
    return _IMPLEMENTATIONS[_state["name"]]


if os.environ.get("GLASSNET_KERNELS"):
    set_kernels(os.environ["GLASSNET_KERNELS"])
