"""The graph: a model's layer calls in topological order, run forward and backward.

Forward runs each node's ``layer.forward`` on the tensors it takes; backward runs the nodes in
reverse, handing each its output's gradient and adding up the gradients that meet at a tensor
(a tensor used by several layers, a merge's inputs). A layer called more than once (a shared
layer, a nested model used twice) keeps one set of workspaces and caches per call, and its
weight gradients add up over its calls. Nodes that no trainable weight lies behind skip their
backward; layers whose inputs need no gradient are told so (``needs_input_grad``).

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Add, Dense, Input
>>> x = Input((2,))
>>> shared = Dense(2, kernel_initializer="ones", use_bias=False)
>>> y = Add()([shared(x), shared(x)])
>>> graph = Graph([x], [y])
>>> [type(s.layer).__name__ for s in graph.steps], graph.steps[0].shared
(['Dense', 'Dense', 'Add'], True)
"""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import ConfigError
from ..layers import InputLayer
from ..layers.symbolic import pack_structure

__all__ = ["Graph"]

_passes = itertools.count(1)


class Step:
    """One node of the graph as it runs: the layer, the slots it reads and writes."""

    __slots__ = (
        "adds_losses",
        "fused",
        "ins",
        "layer",
        "needs_input_grad",
        "nested",
        "node",
        "outs",
        "run_backward",
        "shared",
        "single_out",
        "state",
        "structure",
    )

    def __init__(self, node, slot_of):
        self.layer, self.node, self.structure = node.layer, node, node.structure
        self.ins = [slot_of[id(t)] for t in node.inputs]
        self.outs = [slot_of[id(t)] for t in node.outputs]
        self.single_out = len(self.outs) == 1
        self.nested = hasattr(self.layer, "_graph")  # a model: it adds up inside its own graph
        self.shared, self.state, self.fused = False, None, False
        self.run_backward = self.needs_input_grad = True
        self.adds_losses = hasattr(self.layer, "_loss_total")  # a custom layer's add_loss


def has_trainable_weights(layer) -> bool:
    """True if ``fit`` would update some weight of ``layer`` (or of a nested model's layers)."""
    inner = getattr(layer, "_weighted_layers", None)
    if inner is not None:
        return layer.trainable and any(has_trainable_weights(lay) for lay in inner())
    return layer.trainable and bool(layer.param_specs())


