"""Layers, as Keras's ``keras.layers``: each one's forward keeps what its backward needs.

- :mod:`.layer`: the ``Layer`` base class (build, weights, calls on tensors or arrays);
- :mod:`.input_layer`: ``Input`` and ``InputLayer``; :mod:`.core`: ``Dense``;
- :mod:`.activation`, :mod:`.merging`, :mod:`.reshaping`, :mod:`.regularization`;
- :mod:`.normalization` (BatchNormalization, LayerNormalization, Normalization), :mod:`.noise`
  (GaussianNoise, GaussianDropout, AlphaDropout), :mod:`.embedding`, :mod:`.identity`;
- :mod:`.symbolic`: the tensors and nodes a functional model is traced from;
- :mod:`.storage` and :mod:`.variable`: the flat buffers behind the weights, and their handles.

Example
-------
>>> from glassnet.layers import Dense, Input, concatenate
>>> a, b = Input((2,)), Input((3,))
>>> y = Dense(3, activation="relu")(concatenate([a, b]))
>>> y.shape
(None, 3)
"""

from __future__ import annotations

from .._registry import Registry
from ..errors import ConfigError
from .activation import ELU, Activation, LeakyReLU, PReLU, ReLU, Sigmoid, Softmax, Tanh
from .core import Dense
from .embedding import Embedding
from .identity import Identity
from .input_layer import Input, InputLayer
from .lambda_layer import Lambda, OpLayer
from .layer import Layer
from .merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .noise import AlphaDropout, GaussianDropout, GaussianNoise
from .normalization import BatchNormalization, LayerNormalization, Normalization
from .regularization import Dropout
from .reshaping import Flatten, Reshape
from .symbolic import SymbolicTensor

__all__ = [
    "Activation", "Add", "Average", "Concatenate", "Dense", "Dropout", "Flatten", "Input",
    "InputLayer", "Layer", "LeakyReLU", "Maximum", "Minimum", "Multiply", "ReLU", "Sigmoid",
    "Softmax", "Subtract", "SymbolicTensor", "Tanh", "add", "average", "concatenate", "deserialize",
    "get", "maximum", "minimum", "multiply", "register", "serialize", "subtract",
]
__all__ += ["ELU", "AlphaDropout", "BatchNormalization", "Embedding", "GaussianDropout",
            "GaussianNoise", "Identity", "LayerNormalization", "Normalization", "PReLU",
            "Reshape"]
__all__ += ["Lambda", "OpLayer"]  # layers.Lambda, over glassnet.ops

_LAYERS = Registry(
    "layer",
    {cls.__name__: cls for cls in (Dense, Activation, ReLU, Sigmoid, Tanh, Softmax, LeakyReLU,
                                   Flatten, Dropout, InputLayer, Add, Subtract, Multiply,
                                   Average, Maximum, Minimum, Concatenate,
                                   ELU, PReLU, BatchNormalization, LayerNormalization,
                                   Normalization, GaussianNoise, GaussianDropout, AlphaDropout,
                                   Embedding, Identity, Reshape, Lambda, OpLayer)},
    base=Layer,
)


def register(cls: type) -> type:
    """Make a Layer subclass known to :func:`get` by its class name (models use this too)."""
    _LAYERS.factories[cls.__name__] = cls
    return cls


def get(config) -> Layer:
    """Rebuild a layer from ``{'class_name': 'Dense', 'config': {...}}``."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ConfigError(f"a layer config needs 'class_name' and 'config' keys, got {config!r}")
    name = _LAYERS.resolve_name(config["class_name"])
    layer_config = config.get("config", {})
    if not isinstance(layer_config, dict):
        raise ConfigError(f"bad {name} layer config: 'config' must be a dict, got "
                          f"{type(layer_config).__name__}")
    try:
        return _LAYERS.factories[name].from_config(dict(layer_config))
    except TypeError as exc:
        raise ConfigError(f"bad {name} layer config {config!r}: {exc}") from None


deserialize = get


def serialize(layer: Layer) -> dict:
    """The layer's ``{'class_name': ..., 'config': ...}`` form."""
    name = getattr(layer, "serialized_class_name", None) or type(layer).__name__
    return {"class_name": name, "config": layer.get_config()}
