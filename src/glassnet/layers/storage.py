"""Flat storage: the buffers behind a set of layers' weights.

One array holds every weight, laid out as [trainable parameters | frozen parameters | state]
(state: non-trainable arrays such as moving statistics), and one gradient array covers the
parameters. Each layer's ``arrays`` are reshaped views into it, so the optimizer updates all
trainable weights in one kernel over ``params`` and saving, checking and exporting read the same
views. A layer belongs to one storage at a time: a model that trains takes its layers over
(:meth:`FlatStorage.owns` tells whether it still holds them all), copying their current values.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Dense
>>> a, b = Dense(2, name="a"), Dense(1, name="b")
>>> _ = b.build(a.build((3,)))
>>> b.trainable = False
>>> storage = FlatStorage([a, b], np.dtype("float32"))
>>> storage.params.size, storage.frozen.size, storage.owns([a, b])
(8, 3, True)
"""

from __future__ import annotations

import math
import os

import numpy as np

from .._aligned import aligned_empty, aligned_zeros
from ..errors import ConfigError
from ..utils import global_generator

__all__ = ["FlatStorage"]


class FlatStorage:
    """Allocates and binds the weights of ``layers`` (built) in ``dtype``."""

    def __init__(self, layers, dtype: np.dtype, rng=None):
        self.dtype = np.dtype(dtype)
        self.layers = list(layers)
        self.signature = tuple(layer.trainable for layer in self.layers)
        regions = {"params": [], "frozen": [], "state": []}
        for layer in self.layers:
            kind = "params" if layer.trainable else "frozen"
            regions[kind] += [(layer, name, shape) for name, shape, _ in layer.param_specs()]
            regions["state"] += [(layer, name, shape) for name, shape, _ in layer.state_specs()]
        sizes = {k: sum(math.prod(s) for _, _, s in v) for k, v in regions.items()}
        _check_fits(regions, sizes, self.dtype)
        self.buffer = aligned_empty(sum(sizes.values()), self.dtype)
        self.grad_buffer = aligned_zeros(sizes["params"] + sizes["frozen"], self.dtype)
        cut1, cut2 = sizes["params"], sizes["params"] + sizes["frozen"]
        self.params, self.grads = self.buffer[:cut1], self.grad_buffer[:cut1]
        self.frozen, self.state = self.buffer[cut1:cut2], self.buffer[cut2:]
        views = {id(layer): ({}, {}) for layer in self.layers}
        self.param_segments: list[tuple[int, int]] = []  # each trainable array's place in params
        offset = 0
        for kind in ("params", "frozen", "state"):
            for layer, name, shape in regions[kind]:
                size = math.prod(shape)
                arrays, grads = views[id(layer)]
                arrays[name] = self.buffer[offset:offset + size].reshape(shape)
                if kind != "state":
                    grads[name] = self.grad_buffer[offset:offset + size].reshape(shape)
                if kind == "params":
                    self.param_segments.append((offset, offset + size))
                offset += size
        rng = rng or global_generator()
        for layer in self.layers:  # layer by layer, so initial draws follow the layers' order
            layer.bind(*views[id(layer)], rng)
            layer._storage = self

    def owns(self, layers) -> bool:
        """True if this storage still holds exactly ``layers`` with the same trainable flags."""
        return (len(layers) == len(self.layers)
                and all(a is b and b._storage is self for a, b in
                        zip(layers, self.layers, strict=True))
                and tuple(layer.trainable for layer in self.layers) == self.signature)


def _memory_bytes() -> int | None:
    """The machine's physical memory, where the OS tells (None elsewhere)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _check_fits(regions, sizes, dtype) -> None:
    """Refuse, before allocating, weights that cannot fit in this machine's memory."""
    n = sum(sizes.values()) + sizes["params"] + sizes["frozen"]  # weights and gradients
    limit = _memory_bytes()
    if limit is None or n * dtype.itemsize <= limit:
        return
    layer, name, shape = max((e for v in regions.values() for e in v),
                             key=lambda e: math.prod(e[2]))
    raise ConfigError(
        f"the weights need {n * dtype.itemsize / 2**30:,.1f} GiB with their gradients, more than "
        f"this machine's {limit / 2**30:,.1f} GiB; the largest is layer {layer.name!r} {name} of "
        f"shape {shape}: use fewer units")