class Graph:
    """The nodes between ``inputs`` and ``outputs`` (lists of symbolic tensors)."""

    def __init__(self, inputs: list, outputs: list):
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.nodes = _topological_nodes(self.inputs, self.outputs)
        slot_of: dict[int, int] = {}
        for tensor in [*self.inputs, *(t for n in self.nodes for t in n.outputs)]:
            slot_of.setdefault(id(tensor), len(slot_of))
        self.input_slots = [slot_of[id(t)] for t in self.inputs]
        self.output_slots = [slot_of[id(t)] for t in self.outputs]
        self.steps = [Step(node, slot_of) for node in self.nodes]
        counts: dict[int, int] = {}
        for step in self.steps:
            counts[id(step.layer)] = counts.get(id(step.layer), 0) + 1
        for step in self.steps:
            step.shared = counts[id(step.layer)] > 1
        self.fan_out = [0] * len(slot_of)
        for step in self.steps:
            for slot in step.ins:
                self.fan_out[slot] += 1
        for slot in self.output_slots:
            self.fan_out[slot] += 1
        self._values: list = [None] * len(slot_of)
        self._grads: list = [None] * len(slot_of)
        self._no_grads: list = [None] * len(slot_of)
        self._sums: dict[int, np.ndarray] = {}
        self._plan_for: bool | None = None
        self.activity_loss = 0.0
        self.input_layers = [t.node.layer for t in self.inputs]
        self.layers = _unique([*self.input_layers, *(s.layer for s in self.steps)])

    @property
    def is_chain(self) -> bool:
        """One input, one output, each layer called once on the previous one's output."""
        return (len(self.inputs) == len(self.outputs) == 1 and not any(s.shared for s in self.steps)
                and all(len(s.ins) == 1 and s.ins[0] == i for i, s in
                        enumerate(self.steps)))

    def producer(self, output_index: int) -> Step | None:
        """The step that computes output ``output_index`` (None if it is an input)."""
        slot = self.output_slots[output_index]
        return next((s for s in self.steps if slot in s.outs), None)

    def set_fused(self, flags: list[bool]) -> None:
        """Mark the steps whose output's loss takes dL/d(pre-activation) directly."""
        for step in self.steps:
            step.fused = False
        for i, flag in enumerate(flags):
            step = self.producer(i)
            if flag and step is not None:
                step.fused = True

    # -- forward ---------------------------------------------------------------------------
    def forward(self, xs: list, training: bool) -> list:
        values = self._values
        for slot, x in zip(self.input_slots, xs, strict=True):
            values[slot] = x
        self.activity_loss = 0.0  # the activity regularizers' penalties of this pass
        for step in self.steps:
            layer = step.layer
            if step.shared:
                _enter(step)
            if step.structure == "single":
                out = layer.forward(values[step.ins[0]], training)
            else:
                out = layer.forward(pack_structure([values[i] for i in step.ins],
                                                   step.structure), training)
            if step.single_out:
                values[step.outs[0]] = out
            else:
                for slot, o in zip(step.outs, out, strict=True):
                    values[slot] = o
            if step.shared:
                step.state = layer._save_call_state()
            if step.nested or layer.activity_regularizer is not None:
                self.activity_loss += _activity_loss(step, out)
            if step.adds_losses:
                self.activity_loss += layer._loss_total()
        return [values[slot] for slot in self.output_slots]

    # -- backward --------------------------------------------------------------------------
    def _plan(self, inputs_need_grad: bool) -> None:
        """Which steps run backward, and which need their input gradients."""
        if self._plan_for is inputs_need_grad:
            return
        requires = [False] * len(self._values)
        for slot in self.input_slots:
            requires[slot] = inputs_need_grad
        for step in self.steps:
            step.needs_input_grad = any(requires[i] for i in step.ins)
            step.run_backward = step.needs_input_grad or has_trainable_weights(step.layer)
            for slot in step.outs:
                requires[slot] = step.run_backward
        self._plan_for = inputs_need_grad

    def invalidate_plan(self) -> None:
        self._plan_for = None

    def backward(self, output_grads: list, inputs_need_grad: bool = False,
                 new_pass: bool = True) -> list:
        """Fill the layers' ``grads`` from dL/d(outputs); returns dL/d(inputs) (or Nones)."""
        self._plan(inputs_need_grad)
        if new_pass:
            begin_pass()
        grads = self._grads
        grads[:] = self._no_grads
        for slot, g in zip(self.output_slots, output_grads, strict=True):
            if g is not None:
                self._accumulate(slot, g)
        for step in reversed(self.steps):
            if not step.run_backward:
                continue
            grad = grads[step.outs[0]] if step.single_out else self._output_grads(step)
            if grad is None:  # nothing that needs a gradient depends on this step
                continue
            layer = step.layer
            if step.shared:
                _enter(step)
            layer.needs_input_grad = step.needs_input_grad
            if layer.activity_regularizer is not None and step.single_out:
                grad = layer._activity_backward(grad, self._values[step.outs[0]], step.fused)
            grad_in = _layer_backward(layer, grad, step.fused, step.nested)
            if not step.needs_input_grad:
                continue
            grad_in = grad_in if isinstance(grad_in, (list, tuple)) else [grad_in]
            for slot, g in zip(step.ins, grad_in, strict=True):
                if g is not None:
                    self._accumulate(slot, g)
        return [grads[slot] for slot in self.input_slots]

    def _output_grads(self, step):
        """dL/d(each output) of a step with several (zeros where one has none), or None."""
        outs = [self._grads[slot] for slot in step.outs]
        if all(g is None for g in outs):
            return None
        return [g if g is not None else np.zeros_like(self._values[slot])
                for g, slot in zip(outs, step.outs, strict=True)]

    def _accumulate(self, slot: int, g) -> None:
        """Add ``g`` to the gradient of ``slot``: the first one by reference, later ones into a
        buffer of the slot's own (allocated once per batch size)."""
        current = self._grads[slot]
        if current is None:
            self._grads[slot] = g
            return
        buf = self._sums.get(slot)
        if buf is None or buf.shape != g.shape or buf.dtype != g.dtype:
            buf = self._sums[slot] = np.empty_like(g)
        np.add(current, g, out=buf)
        self._grads[slot] = buf

    # -- per-call state (a nested model used twice) ----------------------------------------
    def save_state(self):
        return ([s.state if s.shared else s.layer._save_call_state() for s in self.steps],
                self._sums)

    def load_state(self, state) -> None:
        step_states, self._sums = state
        for step, s in zip(self.steps, step_states, strict=True):
            if step.shared:
                step.state = s
            else:
                step.layer._load_call_state(s)

    def fresh_state(self) -> None:
        for step in self.steps:
            step.state = None
            if not step.shared:
                step.layer._fresh_call_state()
        self._sums = {}


