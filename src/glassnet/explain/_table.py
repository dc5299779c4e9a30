"""One training step of a small network, worked as the seeds work it by hand.

:func:`explain_table` runs the engine's own forward and backward pass on one sample and writes every
number out: each neuron's net input and output, the error, each delta (BP1 for the output layer,
BP2 for the hidden ones), each partial derivative dE/dw and dE/db as its chain of factors, and
the update. The factors are multiplied out again and checked against the
engine's gradient, so the account and the engine cannot disagree.

The update is the model's own optimizer's: plain gradient descent in the seeds' one line, or
SGD with momentum or Nesterov, Adam or RMSprop (and weight decay) as their chains of formulas,
from the optimizer's current state (its step count, Adam's m and v, the velocities). The
optimizer itself then steps on copies of the parameters, gradients and state, and the written
numbers must match it. The model and its optimizer are left exactly as they were.

Names follow seed 001: inputs ``i1, i2, ...``; hidden neurons ``h1, h2, ...`` (``h2_1`` is neuron
1 of hidden layer 2 when there are several); outputs ``o1, o2, ...``; weights ``w1, w2, ...``
numbered layer by layer, neuron by neuron, so that w1 and w2 feed h1; the bias of neuron ``h1``
is ``b_h1``.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(1, activation="sigmoid", input_shape=(2,), name="ex_o")],
...                             dtype="float64")
>>> model.set_weights([np.array([[0.4], [0.5]]), np.array([0.6])])
>>> model.compile(glassnet.optimizers.SGD(0.5), "mse")
>>> step = explain_table(model, [0.5, 1.0], [1.0])
>>> print(step.gradients["w1"])  # doctest: +NORMALIZE_WHITESPACE
dE/dw1 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw1
       = (-0.428330034) * 0.168298362 * 0.5 = -0.036043622
>>> round(step.updates["w1"].new, 9)
0.418021811
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import numeric_array
from ..errors import ConfigError, GradientCheckError
from ..layers import Dense
from ._lines import factor
from ._pass import as_batch, record
from ._result import Delta, ErrorTerm, Explanation, Factor, Gradient, Neuron, Update
from ._text import (
    activation_texts,
    error_terms,
    fmt,
    loss_gradient_text,
    neuron_names,
)
from ._update import rtol_for, update_step

__all__ = ["explain_table"]

MAX_WEIGHTS = 64
MAX_NEURONS = 16
_FUSED_NOTE = {"softmax": "softmax with cross-entropy", "sigmoid": "sigmoid with cross-entropy"}


def explain_table(model, x, y, *, learning_rate: float | None = None, fixed=()) -> Explanation:
    """Every number of one training step of a small Dense network on one sample (see
    :func:`glassnet.explain`); ``fixed``: parameter paths the model's trainer never moves."""
    shown = numeric_array(x, "x").astype(np.float64).reshape(-1)
    x, y = _one_sample(model, x, y)
    if model.built:
        _check_readable(model)
    lr = float(model.optimizer.learning_rate if learning_rate is None else learning_rate)
    saved_grads = model.grads.copy() if model.built else None  # the pass writes the gradients
    try:
        p = record(model, x, y)
        return _trace(p, _check_readable(model), lr, shown, fixed)
    finally:
        if saved_grads is not None:
            np.copyto(model.grads, saved_grads)


