"""Optimizers on flat buffers, with Keras 3's names, arguments, defaults and update rules.

``SGD`` (momentum, Nesterov), ``Adam`` (``amsgrad``), ``AdamW``, ``RMSprop`` (momentum,
``centered``), ``Adagrad``, ``Adadelta``, ``Adamax``, ``Nadam`` and ``Lion``. Each takes
Keras's common options: ``weight_decay`` (decoupled, as Keras 3: ``p -= lr * wd * p`` before
the update), ``clipnorm`` / ``clipvalue`` / ``global_clipnorm``, ``use_ema`` with
``ema_momentum`` and ``ema_overwrite_frequency``, and a ``learning_rate`` that is a number (0
allowed) or a schedule from :mod:`glassnet.optimizers.schedules`.

An optimizer's state (velocity, Adam's m and v, ...) is one flat array per kind, laid out like
the model's parameters, and each ``step`` is one kernel call (see :mod:`glassnet.kernels`).
With the numba kernels (the default where numba is installed) an update runs with subnormal
floats flushed to zero, as TensorFlow's kernels run (state that decays towards zero would
otherwise slow some CPUs 2.5x); ``glassnet.set_kernels('numpy')`` keeps IEEE arithmetic.

Example
-------
>>> import numpy as np
>>> from glassnet import optimizers
>>> opt = optimizers.get("sgd", learning_rate=0.5)
>>> p = np.array([0.40]); opt.step(p, np.array([0.082167041])); p.round(9)
array([0.35891648])
>>> optimizers.get("Nadam").get_config()["beta_2"]
0.999
"""

from __future__ import annotations

from .._registry import Registry
from ..errors import ConfigError
from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax, Lion, Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Lion", "Nadam",
           "Optimizer", "RMSprop", "deserialize", "get", "schedules", "serialize"]

_OPTIMIZERS = Registry("optimizer", {cls.config_name: cls for cls in (
    SGD, Adam, RMSprop, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion)}, base=Optimizer)


def get(identifier, **overrides) -> Optimizer:
    """Resolve an optimizer from a name ('sgd', 'adam', 'Nadam', ...), a config dict or an
    instance. Keyword arguments (``learning_rate=...``) apply when a name is given.
    """
    if "lr" in overrides:
        raise ConfigError("optimizers.get: the learning rate is called learning_rate, not lr "
                          "(as in current Keras); pass learning_rate=...")
    return _OPTIMIZERS.get(identifier, **overrides)


def serialize(optimizer: Optimizer) -> dict:
    """Keras's form: ``{'module': 'keras.optimizers', 'class_name', 'config'}``."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict) -> Optimizer:
    """An optimizer from :func:`serialize`'s dict (or glassnet's ``{'name': ...}`` config)."""
    if isinstance(config, dict) and "class_name" in config:
        config = {**dict(config.get("config") or {}), "name": config["class_name"]}
    return _OPTIMIZERS.from_config(config)
