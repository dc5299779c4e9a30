"""Where the microseconds of one training step go (issue 6, "profile first").

    python benchmarks/profile_step.py [--batch 32] [--hidden 128] [--steps 1875] [--markdown]

1. The bare-NumPy loop (peers/numpy_peer.py) at batch 32, one phase at a time: batch gathering,
   each matrix product, bias adds, ReLU and its mask, softmax + loss, Adam, loop overhead; at the
   BLAS thread count in force and at 1 thread.
2. The optimizer alone over the 101,770 parameters: the in-place NumPy Adam, fused numba kernels
   (serial and parallel, with and without error_model='numpy', when numba is installed) and
   PyTorch's Adam (for-loop default, foreach, fused), per step; then the NumPy loop's epoch with
   Adam swapped for each numba kernel (does a parallel kernel fight OpenBLAS's threads?).
3. PyTorch's idiomatic loop split into gather, forward, loss, zero_grad, backward and step; and
   its epoch time with ``Adam(fused=True)`` (what a tuned PyTorch user would get).
4. With ``--glassnet``: cProfile of glassnet's own ``fit`` per step (the functions with the most
   own time), for the before / after of issue 6.

Phases are timed with perf_counter_ns around each piece (the timer itself costs well under 0.1 us).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import harness
import numpy as np
from peers.numpy_peer import F32, NumpyMLP

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional
    threadpool_limits = None


def _load():
    cache = Path(tempfile.gettempdir()) / "glassnet-bench-profile-mnist"
    if not (cache / "x_train.npy").is_file():
        harness.cache_mnist(cache)
    return harness.load_cached(cache)


# --------------------------------------------------------------------------------------------
# 1. The NumPy step, phase by phase
# --------------------------------------------------------------------------------------------


def numpy_phases(data, batch, hidden, steps):
    """Mean and median microseconds per step of each phase of NumpyMLP's step."""
    x2d = data["x_train"].reshape(len(data["x_train"]), -1)
    y = data["y_train"]
    model = NumpyMLP((784, *hidden, 10), batch, seed=0)
    rng = np.random.default_rng(0)
    model.fit(x2d, y, 1, rng, max_steps=50)  # warm-up
    L = len(model.W)
    acc: dict[str, list[int]] = {}
    ns = time.perf_counter_ns

    def rec(name, t0):
        t1 = ns()
        acc.setdefault(name, []).append(t1 - t0)
        return t1

    n = len(x2d)
    perm = rng.permutation(n)
    t_loop0 = ns()
    done = 0
    i = 0
    while done < steps:
        if i >= n:
            perm, i = rng.permutation(n), 0
        t = ns()
        idx = perm[i : i + batch]
        i += batch
        k = len(idx)
        t = rec("loop: slice the permutation", t)
        xb = model.xb[:k]
        np.take(x2d, idx, axis=0, out=xb)
        t = rec("gather x (np.take out=)", t)
        yb = model.yb[:k]
        np.take(y, idx, out=yb)
        t = rec("gather y", t)
        h = xb
        for j in range(L):
            out = model.z[j][:k]
            np.matmul(h, model.W[j], out=out)
            t = rec(f"fwd matmul L{j + 1} x@W ({h.shape[1]}x{out.shape[1]})", t)
            out += model.b[j]
            t = rec(f"fwd bias add L{j + 1}", t)
            if j < L - 1:
                np.maximum(out, 0, out=out)
                t = rec(f"fwd ReLU L{j + 1}", t)
            h = out
        _, d = model.softmax_ce(h, yb)
        t = rec("softmax + CE loss + dlogits", t)
        for j in range(L - 1, -1, -1):
            a_prev = xb if j == 0 else model.z[j - 1][:k]
            np.matmul(a_prev.T, d, out=model.dW[j])
            t = rec(f"bwd matmul L{j + 1} dW=a.T@d ({a_prev.shape[1]}x{d.shape[1]})", t)
            np.sum(d, axis=0, out=model.db[j])
            t = rec(f"bwd bias grad L{j + 1} (sum)", t)
            if j > 0:
                dp = model.d[j - 1][:k]
                np.matmul(d, model.W[j].T, out=dp)
                t = rec(f"bwd matmul L{j + 1} dX=d@W.T", t)
                dp *= a_prev > 0
                t = rec(f"bwd ReLU mask L{j}", t)
                d = dp
        model.adam()
        t = rec("Adam, in-place NumPy (12 passes over 1 flat buffer)", t)
        done += 1
    total = (ns() - t_loop0) / steps / 1e3
    rows = [(k, float(np.mean(v)) / 1e3, float(np.median(v)) / 1e3) for k, v in acc.items()]
    # the same loop without timers, for the true per-step cost
    t0 = time.perf_counter()
    model.fit(x2d, y, 1, rng, max_steps=steps)
    plain = (time.perf_counter() - t0) / steps * 1e6
    return rows, total, plain