def _trace(p, layers, lr: float, shown, fixed) -> Explanation:
    """The recorded pass on the sample, the account of each step, and the update."""
    model, y, fused = p.model, p.y, p.fused
    names = _neuron_names(layers)
    states = [(r.inputs[0], r.net[0], r.out[0]) for r in p.records]
    total = p.loss
    target = _target_vector(y, p.records[-1].out)
    neurons = _forward_account(layers, states, names)
    deltas, factors = _backward_account(_Trace(model, layers, states, names, target), y, fused)
    gradients = _gradients(layers, states, names, factors)
    _cross_check(gradients, model.dtype)
    update = update_step(model, layers, _movable(gradients, fixed), lr)
    held = {name: Update(name, float(_value(layers, g)), g.value, 0.0, float(_value(layers, g)),
                         lines=(f"{name} stays {fmt(float(_value(layers, g)))} (fixed in this "
                                "model)",))
            for name, g in gradients.items() if f"{g.layer}/{g.index[0]}" in fixed}
    return Explanation(
        model=model.name, loss=model.loss.name, learning_rate=lr,
        inputs={f"i{k + 1}": float(v) for k, v in enumerate(shown)},
        targets={f"{names[-1][k]}": float(v) for k, v in enumerate(target)},
        neurons=neurons, errors={name: ErrorTerm(name, value, formula) for name, value, formula
                                 in error_terms(model.loss, states[-1][2], target, names[-1])},
        total_error=total, deltas=deltas, gradients=gradients,
        updates={name: held.get(name, update.updates.get(name)) for name in gradients},
        optimizer=update.optimizer, step=update.step, update_lines=update.lines)


# -- checks and names ------------------------------------------------------------------------
def _movable(gradients, fixed) -> dict:
    return {k: g for k, g in gradients.items() if f"{g.layer}/{g.index[0]}" not in fixed}


def _value(layers, g) -> float:
    layer = next(layer for layer in layers if layer.name == g.layer)
    return layer.arrays[g.index[0]][g.index[1:]]


def _one_sample(model, x, y):
    x, y = as_batch(model, x, y)
    if x.ndim != 2 or len(x) != 1:
        raise ConfigError(f"explain's whole-table view traces one sample of a small Dense "
                          f"network; got x of shape {x.shape}. Pass one row (explain(model, "
                          "x[0], y[0])), or name one quantity for a batch: explain(model, x, y, "
                          f"weight='{_first_dense(model)}/kernel[0, 0]')")
    return x, y


def _check_readable(model) -> list[Dense]:
    for layer in model._leaf_layers():
        if not isinstance(layer, Dense):
            raise ConfigError(f"explain's whole-table view reads chains of Dense layers; layer "
                              f"{layer.name!r} is {type(layer).__name__}. Name one quantity to "
                              "explain any model: explain(model, x, y, weight="
                              f"'{_first_dense(model)}/kernel[0, 0]')")
    chain = model._leaf_layers()
    widths = [chain[0].input_shape[0], *(layer.units for layer in chain)]
    n_weights = sum(layer.kernel.size for layer in model._leaf_layers())
    if n_weights > MAX_WEIGHTS or max(widths) > MAX_NEURONS:
        raise ConfigError(
            f"explain: model {model.name!r} is too large to read by hand ({n_weights} weights, "
            f"layer widths {'-'.join(map(str, widths))}); it traces networks of at most "
            f"{MAX_WEIGHTS} weights and {MAX_NEURONS} neurons per layer, such as the seeds' "
            "2-2-2 example. For any network name one quantity: explain(model, x, y, "
            f"weight='{model._leaf_layers()[0].name}/kernel[0, 0]')")
    return list(model._leaf_layers())


def _first_dense(model) -> str:
    return next((layer.name for layer in model._leaf_layers() if isinstance(layer, Dense)), "dense")


def _neuron_names(layers) -> list[list[str]]:
    return neuron_names([layers[0].input_shape[0], *(layer.units for layer in layers)])


def _weight_name(layers, index: int, i: int, j: int) -> str:
    """w numbers run layer by layer, then over the receiving neuron j, then the sender i."""
    before = sum(layer.kernel.size for layer in layers[:index])
    return f"w{before + j * layers[index].kernel.shape[0] + i + 1}"


def _target_vector(y, out) -> np.ndarray:
    if y.ndim == 1:  # class labels (sparse cross-entropy)
        return np.eye(out.shape[1])[int(y[0])]
    return y[0].astype(np.float64)


