"""A functional model's config in Keras's form, and the model rebuilt from it.

``get_config()`` lists each layer with its config and its ``inbound_nodes`` (the tensors each
call took, as ``[layer name, node index, tensor index]``), and the model's ``input_layers`` and
``output_layers``: the form Keras 3 writes into ``.keras`` files and ``to_json``.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Add, Dense, Input
>>> x = Input((2,), name="x")
>>> y = Add(name="sum")([Dense(2, name="a")(x), Dense(2, name="b")(x)])
>>> config = functional_config(glassnet.Model(x, y, name="m"))
>>> [layer["name"] for layer in config["layers"]], config["output_layers"]
(['x', 'a', 'b', 'sum'], ['sum', 0, 0])
>>> rebuilt = from_functional_config(config)
>>> [layer.name for layer in rebuilt.layers]
['x', 'a', 'b', 'sum']
"""

from __future__ import annotations

from .. import layers as layers_module
from ..errors import ConfigError

__all__ = ["from_functional_config", "functional_config"]


def _node_numbers(model) -> dict:
    """Each node of the graph's number among its layer's nodes in this model (Keras's)."""
    numbers, per_layer = {}, {}
    for tensor in model._graph.inputs:
        numbers[id(tensor.node)] = 0
    for step in model._graph.steps:
        k = per_layer.get(id(step.layer), 0)
        numbers[id(step.node)] = k
        per_layer[id(step.layer)] = k + 1
    return numbers

def _history(tensor, numbers) -> list:
    return [tensor.node.layer.name, numbers[id(tensor.node)], tensor.output_index]


def _tensor_config(tensor, numbers) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": _history(tensor, numbers)}}


def _structure(flat, structure, convert):
    if structure == "single":
        return convert(flat[0])
    if structure == "list":
        return [convert(t) for t in flat]
    return {k: convert(t) for k, t in zip(structure, flat, strict=True)}


def functional_config(model) -> dict:
    numbers = _node_numbers(model)
    entries = []
    for layer in model.layers:
        nodes = [s.node for s in model._graph.steps if s.layer is layer]
        inbound = [{"args": [_structure(node.inputs, node.structure,
                                        lambda t: _tensor_config(t, numbers))], "kwargs": {}}
                   for node in nodes]
        entries.append({**layers_module.serialize(layer), "name": layer.name,
                        "inbound_nodes": inbound})
    graph = model._graph
    return {
        "name": model.name,
        "trainable": model.trainable,
        "dtype": model.dtype.name,
        "layers": entries,
        "input_layers": _structure(graph.inputs, model._input_structure,
                                   lambda t: _history(t, numbers)),
        "output_layers": _structure(graph.outputs, model._output_structure,
                                    lambda t: _history(t, numbers)),
    }


def _tensor_refs(arg) -> list:
    """The keras_history triples inside one inbound node's argument, in order."""
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        return [tuple(arg["config"]["keras_history"])]
    if isinstance(arg, (list, tuple)) and len(arg) == 3 and isinstance(arg[0], str):
        return [tuple(arg)]
    if isinstance(arg, dict):
        return [r for v in arg.values() for r in _tensor_refs(v)]
    if isinstance(arg, (list, tuple)):
        return [r for v in arg for r in _tensor_refs(v)]
    raise ConfigError(f"model config: cannot read the node argument {arg!r}")


def _rebuild_arg(arg, tensors):
    if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
        return tensors[tuple(arg["config"]["keras_history"])]
    if isinstance(arg, (list, tuple)) and len(arg) == 3 and isinstance(arg[0], str):
        return tensors[tuple(arg)]
    if isinstance(arg, dict):
        return {k: _rebuild_arg(v, tensors) for k, v in arg.items()}
    return [_rebuild_arg(v, tensors) for v in arg]


def from_functional_config(config: dict, cls=None):
    """The model a :func:`functional_config` describes (fresh weights)."""
    from .model import Model

    cls = cls or Model
    try:
        entries = list(config["layers"])
        input_spec, output_spec = config["input_layers"], config["output_layers"]
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"a functional model config needs 'layers', 'input_layers' and "
                          f"'output_layers'; missing {exc}") from None
    built, tensors, pending = {}, {}, []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ConfigError(f"model config: a layer entry must be a dict, got {entry!r}")
        layer = layers_module.get(entry)
        name = entry.get("name", layer.name)
        built[name] = layer
        if type(layer).__name__ == "InputLayer":
            tensors[(name, 0, 0)] = layer.output
        for k, node in enumerate(entry.get("inbound_nodes", [])):
            pending.append((name, k, node))
    while pending:
        progress = False
        for item in list(pending):
            name, k, node = item
            args = node.get("args", []) if isinstance(node, dict) else node
            refs = _tensor_refs(args[0] if len(args) == 1 else args)
            if all(r in tensors for r in refs):
                out = built[name](_rebuild_arg(args[0] if len(args) == 1 else args, tensors))
                for i, t in enumerate(out if isinstance(out, list) else [out]):
                    tensors[(name, k, i)] = t
                pending.remove(item)
                progress = True
        if not progress:
            names = sorted({p[0] for p in pending})
            raise ConfigError(f"model config: the nodes of layers {names} refer to tensors that "
                              "no layer makes")
    inputs = _rebuild_arg(input_spec, tensors) if not _is_triple(input_spec) \
        else tensors[tuple(input_spec)]
    outputs = _rebuild_arg(output_spec, tensors) if not _is_triple(output_spec) \
        else tensors[tuple(output_spec)]
    return cls(inputs, outputs, name=config.get("name"), dtype=config.get("dtype"))


def _is_triple(spec) -> bool:
    return isinstance(spec, (list, tuple)) and len(spec) == 3 and isinstance(spec[0], str)
