"""glassnet side by side with PyTorch, scikit-learn, Keras 3 and bare NumPy, in one run.

    python benchmarks/run.py                 # every configuration (about 10 minutes)
    python benchmarks/run.py --quick         # one epoch each, large nets on a quarter epoch
    python benchmarks/run.py --only mnist-b32,predict-1 --peers torch
    python benchmarks/run.py --markdown > table.md

Each (framework, configuration) runs in its own child process of this same interpreter (see
worker.py), one after another, so that import cost and peak RSS are each framework's own and no
two runs share the two cores. See README.md for what each column means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness

WORKER = harness.BENCH_DIR / "worker.py"


# --------------------------------------------------------------------------------------------
# Running children
# --------------------------------------------------------------------------------------------


def child_env(framework: str | None = None, seed: int = 0) -> dict:
    """This environment, with the checkout's src/ first on the path (so glassnet is the working
    tree), Keras on the torch backend unless the caller chose another, and the round's seed."""
    env = dict(os.environ, GLASSNET_BENCH_SEED=str(seed))
    src = BEFORE_SRC if framework == "glassnet_before" else harness.SRC_DIR
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    env.setdefault("KERAS_BACKEND", "torch")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


BEFORE_SRC: Path | None = None  # --before-src: the source tree of the 'glassnet_before' row


def installed(framework: str) -> bool:
    module = {"torch_ftz": "torch", "torch_1t": "torch"}.get(framework, framework)
    if framework == "glassnet_before":
        return BEFORE_SRC is not None and (BEFORE_SRC / "glassnet" / "__init__.py").is_file()
    if framework == "glassnet":
        return (harness.SRC_DIR / "glassnet" / "__init__.py").is_file() or bool(
            importlib.util.find_spec("glassnet")
        )
    return importlib.util.find_spec(module) is not None


NOISY = 10.0  # others' CPU share (%) above which a child's timings are treated as disturbed


def run_one(cfg, fw, cache: Path, quick: bool, timeout: float, settle: float, log, seed=0):
    """One child for (framework, config); returns (rows, others' CPU %)."""
    out = cache / f"result-{fw}-{cfg.name}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(WORKER), fw, cfg.name, "--cache", str(cache), "--out", str(out)]
    if quick:
        cmd.append("--quick")
    if settle > 0:
        harness.wait_quiet(settle, NOISY)
    code, wall, peak, tail, others = harness.run_child(cmd, child_env(fw, seed), timeout)
    if not out.is_file():
        why = "timed out" if wall >= timeout else f"child exited {code}"
        log(f"  {cfg.name:14} {fw:9} {why}\n{tail}")
        return [{"config": cfg.name, "framework": fw, "status": f"error: {why}"}], others
    rep = json.loads(out.read_text())
    status = rep.get("status", "error")
    if status != "ok":
        log(f"  {cfg.name:14} {fw:9} {status}" + (f"\n{tail}" if "error" in status else ""))
        return [{"config": cfg.name, "framework": fw, "status": status}], others
    rows = []
    for i, r in enumerate(rep["rows"]):
        r.update(config=cfg.name, status="ok", version=rep.get("version", ""), others=others)
        if i == 0:  # the framework's own row carries the process-wide numbers
            r.update(import_s=rep.get("import_s"), rss_peak_mb=peak)
            r["rss_train_mb"] = max(0.0, peak - rep.get("rss_base_mb", peak))
        rows.append(r)
    log(
        f"  {cfg.name:14} {fw:9} {rep['rows'][0]['time']:10.4g} {cfg.unit:8} "
        f"({wall:.1f} s, others' CPU {others:.0f}%)"
    )
    return rows, others


def run_config(cfg, frameworks, cache: Path, args, log, seed=0) -> list[dict]:
    """Every framework on one config, all from ``seed``; a run that other processes disturbed
    (others' CPU above NOISY %) is repeated up to args.retries times, keeping the least disturbed
    one."""
    rows = []
    for fw in (f for f in frameworks if cfg.runs(f)):
        if not installed(fw):
            rows.append({"config": cfg.name, "framework": fw, "status": "not installed"})
            log(f"  {cfg.name:14} {fw:9} not installed")
            continue
        best, best_others = None, math.inf
        for attempt in range(1 + max(0, args.retries)):
            got, others = run_one(cfg, fw, cache, args.quick, args.timeout, args.settle, log,
                                  seed)
            if best is None or others < best_others:
                best, best_others = got, others
            if got[0].get("status") != "ok" or not others > NOISY:
                break
            if attempt < args.retries:
                log(f"  {'':14} {fw:9} disturbed ({others:.0f}% by others): again")
        rows += best
    return rows


