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
``--before COMMIT`` extracts that commit's ``src/`` with ``git archive`` into a temp dir;
``--before-src DIR`` takes a source tree as it is (another worktree's ``src``). It runs on the
graph engine (``glassnet.models.training``, session 4) and on the chain engine before it.
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


class _Engine:
    """The calls a step is made of, on the graph engine (``glassnet.models.training``, session
    4) or on the chain engine before it (``glassnet._training``)."""

    def __init__(self, glassnet, model, x, y, batch):
        import math

        cbs = glassnet.callbacks.CallbackList([], model, {})
        try:
            from glassnet.models import data, fit, training
        except ImportError:  # the chain engine
            from glassnet import _training as training

            self.graph = False
            self.loop = training._EpochLoop(model, x, y, None, batch, np.random.default_rng(0),
                                            cbs)
            self.grad_buffer = self.loop.grad_buffer
            self.metric = self.loop.metric_fns[0]
        else:
            self.graph = True
            model._prepare_optimizer()
            self.loop = fit._EpochLoop(model, data.prepare(model, x, y), batch,
                                       np.random.default_rng(0), cbs, math.ceil(len(x) / batch))
            self.grad_buffer = self.loop.grad_buffers[0]
            self.metric = training.metric_functions(model)[0][1]
        self.training, self.model = training, model

    def batch(self, order, lo, hi):
        """(the batch as the loop's step takes it, x, y, w)."""
        got = self.loop._batch(order, lo, hi)
        if self.graph:
            return got, got.xs[0], got.ys[0], got.w
        return got, *got

    def loss_and_grad(self, y, out, w):
        return self.training.loss_and_grad(self.model, y, out, w, True, self.grad_buffer)[1]

    def params_and_grads(self):
        model = self.model
        return (model._train_params, model._train_grads) if self.graph else (model.params,
                                                                              model.grads)

    def train_step(self, batch):
        """The step as fit runs it; returns the output."""
        if self.graph:
            return self.training.train_step(self.model, batch, self.loop.grad_buffers)[2][0]
        return self.training.train_step(self.model, *batch, True, self.grad_buffer)[1]


def _phase_timer(engine, order, steps, batch):
    """Median ns of each phase over `steps` steps, and of whole steps."""
    model = engine.model
    flatten, l1, l2 = model.layers
    acc, ns = {p: [] for p in PHASES}, time.perf_counter_ns
    n = len(order) - batch
    for s in range(steps):
        lo = (s * batch) % n
        marks = [ns()]
        _, xb, yb, wb = engine.batch(order, lo, lo + batch)
        marks.append(ns())
        h = l1.forward(flatten.forward(xb, True), True)
        marks.append(ns())
        out = l2.forward(h, True)
        marks.append(ns())
        grad = engine.loss_and_grad(yb, out, wb)
        marks.append(ns())
        g = l2.backward(grad, preactivation_grad=True)
        marks.append(ns())
        l1.backward(g)
        marks.append(ns())
        params, grads = engine.params_and_grads()
        float(np.dot(grads, grads))
        marks.append(ns())
        model.optimizer.step(params, grads)
        marks.append(ns())
        engine.metric(yb, out)
        marks.append(ns())
        for p, a, b in zip(PHASES, marks[:-1], marks[1:], strict=True):
            acc[p].append(b - a)
    whole = []
    for s in range(steps):
        lo = (s * batch) % n
        t0 = ns()
        step_batch, _, yb, _ = engine.batch(order, lo, lo + batch)
        out = engine.train_step(step_batch)
        engine.metric(yb, out)
        whole.append(ns() - t0)
    return {
        **{p: float(np.median(v)) / 1e3 for p, v in acc.items()},
        "step": float(np.median(whole)) / 1e3,
    }


def child(args):
    """Runs in the child: build, warm up, time the phases; print JSON."""
    import glassnet
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
    engine = _Engine(glassnet, model, x, y, args.batch)
    order = np.random.default_rng(1).permutation(len(x))
    threads = _blas_context(model, args)
    with threads:
        result = _phase_timer(engine, order, args.steps, args.batch)
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
    ap.add_argument("--before-src", help="also profile glassnet from this source tree (a "
                    "folder holding glassnet/, e.g. another worktree's src)")
    ap.add_argument("--only-numba", action="store_true", help="profile this checkout with the "
                    "numba kernels only (not also numpy's)")
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
        if args.before_src:
            label = f"before ({args.before_src}, {args.before_kernels})"
            variants.append((label, Path(args.before_src).resolve(), args.before_kernels))
        variants += [
            *([] if args.only_numba else [("after, numpy kernels", harness.SRC_DIR, "numpy")]),
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
