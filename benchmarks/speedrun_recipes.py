"""The speedrun's recipes (chosen on the validation split: RESULTS.md, session 5) and the
NumPy augmentation (small random shifts) both frameworks can use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Recipe:
    """An MLP and its training: hidden widths, batch, Adam(W) on a warmup + cosine schedule
    from ``lr0`` to the peak ``lr`` over ``warmup_epochs`` then down to 0 at ``epochs``."""

    hidden: tuple[int, ...] = (1024,)
    batch: int = 128
    epochs: int = 8
    lr: float = 2e-3
    lr0: float = 1e-4
    warmup_epochs: float = 1.0
    weight_decay: float = 0.0  # > 0: AdamW
    smoothing: float = 0.1
    shift: int = 0  # random shifts of up to this many pixels, redrawn each epoch
    glorot: bool = True  # torch only: Glorot-uniform weights and zero biases, as Keras
    onecycle: bool = False  # torch only: OneCycleLR instead of the warmup + cosine schedule
    compile: bool = False  # torch only: torch.compile the model


RECIPES: dict[str, Recipe] = {
    "w1024-b128": Recipe(),
    "w1024-b256": Recipe(batch=256, lr=3e-3),
    "w512x2-b128": Recipe(hidden=(512, 512)),
    "w1024-b128-e4": Recipe(epochs=4),
    "w1024-b128-e5": Recipe(epochs=5),
    "w1024-b256-e4": Recipe(batch=256, lr=3e-3, epochs=4),
    "w512x2-b128-e4": Recipe(hidden=(512, 512), epochs=4),
    "w1024-b256-e3": Recipe(batch=256, lr=3e-3, epochs=3),
    "w1024-b256-e2": Recipe(batch=256, lr=3e-3, epochs=2, warmup_epochs=0.5),
    "w1024-b512-e3": Recipe(batch=512, lr=4e-3, epochs=3),
    "w512-b128-e3": Recipe(hidden=(512,), epochs=3),
    "w512-b256-e3": Recipe(hidden=(512,), batch=256, lr=3e-3, epochs=3),
    "w512x2-b256-e3": Recipe(hidden=(512, 512), batch=256, lr=3e-3, epochs=3),
    "w512-b128-e4": Recipe(hidden=(512,), epochs=4),
    "w512-b256-e4": Recipe(hidden=(512,), batch=256, lr=3e-3, epochs=4),
    "w512-b32-e3": Recipe(hidden=(512,), batch=32, lr=1e-3, epochs=3, warmup_epochs=0.5),
    "w512-b32-e4": Recipe(hidden=(512,), batch=32, lr=1e-3, epochs=4, warmup_epochs=0.5),
    "w512-b64-e3": Recipe(hidden=(512,), batch=64, lr=1.5e-3, epochs=3, warmup_epochs=0.5),
    "w384-b64-e3": Recipe(hidden=(384,), batch=64, lr=1.5e-3, epochs=3, warmup_epochs=0.5),
    "w512-b96-e3": Recipe(hidden=(512,), batch=96, lr=2e-3, epochs=3, warmup_epochs=0.5),
    "w768-b128-e3": Recipe(hidden=(768,), epochs=3, warmup_epochs=0.5),
    "w512-b32-e2": Recipe(hidden=(512,), batch=32, lr=1e-3, epochs=2, warmup_epochs=0.3),
    "w512-b64-e2": Recipe(hidden=(512,), batch=64, lr=1.5e-3, epochs=2, warmup_epochs=0.3),
    "w384-b64-e2": Recipe(hidden=(384,), batch=64, lr=1.5e-3, epochs=2, warmup_epochs=0.3),
    "w256-b64-e2": Recipe(hidden=(256,), batch=64, lr=1.5e-3, epochs=2, warmup_epochs=0.3),
    "w512-b96-e2": Recipe(hidden=(512,), batch=96, lr=2e-3, epochs=2, warmup_epochs=0.3),
    "w256-b32-e3": Recipe(hidden=(256,), batch=32, lr=1e-3, epochs=3, warmup_epochs=0.5),
    "w1024-b64-e3": Recipe(batch=64, lr=1.5e-3, epochs=3, warmup_epochs=0.5),
    "w1024-b128-e3": Recipe(epochs=3, warmup_epochs=0.5),
    "w1024-b64-e2": Recipe(batch=64, lr=1.5e-3, epochs=2, warmup_epochs=0.3),
    "w1024-b32-e2": Recipe(batch=32, lr=1e-3, epochs=2, warmup_epochs=0.3),
    "w1024-b256-e3-wd": Recipe(batch=256, lr=3e-3, epochs=3, weight_decay=0.01),
    "w1024-b128-wd": Recipe(weight_decay=0.01),
    "w1024-b128-ls0": Recipe(smoothing=0.0),
    "w1024-b128-lr1": Recipe(lr=1e-3),
    "w1024-b128-shift": Recipe(shift=1),
    # PyTorch's own: its default init, OneCycleLR, optionally compiled
    "torch-onecycle": Recipe(glorot=False, onecycle=True, lr=3e-3, epochs=4),
    "torch-onecycle-b256": Recipe(glorot=False, onecycle=True, batch=256, lr=4e-3, epochs=4),
    "torch-onecycle-w512-b128": Recipe(hidden=(512,), glorot=False, onecycle=True, lr=3e-3,
                                       epochs=4),
    "torch-onecycle-w512-b256": Recipe(hidden=(512,), glorot=False, onecycle=True, batch=256,
                                       lr=4e-3, epochs=4),
    "torch-onecycle-w512-b256-compile": Recipe(hidden=(512,), glorot=False, onecycle=True,
                                               batch=256, lr=4e-3, epochs=4, compile=True),
    "torch-onecycle-b512": Recipe(glorot=False, onecycle=True, batch=512, lr=5e-3, epochs=4),
    "torch-onecycle-b256-compile": Recipe(glorot=False, onecycle=True, batch=256, lr=4e-3,
                                          epochs=4, compile=True),
}


def shifted(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Each (28, 28) image moved by a random whole number of pixels in [-k, k] on each axis
    (zeros shifted in): one ``np.roll``-free copy, done in blocks of images sharing a shift."""
    out = np.zeros_like(x)
    dy = rng.integers(-k, k + 1, len(x))
    dx = rng.integers(-k, k + 1, len(x))
    h, w = x.shape[1:]
    for sy in range(-k, k + 1):
        for sx in range(-k, k + 1):
            idx = np.flatnonzero((dy == sy) & (dx == sx))
            ys, yd = slice(max(0, -sy), h - max(0, sy)), slice(max(0, sy), h - max(0, -sy))
            xs, xd = slice(max(0, -sx), w - max(0, sx)), slice(max(0, sx), w - max(0, -sx))
            out[idx, yd, xd] = x[idx, ys, xs]
    return out
