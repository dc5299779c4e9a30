"""``Adamax`` (Adam under the infinity norm), ``Nadam`` (Adam with Nesterov momentum, Keras's
momentum schedule) and ``Lion`` (the sign of an interpolated momentum), with Keras 3's
defaults and formulas.

Example
-------
>>> import numpy as np
>>> p = np.zeros(1); Adamax(0.1).step(p, np.array([2.0])); p.round(6)
array([-0.1])
>>> p = np.zeros(1); Lion(0.1).step(p, np.array([-2.0])); p
array([0.1])
"""

from __future__ import annotations

from .._checks import number_in, positive_number
from ..errors import ConfigError
from .optimizer import Optimizer

__all__ = ["Adamax", "Lion", "Nadam"]


class _Betas(Optimizer):
    def __init__(self, learning_rate, beta_1, beta_2, epsilon, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = number_in(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = number_in(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = positive_number(epsilon, "epsilon")

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adamax(_Betas):
    """``m += (g - m)(1 - b1); u = max(b2 u, |g|); p -= lr m / ((1 - b1^t)(u + eps))``; lr
    0.001, betas 0.9 / 0.999, epsilon 1e-7 (Keras's defaults)."""

    config_name = "adamax"
    _state_names = ("m", "u")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)

    def _update(self, impl, params, grads, lr, decay):
        lr_t = lr / (1 - self.beta_1**self.iterations)
        impl.adamax(params, grads, self.state["m"], self.state["u"], lr_t, self.beta_1,
                    self.beta_2, self.epsilon, decay, self._scratch)


class Nadam(_Betas):
    """Nadam as Keras 3 writes it (Dozat's momentum schedule ``u_t = b1 (1 - 0.5 * 0.96^t)``);
    lr 0.001, betas 0.9 / 0.999, epsilon 1e-7."""

    config_name = "nadam"
    _state_names = ("m", "v")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self._products = [1.0]  # prod of u_1 .. u_t, by t

    def _u(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)

    def _u_product(self, t: int) -> float:
        products = self._products
        while len(products) <= t:
            products.append(products[-1] * self._u(len(products)))
        return products[t]

    def _keras_scalars(self):
        return [self._u_product(self.iterations)]

    def _update(self, impl, params, grads, lr, decay):
        t = self.iterations
        u_t, u_next, product = self._u(t), self._u(t + 1), self._u_product(t)
        c_m = u_next / (1 - product * u_next)
        c_g = (1 - u_t) / (1 - product)
        c_v = 1 / (1 - self.beta_2**t)
        impl.nadam(params, grads, self.state["m"], self.state["v"], lr, c_m, c_g, c_v,
                   self.beta_1, self.beta_2, self.epsilon, decay, self._scratch)


class Lion(Optimizer):
    """Lion (Chen et al.): ``p -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g``; lr
    0.001, betas 0.9 / 0.99 (Keras's defaults)."""

    config_name = "lion"
    _state_names = ("m",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if isinstance(beta_1, (int, float)) and not 0 < beta_1 <= 1:
            raise ConfigError("Lion: Argument `beta_1` must be in the [0, 1] range. Otherwise, "
                              f"the optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1 = number_in(beta_1, "beta_1", 0.0, 1.0, low_open=True)
        self.beta_2 = number_in(beta_2, "beta_2", 0.0, 1.0)

    def _update(self, impl, params, grads, lr, decay):
        impl.lion(params, grads, self.state["m"], lr, self.beta_1, self.beta_2, decay,
                  self._scratch)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
