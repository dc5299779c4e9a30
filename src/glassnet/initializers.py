"""Weight initializers: Keras 3's classes, names and formulas, plus the seeds' uniform(-1, 1).

An initializer is called as ``init(shape, dtype, rng)`` (Keras's ``init(shape, dtype)`` works
too). It draws in float64 and casts, so a float32 and a float64 model built from one seed hold
the same weights up to rounding. An initializer given its own ``seed`` ignores ``rng`` and draws
the same values every time (as Keras's seeded initializers do).

``VarianceScaling(scale, mode, distribution)`` is Keras's: the variance ``scale / n`` with n the
fan-in, fan-out or their mean; 'truncated_normal' draws a normal cut at two standard deviations
(redrawn), its stddev divided by Keras's 0.87962566103423978 so the variance stays ``scale / n``;
'uniform' draws on +-sqrt(3 scale / n). Glorot, He and LeCun are its named cases.

Names: every class by its Keras name ('GlorotNormal') and snake case ('glorot_normal'), with
Keras's aliases 'normal', 'zero', 'one'. Two names keep the seeds' meaning: 'uniform' draws on
[-1, 1) (Keras: RandomUniform's +-0.05) and 'rand' on [0, 1).

Example
-------
>>> from glassnet import initializers
>>> initializers.get("zeros")((2,), "float32", None)
array([0., 0.], dtype=float32)
>>> w = initializers.get("uniform")((3, 4), "float64", None)   # the seeds' 2 * rand - 1
>>> bool((w >= -1).all() and (w < 1).all())
True
>>> initializers.Constant([1.0, 2.0])((2, 2)).tolist()
[[1.0, 2.0], [1.0, 2.0]]
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
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "constant",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]

TRUNCATION = 0.87962566103423978  # stddev of a unit normal truncated at +-2, Keras's constant


def _number(owner: str, name: str, value, positive: bool = False) -> float:
    """``value`` as a finite float (> 0 if ``positive``), or a ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or (positive and value <= 0):
        need = "a finite number > 0" if positive else "a finite number"
        raise ConfigError(f"{owner}: {name} must be {need}, got {value!r}")
    return float(value)


def _fans(shape) -> tuple[int, int]:
    """Keras's compute_fans: (fan_in, fan_out); kernels of rank > 2 count the receptive field."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(rng, shape) -> np.ndarray:
    """Unit normals, any beyond two standard deviations drawn again (Keras's truncation)."""
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2
    return values


class Initializer:
    """Base class; subclasses implement ``draw(shape, rng)`` returning float64 values."""

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(
                seed, (int, np.integer, np.random.Generator, np.random.RandomState))):
            raise ConfigError(f"{type(self).__name__}: seed must be an int or None, got "
                              f"{seed!r}")
        self.seed = seed

    def __call__(self, shape, dtype="float32", rng=None) -> np.ndarray:
        dtype = "float32" if dtype is None else dtype
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

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("name", None)
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

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
    """Every weight ``value``; an array (nested lists) is broadcast to the weight's shape."""

    def __init__(self, value=0.0):
        super().__init__()
        if isinstance(value, (list, tuple, np.ndarray)):
            array = np.asarray(value)
            if array.dtype.kind not in "iuf" or not np.isfinite(array).all():
                raise ConfigError(f"Constant: value must hold finite numbers, got {value!r}")
            self.value = array.astype(np.float64)
        else:
            self.value = _number("Constant", "value", value)

    def draw(self, shape, rng):
        try:
            return np.broadcast_to(self.value, shape).copy()
        except ValueError:
            raise ConfigError(f"Constant: a value of shape {np.shape(self.value)} cannot fill a "
                              f"weight of shape {shape}") from None

    def get_config(self):
        value = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return {"name": "constant", "value": value}


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
    """Normal with Keras's defaults mean 0, stddev 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        super().__init__(seed)
        self.mean = _number(type(self).__name__, "mean", mean)
        self.stddev = _number(type(self).__name__, "stddev", stddev, positive=True)

    def draw(self, shape, rng):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"name": _INITIALIZERS.resolve_name(type(self).__name__), "mean": self.mean,
                "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Normal (mean 0, stddev 0.05 by default) with draws beyond two stddevs drawn again."""

    def draw(self, shape, rng):
        return self.mean + self.stddev * _truncated_normal(rng, shape)


class VarianceScaling(Initializer):
    """Keras's VarianceScaling: variance ``scale / n``, n by ``mode`` ('fan_in', 'fan_out',
    'fan_avg'), drawn from ``distribution`` ('truncated_normal', 'untruncated_normal',
    'uniform'; 'normal' means 'truncated_normal', as in Keras)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        self.scale = _number("VarianceScaling", "scale", scale, positive=True)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ConfigError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                              f"got {mode!r}")
        distribution = distribution.lower() if isinstance(distribution, str) else distribution
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ConfigError("VarianceScaling: distribution must be 'truncated_normal', "
                              f"'untruncated_normal' or 'uniform', got {distribution!r}")
        self.mode, self.distribution = mode, distribution

    def _variance(self, shape) -> float:
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, n)

    def draw(self, shape, rng):
        variance = self._variance(shape)
        if self.distribution == "truncated_normal":
            return math.sqrt(variance) / TRUNCATION * _truncated_normal(rng, shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), size=shape)
        limit = math.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, size=shape)

    def get_config(self):
        return {"name": "variance_scaling", "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "seed": self.seed}


class _Named(VarianceScaling):
    """A VarianceScaling with fixed arguments (Glorot, He, LeCun); config: the seed."""

    _args = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        super().__init__(*self._args, seed=seed)

    def get_config(self):
        return Initializer.get_config(self)


class GlorotUniform(_Named):
    """Uniform on +-sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""

    _args = (1.0, "fan_avg", "uniform")

    def draw(self, shape, rng):  # written as before, so seeded weights stay bit for bit
        fan_in, fan_out = _fans(shape)
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=shape)


