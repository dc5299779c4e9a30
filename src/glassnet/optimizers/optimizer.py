"""The ``Optimizer`` base class: flat state laid out like the model's parameters.

Each ``step`` updates every trainable weight in place with one kernel call
(:mod:`glassnet.kernels`); ``get_state`` / ``set_state`` save and resume it exactly. The
options every Keras 3 optimizer has work as there, in Keras's order within a step: the
gradients are clipped (``clipnorm`` per weight array, ``global_clipnorm`` over all of them, or
``clipvalue`` per element), the weights decay (``weight_decay``, decoupled: ``p -= p * lr *
weight_decay``, inside the update kernel), the update runs, then ``use_ema`` keeps a moving
average of the weights (copied into them every ``ema_overwrite_frequency`` steps, and at the
end of ``fit``). ``learning_rate`` may be a number (0 allowed) or a schedule
(:mod:`glassnet.optimizers.schedules`), called with the step count before each step.

Example
-------
>>> import numpy as np
>>> from glassnet.optimizers import SGD
>>> opt = SGD(0.1, momentum=0.9)
>>> p = np.zeros(3); opt.step(p, np.ones(3)); opt.iterations, sorted(opt.get_state())
(1, ['iterations', 'velocity'])
>>> opt = SGD(1.0, clipnorm=1.0); p = np.zeros(2); opt.step(p, np.array([3.0, 4.0])); p
array([-0.6, -0.8])
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from .. import kernels
from .._aligned import aligned_empty, aligned_zeros
from .._checks import boolean, number_in, positive_int
from ..errors import ConfigError
from . import schedules

__all__ = ["Optimizer"]

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


def _optional_number(value, name: str):
    return None if value is None else number_in(value, name, 0.0)


class Optimizer:
    """Base class. Subclasses set ``_state_names`` and implement ``_update``."""

    _state_names: tuple[str, ...] = ()
    config_name = "optimizer"  # the registry's name, in get_config

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        update = cls.__dict__.get("_update")
        if update is not None and len(inspect.signature(update).parameters) == 4:
            # a subclass written before schedules: _update(self, impl, params, grads)
            def _update(self, impl, params, grads, lr, decay, _written=update):
                _written(self, impl, params, grads)

            cls._update = _update

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        owner = type(self).__name__
        if kwargs.pop("decay", None) is not None:
            raise ConfigError(f"{owner}: argument decay is no longer supported (as in Keras 3); "
                              "use a learning-rate schedule from glassnet.optimizers.schedules")
        if kwargs:  # as Python words it, so that optimizers.get names the optimizer too
            raise TypeError(f"{owner}.__init__() got an unexpected keyword argument "
                            f"{sorted(kwargs)[0]!r}")
        self.name = self.config_name if name is None else str(name)
        self._schedule = None
        self.learning_rate = learning_rate
        self.weight_decay = _optional_number(weight_decay, "weight_decay")
        self.clipnorm = _optional_number(clipnorm, "clipnorm")
        self.clipvalue = _optional_number(clipvalue, "clipvalue")
        self.global_clipnorm = _optional_number(global_clipnorm, "global_clipnorm")
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ConfigError(f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can "
                              f"be set; got clipnorm={clipnorm}, clipvalue={clipvalue}, "
                              f"global_clipnorm={global_clipnorm}")
        self.use_ema = boolean(use_ema, f"{owner}: use_ema")
        self.ema_momentum = number_in(ema_momentum, "ema_momentum", 0.0, 1.0)
        self.ema_overwrite_frequency = positive_int(
            ema_overwrite_frequency or None, "ema_overwrite_frequency", allow_none=True)
        for key, value in (("loss_scale_factor", loss_scale_factor),
                           ("gradient_accumulation_steps", gradient_accumulation_steps)):
            if value is not None:
                raise ConfigError(f"{owner}: {key} is not supported by glassnet (float32 and "
                                  "float64 need no loss scaling); leave it None")
        self.loss_scale_factor = self.gradient_accumulation_steps = None
        self.iterations = 0
        self.state: dict[str, np.ndarray] = {}
        self._scratch = None
        self._segments: list[tuple[int, int]] | None = None

    # -- the learning rate -----------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The rate of the next step (a schedule's value at ``iterations``)."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, dict):  # a saved schedule (get_config)
            value = schedules.deserialize(value)
        if isinstance(value, schedules.LearningRateSchedule):
            self._schedule, self._learning_rate = value, None
            return
        if self._schedule is not None:
            raise ConfigError("This optimizer was created with a LearningRateSchedule as its "
                              "learning_rate, hence its learning rate is not settable; create "
                              "the optimizer with a number to set it")
        if callable(value) and not isinstance(value, (int, float)):
            raise ConfigError("learning_rate must be a number >= 0 or a "
                              "glassnet.optimizers.schedules.LearningRateSchedule, got "
                              f"{value!r}")
        self._learning_rate = number_in(value, "learning_rate", 0.0)

    @property
    def _plain(self) -> bool:
        """No clipping, decay, moving average or schedule: the step is the kernel alone."""
        return (self._schedule is None and not self.weight_decay and not self.use_ema
                and not self.clipnorm and not self.clipvalue and not self.global_clipnorm)

    # -- building and stepping -------------------------------------------------------------
    def build(self, params: np.ndarray, segments=None) -> None:
        """Allocate flat state for ``params`` (zeros), unless it already fits. ``segments``:
        the (start, stop) of each weight array in ``params`` (for ``clipnorm``)."""
        if segments is not None:
            self._segments = [(int(a), int(b)) for a, b in segments]
        if self._scratch is not None and self._scratch.shape == params.shape:
            return
        self.state = {name: self._initial(name, params) for name in self._all_state_names()}
        self._scratch = aligned_empty(params.size, params.dtype).reshape(params.shape)
        self.iterations = 0

    def _all_state_names(self) -> tuple[str, ...]:
        return (*self._state_names, "average") if self.use_ema else self._state_names

    def _initial(self, name: str, params: np.ndarray) -> np.ndarray:
        return aligned_zeros(params.size, params.dtype).reshape(params.shape)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads`` (which the step may overwrite)."""
        if self._scratch is None or self._scratch.shape != params.shape:
            self.build(params)
        if self._plain:
            self.iterations += 1
            self._update(kernels.active(), params, grads, self._learning_rate, 0.0)
            return
        lr = self.learning_rate
        self._clip(grads)
        self.iterations += 1
        self._update(kernels.active(), params, grads, lr, lr * (self.weight_decay or 0.0))
        if self.use_ema:
            self._moving_average(params)

    def _update(self, impl, params, grads, lr, decay) -> None:
        raise NotImplementedError

    def _clip(self, grads: np.ndarray) -> None:
        if self.clipnorm:
            for a, b in self._segments or [(0, grads.size)]:
                part = grads[a:b]
                norm = math.sqrt(float(np.dot(part, part)))
                part *= self.clipnorm / max(norm, self.clipnorm)
        elif self.global_clipnorm:
            norm = math.sqrt(float(np.dot(grads, grads)))
            clip = self.global_clipnorm
            grads *= clip * min(1.0 / norm, 1.0 / clip) if norm else 1.0
        elif self.clipvalue:
            np.clip(grads, -self.clipvalue, self.clipvalue, out=grads)

    def _moving_average(self, params: np.ndarray) -> None:
        average = self.state["average"]
        momentum = self.ema_momentum if self.iterations > 1 else 0.0
        average *= momentum
        average += (1.0 - momentum) * params
        if self.ema_overwrite_frequency and self.iterations % self.ema_overwrite_frequency == 0:
            np.copyto(params, average)

    def finalize_variable_values(self, params: np.ndarray) -> None:
        """With ``use_ema``, copy the moving average into ``params`` (``fit`` calls this after
        its last epoch, as Keras does)."""
        if self.use_ema and "average" in self.state and self.iterations \
                and self.state["average"].shape == params.shape:
            np.copyto(params, self.state["average"])

    # -- Keras's variables (its .weights.h5 files) ------------------------------------------
    def _keras_passes(self) -> list[list[str]]:
        """State names in Keras's variable order: one list per pass over the weights (Keras
        interleaves the names of one pass weight by weight)."""
        return [list(self._state_names)] if self._state_names else []

    def _keras_slots(self) -> list[list[str]]:
        return ([["average"]] if self.use_ema else []) + self._keras_passes()

    def _keras_scalars(self) -> list[float]:
        """Keras's scalar variables after the per-weight ones (Nadam's momentum product)."""
        return []

    # -- configuration and state -----------------------------------------------------------
    def get_config(self) -> dict:
        lr = (schedules.serialize(self._schedule) if self._schedule is not None
              else self._learning_rate)
        return {"name": self.config_name, "learning_rate": lr,
                **{key: getattr(self, key) for key in _BASE_DEFAULTS}}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("name", None)
        return cls(**config)

    def get_state(self) -> dict[str, np.ndarray]:
        """The flat state arrays and the step count (for saving and resuming)."""
        return {**{k: v.copy() for k, v in self.state.items()},
                "iterations": np.array(self.iterations, dtype=np.int64)}

    def set_state(self, state: dict[str, np.ndarray], params: np.ndarray) -> None:
        self.build(params)
        for name in self._all_state_names():
            np.copyto(self.state[name], state[name])
        self.iterations = int(state["iterations"])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items()
                         if k != "name" and _BASE_DEFAULTS.get(k, not v) != v)
        return f"{type(self).__name__}({args})"
