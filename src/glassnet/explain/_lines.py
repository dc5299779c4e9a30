"""Lines of an explanation and their three forms: plain text (at most 100 characters a line),
Markdown and self-contained HTML.

A :class:`Line` is one equation, ``lhs = step = step = value``, each step the same quantity
written out further (symbols, then numbers). Text wraps at the ``=`` and ``+`` between steps
and terms; negative numbers inside products are put in parentheses, and a negative term of a
sum is written ``- 0.5``, never ``+ -0.5``.

Example
-------
>>> line = Line("dE/dout", ("delta[1] * w[1] + delta[2] * w[2]", terms([(0.5, 2.0), (-0.25, 1.0)])),
...             0.75)
>>> print(line.text())
dE/dout = delta[1] * w[1] + delta[2] * w[2] = 0.5 * 2 + (-0.25) * 1 = 0.75
>>> print(wrap("a = " + " + ".join(["0.123456789"] * 12), 60))
a = 0.123456789 + 0.123456789 + 0.123456789 + 0.123456789
    + 0.123456789 + 0.123456789 + 0.123456789 + 0.123456789
    + 0.123456789 + 0.123456789 + 0.123456789 + 0.123456789
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ._text import fmt

__all__ = ["WIDTH", "Line", "Section", "Table", "factor", "html_page", "signed_sum", "terms",
           "wrap"]

WIDTH = 100


def factor(value: float) -> str:
    """A number as a factor of a product: negative ones in parentheses."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def signed_sum(parts: list[tuple[float, str]]) -> str:
    """``a + b - c`` from (value, text) pairs: each text printed without its own sign."""
    out = ""
    for k, (value, text) in enumerate(parts):
        negative = value < 0 and text.startswith("-")
        body = text[1:] if negative else text
        out += ("-" + body if negative else body) if k == 0 else (
            f" - {body}" if negative else f" + {body}")
    return out


def terms(pairs, rest: tuple[int, float] | None = None) -> str:
    """``a * b + c * d ...`` from factor pairs, then ``+ (n more terms: s)`` when some are
    left out."""
    text = " + ".join(" * ".join(factor(v) for v in pair) for pair in pairs)
    if rest is not None:
        count, value = rest
        text += f" + ({count} more term{'s' if count > 1 else ''}: {fmt(value)})"
    return text or "0"


@dataclass(frozen=True)
class Line:
    """``lhs = steps[0] = steps[1] ... = value``; ``note`` is said after it, in parentheses."""

    lhs: str
    steps: tuple[str, ...]
    value: float | None
    note: str = ""

    def equation(self) -> str:
        parts = [self.lhs, *self.steps]
        if self.value is not None and (not self.steps or self.steps[-1] != fmt(self.value)):
            parts.append(fmt(self.value))
        return " = ".join(parts)

    def text(self, width: int = WIDTH, indent: str = "") -> str:
        body = wrap(indent + self.equation(), width)
        if self.note:
            last = body.rsplit("\n", 1)[-1]
            note = f"   ({self.note})"
            body += note if len(last) + len(note) <= width else "\n" + wrap(
                indent + "    " + note.strip(), width)
        return body


@dataclass(frozen=True)
class Table:
    """Rows of numbers under a header: aligned columns in text, a table in Markdown and HTML."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def text(self, width: int = WIDTH, indent: str = "") -> str:
        cells = [self.header, *self.rows]
        sizes = [max(len(row[k]) for row in cells) for k in range(len(self.header))]
        return "\n".join(indent + "  ".join(c.rjust(n) for c, n in zip(row, sizes, strict=True))
                         .rstrip() for row in cells)

    def markdown(self) -> str:
        from .._display import markdown_table

        return markdown_table(list(self.header), [list(r) for r in self.rows])

    def html(self) -> str:
        from .._display import html_table

        return html_table(list(self.header), [list(r) for r in self.rows])


@dataclass(frozen=True)
class Section:
    """A titled group of lines (one layer, the loss, the batch mean, the update)."""

    title: str
    lines: tuple[Line | Table | str, ...]

    def text(self, width: int = WIDTH) -> str:
        body = [wrap(self.title, width)]
        for line in self.lines:
            body.append(line.text(width, "  ") if isinstance(line, (Line, Table)) else
                        wrap("  " + line, width))
        return "\n".join(body)

    def markdown(self) -> str:
        rows = []
        for line in self.lines:
            if isinstance(line, Table):
                rows.append("\n" + line.markdown() + "\n")
            elif isinstance(line, Line):
                note = f" ({line.note})" if line.note else ""
                rows.append(f"- `{line.equation()}`{note}")
            else:
                rows.append(f"- {line}")
        return f"#### {self.title}\n\n" + "\n".join(rows)

    def html(self) -> str:
        items, tables = [], []
        for line in self.lines:
            if isinstance(line, Table):
                tables.append(line.html())
            elif isinstance(line, Line):
                note = f' <span class="gn-note">({escape(line.note)})</span>' if line.note else ""
                items.append(f"<li><code>{escape(line.equation())}</code>{note}</li>")
            else:
                items.append(f"<li>{escape(line)}</li>")
        return f"<h4>{escape(self.title)}</h4>{''.join(tables)}<ul>{''.join(items)}</ul>"


def _break_points(text: str) -> list[int]:
    """Where a long line may break: before ' = ', ' + ', ' - ' and ' * ' at depth 0."""
    points, depth = [], 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth <= 0 and ch == " " and text[k + 1:k + 3] in ("= ", "+ ", "- ", "* "):
            points.append(k)
    return points


def wrap(text: str, width: int = WIDTH) -> str:
    """Break a line longer than ``width`` before its operators; continuation lines are
    indented four spaces past the line's own indentation."""
    if len(text) <= width:
        return text
    lead = len(text) - len(text.lstrip(" "))
    indent = " " * (lead + 4)
    lines, current = [], text
    while len(current) > width:
        points = [p for p in _break_points(current) if len(indent) < p <= width]
        cuts = [p for p in points if current[p + 1] != "*"] or points
        if not cuts:
            cuts = [p for p in range(len(indent) + 1, width + 1) if current[p] == " "]
        if not cuts:
            break
        cut = cuts[-1]
        lines.append(current[:cut].rstrip())
        current = indent + current[cut:].lstrip()
    lines.append(current)
    return "\n".join(lines)


_STYLE = ("<style>.gn-explain{font-family:system-ui,sans-serif;line-height:1.45}"
          ".gn-explain code{font-family:ui-monospace,monospace;font-size:0.92em;"
          "white-space:pre-wrap}.gn-explain h4{margin:0.9em 0 0.2em}"
          ".gn-explain ul{margin:0;padding-left:1.3em}.gn-explain .gn-note{color:#555}"
          ".gn-explain table{border-collapse:collapse}.gn-explain td,.gn-explain th"
          "{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}</style>")


def html_page(title: str, body: str, full: bool = False) -> str:
    """A self-contained fragment (inline style, no scripts, no links); ``full`` wraps it in a
    whole HTML document."""
    fragment = f'{_STYLE}<div class="gn-explain"><h3>{escape(title)}</h3>{body}</div>'
    if not full:
        return fragment
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}'
            f"</title></head><body>{fragment}</body></html>")
