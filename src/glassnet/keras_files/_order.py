"""Where each layer's weights live in a Keras ``.weights.h5`` file, from a Keras model config.

Keras names a layer's group by its class, not its name: ``layers/dense``, ``layers/dense_1``,
... (snake case, counted per class in ``model.layers`` order), a nested model's layers under
its own group (``layers/sequential/layers/dense``). A functional model's ``layers`` are its
operations sorted by depth (the longest path to an output, deepest first), ties broken by the
order a depth-first walk from the outputs meets them; a ``Sequential`` model's are its stack
without the ``InputLayer``. The config's ``layers`` list is in that order when Keras writes it;
:func:`keras_order` gives it for a config glassnet wrote.

Example
-------
>>> snake_case("LeakyReLU"), snake_case("InputLayer"), snake_case("Dense")
('leaky_re_lu', 'input_layer', 'dense')
>>> unique = _Unique()
>>> [unique("dense"), unique("dense"), unique("add")]
['dense', 'dense_1', 'add']
"""

from __future__ import annotations

from ..layers.layer import snake_case

__all__ = ["keras_order", "layer_paths", "snake_case"]

MODEL_CLASSES = ("Functional", "Sequential", "Model")




class _Unique:
    """'dense', 'dense_1', 'dense_2', ...: Keras's names within one container."""

    def __init__(self):
        self.used: dict[str, int] = {}

    def __call__(self, name: str) -> str:
        if name not in self.used:
            self.used[name] = 0
            return name
        self.used[name] += 1
        return f"{name}_{self.used[name]}"


def layer_paths(model_config: dict, prefix: str = ""):
    """(h5 group path, layer entry, nested path list) for each layer of a Keras-form model
    config ``{'class_name': ..., 'config': {...}}``, in Keras's order; nested models are
    yielded themselves, then their layers."""
    cls, config = model_config["class_name"], model_config["config"]
    unique = _Unique()
    for entry in config["layers"]:
        if cls == "Sequential" and entry.get("class_name") == "InputLayer":
            continue
        path = f"{prefix}layers/{unique(snake_case(entry['class_name']))}"
        yield path, entry
        if entry["class_name"] in MODEL_CLASSES:
            yield from layer_paths(entry, prefix=f"{path}/")


def _flat(spec) -> list[tuple]:
    """The (layer, node, tensor) triples of an input/output spec; dicts in sorted key order,
    as Keras's tree.flatten takes them."""
    if isinstance(spec, (list, tuple)) and len(spec) == 3 and isinstance(spec[0], str):
        return [tuple(spec)]
    if isinstance(spec, dict):
        if spec.get("class_name") == "__keras_tensor__":
            return [tuple(spec["config"]["keras_history"])]
        return [t for key in sorted(spec) for t in _flat(spec[key])]
    if isinstance(spec, (list, tuple)):
        return [t for item in spec for t in _flat(item)]
    return []


def keras_order(layers: list[dict], input_layers, output_layers) -> list[dict]:
    """The functional config's layer entries in the order Keras's ``model.layers`` has them."""
    by_name = {entry["name"]: entry for entry in layers}
    parents: dict[tuple, list[tuple]] = {}
    for entry in layers:
        for k, node in enumerate(entry.get("inbound_nodes", [])):
            args = node.get("args", []) if isinstance(node, dict) else node
            parents[(entry["name"], k)] = [(t[0], t[1]) for t in _flat(args)]
    visit_index, finished = {}, []
    done: set = set()
    active: set = set()

    def walk(node):  # depth first from an output, recording first visits (iteratively)
        stack = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if current in done:
                continue
            if expanded:
                active.discard(current)
                done.add(current)
                finished.append(current)
                continue
            if current in active:
                raise ValueError(f"the graph has a cycle through layer {current[0]!r}")
            active.add(current)
            visit_index.setdefault(current[0], len(visit_index))
            stack.append((current, True))
            stack.extend((p, False) for p in reversed(parents.get(current, [])))

    for layer_name, node_index, _ in _flat(output_layers):
        walk((layer_name, node_index))
    node_depth, layer_depth = {}, {}
    for node in reversed(finished):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node[0], 0))
        layer_depth[node[0]] = node_depth[node] = depth
        for parent in parents.get(node, []):
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for layer_name, _, _ in _flat(input_layers):  # inputs no output depends on
        if layer_name not in layer_depth:
            layer_depth[layer_name], visit_index[layer_name] = 0, -1
    names = sorted(layer_depth, key=lambda n: (-layer_depth[n], visit_index[n]))
    return [by_name[n] for n in names if n in by_name]