def merge_rounds(rounds: list[list[dict]]) -> list[dict]:
    """One row per framework from several rounds of one config: the round with the median time
    (the upper one of an even count), with every round's time (``round_times``) and, for the
    peers, the ratio to glassnet within each round (``round_ratios``, their median
    ``paired_ratio``): paired, so a machine that speeds up or slows down between rounds moves
    both sides of each ratio. Round i trained from seed i: the test accuracy is the mean over
    the rounds (``round_accs``), not the median round's."""
    if len(rounds) == 1:
        return rounds[0]
    by_fw: dict[str, list[dict]] = {}
    for got in rounds:
        for r in got:
            by_fw.setdefault(r["framework"], []).append(r)
    glassnet_times = [r.get("time") for r in by_fw.get("glassnet", [])]
    merged = []
    for fw, runs in by_fw.items():
        ok = [r for r in runs if r.get("status") == "ok"]
        if len(ok) < len(runs):  # a round failed: report the failure, not a partial median
            merged.append(next(r for r in runs if r.get("status") != "ok"))
            continue
        times = [r["time"] for r in ok]
        row = dict(sorted(ok, key=lambda r: r["time"])[len(ok) // 2])
        row["round_times"] = times
        accs = [r.get("acc") for r in ok]
        if len(ok) == len(rounds) and None not in accs:
            row["round_accs"], row["acc"] = accs, statistics.mean(accs)
        if len(ok) < len(rounds):  # a row another child makes (sgemm) from a failed round
            row["note"] = f"only {len(ok)} of {len(rounds)} rounds; " + row.get("note", "")
        elif fw != "glassnet" and len(glassnet_times) == len(times) and all(glassnet_times):
            row["round_ratios"] = [t / g for t, g in zip(times, glassnet_times, strict=True)]
            row["paired_ratio"] = statistics.median(row["round_ratios"])
        merged.append(row)
    return merged


def run_imports(frameworks, repeats: int, settle: float, log) -> list[dict]:
    """Median wall time of `python -c "import X"` (cold process, warm page cache)."""
    rows = []
    for fw in ("python", *frameworks):
        if fw != "python" and fw != "numpy" and not installed(fw):
            rows.append({"config": "import", "framework": fw, "status": "not installed"})
            continue
        cmd = [sys.executable, "-c", harness.IMPORT_STATEMENTS[fw]]
        env = child_env(fw)
        if settle > 0:
            harness.wait_quiet(settle, NOISY)
        harness.run_child(cmd, env, 300)  # warm the page cache and the .pyc files
        walls, peaks, busy, code, tail = [], [], [], 0, ""
        for _ in range(repeats):
            code, wall, peak, tail, others = harness.run_child(cmd, env, 300)
            walls.append(wall)
            peaks.append(peak)
            busy.append(others)
        if code != 0:
            last = tail.strip().splitlines()[-1] if tail.strip() else f"exit {code}"
            rows.append({"config": "import", "framework": fw, "status": f"error: {last}"})
            continue
        walls.sort()
        t = walls[0]  # the minimum: on a shared machine noise only ever adds
        rows.append(
            {
                "config": "import",
                "framework": fw,
                "status": "ok",
                "time": t,
                "rss_peak_mb": max(peaks),
                "others": max(busy),
                "note": f"{harness.IMPORT_STATEMENTS[fw]}; min of {repeats}, median "
                f"{walls[len(walls) // 2]:.3f} s",
            }
        )
        log(f"  {'import':14} {fw:9} {t:10.4g} s")
    return rows


# --------------------------------------------------------------------------------------------
# The environment
# --------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def blas_info() -> str:
    try:
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = []
    for i in threadpool_info():
        if i.get("user_api") == "blas":
            parts.append(
                f"{i.get('internal_api')} {i.get('version')}, kernel {i.get('architecture')}, "
                f"{i.get('num_threads')} threads"
            )
    return "; ".join(parts) or "?"


def environment(versions: dict, mnist_source: str) -> list[tuple[str, str]]:
    import numpy

    env = [
        ("date", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{cpu_model()}, {os.cpu_count()} cores ({platform.machine()})"),
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("NumPy", f"{numpy.__version__}; BLAS: {blas_info()}"),
    ]
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.append((k, os.environ.get(k, "unset")))
    for fw in ("glassnet", "torch", "sklearn", "keras"):
        if fw in versions:
            env.append((fw, versions[fw]))
    env.append(("MNIST", mnist_source))
    return env


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

COLUMNS = [
    "config",
    "framework",
    "time",
    "÷ glassnet",
    "÷ numpy",
    "test acc",
    "GFLOP/s",
    "peak RSS MB (train +)",
    "import s",
    "warm-up s",
    "others' CPU %",
    "note",
]


def _fmt(x, spec: str) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return format(x, spec)


def _time_spec(unit: str) -> str:
    return {"s/epoch": ".3f", "ms/10k": ".1f", "us/call": ".1f", "s": ".3f"}.get(unit, ".4g")


def table_rows(rows: list[dict]) -> list[list[str]]:
    out = []
    by_cfg: dict[str, list[dict]] = {}
    for r in rows:
        by_cfg.setdefault(r["config"], []).append(r)
    for name, group in by_cfg.items():
        cfg = harness.CONFIGS[name]
        base = {r["framework"]: r.get("time") for r in group if r.get("status") == "ok"}
        for r in group:
            label = f"{name} [{cfg.unit}]"
            if r.get("status") != "ok":
                status = " ".join(str(r["status"]).split())[:200]
                out.append([label, r["framework"], *["-"] * 9, status])
                continue
            t = r["time"]
            g, n = base.get("glassnet"), base.get("numpy")
            rss = r.get("rss_peak_mb")
            rss_s = "-"
            if rss is not None:
                rss_s = f"{rss:.0f}"
                if r.get("rss_train_mb") is not None:
                    rss_s += f" (+{r['rss_train_mb']:.0f})"
            out.append(
                [
                    label,
                    r["framework"],
                    _fmt(t, _time_spec(cfg.unit)),
                    _ratio_cell(r, t, g),
                    _fmt(t / n, ".2f") if n and r["framework"] != "numpy" else "-",
                    _fmt(r.get("acc"), ".4f"),
                    _fmt(r.get("gflops"), ".1f"),
                    rss_s,
                    _fmt(r.get("import_s"), ".2f"),
                    _fmt(r.get("warmup_s"), ".2f"),
                    _fmt(r.get("others"), ".0f"),
                    _note(r),
                ]
            )
    return out


def _ratio_cell(r: dict, t, g) -> str:
    """÷ glassnet: with rounds, the median of the per-round (paired) ratios, as the goals use."""
    if "paired_ratio" in r:
        return _fmt(r["paired_ratio"], ".2f")
    return _fmt(t / g, ".2f") if g else "n/a"


def _note(r: dict) -> str:
    note = r.get("note", "")
    ep = r.get("epochs_s") or []
    if len(ep) > 1:
        note = f"median of {len(ep)} epochs ({min(ep):.3f}-{max(ep):.3f}); " + note
    rounds = r.get("round_times")
    if rounds:
        note = f"median of {len(rounds)} rounds ({', '.join(f'{t:.4g}' for t in rounds)}); " + note
    accs = r.get("round_accs")
    if accs:
        note = f"test acc by seed: {', '.join(f'{a:.4f}' for a in accs)}; " + note
    ratios = r.get("round_ratios")
    if ratios:
        note = f"÷ glassnet per round: {', '.join(f'{q:.2f}' for q in ratios)}; " + note
    return note


def render_text(body: list[list[str]]) -> str:
    widths = [max(len(c), *(len(row[i]) for row in body)) for i, c in enumerate(COLUMNS)]
    widths[-1] = len(COLUMNS[-1])
    numeric = set(range(2, 11))

    def line(cells):
        parts = []
        for i, c in enumerate(cells):
            parts.append(c.rjust(widths[i]) if i in numeric else c.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    lines = [line(COLUMNS), line(["-" * w for w in widths])]
    prev = None
    for row in body:
        if prev is not None and row[0] != prev:
            lines.append("")
        lines.append(line(row))
        prev = row[0]
    return "\n".join(lines)


def render_markdown(body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |"]
    lines.append(
        "|" + "|".join("---:" if 2 <= i <= 10 else "---" for i in range(len(COLUMNS))) + "|"
    )
    for row in body:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines)


def _per_round(a: dict, b: dict) -> list[float]:
    """a's time / b's time in each round (one ratio without rounds)."""
    ta, tb = a.get("round_times") or [a["time"]], b.get("round_times") or [b["time"]]
    return [x / y for x, y in zip(ta, tb, strict=True)] if len(ta) == len(tb) else []


def before_lines(t: dict) -> list[str]:
    """With --before-src: glassnet before / now, and PyTorch against each, per config."""
    out = []
    for (cfg, fw), before in t.items():
        now = t.get((cfg, "glassnet"))
        if fw != "glassnet_before" or now is None:
            continue
        pairs = [("glassnet before / glassnet now", before, now)]
        for peer, label in (("torch", "PyTorch"), ("torch_1t", "PyTorch on 1 thread")):
            if (cfg, peer) in t:
                pairs += [(f"{label} / glassnet before", t[(cfg, peer)], before),
                          (f"{label} / glassnet now", t[(cfg, peer)], now)]
        for text, a, b in pairs:
            ratios = _per_round(a, b)
            if ratios:
                out.append(f"- (information) {cfg}: {text}: {statistics.median(ratios):.2f}x "
                           f"(per round: {', '.join(f'{r:.2f}' for r in ratios)})")
    return out


def goals(rows: list[dict], quick: bool = False) -> list[str]:
    """Issue 6's goals, checked against this run (only where both sides were measured)."""
    t = {(r["config"], r["framework"]): r for r in rows if r.get("status") == "ok"}

    def val(cfg, fw, key="time"):
        r = t.get((cfg, fw))
        return r.get(key) if r else None

    def at_least(text, a, b, bar, unit="x", paired=None):
        """Goal a / b >= bar; b is glassnet's number (or a is, for 'at most' goals). With
        rounds, ``paired`` (cfg, peer) checks the median of the per-round ratios instead."""
        row = t.get(paired, {}) if paired else {}
        if "paired_ratio" in row:
            q, ratios = row["paired_ratio"], row["round_ratios"]
            return (f"- [{'x' if q >= bar else ' '}] {text}: {q:.2f}{unit} (median of "
                    f"{len(ratios)} rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
        if a is None or not b:
            return f"- [ ] {text}: not measured"
        return f"- [{'x' if a / b >= bar else ' '}] {text}: {a / b:.2f}{unit}"

    def g(cfg, key="time"):
        return val(cfg, "glassnet", key)

    out = [
        at_least("mnist-b32: PyTorch / glassnet >= 3", val("mnist-b32", "torch"), g("mnist-b32"), 3,
                 paired=("mnist-b32", "torch"))
    ]
    if val("mnist-b32", "torch_ftz"):  # not a goal: PyTorch flushing subnormals, as glassnet does
        out.append(at_least("(information) mnist-b32: PyTorch with flushed subnormals (torch_ftz) "
                            "/ glassnet >= 3", val("mnist-b32", "torch_ftz"), g("mnist-b32"), 3,
                            paired=("mnist-b32", "torch_ftz")))
    out += before_lines(t)
    acc, text = g("mnist-b32", "acc"), "mnist-b32: glassnet test accuracy >= 0.977 (5 epochs)"
    seeds = len(val("mnist-b32", "glassnet", "round_accs") or [])
    text += f", mean of {seeds} seeds" if seeds else ""
    if acc is None:
        out.append(f"- [ ] {text}: not measured")
    elif quick:
        out.append(f"- [ ] {text}: not measured (--quick trains 1 epoch: {acc:.4f})")
    else:
        out.append(f"- [{'x' if acc >= 0.977 else ' '}] {text}: {acc:.4f}")
    for cfg in ("mnist-b512", "mlp-512-256", "mlp-1024-1024", "predict-10k"):
        out.append(at_least(f"{cfg}: PyTorch / glassnet >= 1", val(cfg, "torch"), g(cfg), 1,
                            paired=(cfg, "torch")))
    out += [
        at_least(
            "mnist-b32: scikit-learn / glassnet >= 3",
            val("mnist-b32", "sklearn"),
            g("mnist-b32"),
            3,
            paired=("mnist-b32", "sklearn"),
        ),
        at_least(
            "mnist-b32: Keras / glassnet >= 10", val("mnist-b32", "keras"), g("mnist-b32"), 10,
            paired=("mnist-b32", "keras"),
        ),
        # the "at most" goals, written as a ratio that must stay at or below 1
        at_least(
            "predict-1: 1.5 x NumPy chain / glassnet >= 1",
            val("predict-1", "numpy") and 1.5 * val("predict-1", "numpy"),
            g("predict-1"),
            1,
        ),
        at_least(
            "mnist-b32: peak RSS PyTorch / glassnet >= 1",
            val("mnist-b32", "torch", "rss_peak_mb"),
            g("mnist-b32", "rss_peak_mb"),
            1,
        ),
        at_least('import: 0.25 s / python -c "import glassnet" >= 1', 0.25, g("import"), 1),
    ]
    return out


# --------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 epoch; large nets on 1/4 epoch")
    ap.add_argument("--only", default="", help=f"comma-separated: {', '.join(harness.CONFIGS)}")
    ap.add_argument("--peers", default=",".join(harness.DEFAULT_PEERS),
                    help=f"comma-separated, of {', '.join(harness.PEERS)}")
    ap.add_argument("--no-glassnet", action="store_true", help="leave glassnet out")
    ap.add_argument("--no-numpy", action="store_true", help="leave the bare-NumPy rows out")
    ap.add_argument("--before-src", type=Path, help="also run glassnet from this source tree "
                    "(a folder holding glassnet/, e.g. an older worktree's src) as the "
                    "'glassnet_before' row, on the chain configs, paired with glassnet per round")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--json", type=Path, help="also write every row as JSON to this file")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per child process")
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run each training and predict-10k configuration this many times, every framework "
        "once per round; the table keeps each framework's median round and the goals use the "
        "median of the per-round ratios (default 1)",
    )
    ap.add_argument(
        "--retries",
        type=int,
        default=None,
        help="rerun a child that other processes disturbed (others' CPU > 10%%) up to N times "
        "(default 2; 0 with --quick)",
    )
    ap.add_argument(
        "--settle",
        type=float,
        default=None,
        help="before each child, wait up to this many seconds for other processes to use under "
        "10%% of the CPU (default 60; 5 with --quick; 0: do not wait)",
    )
    args = ap.parse_args(argv)
    if args.retries is None:
        args.retries = 0 if args.quick else 2
    if args.settle is None:
        args.settle = 5.0 if args.quick else 60.0

    configs = [c for c in args.only.split(",") if c] or list(harness.CONFIGS)
    bad = [c for c in configs if c not in harness.CONFIGS]
    peers = [p for p in args.peers.split(",") if p]
    bad += [p for p in peers if p not in harness.PEERS]
    if bad:
        ap.error(f"unknown config or peer: {', '.join(bad)}")
    global BEFORE_SRC
    if args.before_src is not None:
        BEFORE_SRC = args.before_src.resolve()
        if not (BEFORE_SRC / "glassnet" / "__init__.py").is_file():
            ap.error(f"--before-src {args.before_src}: no glassnet/__init__.py in it")
    frameworks = [
        *([] if args.no_glassnet else ["glassnet"]),
        *([] if args.before_src is None else ["glassnet_before"]),
        *([] if args.no_numpy else ["numpy"]),
        *peers,
    ]

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    cache = Path(tempfile.mkdtemp(prefix="glassnet-bench-"))
    t_start = time.perf_counter()
    try:
        source = harness.cache_mnist(cache)
        log(f"MNIST from {source}; {len(frameworks)} frameworks x {len(configs)} configs")
        rows: list[dict] = []
        for name in configs:
            cfg = harness.CONFIGS[name]
            if cfg.kind == "import":
                rows += run_imports(frameworks, 3 if args.quick else 5, args.settle, log)
            else:
                repeats = args.rounds if cfg.kind in ("train", "predict_batch") else 1
                # round i trains from seed i; every other round runs in reverse order, so that
                # no framework always runs first
                rows += merge_rounds([
                    run_config(cfg, frameworks[::-1] if i % 2 else frameworks, cache, args, log,
                               seed=i)
                    for i in range(max(1, repeats))])
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    versions = {}
    for r in rows:
        if r.get("version") and r["framework"] in ("glassnet", "torch", "sklearn", "keras"):
            versions[r["framework"]] = str(r["version"])
    for r in rows:
        if r["framework"] == "glassnet" and r.get("status", "").startswith("not"):
            versions.setdefault("glassnet", " ".join(str(r["status"]).split())[:200])
    env = environment(versions, source)
    body = table_rows(rows)
    mode = "--quick (1 epoch; large nets on 1/4 epoch)" if args.quick else "full"
    if args.markdown:
        print("\n".join(f"- **{k}**: {v}" for k, v in env))
        print(f"- **mode**: {mode}; total {time.perf_counter() - t_start:.0f} s\n")
        print(render_markdown(body))
        print("\nGoals of issue 6 in this run:\n")
        print("\n".join(goals(rows, args.quick)))
    else:
        print("\n".join(f"{k:>20}: {v}" for k, v in env))
        print(f"{'mode':>20}: {mode}; total {time.perf_counter() - t_start:.0f} s\n")
        print(render_text(body))
        print("\nGoals of issue 6 in this run:")
        print("\n".join(goals(rows, args.quick)))
    noisy = [r for r in rows if r.get("others", 0) > NOISY and r["framework"] != "sgemm"]
    if noisy:
        print(
            f"\n{len(noisy)} row(s) ran while other processes took more than {NOISY:.0f}% of the "
            "CPU (others' CPU %): their times are upper bounds; rerun them on a quiet machine."
        )
    if args.json:
        args.json.write_text(json.dumps({"environment": dict(env), "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
