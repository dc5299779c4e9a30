"""``Adam`` (Kingma and Ba) with Keras's defaults and bias correction.

Example
-------
>>> import numpy as np
>>> p = np.zeros(2); Adam(0.1).step(p, np.array([1.0, -2.0])); p.round(6)
array([-0.1,  0.1])
"""

from __future__ import annotations

import math

from .._checks import number_in, positive_number
from .optimizer import Optimizer

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma and Ba) with Keras's defaults: lr 0.001, betas 0.9 / 0.999, epsilon 1e-7."""

    config_name = "adam"

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
