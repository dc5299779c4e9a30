"""Legacy Keras HDF5 model files (``.h5``), read only: the architecture from the root attribute
``model_config`` (Keras 3's form, or tf.keras 2's, whose inbound nodes are lists), the
weights from ``model_weights/<layer name>`` in the order of its ``weight_names`` attribute,
the loss, optimizer and metrics from ``training_config`` where glassnet has them (the
optimizer's state is not read: training restarts its moments). glassnet never writes this
format, which Keras 3 itself calls legacy.

Example
-------
>>> _node([["dense", 0, 0, {}]], "doc")  # tf.keras 2's inbound node: one tensor
{'args': [['dense', 0, 0]], 'kwargs': {}}
>>> _node([["a", 0, 0, {}], ["b", 0, 0, {}]], "doc")["args"]  # a merge's two tensors
[[['a', 0, 0], ['b', 0, 0]]]
"""

from __future__ import annotations

import json

from ..errors import ConfigError, FileFormatError
from . import _h5
from ._order import MODEL_CLASSES

__all__ = ["read_legacy"]

MAX_ATTRIBUTE_BYTES = 64 * 2**20


def _node(node, where: str):
    """A tf.keras 2 node ``[[layer, node, tensor, kwargs], ...]`` in Keras 3's form."""
    if isinstance(node, dict):
        return node
    if not isinstance(node, list) or not node or not all(
            isinstance(t, list) and len(t) in (3, 4) and isinstance(t[0], str) for t in node):
        raise ConfigError(f"{where}: cannot read the inbound node {str(node)[:80]}")
    if any(len(t) == 4 and t[3] for t in node):
        raise ConfigError(f"{where}: inbound node call arguments {str(node)[:80]} are not "
                          "supported")
    triples = [list(t[:3]) for t in node]
    return {"args": triples if len(triples) == 1 else [triples], "kwargs": {}}


def _modernize(entry: dict) -> dict:
    """tf.keras 2 configs in Keras 3's shape: inbound nodes as args, no Keras-2-only keys."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        return entry
    entry = {**entry, "config": dict(entry["config"])}
    name = entry["config"].get("name", "?")
    if isinstance(entry.get("inbound_nodes"), list):
        entry["inbound_nodes"] = [_node(n, f"layer {name!r}") for n in entry["inbound_nodes"]]
    if entry.get("class_name") in MODEL_CLASSES and isinstance(entry["config"].get("layers"),
                                                               list):
        entry["config"]["layers"] = [_modernize(e) for e in entry["config"]["layers"]]
    return entry


def _attribute(f, name: str, source):
    value = f.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="strict")
    if not isinstance(value, str) or len(value) > MAX_ATTRIBUTE_BYTES:
        raise FileFormatError(f"{source}: the {name} attribute is not a JSON string")
    return json.loads(value, parse_constant=_reject)


def _reject(name):
    raise ValueError(f"{name} is not a number a Keras config may hold")


def read_legacy(f, source) -> tuple[dict, dict | None]:
    """(model config in Keras 3's form, training config or None) of an open legacy file."""
    config = _attribute(f, "model_config", source)
    if not isinstance(config, dict):
        raise FileFormatError(f"{source}: an HDF5 file without a model_config attribute holds "
                              "weights only, not a Keras model")
    training = _attribute(f, "training_config", source)
    if isinstance(training, dict):
        training = {"optimizer": training.get("optimizer_config"), "loss": training.get("loss"),
                    "loss_weights": training.get("loss_weights"),
                    "metrics": training.get("metrics"),
                    "weighted_metrics": training.get("weighted_metrics")}
    return _modernize(config), training


def _names(group, where: str, source) -> list[str]:
    names = group.attrs.get("weight_names", [])
    names = [n.decode() if isinstance(n, bytes) else n for n in list(names)]
    if not all(isinstance(n, str) for n in names):
        raise FileFormatError(f"{source}: {where} lists weight names that are not strings")
    return names


def legacy_weights(model, config: dict, f, source) -> list[tuple]:
    """(targets, arrays) for each top-level layer's group of ``model_weights``."""
    weights = _h5._group(f, "model_weights", source)
    if weights is None:
        raise FileFormatError(f"{source}: the file has no model_weights group")
    pending = []
    for entry in config["config"]["layers"]:
        name = entry.get("name") or entry["config"]["name"]
        if config["class_name"] == "Sequential" and entry["class_name"] == "InputLayer":
            continue
        layer = model.get_layer(name)
        if entry["class_name"] in MODEL_CLASSES:
            targets = [a for _, inner in _h5.weight_groups(layer, entry)
                       if not _h5._is_model(inner) for a in _h5.layer_arrays(inner)]
        else:
            targets = _h5.layer_arrays(layer)
        group = _h5._group(f, f"model_weights/{name}", source) if "/" not in name else None
        names = [] if group is None else _names(group, f"model_weights/{name}", source)
        if len(names) != len(targets):
            raise FileFormatError(f"{source}: model_weights/{name} lists {len(names)} weights, "
                                  f"but layer {name!r} has {len(targets)}")
        arrays = []
        for target, weight_name in zip(targets, names, strict=True):
            *parents, key = weight_name.split("/")
            holder = _h5._group(group, "/".join(parents), source) if parents else group
            if holder is None:
                raise FileFormatError(f"{source}: model_weights/{name}/{weight_name} is missing")
            ds = _h5._dataset(holder, key, f"model_weights/{name}", source)
            if ds.shape != target.shape or ds.dtype.kind != "f":
                raise FileFormatError(f"{source}: model_weights/{name}/{weight_name} is "
                                      f"{ds.dtype} {ds.shape}, but the model needs "
                                      f"{target.dtype} {target.shape}")
            arrays.append(_h5.finite(ds[()], f"model_weights/{name}/{weight_name}", source))
        pending.append((targets, arrays))
    return pending
