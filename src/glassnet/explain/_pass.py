"""The one place where :mod:`glassnet.explain` drives the engine: a recorded training pass.

:func:`record` runs the model's own ``forward`` of every layer in order, the loss's value and
gradient (the fused ``p - y`` where the model's last activation pairs with its loss) and every
layer's own ``backward`` from the last down to the first layer with parameters, as
``_training.backprop`` does, and keeps a copy of what each layer saw: its input, net input
(pre-activation), output, the gradient arriving at its output and the one it passes down.

Gradients are kept **per sample**: the engine's are ``1/n`` of them (the losses average over
the batch), so each is multiplied by ``n``; ``E = 1/n sum_s E_s`` and the model's gradient is
the mean of the per-sample ones. What this relies on from the engine:
``model._leaf_layers()`` (a chain, in order), each layer's ``forward(x, training)`` /
``backward(grad, preactivation_grad)`` and its ``grads`` views, ``Dense.net`` / ``.out`` /
``.activation``, ``Activation.net``, ``model.fused_output`` and ``_training.prepare_single`` /
``loss_and_grad``. The model's ``grads`` are overwritten (callers restore them).

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> m = glassnet.Sequential([Dense(1, input_shape=(1,), name="rec_lin")], dtype="float64")
>>> m.set_weights([np.array([[2.0]]), np.array([0.0])]); m.compile("sgd", "mse")
>>> p = record(m, [[1.0], [2.0]], [[3.0], [3.0]])
>>> p.records[0].grad_out.ravel().tolist(), p.loss
([-2.0, 2.0], 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from ..models import training as _training
from ._support import check_explainable

__all__ = ["LayerRecord", "Pass", "as_batch", "record"]


@dataclass
class LayerRecord:
    """What one layer saw in the pass, per sample (first axis): see the module docstring.

    ``delta`` is dE_s/dnet for a Dense layer and dE_s/d(input) for an Activation layer;
    ``grad_out`` is None for the fused last layer (its delta comes straight from the loss).
    """

    layer: object
    index: int
    inputs: np.ndarray
    out: np.ndarray
    net: np.ndarray | None = None
    grad_out: np.ndarray | None = None
    delta: np.ndarray | None = None
    grad_in: np.ndarray | None = None
    local: np.ndarray | None = None  # elementwise layers: d(out)/d(in), e.g. Dropout's mask


@dataclass
class Pass:
    """A recorded pass: layer records, targets, the loss (batch mean) and the engine's grads."""

    model: object
    x: np.ndarray
    y: np.ndarray
    records: list[LayerRecord]
    loss: float
    fused: bool
    grads: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.x)


def _input_shape(model):
    if model.input_shape is not None:
        return tuple(model.input_shape)
    first = model._leaf_layers()[0] if model._leaf_layers() else None
    return None if first is None or first.input_shape is None else tuple(first.input_shape)


def as_batch(model, x, y):
    """``x`` as a batch: one sample of the model's input shape gains the batch axis (and its
    target too)."""
    x, y = np.asarray(x), np.asarray(y)
    shape = _input_shape(model)
    if (x.ndim == 1 and shape is None) or (shape is not None and x.shape == shape):
        x, y = x[None], y[None]
    return x, y


def record(model, x, y) -> Pass:
    """Forward and backward of the batch ``(x, y)`` with every layer's quantities kept."""
    model._require_compiled("explain")
    if model._graph is not None and not model._graph.is_chain:
        raise ConfigError(
            f"explain follows a chain of layers; model {model.name!r} has branches, merges, "
            "shared layers or several inputs/outputs. Check its gradients with "
            "glassnet.gradcheck(model, x, y), or explain a chain part of it")
    lambdas = [layer.name for layer in model._leaf_layers() if type(layer).__name__ == "Lambda"]
    if lambdas:
        raise ConfigError(f"explain: layer {lambdas[0]!r} is a Lambda, a Python function that "
                          "explain cannot show term by term; check the model's gradients with "
                          "glassnet.gradcheck(model, x, y)")
    check_explainable(model)
    x, y = as_batch(model, x, y)
    x, y, _ = _training.prepare_single(model, x, y)
    h = np.ascontiguousarray(x, dtype=model.dtype)
    records = []
    for index, layer in enumerate(model._leaf_layers()):
        inputs = h.copy()
        h = layer.forward(h, True)
        net = getattr(layer, "net", None)
        records.append(LayerRecord(layer, index, inputs, h.copy(),
                                   None if net is None else np.array(net)))
    fused = model.fused_output
    value, grad = _training.loss_and_grad(model, y, h, None, fused, np.empty_like(h))
    _backward(model, records, grad, fused)
    return Pass(model, x.astype(model.dtype), y, records, float(value), fused,
                model.grads.copy())


def _first_trainable(model) -> int:
    return next((i for i, layer in enumerate(model._leaf_layers()) if layer.param_specs()),
                len(model._leaf_layers()))


def _backward(model, records, grad, fused) -> None:
    n, first = len(grad), _first_trainable(model)
    for rec in reversed(records[first:]):
        layer, last = rec.layer, rec is records[-1]
        head = last and fused
        rec.grad_out = None if head else grad * n
        rec.delta = _delta(layer, grad, head) * n if hasattr(layer, "activation") else None
        grad = layer.backward(grad, preactivation_grad=head)
        rec.grad_in = None if grad is None else grad * n
    for rec in records[first:]:  # local derivatives of the layers without parameters
        if not rec.layer.param_specs() and rec.grad_out is not None:
            rec.local = np.array(rec.layer.backward(np.ones_like(rec.out)))
        if rec.grad_in is None and rec.index > first:
            raise ConfigError(f"explain: layer {rec.layer.name!r} passed no gradient down")


def _delta(layer, grad, head) -> np.ndarray:
    """dE/dnet of a Dense layer (dE/d(input) of an Activation layer) from dE/d(out)."""
    if head or layer.activation.name == "linear":
        return grad.copy()
    out = layer.out
    return layer.activation.backward(grad, layer.net, out, np.empty_like(out))
