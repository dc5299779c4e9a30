"""Run real Keras MLP scripts under Keras 3 and under glassnet, with only the imports changed.

Each script in this folder is written for Keras (``import keras``, ``from keras import layers``)
as its source wrote it; its header names the source and anything changed besides the imports
(a data set that needs the network replaced by one that ships offline). This runner executes a
script as it is under Keras 3 (``KERAS_BACKEND=torch``), or with its imports rewritten
(``import keras`` -> ``import glassnet as keras``, ``from keras...`` -> ``from glassnet...``)
under glassnet, and collects the lines the script prints as ``RESULT <name> <value>``.

Under Keras, PyTorch runs on one thread (its two spinning threads were 10-50x slower on this
2-core machine whenever anything else ran), and ``keras.datasets.mnist.load_data`` is served
from glassnet's bundled copy of the
same MNIST files (Keras would download ``mnist.npz``; this machine has no network).

Usage::

    python compare.py --framework glassnet tf_quickstart_beginner.py
    python compare.py --framework both --json results.json       # every script, both
    python compare.py --framework none --json results.json --table table.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (pattern, replacement) applied line by line: the only edits glassnet's run makes.
IMPORT_REWRITES = [
    (re.compile(r"^(\s*)import keras\s*$"), r"\1import glassnet as keras"),
    (re.compile(r"^(\s*)import keras as (\w+)\s*$"), r"\1import glassnet as \2"),
    (re.compile(r"^(\s*)from keras import "), r"\1from glassnet import "),
    (re.compile(r"^(\s*)from keras\.(\S+) import "), r"\1from glassnet.\2 import "),
]


def rewrite_imports(source: str) -> str:
    """The script with its Keras imports pointed at glassnet; every other line unchanged."""
    lines = []
    for line in source.splitlines():
        for pattern, replacement in IMPORT_REWRITES:
            line = pattern.sub(replacement, line)
        lines.append(line)
    return "\n".join(lines) + "\n"


_BOOT = """
import os, sys, runpy
framework, path = sys.argv[1], sys.argv[2]
sys.argv = [path]
source = open(path, encoding="utf-8").read()
if framework == "keras":
    os.environ["KERAS_BACKEND"] = "torch"
    import torch
    torch.set_num_threads(1)  # two spinning threads on shared cores ran 10-50x slower
    import keras, glassnet.datasets.mnist
    keras.datasets.mnist.load_data = lambda path=None: glassnet.datasets.mnist.load_data()
else:
    sys.path.insert(0, {here!r})
    from compare import rewrite_imports
    source = rewrite_imports(source)
offset = int(os.environ.get("KERAS_SCRIPT_SEED_OFFSET", "0"))
if offset:  # the spread between seeds: every set_random_seed(s) becomes s + offset
    utils = __import__("keras" if framework == "keras" else "glassnet").utils
    seeded = utils.set_random_seed
    utils.set_random_seed = lambda seed: seeded(seed + offset)
code = compile(source, path, "exec")
exec(code, {{"__name__": "__main__", "__file__": path}})
"""


def run(script: Path, framework: str, timeout: float = 1800, seed_offset: int = 0) -> dict:
    """Run one script under one framework; its RESULT lines, wall time and any error.
    ``seed_offset`` shifts every seed the script sets (to measure the spread between seeds)."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
           "KERAS_SCRIPT_SEED_OFFSET": str(seed_offset)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _BOOT.format(here=str(HERE)), framework,
                           str(script)], cwd=script.parent, env=env, capture_output=True,
                          text=True, timeout=timeout)
    results = dict(re.findall(r"^RESULT (\S+) (\S+)$", done.stdout, flags=re.M))
    error = "" if done.returncode == 0 else done.stderr.strip().splitlines()[-1:]
    return {"results": results, "seconds": round(time.perf_counter() - started, 1),
            "ok": done.returncode == 0, "error": error[0] if error else "",
            "stdout": done.stdout, "stderr": done.stderr}


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if p.name != "compare.py")


def source_of(script: Path) -> str:
    match = re.search(r"^Source: (.+)$", script.read_text(encoding="utf-8"), flags=re.M)
    return match.group(1).strip() if match else ""


def table(rows: dict[str, dict[str, dict]]) -> str:
    lines = ["| script (its header names the source) | Keras 3 (torch) | glassnet | seconds |",
             "| --- | --- | --- | --- |"]
    for name, by_framework in rows.items():
        cells = []
        for framework in ("keras", "glassnet"):
            got = by_framework.get(framework)
            if got is None:
                cells.append("not run")
            elif not got["ok"]:
                cells.append(f"fails: `{got['error'][:80]}`")
            else:
                cells.append("<br>".join(f"{k} {v}" for k, v in got["results"].items()))
        seconds = " / ".join(str(by_framework[f]["seconds"]) if f in by_framework else "-"
                             for f in ("keras", "glassnet"))
        lines.append(f"| `{name}` | {cells[0]} | {cells[1]} | {seconds} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", help="scripts to run (default: all)")
    parser.add_argument("--framework", choices=["keras", "glassnet", "both", "none"],
                        default="both", help="'none' runs nothing: --table from --json alone")
    parser.add_argument("--json", help="write every run's results to this JSON file")
    parser.add_argument("--table", help="write the Markdown table to this file")
    args = parser.parse_args(argv)
    chosen = [HERE / Path(s).name for s in args.scripts] or scripts()
    frameworks = {"both": ["keras", "glassnet"], "none": []}.get(args.framework, [args.framework])
    store = Path(args.json) if args.json else None
    rows: dict[str, dict[str, dict]] = (json.loads(store.read_text())
                                        if store and store.exists() else {})
    for script in chosen:
        for framework in frameworks:
            got = run(script, framework)
            print(f"{script.name:40s} {framework:8s} {got['seconds']:7.1f} s  "
                  f"{'ok' if got['ok'] else 'FAILS ' + got['error']}  {got['results']}", flush=True)
            if not got["ok"]:
                print(got["stderr"][-1500:], file=sys.stderr)
            del got["stdout"], got["stderr"]
            rows.setdefault(script.name, {})[framework] = got
            if store:  # after every run, so a long session keeps what it measured
                store.write_text(json.dumps(rows, indent=1, sort_keys=True))
    if args.table:
        Path(args.table).write_text(table({s.name: rows[s.name] for s in chosen if s.name in rows}))
    return 0 if all(rows[s.name][f]["ok"] for s in chosen for f in frameworks) else 1


if __name__ == "__main__":
    sys.exit(main())
