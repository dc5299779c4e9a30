"""Optimizers on flat buffers: SGD (momentum, Nesterov), Adam and RMSprop, with Keras's defaults.

An optimizer's state (velocity, Adam's m and v) is one flat array per kind, laid out like the
model's parameters, and each ``step`` is one kernel call (see :mod:`glassnet.kernels`).
``weight_decay`` is an L2 penalty: ``weight_decay * p`` is added to every gradient. With the
numba kernels (the default where numba is installed) an update runs with subnormal floats
flushed to zero, as TensorFlow's kernels run (state that decays towards zero would otherwise
slow some CPUs 2.5x); ``glassnet.set_kernels('numpy')`` keeps IEEE arithmetic.

Example
-------
>>> import numpy as np
>>> from glassnet import optimizers
>>> opt = optimizers.get("sgd", learning_rate=0.5)
>>> p = np.array([0.40]); opt.step(p, np.array([0.082167041])); p.round(9)
array([0.35891648])
"""

from __future__ import annotations

import math

import numpy as np

from . import kernels
from ._checks import boolean, number_in, positive_number
from ._registry import Registry
from .errors import ConfigError

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "get"]


class Optimizer:
    """Base class. Subclasses set ``_state_names`` and implement ``_update``."""

    _state_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float, weight_decay: float | None = None):
        self.learning_rate = learning_rate
        self.weight_decay = number_in(0.0 if weight_decay is None else weight_decay,
                                      "weight_decay", 0.0)
        self.iterations = 0
        self.state: dict[str, np.ndarray] = {}
        self._scratch = None

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = positive_number(value, "learning_rate")

    def build(self, params: np.ndarray) -> None:
        """Allocate flat state for ``params`` (zeros), unless it already fits."""
        if self._scratch is not None and self._scratch.shape == params.shape:
            return
        self.state = {name: np.zeros_like(params) for name in self._state_names}
        self._scratch = np.empty_like(params)
        self.iterations = 0

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads`` (which the step may overwrite)."""
        if self._scratch is None or self._scratch.shape != params.shape:
            self.build(params)
        self.iterations += 1
        self._update(kernels.active(), params, grads)

    def _update(self, impl, params, grads) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": _OPTIMIZERS.resolve_name(type(self).__name__),
                "learning_rate": self.learning_rate, "weight_decay": self.weight_decay or None}

    def get_state(self) -> dict[str, np.ndarray]:
        """The flat state arrays and the step count (for saving and resuming)."""
        return {**{k: v.copy() for k, v in self.state.items()},
                "iterations": np.array(self.iterations, dtype=np.int64)}

    def set_state(self, state: dict[str, np.ndarray], params: np.ndarray) -> None:
        self.build(params)
        for name in self._state_names:
            np.copyto(self.state[name], state[name])
        self.iterations = int(state["iterations"])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, with Keras's momentum and Nesterov forms. Default learning rate 0.01."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None):
        super().__init__(learning_rate, weight_decay)
        self.momentum = number_in(momentum, "momentum", 0.0, 1.0)
        self.nesterov = boolean(nesterov, "SGD: nesterov")
        self._state_names = ("velocity",) if self.momentum else ()

    def _update(self, impl, params, grads):
        if self.momentum:
            impl.sgd_momentum(params, grads, self.state["velocity"], self.learning_rate,
                              self.momentum, self.nesterov, self.weight_decay, self._scratch)
        else:
            impl.sgd(params, grads, self.learning_rate, self.weight_decay, self._scratch)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma and Ba) with Keras's defaults: lr 0.001, betas 0.9 / 0.999, epsilon 1e-7."""

    _state_names = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None):
        super().__init__(learning_rate, weight_decay)
        self.beta_1 = number_in(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = number_in(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = positive_number(epsilon, "epsilon")

    def _update(self, impl, params, grads):
        t = self.iterations
        lr_t = self.learning_rate * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        impl.adam(params, grads, self.state["m"], self.state["v"], lr_t, self.beta_1,
                  self.beta_2, self.epsilon, self.weight_decay, self._scratch)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 weight_decay=None):
        super().__init__(learning_rate, weight_decay)
        self.rho = number_in(rho, "rho", 0.0, 1.0, high_open=True)
        self.momentum = number_in(momentum, "momentum", 0.0, 1.0)
        self.epsilon = positive_number(epsilon, "epsilon")
        self._state_names = ("v", "velocity") if self.momentum else ("v",)

    def _update(self, impl, params, grads):
        impl.rmsprop(params, grads, self.state["v"], self.state.get("velocity"),
                     self.learning_rate, self.rho, self.momentum, self.epsilon,
                     self.weight_decay, self._scratch)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon}


_OPTIMIZERS = Registry("optimizer", {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop},
                       base=Optimizer)


def get(identifier, **overrides) -> Optimizer:
    """Resolve an optimizer from a name ('sgd', 'adam', 'rmsprop'), a config dict or an instance.

    Keyword arguments (``learning_rate=...``) apply when a name is given.
    """
    if "lr" in overrides:
        raise ConfigError("optimizers.get: the learning rate is called learning_rate, not lr "
                          "(as in current Keras); pass learning_rate=...")
    return _OPTIMIZERS.get(identifier, **overrides)
