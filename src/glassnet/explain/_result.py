"""The record :func:`glassnet.explain.explain` returns, and its text and Markdown forms.

Example
-------
>>> print(Update("w5", 0.4, 0.082167041, 0.5, 0.35891648))
w5 = 0.4 - 0.5 * 0.082167041 = 0.35891648
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np

from .._display import html_table, markdown_table
from ._lines import factor, html_page, wrap
from ._text import fmt, fmt_sig

__all__ = ["Delta", "ErrorTerm", "Explanation", "Factor", "Gradient", "Neuron", "Update"]


@dataclass(frozen=True)
class Neuron:
    """One neuron's forward pass: ``net`` (weighted input plus bias) and ``out``."""

    name: str
    layer: str
    net: float
    out: float
    net_formula: str
    out_formula: str


@dataclass(frozen=True)
class ErrorTerm:
    """One output's share of the error, e.g. ``E_o1 = 1/2 * (target_o1 - out_o1)^2``."""

    name: str
    value: float
    formula: str


@dataclass(frozen=True)
class Delta:
    """dE/dnet of one neuron: BP1 (output layer) or BP2 (hidden layers), with its derivation."""

    neuron: str
    rule: str
    value: float
    d_out: float | None
    d_act: float | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Factor:
    """One factor of a chain rule product, e.g. ``dout_o1/dnet_o1 = 0.186815602``."""

    name: str
    value: float


@dataclass(frozen=True)
class Gradient:
    """dE/d(parameter): the engine's value and the chain of factors whose product it is."""

    param: str
    layer: str
    index: tuple[int, ...]
    value: float
    factors: tuple[Factor, ...]

    @property
    def product(self) -> float:
        return float(np.prod([f.value for f in self.factors]))

    def __str__(self) -> str:
        names = " * ".join(f.name for f in self.factors)
        values = " * ".join(factor(f.value) for f in self.factors)
        return f"dE/d{self.param} = {names} = {values} = {fmt(self.value)}"


@dataclass(frozen=True)
class Update:
    """One parameter's step by the model's optimizer.

    Plain gradient descent is one line, ``new = old - learning_rate * gradient``. Other
    optimizers (and weight decay) write ``lines``, their chain of formulas with the numbers
    filled in, and keep in ``terms`` the values they compute on the way: the gradient with
    weight decay ``g`` and the optimizer's state after the step (``m``, ``v``, ``velocity``).
    """

    param: str
    old: float
    gradient: float
    learning_rate: float
    new: float
    terms: dict[str, float] = field(default_factory=dict)
    lines: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.lines:
            return "\n".join(self.lines)
        sign = "+" if self.gradient < 0 else "-"
        return (f"{self.param} = {fmt(self.old)} {sign} {fmt(self.learning_rate)} * "
                f"{fmt(abs(self.gradient))} = {fmt(self.new)}")


