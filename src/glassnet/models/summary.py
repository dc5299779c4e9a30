"""``model.summary()``: each layer's output shape and parameter count, and the totals.

A model that is not a plain chain gets Keras's "Connected to" column: the tensors each layer
call took, as ``layer[node][tensor]``.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(3, input_shape=(2,), name="h"), Dense(1, name="o")],
...                             name="tiny")
>>> model.summary()
Model: "tiny"
=====================================
Layer (type)  Output Shape  Param #
=====================================
h (Dense)     (None, 3)     9
o (Dense)     (None, 1)     4
=====================================
Total params: 13 (52 bytes)
Trainable params: 13
Non-trainable params: 0
"""

from __future__ import annotations

from ..layers import InputLayer
from ..layers.layer import format_shape

__all__ = ["counts", "print_summary", "summary_rows"]


def _shape_text(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(format_shape(s) for s in shape)
    return format_shape(shape)


def _connections(model, layer) -> str:
    graph = model._graph
    parts = []
    for step in graph.steps:
        if step.layer is layer:
            parts += [f"{t.node.layer.name}[{t.node.index}][{t.output_index}]"
                      for t in step.node.inputs]
    return ", ".join(parts) or "-"


def summary_rows(model) -> tuple[list[str], list[list[str]]]:
    """(header, rows): one row per layer of ``model.layers``."""
    chain = model._graph is None or model._graph.is_chain
    header = ["Layer (type)", "Output Shape", "Param #"] + ([] if chain else ["Connected to"])
    rows = []
    for layer in model.layers:
        params = layer.count_params() if layer.built else 0
        row = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer.output_shape),
               f"{params:,}"]
        if not chain:
            row.append("-" if isinstance(layer, InputLayer) else _connections(model, layer))
        rows.append(row)
    return header, rows


def counts(model) -> tuple[int, int]:
    """(trainable, non-trainable) parameter counts."""
    if model._graph is None:
        return 0, 0
    trainable = sum(v.value.size for v in model.trainable_weights)
    return trainable, model.count_params() - trainable


def print_summary(model, print_fn=print) -> None:
    header, rows = summary_rows(model)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) + 2 for i, h in enumerate(header)]
    line = "".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    rule = "=" * len(line)
    line = line.rstrip()
    trainable, frozen = counts(model)
    total = trainable + frozen
    print_fn(f'Model: "{model.name}"')
    print_fn(rule)
    print_fn(line)
    print_fn(rule)
    for row in rows:
        print_fn("".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print_fn(rule)
    print_fn(f"Total params: {total:,} ({total * model.dtype.itemsize:,} bytes)")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {frozen:,}")
