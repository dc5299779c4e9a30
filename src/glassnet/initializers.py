"""Weight initializers: Keras's names, plus the seeds' uniform(-1, 1) and rand.

An initializer is called as ``init(shape, dtype, rng)``. It draws in float64 and casts, so a
float32 and a float64 model built from one seed hold the same weights up to rounding. An
initializer given its own ``seed`` ignores ``rng`` and draws the same values every time.

Example
-------
>>> from glassnet import initializers
>>> initializers.get("zeros")((2,), "float32", None)
array([0., 0.], dtype=float32)
>>> w = initializers.get("uniform")((3, 4), "float64", None)   # the seeds' 2 * rand - 1
>>> bool((w >= -1).all() and (w < 1).all())
True
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import within_range
from ._registry import Registry
from .errors import ConfigError
from .utils import as_generator

__all__ = [
    "Constant",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "Ones",
    "RandomNormal",
    "RandomUniform",
    "Zeros",
    "get",
]


def _number(owner: str, name: str, value, positive: bool = False) -> float:
    """``value`` as a finite float (> 0 if ``positive``), or a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or (positive and value <= 0):
        need = "a finite number > 0" if positive else "a finite number"
        raise ConfigError(f"{owner}: {name} must be {need}, got {value!r}")
    return float(value)


def _fans(shape) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class; subclasses implement ``draw(shape, rng)`` returning float64 values."""

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype="float32", rng=None) -> np.ndarray:
        rng = as_generator(self.seed if self.seed is not None else rng)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # refused below, by name
                values = np.asarray(self.draw(tuple(shape), rng), dtype=np.float64)
        except OverflowError:  # NumPy's uniform refuses a range wider than float64 holds
            values = np.full(1, np.inf)
        if not np.isfinite(values).all():
            raise ConfigError(f"{self!r}: draws values too large to be numbers (inf); use a "
                              "smaller range")
        within_range(values, f"{self!r} for a {np.dtype(dtype).name} weight", dtype,
                     ConfigError)
        return values.astype(dtype)

    def draw(self, shape, rng):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": _INITIALIZERS.resolve_name(type(self).__name__), "seed": self.seed}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    def draw(self, shape, rng):
        return np.zeros(shape)

    def get_config(self):
        return {"name": "zeros"}


class Ones(Initializer):
    def draw(self, shape, rng):
        return np.ones(shape)

    def get_config(self):
        return {"name": "ones"}


class Constant(Initializer):
    def __init__(self, value: float = 0.0):
        super().__init__()
        self.value = _number("Constant", "value", value)

    def draw(self, shape, rng):
        return np.full(shape, self.value)

    def get_config(self):
        return {"name": "constant", "value": self.value}


class RandomUniform(Initializer):
    """Uniform on [minval, maxval); Keras's default range is (-0.05, 0.05)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None):
        super().__init__(seed)
        self.minval = _number("RandomUniform", "minval", minval)
        self.maxval = _number("RandomUniform", "maxval", maxval)
        if self.minval >= self.maxval:
            raise ConfigError(f"RandomUniform: minval must be below maxval, got minval={minval!r}, "
                              f"maxval={maxval!r}")

    def draw(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {"name": "random_uniform", "minval": self.minval, "maxval": self.maxval,
                "seed": self.seed}


class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        super().__init__(seed)
        self.mean = _number("RandomNormal", "mean", mean)
        self.stddev = _number("RandomNormal", "stddev", stddev, positive=True)

    def draw(self, shape, rng):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"name": "random_normal", "mean": self.mean, "stddev": self.stddev,
                "seed": self.seed}


class GlorotUniform(Initializer):
    """Uniform on +-sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""

    def draw(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)


class HeUniform(Initializer):
    """Uniform on +-sqrt(6 / fan_in) (He et al., 2015)."""

    def draw(self, shape, rng):
        limit = math.sqrt(6.0 / _fans(shape)[0])
        return rng.uniform(-limit, limit, size=shape)


class HeNormal(Initializer):
    """Normal with stddev sqrt(2 / fan_in), truncated at two stddevs as Keras does."""

    def draw(self, shape, rng):
        stddev = math.sqrt(2.0 / _fans(shape)[0])
        values = rng.standard_normal(size=shape)
        outside = np.abs(values) > 2
        while outside.any():
            values[outside] = rng.standard_normal(size=int(outside.sum()))
            outside = np.abs(values) > 2
        return values * stddev


def _seed_uniform(minval=-1.0, maxval=1.0, seed=None) -> RandomUniform:
    """The seeds' ``2 * np.random.random(shape) - 1``: uniform on [-1, 1)."""
    return RandomUniform(minval, maxval, seed)


def _seed_rand(minval=0.0, maxval=1.0, seed=None) -> RandomUniform:
    """The seeds' ``np.random.rand(shape)``: uniform on [0, 1)."""
    return RandomUniform(minval, maxval, seed)


_INITIALIZERS = Registry(
    "initializer",
    {
        "zeros": Zeros,
        "ones": Ones,
        "constant": Constant,
        "uniform": _seed_uniform,
        "random_uniform": _seed_rand,
        "random_normal": RandomNormal,
        "glorot_uniform": GlorotUniform,
        "he_uniform": HeUniform,
        "he_normal": HeNormal,
    },
    base=Initializer,
    aliases={"rand": "random_uniform"},
)


def get(identifier) -> Initializer:
    """Resolve an initializer from a name, a number, a config dict, a class or an instance.

    The names 'uniform' (on [-1, 1)) and 'random_uniform' / 'rand' (on [0, 1)) are the seeds'
    draws; the class :class:`RandomUniform` keeps Keras's (-0.05, 0.05) default.
    """
    if isinstance(identifier, (int, float)) and not isinstance(identifier, bool):
        return Constant(identifier)
    return _INITIALIZERS.get(identifier)
