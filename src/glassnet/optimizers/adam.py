"""``Adam`` (Kingma and Ba) with Keras's defaults and bias correction, ``amsgrad``, and
``AdamW`` (Adam with Keras's decoupled weight decay, 0.004 by default).

Example
-------
>>> import numpy as np
>>> p = np.zeros(2); Adam(0.1).step(p, np.array([1.0, -2.0])); p.round(6)
array([-0.1,  0.1])
>>> p = np.ones(2); AdamW(0.1, weight_decay=0.5).step(p, np.array([1.0, -2.0])); p.round(6)
array([0.85, 1.05])
"""

from __future__ import annotations

import math

from .._checks import boolean, number_in, positive_number
from ..errors import ConfigError
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam with Keras's defaults: lr 0.001, betas 0.9 / 0.999, epsilon 1e-7, no amsgrad."""

    config_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = number_in(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = number_in(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = positive_number(epsilon, "epsilon")
        self.amsgrad = boolean(amsgrad, f"{type(self).__name__}: amsgrad")
        self._state_names = ("m", "v", "v_hat") if self.amsgrad else ("m", "v")

    def _update(self, impl, params, grads, lr, decay):
        t = self.iterations
        lr_t = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        if self.amsgrad:
            impl.amsgrad(params, grads, self.state["m"], self.state["v"], self.state["v_hat"],
                         lr_t, self.beta_1, self.beta_2, self.epsilon, decay, self._scratch)
        else:
            impl.adam(params, grads, self.state["m"], self.state["v"], lr_t, self.beta_1,
                      self.beta_2, self.epsilon, decay, self._scratch)

    def _keras_passes(self):
        return [["m", "v"], ["v_hat"]] if self.amsgrad else [["m", "v"]]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): Keras's ``AdamW``, whose
    ``weight_decay`` defaults to 0.004 and must be a number."""

    config_name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ConfigError("AdamW: Argument `weight_decay` must be a float. Received: "
                              "weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, **kwargs)
