"""The speedrun's pieces (benchmarks/speedrun*.py): augmentation, schedules, the paused clock,
the splits, and a tiny run of each framework's child. No timing is asserted."""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import speedrun  # noqa: E402
import speedrun_peers  # noqa: E402
from speedrun_recipes import RECIPES, Recipe, shifted  # noqa: E402

import glassnet  # noqa: E402


def test_shifted_moves_each_image_by_at_most_k_pixels():
    rng = np.random.default_rng(0)
    x = np.zeros((40, 28, 28), np.float32)
    x[:, 4:24, 4:24] = rng.random((40, 20, 20), dtype=np.float32)  # a zero border, as MNIST
    out = shifted(x, 2, np.random.default_rng(1))
    seen = set()
    for img, moved in zip(x, out, strict=True):
        matches = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(np.roll(img, (dy, dx), axis=(0, 1)), moved)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) > 5  # the shifts vary between images
    np.testing.assert_array_equal(shifted(x, 0, np.random.default_rng(1)), x)


def test_shifted_fills_zeros_where_content_leaves_the_frame():
    x = np.ones((200, 28, 28), np.float32)
    out = shifted(x, 1, np.random.default_rng(0))
    lost = 28 * 28 - out.reshape(200, -1).sum(1)
    assert set(lost.tolist()) <= {0.0, 27.0, 28.0, 55.0}  # none, a row or column, or both
    assert (lost == 55.0).any() and (lost == 0.0).any()


@pytest.mark.parametrize("name", ["w512-b32-e3", "w1024-b128", "w1024-b256-e2"])
def test_torch_schedule_is_kerass_cosine_decay_with_warmup(name):
    r = RECIPES[name]
    steps = -(-60_000 // r.batch)
    warm = int(r.warmup_epochs * steps)
    keras_like = glassnet.optimizers.schedules.CosineDecay(
        r.lr0, r.epochs * steps - warm, warmup_target=r.lr, warmup_steps=warm)
    for step in (0, 1, warm // 2, warm, warm + 7, r.epochs * steps - 1, r.epochs * steps + 50):
        assert speedrun_peers.lr_at(r, step, steps) == pytest.approx(keras_like(step), rel=1e-12,
                                                                      abs=1e-15)
    assert speedrun_peers.lr_at(r, warm, steps) == pytest.approx(r.lr)


def test_run_py_cosine_matches_glassnet_schedule():
    c, steps = harness.COSINE, 1875
    s = glassnet.optimizers.schedules.CosineDecay(
        c["lr0"], c["epochs"] * steps - c["warmup_steps"], warmup_target=c["lr_peak"],
        warmup_steps=c["warmup_steps"])
    for step in (0, 50, 200, 1000, 3749, 5000):
        assert harness.cosine_lr(step, steps) == pytest.approx(s(step), rel=1e-12, abs=1e-15)


def test_clock_leaves_scoring_out(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(speedrun_peers.time, "perf_counter", lambda: now[0])

    def score():
        now[0] += 100.0  # scoring is slow: none of it may count
        return 0.97 if len(clock.curve) < 2 else 0.985

    clock = speedrun_peers.Clock(score, max_epochs=10)
    clock.start()
    stops = []
    for epoch in range(3):
        now[0] += 2.0  # an epoch of training
        stops.append(clock.epoch_end(epoch))
    assert stops == [False, False, True]
    assert clock.curve == [(1, 2.0, 0.97), (2, 4.0, 0.97), (3, 6.0, 0.985)]
    assert speedrun.reached(clock.curve) == (3, 6.0)
    assert speedrun.reached(clock.curve[:2]) == (None, float("inf"))


def test_val_split_never_touches_the_test_images():
    data = {"x_train": np.arange(60_000), "y_train": np.arange(60_000) % 10,
            "x_test": np.full(10_000, -1), "y_test": np.zeros(10_000, int)}
    xtr, _, xho, _ = speedrun_peers.split_data(data, "val")
    assert len(xtr) == 50_000 and len(xho) == 10_000
    assert not np.intersect1d(xtr, xho).size and (xho >= 0).all()
    xtr, _, xho, _ = speedrun_peers.split_data(data, "test")
    assert len(xtr) == 60_000 and (xho == -1).all()


def test_entries_parse_and_pair():
    assert speedrun.parse_entry("torch:w512-b32-e3@2") == ("torch", "w512-b32-e3", 2)
    assert speedrun.parse_entry("glassnet:w1024-b128") == ("glassnet", "w1024-b128", 1)
    rows = {"g": {"seconds": [2.0, 4.0]}, "t": {"seconds": [5.0, 6.0]}}
    assert speedrun.paired_ratios(rows, "g", "t") == [2.5, 1.5]


def _tiny():
    rng = np.random.default_rng(0)
    x = rng.random((256, 28, 28), dtype=np.float32)
    y = (x[:, :14].sum((1, 2)) > x[:, 14:].sum((1, 2))).astype(np.int64)  # learnable
    return x[:192], y[:192], x[192:], y[192:]


TINY = Recipe(hidden=(16,), batch=32, epochs=3, lr=1e-2, warmup_epochs=0.5, shift=1)


def test_glassnet_child_records_one_point_per_epoch():
    curve, note = speedrun_peers.run_glassnet(TINY, 0, *_tiny(), max_epochs=3)
    assert [c[0] for c in curve][:1] == [1] and len(curve) <= 3
    assert all(0.0 <= c[2] <= 1.0 for c in curve)
    assert all(a[1] < b[1] for a, b in pairwise(curve))
    assert curve[-1][2] >= 0.98 or len(curve) == 3
    assert note.startswith("glassnet")


def test_torch_child_records_one_point_per_epoch():
    pytest.importorskip("torch")
    curve, note = speedrun_peers.run_torch(TINY, 0, *_tiny(), max_epochs=3)
    assert len(curve) in (1, 2, 3) and all(0.0 <= c[2] <= 1.0 for c in curve)
    assert curve[-1][2] >= 0.98 or len(curve) == 3
    assert "threads" in note
