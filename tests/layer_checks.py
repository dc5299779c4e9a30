"""Helpers for the toolkit's tests: central differences of a layer's input and weights, and
Keras 3 on torch as the oracle (skipped where it is not installed)."""

import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")


def to_numpy(tensor):
    """A Keras (torch) tensor as a NumPy array."""
    return tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)


def numeric_grads(layer, x, r, training=True, reseed=None, h=1e-6):
    """Central differences of sum(layer.forward(x) * r) for x and every trainable array."""

    def loss():
        if reseed is not None:
            reseed(layer)
        return float((layer.forward(x, training) * r).sum())

    out = {}
    for name, array in [("x", x), *((n, layer.arrays[n]) for n, _, _ in layer.param_specs())]:
        numeric = np.empty_like(array)
        for idx in np.ndindex(array.shape):
            keep = array[idx]
            array[idx] = keep + h
            up = loss()
            array[idx] = keep - h
            down = loss()
            array[idx] = keep
            numeric[idx] = (up - down) / (2 * h)
        out[name] = numeric
    return out


def check_layer(layer, x, training=True, reseed=None, rtol=1e-6, atol=1e-8):
    """The layer's backward (input and weight gradients) against central differences."""
    x = np.array(x, dtype=np.float64)
    layer(x)  # build with float64 arrays of its own
    r = np.random.default_rng(7).normal(size=layer.forward(x, training).shape)
    if reseed is not None:
        reseed(layer)
    layer.forward(x, training)
    dx = layer.backward(r.copy())
    analytic = {"x": dx, **{n: layer.grads[n].copy() for n, _, _ in layer.param_specs()}}
    numeric = numeric_grads(layer, x, r, training, reseed)
    for name, value in numeric.items():
        np.testing.assert_allclose(analytic[name], value, rtol=rtol, atol=atol, err_msg=name)
    return analytic
