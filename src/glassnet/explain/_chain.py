"""The chain rule for one quantity of one sample, layer by layer, from a recorded pass.

:func:`chain_sections` writes, from the loss down to the layer of the weight or neuron asked
for: the loss's derivative (a fused head's derivation), and for each layer above it the sum over
the units it fans out to (the largest terms shown, the rest summed), the activation's
derivative and the delta. Which units are written is decided bottom-up: the weight's own unit,
then the units of the layer above whose terms are largest in its sum, and so on. Every number
written comes from the pass (the engine); each sum is checked against the engine's value.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> from glassnet.explain._pass import record
>>> m = glassnet.Sequential([Dense(1, input_shape=(1,), name="ch_lin")], dtype="float64")
>>> m.set_weights([np.array([[2.0]]), np.array([0.0])]); m.compile("sgd", "mse")
>>> sections = chain_sections(record(m, [1.0], [3.0]), 0, 0, 0, top=4)
>>> print(sections[0].lines[1].text())
dE_s/do[0] = 2/1 * (o[0] - t_0) = 2/1 * (2 - 3) = -2
"""

from __future__ import annotations

import numpy as np

from ..layers import Dense, Dropout, Flatten
from ._heads import check_value, fused_lines, loss_lines
from ._lines import Line, Section, factor, terms
from ._text import fmt

__all__ = ["activation_line", "chain_sections", "input_name", "needed_units", "target_vector"]


def target_vector(p, s: int) -> np.ndarray:
    """Sample ``s``'s target as a vector (class labels of sparse losses one-hot)."""
    width = p.records[-1].out.shape[1]
    y = p.y[s]
    if np.ndim(y) == 0:
        return np.eye(width)[int(y)]
    return np.asarray(y, dtype=np.float64).reshape(-1)


def _kind(layer) -> str:
    activation = getattr(layer, "activation", None)
    return f"{type(layer).__name__}, {activation.name}" if activation else type(layer).__name__


def _top(values: np.ndarray, top: int) -> list[int]:
    return [int(k) for k in np.argsort(-np.abs(values), kind="stable")[:top]]


def needed_units(p, layer: int, unit: int, s: int, top: int) -> dict[int, list[int]]:
    """For each layer from ``layer`` up, the output units whose dE/dout the chain writes."""
    need = {layer: [unit]}
    for m in range(layer + 1, len(p.records)):
        rec, below = p.records[m], need[m - 1]
        if isinstance(rec.layer, Dense):
            contrib = np.abs(rec.layer.kernel[below, :] * rec.delta[s][None, :]).max(axis=0)
            need[m] = _top(contrib, top)
        elif getattr(rec.layer, "activation", None) is not None and \
                rec.layer.activation.name == "softmax" and rec.grad_out is not None:
            extra = [k for k in _top(rec.out[s] * rec.grad_out[s], top) if k not in below]
            need[m] = [*below, *extra][:max(top, len(below))]
        else:
            need[m] = list(below)
    return need


def input_name(p, layer: int, i) -> str:
    """The name of input ``i`` of layer ``layer``: ``x[...]`` or the output of the layer below."""
    if layer == 0:
        return f"x[{i}]"
    below = p.records[layer - 1].layer
    if layer == 1 and isinstance(below, Flatten):
        index = np.unravel_index(int(i), p.records[0].inputs.shape[1:])
        return f"x[{', '.join(str(int(k)) for k in index)}]"
    return f"out_{below.name}[{i}]"


def activation_line(act, name: str, u: int, z: float, a: float, d: float) -> Line:
    """dout/dnet of one unit for an elementwise activation, with its numbers."""
    lhs, kind = f"dout_{name}[{u}]/dnet_{name}[{u}]", act.name
    if kind == "sigmoid":
        return Line(lhs, (f"out[{u}] * (1 - out[{u}])", f"{fmt(a)} * {fmt(1 - a)}"), d)
    if kind == "tanh":
        return Line(lhs, (f"1 - out[{u}]^2", f"1 - {factor(a)}^2"), d)
    if kind in ("relu", "leaky_relu") and type(act).__name__ != "KerasReLU":
        low = "0" if kind == "relu" else fmt(act.negative_slope)
        return Line(lhs, (f"1 if net > 0 else {low}",), d, f"net = {fmt(z)}")
    if kind == "exponential":
        return Line(lhs, (f"e^net[{u}] = out[{u}]",), d)
    if kind == "linear":
        return Line(lhs, (), d, "linear")
    return Line(lhs, (f"{kind}'(net[{u}])",), d)


