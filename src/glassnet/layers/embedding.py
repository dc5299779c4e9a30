"""``Embedding``: integer indices to learnt vectors (for categorical columns of tabular data).

Input (None, d1, ...) of integer category codes in [0, input_dim) gives (None, d1, ...,
output_dim): ``out[s, j] = embeddings[x[s, j]]``. Backward scatters the incoming gradient
into the rows the batch used (``np.add.at``, so a code seen twice gets both contributions);
indices have no gradient, so it passes zeros down. Inputs arrive as the model's floats and
are read as integers; anything that is not a whole number in range is refused.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Embedding
>>> emb = Embedding(3, 2, embeddings_initializer="ones", name="emb_doc")
>>> emb(np.array([[0], [2]])).shape
(2, 1, 2)
"""

from __future__ import annotations

import numpy as np

from .. import initializers
from .._checks import boolean, positive_count
from ..errors import ConfigError, DataError
from .layer import Layer

__all__ = ["Embedding"]


def _initializer(value):
    """Keras's 'uniform' for embeddings is RandomUniform(-0.05, 0.05)."""
    if isinstance(value, str) and value.lower() == "uniform":
        return initializers.get({"name": "random_uniform", "minval": -0.05, "maxval": 0.05})
    return initializers.get(value)


class Embedding(Layer):
    """A lookup table of ``input_dim`` vectors of size ``output_dim``."""

    cache_attrs = ("_indices",)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 input_length=None, activity_regularizer=None, **kwargs):
        input_dim = positive_count(input_dim, "Embedding: input_dim")
        output_dim = positive_count(output_dim, "Embedding: output_dim")
        super().__init__(**kwargs)
        for key, value in (("embeddings_regularizer", embeddings_regularizer),
                           ("embeddings_constraint", embeddings_constraint),
                           ("lora_rank", lora_rank), ("quantization_config", quantization_config),
                           ("activity_regularizer", activity_regularizer)):
            if value is not None:
                raise ConfigError(f"layer {self.name!r} (Embedding): {key} is not supported yet")
        if boolean(mask_zero, f"layer {self.name!r} (Embedding): mask_zero"):
            raise ConfigError(f"layer {self.name!r} (Embedding): mask_zero=True (masking) is not "
                              "supported; glassnet layers take no masks")
        self.input_dim, self.output_dim = input_dim, output_dim
        self.mask_zero = False
        self.embeddings_initializer = _initializer(embeddings_initializer)
        self._indices = None
        self._pending = None if weights is None else (
            weights if isinstance(weights, list) else [weights])

    def build(self, input_shape):
        shape = super().build(input_shape)
        if self._pending is not None:  # weights= set once the layer has its arrays
            self._ensure_weights()
            self.set_weights(self._pending)
            self._pending = None
        return shape

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def param_specs(self):
        return [("embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer)]

    @property
    def embeddings(self) -> np.ndarray:
        self._materialized_specs(True)
        return self.arrays["embeddings"]

    def _codes(self, x) -> np.ndarray:
        codes = np.rint(x).astype(np.intp) if x.dtype.kind == "f" else x.astype(np.intp)
        bad = ~np.isfinite(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
        bad |= (codes < 0) | (codes >= self.input_dim)
        if x.dtype.kind == "f":
            bad |= codes != x
        if bad.any():
            value = x[bad].flat[0]
            raise DataError(f"layer {self.name!r} (Embedding): inputs must be whole numbers "
                            f"from 0 to input_dim - 1 = {self.input_dim - 1}, got {value.item()!r}")
        return codes

    def forward(self, x, training=False):
        self._indices = self._codes(x)
        out = self._buffer("out", len(x), (*x.shape[1:], self.output_dim),
                           self.arrays["embeddings"].dtype)
        return np.take(self.arrays["embeddings"], self._indices, axis=0, out=out)

    def backward(self, grad, preactivation_grad=False):
        dw = self.grads["embeddings"]
        dw[...] = 0
        np.add.at(dw, self._indices.reshape(-1), grad.reshape(-1, self.output_dim))
        if not self.needs_input_grad:
            return None
        return np.zeros(self._indices.shape, grad.dtype)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": self.embeddings_initializer.get_config(),
                "embeddings_regularizer": None, "activity_regularizer": None,
                "embeddings_constraint": None, "mask_zero": False,
                "quantization_config": None}
