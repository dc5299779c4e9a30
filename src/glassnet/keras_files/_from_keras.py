"""A Keras 3 model config (``config.json``) turned into glassnet's config, option by option.

Only Keras's own classes load, each with the options glassnet has: an option glassnet lacks
(``renorm=True``, a ``noise_shape``, a regularizer of a user's class) is refused by name
rather than dropped, and a class from outside Keras, or a ``Lambda`` (which holds Python
code), is refused without looking further. Nothing here imports or runs anything the file
names. Errors are :class:`~glassnet.errors.ConfigError` s; the loader adds the file name.

Example
-------
>>> entry = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
...          "config": {"name": "h", "units": 3, "activation": "relu", "use_bias": True,
...                     "kernel_regularizer": None,
...                     "dtype": {"module": "keras", "class_name": "DTypePolicy",
...                               "config": {"name": "float32"}}}}
>>> Budget().layer(entry)["config"]
{'name': 'h', 'dtype': 'float32', 'units': 3, 'activation': {'name': 'relu'}, 'use_bias': True}
>>> Budget().layer({**entry, "class_name": "Lambda"})
Traceback (most recent call last):
...
glassnet.errors.ConfigError: layer 'h': Lambda layers hold Python code, which glassnet never
runs from a file; rebuild that part of the model in code
"""

from __future__ import annotations

import math

from ..errors import ConfigError
from ._order import MODEL_CLASSES
from ._toolkit import TOOLKIT_ACTIVATIONS, TOOLKIT_LAYERS, from_keras

__all__ = ["Budget"]

MAX_LAYERS = 10_000
MAX_DEPTH = 32

_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "exponential")
_INITIALIZERS = {"Zeros": "zeros", "Ones": "ones", "Constant": "constant",
                 "RandomUniform": "random_uniform", "RandomNormal": "random_normal",
                 "GlorotUniform": "glorot_uniform", "HeUniform": "he_uniform",
                 "HeNormal": "he_normal", "GlorotNormal": "glorot_normal",
                 "LecunNormal": "lecun_normal", "LecunUniform": "lecun_uniform",
                 "TruncatedNormal": "truncated_normal", "VarianceScaling": "variance_scaling",
                 "Orthogonal": "orthogonal", "Identity": "identity"}
_INIT_OPTIONS = {"seed", "value", "minval", "maxval", "mean", "stddev", "scale", "mode",
                 "distribution", "gain"}
_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
_PENALTIES = ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
              "kernel_constraint", "bias_constraint")
_NO_OPTIONS = {"quantization_config": None, "lora_rank": None}
# Per class: options passed on, and options that must keep Keras's default.
_PASSED = {"Dense": ("units", "use_bias"), "Dropout": ("rate", "seed"),
           "LeakyReLU": ("negative_slope",), "Concatenate": ("axis",),
           "ReLU": ("max_value", "negative_slope", "threshold"), "Softmax": ("axis",)}
_DEFAULTS = {"Dense": {**_NO_OPTIONS, "lora_alpha": None}, "Dropout": {"noise_shape": None},
             "Flatten": {"data_format": "channels_last"}, "Activation": {}}
SUPPORTED = ("Dense", "Activation", "ReLU", "Softmax", "LeakyReLU", "Flatten", "Dropout",
             "InputLayer", *_MERGES, "Concatenate", "Functional", "Sequential", *TOOLKIT_LAYERS)


def _policy(value, where: str) -> str:
    if isinstance(value, dict):
        value = (value.get("config") or {}).get("name")
    if value not in ("float32", "float64"):
        raise ConfigError(f"{where}: dtype {value!r}; glassnet computes in float32 or float64 "
                          "(no mixed precision)")
    return value


def _activation(value, where: str) -> dict:
    if value is None:
        return {"name": "linear"}
    if value == "leaky_relu":
        return {"name": "leaky_relu", "negative_slope": 0.2}
    if value in _ACTIVATIONS or value in TOOLKIT_ACTIVATIONS:
        return {"name": value}
    raise ConfigError(f"{where}: activation {value!r} is not one glassnet has (it has "
                      f"{', '.join(_ACTIVATIONS)}, leaky_relu)")