# -- the account -----------------------------------------------------------------------------
def _forward_account(layers, states, names) -> dict[str, Neuron]:
    neurons = {}
    for index, (layer, (a_prev, net, out)) in enumerate(zip(layers, states, strict=True)):
        senders, own = names[index], names[index + 1]
        for j, name in enumerate(own):
            ws = [_weight_name(layers, index, i, j) for i in range(len(senders))]
            symbols = [f"{w} * {s if index == 0 else 'out_' + s}"
                       for w, s in zip(ws, senders, strict=True)]
            values = [f"{factor(layer.kernel[i, j])} * {factor(a_prev[i])}"
                      for i in range(len(senders))]
            if layer.use_bias:
                symbols.append(f"b_{name}")
                values.append(factor(layer.bias[j]))
            net_text = (f"net_{name} = {' + '.join(symbols)} = {' + '.join(values)} "
                        f"= {fmt(net[j])}")
            neurons[name] = Neuron(name, layer.name, float(net[j]), float(out[j]), net_text,
                                   f"out_{name} = {activation_texts(layer.activation, name)[0]}"
                                   f" = {fmt(out[j])}")
    return neurons


@dataclass
class _Trace:
    """What the backward account reads: the model, its Dense layers, their (input, net, out)
    for the sample, the neuron names per layer and the target vector."""

    model: object
    layers: list
    states: list
    names: list
    target: np.ndarray


@dataclass
class _LayerStep:
    """One layer's backward quantities while the account is written (last layer first)."""

    index: int
    grad_out: np.ndarray | None  # dE/dout per neuron; None for a fused output layer
    delta: np.ndarray  # dE/dnet per neuron
    next_delta: np.ndarray | None  # the deltas of the layer above, for the BP2 sums


def _backward_account(trace: _Trace, y, fused: bool):
    """Deltas for every neuron and, per neuron, the leading factors of its gradients."""
    model, layers, states, names = trace.model, trace.layers, trace.states, trace.names
    per_layer, lead, next_delta = [], {}, None
    out = states[-1][2][None]
    if fused:
        output_delta = model.loss.logits_grad(y, out.copy(), None, np.empty_like(out))[0]
        grad_out = None
    else:
        grad_out = model.loss.backward(y, out, None, np.empty_like(out))[0]
    for index in range(len(layers) - 1, -1, -1):
        layer, (_, net, out) = layers[index], states[index]
        if index < len(layers) - 1:
            grad_out = layers[index + 1].kernel @ next_delta
        if grad_out is None:
            delta = output_delta
        else:
            delta = layer.activation.backward(grad_out[None], net[None], out[None],
                                              np.empty((1, len(out))))[0]
        step, deltas = _LayerStep(index, grad_out, delta, next_delta), {}
        for j, name in enumerate(names[index + 1]):
            lines, factors, d_act = _delta_lines(trace, step, j)
            deltas[name] = Delta(name, "BP1" if index == len(layers) - 1 else "BP2",
                                 float(delta[j]), None if grad_out is None else float(grad_out[j]),
                                 d_act, tuple(lines))
            lead[name] = factors
        per_layer.append(deltas)
        next_delta = delta
    return {k: v for deltas in per_layer for k, v in deltas.items()}, lead


def _first_line(trace: _Trace, step: _LayerStep, j: int) -> str:
    """BP1: dE/dout from the loss; BP2: dE/dout as the sum over the neurons it feeds."""
    layers, names, index = trace.layers, trace.names, step.index
    name, out = names[index + 1][j], trace.states[index][2]
    if index == len(layers) - 1:
        text = loss_gradient_text(trace.model.loss, name, out[j], trace.target[j], len(out),
                                  step.grad_out is None)
        if step.grad_out is None:
            note = _FUSED_NOTE.get(layers[index].activation.name, "fused")
            return f"delta_{name} = dE/dnet_{name} = {text} = {fmt(step.delta[j])}   ({note})"
        return f"dE/dout_{name} = {text} = {fmt(step.grad_out[j])}"
    kernel, receivers = layers[index + 1].kernel, names[index + 2]
    chains = [f"dE/dnet_{r} * dnet_{r}/dout_{name}" for r in receivers]  # the seed's sum
    symbols = [f"delta_{r} * {_weight_name(layers, index + 1, j, k)}"
               for k, r in enumerate(receivers)]
    values = [f"{factor(step.next_delta[k])} * {factor(kernel[j, k])}"
              for k in range(len(receivers))]
    return (f"dE/dout_{name} = {' + '.join(chains)} = {' + '.join(symbols)} = "
            f"{' + '.join(values)} = {fmt(step.grad_out[j])}")


