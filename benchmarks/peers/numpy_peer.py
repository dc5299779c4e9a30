"""The bare-NumPy reference: a plain training loop, the matrix products alone, a matmul chain.

- ``NumpyMLP``: dense ReLU layers, softmax cross-entropy, Adam (Keras's form) on ONE flat float32
  parameter buffer, preallocated per-batch workspaces, the batch gathered with ``np.take(out=)``.
  It is what a careful person writes in an afternoon; glassnet has to beat it.
- ``sgemm_epoch``: only the matrix products of one epoch (forward, weight gradients, input
  gradients) at the same shapes, into preallocated outputs: the BLAS ceiling for a config.
- ``chain_predict``: ``np.maximum(x@W1+b1, 0)@W2+b2`` then softmax, over given weights.
"""

from __future__ import annotations

import math
import time
from itertools import pairwise

import harness
import numpy as np

F32 = np.float32


class NumpyMLP:
    """784-...-10 MLP trained with a hand-written loop (the issue's ~1.0 s/epoch baseline)."""

    def __init__(self, sizes, batch_size, seed=0, lr=1e-3, beta_1=0.9, beta_2=0.999, eps=1e-7):
        rng = np.random.default_rng(seed)
        self.sizes = tuple(sizes)
        self.batch_size = batch_size
        self.lr, self.beta_1, self.beta_2, self.eps = lr, beta_1, beta_2, eps
        shapes = list(pairwise(sizes))
        n = sum(a * b + b for a, b in shapes)
        self.params = np.zeros(n, F32)
        self.grads = np.zeros(n, F32)
        self.m = np.zeros(n, F32)
        self.v = np.zeros(n, F32)
        self.tmp = np.zeros(n, F32)
        self.t = 0
        self.W, self.b, self.dW, self.db = [], [], [], []
        off = 0
        for a, b in shapes:
            self.W.append(self.params[off : off + a * b].reshape(a, b))
            self.dW.append(self.grads[off : off + a * b].reshape(a, b))
            off += a * b
            self.b.append(self.params[off : off + b])
            self.db.append(self.grads[off : off + b])
            off += b
            limit = math.sqrt(6.0 / (a + b))  # glorot_uniform, zero biases (Keras's defaults)
            self.W[-1][...] = rng.uniform(-limit, limit, (a, b))
        bs = batch_size
        self.z = [np.empty((bs, b), F32) for _, b in shapes]  # layer outputs (ReLU in place)
        self.d = [np.empty((bs, b), F32) for _, b in shapes]  # deltas; d[-1] holds softmax
        self.xb = np.empty((bs, sizes[0]), F32)
        self.yb = np.empty(bs, np.int64)
        self.rows = np.arange(bs)

    # -- the pieces of one step (profile_step.py times them one by one) ----------------------
    def gather(self, x2d, y, idx):
        k = len(idx)
        xb, yb = self.xb[:k], self.yb[:k]
        np.take(x2d, idx, axis=0, out=xb)
        np.take(y, idx, out=yb)
        return xb, yb

    def forward(self, x):
        n, last = len(x), len(self.W) - 1
        h = x
        for i in range(last + 1):
            out = self.z[i][:n]
            np.matmul(h, self.W[i], out=out)
            out += self.b[i]
            if i < last:
                np.maximum(out, 0, out=out)
            h = out
        return h

    def softmax_ce(self, logits, y):
        """Softmax into d[-1], mean cross-entropy returned, d[-1] turned into dL/dlogits."""
        n = len(y)
        p = self.d[-1][:n]
        rows = self.rows[:n]
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=p)
        picked = p[rows, y]
        np.exp(p, out=p)
        s = p.sum(axis=1)
        loss = float(np.mean(np.log(s) - picked))
        p /= s[:, None]
        p[rows, y] -= 1.0
        p *= F32(1.0 / n)
        return loss, p

    def backward(self, x, d):
        n = len(x)
        for i in range(len(self.W) - 1, -1, -1):
            a_prev = x if i == 0 else self.z[i - 1][:n]
            np.matmul(a_prev.T, d, out=self.dW[i])
            np.sum(d, axis=0, out=self.db[i])
            if i > 0:
                dp = self.d[i - 1][:n]
                np.matmul(d, self.W[i].T, out=dp)
                dp *= a_prev > 0  # ReLU'(z) from the ReLU output
                d = dp

    def adam(self):
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr_t = self.lr * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        g, m, v, tmp = self.grads, self.m, self.v, self.tmp
        m *= F32(b1)  # m = b1 m + (1 - b1) g
        np.multiply(g, F32(1.0 - b1), out=tmp)
        m += tmp
        v *= F32(b2)  # v = b2 v + (1 - b2) g^2
        np.multiply(g, g, out=tmp)
        tmp *= F32(1.0 - b2)
        v += tmp
        np.sqrt(v, out=tmp)  # p -= lr_t m / (sqrt(v) + eps)
        tmp += F32(self.eps)
        np.divide(m, tmp, out=tmp)
        tmp *= F32(lr_t)
        self.params -= tmp

    # -- the loop -------------------------------------------------------------------------
    def train_step(self, xb, yb):
        logits = self.forward(xb)
        loss, d = self.softmax_ce(logits, yb)
        self.backward(xb, d)
        self.adam()
        return loss

    def fit(self, x2d, y, epochs, rng, max_steps=None):
        n, bs, steps = len(x2d), self.batch_size, 0
        for _ in range(epochs):
            perm = rng.permutation(n)
            for i in range(0, n, bs):
                xb, yb = self.gather(x2d, y, perm[i : i + bs])
                self.train_step(xb, yb)
                steps += 1
                if max_steps is not None and steps >= max_steps:
                    return

    def get_weights(self):
        out = []
        for W, b in zip(self.W, self.b, strict=True):
            out += [W.copy(), b.copy()]
        return out


