"""Time to 98 % on MNIST: glassnet against PyTorch, paired round by round (issue 18, item 1).

    python benchmarks/speedrun.py                         # 5 seeds, the default entries
    python benchmarks/speedrun.py --seeds 2 --split val \
        --entries glassnet:w512-b32-e3,torch:w512-b32-e3

Each entry is ``FRAMEWORK:RECIPE[@THREADS]`` (recipes: ``speedrun_recipes.py``; THREADS is
PyTorch's ``set_num_threads`` or glassnet's ``GLASSNET_NUM_THREADS``, default 1). Round i runs
every entry once from seed i, each in its own child process, in an order rotated by the round. The
time of a run is the wall time from ``fit``'s start (PyTorch: the training loop's) to the end of
the first epoch whose held-out accuracy is >= 98.0 %; scoring the held-out images at each epoch's
end is outside the timed region. ``--split val`` scores on the last 10,000 training images
(training on the first 50,000): that is where recipes are chosen; ``test`` trains on all 60,000
and scores on the 10,000 test images. The last line reads
``speedrun: glassnet <median s> s, pytorch <median s> s, ratio <x>`` with each framework's
fastest entry (lowest median) and the median over rounds of (PyTorch's seconds / glassnet's).
The table's "whole process" column is each child's median wall time from its start to its exit
(interpreter, imports such as ``import torch``, loading the cached data, building, training to
98 %, scoring each epoch): what a script doing just that would take.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness
import numpy as np

# glassnet's recipe, the same recipe in PyTorch, then PyTorch's own best candidates
# (chosen on the validation split, RESULTS.md session 5: runs A and B there are subsets of these)
# glassnet's recipes chosen on the validation split (RESULTS.md, session 6), the same recipe in
# PyTorch, and PyTorch's fastest ones on one and two threads
DEFAULT_ENTRIES = ("glassnet:w512-b64-e3@2,glassnet:w512-b128-e4@2,glassnet:w512-b32-e3@2,"
                   "torch:w512-b64-e3@2,torch:torch-onecycle-w512-b128@1,"
                   "torch:torch-onecycle-w512-b128@2,torch:torch-onecycle-w512-b256@2")


def parse_entry(text: str) -> tuple[str, str, int]:
    name, _, threads = text.partition("@")
    framework, _, recipe = name.partition(":")
    return framework, recipe, int(threads or 1)


def label(entry: tuple[str, str, int]) -> str:
    return f"{entry[0]}:{entry[1]}@{entry[2]}"


def run_one(entry, seed: int, args, cache: Path, out: Path) -> dict:
    framework, recipe, threads = entry
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(harness.SRC_DIR), str(harness.BENCH_DIR), os.environ.get("PYTHONPATH", "")]))
    if framework == "glassnet":  # its kernels' threads (fit gives BLAS one while they run)
        env["GLASSNET_NUM_THREADS"] = str(threads)
    cmd = [sys.executable, str(harness.BENCH_DIR / "speedrun_peers.py"), framework, recipe,
           "--seed", str(seed), "--cache", str(cache), "--out", str(out), "--split", args.split,
           "--threads", str(threads), "--max-epochs", str(args.max_epochs)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:  # counts as not reached
        return {"error": f"timed out after {args.timeout} s", "wall": time.perf_counter() - t0}
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:], "wall": time.perf_counter() - t0}
    report = json.loads(out.read_text())
    report["wall"] = time.perf_counter() - t0
    return report


def reached(curve) -> tuple[int | None, float]:
    """(epoch, seconds) of the first epoch at >= 98 %, or (None, inf)."""
    for epoch, seconds, acc in curve:
        if acc >= 0.98:
            return epoch, seconds
    return None, float("inf")


def _short(curve) -> list:
    return [(c[0], round(c[1], 2), round(c[2], 4)) for c in curve]


def summarise(entries, results, seeds):
    rows = {}
    for e in entries:
        runs = [results[(label(e), s)] for s in seeds]
        hits = [reached(r.get("curve", [])) for r in runs]
        secs = [h[1] for h in hits]
        rows[label(e)] = {"seconds": secs, "epochs": [h[0] for h in hits],
                          "median": float(np.median(secs)),
                          "spread": (min(secs), max(secs)),
                          "s_per_epoch": [r["curve"][0][1] if r.get("curve") else None
                                          for r in runs],
                          # the child's whole life: start, imports, data, training, scoring
                          "process": float(np.median([r.get("wall", np.nan) for r in runs])),
                          "note": next((r.get("note") for r in runs if r.get("note")), "")}
    return rows


def print_table(rows, seeds, split):
    print(f"\n| entry | median s to 98 % ({split}) | range s | epoch reached per seed "
          f"(seeds {seeds[0]}-{seeds[-1]}) | seconds per seed | whole process s | note |")
    print("|---|---:|---|---|---|---:|---|")
    for name, r in rows.items():
        eps = ", ".join("-" if e is None else str(e) for e in r["epochs"])
        secs = ", ".join(f"{s:.2f}" for s in r["seconds"])
        lo, hi = r["spread"]
        print(f"| {name} | {r['median']:.2f} | {lo:.2f}-{hi:.2f} | {eps} | {secs} | "
              f"{r.get('process', float('nan')):.2f} | {r['note']} |")


def paired_ratios(rows, a: str, b: str) -> list[float]:
    """Per round: b's seconds / a's seconds."""
    return [tb / ta for ta, tb in zip(rows[a]["seconds"], rows[b]["seconds"], strict=True)]


def plot(entries, results, seeds, path: Path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, e in enumerate(entries):
        for j, s in enumerate(seeds):
            curve = results[(label(e), s)].get("curve") or []
            if curve:
                t, a = [c[1] for c in curve], [c[2] for c in curve]
                ax.plot(t, a, "o-", color=colours[i % len(colours)], alpha=0.7, ms=3, lw=1,
                        label=label(e) if j == 0 else None)
    ax.axhline(0.98, color="grey", ls="--", lw=1)
    ax.set_ylim(0.955, 0.99)
    ax.set_xlim(left=0)
    ax.set_xlabel("seconds of training (held-out scoring excluded)")
    ax.set_ylabel("held-out accuracy at each epoch's end")
    ax.set_title(f"MNIST to 98 %: accuracy against seconds, seeds {seeds[0]}-{seeds[-1]}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", default=DEFAULT_ENTRIES)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--split", choices=("test", "val"), default="test")
    ap.add_argument("--max-epochs", type=int, default=0, help="0: the recipe's schedule length")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--plot", type=Path, default=harness.BENCH_DIR / "speedrun.png")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--from-json", type=Path, help="summarise and plot a --json file again")
    args = ap.parse_args(argv)
    entries = [parse_entry(t) for t in args.entries.split(",")]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    if args.from_json:
        results = {tuple(k.rsplit("|", 1)): v for k, v in
                   json.loads(args.from_json.read_text())["curves"].items()}
        results = {(k[0], int(k[1])): v for k, v in results.items()}
        args.json = None
    else:
        results = train_all(entries, seeds, args)
    report(entries, results, seeds, args)
    return 0


def train_all(entries, seeds, args) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "mnist"
        harness.cache_mnist(cache)
        for rnd, seed in enumerate(seeds):
            order = entries[rnd % len(entries):] + entries[:rnd % len(entries)]
            for e in order:
                r = run_one(e, seed, args, cache, Path(tmp) / "out.json")
                results[(label(e), seed)] = r
                ep, s = reached(r.get("curve", []))
                print(f"seed {seed} {label(e)}: "
                      + (f"98 % at epoch {ep}, {s:.2f} s" if ep else "not reached")
                      + (f" ERROR {r['error'][-300:]}" if "error" in r else "")
                      + f"  (curve {_short(r.get('curve', []))})",
                      flush=True)
    return results


def report(entries, results, seeds, args):
    rows = summarise(entries, results, seeds)
    print_table(rows, seeds, args.split)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "curves": {
            f"{k[0]}|{k[1]}": v for k, v in results.items()}}, indent=1))
    if args.plot:
        plot(entries, results, seeds, args.plot)
    glasses = [label(e) for e in entries if e[0] == "glassnet"]
    torches = [label(e) for e in entries if e[0] == "torch"]
    if glasses and torches:
        glass = min(glasses, key=lambda g: rows[g]["median"])
        print(f"glassnet's fastest entry: {glass}")
        for t in torches:
            ratios = paired_ratios(rows, glass, t)
            print(f"{t} / {glass} per round: {', '.join(f'{x:.2f}' for x in ratios)}; "
                  f"median {np.median(ratios):.2f}")
        best = min(torches, key=lambda t: rows[t]["median"])
        ratio = float(np.median(paired_ratios(rows, glass, best)))
        print(f"PyTorch's fastest entry: {best}")
        print(f"speedrun: glassnet {rows[glass]['median']:.2f} s, pytorch "
              f"{rows[best]['median']:.2f} s, ratio {ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
