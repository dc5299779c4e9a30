"""One child process of the benchmark: one framework, one configuration.

    python benchmarks/worker.py FRAMEWORK CONFIG --cache DIR --out FILE [--quick]

It loads the cached MNIST (scaled to float32 once, before any timing), imports the framework
(timed), runs the configuration and writes a JSON report to FILE. run.py starts one of these per
(framework, configuration) so that import costs and peak memory are each framework's own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
import traceback
from pathlib import Path

import harness


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("framework", choices=harness.FRAMEWORKS)
    ap.add_argument("config", choices=[c for c in harness.CONFIGS if c != "import"])
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    cfg = harness.CONFIGS[args.config]
    report: dict = {"framework": args.framework, "config": args.config}
    try:
        data = harness.load_cached(args.cache)
        report["rss_data_mb"] = _maxrss_mb()
        peer = importlib.import_module(f"peers.{args.framework}_peer")
        t0 = time.perf_counter()
        report["version"] = peer.import_framework()
        report["import_s"] = time.perf_counter() - t0
        report["rss_base_mb"] = _maxrss_mb()
        if cfg.kind == "train":
            rows = peer.run_train(cfg, data, args.quick)
        elif cfg.kind == "predict_batch":
            rows = peer.run_predict_batch(cfg, data)
        else:
            rows = peer.run_predict_one(cfg, data)
        report["rows"] = rows
        report["status"] = "ok"
    except ModuleNotFoundError as e:
        report["status"] = f"not installed ({e.name})"
    except Exception as e:
        report["status"] = f"error: {type(e).__name__}: {e}"
        traceback.print_exc()
    report["rss_peak_mb"] = _maxrss_mb()
    args.out.write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