class GlorotNormal(_Named):
    """Truncated normal with variance 2 / (fan_in + fan_out)."""

    _args = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Named):
    """Uniform on +-sqrt(6 / fan_in) (He et al., 2015)."""

    _args = (2.0, "fan_in", "uniform")

    def draw(self, shape, rng):  # written as before, so seeded weights stay bit for bit
        limit = math.sqrt(6.0 / _fans(shape)[0])
        return rng.uniform(-limit, limit, size=shape)


class HeNormal(_Named):
    """Truncated normal with variance 2 / fan_in (He et al., 2015)."""

    _args = (2.0, "fan_in", "truncated_normal")


class LecunNormal(_Named):
    """Truncated normal with variance 1 / fan_in (for selu networks)."""

    _args = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Named):
    """Uniform on +-sqrt(3 / fan_in)."""

    _args = (1.0, "fan_in", "uniform")


class Orthogonal(Initializer):
    """An orthogonal matrix (rows or columns orthonormal) times ``gain``, from the QR of a
    normal draw with Keras's sign fix; higher ranks are flattened to (prod(shape[:-1]), last)."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = _number("Orthogonal", "gain", gain)

    def draw(self, shape, rng):
        if len(shape) < 2:
            raise ConfigError(f"Orthogonal: the weight must have at least 2 dimensions, got "
                              f"shape {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
        q *= np.sign(np.diag(r))
        return self.gain * (q.T if rows < cols else q).reshape(shape)

    def get_config(self):
        return {"name": "orthogonal", "gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D weights only; rectangular ones get ones on the
    diagonal)."""

    def __init__(self, gain=1.0):
        super().__init__()
        self.gain = _number("Identity", "gain", gain)

    def draw(self, shape, rng):
        if len(shape) != 2:
            raise ConfigError(f"Identity: the weight must be 2-D, got shape {shape}")
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"name": "identity", "gain": self.gain}


def _seed_uniform(minval=-1.0, maxval=1.0, seed=None) -> RandomUniform:
    """The seeds' ``2 * np.random.random(shape) - 1``: uniform on [-1, 1)."""
    return RandomUniform(minval, maxval, seed)


def _seed_rand(minval=0.0, maxval=1.0, seed=None) -> RandomUniform:
    """The seeds' ``np.random.rand(shape)``: uniform on [0, 1)."""
    return RandomUniform(minval, maxval, seed)


_CLASSES = (Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunNormal,
            LecunUniform, Orthogonal, Identity)
_SNAKE = {"GlorotUniform": "glorot_uniform", "GlorotNormal": "glorot_normal",
          "HeUniform": "he_uniform", "HeNormal": "he_normal", "LecunNormal": "lecun_normal",
          "LecunUniform": "lecun_uniform", "RandomUniform": "random_uniform",
          "RandomNormal": "random_normal", "TruncatedNormal": "truncated_normal",
          "VarianceScaling": "variance_scaling"}
_INITIALIZERS = Registry(
    "initializer",
    {**{_SNAKE.get(c.__name__, c.__name__.lower()): c for c in _CLASSES},
     "uniform": _seed_uniform, "rand": _seed_rand},
    base=Initializer,
    aliases={"normal": "random_normal", "zero": "zeros", "one": "ones",
             "IdentityInitializer": "identity", "OrthogonalInitializer": "orthogonal"},
)


def get(identifier) -> Initializer:
    """Resolve an initializer from a name, a number, a config dict, a class or an instance.

    The names 'uniform' (on [-1, 1)) and 'rand' (on [0, 1)) are the seeds' draws; the class
    :class:`RandomUniform` and its name 'random_uniform' keep Keras's (-0.05, 0.05) default.
    None is what Keras 3's ``add_weight`` then draws from: glorot_uniform (so a layer's
    ``bias_initializer=None`` gives Glorot-uniform biases, as in Keras).
    """
    if identifier is None:
        return GlorotUniform()
    if isinstance(identifier, (int, float)) and not isinstance(identifier, bool):
        return Constant(identifier)
    if isinstance(identifier, np.ndarray):
        return Constant(identifier)
    return _INITIALIZERS.get(identifier)


# Keras's lowercase aliases of the classes (keras.initializers.he_normal(seed=1) is HeNormal).
constant, ones, zeros, identity, orthogonal = Constant, Ones, Zeros, Identity, Orthogonal
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, \
    HeUniform
lecun_normal, lecun_uniform, variance_scaling = LecunNormal, LecunUniform, VarianceScaling
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