def _delta_lines(trace: _Trace, step: _LayerStep, j: int):
    """The derivation of one delta, the factors its gradients start with, and dout/dnet."""
    name, act = trace.names[step.index + 1][j], trace.layers[step.index].activation
    first = _first_line(trace, step, j)
    if step.grad_out is None:
        return [first], [Factor(f"dE/dnet_{name}", float(step.delta[j]))], None
    if act.name == "softmax":
        line = (f"delta_{name} = dE/dnet_{name} = out_{name} * (dE/dout_{name} - sum_k out_k * "
                f"dE/dout_k) = {fmt(step.delta[j])}   (the softmax Jacobian)")
        return [first, line], [Factor(f"dE/dnet_{name}", float(step.delta[j]))], None
    _, net, out = trace.states[step.index]
    d_act = float(act.backward(np.ones((1, 1)), net[None, j:j + 1], out[None, j:j + 1],
                               np.empty((1, 1)))[0, 0])
    g = float(step.grad_out[j])
    how = activation_texts(act, name)[1]
    how = "" if how == fmt(d_act) else f"{how} = "
    lines = [first, f"dout_{name}/dnet_{name} = {how}{fmt(d_act)}",
             f"delta_{name} = dE/dout_{name} * dout_{name}/dnet_{name} = {factor(g)} * "
             f"{factor(d_act)} = {fmt(step.delta[j])}"]
    return lines, [Factor(f"dE/dout_{name}", g), Factor(f"dout_{name}/dnet_{name}", d_act)], d_act


def _gradients(layers, states, names, lead) -> dict[str, Gradient]:
    """BP4 (dE/dw = delta * the sender's out) and BP3 (dE/db = delta * 1), engine values."""
    gradients = {}
    for index, (layer, (a_prev, _, _)) in enumerate(zip(layers, states, strict=True)):
        senders = names[index]
        for j, name in enumerate(names[index + 1]):
            for i in range(len(senders)):
                w = _weight_name(layers, index, i, j)
                label = f"dnet_{name}/d{w}"
                gradients[w] = Gradient(w, layer.name, ("kernel", i, j),
                                        float(layer.grads["kernel"][i, j]),
                                        (*lead[name], Factor(label, float(a_prev[i]))))
            if layer.use_bias:
                b = f"b_{name}"
                gradients[b] = Gradient(b, layer.name, ("bias", j), float(layer.grads["bias"][j]),
                                        (*lead[name], Factor(f"dnet_{name}/d{b}", 1.0)))
    return dict(sorted(gradients.items(), key=lambda kv: _order(kv[0], names)))


def _order(param: str, names) -> tuple:
    """Weights by number, then the biases layer by layer."""
    if param.startswith("w"):
        return (0, int(param[1:]))
    flat = [n for layer in names[1:] for n in layer]
    return (1, flat.index(param[2:]))


def _cross_check(gradients: dict[str, Gradient], dtype) -> None:
    rtol = rtol_for(dtype)
    for g in gradients.values():
        if not np.isclose(g.product, g.value, rtol=rtol, atol=rtol * 1e-3):
            raise GradientCheckError(
                f"explain: the chain of factors for {g.param} gives {g.product!r} but the "
                f"engine's gradient is {g.value!r}; please report this as a bug")
