"""Weight and activity regularizers (``keras.regularizers``): a penalty added to the loss.

``L1(l1)`` is ``l1 * sum|x|``, ``L2(l2)`` is ``l2 * sum x^2``, ``L1L2(l1, l2)`` both (Keras's
defaults: 0.01 for L1 and L2 alone, 0 for each part of L1L2), ``OrthogonalRegularizer(factor,
mode)`` pushes the rows (or columns) of a kernel towards orthogonality. Each has its gradient
written out (``gradient(x)``), which training adds to the weights' gradients.

Give one as ``kernel_regularizer`` / ``bias_regularizer`` (any layer's weight ``<name>`` reads
``<name>_regularizer``) or ``activity_regularizer`` (on the layer's output, divided by the batch
size, as Keras 3 does). As in Keras, the penalties of the trainable weights (at the weights the
step starts from) and of the activities are part of the ``loss`` that ``fit`` and ``evaluate``
report; per-output losses of a model with several outputs leave them out.

Example
-------
>>> import numpy as np
>>> from glassnet import regularizers
>>> reg = regularizers.get("l2")
>>> reg(np.array([1.0, -2.0])), reg.gradient(np.array([1.0, -2.0])).tolist()
(0.05, [0.02, -0.04])
>>> regularizers.L1L2(l1=0.1, l2=0.5).get_config()
{'l1': 0.1, 'l2': 0.5}
"""

from __future__ import annotations

import math

import numpy as np

from ._registry import KerasObject, keras_deserialize, keras_get, keras_serialize
from .errors import ConfigError

__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get",
           "l1", "l1_l2", "l2", "orthogonal_regularizer", "serialize"]


def _factor(value, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{owner}: Invalid value for argument {name}: expected a non-negative "
                          f"float. Received: {name}={value!r}")
    return float(value)


class Regularizer(KerasObject):
    """Base class: ``__call__(x)`` is the penalty (a float), ``gradient(x)`` its derivative."""

    def __call__(self, x) -> float:
        return 0.0

    def gradient(self, x) -> np.ndarray:
        return np.zeros_like(x)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """``l1 * sum|x| + l2 * sum x^2`` (both 0 by default, as in Keras)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1", type(self).__name__)
        self.l2 = _factor(0.0 if l2 is None else l2, "l2", type(self).__name__)

    def __call__(self, x) -> float:
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.abs(x).sum())
        if self.l2:
            total += self.l2 * float(np.vdot(x, x))
        return total

    def gradient(self, x) -> np.ndarray:
        grad = np.sign(x) * self.l1 if self.l1 else np.zeros_like(x)
        if self.l2:
            grad += (2.0 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum|x|``; l1 0.01 by default."""

    def __init__(self, l1=0.01):
        super().__init__(l1=0.01 if l1 is None else l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum x^2``; l2 0.01 by default."""

    def __init__(self, l2=0.01):
        super().__init__(l2=0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """``factor * 0.5 * sum|P - diag(P)| / (n (n - 1) / 2)`` with ``P`` the Gram matrix of the
    unit-normalised rows (``mode='rows'``) or columns of a 2-D kernel (Keras's definition)."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ConfigError("OrthogonalRegularizer: Invalid value for argument `mode`. "
                              f"Expected one of {{'rows', 'columns'}}. Received: mode={mode!r}")
        self.mode = mode

    def _parts(self, x):
        if np.ndim(x) != 2:
            raise ConfigError(f"OrthogonalRegularizer: inputs must have rank 2, got shape "
                              f"{np.shape(x)}")
        rows = x if self.mode == "rows" else x.T
        norms = np.maximum(np.sqrt((rows * rows).sum(axis=1, keepdims=True)), 1e-7)
        unit = rows / norms
        gram = unit @ unit.T
        np.fill_diagonal(gram, 0.0)
        size = len(rows)
        scale = self.factor * 0.5 / (size * (size - 1) / 2.0) if size > 1 else 0.0
        return rows, norms, unit, gram, scale

    def __call__(self, x) -> float:
        _, _, _, gram, scale = self._parts(x)
        return scale * float(np.abs(gram).sum())

    def gradient(self, x) -> np.ndarray:
        _, norms, unit, gram, scale = self._parts(x)
        d_unit = 2.0 * scale * (np.sign(gram) @ unit)  # sign(gram) is symmetric
        grad = (d_unit - unit * (d_unit * unit).sum(axis=1, keepdims=True)) / norms
        return grad if self.mode == "rows" else grad.T

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer}
# Keras's names (class names and their snake case), and 'l1_l2' (glassnet also takes it)
_NAMES = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2,
          "orthogonal_regularizer": OrthogonalRegularizer, **_CLASSES}


def serialize(regularizer) -> dict | None:
    """Keras's form: ``{'module', 'class_name', 'config', 'registered_name'}`` (None for None)."""
    return keras_serialize(regularizer, _CLASSES, "keras.regularizers")


def deserialize(config: dict, custom_objects: dict | None = None) -> Regularizer:
    """A regularizer from :func:`serialize`'s dict (``custom_objects``: name -> class)."""
    return keras_deserialize(config, _NAMES, "regularizer", custom_objects)


def get(identifier) -> Regularizer | None:
    """None, a name ('l1', 'l2', 'l1l2' / 'l1_l2', 'L2', ...), a config dict, a class or an
    instance."""
    return keras_get(identifier, Regularizer, _NAMES, "regularizer")


# Keras's lowercase aliases of the classes (keras.regularizers.l2(0.01) is L2(0.01)).
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
