"""Notebooks from the course's sources: one source, four notebooks (Korean/English x
student/teacher).

A source (``course/source/NNN_name.py``) is a Python file in the "percent" cell format:

- ``# %% [markdown] en`` / ``# %% [markdown] ko``: a text cell of one language (each line
  starts with ``#``);
- ``# %%``: a code cell, the same in every notebook; ``# %% tags=["figure"]`` marks a cell that
  draws (the tests check it holds a PNG), ``# %% tags=["parameters"]`` the one cell that sets
  ``LANG``, the only code that differs between the languages;
- a code line ending in ``# solution`` is an exercise's answer: the teacher's notebook keeps
  it, the student's has ``name = ...  # TODO`` in its place.

Regenerate the shipped notebooks after editing a source: ``python -m glassnet.course``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "source"
NOTEBOOKS = HERE / "notebooks"
LANGUAGES = ("en", "ko")
_HEADER = re.compile(r'^# %%(?: \[markdown\] (?P<lang>en|ko))?(?: tags=(?P<tags>\[.*\]))?\s*$')
_SOLUTION = re.compile(r"^(?P<indent>\s*)(?P<target>[^=#]+?)\s*=\s*(?P<expr>.+?)\s*# solution$")


def sources() -> list[Path]:
    """The course's sources, in lecture order."""
    return sorted(SOURCES.glob("[0-9][0-9][0-9]_*.py"))


def cells(source: Path) -> list[dict]:
    """The source's cells: ``{'kind': 'markdown'|'code', 'lang', 'tags', 'lines'}``."""
    out: list[dict] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        header = _HEADER.match(line)
        if header:
            out.append({"kind": "markdown" if header["lang"] else "code", "lang": header["lang"],
                        "tags": json.loads(header["tags"]) if header["tags"] else [],
                        "lines": []})
        elif out:
            out[-1]["lines"].append(line)
    for cell in out:
        lines = cell["lines"]
        if cell["kind"] == "markdown":
            lines[:] = [line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines]
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
    return out


def _code(lines: list[str], lang: str, teacher: bool, tags: list[str]) -> str:
    if "parameters" in tags:
        return f'LANG = "{lang}"'
    out = []
    for line in lines:
        answer = _SOLUTION.match(line)
        if answer and not teacher:
            line = f"{answer['indent']}{answer['target']} = ...  # TODO"
        out.append(line)
    return "\n".join(out)


def notebook(source: Path, lang: str, teacher: bool = False) -> dict:
    """The notebook (nbformat 4 JSON) of ``source`` in ``lang``, with solutions if ``teacher``."""
    made = []
    for cell in cells(source):
        if cell["kind"] == "markdown" and cell["lang"] != lang:
            continue
        number = len(made)
        common = {"id": f"{source.stem[:3]}-{number:02d}", "metadata": {"tags": cell["tags"]}
                  if cell["tags"] else {}}
        if cell["kind"] == "markdown":
            made.append({"cell_type": "markdown", **common, "source": _split(cell["lines"])})
        else:
            text = _code(cell["lines"], lang, teacher, cell["tags"])
            made.append({"cell_type": "code", **common, "execution_count": None, "outputs": [],
                         "source": _split(text.split("\n"))})
    return {"cells": made, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}, "glassnet": {"lang": lang, "teacher": teacher}},
        "nbformat": 4, "nbformat_minor": 5}


def _split(lines: list[str]) -> list[str]:
    return [line + "\n" for line in lines[:-1]] + lines[-1:]


def path_of(stem: str, lang: str, teacher: bool = False, root: Path = NOTEBOOKS) -> Path:
    """Where the shipped notebook ``stem`` lives."""
    return root / ("teacher" if teacher else "student") / lang / f"{stem}.ipynb"


def text(nb: dict) -> str:
    """The notebook as written to disk."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def build(root: Path = NOTEBOOKS) -> list[Path]:
    """Write every notebook of every source under ``root``; returns the paths written."""
    written = []
    for source in sources():
        for lang in LANGUAGES:
            for teacher in (False, True):
                path = path_of(source.stem, lang, teacher, root)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text(notebook(source, lang, teacher)), encoding="utf-8")
                written.append(path)
    return written
