"""MkDocs hooks for glassnet's site: the course notebooks rendered with their outputs, an API
page per public module (mkdocstrings) and the benchmarks page, all made at build time.

The notebooks are the teacher's versions (solutions and outputs). They are executed with
nbclient unless ``GLASSNET_DOCS_NOTEBOOKS`` names a folder of executed ones
(``<lang>/<stem>.ipynb``; the test suite passes the ones it ran); executed notebooks are kept in
``.cache/docs-notebooks/`` keyed by their content, so a second build does not run them again.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import pkgutil
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from glassnet.course import _build, _run  # noqa: E402

CACHE = ROOT / ".cache" / "docs-notebooks"
TITLES = {"en": "Course", "ko": "강의 (한국어)"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def public_modules() -> list[str]:
    """glassnet and every module of it whose dotted name has no part starting with '_'."""
    import glassnet

    names = [info.name for info in pkgutil.walk_packages(glassnet.__path__, "glassnet.")]
    return ["glassnet", *sorted(n for n in names
                                if not any(p.startswith("_") for p in n.split(".")))]


def _title(nb: dict) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            first = "".join(cell["source"]).splitlines()[0]
            return first.lstrip("# ").strip()
    return "notebook"


def on_config(config):
    """Add the course, API and (when present) playground pages to the navigation."""
    nav = config["nav"]
    for lang in ("en", "ko"):
        pages = [{_title(_build.notebook(s, lang, True)): f"course/{lang}/{s.stem}.md"}
                 for s in _build.sources()]
        section = next(item for item in nav if TITLES[lang] in item)
        section[TITLES[lang]].extend(pages)
    api = next(item for item in nav if "API reference" in item)
    api["API reference"].extend({name: f"api/{name}.md"} for name in public_modules())
    if (Path(config["docs_dir"]) / "playground.md").exists():
        guide = next(item for item in nav if "User guide" in item)
        guide["User guide"].append({"Playground": "playground.md"})
    return config


def executed(stem: str, lang: str) -> dict:
    """The teacher's notebook ``stem`` in ``lang``, executed (given, cached or run now)."""
    given = os.environ.get("GLASSNET_DOCS_NOTEBOOKS")
    if given:
        return json.loads((Path(given) / lang / f"{stem}.ipynb").read_text(encoding="utf-8"))
    nb = _build.notebook(_build.SOURCES / f"{stem}.py", lang, teacher=True)
    key = hashlib.sha256(json.dumps(nb, sort_keys=True).encode()).hexdigest()[:16]
    cached = CACHE / f"{stem}-{lang}-{key}.ipynb"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(_run.execute(nb)), encoding="utf-8")
    return json.loads(cached.read_text(encoding="utf-8"))


def _join(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def _output(o: dict) -> str:
    if o["output_type"] == "stream":
        text = ANSI.sub("", _join(o["text"])).rstrip()
        if o["name"] == "stderr" or not text:
            return ""
        return f'<pre class="nb-output">{html.escape(text)}</pre>'
    if o["output_type"] == "error":
        return f'<pre class="nb-output">{html.escape(o["ename"])}: {html.escape(o["evalue"])}</pre>'
    data = o.get("data", {})
    if "image/png" in data:
        png = _join(data["image/png"]).replace("\n", "")
        return f'<p><img class="nb-figure" alt="figure" src="data:image/png;base64,{png}"></p>'
    if "text/html" in data:
        return f'<div class="nb-html">{_join(data["text/html"])}</div>'
    if "text/plain" in data:
        return f'<pre class="nb-output">{html.escape(_join(data["text/plain"]))}</pre>'
    return ""


def _merged(outputs: list[dict]) -> list[dict]:
    """Consecutive stdout pieces as one output (the kernel sends a cell's prints in parts)."""
    out: list[dict] = []
    for o in outputs:
        if (o["output_type"] == "stream" and out and out[-1]["output_type"] == "stream"
                and out[-1]["name"] == o["name"]):
            out[-1] = {**out[-1], "text": _join(out[-1]["text"]) + _join(o["text"])}
        else:
            out.append(o)
    return out


def to_markdown(nb: dict, stem: str, lang: str) -> str:
    """The executed notebook as a Markdown page: text cells, code fences, outputs as HTML."""
    link = ("[한국어로 보기](../ko/{s}.md)" if lang == "en" else "[Read in English](../en/{s}.md)")
    parts = [f"!!! note \"\"\n    {link.format(s=stem)} · "
             + ("download: `glassnet course` copies this notebook (student and teacher versions)"
                if lang == "en" else "내려받기: `glassnet course`가 이 노트북을 복사합니다 "
                "(학생용과 교사용)") + "\n"]
    for cell in nb["cells"]:
        source = _join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append(source)
            continue
        parts.append(f"```python\n{source}\n```")
        outputs = [_output(o) for o in _merged(cell.get("outputs", []))]
        parts.extend(o for o in outputs if o)
    return "\n\n".join(parts) + "\n"


def on_files(files, config):
    """Generate the course pages, the API pages and the benchmarks page."""
    for source in _build.sources():
        for lang in ("en", "ko"):
            page = to_markdown(executed(source.stem, lang), source.stem, lang)
            files.append(File.generated(config, f"course/{lang}/{source.stem}.md", content=page))
    for name in public_modules():
        page = f"# `{name}`\n\n::: {name}\n"
        files.append(File.generated(config, f"api/{name}.md", content=page))
    readme = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    page = _benchmarks(readme, results)
    files.append(File.generated(config, "benchmarks.md", content=page))
    return files


def _benchmarks(readme: str, results: str) -> str:
    """benchmarks/README.md then RESULTS.md one level down; links into the repository dropped."""
    body = readme + "\n\n# Results\n\n" + re.sub(r"(?m)^(#+) ", r"#\1 ", results)
    return re.sub(r"\[([^\]]+)\]\((?!https?:|#)[^)]+\)", r"\1", body)
