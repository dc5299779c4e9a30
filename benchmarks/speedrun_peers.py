"""The speedrun's child side: train one recipe in one framework, timing to each epoch's end.

    python benchmarks/speedrun_peers.py FRAMEWORK RECIPE --seed S --cache DIR --out FILE
        [--split test|val] [--threads N] [--max-epochs E]

The clock starts just before ``fit`` (glassnet) or the training loop (PyTorch: after building the
model and optimizer, before ``torch.compile``'s first call, so compiling counts) and is paused at
each epoch's end while the model is scored on the held-out images; the score never counts.
``--split val`` trains on the first 50,000 training images and scores on the last 10,000 (the
split recipes were chosen on); ``test`` trains on all 60,000 and scores on the 10,000 test images.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import harness
import numpy as np
from speedrun_recipes import RECIPES, Recipe, shifted

TARGET = 0.98


def split_data(data: dict, split: str):
    if split == "val":
        x, y = data["x_train"], data["y_train"]
        return x[:50_000], y[:50_000], x[50_000:], y[50_000:]
    return data["x_train"], data["y_train"], data["x_test"], data["y_test"]


class Clock:
    """Wall seconds of training only: paused while the held-out images are scored."""

    def __init__(self, score, max_epochs: int):
        self.score, self.max_epochs = score, max_epochs
        self.curve: list[tuple[int, float, float]] = []  # (epoch, seconds, accuracy)
        self.spent, self.t0 = 0.0, 0.0

    def start(self):
        self.t0 = time.perf_counter()

    def epoch_end(self, epoch: int) -> bool:
        """Record the epoch; return True when training should stop."""
        self.spent += time.perf_counter() - self.t0
        acc = float(self.score())
        self.curve.append((epoch + 1, self.spent, acc))
        self.t0 = time.perf_counter()
        return acc >= TARGET or epoch + 1 >= self.max_epochs


def lr_at(r: Recipe, step: int, steps_per_epoch: int) -> float:
    """Keras's CosineDecay with linear warmup, step by step (the torch side's schedule)."""
    warm = int(r.warmup_epochs * steps_per_epoch)
    decay = r.epochs * steps_per_epoch - warm
    step = min(step, warm + decay)
    if step < warm:
        return r.lr0 + (r.lr - r.lr0) * step / warm
    return r.lr * (0.5 * (1.0 + math.cos(math.pi * (step - warm) / decay)))


# --------------------------------------------------------------------------------------------
# glassnet
# --------------------------------------------------------------------------------------------


def run_glassnet(r: Recipe, seed: int, xtr, ytr, xho, yho, max_epochs: int):
    import glassnet
    from glassnet.layers import Dense, Flatten

    glassnet.utils.set_random_seed(seed)
    layers = [Flatten(input_shape=(28, 28))]
    layers += [Dense(h, activation="relu") for h in r.hidden]
    layers.append(Dense(10, activation="softmax"))
    model = glassnet.Sequential(layers)
    steps = math.ceil(len(xtr) / r.batch)
    warm = int(r.warmup_epochs * steps)
    sched = glassnet.optimizers.schedules.CosineDecay(
        r.lr0, r.epochs * steps - warm, warmup_target=r.lr, warmup_steps=warm)
    opt = (glassnet.optimizers.AdamW(sched, weight_decay=r.weight_decay, epsilon=1e-7)
           if r.weight_decay else glassnet.optimizers.Adam(sched, epsilon=1e-7))
    loss = glassnet.losses.CategoricalCrossentropy(label_smoothing=r.smoothing)
    model.compile(optimizer=opt, loss=loss)
    onehot = np.eye(10, dtype=np.float32)[ytr]
    xho_flat = np.ascontiguousarray(xho)

    def score():
        return np.mean(model.predict(xho_flat, batch_size=10_000, verbose=0).argmax(1) == yho)

    clock = Clock(score, max_epochs)
    rng = np.random.default_rng(seed)

    class Stop(glassnet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if clock.epoch_end(epoch + self.offset):
                self.model.stop_training = True

    stop = Stop()
    clock.start()
    if not r.shift:
        stop.offset = 0
        model.fit(xtr, onehot, epochs=max_epochs, batch_size=r.batch, verbose=0, seed=seed,
                  callbacks=[stop])
    else:  # a freshly shifted copy of the images each epoch (the shift is timed too)
        for epoch in range(max_epochs):
            stop.offset = epoch
            model.fit(shifted(xtr, r.shift, rng), onehot, epochs=1, batch_size=r.batch,
                      verbose=0, seed=seed + epoch, callbacks=[stop])
            if model.stop_training:
                break
    return clock.curve, f"glassnet {glassnet.__version__}, kernels={glassnet.kernels.active().name}"


# --------------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------------


def _torch_model(torch, r: Recipe):
    sizes = (784, *r.hidden, 10)
    layers = [torch.nn.Flatten()]
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        if r.glorot:  # glassnet's (Keras's) initialisation: Glorot uniform, zero bias
            torch.nn.init.xavier_uniform_(lin.weight)
            torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def run_torch(r: Recipe, seed: int, xtr, ytr, xho, yho, max_epochs: int):
    import torch

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = _torch_model(torch, r)
    X, Y, XH = torch.from_numpy(xtr), torch.from_numpy(ytr), torch.from_numpy(xho)
    n = len(X)
    steps = math.ceil(n / r.batch)
    kw = {"weight_decay": r.weight_decay} if r.weight_decay else {}
    opt = (torch.optim.AdamW if r.weight_decay else torch.optim.Adam)(
        model.parameters(), lr=r.lr, eps=1e-7, **kw)
    if r.onecycle:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=r.lr, total_steps=r.epochs * steps)
    else:
        for g in opt.param_groups:
            g["lr"] = 1.0
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: lr_at(r, k, steps))
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=r.smoothing)
    step_fn = model
    if r.compile:
        step_fn = torch.compile(model)

    def score():
        model.eval()
        with torch.inference_mode():
            acc = (model(XH).argmax(1) == torch.from_numpy(yho)).float().mean().item()
        model.train()
        return acc

    clock = Clock(score, max_epochs)
    rng = np.random.default_rng(seed)
    clock.start()
    for epoch in range(max_epochs):
        Xe = torch.from_numpy(shifted(xtr, r.shift, rng)) if r.shift else X
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, r.batch):
            idx = perm[i : i + r.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(step_fn(Xe[idx]), Y[idx])
            loss.backward()
            opt.step()
            if sched.last_epoch < r.epochs * steps - 1:
                sched.step()
        if clock.epoch_end(epoch):
            break
    return clock.curve, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("framework", choices=("glassnet", "torch"))
    ap.add_argument("recipe", choices=sorted(RECIPES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--split", choices=("test", "val"), default="test")
    ap.add_argument("--threads", type=int, default=1, help="PyTorch's thread count")
    ap.add_argument("--max-epochs", type=int, default=0)
    args = ap.parse_args(argv)
    r = RECIPES[args.recipe]
    data = harness.load_cached(args.cache)
    parts = split_data(data, args.split)
    max_epochs = args.max_epochs or r.epochs
    if args.framework == "torch":
        import torch

        torch.set_num_threads(args.threads)
        curve, note = run_torch(r, args.seed, *parts, max_epochs)
    else:
        curve, note = run_glassnet(r, args.seed, *parts, max_epochs)
    args.out.write_text(json.dumps({"curve": curve, "note": note}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
