"""The ``Optimizer`` base class: flat state laid out like the model's parameters.

Each ``step`` updates every trainable weight in place with one kernel call
(:mod:`glassnet.kernels`); ``get_state`` / ``set_state`` save and resume it exactly.

Example
-------
>>> import numpy as np
>>> from glassnet.optimizers import SGD
>>> opt = SGD(0.1, momentum=0.9)
>>> p = np.zeros(3); opt.step(p, np.ones(3)); opt.iterations, sorted(opt.get_state())
(1, ['iterations', 'velocity'])
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from .._checks import number_in, positive_number

__all__ = ["Optimizer"]


class Optimizer:
    """Base class. Subclasses set ``_state_names`` and implement ``_update``."""

    _state_names: tuple[str, ...] = ()
    config_name = "optimizer"  # the registry's name, in get_config

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
        return {"name": self.config_name,
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
