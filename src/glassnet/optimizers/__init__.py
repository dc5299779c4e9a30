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

from .._registry import Registry
from ..errors import ConfigError
from .adam import Adam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer", "RMSprop", "get"]

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
