"""One weight, bias or neuron of any model, explained: :func:`explain_one` and its record.

The quantity is named by its Keras path: ``"dense_1/kernel[3, 7]"`` (the weight from input 3
to unit 7), ``"dense_1/bias[7]"``, or a tuple ``("dense_1", "kernel", 3, 7)``; a neuron as
``"dense_1[7]"`` or ``("dense_1", 7)`` (its delta, dE/dnet).

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> m = glassnet.Sequential([Dense(1, input_shape=(1,), name="one_lin")], dtype="float64")
>>> m.set_weights([np.array([[2.0]]), np.array([0.0])]); m.compile("sgd", "mse")
>>> e = glassnet.explain(m, [[1.0], [2.0]], [[3.0], [3.0]], weight="one_lin/kernel[0, 0]")
>>> e.per_sample, e.value
((-2.0, 4.0), 1.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, GradientCheckError
from ..layers import Dense
from ._chain import chain_sections, forward_lines, input_name
from ._lines import Line, Section, Table, factor, html_page, signed_sum, wrap
from ._result import Gradient, Update
from ._text import fmt
from ._update import describe, rtol_for, update_step

__all__ = ["Chain", "Target", "explain_one", "parse_target"]

_WEIGHT = re.compile(r"^\s*([^/\[\]]+?)\s*/\s*(kernel|bias)\s*\[\s*([\d\s,]+?)\s*\]\s*$")
_NEURON = re.compile(r"^\s*([^/\[\]]+?)\s*\[\s*(\d+)\s*\]\s*$")


@dataclass(frozen=True)
class Target:
    """What is explained: a Dense layer's ``kernel`` entry (input, unit), ``bias`` or neuron."""

    layer: int
    kind: str  # 'kernel', 'bias' or 'neuron'
    unit: int
    input: int | None = None

    def path(self, model) -> str:
        name = model._leaf_layers()[self.layer].name
        if self.kind == "kernel":
            return f"{name}/kernel[{self.input}, {self.unit}]"
        return f"{name}/bias[{self.unit}]" if self.kind == "bias" else f"{name}[{self.unit}]"


def _spec_error(spec, what: str) -> ConfigError:
    example = ('weight="dense_1/kernel[3, 7]", weight="dense_1/bias[7]" or '
               'weight=("dense_1", "kernel", 3, 7)' if what == "weight" else
               'neuron="dense_1[7]" or neuron=("dense_1", 7)')
    return ConfigError(f"explain: {what}={spec!r} is not a {what} name; write {example}")


def _split(spec, what: str):
    """(layer name, kind, [indices]) from the string or tuple form."""
    if isinstance(spec, str):
        match = (_WEIGHT if what == "weight" else _NEURON).match(spec)
        if not match:
            raise _spec_error(spec, what)
        if what == "neuron":
            return match[1], "neuron", [int(match[2])]
        return match[1], match[2], [int(v) for v in match[3].replace(",", " ").split()]
    if not isinstance(spec, (tuple, list)) or len(spec) < 2 or not isinstance(spec[0], str):
        raise _spec_error(spec, what)
    rest = list(spec[1:])
    kind = "neuron" if what == "neuron" else rest.pop(0) if rest else None
    if len(rest) == 1 and isinstance(rest[0], (tuple, list)):
        rest = list(rest[0])
    if kind not in ("kernel", "bias", "neuron") or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in rest):
        raise _spec_error(spec, what)
    return spec[0], kind, [int(v) for v in rest]


def parse_target(model, weight=None, neuron=None) -> Target:
    """The :class:`Target` named by ``weight`` or ``neuron``, checked against the model."""
    if (weight is None) == (neuron is None):
        raise ConfigError("explain: give one of weight=... or neuron=..., not both")
    what, spec = ("weight", weight) if weight is not None else ("neuron", neuron)
    name, kind, index = _split(spec, what)
    names = [layer.name for layer in model._leaf_layers()]
    if name not in names:
        dense = [n for n, layer in zip(names, model._leaf_layers(), strict=True)
                 if isinstance(layer, Dense)]
        raise ConfigError(f"explain: model {model.name!r} has no layer {name!r}; its Dense "
                          f"layers are {', '.join(map(repr, dense)) or 'none'}")
    position = names.index(name)
    layer = model._leaf_layers()[position]
    if not isinstance(layer, Dense):
        raise ConfigError(f"explain: layer {name!r} is {type(layer).__name__}, which has no "
                          "weights or neurons of its own; name a Dense layer")
    if kind == "bias" and not layer.use_bias:
        raise ConfigError(f"explain: layer {name!r} has no bias (use_bias=False)")
    shape = layer.kernel.shape if kind == "kernel" else (layer.units,)
    if len(index) != len(shape) or any(not 0 <= v < d for v, d in zip(index, shape, strict=True)):
        raise ConfigError(f"explain: {what} {spec!r}: layer {name!r}'s {kind} has shape "
                          f"{shape}; indices run from 0 to {tuple(d - 1 for d in shape)}")
    if kind == "kernel":
        return Target(position, kind, index[1], index[0])
    return Target(position, kind, index[0])


