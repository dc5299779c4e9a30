"""A glassnet model's config in Keras 3's serialization format (what ``config.json`` holds).

Every object is ``{'module', 'class_name', 'config', 'registered_name'}``; layers carry a
``build_config`` with their input shape; a functional model's layers also carry ``name`` and
``inbound_nodes``, in Keras's layer order (:func:`~glassnet.keras_files._order.keras_order`).
``Sigmoid`` and ``Tanh`` layers, which Keras does not have, are written as ``Activation``.
Anything Keras could not read the same way raises a :class:`~glassnet.errors.ConfigError`.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(2, activation="relu", input_shape=(3,), name="h")],
...                             name="tiny")
>>> config = model_config(model)
>>> config["class_name"], [e["class_name"] for e in config["config"]["layers"]]
('Sequential', ['InputLayer', 'Dense'])
>>> config["config"]["layers"][1]["config"]["kernel_initializer"]["class_name"]
'GlorotUniform'
"""

from __future__ import annotations

from ..errors import ConfigError
from ._order import keras_order
from ._toolkit import TOOLKIT_ACTIVATIONS, TOOLKIT_LAYERS, to_keras

__all__ = ["compile_config", "layer_config", "metric_names", "model_config"]

_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "exponential")
_INITIALIZERS = {"zeros": "Zeros", "ones": "Ones", "constant": "Constant",
                 "random_uniform": "RandomUniform", "random_normal": "RandomNormal",
                 "glorot_uniform": "GlorotUniform", "he_uniform": "HeUniform",
                 "he_normal": "HeNormal", "glorot_normal": "GlorotNormal",
                 "lecun_normal": "LecunNormal", "lecun_uniform": "LecunUniform",
                 "truncated_normal": "TruncatedNormal", "variance_scaling": "VarianceScaling",
                 "orthogonal": "Orthogonal", "identity": "Identity"}
_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
# written in Keras's serialized form by the layers' get_config
_PENALTIES = ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
              "kernel_constraint", "bias_constraint")


def keras_object(module: str, class_name: str, config, registered_name=None) -> dict:
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": registered_name}


def dtype_policy(dtype) -> dict:
    return keras_object("keras", "DTypePolicy", {"name": str(dtype)})


def _batch(shape) -> list:
    if isinstance(shape, list):
        return [[None, *s] for s in shape]
    return [None, *shape]


def _seed(seed, where: str):
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return seed
    raise ConfigError(f"{where}: Keras files store a seed as an int or None, got "
                      f"{type(seed).__name__}; give the initializer or layer an int seed")


def _activation(function, where: str) -> str:
    config = function.get_config()
    name = config["name"]
    if name == "leaky_relu" and config.get("negative_slope") == 0.2:
        return name  # Keras's leaky_relu function has slope 0.2
    if name in TOOLKIT_ACTIVATIONS and _keras_default(name) == config:
        return name
    if name not in _ACTIVATIONS:
        raise ConfigError(f"{where}: activation {function!r} has no Keras name; use a "
                          "LeakyReLU layer for a leaky ReLU of another slope")
    return name


def _keras_default(name: str) -> dict:
    """The config of the activation a Keras name stands for (its options at their defaults)."""
    from .. import activations

    return activations.get(name).get_config()


def _initializer(init, where: str) -> dict:
    config = dict(init.get_config())
    name = config.pop("name")
    if name not in _INITIALIZERS:
        raise ConfigError(f"{where}: initializer {name!r} has no Keras class")
    if "seed" in config:
        config["seed"] = _seed(config["seed"], where)
    return keras_object("keras.initializers", _INITIALIZERS[name], config)


def _dense(layer, base):
    where = f"layer {layer.name!r} (Dense)"
    return {**base, "units": layer.units, "activation": _activation(layer.activation, where),
            "use_bias": layer.use_bias,
            "kernel_initializer": _initializer(layer.kernel_initializer, where),
            "bias_initializer": _initializer(layer.bias_initializer, where),
            **{key: value for key, value in layer.get_config().items() if key in _PENALTIES}}


def _class_and_config(layer, dtype):
    """(Keras class name, Keras config) of one glassnet layer computing in ``dtype``."""
    cls = type(layer).__name__
    base = {"name": layer.name, "trainable": layer.trainable, "dtype": dtype_policy(dtype)}
    if cls == "Dense":
        return cls, _dense(layer, base)
    if cls in ("Sigmoid", "Tanh", "Activation"):
        where = f"layer {layer.name!r} ({cls})"
        return "Activation", {**base, "activation": _activation(layer.activation, where)}
    if cls == "ReLU":
        return cls, {**base, "max_value": layer.max_value, "negative_slope": layer.negative_slope,
                     "threshold": layer.threshold}
    if cls == "Softmax":
        return cls, {**base, "axis": layer.axis}
    if cls == "LeakyReLU":
        return cls, {**base, "negative_slope": layer.activation.negative_slope}
    if cls == "Flatten":
        return cls, {**base, "data_format": "channels_last"}
    if cls == "Dropout":
        seed = _seed(layer.seed, f"layer {layer.name!r} (Dropout)")
        return cls, {**base, "rate": layer.rate, "seed": seed, "noise_shape": None}
    if cls in _MERGES:
        return cls, base
    if cls == "Concatenate":
        return cls, {**base, "axis": layer.axis}
    if cls in TOOLKIT_LAYERS:
        return cls, to_keras(layer, base)
    if cls == "Lambda":  # as Keras writes it; Keras loads a lambda with safe_mode=False
        config = layer.get_config()
        return cls, {**base, **{k: config[k] for k in ("function", "output_shape", "arguments")
                                if k in config}}
    raise ConfigError(f"layer {layer.name!r}: glassnet cannot write a {cls} layer to a Keras "
                      "file (Keras files take Dense, Activation, ReLU, Sigmoid, Tanh, Softmax, "
                      "LeakyReLU, Flatten, Dropout, the merge layers, nested models and "
                      f"{', '.join(TOOLKIT_LAYERS)})")


