"""``Adagrad`` and ``Adadelta`` with Keras 3's defaults and formulas.

Example
-------
>>> import numpy as np
>>> p = np.zeros(1); Adagrad(0.1).step(p, np.array([2.0])); p.round(6)
array([-0.098773])
>>> p = np.zeros(1); Adadelta(1.0).step(p, np.array([2.0])); p.round(6)
array([-0.001414])
"""

from __future__ import annotations

import numpy as np

from .._checks import number_in, positive_number
from .optimizer import Optimizer

__all__ = ["Adadelta", "Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: ``acc += g^2; p -= lr g / sqrt(acc + eps)``; lr 0.001,
    ``initial_accumulator_value`` 0.1, epsilon 1e-7 (Keras's defaults)."""

    config_name = "adagrad"
    _state_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = number_in(initial_accumulator_value,
                                                   "initial_accumulator_value", 0.0)
        self.epsilon = positive_number(epsilon, "epsilon")

    def _initial(self, name, params):
        if name == "accumulator":
            return np.full_like(params, self.initial_accumulator_value)
        return super()._initial(name, params)

    def _update(self, impl, params, grads, lr, decay):
        impl.adagrad(params, grads, self.state["accumulator"], lr, self.epsilon, decay,
                     self._scratch)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """Adadelta (Zeiler): steps scaled by the RMS of past steps over the RMS of gradients, times
    ``learning_rate``; lr 0.001, rho 0.95, epsilon 1e-7 (Keras's defaults)."""

    config_name = "adadelta"
    _state_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = number_in(rho, "rho", 0.0, 1.0)
        self.epsilon = positive_number(epsilon, "epsilon")

    def _update(self, impl, params, grads, lr, decay):
        impl.adadelta(params, grads, self.state["accumulated_grad"],
                      self.state["accumulated_delta_var"], lr, self.rho, self.epsilon, decay,
                      self._scratch)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
