"""Models, as Keras's ``keras.models``: the graph, ``Model``, ``Sequential``, the loops, files.

- :mod:`.graph`: the layer calls in topological order, run forward and backward;
- :mod:`.model`: ``Model`` (functional or subclassed), a layer itself, with flat buffers;
- :mod:`.sequential`: ``Sequential``; :mod:`.config`: Keras's functional config;
- :mod:`.training_api`, :mod:`.training`, :mod:`.fit`, :mod:`.data`: compile and the loops;
- :mod:`.summary`: ``model.summary()``; :mod:`.cloning`: ``clone_model``.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(2, input_shape=(3,), name="d")])
>>> clone = model_from_json(model.to_json())
>>> [layer.name for layer in clone.layers], clone.count_params()
(['d'], 8)
"""

from __future__ import annotations

import json

from .. import layers as layers_module
from ..errors import ConfigError
from .cloning import clone_model
from .model import Model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json"]

layers_module.register(Model)
layers_module.register(Sequential)
layers_module._LAYERS.aliases["Functional"] = "Model"


def load_model(path, compile: bool = True, **kwargs) -> Model:
    """Read a model saved by :meth:`Model.save`: a Keras 3 ``.keras`` archive (one Keras
    wrote, too: :mod:`glassnet.keras_files`) or glassnet's file (:func:`glassnet.io.load_model`)."""
    from .. import keras_files

    if kwargs:
        raise ConfigError(f"load_model: unknown argument(s) {', '.join(sorted(kwargs))}")
    return keras_files.load_model(path, compile=compile)


def model_from_json(json_string: str, custom_objects=None) -> Model:
    """The model (fresh weights) whose architecture ``to_json()`` wrote."""
    try:
        config = json.loads(json_string)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model_from_json: not valid JSON ({exc})") from None
    model = layers_module.get(config)
    if not isinstance(model, Model):
        raise ConfigError(f"model_from_json: the JSON describes a {type(model).__name__}, not a "
                          "model")
    return model
