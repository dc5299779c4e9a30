"""Regularization penalties and weight constraints around a training step (Keras's order).

The weight regularizers of the trainable weights (each layer's ``<weight>_regularizer``) add
their penalty, at the weights the step starts from, to the step's loss and their gradient to
the weights' gradients; the activity regularizers' penalties come from the graph's forward pass
(their gradients from its backward pass). After the optimizer's update, each trainable weight
with a ``<weight>_constraint`` is replaced by the constrained values, in place. The lists are
found once per layout (``Model._prepare_optimizer`` clears them).

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> m = glassnet.Sequential([Dense(1, input_shape=(2,), kernel_initializer="ones",
...                                kernel_regularizer="l2", name="pen")])
>>> m.compile("sgd", "mse"); m.build((2,))
>>> round(regularization_loss(m), 6)  # 0.01 * (1^2 + 1^2)
0.02
"""

from __future__ import annotations

__all__ = ["add_penalties", "apply_constraints", "regularization_loss", "settings"]


def _collect(model):
    penalties, constrained = [], []
    for layer in model._leaf_layers():
        if not layer.trainable or not layer.built:
            continue
        for name, _, _ in layer.param_specs():
            regularizer = layer._regularizer_for(name)
            if regularizer is not None:
                penalties.append((layer, name, regularizer))
            constraint = layer._constraint_for(name)
            if constraint is not None:
                constrained.append((layer, name, constraint))
    return penalties, constrained


def _lists(model):
    storage = getattr(model, "_storage_", None)
    cached = getattr(model, "_penalty_lists", None)
    if cached is None or cached[0] is not storage:
        cached = model._penalty_lists = (storage, *_collect(model))
    return cached[1], cached[2]


def add_penalties(model, total: float) -> float:
    """``total`` plus the weight and activity penalties; the weight penalties' gradients are
    added to the layers' gradients (call after the backward pass)."""
    penalties, _ = _lists(model)
    for layer, name, regularizer in penalties:
        weights = layer.arrays[name]
        total += regularizer(weights)
        layer.grads[name] += regularizer.gradient(weights)
    return total + model._graph.activity_loss


def regularization_loss(model) -> float:
    """The weight penalties at the current weights plus the last forward pass's activity
    penalties (what ``evaluate`` adds to each batch's loss, as Keras does)."""
    penalties, _ = _collect(model)  # not cached: trainable flags may change between calls
    return (sum(regularizer(layer.arrays[name]) for layer, name, regularizer in penalties)
            + model._graph.activity_loss)


def apply_constraints(model) -> None:
    """Replace each constrained trainable weight by its constrained values (after a step)."""
    for layer, name, constraint in _lists(model)[1]:
        weights = layer.arrays[name]
        weights[...] = constraint(weights)



def settings(model) -> list[str]:
    """'layer/kernel_regularizer', ... for every regularizer and constraint that trains."""
    penalties, constrained = _collect(model)
    found = [f"{layer.name}/{name}_regularizer" for layer, name, _ in penalties]
    found += [f"{layer.name}/{name}_constraint" for layer, name, _ in constrained]
    return found + [f"{layer.name}/activity_regularizer" for layer in model._leaf_layers()
                    if layer.activity_regularizer is not None]