@dataclass(frozen=True)
class Chain:
    """What ``explain(..., weight=...)`` / ``neuron=...`` returns.

    ``value`` is dE/d(quantity) for the batch (the mean of ``per_sample``), equal to the
    model's own gradient; ``sections`` are the chain written out for sample ``sample``; ``update``
    is the model's optimizer's step of the weight (None for a neuron). ``str()`` is plain text
    (at most 100 characters a line), ``to_markdown()`` Markdown and ``to_html()`` HTML.
    """

    quantity: str
    symbol: str
    model: str
    loss: str
    samples: int
    sample: int
    sections: tuple[Section, ...]
    per_sample: tuple[float, ...]
    value: float
    update: Update | None
    update_title: str = ""

    def _title(self) -> str:
        return (f"{self.symbol} = {self.quantity} of model {self.model!r}, loss {self.loss}, "
                f"{self.samples} sample{'s' if self.samples > 1 else ''}")

    def __str__(self) -> str:
        return "\n\n".join([wrap(self._title()), *(s.text() for s in self.sections)])

    def __repr__(self) -> str:
        return (f"<Chain {self.quantity}: dE/d{self.symbol} = {fmt(self.value)} over "
                f"{self.samples} sample{'s' if self.samples > 1 else ''}; print() it to read>")

    def to_markdown(self) -> str:
        return "\n\n".join([f"**{self._title()}**", *(s.markdown() for s in self.sections)])

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self, full: bool = False) -> str:
        """Self-contained HTML (inline style only); ``full=True`` gives a whole document."""
        return html_page(self._title(), "".join(s.html() for s in self.sections), full)

    def _repr_html_(self) -> str:
        return self.to_html()


def _per_sample(p, target: Target) -> np.ndarray:
    rec = p.records[target.layer]
    delta = rec.delta[:, target.unit]
    if target.kind == "kernel":
        return delta * rec.inputs.reshape(p.n, -1)[:, target.input]
    return delta.copy()


def _engine_value(p, target: Target) -> float | None:
    layer = p.records[target.layer].layer
    if target.kind == "kernel":
        return float(layer.grads["kernel"][target.input, target.unit])
    return float(layer.grads["bias"][target.unit]) if layer.use_bias else None


def _last_section(p, target: Target, s: int, symbol: str) -> Section:
    rec, name = p.records[target.layer], p.records[target.layer].layer.name
    delta = float(rec.delta[s, target.unit])
    if target.kind == "kernel":
        a = float(rec.inputs.reshape(p.n, -1)[s, target.input])
        where = input_name(p, target.layer, target.input)
        lines = (Line(f"dnet_{name}[{target.unit}]/d{symbol}", (where,), a),
                 Line(f"dE_s/d{symbol}", (f"delta_{name}[{target.unit}] * {where}",
                                          f"{factor(delta)} * {factor(a)}"), delta * a))
    elif target.kind == "bias":
        lines = (Line(f"dnet_{name}[{target.unit}]/d{symbol}", (), 1.0),
                 Line(f"dE_s/d{symbol}", (f"delta_{name}[{target.unit}] * 1",), delta))
    else:
        lines = (Line(f"delta_{name}[{target.unit}] = dE_s/dnet_{name}[{target.unit}]", (),
                      delta),)
    return Section(f"The {'neuron' if target.kind == 'neuron' else target.kind} of sample "
                   f"{s + 1}", lines)


