"""Which layers of the Keras toolkit explain can follow, and a clear refusal for the others.

explain writes one sample's chain rule unit by unit, so it follows layers whose output unit
depends on the same unit of their input only (activation layers with an elementwise function,
``Identity``, ``Normalization``, the noise layers, ``Dropout``, ``Flatten``) and Dense weights.
It refuses, naming the layer: ``BatchNormalization`` (while training each output depends on
the whole batch), ``LayerNormalization`` and softmax-like functions over other axes (each
output depends on every unit), weighted layers other than ``Dense`` (``PReLU``, ``Embedding``)
and ``Reshape``.

Example
-------
>>> import glassnet
>>> from glassnet.layers import BatchNormalization, Dense
>>> model = glassnet.Sequential([Dense(2, input_shape=(2,), name="d"),
...                              BatchNormalization(name="bn")])
>>> check_explainable(model)
Traceback (most recent call last):
...
glassnet.errors.ConfigError: explain cannot follow layer 'bn' (BatchNormalization): while
training each of its outputs depends on the whole batch, not one sample's chain; check its
gradients with glassnet.gradcheck(model, x, y) instead
"""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["check_explainable"]

_REASONS = {
    "BatchNormalization": "while training each of its outputs depends on the whole batch, not "
                          "one sample's chain",
    "LayerNormalization": "each of its outputs depends on every unit of the sample",
    "PReLU": "explain follows the weights of Dense layers, and this layer has weights of its own",
    "Embedding": "explain follows the weights of Dense layers, and this layer has weights of its "
                 "own",
    "Reshape": "explain indexes units through Flatten only",
}
_NOT_ELEMENTWISE = ("AxisSoftmax", "LogSoftmax")


def _reason(layer) -> str | None:
    reason = _REASONS.get(type(layer).__name__)
    if reason is not None:
        return reason
    function = type(getattr(layer, "activation", None)).__name__
    if function in _NOT_ELEMENTWISE:
        return (f"its activation {layer.activation.get_config()} mixes the units, which explain "
                "writes only for softmax over the last axis")
    return None


def check_explainable(model) -> None:
    """Raise a ConfigError naming the first layer of ``model`` explain cannot follow."""
    for layer in model._leaf_layers():
        reason = _reason(layer)
        if reason is not None:
            raise ConfigError(f"explain cannot follow layer {layer.name!r} "
                              f"({type(layer).__name__}): {reason}; check its gradients with "
                              "glassnet.gradcheck(model, x, y) instead")