def _group(name: str) -> str:
    if "matmul" in name:
        return "matrix products"
    if "ReLU" in name or "bias" in name:
        return "bias + activation (+ grads)"
    if "softmax" in name:
        return "loss (softmax + CE + dlogits)"
    if "Adam" in name:
        return "optimizer (Adam)"
    if "gather" in name:
        return "batch gathering"
    return "Python loop overhead"


# --------------------------------------------------------------------------------------------
# 2. The optimizer alone
# --------------------------------------------------------------------------------------------


NUMBA_VARIANTS = (
    ("numba, serial, default error model", {}),
    ("numba, serial, error_model='numpy'", {"error_model": "numpy"}),
    ("numba, serial, error_model='numpy', fastmath", {"error_model": "numpy", "fastmath": True}),
    ("numba, parallel, error_model='numpy'", {"error_model": "numpy", "parallel": True}),
)


def _adam_kernel(numba):
    def kernel(p, g, m, v, lr_t, b1, b2, eps):
        c1, c2 = F32(1) - b1, F32(1) - b2
        for i in numba.prange(p.size):
            gi = g[i]
            mi = b1 * m[i] + c1 * gi
            vi = b2 * v[i] + c2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= lr_t * mi / (np.sqrt(vi) + eps)

    return kernel


class _NumbaAdamMLP(NumpyMLP):
    kernel = None

    def adam(self):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr_t = self.lr * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        self.kernel(
            self.params, self.grads, self.m, self.v, F32(lr_t), F32(b1), F32(b2), F32(self.eps)
        )


def adam_variant(data, batch, hidden, variant: int, repeats=2000):
    """One Adam implementation (-1: in-place NumPy; else NUMBA_VARIANTS[variant]), in a fresh
    process: us per step of the optimizer alone over the MNIST model's parameters, first-call
    compile seconds, and the NumPy loop's s/epoch with this Adam inside."""
    out = {}
    if variant < 0:
        model_cls, kernel = NumpyMLP, None
    else:
        import numba

        kw = NUMBA_VARIANTS[variant][1]
        t0 = time.perf_counter()
        kernel = numba.njit(cache=False, **kw)(_adam_kernel(numba))
        p = np.zeros(101_770, F32)
        kernel(p, p.copy(), p.copy(), p.copy(), F32(1e-3), F32(0.9), F32(0.999), F32(1e-7))
        out["compile_s"] = time.perf_counter() - t0
        if kw.get("parallel"):
            out["layer"] = numba.threading_layer()
        model_cls = _NumbaAdamMLP
    # the optimizer alone, on the 784-128-10 model's 101,770 parameters
    m = model_cls((784, 128, 10), 32, seed=0)
    m.kernel = kernel
    m.grads[...] = np.random.default_rng(0).standard_normal(m.grads.size, dtype=F32)
    for _ in range(20):
        m.adam()
    t0 = time.perf_counter()
    for _ in range(repeats):
        m.adam()
    out["us"] = (time.perf_counter() - t0) / repeats * 1e6
    out["n"] = int(m.params.size)
    # the whole NumPy loop with this Adam
    x2d = data["x_train"].reshape(len(data["x_train"]), -1)
    model = model_cls((784, *hidden, 10), batch, seed=0)
    model.kernel = kernel
    rng = np.random.default_rng(0)
    model.fit(x2d, data["y_train"], 1, rng, max_steps=50)
    t0 = time.perf_counter()
    model.fit(x2d, data["y_train"], 1, rng)
    out["epoch_s"] = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------------------------