def chain_predict(x, weights):
    """np.maximum(x@W1+b1, 0)@W2+b2 (more hidden layers alike), then softmax."""
    h = x
    for i in range(0, len(weights) - 2, 2):
        h = np.maximum(h @ weights[i] + weights[i + 1], 0)
    z = h @ weights[-2] + weights[-1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sgemm_epoch(sizes, batch_size, x2d, seed=0):
    """Seconds for only the matrix products of one epoch of training at these shapes."""
    rng = np.random.default_rng(seed)
    shapes = list(pairwise(sizes))
    W = [rng.standard_normal(s, dtype=F32) * F32(0.05) for s in shapes]
    dW = [np.empty(s, F32) for s in shapes]
    z = [np.empty((batch_size, b), F32) for _, b in shapes]
    d = [rng.standard_normal((batch_size, b), dtype=F32) * F32(0.01) for _, b in shapes]
    n = len(x2d)
    t0 = time.perf_counter()
    for i in range(0, n, batch_size):
        x = x2d[i : i + batch_size]
        k = len(x)
        h = x
        for j in range(len(W)):
            np.matmul(h, W[j], out=z[j][:k])
            h = z[j][:k]
        for j in range(len(W) - 1, -1, -1):
            a_prev = x if j == 0 else z[j - 1][:k]
            np.matmul(a_prev.T, d[j][:k], out=dW[j])
            if j > 0:
                np.matmul(d[j][:k], W[j].T, out=d[j - 1][:k])
    return time.perf_counter() - t0


# -- the peer interface (see worker.py) ---------------------------------------------------


def import_framework():
    return np.__version__


def _accuracy(model, data):
    x = data["x_test"].reshape(len(data["x_test"]), -1)
    p = chain_predict(x, model.get_weights())
    return float(np.mean(p.argmax(axis=1) == data["y_test"]))


def run_train(cfg, data, quick):
    epochs, frac = cfg.epochs_for(quick), cfg.fraction_for(quick)
    x, y = harness.train_subset(data, frac)
    x2d = x.reshape(len(x), -1)
    rng = np.random.default_rng(harness.SEED)
    t0 = time.perf_counter()
    model = NumpyMLP(cfg.sizes, cfg.batch_size, seed=harness.SEED)
    model.fit(x2d, y, 1, rng, max_steps=harness.WARMUP_STEPS)
    warm = time.perf_counter() - t0
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.fit(x2d, y, 1, rng)
        times.append(time.perf_counter() - t0)
    summary = harness.epoch_summary(times, frac)
    per_epoch = summary["time"]
    flops = harness.train_flops_per_sample(cfg.sizes) * len(data["x_train"])
    rows = [
        {
            "framework": "numpy",
            **summary,
            "warmup_s": warm,
            "acc": _accuracy(model, data),
            "gflops": harness.gflops(flops, per_epoch),
            "note": "plain NumPy loop, Adam on one flat buffer",
        }
    ]
    # The BLAS ceiling: the same matrix products, nothing else (one pass, plus a warm-up).
    sgemm_epoch(cfg.sizes, cfg.batch_size, x2d[: cfg.batch_size * harness.WARMUP_STEPS])
    t_sgemm = sgemm_epoch(cfg.sizes, cfg.batch_size, x2d) / frac
    rows.append(
        {
            "framework": "sgemm",
            "time": t_sgemm,
            "gflops": harness.gflops(flops, t_sgemm),
            "note": "bare np.matmul(out=) of the same shapes only",
            "rss": False,
        }
    )
    return rows


def _trained_weights(data, cfg):
    model = NumpyMLP(cfg.sizes, 32, seed=0)
    x2d = data["x_train"].reshape(len(data["x_train"]), -1)
    model.fit(x2d, data["y_train"], 1, np.random.default_rng(0), max_steps=harness.WARMUP_STEPS)
    return model.get_weights()


def run_predict_batch(cfg, data):
    weights = _trained_weights(data, cfg)
    x = data["x_test"].reshape(len(data["x_test"]), -1)
    return harness.predict_batch_row(
        "numpy", lambda: chain_predict(x, weights), len(x), cfg.sizes, "matmul chain"
    )


def run_predict_one(cfg, data):
    weights = _trained_weights(data, cfg)
    x1 = data["x_test"][:1].reshape(1, -1)
    lat = harness.latency_us(lambda: chain_predict(x1, weights))
    return [
        {
            "framework": "numpy",
            "time": lat["median"],
            "note": f"matmul chain; p10 {lat['p10']:.1f}, p90 {lat['p90']:.1f} us, "
            f"{lat['calls']} calls",
        }
    ]
