"""Tables for Jupyter: the HTML and Markdown behind ``_repr_html_`` / ``_repr_markdown_``.

Example
-------
>>> print(markdown_table(["epoch", "loss"], [["1", "0.5000"]]))
| epoch | loss |
|---|---|
| 1 | 0.5000 |
"""

from __future__ import annotations

from html import escape

__all__ = ["html_table", "markdown_table", "model_rows"]


def html_table(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    """An HTML ``<table>`` with one ``<th>`` per header cell and one ``<tr>`` per row."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def model_rows(model) -> tuple[list[str], list[list[str]], str]:
    """A model's summary as (header, rows, caption): one row per layer, totals in the caption."""
    rows = [[f"{layer.name} ({type(layer).__name__})",
             "(None, " + ", ".join(map(str, layer.output_shape)) + ")"
             if layer.output_shape else "?",
             f"{layer.count_params() if layer.built else 0:,}"] for layer in model.layers]
    total = model.count_params() if model.built else 0
    caption = f'Model "{model.name}": {total:,} parameters'
    return ["Layer (type)", "Output Shape", "Param #"], rows, caption
