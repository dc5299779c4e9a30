"""``RMSprop`` with Keras 3's defaults (rho 0.9, epsilon 1e-7), optionally with momentum and
``centered``. As in Keras 3, epsilon sits inside the square root: ``lr g / sqrt(v + eps)``.

Example
-------
>>> import numpy as np
>>> p = np.zeros(1); RMSprop(0.01).step(p, np.array([2.0])); p.round(4)
array([-0.0316])
"""

from __future__ import annotations

from .._checks import boolean, number_in, positive_number
from .optimizer import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7."""

    config_name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = number_in(rho, "rho", 0.0, 1.0, high_open=True)
        self.momentum = number_in(momentum, "momentum", 0.0, 1.0)
        self.epsilon = positive_number(epsilon, "epsilon")
        self.centered = boolean(centered, "RMSprop: centered")
        self._state_names = ("v", *(("velocity",) if self.momentum else ()),
                             *(("average_gradient",) if self.centered else ()))

    def _update(self, impl, params, grads, lr, decay):
        impl.rmsprop(params, grads, self.state["v"], self.state.get("velocity"),
                     self.state.get("average_gradient"), lr, self.rho, self.momentum,
                     self.epsilon, decay, self._scratch)

    def _keras_passes(self):
        return [[name] for name in self._state_names]

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
