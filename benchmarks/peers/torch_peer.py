"""PyTorch, used the way a fast PyTorch user would on a CPU.

``nn.Sequential(Flatten, Linear, ReLU, ..., Linear)`` producing logits, ``CrossEntropyLoss`` on the
logits, ``torch.optim.Adam(lr=1e-3)`` with its defaults, and a DataLoader-free loop that gathers
each shuffled batch by index (``X[idx]``), the fastest idiomatic way to feed an in-memory set.
Threads: ``torch.set_num_threads(os.cpu_count())``. The graph configs (``harness.GRAPHS``) are
``nn.Module`` s whose ``forward`` concatenates or adds, as a PyTorch user writes them.
"""

from __future__ import annotations

import os
import time
from itertools import pairwise

import harness
import numpy as np

torch = None


def import_framework():
    global torch
    import torch as _torch

    torch = _torch
    torch.set_num_threads(os.cpu_count() or 1)
    return torch.__version__


def build(sizes):
    layers = [torch.nn.Flatten()]
    for i, (a, b) in enumerate(pairwise(sizes)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def build_graph(graph: str):
    """The models of ``harness.GRAPHS`` as ``nn.Module`` s producing logits."""
    nn = torch.nn

    class WideDeep(nn.Module):
        def __init__(self):
            super().__init__()
            self.d1, self.d2, self.out = nn.Linear(784, 256), nn.Linear(256, 128), \
                nn.Linear(784 + 128, 10)

        def forward(self, x):
            flat = x.flatten(1)
            deep = torch.relu(self.d2(torch.relu(self.d1(flat))))
            return self.out(torch.cat([flat, deep], dim=1))

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.out = nn.Linear(784, 256), nn.Linear(256, 10)
            self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(256, 256), nn.ReLU(),
                                                      nn.Linear(256, 256)) for _ in range(2))

        def forward(self, x):
            h = torch.relu(self.stem(x.flatten(1)))
            for block in self.blocks:
                h = torch.relu(h + block(h))
            return self.out(h)

    if graph == "bn-mlp":  # Keras's BatchNormalization defaults: momentum 0.99, epsilon 1e-3
        layers = [nn.Flatten()]
        for a, b in ((784, 256), (256, 128)):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b, eps=1e-3, momentum=0.01), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(128, 10))
    if graph == "adamw-cosine":
        return build((784, 128, 10))
    return {"wide-deep": WideDeep, "residual": Residual}[graph]()


def fit(model, opt, loss_fn, X, Y, batch_size, epochs, gen, max_steps=None):
    n, steps = len(X), 0
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            xb, yb = X[idx], Y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if hasattr(opt, "schedule"):
                opt.schedule.step()
            steps += 1
            if max_steps is not None and steps >= max_steps:
                return


def _setup(cfg, data, frac=1.0):
    torch.manual_seed(harness.SEED)
    gen = torch.Generator().manual_seed(harness.SEED)
    x, y = harness.train_subset(data, frac)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    model = build_graph(cfg.graph) if cfg.graph else build(cfg.sizes)
    if cfg.graph == "adamw-cosine":  # the schedule steps with the optimizer (see fit)
        c, steps = harness.COSINE, -(-len(data["x_train"]) // cfg.batch_size)
        opt = torch.optim.AdamW(model.parameters(), lr=1.0, weight_decay=c["weight_decay"],
                                eps=1e-7)
        opt.schedule = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda k: harness.cosine_lr(k, steps))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, opt, torch.nn.CrossEntropyLoss(), X, Y, gen


def run_train(cfg, data, quick):
    epochs, frac = cfg.epochs_for(quick), cfg.fraction_for(quick)
    t0 = time.perf_counter()
    model, opt, loss_fn, X, Y, gen = _setup(cfg, data, frac)
    fit(model, opt, loss_fn, X, Y, cfg.batch_size, 1, gen, max_steps=harness.WARMUP_STEPS)
    warm = time.perf_counter() - t0
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        fit(model, opt, loss_fn, X, Y, cfg.batch_size, 1, gen)
        times.append(time.perf_counter() - t0)
    summary = harness.epoch_summary(times, frac)
    per_epoch = summary["time"]
    model.eval()
    with torch.inference_mode():
        pred = model(torch.from_numpy(data["x_test"])).argmax(dim=1).numpy()
    flops = harness.train_flops(cfg) * len(data["x_train"])
    return [
        {
            "framework": "torch",
            **summary,
            "warmup_s": warm,
            "acc": float(np.mean(pred == data["y_test"])),
            "gflops": harness.gflops(flops, per_epoch),
            "note": f"{torch.get_num_threads()} threads, "
            + ("AdamW + LambdaLR warmup-cosine" if cfg.graph == "adamw-cosine"
               else "Adam foreach=None (default)"),
        }
    ]


def _warm_model(cfg, data):
    model, opt, loss_fn, X, Y, gen = _setup(cfg, data)
    fit(model, opt, loss_fn, X, Y, 32, 1, gen, max_steps=harness.WARMUP_STEPS)
    model.eval()
    return model


def run_predict_batch(cfg, data):
    model = _warm_model(cfg, data)
    X = torch.from_numpy(data["x_test"])

    def pred():
        with torch.inference_mode():
            return torch.softmax(model(X), dim=1).numpy()

    return harness.predict_batch_row("torch", pred, len(X), cfg.sizes, "model(X) in inference_mode")


def run_predict_one(cfg, data):
    model = _warm_model(cfg, data)
    x1 = data["x_test"][:1]

    def pred():
        with torch.inference_mode():
            return torch.softmax(model(torch.from_numpy(x1)), dim=1).numpy()

    lat = harness.latency_us(pred)
    return [
        {
            "framework": "torch",
            "time": lat["median"],
            "note": f"eager model(x) in inference_mode, numpy in and out; p90 {lat['p90']:.1f} us",
        }
    ]


def relabelled(run, name: str, note: str):
    """``run`` whose rows are labelled as the variant peer ``name``, with ``note`` first."""
    def run_as_variant(cfg, data, *rest):
        rows = run(cfg, data, *rest)
        for row in rows:
            row["framework"] = name
            row["note"] = note + "; " + row.get("note", "")
        return rows

    return run_as_variant
