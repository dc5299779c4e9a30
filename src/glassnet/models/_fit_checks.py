"""The checks ``Model.fit`` runs on its settings before anything changes.

Each bad setting is a ConfigError that names the argument and says what it takes.

Example
-------
>>> from glassnet.models._fit_checks import check_class_weight
>>> check_class_weight({0: 1.0, 1: -2})
Traceback (most recent call last):
...
glassnet.errors.ConfigError: class_weight[1]: weight -2 must be a finite number >= 0
"""

from __future__ import annotations

import math
import numbers

from .._checks import boolean, fraction, positive_int
from ..callbacks import Callback
from ..errors import ConfigError

MAX_CLASSES = 2**20  # class labels (class_weight keys) are below this


def check_fit_args(model, epochs, batch_size, validation_split, verbose, initial_epoch,
                   callbacks, class_weight, shuffle, steps_per_epoch=None, validation_freq=1,
                   validation_batch_size=None, validation_steps=None):
    """Every setting of ``fit`` (and that the model is compiled), before anything changes."""
    model._require_compiled("fit")
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch_size", allow_none=True)
    positive_int(initial_epoch, "initial_epoch", minimum=0)
    fraction(validation_split, "validation_split")
    boolean(shuffle, "shuffle")
    if not isinstance(verbose, (numbers.Integral, str)) or verbose not in (0, 1, 2, "auto"):
        raise ConfigError(f"verbose must be 0 (silent), 1 (progress bar) or 2 (one line per "
                          f"epoch), got {verbose!r}")
    positive_int(steps_per_epoch, "steps_per_epoch", allow_none=True)
    positive_int(validation_freq, "validation_freq")
    positive_int(validation_batch_size, "validation_batch_size", allow_none=True)
    positive_int(validation_steps, "validation_steps", allow_none=True)
    check_callbacks(callbacks)
    check_class_weight(class_weight)


def check_callbacks(callbacks) -> None:
    if isinstance(callbacks, Callback):
        kind = type(callbacks).__name__
        raise ConfigError(f"callbacks must be a list of callbacks, got one {kind}; wrap it in a "
                          f"list: callbacks=[{kind}(...)]")
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise ConfigError(f"callbacks must be a list of glassnet.callbacks.Callback objects, got "
                          f"{type(callbacks).__name__}")
    for i, cb in enumerate(callbacks or ()):
        if not isinstance(cb, Callback):
            raise ConfigError(f"callbacks[{i}] is {cb!r}, not a glassnet.callbacks.Callback; pass "
                              "instances such as EarlyStopping(patience=5)")


def check_class_weight(class_weight) -> None:
    if class_weight is None:
        return
    if not isinstance(class_weight, dict):
        raise ConfigError(f"class_weight must be a dict {{class label: weight}}, got "
                          f"{type(class_weight).__name__}")
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, numbers.Integral) or label < 0:
            raise ConfigError(f"class_weight: key {label!r} is not a class label; keys are the "
                              "integer labels 0, 1, ... of y")
        if label >= MAX_CLASSES:
            raise ConfigError(f"class_weight: key {label} is not a class label of any model "
                              f"glassnet trains (at most {MAX_CLASSES} classes)")
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not (
                math.isfinite(weight) and weight >= 0):
            raise ConfigError(f"class_weight[{label}]: weight {weight!r} must be a finite number "
                              ">= 0")
