"""The top of every chain: the loss of one sample and its derivative, per loss.

For a fused head (softmax or sigmoid followed by its cross-entropy) the derivation of
``dE/dz = p - y`` is written out, as seed 004 works it through.

Example
-------
>>> import numpy as np
>>> from glassnet import losses
>>> lines = loss_lines(losses.get("half_sum_squared_error"), np.array([0.75136507, 0.772928465]),
...                    np.array([0.01, 0.99]), np.array([0.74136507, -0.217071535]), [0])
>>> print(lines[0].text())
E_s = 1/2 sum_k (t_k - o[k])^2 = 1/2 * ((0.01 - 0.75136507)^2 + (0.99 - 0.772928465)^2)
    = 0.298371109
>>> print(lines[1].text())
dE_s/do[0] = o[0] - t_0 = 0.75136507 - 0.01 = 0.74136507
"""

from __future__ import annotations

import math

import numpy as np

from ._lines import Line, factor
from ._text import fmt

__all__ = ["fused_lines", "loss_lines"]

EPSILON = 1e-7


def _clip(p: float) -> float:
    return min(max(p, EPSILON), 1 - EPSILON)


def _per_sample(loss, o, t) -> tuple[str, str, float]:
    """(formula, numbers, value) of E_s for outputs ``o`` and target vector ``t``."""
    k = len(o)
    name = loss.name
    pairs = list(zip(t.tolist(), o.tolist(), strict=True))
    if name in ("half_sum_squared_error", "mean_squared_error"):
        sq = " + ".join(f"({fmt(a)} - {fmt(b)})^2" for a, b in pairs)
        total = sum((a - b) ** 2 for a, b in pairs)
        if name == "half_sum_squared_error":
            return "1/2 sum_k (t_k - o[k])^2", f"1/2 * ({sq})", 0.5 * total
        return f"1/{k} sum_k (t_k - o[k])^2", f"1/{k} * ({sq})", total / k
    if name == "binary_crossentropy":
        logs = " + ".join(f"{fmt(a)} * log({fmt(b)}) + {fmt(1 - a)} * log({fmt(1 - b)})"
                          for a, b in pairs)
        value = -sum(a * math.log(_clip(b)) + (1 - a) * math.log(1 - _clip(b)) for a, b in pairs)
        return (f"-1/{k} sum_k (t_k log o[k] + (1 - t_k) log(1 - o[k]))", f"-1/{k} * ({logs})",
                value / k)
    picked = [(a, b) for a, b in pairs if a]
    logs = " + ".join(f"{fmt(a)} * log({fmt(b)})" for a, b in picked)
    value = -sum(a * math.log(_clip(b)) for a, b in picked)
    return "-sum_k t_k log o[k]", f"-({logs})", value


def _derivative(loss, u: int, o: float, t: float, k: int, g: float) -> Line:
    lhs, f = f"dE_s/do[{u}]", fmt
    if loss.name == "half_sum_squared_error":
        return Line(lhs, (f"o[{u}] - t_{u}", f"{f(o)} - {f(t)}"), g)
    if loss.name == "mean_squared_error":
        return Line(lhs, (f"2/{k} * (o[{u}] - t_{u})", f"2/{k} * ({f(o)} - {f(t)})"), g)
    if loss.name == "binary_crossentropy":
        return Line(lhs, (f"(o[{u}] - t_{u}) / (o[{u}] (1 - o[{u}])) / {k}",
                          f"({f(o)} - {f(t)}) / ({f(o)} * {f(1 - o)}) / {k}"), g)
    return Line(lhs, (f"-t_{u} / o[{u}]", f"-{factor(t)} / {f(o)}"), g)


def _probabilities(loss, z) -> np.ndarray:
    if loss.paired_activation == "sigmoid":
        return 0.5 * (1 + np.tanh(0.5 * z))
    shift = np.exp(z - z.max())
    return shift / shift.sum()


