"""The Keras-toolkit layers (normalization, noise, embedding, the activation layers with
options, Reshape, Identity) in Keras 3's config format, both ways.

Their glassnet ``get_config`` already uses Keras's names and defaults, so the translation is
mechanical: initializers become Keras objects and back, tuples become lists, and the options
glassnet does not have (a regularizer, a constraint, ``renorm``, masking) are refused by the
layers' own constructors, by name.

Example
-------
>>> from glassnet.layers import BatchNormalization
>>> config = to_keras(BatchNormalization(momentum=0.9, name="bn"), {"name": "bn"})
>>> config["momentum"], config["gamma_initializer"]["class_name"]
(0.9, 'Ones')
>>> from_keras("BatchNormalization", {"momentum": 0.9, "renorm": False}, "layer 'bn'")
{'momentum': 0.9, 'renorm': False}
"""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["TOOLKIT_ACTIVATIONS", "TOOLKIT_LAYERS", "from_keras", "to_keras"]

TOOLKIT_LAYERS = ("BatchNormalization", "LayerNormalization", "Normalization", "GaussianNoise",
                  "GaussianDropout", "AlphaDropout", "ELU", "PReLU", "Embedding", "Identity",
                  "Reshape")
# Keras's activation names for Dense(activation=...) beyond the six of the core
TOOLKIT_ACTIVATIONS = ("elu", "selu", "gelu", "silu", "swish", "softplus", "softsign",
                       "hard_sigmoid", "hard_silu", "hard_swish", "relu6", "mish", "log_softmax")
_OWN = ("name", "trainable", "dtype", "input_shape")


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def to_keras(layer, base: dict) -> dict:
    """Keras's config of one toolkit layer (``base``: its name, trainable and dtype policy)."""
    from ._to_keras import _initializer, _seed

    where = f"layer {layer.name!r} ({type(layer).__name__})"
    config = dict(base)
    for key, value in layer.get_config().items():
        if key in _OWN:
            continue
        if key.endswith("_initializer"):
            config[key] = _initializer(getattr(layer, key), where)
        elif key == "seed":
            config[key] = _seed(value, where)
        else:
            config[key] = _plain(value)
    return config


def from_keras(cls: str, config: dict, where: str) -> dict:
    """glassnet's constructor arguments from a Keras config of a toolkit layer (name,
    trainable and dtype handled by the caller)."""
    from ._from_keras import _initializer

    out = {}
    for key, value in config.items():
        if key.endswith("_initializer"):
            out[key] = _initializer(value, where)
        elif key in ("target_shape", "shared_axes") and isinstance(value, list):
            out[key] = value
        elif isinstance(value, dict) and key != "renorm_clipping":
            raise ConfigError(f"{where} ({cls}): option {key}={str(value)[:60]} is not "
                              "supported by glassnet")
        else:
            out[key] = value
    return out
