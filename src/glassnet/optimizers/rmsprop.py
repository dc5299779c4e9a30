"""``RMSprop`` with Keras's defaults (rho 0.9, epsilon 1e-7), optionally with momentum.

Example
-------
>>> import numpy as np
>>> p = np.zeros(1); RMSprop(0.01).step(p, np.array([2.0])); p.round(4)
array([-0.0316])
"""

from __future__ import annotations

from .._checks import number_in, positive_number
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7."""

    config_name = "rmsprop"

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