# 3. PyTorch
# --------------------------------------------------------------------------------------------


def torch_section(data, batch, hidden, steps):
    try:
        import torch
    except ImportError:
        return None
    from peers import torch_peer

    torch_peer.import_framework()
    sizes = (784, *hidden, 10)
    torch.manual_seed(0)
    X, Y = torch.from_numpy(data["x_train"]), torch.from_numpy(data["y_train"])
    res = {"threads": torch.get_num_threads()}

    # the idiomatic step, phase by phase
    model = torch_peer.build(sizes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(X), generator=gen)
    acc: dict[str, list[int]] = {}
    ns = time.perf_counter_ns
    for s in range(steps + 50):
        i = (s * batch) % (len(X) - batch)
        t0 = ns()
        idx = perm[i : i + batch]
        xb, yb = X[idx], Y[idx]
        t1 = ns()
        opt.zero_grad(set_to_none=True)
        t2 = ns()
        out = model(xb)
        t3 = ns()
        loss = loss_fn(out, yb)
        t4 = ns()
        loss.backward()
        t5 = ns()
        opt.step()
        t6 = ns()
        if s >= 50:
            for name, a, b in (
                ("gather X[idx], Y[idx]", t0, t1),
                ("zero_grad(set_to_none=True)", t1, t2),
                ("forward model(xb)", t2, t3),
                ("CrossEntropyLoss", t3, t4),
                ("loss.backward()", t4, t5),
                ("opt.step() Adam (default: for-loop)", t5, t6),
            ):
                acc.setdefault(name, []).append(b - a)
    res["phases"] = [
        (k, float(np.mean(v)) / 1e3, float(np.median(v)) / 1e3) for k, v in acc.items()
    ]

    # the optimizer alone, three implementations
    adam = {}
    for label, kw in (
        ("torch Adam, default (for-loop)", {}),
        ("torch Adam, foreach=True", {"foreach": True}),
        ("torch Adam, fused=True", {"fused": True}),
    ):
        m = torch_peer.build(sizes)
        o = torch.optim.Adam(m.parameters(), lr=1e-3, **kw)
        for p in m.parameters():
            p.grad = torch.randn_like(p)
        for _ in range(20):
            o.step()
        t0 = time.perf_counter()
        for _ in range(2000):
            o.step()
        adam[label] = (time.perf_counter() - t0) / 2000 * 1e6
    res["adam"] = adam

    # whole epochs: the idiomatic loop vs Adam(fused=True)
    epochs = {}
    for label, kw in (("default Adam", {}), ("Adam(fused=True)", {"fused": True})):
        torch.manual_seed(0)
        m = torch_peer.build(sizes)
        o = torch.optim.Adam(m.parameters(), lr=1e-3, **kw)
        g = torch.Generator().manual_seed(0)
        torch_peer.fit(m, o, loss_fn, X, Y, batch, 1, g, max_steps=20)
        t0 = time.perf_counter()
        torch_peer.fit(m, o, loss_fn, X, Y, batch, 1, g)
        epochs[label] = time.perf_counter() - t0
    res["epochs"] = epochs
    return res


# --------------------------------------------------------------------------------------------


