"""The formulas :mod:`glassnet.explain` writes: numbers, activations, errors, loss gradients.

Example
-------
>>> fmt(0.7413650700), fmt(0.0821670407), fmt(-0.5), fmt(0.35)
('0.74136507', '0.082167041', '-0.5', '0.35')
>>> fmt(1.0), fmt(-2e-12)
('1', '-2.000e-12')
>>> fmt_sig(1.92344111e-07), fmt_sig(0.000438568), fmt_sig(1e-07)
('1.92344111e-07', '0.000438568', '1e-07')
"""

from __future__ import annotations

import math

__all__ = ["activation_texts", "error_terms", "fmt", "fmt_sig", "loss_gradient_text",
           "neuron_names"]


def neuron_names(widths: list[int]) -> list[list[str]]:
    """Seed 001's names per layer: inputs i1.., hidden h1.. (h2_1.. with several hidden
    layers), outputs o1.."""
    hidden = widths[1:-1]
    names = [[f"i{k + 1}" for k in range(widths[0])]]
    for h, width in enumerate(hidden, 1):
        prefix = "h" if len(hidden) == 1 else f"h{h}_"
        names.append([f"{prefix}{k + 1}" for k in range(width)])
    return [*names, [f"o{k + 1}" for k in range(widths[-1])]]


def fmt(value: float) -> str:
    """At most 9 decimals, trailing zeros dropped: the seeds' way of printing numbers."""
    value = float(value)
    if value != 0 and abs(value) < 5e-10:
        return f"{value:.3e}"
    text = f"{value:.9f}".rstrip("0")
    text = text.rstrip(".")
    return "0" if text == "-0" else text


def fmt_sig(value: float) -> str:
    """:func:`fmt`, but values under 1e-4 keep 9 significant digits (an optimizer's squared
    gradients and epsilon would otherwise lose most of theirs)."""
    value = float(value)
    if value != 0 and abs(value) < 1e-4:
        return f"{value:.9g}"
    return fmt(value)


def activation_texts(activation, name: str) -> tuple[str, str]:
    """(how out follows from net, how dout/dnet is computed) for neuron ``name``."""
    net, out = f"net_{name}", f"out_{name}"
    kind = activation.name
    if kind == "sigmoid":
        return f"sigmoid({net}) = 1 / (1 + e^-{net})", f"{out} * (1 - {out})"
    if kind == "tanh":
        return f"tanh({net})", f"1 - {out}^2"
    if kind == "relu" and type(activation).__name__ != "KerasReLU":
        return f"max({net}, 0)", f"1 if {net} > 0 else 0"
    if kind == "leaky_relu":
        slope = fmt(activation.negative_slope)
        return f"leaky_relu({net})", f"1 if {net} > 0 else {slope}"
    if kind == "softmax":
        return f"e^{net} / sum_k e^net_k", "the softmax Jacobian"
    if kind == "linear":
        return net, "1"
    return f"{kind}({net})", f"{kind}'({net})"


def _mse_share(n: int) -> str:
    return "1/2" if n == 2 else ("" if n == 1 else f"1/{n}")


def error_terms(loss, out, target, names) -> list[tuple[str, float, str]]:
    """(name, value, formula) of each output's share of E_total, as the seeds write E_o1."""
    n, terms = len(out), []
    for k, name in enumerate(names):
        o, t = float(out[k]), float(target[k])
        if loss.name == "half_sum_squared_error":
            value = (t - o) ** 2 / 2
            formula = (f"E_{name} = 1/2 * (target_{name} - out_{name})^2 = "
                       f"1/2 * ({fmt(t)} - {fmt(o)})^2")
        elif loss.name == "mean_squared_error":
            share = _mse_share(n)
            lead = f"{share} * " if share else ""
            value = (t - o) ** 2 / n
            formula = (f"E_{name} = {lead}(target_{name} - out_{name})^2 = "
                       f"{lead}({fmt(t)} - {fmt(o)})^2")
        elif loss.name == "binary_crossentropy":
            p = min(max(o, 1e-7), 1 - 1e-7)
            value = -(t * math.log(p) + (1 - t) * math.log(1 - p)) / n
            scale = f" / {n}" if n > 1 else ""
            formula = (f"E_{name} = -(target_{name} * log(out_{name}) + (1 - target_{name}) * "
                       f"log(1 - out_{name})){scale} = -({fmt(t)} * log({fmt(o)}) + "
                       f"{fmt(1 - t)} * log({fmt(1 - o)})){scale}")
        else:  # categorical cross-entropies
            value = -t * math.log(min(max(o, 1e-7), 1 - 1e-7))
            formula = (f"E_{name} = -target_{name} * log(out_{name}) = -{fmt(t)} * "
                       f"log({fmt(o)})")
        terms.append((f"E_{name}", value, f"{formula} = {fmt(value)}"))
    return terms


def loss_gradient_text(loss, name: str, out: float, target: float, n: int, fused: bool) -> str:
    """How dE/dout (or, for a fused output, dE/dnet) follows from the loss, with its values."""
    o, t = fmt(out), fmt(target)
    scale = f" / {n}" if n > 1 else ""
    if fused and loss.name == "binary_crossentropy":
        return f"(out_{name} - target_{name}){scale} = ({o} - {t}){scale}"
    if fused:
        return f"out_{name} - target_{name} = {o} - {t}"
    if loss.from_logits:
        return f"{loss.paired_activation}(out)_{name} - target_{name}   (the loss takes logits)"
    if loss.name == "half_sum_squared_error":
        return f"-(target_{name} - out_{name}) = -({t} - {o})"
    if loss.name == "mean_squared_error":
        lead = "-" if n == 2 else f"-2/{n} * " if n > 2 else "-2 * "
        return f"{lead}(target_{name} - out_{name}) = {lead}({t} - {o})"
    if loss.name == "binary_crossentropy":
        return (f"(out_{name} - target_{name}) / (out_{name} * (1 - out_{name})){scale} = "
                f"({o} - {t}) / ({o} * (1 - {o})){scale}")
    return f"-target_{name} / out_{name} = -{t} / {o}"
