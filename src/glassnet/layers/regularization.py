"""``Dropout``: zeroes a fraction of the inputs while training.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Dropout
>>> layer = Dropout(0.5, seed=0, name="drop_doc")
>>> layer(np.ones((1, 4))).tolist(), layer(np.ones((1, 4)), training=True).tolist()
([[1.0, 1.0, 1.0, 1.0]], [[2.0, 2.0, 2.0, 0.0]])
"""

from __future__ import annotations

import numpy as np

from .._checks import fraction
from ..utils import as_generator
from .layer import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of its inputs while training, scaling the rest by 1/(1-rate).

    At inference it passes its input through unchanged.
    """

    cache_attrs = ("_mask",)

    def __init__(self, rate: float, seed=None, **kwargs):
        rate = fraction(rate, "Dropout: rate")
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.rng = None if seed is None else as_generator(seed)
        self._mask = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        mask = self._buffer("mask", len(x), x.shape[1:], x.dtype)
        (self.rng or as_generator(None)).random(out=mask, dtype=mask.dtype)
        np.greater_equal(mask, self.rate, out=mask)
        mask *= 1.0 / (1.0 - self.rate)
        self._mask = mask
        return np.multiply(x, mask, out=self._buffer("out", len(x), x.shape[1:], x.dtype))

    def backward(self, grad, preactivation_grad=False):
        if self._mask is None:
            return grad
        dx = self._buffer("dx", len(grad), grad.shape[1:], grad.dtype)
        return np.multiply(grad, self._mask, out=dx)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
