"""Weight constraints (``keras.constraints``): applied to a weight after every optimizer step.

``MaxNorm(max_value=2, axis=0)`` scales down the columns (``axis=0``: each unit's incoming
weights of a Dense kernel) whose norm exceeds ``max_value``; ``UnitNorm(axis=0)`` scales them
to norm 1; ``MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)`` moves their norms into
the range (``rate`` 1: all the way); ``NonNeg()`` sets negative weights to 0. Each is Keras's
formula, with its epsilon 1e-7 beside the norms. Give one as ``kernel_constraint`` /
``bias_constraint`` (any layer's weight ``<name>`` reads ``<name>_constraint``).

Example
-------
>>> import numpy as np
>>> from glassnet import constraints
>>> constraints.get("max_norm")(np.array([[3.0], [4.0]])).round(6).tolist()
[[1.2], [1.6]]
>>> constraints.NonNeg()(np.array([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

import math

import numpy as np

from ._registry import KerasObject, keras_deserialize, keras_get, keras_serialize
from .errors import ConfigError

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "deserialize", "get",
           "max_norm", "min_max_norm", "non_neg", "serialize", "unit_norm"]

EPSILON = 1e-7  # Keras's backend.epsilon()


def _number(value, name: str, owner: str, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value < low:
        raise ConfigError(f"{owner}: {name} must be a finite number >= {low:g}, got {value!r}")
    return value


def _axis(value, owner: str):
    ok = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, (list, tuple)) and all(isinstance(a, int) for a in value))
    if not ok:
        raise ConfigError(f"{owner}: axis must be an int or a list of ints, got {value!r}")
    return list(value) if isinstance(value, tuple) else value


class Constraint(KerasObject):
    """Base class: ``__call__(w)`` returns the constrained weights (a new array)."""

    def __call__(self, w):
        return w


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=tuple(axis) if isinstance(axis, list) else axis,
                          keepdims=True))


class MaxNorm(Constraint):
    """Norms along ``axis`` at most ``max_value``."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = _number(max_value, "max_value", "MaxNorm")
        self.axis = _axis(axis, "MaxNorm")

    def __call__(self, w):
        norms = _norms(w, self.axis)
        return w * (np.clip(norms, 0, self.max_value) / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative weights set to 0."""

    def __call__(self, w):
        return np.maximum(w, 0)


class UnitNorm(Constraint):
    """Norms along ``axis`` equal to 1 (up to Keras's epsilon)."""

    def __init__(self, axis=0):
        self.axis = _axis(axis, "UnitNorm")

    def __call__(self, w):
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Norms along ``axis`` moved into [min_value, max_value] by the share ``rate``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = _number(min_value, "min_value", "MinMaxNorm")
        self.max_value = _number(max_value, "max_value", "MinMaxNorm")
        if self.max_value < self.min_value:
            raise ConfigError(f"MinMaxNorm: max_value must be >= min_value, got "
                              f"min_value={min_value!r}, max_value={max_value!r}")
        self.rate = _number(rate, "rate", "MinMaxNorm")
        self.axis = _axis(axis, "MinMaxNorm")

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (self.rate * np.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


_CLASSES = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm,
            "MinMaxNorm": MinMaxNorm}
_NAMES = {**_CLASSES, "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
          "min_max_norm": MinMaxNorm}


def serialize(constraint) -> dict | None:
    """Keras's form: ``{'module', 'class_name', 'config', 'registered_name'}`` (None for None)."""
    return keras_serialize(constraint, _CLASSES, "keras.constraints")


def deserialize(config: dict, custom_objects: dict | None = None) -> Constraint:
    """A constraint from :func:`serialize`'s dict (``custom_objects``: name -> class)."""
    return keras_deserialize(config, _NAMES, "constraint", custom_objects)


def get(identifier) -> Constraint | None:
    """None, a name ('max_norm', 'MaxNorm', 'non_neg', ...), a config dict, a class, an
    instance, or a function of the weights (applied as it is)."""
    return keras_get(identifier, Constraint, _NAMES, "constraint", functions=True)


# Keras's lowercase aliases of the classes (keras.constraints.max_norm(1.0) is MaxNorm(1.0)).
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
