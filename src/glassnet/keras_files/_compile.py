"""Keras's ``compile_config`` (optimizer, losses, loss weights, metrics) as glassnet's compile
arguments, when glassnet has every piece; otherwise the reason it cannot.

Example
-------
>>> config = {"optimizer": {"module": "keras.optimizers", "class_name": "Adam",
...                         "config": {"name": "adam", "learning_rate": 0.01,
...                                    "weight_decay": None, "amsgrad": False}},
...           "loss": "categorical_crossentropy", "loss_weights": None,
...           "metrics": ["accuracy"]}
>>> kwargs = compile_arguments(config)
>>> kwargs["optimizer"]
{'name': 'adam', 'learning_rate': 0.01, 'weight_decay': None, 'amsgrad': False}
>>> kwargs["loss"], kwargs["metrics"]
('categorical_crossentropy', ['accuracy'])
>>> compile_arguments({**config, "loss": "dice"})
Traceback (most recent call last):
...
glassnet.errors.ConfigError: loss 'dice' is not one glassnet has
"""

from __future__ import annotations

from .. import losses, optimizers
from ..errors import ConfigError
from ..metrics import training as training_metrics

__all__ = ["compile_arguments"]

_OPTIMIZERS = ("Adam", "SGD", "RMSprop", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam",
               "Lion")
# Options glassnet's optimizers do not have; each must be at Keras's default.
_OPTIMIZER_DEFAULTS = {"loss_scale_factor": None, "gradient_accumulation_steps": None,
                       "decay": 0.0}
_IGNORED = ("name", "is_legacy_optimizer", "jit_compile")
_LOSS_OPTIONS: dict = {}  # Keras's loss options (reduction, label_smoothing, ...) are glassnet's


def _optimizer(spec) -> dict:
    if isinstance(spec, str):
        return optimizers.get(spec).get_config()
    cls = spec.get("class_name") if isinstance(spec, dict) else None
    if cls not in _OPTIMIZERS or not isinstance(spec.get("config"), dict):
        raise ConfigError(f"optimizer {cls or spec!r} is not one glassnet has "
                          f"({', '.join(_OPTIMIZERS)})")
    out = {"name": cls.lower()}
    known = optimizers.get(out["name"]).get_config()
    for key, value in spec["config"].items():
        if key in _OPTIMIZER_DEFAULTS:
            if value not in (_OPTIMIZER_DEFAULTS[key], None):
                raise ConfigError(f"optimizer option {key}={value!r} is not supported by "
                                  "glassnet")
        elif key in known and key != "name":
            out[key] = value
        elif key not in _IGNORED:
            raise ConfigError(f"unknown optimizer option {key!r}")
    optimizers.get(out)  # checks the values (a schedule too)
    return out


def _loss(spec):
    if spec is None:
        return None
    if isinstance(spec, dict) and "class_name" in spec:
        config = dict(spec.get("config") or {})
        for key, default in _LOSS_OPTIONS.items():
            if config.pop(key, default) != default:
                raise ConfigError(f"loss option {key} is not supported by glassnet")
        config.pop("name", None)
        spec = {"class_name": spec["class_name"], "config": config}
    elif isinstance(spec, dict):
        return {k: _loss(v) for k, v in spec.items()}
    elif isinstance(spec, list):
        return [_loss(v) for v in spec]
    try:
        losses.get(spec)
    except ConfigError:
        name = spec if isinstance(spec, str) else spec.get("class_name")
        raise ConfigError(f"loss {name!r} is not one glassnet has") from None
    return spec


def _metrics(spec):
    if spec is None or isinstance(spec, str):
        if isinstance(spec, str):
            training_metrics.resolve(spec, "", 1)  # raises for a name glassnet lacks
        return spec
    if isinstance(spec, dict):
        return {k: _metrics(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_metrics(v) for v in spec]
    raise ConfigError(f"metric {str(spec)[:60]} is not a name glassnet knows")


def compile_arguments(config: dict) -> dict:
    """glassnet ``compile`` keyword arguments for Keras's ``compile_config``."""
    if not isinstance(config, dict):
        raise ConfigError("compile_config is not an object")
    if config.get("weighted_metrics"):
        raise ConfigError("weighted_metrics are not supported by glassnet")
    weights = config.get("loss_weights")
    if weights is not None and not isinstance(weights, (dict, list, int, float)):
        raise ConfigError(f"loss_weights {str(weights)[:60]} are not numbers")
    return {"optimizer": _optimizer(config.get("optimizer", "rmsprop")),
            "loss": _loss(config.get("loss")), "loss_weights": weights,
            "metrics": _metrics(config.get("metrics"))}
