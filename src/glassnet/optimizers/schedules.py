"""Learning-rate schedules (``keras.optimizers.schedules``): the rate as a function of the step.

Give one as an optimizer's ``learning_rate``: each step the optimizer calls it with its
iteration count before the step (0 for the first step), as Keras does, and
``optimizer.learning_rate`` reads the current value. Each schedule has Keras's arguments,
defaults and formula, and ``get_config`` / ``from_config``; a user's own subclass of
:class:`LearningRateSchedule` (``__call__(step)`` and ``get_config``) works the same way and is
saved with the optimizer when it is registered with :func:`register` (or passed in
``custom_objects``-style to :func:`deserialize`).

Example
-------
>>> from glassnet.optimizers import schedules, SGD
>>> lr = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(lr(10), 6), round(lr(15), 6)
(0.05, 0.035355)
>>> opt = SGD(learning_rate=lr); opt.learning_rate
0.1
"""

from __future__ import annotations

import math

from .._checks import boolean, number_in
from ..errors import ConfigError

__all__ = [
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "deserialize",
    "register",
    "serialize",
]


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` (a float) and ``get_config``."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"

    def _decaying(self, initial_learning_rate, decay_steps, name, steps_name="decay_steps"):
        """Keep and check the arguments every decay shares."""
        owner = type(self).__name__
        _rate(initial_learning_rate, "initial_learning_rate", owner)
        self.initial_learning_rate = initial_learning_rate
        setattr(self, steps_name, _steps(decay_steps, steps_name, owner))
        self.name = name
        return owner


def _steps(value, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or not math.isfinite(value):
        raise ConfigError(f"{owner}: Argument `{name}` must be > 0. Received: {name}={value!r}")
    return value


def _rate(value, name: str, owner: str) -> float:
    return number_in(value, f"{owner}: {name}", -math.inf)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored: ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        owner = self._decaying(initial_learning_rate, decay_steps, name)
        self.decay_rate = decay_rate
        _rate(decay_rate, "decay_rate", owner)
        self.staircase = boolean(staircase, f"{owner}: staircase")

    def _p(self, step):
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._p(step)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(ExponentialDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored: staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / (1 + self.decay_rate * self._p(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including step ``boundaries[0]``, ``values[1]`` up to
    ``boundaries[1]``, ..., ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)) \
                or len(boundaries) != len(values) - 1:
            raise ConfigError(
                "PiecewiseConstantDecay: The length of boundaries should be 1 less than the "
                f"length of values. Received: boundaries={boundaries!r}, values={values!r}.")
        for b in boundaries:
            number_in(b, "PiecewiseConstantDecay: each boundary", -math.inf)
        for v in values:
            number_in(v, "PiecewiseConstantDecay: each value", -math.inf)
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values, strict=False):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps`` along
    ``(1 - step / decay_steps) ** power``; ``cycle`` restarts at each multiple."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        owner = self._decaying(initial_learning_rate, decay_steps, name)
        self.end_learning_rate = end_learning_rate
        _rate(end_learning_rate, "end_learning_rate", owner)
        self.power = power
        _rate(power, "power", owner)
        self.cycle = boolean(cycle, f"{owner}: cycle")

    def __call__(self, step):
        decay_steps = self.decay_steps
        if self.cycle:
            decay_steps = decay_steps * (1.0 if step == 0 else math.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        p = step / decay_steps
        return ((self.initial_learning_rate - self.end_learning_rate) * (1 - p) ** self.power
                + self.end_learning_rate)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the rate to ``alpha`` times it over ``decay_steps``; with
    ``warmup_target``, first a linear warmup from ``initial_learning_rate`` to it over
    ``warmup_steps``, then the decay from ``warmup_target``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        owner = self._decaying(initial_learning_rate, decay_steps, name)
        self.alpha = alpha
        _rate(alpha, "alpha", owner)
        self.warmup_steps = warmup_steps
        number_in(warmup_steps, f"{owner}: warmup_steps", 0)
        self.warmup_target = warmup_target
        if warmup_target is not None:
            _rate(warmup_target, "warmup_target", owner)

    def _decay(self, step, start):
        decayed = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1 - self.alpha) * decayed + self.alpha)

    def __call__(self, step):
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return delta * (step / self.warmup_steps) + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of ``first_decay_steps`` times
    ``t_mul`` to the restart number, the peak times ``m_mul`` at each restart."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        owner = self._decaying(initial_learning_rate, first_decay_steps, name,
                               "first_decay_steps")
        self._t_mul = number_in(t_mul, f"{owner}: t_mul", 0, low_open=True)
        self._m_mul = _rate(m_mul, "m_mul", owner)
        self.alpha = alpha
        _rate(alpha, "alpha", owner)

    def __call__(self, step):
        fraction = step / self.first_decay_steps
        t_mul = self._t_mul
        if t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:
            restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            done = (1.0 - t_mul**restart) / (1.0 - t_mul)
            fraction = (fraction - done) / t_mul**restart
        cosine = 0.5 * self._m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
    CosineDecayRestarts)}


def register(cls):
    """Make a user's ``LearningRateSchedule`` subclass loadable by its class name (a
    decorator); returns ``cls``."""
    if not (isinstance(cls, type) and issubclass(cls, LearningRateSchedule)):
        raise ConfigError(f"schedules.register: needs a LearningRateSchedule subclass, got "
                          f"{cls!r}")
    _SCHEDULES[cls.__name__] = cls
    return cls


def serialize(schedule) -> dict:
    """Keras's form: ``{'module', 'class_name', 'config', 'registered_name'}``."""
    builtin = type(schedule).__name__ in _SCHEDULES and \
        _SCHEDULES[type(schedule).__name__] is type(schedule) and \
        type(schedule).__module__ == __name__
    return {"module": "keras.optimizers.schedules" if builtin else type(schedule).__module__,
            "class_name": type(schedule).__name__, "config": schedule.get_config(),
            "registered_name": None if builtin else type(schedule).__name__}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    """A schedule from :func:`serialize`'s dict (``custom_objects``: name -> class)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ConfigError(f"a learning-rate schedule config needs 'class_name' and 'config', "
                          f"got {config!r}")
    known = {**_SCHEDULES, **(custom_objects or {})}
    name = config["class_name"]
    cls = known.get(name) or known.get(config.get("registered_name") or "")
    if cls is None:
        raise ConfigError(f"unknown learning-rate schedule {name!r}; glassnet has "
                          f"{', '.join(sorted(_SCHEDULES))} (register your own class with "
                          "glassnet.optimizers.schedules.register)")
    try:
        return cls.from_config(dict(config.get("config") or {}))
    except TypeError as exc:
        raise ConfigError(f"bad {name} config {config.get('config')!r}: {exc}") from None
