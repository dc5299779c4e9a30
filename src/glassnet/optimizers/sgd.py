"""``SGD``: gradient descent, plain, with momentum or Nesterov (Keras's forms).

Example
-------
>>> import numpy as np
>>> p = np.array([0.40]); SGD(0.5).step(p, np.array([0.082167041])); p.round(9)
array([0.35891648])
"""

from __future__ import annotations

from .._checks import boolean, number_in
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent, with Keras's momentum and Nesterov forms. Default learning rate 0.01."""

    config_name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = number_in(momentum, "momentum", 0.0, 1.0)
        self.nesterov = boolean(nesterov, "SGD: nesterov")
        self._state_names = ("velocity",) if self.momentum else ()

    def _update(self, impl, params, grads, lr, decay):
        if self.momentum:
            impl.sgd_momentum(params, grads, self.state["velocity"], lr, self.momentum,
                              self.nesterov, decay, self._scratch)
        else:
            impl.sgd(params, grads, lr, decay, self._scratch)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
