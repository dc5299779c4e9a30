"""glassnet's own training step, phase by phase, before and after issue 6 (the RESULTS.md profile).

    python benchmarks/profile_glassnet.py                  # this checkout, numba and numpy kernels
    python benchmarks/profile_glassnet.py --before 4cf0468 # also the engine as of that commit
    python benchmarks/profile_glassnet.py --before fe0cb51 --before-kernels numba

Each variant runs in its own child process on the seeds' MNIST model (784-128 relu-10 softmax,
Adam 1e-3, sparse categorical cross-entropy, accuracy metric, float32) at batch 32: one step is
cut into the phases below, each timed with perf_counter_ns, and the table gives the median
microseconds over ``--steps`` steps. "step" is the median of whole steps timed on their own
(``_EpochLoop._batch`` + ``train_step`` + the metric), so it includes the Python between phases.
The BLAS threads are those ``fit`` would use (one, for these sizes), unless ``--blas-default``.
``--before COMMIT`` extracts that commit's ``src/`` with ``git archive`` into a temp dir.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import harness
import numpy as np

PHASES = [
    "gather the batch",
    "layer 1 forward (x@W, bias, ReLU)",
    "layer 2 forward (h@W, bias, softmax)",
    "loss and dL/dz (softmax + CE)",
    "layer 2 backward (dW, db, dx)",
    "layer 1 backward (ReLU', dW = x.T@delta, db)",
    "finite check of the gradient",
    "optimizer (Adam)",
    "accuracy metric",
]


def _phase_timer(model, loop, order, steps, batch):
    """Median ns of each phase over `steps` steps, and of whole steps."""
    from glassnet import _training

    flatten, l1, l2 = model.layers
    metric = getattr(loop, "metric_fns", model._metric_fns)[0]
    fused_api = hasattr(_training, "loss_and_grad")
    acc, ns = {p: [] for p in PHASES}, time.perf_counter_ns
    n = len(loop.x) - batch
    for s in range(steps):
        lo = (s * batch) % n
        marks = [ns()]
        xb, yb, wb = loop._batch(order, lo, lo + batch)
        marks.append(ns())
        h = l1.forward(flatten.forward(xb, True), True)
        marks.append(ns())
        out = l2.forward(h, True)
        marks.append(ns())
        if fused_api:
            _, grad = _training.loss_and_grad(model, yb, out, wb, True, loop.grad_buffer)
        else:
            _training.loss_value(model, yb, out, wb, True)
            grad = model.loss.logits_grad(yb, out, wb, loop.grad_buffer[: len(out)])
        marks.append(ns())
        g = l2.backward(grad, preactivation_grad=True)
        marks.append(ns())
        l1.backward(g)
        marks.append(ns())
        float(np.dot(model.grads, model.grads))
        marks.append(ns())
        model.optimizer.step(model.params, model.grads)
        marks.append(ns())
        metric(yb, out)
        marks.append(ns())
        for p, a, b in zip(PHASES, marks[:-1], marks[1:], strict=True):
            acc[p].append(b - a)
    whole = []
    for s in range(steps):
        lo = (s * batch) % n
        t0 = ns()
        xb, yb, wb = loop._batch(order, lo, lo + batch)
        _, out = _training.train_step(model, xb, yb, wb, True, loop.grad_buffer)
        metric(yb, out)
        whole.append(ns() - t0)
    return {
        **{p: float(np.median(v)) / 1e3 for p, v in acc.items()},
        "step": float(np.median(whole)) / 1e3,
    }


def child(args):
    """Runs in the child: build, warm up, time the phases; print JSON."""
    import glassnet
    from glassnet import _training
    from glassnet.layers import Dense, Flatten

    data = harness.load_cached(Path(args.cache))
    x, y = np.ascontiguousarray(data["x_train"]), data["y_train"].astype(np.intp)
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential(
        [
            Flatten(input_shape=(28, 28)),
            Dense(128, activation="relu"),
            Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        glassnet.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(x[:3200], y[:3200], epochs=1, batch_size=args.batch, verbose=0, seed=0)  # warm-up
    loop = _training._EpochLoop(
        model,
        x,
        y,
        None,
        args.batch,
        np.random.default_rng(0),
        glassnet.callbacks.CallbackList([], model, {}),
    )
    order = np.random.default_rng(1).permutation(len(x))
    threads = _blas_context(model, args)
    with threads:
        result = _phase_timer(model, loop, order, args.steps, args.batch)
    kernels = getattr(glassnet.kernels.active(), "name", "numpy")
    print(json.dumps({"phases": result, "kernels": kernels}))


def _blas_context(model, args):
    import contextlib

    try:
        from glassnet import _blas
    except ImportError:  # the engine before issue 6 left BLAS at its default
        return contextlib.nullcontext()
    if args.blas_default:
        return contextlib.nullcontext()
    return _blas.training_threads(model, args.batch)


def _extract(commit: str, out: Path) -> Path:
    blob = subprocess.run(
        ["git", "archive", commit, "src"], cwd=harness.REPO_DIR, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(out, filter="data")
    return out / "src"


def _run_variant(label, src, kernels, args, cache):
    env = {**os.environ, "PYTHONPATH": str(src), "GLASSNET_KERNELS": kernels}
    cmd = [
        sys.executable,
        __file__,
        "--child",
        "--cache",
        str(cache),
        "--batch",
        str(args.batch),
        "--steps",
        str(args.steps),
    ] + (["--blas-default"] if args.blas_default else [])
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return label, json.loads(done.stdout.strip().splitlines()[-1])


def _median_phases(reports: list[dict]) -> dict:
    """Each phase's median over several runs of one variant."""
    phases = reports[0]["phases"]
    return {"phases": {p: float(np.median([r["phases"][p] for r in reports])) for p in phases}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="also profile the engine as of this commit")
    ap.add_argument("--before-kernels", default="numpy", help="kernels for --before: numpy "
                    "(the engine before issue 6 had no others) or numba")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=1875)
    ap.add_argument("--blas-default", action="store_true", help="leave BLAS threads alone")
    ap.add_argument("--repeat", type=int, default=1, help="run the variants this many times, "
                    "alternating, and report each phase's median over the runs (the machine's "
                    "speed drifts between minutes)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    cache = Path(tempfile.gettempdir()) / "glassnet-bench-profile-mnist"
    if not (cache / "x_train.npy").is_file():
        harness.cache_mnist(cache)
    with tempfile.TemporaryDirectory(prefix="glassnet-before-") as tmp:
        variants = []
        if args.before:
            label = f"before ({args.before}, {args.before_kernels})"
            src = _extract(args.before, Path(tmp))
            variants.append((label, src, args.before_kernels))
        variants += [
            ("after, numpy kernels", harness.SRC_DIR, "numpy"),
            ("after, numba kernels", harness.SRC_DIR, "numba"),
        ]
        runs = [[_run_variant(label, src, k, args, cache) for label, src, k in variants]
                for _ in range(max(1, args.repeat))]
        results = [(label, _median_phases([run[i][1] for run in runs]))
                   for i, (label, _, _) in enumerate(variants)]
    heads = [label for label, _ in results]
    print(f"| phase (median us, batch {args.batch}) | " + " | ".join(heads) + " |")
    print("| --- |" + " ---: |" * len(heads))
    for p in [*PHASES, "step"]:
        cells = [f"{r['phases'][p]:.1f}" for _, r in results]
        name = "**whole step** (gather + train_step + metric)" if p == "step" else p
        print(f"| {name} | " + " | ".join(cells) + " |")
    per_epoch = [r["phases"]["step"] * 1875 / 1e6 for _, r in results]
    print("| = s per epoch (1,875 steps) | " + " | ".join(f"{s:.3f}" for s in per_epoch) + " |")


if __name__ == "__main__":
    main()
