"""How close a training step is to its matrix products alone (issue 18, item 3).

    python benchmarks/step_bound.py [--rounds 5] [--configs 128x32,512x64]

For each 784-H-10 MLP at batch B (``HxB``), in one process and interleaved round by round:
glassnet's epoch (``fit``, Adam, softmax + cross-entropy, on its default threads), and the bare
products of the same step's shapes over as many steps: ``x @ W1``, ``x.T @ d1``, ``h @ W2``,
``h.T @ d2``, ``d2 @ W2.T`` with ``np.matmul`` on one BLAS thread and on two, and the big two
in glassnet's own kernels on the team (the three small ones with ``np.matmul``, as ``fit`` runs
them). The inputs are MNIST's images (their zeros matter to the kernels). The ratios are the
epoch over each kind of bare products (medians of the per-round ratios).
"""

from __future__ import annotations

import argparse
import math
import time

import harness
import numpy as np
from threadpoolctl import threadpool_limits


def products(x, w1, w2, batch, steps, big):
    """Seconds for ``steps`` steps of the five products; ``big`` runs the two first-layer ones."""
    rng = np.random.default_rng(1)  # the deltas: normal numbers (no NaN or subnormal garbage)
    h1 = np.empty((batch, w1.shape[1]), np.float32)
    d1, dw1 = rng.normal(size=h1.shape).astype(np.float32), np.empty_like(w1)
    z, dw2 = np.empty((batch, 10), np.float32), np.empty_like(w2)
    d2, dx = rng.normal(size=z.shape).astype(np.float32), np.empty_like(h1)
    t0 = time.perf_counter()
    for step in range(steps):
        lo = (step * batch) % (len(x) - batch)
        xb = x[lo:lo + batch]
        big(xb, w1, h1)
        np.matmul(h1, w2, out=z)
        np.matmul(h1.T, d2, out=dw2)
        np.matmul(d2, w2.T, out=dx)
        big(xb.T, d1, dw1)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--configs", default="128x32,512x64", help="comma-separated HIDDENxBATCH")
    args = ap.parse_args(argv)
    import glassnet
    from glassnet import _numba_kernels, kernels
    from glassnet.layers import Dense

    data, _ = harness.load_mnist_uint8()
    x = (data["x_train"].reshape(-1, 784) / np.float32(255)).astype(np.float32)
    onehot = np.eye(10, dtype=np.float32)[data["y_train"]]
    print(f"glassnet {glassnet.__version__}, kernels {kernels.active().name}, "
          f"{kernels.get_num_threads()} threads")
    for config in args.configs.split(","):
        hidden, batch = map(int, config.split("x"))
        steps = math.ceil(len(x) / batch)
        glassnet.utils.set_random_seed(0)
        model = glassnet.Sequential([glassnet.Input((784,)), Dense(hidden, activation="relu"),
                                     Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x[:2048], onehot[:2048], batch_size=batch, verbose=0)  # kernels loaded
        rng = np.random.default_rng(0)
        w1 = rng.normal(size=(784, hidden)).astype(np.float32)
        w2 = rng.normal(size=(hidden, 10)).astype(np.float32)
        rows = {"epoch": [], "blas 1 thread": [], "blas 2 threads": [], "glassnet kernels": []}
        for r in range(args.rounds):
            t0 = time.perf_counter()
            model.fit(x, onehot, batch_size=batch, epochs=1, verbose=0, seed=r)
            rows["epoch"].append(time.perf_counter() - t0)
            for threads in (1, 2):
                with threadpool_limits(threads, "blas"):
                    rows[f"blas {threads} thread{'s' * (threads > 1)}"].append(products(
                        x, w1, w2, batch, steps, lambda a, b, out: np.matmul(a, b, out=out)))
            with threadpool_limits(1, "blas"), _numba_kernels.parallel():
                rows["glassnet kernels"].append(products(x, w1, w2, batch, steps,
                                                         _numba_kernels.matmul))
        flops = 2 * 2 * batch * 784 * hidden * steps
        print(f"\n784-{hidden}-10, batch {batch}, {steps} steps, {args.rounds} rounds "
              f"(first-layer products {flops / 1e9:.0f} GFLOP an epoch)")
        epoch = np.array(rows["epoch"])
        for name, seconds in rows.items():
            seconds = np.array(seconds)
            ratio = "" if name == "epoch" else \
                f"  epoch / these: {np.median(epoch / seconds):.2f}x"
            print(f"  {name:17s} {np.median(seconds):.3f} s "
                  f"(rounds {' '.join(f'{s:.3f}' for s in seconds)}){ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