@dataclass(frozen=True)
class Explanation:
    """What :func:`explain` returns: every number of one step, keyed by the seeds' names.

    ``str()`` is the plain-text account; ``to_markdown()`` (and Jupyter) shows it as tables.
    """

    model: str
    loss: str
    learning_rate: float
    inputs: dict[str, float]
    targets: dict[str, float]
    neurons: dict[str, Neuron]
    errors: dict[str, ErrorTerm]
    total_error: float
    deltas: dict[str, Delta]
    gradients: dict[str, Gradient]
    updates: dict[str, Update]
    optimizer: str
    step: int
    update_lines: tuple[str, ...]

    def _heading(self) -> list[str]:
        values = ", ".join(f"{k} = {fmt(v)}" for k, v in self.inputs.items())
        targets = ", ".join(f"{k} = {fmt(v)}" for k, v in self.targets.items())
        return [f"One training step of model {self.model!r} (loss {self.loss}, learning rate "
                f"{fmt(self.learning_rate)})", f"inputs:  {values}", f"targets: {targets}"]

    def __str__(self) -> str:
        return "\n".join(wrap(line) for line in self._text().split("\n"))

    def __repr__(self) -> str:
        return (f"<Explanation of one step of {self.model!r}: E_total = {fmt(self.total_error)}, "
                f"{len(self.gradients)} partial derivatives; print() it to read>")

    def _text(self) -> str:
        names, terms = list(self.errors), list(self.errors.values())
        total = f"E_total = {' + '.join(names)} = "
        if len(terms) > 1:
            total += f"{' + '.join(fmt(t.value) for t in terms)} = "
        total += fmt(self.total_error)
        sections = [
            self._heading(),
            ["Forward pass", *(f"  {line}" for n in self.neurons.values()
                               for line in (n.net_formula, n.out_formula))],
            ["Error", *(f"  {t.formula}" for t in terms), f"  {total}"],
            ["Deltas, dE/dnet (BP1: output layer, BP2: hidden layers)",
             *(f"  {d.rule}  {line}" if i == 0 else f"       {line}"
               for d in self.deltas.values() for i, line in enumerate(d.lines))],
            ["Partial derivatives (BP3, BP4)", *(f"  {g}" for g in self.gradients.values())],
            self._update_text(),
        ]
        return "\n\n".join("\n".join(lines) for lines in sections)

    @property
    def _plain(self) -> bool:
        """Plain gradient descent: each update is the seeds' one line (fixed ones aside)."""
        return not any(u.lines for u in self.updates.values() if u.learning_rate)

    def _update_title(self) -> str:
        return (f"Update: {self.optimizer}, step t = {self.step} (each line is an assignment; "
                "read them top to bottom)")

    def _update_text(self) -> list[str]:
        each = [f"  {line}" for u in self.updates.values() for line in str(u).split("\n")]
        if self._plain:
            return [f"Update: parameter - {fmt(self.learning_rate)} * dE/dparameter", *each]
        return [self._update_title(), *(f"  {line}" for line in self.update_lines), *each]

    def _update_markdown(self) -> str:
        if self._plain:
            return "\n\n".join([
                f"#### Update (learning rate {fmt(self.learning_rate)})",
                markdown_table(["parameter", "before", "dE/dparameter", "after"], [
                    [u.param, fmt(u.old), fmt(u.gradient), fmt(u.new)]
                    for u in self.updates.values()])])
        terms = list(next(iter(self.updates.values())).terms)
        table = markdown_table(["parameter", "before", "dE/dparameter", *terms, "after", "how"], [
            [u.param, fmt(u.old), fmt(u.gradient), *(fmt_sig(u.terms[t]) for t in terms),
             fmt(u.new), "; ".join(f"`{line}`" for line in u.lines)]
            for u in self.updates.values()])
        shared = "".join(f"`{line}`\n\n" for line in self.update_lines)
        return f"#### {self._update_title()}\n\n{shared}{table}"

    def _tables(self) -> list[tuple[str, list[str], list[list[str]]]]:
        """(title, header, rows) of each stage, shared by the Markdown and HTML forms."""
        update = [[u.param, fmt(u.old), fmt(u.gradient), fmt(u.new),
                   "; ".join(u.lines) or str(u)] for u in self.updates.values()]
        return [
            ("Forward pass", ["neuron", "net", "out", "how"], [
                [n.name, fmt(n.net), fmt(n.out), f"{n.net_formula}; {n.out_formula}"]
                for n in self.neurons.values()]),
            ("Error", ["term", "value", "how"], [
                *([t.name, fmt(t.value), t.formula] for t in self.errors.values()),
                ["E_total", fmt(self.total_error), " + ".join(self.errors)]]),
            ("Deltas (BP1, BP2)", ["neuron", "rule", "dE/dnet", "how"], [
                [d.neuron, d.rule, fmt(d.value), "; ".join(d.lines)]
                for d in self.deltas.values()]),
            ("Partial derivatives (BP3, BP4)", ["parameter", "chain", "factors",
                                                "dE/dparameter"], [
                [g.param, " * ".join(f.name for f in g.factors),
                 " * ".join(fmt(f.value) for f in g.factors), fmt(g.value)]
                for g in self.gradients.values()]),
            (self._update_title(), ["parameter", "before", "dE/dparameter", "after", "how"],
             update),
        ]

    def to_markdown(self) -> str:
        """The account as Markdown: a table per stage."""
        neurons = markdown_table(["neuron", "net", "out", "how"], [
            [n.name, fmt(n.net), fmt(n.out), f"`{n.net_formula}`; `{n.out_formula}`"]
            for n in self.neurons.values()])
        deltas = markdown_table(["neuron", "rule", "dE/dnet", "how"], [
            [d.neuron, d.rule, fmt(d.value), "; ".join(f"`{line}`" for line in d.lines)]
            for d in self.deltas.values()])
        grads = markdown_table(["parameter", "chain", "factors", "dE/dparameter"], [
            [g.param, " * ".join(f.name for f in g.factors),
             " * ".join(fmt(f.value) for f in g.factors), fmt(g.value)]
            for g in self.gradients.values()])
        errors = "\n".join(f"- `{t.formula}`" for t in self.errors.values())
        head = self._heading()
        return "\n\n".join([
            f"**{head[0]}**\n\n{head[1]}  \n{head[2]}", "#### Forward pass", neurons,
            "#### Error", f"{errors}\n- **E_total = {fmt(self.total_error)}**",
            "#### Deltas (BP1, BP2)", deltas, "#### Partial derivatives (BP3, BP4)", grads,
            self._update_markdown()])

    def to_html(self, full: bool = False) -> str:
        """Self-contained HTML, a table per stage (inline style only); ``full=True`` gives a
        whole document."""
        head = self._heading()
        body = f"<p>{escape(head[1])}<br>{escape(head[2])}</p>" + "".join(
            f"<h4>{escape(title)}</h4>{html_table(header, rows)}"
            for title, header, rows in self._tables())
        return html_page(head[0], body, full)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