def _initializer(value, where: str) -> dict:
    if isinstance(value, str):
        value = {"class_name": "".join(p.capitalize() for p in value.split("_")), "config": {}}
    if not isinstance(value, dict) or value.get("class_name") not in _INITIALIZERS:
        name = value.get("class_name") if isinstance(value, dict) else value
        raise ConfigError(f"{where}: initializer {name!r} is not one glassnet has (it has "
                          f"{', '.join(_INITIALIZERS)})")
    config = dict(value.get("config") or {})
    for axes in ("input_axes", "output_axes"):
        if config.pop(axes, None) is not None:
            raise ConfigError(f"{where}: initializer option {axes} is not supported")
    value_config = config.get("value")
    if isinstance(value_config, dict) and value_config.get("class_name") == "__numpy__":
        config["value"] = (value_config.get("config") or {}).get("value")  # Constant(array)
    unknown = sorted(set(config) - _INIT_OPTIONS)
    if unknown:
        raise ConfigError(f"{where}: initializer {value['class_name']} option(s) {unknown} "
                          "are not supported")
    return {"name": _INITIALIZERS[value["class_name"]], **config}


def _penalty(key: str, value, where: str):
    """A regularizer or constraint config, checked by building it."""
    from .. import constraints, regularizers

    module = constraints if key.endswith("constraint") else regularizers
    try:
        module.get(value)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {key}: {exc}") from None
    return value


def _shape(value, where: str) -> list:
    if not isinstance(value, (list, tuple)) or not value or len(value) > 8 or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 2**31 for d in value):
        raise ConfigError(f"{where}: shape {value!r} is not a list of positive sizes")
    if math.prod(value) > 2**31:
        raise ConfigError(f"{where}: shape {value!r} is too large")
    return list(value)


class Budget:
    """Translates entries while counting layers and nesting against hostile configs."""

    def __init__(self):
        self.layers = 0

    def layer(self, entry, depth: int = 0) -> dict:
        """A Keras layer entry (with ``name`` / ``inbound_nodes`` if functional) as glassnet's."""
        if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
            raise ConfigError(f"a layer entry must be an object with a 'config', got "
                              f"{str(entry)[:80]}")
        self.layers += 1
        if self.layers > MAX_LAYERS:
            raise ConfigError(f"the model has more than {MAX_LAYERS} layers")
        cls, config = entry.get("class_name"), entry["config"]
        where = f"layer {config.get('name', '?')!r}"
        _check_origin(entry, cls, where)
        if cls in MODEL_CLASSES:
            translated = self.model(entry, depth + 1)
        elif cls == "InputLayer":
            translated = {"class_name": cls, "config": _input_layer(config, where)}
        else:
            translated = {"class_name": cls, "config": _layer_options(cls, config, where)}
        if "inbound_nodes" in entry:
            translated["name"] = entry.get("name", config.get("name"))
            translated["inbound_nodes"] = [_node(n, where) for n in entry["inbound_nodes"]]
        return translated

    def model(self, entry: dict, depth: int = 0) -> dict:
        """A Keras ``Functional`` or ``Sequential`` entry as glassnet's model config."""
        if depth > MAX_DEPTH:
            raise ConfigError(f"models are nested more than {MAX_DEPTH} deep")
        cls, config = entry.get("class_name"), entry.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConfigError(f"the {cls} model config has no 'layers' list")
        where = f"model {config.get('name', '?')!r}"
        out = {"name": _name(config.get("name"), where),
               "trainable": _bool(config.get("trainable", True), where),
               "layers": [self.layer(e, depth) for e in config["layers"]]}
        names = [e.get("name") or e["config"].get("name") for e in out["layers"]]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ConfigError(f"{where}: layer names {twice} are used more than once; Keras "
                              "requires each name once in a model")
        if cls == "Sequential":
            if config.get("dtype") is not None:
                out["dtype"] = _policy(config["dtype"], where)
            if config.get("build_input_shape") is not None:
                shape = config["build_input_shape"]
                out["build_input_shape"] = [None, *_shape(list(shape)[1:], where)]
            return {"class_name": "Sequential", "config": out}
        for key in ("input_layers", "output_layers"):
            if key not in config:
                raise ConfigError(f"{where}: the functional config has no {key!r}")
            out[key] = config[key]
        return {"class_name": "Functional", "config": out}