def loss_lines(loss, o, t, grad, units) -> list[Line]:
    """E_s and dE_s/do[u] for the output units ``units`` (``o``, ``t``, ``grad``: vectors)."""
    if loss.from_logits:  # the loss applies its activation to the logits z = o first
        formula, numbers, value = _per_sample(loss, _probabilities(loss, o), t)
        formula = formula.replace("o[k]", f"{loss.paired_activation}(z)[k]")
    else:
        formula, numbers, value = _per_sample(loss, o, t)
    if len(o) > 6:
        numbers = f"({len(o)} outputs)"
    lines = [Line("E_s", (formula, numbers), value)]
    if loss.from_logits:
        return lines + _logits_lines(loss, o, t, grad, units)
    for u in units:
        lines.append(_derivative(loss, u, float(o[u]), float(t[u]), len(o), float(grad[u])))
    return lines


def _logits_lines(loss, z, t, grad, units) -> list[Line]:
    k = len(z)
    if loss.paired_activation == "sigmoid":
        p = [1 / (1 + math.exp(-v)) for v in z.tolist()]
        return [Line(f"dE_s/dz[{u}]", (f"(sigmoid(z[{u}]) - t_{u}) / {k}",
                                       f"({fmt(p[u])} - {fmt(t[u])}) / {k}"), float(grad[u]),
                     "the loss takes logits z") for u in units]
    shift = z - z.max()
    p = np.exp(shift) / np.exp(shift).sum()
    return [Line(f"dE_s/dz[{u}]", (f"softmax(z)[{u}] - t_{u}", f"{fmt(p[u])} - {fmt(t[u])}"),
                 float(grad[u]), "the loss takes logits z") for u in units]


def fused_lines(loss, activation: str, p, t, delta, units, name: str) -> list[Line | str]:
    """The derivation of dE_s/dz = p - y for softmax or sigmoid with cross-entropy, then its
    numbers for ``units``."""
    k = len(p)
    if activation == "softmax":
        head = [
            "p_k = e^z_k / sum_m e^z_m (softmax); E_s = -sum_k y_k log p_k",
            "dE_s/dp_k = -y_k / p_k;  dp_k/dz_u = p_k (1[k = u] - p_u)",
            Line("dE_s/dz_u", ("sum_k (-y_k / p_k) p_k (1[k = u] - p_u)",
                               "-y_u + p_u sum_k y_k", "p_u - y_u"), None,
                 "sum_k y_k = 1"),
        ]
        rows = [Line(f"delta_{name}[{u}] = dE_s/dz[{u}]", (f"p_{u} - y_{u}",
                                                          f"{fmt(p[u])} - {fmt(t[u])}"),
                     float(delta[u])) for u in units]
        return head + rows
    scale = f" / {k}" if k > 1 else ""
    head = [
        f"p_u = 1 / (1 + e^-z_u) (sigmoid); E_s = -{'1/' + str(k) + ' ' if k > 1 else ''}"
        "sum_u (y_u log p_u + (1 - y_u) log(1 - p_u))",
        f"dE_s/dp_u = (p_u - y_u) / (p_u (1 - p_u)){scale};  dp_u/dz_u = p_u (1 - p_u)",
        Line("dE_s/dz_u", (f"(p_u - y_u) / (p_u (1 - p_u)){scale} * p_u (1 - p_u)",
                           f"(p_u - y_u){scale}"), None),
    ]
    rows = [Line(f"delta_{name}[{u}] = dE_s/dz[{u}]", (f"(p_{u} - y_{u}){scale}",
                                               f"({fmt(p[u])} - {fmt(t[u])}){scale}"),
                 float(delta[u])) for u in units]
    return head + rows


def check_value(written: float, engine: float, what: str, dtype, scale: float = 0.0) -> None:
    """The formula's own value against the engine's, to the rounding of the model's dtype
    relative to ``scale`` (the size of the summed terms); a mismatch is a bug to report."""
    from ..errors import GradientCheckError

    rtol = 1e-9 if np.dtype(dtype) == np.float64 else 1e-4
    if abs(written - engine) > rtol * max(abs(engine), scale) + 1e-15:
        raise GradientCheckError(f"explain: {what} is {written!r} by its formula but the engine "
                                 f"gives {engine!r}; please report this as a bug")