def _local(act, z: float, a: float) -> float:
    """The activation's own backward of 1 at one unit: dout/dnet (elementwise activations)."""
    out = act.backward(np.ones((1, 1)), np.array([[z]]), np.array([[a]]), np.empty((1, 1)))
    return float(out[0, 0])


def _softmax_delta(name: str, u: int, out, g, value: float) -> Line:
    inner = float(np.dot(out, g))
    return Line(f"delta_{name}[{u}]", (f"out[{u}] * (dE_s/dout[{u}] - sum_k out[k] dE_s/dout[k])",
                                       f"{fmt(out[u])} * ({fmt(g[u])} - {factor(inner)})"),
                value, "the softmax Jacobian")


def _delta_lines(rec, s: int, units) -> list[Line]:
    """dout/dnet and delta = dE/dout * dout/dnet of a Dense layer's units (not a fused head)."""
    layer, name, lines = rec.layer, rec.layer.name, []
    act = layer.activation
    for u in units:
        g, value = float(rec.grad_out[s, u]), float(rec.delta[s, u])
        if act.name == "softmax":
            lines.append(_softmax_delta(name, u, rec.out[s], rec.grad_out[s], value))
            continue
        if act.name == "linear":
            lines.append(Line(f"delta_{name}[{u}]", (f"dE_s/dout_{name}[{u}]",), value,
                              "linear: dout/dnet = 1"))
            continue
        d = _local(act, float(rec.net[s, u]), float(rec.out[s, u]))
        lines.append(activation_line(act, name, u, float(rec.net[s, u]), float(rec.out[s, u]), d))
        lines.append(Line(f"delta_{name}[{u}]", (f"dE_s/dout_{name}[{u}] * dout/dnet",
                                                 f"{factor(g)} * {factor(d)}"), value))
        check_value(g * d, value, f"delta of {name}[{u}]", rec.out.dtype)
    return lines


def _head(p, s: int, units) -> Section:
    rec, loss = p.records[-1], p.model.loss
    name, t = rec.layer.name, target_vector(p, s)
    if p.fused:
        act = rec.layer.activation.name
        lines = fused_lines(loss, act, rec.out[s], t, rec.delta[s], units, name)
        return Section(f"Loss of sample {s + 1}: {loss.name} on {act}, fused (z: the net input "
                       f"of {name}, p: its output, y: the target)", tuple(lines))
    lines = loss_lines(loss, rec.out[s], t, rec.grad_out[s], units)
    if isinstance(rec.layer, Dense) and not loss.from_logits:
        lines += _delta_lines(rec, s, units)
    elif isinstance(rec.layer, Dense):
        lines += [Line(f"delta_{name}[{u}]", (f"dE_s/dz[{u}]",), float(rec.delta[s, u]))
                  for u in units]
    return Section(f"Loss of sample {s + 1}: {loss.name} (o: the output of {name} "
                   f"({_kind(rec.layer)}), t: the target)", tuple(lines))