def _check_origin(entry: dict, cls, where: str) -> None:
    module = entry.get("module")
    registered = entry.get("registered_name")
    if cls == "Lambda":
        raise ConfigError(f"{where}: Lambda layers hold Python code, which glassnet never runs "
                          "from a file; rebuild that part of the model in code")
    if (module is not None and not (isinstance(module, str) and module.startswith("keras"))) \
            or registered not in (None, cls, "Functional"):
        raise ConfigError(f"{where}: {cls!r} is a custom class ({registered or module}); "
                          "glassnet loads only Keras's own layers")
    if cls not in SUPPORTED and cls != "Model":
        raise ConfigError(f"{where}: Keras layer {cls!r} has no glassnet counterpart; glassnet "
                          f"loads {', '.join(SUPPORTED)}")


def _name(value, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise ConfigError(f"{where}: a name must be a non-empty string, got {value!r}")
    return value


def _bool(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _layer_options(cls: str, config: dict, where: str) -> dict:
    out = {"name": _name(config.get("name"), where)}
    if config.get("trainable", True) is not True:
        out["trainable"] = _bool(config["trainable"], where)
    if config.get("dtype") is not None:
        out["dtype"] = _policy(config["dtype"], where)
    if cls in TOOLKIT_LAYERS:
        rest = {k: v for k, v in config.items() if k not in ("name", "trainable", "dtype")}
        return {**out, **from_keras(cls, rest, where)}
    passed, defaults = _PASSED.get(cls, ()), _DEFAULTS.get(cls, {})
    for key, value in config.items():
        if key in ("name", "trainable", "dtype"):
            continue
        if key in passed:
            out[key] = value
        elif key == "activation" and cls in ("Dense", "Activation"):
            out[key] = _activation(value, where)
        elif key in ("kernel_initializer", "bias_initializer") and cls == "Dense":
            out[key] = _initializer(value, where)
        elif key in _PENALTIES and cls == "Dense":
            if value is not None:
                out[key] = _penalty(key, value, where)
        elif key == "alpha" and cls == "LeakyReLU":
            out["negative_slope"] = value
        elif key in defaults:
            if value != defaults[key] and not (key == "data_format" and value is None):
                raise ConfigError(f"{where} ({cls}): option {key}={value!r} is not supported "
                                  f"by glassnet (only {key}={defaults[key]!r})")
        else:
            raise ConfigError(f"{where} ({cls}): unknown option {key!r}")
    if cls == "Activation" and "activation" not in out:
        raise ConfigError(f"{where} (Activation): no activation given")
    return out


def _input_layer(config: dict, where: str) -> dict:
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if shape is not None:
        if not isinstance(shape, list) or not shape:
            raise ConfigError(f"{where}: batch_shape {shape!r} is not a list")
        shape = shape[1:]
    else:
        shape = config.get("shape")
    for flag in ("sparse", "ragged", "optional"):
        if config.get(flag):
            raise ConfigError(f"{where} (InputLayer): {flag}=True inputs are not supported")
    batch = config.get("batch_size")
    if batch is not None and (not isinstance(batch, int) or isinstance(batch, bool) or batch < 1):
        raise ConfigError(f"{where}: batch_size {batch!r} is not a positive int")
    return {"shape": _shape(shape, where), "batch_size": batch, "name": _name(
        config.get("name"), where), "dtype": _policy(config.get("dtype", "float32"), where)}


def _node(node, where: str) -> dict:
    if not isinstance(node, dict) or not isinstance(node.get("args"), list):
        raise ConfigError(f"{where}: an inbound node must have an 'args' list, got "
                          f"{str(node)[:80]}")
    for key, value in (node.get("kwargs") or {}).items():
        if key not in ("mask", "training") or isinstance(value, (dict, list)):
            raise ConfigError(f"{where}: call argument {key}={str(value)[:40]} is not supported "
                              "(glassnet layers take their inputs and training=)")
    return {"args": node["args"], "kwargs": {}}