def _table(headers, rows, markdown):
    rows = [[str(c) for c in r] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|---" + "|---:" * (len(headers) - 1) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    w = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def fmt(r):
        return "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r))

    return "\n".join([fmt(headers), fmt(["-" * x for x in w]), *map(fmt, rows)])


def glassnet_cprofile(data, batch, hidden, steps, top=18):
    """cProfile of glassnet's fit over `steps` batches: the functions with the most own time."""
    import cProfile
    import pstats

    from peers import glassnet_peer

    glassnet_peer.import_framework()
    model = glassnet_peer.build((784, *hidden, 10))
    k = steps * batch
    x, y = data["x_train"][:k], data["y_train"][:k]
    model.fit(x[: batch * 20], y[: batch * 20], epochs=1, batch_size=batch, verbose=0, seed=0)
    t0 = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=batch, verbose=0, seed=0)
    plain = (time.perf_counter() - t0) / steps * 1e6
    prof = cProfile.Profile()
    prof.enable()
    model.fit(x, y, epochs=1, batch_size=batch, verbose=0, seed=0)
    prof.disable()
    st = pstats.Stats(prof)
    rows = []
    for (file, line, fn), (_, ncalls, tt, ct, _) in st.stats.items():
        where = f"{Path(file).name}:{line}({fn})" if line else fn
        rows.append((where, ncalls / steps, tt / steps * 1e6, ct / steps * 1e6))
    rows.sort(key=lambda r: -r[2])
    return {"plain": plain, "rows": rows[:top], "kernels": glassnet_peer._kernels_note()}


def run_section(args) -> dict:
    """The child's side: run one section and return its results (JSON-able)."""
    hidden = tuple(int(h) for h in args.hidden.split(","))
    data = _load()
    if args.section == "phases":
        if args.threads and threadpool_limits is not None:
            with threadpool_limits(limits=args.threads, user_api="blas"):
                rows, total, plain = numpy_phases(data, args.batch, hidden, args.steps)
        else:
            rows, total, plain = numpy_phases(data, args.batch, hidden, args.steps)
        return {"rows": rows, "total": total, "plain": plain}
    if args.section == "adam":
        return adam_variant(data, args.batch, hidden, args.variant)
    if args.section == "glassnet":
        return glassnet_cprofile(data, args.batch, hidden, args.steps)
    if args.section == "torch":
        return torch_section(data, args.batch, hidden, args.steps) or {}
    raise ValueError(args.section)