def _batch_section(p, target: Target, per_sample: np.ndarray, symbol: str) -> Section:
    n = len(per_sample)
    mean = float(per_sample.mean())
    if n == 1:
        return Section("One sample: the batch gradient is this sample's", (
            Line(f"dE/d{symbol}", (f"dE_s/d{symbol}",), mean),))
    rec, name = p.records[target.layer], p.records[target.layer].layer.name
    delta = rec.delta[:, target.unit]
    header = ("sample", f"delta_{name}[{target.unit}]")
    columns = [delta]
    if target.kind == "kernel":
        header += (input_name(p, target.layer, target.input),)
        columns.append(rec.inputs.reshape(n, -1)[:, target.input])
    header += (f"dE_s/d{symbol}",)
    columns.append(per_sample)
    shown = min(n, 10)
    rows = tuple((str(s + 1), *(fmt(c[s]) for c in columns)) for s in range(shown))
    if n > shown:
        rows += (("...", *("" for _ in columns[:-1]), f"({n - shown} more)"),)
    total = float(per_sample.sum())
    numbers = signed_sum([(v, fmt(v)) for v in per_sample[:8].tolist()]) + (
        f" + ({n - 8} more terms: {fmt(float(per_sample[8:].sum()))})" if n > 8 else "")
    return Section(f"Batch mean over the {n} samples (E = 1/n sum_s E_s)", (
        Table(header, rows),
        Line(f"sum_s dE_s/d{symbol}", (numbers,), total),
        Line(f"dE/d{symbol}", (f"1/{n} sum_s dE_s/d{symbol}", f"{fmt(total)} / {n}"), mean)))


def _check(value: float, engine: float | None, quantity: str, dtype) -> None:
    rtol = rtol_for(dtype)
    if engine is not None and not np.isclose(value, engine, rtol=rtol, atol=rtol * 1e-3):
        raise GradientCheckError(f"explain: the chain for {quantity} gives {value!r} but the "
                                 f"model's gradient is {engine!r}; please report this as a bug")


def explain_one(p, target: Target, *, sample: int, top: int, learning_rate: float | None,
                fixed) -> Chain:
    """The chain of ``target`` for sample ``sample`` of the recorded pass, its batch mean and
    the optimizer's update. ``fixed``: paths the model's trainer never moves."""
    model = p.model
    symbol = {"kernel": "w", "bias": "b", "neuron": "delta"}[target.kind]
    quantity = target.path(model)
    forward = Section(f"Forward pass of {model._leaf_layers()[target.layer].name}[{target.unit}], "
                      f"sample {sample + 1} of {p.n}",
                      tuple(forward_lines(p, target.layer, target.unit, sample, top)))
    sections = [forward, *chain_sections(p, target.layer, target.unit, sample, top),
                _last_section(p, target, sample, symbol)]
    per_sample = _per_sample(p, target)
    value = float(per_sample.mean())
    if target.kind != "neuron":
        _check(value, _engine_value(p, target), quantity, model.dtype)
        sections.append(_batch_section(p, target, per_sample, symbol))
    update, title = None, ""
    if target.kind != "neuron":
        update, title, lines = _update(p, target, symbol, value, learning_rate, fixed)
        sections.append(Section(title, lines))
    return Chain(quantity, symbol, model.name, model.loss.name, p.n, sample, tuple(sections),
                 tuple(float(v) for v in per_sample), value, update, title)


def _update(p, target, symbol, value, learning_rate, fixed):
    model, layer = p.model, p.model._leaf_layers()[target.layer]
    index = (target.kind, target.input, target.unit) if target.kind == "kernel" else \
        (target.kind, target.unit)
    path = f"{layer.name}/{target.kind}"
    if path in fixed:
        old = float(layer.arrays[target.kind][index[1:]])
        return (Update(symbol, old, value, 0.0, old),
                f"Update: none, {path} is fixed in this model",
                (f"{symbol} stays {fmt(old)}: model {model.name!r} never trains {path} "
                 "(its fixed_weights)",))
    lr = float(model.optimizer.learning_rate if learning_rate is None else learning_rate)
    scale = getattr(model, "gradient_scale", {}).get(path, 1)
    lead = ()
    if scale != 1:  # the trainer scales this gradient (classic.Perceptron sums over the rows)
        layer.grads[target.kind][...] *= scale
        lead = (f"g = {scale} * dE/d{symbol} = {fmt(scale * value)}   (model {model.name!r} "
                f"steps {path} by {scale} times its gradient)",)
        value = scale * value
    gradient = Gradient(symbol, layer.name, index, value, ())
    step = update_step(model, model._leaf_layers(), {symbol: gradient}, lr)
    u = step.updates[symbol]
    title = f"Update by {describe(model.optimizer)}, step t = {step.step}"
    return u, title, (*lead, *step.lines, *(u.lines or (str(u),)))
