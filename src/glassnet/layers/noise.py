"""Keras's noise layers: ``GaussianNoise``, ``GaussianDropout``, ``AlphaDropout``.

Each is active only while training (and passes its input through at inference, so ONNX
exports leave it out). They draw from the same stream as ``Dropout``: ``seed=`` gives a layer
its own, and without one ``fit(seed=)`` drives it (they are ``Dropout`` subclasses for the
engine's purposes: seeding, gradient checks, saved random streams). Backward multiplies by
the noise's derivative: 1 (added noise), the drawn factor, or ``a * mask``.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import GaussianNoise
>>> layer = GaussianNoise(0.1, seed=0, name="noise_doc")
>>> layer(np.ones((1, 3))).tolist()
[[1.0, 1.0, 1.0]]
>>> bool((layer(np.ones((1, 3)), training=True) != 1.0).all())
True
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import number_in
from ..errors import ConfigError
from ..utils import as_generator
from .layer import Layer
from .regularization import Dropout

__all__ = ["AlphaDropout", "GaussianDropout", "GaussianNoise"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _Noise(Dropout):
    """Shared plumbing: a seed and its generator, active only while training."""

    amount_name = "rate"  # Dropout's backward multiplies by _mask: here the noise's derivative

    def __init__(self, amount, seed=None, **kwargs):
        Layer.__init__(self, **kwargs)
        amount = number_in(amount, f"layer {self.name!r} ({type(self).__name__}): "
                                   f"{self.amount_name}", 0, 1)
        self.rate = float(amount)
        self.seed = seed
        self.rng = None if seed is None else as_generator(seed)
        self._mask = None

    def _generator(self):
        return self.rng or as_generator(None)

    def forward(self, x, training=False):
        self._mask = None
        if not training or self.rate == 0:
            return x
        return self._noisy(x)

    def get_config(self):
        return {**Layer.get_config(self), self.amount_name: self.rate, "seed": self.seed}


class GaussianNoise(_Noise):
    """Adds zero-mean normal noise of standard deviation ``stddev`` while training."""

    amount_name = "stddev"

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed, **kwargs)

    @property
    def stddev(self) -> float:
        return self.rate

    def _noisy(self, x):
        out = self._buffer("out", len(x), x.shape[1:], x.dtype)
        self._generator().standard_normal(out=out, dtype=out.dtype)
        out *= self.rate
        out += x
        self._mask = None  # d(out)/d(x) = 1
        return out


class GaussianDropout(_Noise):
    """Multiplies by normal noise of mean 1 and standard deviation sqrt(rate / (1 - rate))."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        if self.rate == 1:
            raise ConfigError(f"layer {self.name!r} (GaussianDropout): rate must be below 1")

    def _noisy(self, x):
        factor = self._buffer("factor", len(x), x.shape[1:], x.dtype)
        self._generator().standard_normal(out=factor, dtype=factor.dtype)
        factor *= math.sqrt(self.rate / (1.0 - self.rate))
        factor += 1.0
        self._mask = factor
        return np.multiply(x, factor, out=self._buffer("out", len(x), x.shape[1:], x.dtype))


class AlphaDropout(_Noise):
    """Dropout that keeps a SELU network's mean and variance: dropped units are set to
    SELU's negative saturation, then everything is scaled by ``a`` and shifted by ``b``."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        if noise_shape is not None:
            raise ConfigError(f"layer {self.name!r} (AlphaDropout): noise_shape is not "
                              "supported yet (only None)")
        if self.rate == 1:
            raise ConfigError(f"layer {self.name!r} (AlphaDropout): rate must be below 1")
        self.noise_shape = None

    def _noisy(self, x):
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        kept = self._buffer("kept", len(x), x.shape[1:], x.dtype)
        self._generator().random(out=kept, dtype=kept.dtype)
        np.greater_equal(kept, self.rate, out=kept)
        out = self._buffer("out", len(x), x.shape[1:], x.dtype)
        np.multiply(x, kept, out=out)  # x where kept, alpha_p where dropped
        out += alpha_p * (1 - kept)
        out *= a
        out += b
        kept *= a
        self._mask = kept
        return out

    def get_config(self):
        return {**super().get_config(), "noise_shape": None}