def _spawn(args, section, log, **extra) -> dict:
    """Run one section in a fresh process (after waiting for a quiet machine)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "out.json"
        cmd = [sys.executable, __file__, "--section", section, "--out", str(out)]
        cmd += ["--batch", str(args.batch), "--hidden", args.hidden, "--steps", str(args.steps)]
        for k, v in extra.items():
            cmd += [f"--{k}", str(v)]
        harness.wait_quiet(args.settle)
        code, wall, _, tail, others = harness.run_child(cmd, dict(os.environ), 1800)
        if not out.is_file():
            log(f"  {section} {extra}: failed (exit {code})\n{tail}")
            return {}
        res = json.loads(out.read_text())
    res["others"] = others
    log(f"  {section} {extra}: {wall:.1f} s, others' CPU {others:.0f}%")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--hidden", default="128", help="comma-separated hidden widths")
    ap.add_argument("--steps", type=int, default=1875, help="steps to time (1875 = one epoch)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--glassnet", action="store_true", help="also cProfile glassnet's fit")
    ap.add_argument("--settle", type=float, default=30, help="wait for a quiet machine (s)")
    ap.add_argument("--section", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--variant", type=int, default=-1, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.section:  # a child
        args.out.write_text(json.dumps(run_section(args)))
        return 0

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    hidden = tuple(int(h) for h in args.hidden.split(","))
    md = args.markdown
    _load()  # cache MNIST once for the children
    steps_per_epoch = math.ceil(60_000 / args.batch)
    p = print

    # Every section runs in its own process: thread pools (OpenBLAS's, numba's OpenMP, PyTorch's
    # OpenMP) left alive by one section would otherwise fight the next for the two cores.
    results = {"BLAS default": _spawn(args, "phases", log)}
    if threadpool_limits is not None and (os.cpu_count() or 1) > 1:
        results["BLAS 1 thread"] = _spawn(args, "phases", log, threads=1)
    results = {k: v for k, v in results.items() if v}
    labels = list(results)
    p(f"## Bare-NumPy step, 784-{'-'.join(map(str, hidden))}-10, batch {args.batch}\n")
    p(f"us per step: mean over {args.steps} steps (median in brackets)\n")
    names = [r[0] for r in results[labels[0]]["rows"]]
    rows = []
    for i, name in enumerate(names):
        row = [name]
        for lab in labels:
            _, mean, med = results[lab]["rows"][i]
            row.append(f"{mean:.1f} ({med:.1f})")
        rows.append(row)
    for lab_row, key in (
        ("sum of phases (instrumented step)", "total"),
        ("uninstrumented step", "plain"),
    ):
        rows.append([lab_row, *(f"{results[lab][key]:.1f}" for lab in labels)])
    rows.append(
        [
            "=> s/epoch (uninstrumented x steps/epoch)",
            *(f"{results[lab]['plain'] * steps_per_epoch / 1e6:.3f}" for lab in labels),
        ]
    )
    rows.append(
        ["others' CPU % during the run", *(f"{results[lab]['others']:.0f}" for lab in labels)]
    )
    p(_table(["phase", *(f"us, {lab}" for lab in labels)], rows, md))
    p()
    for lab in labels:
        groups: dict[str, float] = {}
        total = results[lab]["total"]
        for name, mean, _ in results[lab]["rows"]:
            groups[_group(name)] = groups.get(_group(name), 0.0) + mean
        p(f"Grouped ({lab}):\n")
        grows = [
            [g, f"{v:.1f}", f"{100 * v / total:.0f}%"]
            for g, v in sorted(groups.items(), key=lambda kv: -kv[1])
        ]
        p(_table(["group", "us/step", "share"], grows, md))
        p()

    variants = [-1]
    try:
        import numba  # noqa: F401

        variants += list(range(len(NUMBA_VARIANTS)))
    except ImportError:
        log("  numba not installed: no numba rows")
    adam = {v: _spawn(args, "adam", log, variant=v) for v in variants}
    tr = None if args.no_torch else _spawn(args, "torch", log)
    n = next((a["n"] for a in adam.values() if a), 101_770)
    p(f"## Adam: the optimizer alone over {n:,} float32 parameters, and the NumPy loop with it\n")
    arows = []
    for v, a in adam.items():
        if not a:
            continue
        label = "in-place NumPy (peers/numpy_peer.py)" if v < 0 else NUMBA_VARIANTS[v][0]
        if a.get("layer"):
            label += f" [{a['layer']}]"
        comp = a.get("compile_s")
        arows.append(
            [
                label,
                f"{a['us']:.1f}",
                "-" if comp is None else f"{comp:.2f}",
                f"{a['epoch_s']:.3f}",
                f"{a['others']:.0f}",
            ]
        )
    if tr:
        for label, us in tr["adam"].items():
            arows.append([label, f"{us:.1f}", "-", "-", f"{tr['others']:.0f}"])
    heads = ["implementation", "us/step", "compile s", "NumPy loop s/epoch", "others' CPU %"]
    p(_table(heads, arows, md))
    p()
    if tr:
        p(f"## PyTorch's idiomatic step ({tr['threads']} threads), us per step\n")
        tot = sum(m for _, m, _ in tr["phases"])
        prow = [[k, f"{m:.1f} ({md_:.1f})", f"{100 * m / tot:.0f}%"] for k, m, md_ in tr["phases"]]
        prow.append(["sum", f"{tot:.1f}", "100%"])
        p(_table(["phase", "mean (median)", "share"], prow, md))
        p()
        erows = [[k, f"{v:.3f}"] for k, v in tr["epochs"].items()]
        p(_table(["PyTorch, one epoch", "s"], erows, md))
        p(f"\nothers' CPU % during the PyTorch section: {tr['others']:.0f}")
    if args.glassnet:
        gp = _spawn(args, "glassnet", log)
        if gp:
            p(f"\n## glassnet fit(), cProfile, per step ({gp['kernels']})\n")
            p(f"uninstrumented: {gp['plain']:.1f} us/step; others' CPU {gp['others']:.0f}%\n")
            grow = [[w, f"{c:.2f}", f"{tt:.1f}", f"{ct:.1f}"] for w, c, tt, ct in gp["rows"]]
            p(_table(["function", "calls/step", "own us/step", "cumulative us/step"], grow, md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