# -- helpers ---------------------------------------------------------------------------------
_current_pass = 0


def begin_pass() -> None:
    """Start a backward pass: weight gradients are written fresh, then added to."""
    global _current_pass
    _current_pass = next(_passes)


def _layer_backward(layer, grad, fused, nested=False):
    """``layer.backward``; a layer whose gradients this pass already wrote adds to them
    (``nested``: a model, which adds up inside its own graph)."""
    if nested or not layer.grads:
        return layer.backward(grad, preactivation_grad=fused)
    if getattr(layer, "_grads_pass", 0) != _current_pass:
        layer._grads_pass = _current_pass
        return layer.backward(grad, preactivation_grad=fused)
    real = layer.grads
    scratch = getattr(layer, "_scratch_grads", None)
    if scratch is None or any(scratch[k].shape != v.shape or scratch[k].dtype != v.dtype
                              for k, v in real.items()):
        scratch = layer._scratch_grads = {k: np.empty_like(v) for k, v in real.items()}
    layer.grads = scratch
    try:
        grad_in = layer.backward(grad, preactivation_grad=fused)
    finally:
        layer.grads = real
    for k, v in real.items():
        v += scratch[k]
    return grad_in


def _activity_loss(step, out) -> float:
    """The penalty of the step's activity regularizer, and a nested model's own."""
    layer = step.layer
    total = getattr(layer._graph, "activity_loss", 0.0) if step.nested else 0.0
    if layer.activity_regularizer is not None and step.single_out:
        total += layer._activity_penalty(out)
    return total


def _enter(step) -> None:
    if step.state is None:
        step.layer._fresh_call_state()
    else:
        step.layer._load_call_state(step.state)


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _topological_nodes(inputs, outputs) -> list:
    """The nodes that compute ``outputs`` from ``inputs``, each after the nodes it reads."""
    stop = {id(t) for t in inputs}
    for t in inputs:
        if t.node is None or not isinstance(t.node.layer, InputLayer):
            raise ConfigError(f"Model: inputs must come from glassnet.Input(...), got {t!r}")
    order, done, active = [], set(), set()
    for t in outputs:
        if not hasattr(t, "node"):
            raise ConfigError(f"Model: outputs must be tensors from layers called on "
                              f"glassnet.Input(...), got {t!r}")
    # depth-first, iteratively (a stack of 3,000 layers is fine): (node, expanded?)
    stack = [(t, False) for t in reversed(outputs)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            node = tensor
            active.discard(id(node))
            if id(node) not in done:
                done.add(id(node))
                order.append(node)
            continue
        if id(tensor) in stop:
            continue
        node = tensor.node
        if node is None:
            raise ConfigError(f"Model: {tensor!r} was not made by a layer")
        if isinstance(node.layer, InputLayer):
            raise ConfigError(
                f"Model: the outputs depend on Input {node.layer.name!r}, which is not among the "
                "model's inputs; pass every Input the outputs are computed from")
        if id(node) in done:
            continue
        if id(node) in active:
            raise ConfigError(f"Model: the graph has a cycle through layer {node.layer.name!r}")
        active.add(id(node))
        stack.append((node, True))
        stack.extend((t, False) for t in reversed(node.inputs))
    return order


def drop_node(node) -> None:
    """Forget one call of a layer (a trace that is thrown away); renumber the rest."""
    nodes = node.layer._inbound_nodes
    if node in nodes:
        nodes.remove(node)
        for i, other in enumerate(nodes):
            other.index = i


def traces_back_to(node, tensor) -> bool:
    """True if ``node`` was computed (at any depth) from ``tensor``."""
    seen = set()
    stack = list(node.inputs)
    while stack:
        t = stack.pop()
        if t is tensor:
            return True
        if t.node is not None and id(t.node) not in seen:
            seen.add(id(t.node))
            stack.extend(t.node.inputs)
    return False
