"""``clone_model``: the same architecture with new layers and fresh weights (Keras's).

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(2, input_shape=(3,), name="d")])
>>> clone = clone_model(model)
>>> clone.layers[0] is model.layers[0], clone.layers[0].name, clone.count_params()
(False, 'd', 8)
"""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["clone_model"]


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """A new model of the same layers' configs (new weights, as Keras's ``clone_model``)."""
    from .model import Model

    if not isinstance(model, Model):
        raise ConfigError(f"clone_model needs a glassnet model, got {type(model).__name__}")
    if input_tensors is not None or clone_function is not None or kwargs:
        raise ConfigError("clone_model: input_tensors, clone_function and other options are "
                          "not supported yet; clone_model(model) copies the architecture")
    if model._graph is None:
        raise ConfigError(f"clone_model: model {model.name!r} is not built yet")
    return type(model).from_config(model.get_config()) if type(model).__name__ in (
        "Sequential",) else Model.from_config(model.get_config())