def _input_layer(name: str, shape, dtype) -> dict:
    return keras_object("keras.layers", "InputLayer",
                        {"batch_shape": _batch(shape), "dtype": str(dtype), "sparse": False,
                         "name": name})


def layer_config(layer, dtype) -> dict:
    """One layer (or nested model) of a model computing in ``dtype`` as Keras serializes it,
    without graph entries."""
    from ..models import Model

    if isinstance(layer, Model):
        return model_config(layer)
    if type(layer).__name__ == "InputLayer":
        return _input_layer(layer.name, layer.input_shape, dtype)
    cls, config = _class_and_config(layer, dtype)
    entry = keras_object("keras.layers", cls, config)
    if layer.built and (layer.param_specs() or layer.state_specs()
                        or cls in (*_MERGES, "Concatenate", "Flatten")):
        entry["build_config"] = {"input_shape": _batch(layer.input_shape)}
    return entry


def model_config(model) -> dict:
    """A built model (functional, subclassed or Sequential) in Keras's form."""
    if not model.built or model._graph is None:
        raise ConfigError(f"cannot write model {model.name!r} as a Keras file: it is not built "
                          "yet; call it on data (or give it an input shape) first")
    if type(model).__name__ == "Sequential" or model.serialized_class_name == "Sequential":
        return _sequential_config(model)
    return _functional_config(model)


def _sequential_config(model) -> dict:
    names = {layer.name for layer in model.layers}
    input_name = next(n for n in ("input_layer", f"{model.name}_input", f"{model.name}_in_0")
                      if n not in names)
    inputs = [_input_layer(input_name, model.input_shape, model.dtype.name)]
    config = {"name": model.name, "trainable": model.trainable,
              "dtype": dtype_policy(model.dtype.name),
              "layers": inputs + [layer_config(layer, model.dtype.name) for layer in model.layers],
              "build_input_shape": _batch(model.input_shape)}
    entry = keras_object("keras", "Sequential", config)
    entry["build_config"] = {"input_shape": _batch(model.input_shape)}
    return entry


def _functional_config(model) -> dict:
    from ..models.config import functional_config

    graph_config = functional_config(model)
    entries = []
    for layer, glassnet_entry in zip(model.layers, graph_config["layers"], strict=True):
        entries.append({**layer_config(layer, model.dtype.name), "name": layer.name,
                        "inbound_nodes": glassnet_entry["inbound_nodes"]})
    ordered = keras_order(entries, graph_config["input_layers"], graph_config["output_layers"])
    config = {"name": model.name, "trainable": model.trainable, "layers": ordered,
              "input_layers": graph_config["input_layers"],
              "output_layers": graph_config["output_layers"]}
    entry = keras_object("keras.src.models.functional", "Functional", config, "Functional")
    entry["build_config"] = {"input_shape": None}
    return entry


# -- compile_config ---------------------------------------------------------------------------
_OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW",
                      "adagrad": "Adagrad", "adadelta": "Adadelta", "adamax": "Adamax",
                      "nadam": "Nadam", "lion": "Lion"}


def _optimizer(optimizer) -> dict:
    """Keras's optimizer config: glassnet's optimizers take Keras 3's arguments, decoupled weight
    decay and schedules included, so the config is the same dict under Keras's class name."""
    config = optimizer.get_config()
    name = config.get("name")
    if name not in _OPTIMIZER_CLASSES or type(optimizer).__name__ != _OPTIMIZER_CLASSES[name]:
        raise ConfigError(f"optimizer {type(optimizer).__name__} has no Keras class")
    return keras_object("keras.optimizers", _OPTIMIZER_CLASSES[name], config)


def _loss(loss):
    if loss is None:
        return None
    config = loss.get_config()
    if config == type(loss)().get_config():  # the defaults: Keras's function of that name
        return "huber" if config["name"] == "huber_loss" else loss.name
    return keras_object("keras.losses", type(loss).__name__, config)


def compile_config(model, metric_names) -> dict | None:
    """Keras's ``compile_config`` of a compiled model (None if it is not compiled)."""
    if not model.compiled or model.optimizer is None:
        return None
    names, structure = model.output_names, model._output_structure
    losses = [_loss(loss) for loss in model._losses] if model._losses else None
    if losses is not None and isinstance(structure, tuple):
        losses = dict(zip(names, losses, strict=True))
    elif losses is not None and len(losses) == 1:
        losses = losses[0]
    return {"optimizer": _optimizer(model.optimizer), "loss": losses,
            "loss_weights": model._loss_weight_specs, "metrics": metric_names,
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": False}


def metric_names(specs):
    """The metrics given by name (functions cannot be stored), in their structure."""
    if isinstance(specs, dict):
        return {k: metric_names(v) for k, v in specs.items()}
    if isinstance(specs, (list, tuple)):
        return [m if isinstance(m, str) else metric_names(m) for m in specs
                if isinstance(m, (str, list, tuple, dict))]
    return specs if isinstance(specs, str) else None