def _from_above(p, m: int, s: int, u: int, top: int) -> Line:
    """dE/dout of unit u of layer m, from the layer above it."""
    above, rec = p.records[m + 1], p.records[m]
    name, up = rec.layer.name, above.layer.name
    lhs, value = f"dE_s/dout_{name}[{u}]", float(rec.grad_out[s, u])
    layer = above.layer
    if isinstance(layer, Dense):
        products = layer.kernel[u, :] * above.delta[s]
        shown = _top(products, top)
        rest = [k for k in range(len(products)) if k not in shown]
        left = (len(rest), float(products[rest].sum())) if rest else None
        check_value(float(products.sum()), value, f"dE/dout of {name}[{u}]", rec.out.dtype,
                    float(np.abs(products).sum()))
        symbols = " + ".join(f"delta_{up}[{k}] * w_{up}[{u}, {k}]" for k in shown)
        if rest:
            symbols += f" + ... ({len(rest)} more)"
        return Line(lhs, (f"sum_k delta_{up}[k] * w_{up}[{u}, k]", symbols,
                          terms([(above.delta[s, k], layer.kernel[u, k]) for k in shown], left)),
                    value, f"{len(products)} units of {up}" if rest else "")
    if above.grad_out is None:  # a fused Activation head
        return Line(lhs, (f"delta_{up}[{u}]",), value)
    g = above.grad_out[s]
    if isinstance(layer, Flatten):
        return Line(lhs, (f"dE_s/dout_{up}[{u}]",), value, "Flatten passes it through")
    if type(layer) is Dropout:
        mask = float(above.local[s, u])
        note = "dropped" if mask == 0 else f"kept, scaled by 1/(1 - {fmt(layer.rate)})"
        return Line(lhs, (f"dE_s/dout_{up}[{u}] * mask[{u}]", f"{factor(g[u])} * {fmt(mask)}"),
                    value, note)
    if not hasattr(layer, "activation") or isinstance(layer, Dropout):
        local = float(above.local[s, u])  # Identity, Normalization, the noise layers
        return Line(lhs, (f"dE_s/dout_{up}[{u}] * dout_{up}[{u}]/din[{u}]",
                          f"{factor(g[u])} * {factor(local)}"), value, type(layer).__name__)
    act = layer.activation
    if act.name == "softmax":
        inner = float(np.dot(above.out[s], g))
        return Line(lhs, (f"out_{up}[{u}] * (dE_s/dout_{up}[{u}] - sum_k out_{up}[k] "
                          f"dE_s/dout_{up}[k])", f"{fmt(above.out[s, u])} * ({fmt(g[u])} - "
                          f"{factor(inner)})"), value, "the softmax Jacobian")
    d = float(above.local[s, u])
    return Line(lhs, (f"dE_s/dout_{up}[{u}] * {act.name}'(out_{name}[{u}])",
                      f"{factor(g[u])} * {factor(d)}"), value)


def _layer_section(p, m: int, s: int, units, top: int) -> Section:
    rec = p.records[m]
    lines = [_from_above(p, m, s, u, top) for u in units]
    if isinstance(rec.layer, Dense):
        lines += _delta_lines(rec, s, units)
    return Section(f"Layer {rec.layer.name} ({_kind(rec.layer)}) of sample {s + 1}", tuple(lines))


def chain_sections(p, layer: int, unit: int, s: int, top: int) -> list[Section]:
    """The loss's section, then one per layer down to ``layer``, for ``unit``'s delta."""
    need = needed_units(p, layer, unit, s, top)
    last = len(p.records) - 1
    sections = [_head(p, s, need[last])]
    sections += [_layer_section(p, m, s, need[m], top) for m in range(last - 1, layer - 1, -1)]
    return sections


def forward_lines(p, layer: int, unit: int, s: int, top: int) -> list[Line]:
    """How the unit's net input and output follow from its inputs, for sample ``s``."""
    rec = p.records[layer]
    lay, name = rec.layer, rec.layer.name
    inputs = rec.inputs[s].reshape(-1)
    products = lay.kernel[:, unit] * inputs
    shown = _top(products, top)
    rest = [k for k in range(len(products)) if k not in shown]
    left = (len(rest), float(products[rest].sum())) if rest else None
    symbols = " + ".join(f"w[{k}, {unit}] * {input_name(p, layer, k)}" for k in shown)
    numbers = terms([(lay.kernel[k, unit], inputs[k]) for k in shown], left)
    if lay.use_bias:
        b = float(lay.bias[unit])
        symbols += f" + b[{unit}]"
        numbers += f" - {fmt(-b)}" if b < 0 else f" + {fmt(b)}"
    net = float(rec.net[s, unit])
    bias = float(lay.bias[unit]) if lay.use_bias else 0.0
    check_value(float(products.sum()) + bias, net, f"net of {name}[{unit}]", rec.out.dtype,
                float(np.abs(products).sum()) + abs(bias))
    lines = [Line(f"net_{name}[{unit}]", (f"sum_i w[i, {unit}] * in[i] + b[{unit}]"
                                          if lay.use_bias else f"sum_i w[i, {unit}] * in[i]",
                                          symbols, numbers), net,
                  f"{len(products)} inputs" if rest else "")]
    out = float(rec.out[s, unit])
    if lay.activation.name != "linear":
        lines.append(Line(f"out_{name}[{unit}]", (f"{lay.activation.name}(net_{name}[{unit}])",),
                          out))
    return lines
