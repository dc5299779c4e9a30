"""Shared pieces of the benchmark: the configurations, MNIST loading, FLOP counts and timers.

Everything here imports only the standard library and NumPy, so the parent process (``run.py``)
and every child (``worker.py``) can use it without paying for a framework import.
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SRC_DIR = REPO_DIR / "src"

MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


# --------------------------------------------------------------------------------------------
# Configurations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """One row group of the table.

    kind is 'train' (s/epoch), 'predict_batch' (ms for the whole test set), 'predict_one'
    (median microseconds per call) or 'import' (seconds for ``python -c "import X"``).
    """

    name: str
    kind: str
    hidden: tuple[int, ...] = (128,)
    batch_size: int = 32
    epochs: int = 1
    quick_epochs: int = 1
    quick_fraction: float = 1.0  # share of one epoch trained under --quick (extrapolated)
    unit: str = "s/epoch"
    title: str = ""
    extra: dict = field(default_factory=dict)
    graph: str = ""  # a key of GRAPHS: a model with branches instead of the chain ``sizes``
    frameworks: tuple[str, ...] = ()  # who runs it (empty: everyone)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (784, *self.hidden, 10)

    def runs(self, framework: str) -> bool:
        return not self.frameworks or framework in self.frameworks

    def epochs_for(self, quick: bool) -> int:
        return self.quick_epochs if quick else self.epochs

    def fraction_for(self, quick: bool) -> float:
        return self.quick_fraction if quick else 1.0


# The graph models: each matrix product (inputs, outputs, whether its input gradient is needed:
# not for a layer that reads the pixels alone). wide-deep's output layer reads the 784 pixels and
# the deep tower's 128 units, concatenated; residual's blocks are two 256x256 layers each.
GRAPHS: dict[str, list[tuple[int, int, bool]]] = {
    "wide-deep": [(784, 256, False), (256, 128, True), (784 + 128, 10, True)],
    "residual": [(784, 256, False), *[(256, 256, True)] * 4, (256, 10, True)],
    # session 5 (issue 18 item 4): the toolkit's pieces in the training step
    "bn-mlp": [(784, 256, False), (256, 128, True), (128, 10, True)],
    "adamw-cosine": [(784, 128, False), (128, 10, True)],
}
# adamw-cosine: AdamW(weight_decay=0.004, Keras's default) on a cosine schedule with a linear
# warmup from LR0 to LR_PEAK over the first WARMUP_STEPS, then down to 0 at COSINE_EPOCHS epochs
COSINE = {"lr0": 1e-4, "lr_peak": 1e-3, "warmup_steps": 200, "epochs": 2, "weight_decay": 0.004}


def cosine_lr(step: int, steps_per_epoch: int) -> float:
    """The adamw-cosine schedule at ``step`` (Keras's CosineDecay with warmup, as in PyTorch)."""
    import math

    c, warm = COSINE, COSINE["warmup_steps"]
    decay = c["epochs"] * steps_per_epoch - warm
    step = min(step, warm + decay)
    if step < warm:
        return c["lr0"] + (c["lr_peak"] - c["lr0"]) * step / warm
    return c["lr_peak"] * 0.5 * (1.0 + math.cos(math.pi * (step - warm) / decay))
GRAPH_FRAMEWORKS = ("glassnet", "torch", "torch_ftz", "torch_1t")

CONFIGS: dict[str, Config] = {
    c.name: c
    for c in (
        Config(
            "mnist-b32",
            "train",
            (128,),
            32,
            epochs=5,
            quick_epochs=1,
            title="784-128-10, batch 32",
        ),
        Config(
            "mnist-b512",
            "train",
            (128,),
            512,
            epochs=5,
            quick_epochs=1,
            title="784-128-10, batch 512",
        ),
        Config(
            "mlp-512-256",
            "train",
            (512, 256),
            128,
            epochs=1,
            quick_epochs=1,
            quick_fraction=0.25,
            title="784-512-256-10, batch 128",
        ),
        Config(
            "mlp-1024-1024",
            "train",
            (1024, 1024),
            128,
            epochs=1,
            quick_epochs=1,
            quick_fraction=0.25,
            title="784-1024-1024-10, batch 128",
        ),
        Config(
            "wide-deep",
            "train",
            (256, 128),
            32,
            epochs=2,
            quick_epochs=1,
            quick_fraction=0.25,
            title="784 -> deep 256-128 relu, concatenated with the 784 inputs (wide) -> 10, "
            "batch 32",
            graph="wide-deep",
            frameworks=GRAPH_FRAMEWORKS,
        ),
        Config(
            "residual",
            "train",
            (256, 256, 256, 256, 256),
            32,
            epochs=2,
            quick_epochs=1,
            quick_fraction=0.25,
            title="784-256 relu, 2 residual blocks (h = relu(h + W2 relu(W1 h))), -> 10, batch 32",
            graph="residual",
            frameworks=GRAPH_FRAMEWORKS,
        ),
        Config(
            "bn-mlp",
            "train",
            (256, 128),
            32,
            epochs=2,
            quick_epochs=1,
            quick_fraction=0.25,
            title="784-256-128-10 with BatchNormalization before each ReLU, batch 32",
            graph="bn-mlp",
            frameworks=GRAPH_FRAMEWORKS,
        ),
        Config(
            "adamw-cosine",
            "train",
            (128,),
            32,
            epochs=2,
            quick_epochs=1,
            quick_fraction=0.25,
            title="784-128-10, AdamW(weight_decay=0.004) on warmup + cosine decay, batch 32",
            graph="adamw-cosine",
            frameworks=GRAPH_FRAMEWORKS,
        ),
        Config(
            "predict-10k",
            "predict_batch",
            (128,),
            10_000,
            unit="ms/10k",
            title="predict 10,000 test images",
        ),
        Config(
            "predict-1",
            "predict_one",
            (128,),
            1,
            unit="us/call",
            title="predict ONE sample (median)",
        ),
        Config("import", "import", unit="s", title='python -c "import X"'),
    )
}

# Frameworks in table order. 'numpy' is the bare-NumPy reference (training loop, matmul chain);
# the child for 'numpy' also reports the 'sgemm' row (the matrix products alone).
# 'glassnet_before' is glassnet from another source tree (run.py --before-src), the chain configs
# only: the engine before or after a change, paired round by round with the checkout's.
FRAMEWORKS = ("glassnet", "glassnet_before", "numpy", "torch", "torch_ftz", "torch_1t", "sklearn",
              "keras")
PEERS = ("torch", "torch_ftz", "torch_1t", "sklearn", "keras")
DEFAULT_PEERS = ("torch", "sklearn", "keras")  # torch_ftz: PyTorch flushing subnormals, on request

IMPORT_STATEMENTS = {
    "python": "pass",
    "numpy": "import numpy",
    "glassnet": "import glassnet",
    "glassnet_before": "import glassnet",
    "torch": "import torch",
    "torch_ftz": "import torch",
    "torch_1t": "import torch",
    "sklearn": "import sklearn.neural_network",
    "keras": "import keras",
}


# --------------------------------------------------------------------------------------------
# MNIST
# --------------------------------------------------------------------------------------------


def _read_idx(path: Path) -> np.ndarray:
    """Read one gzip'd IDX file (the format MNIST ships in) into a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (header {data[:4]!r})")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {np.prod(shape)} values, found {arr.size}")
    return arr.reshape(shape)


def mnist_dirs() -> list[Path]:
    """Where the IDX files may be, in order of preference (benchmarks only)."""
    dirs = []
    if os.environ.get("GLASSNET_MNIST_DIR"):
        dirs.append(Path(os.environ["GLASSNET_MNIST_DIR"]))
    files = SRC_DIR / "glassnet" / "datasets" / "files"
    if files.is_dir():
        dirs.extend(sorted({p.parent for p in files.rglob(MNIST_FILES["x_train"])}))
    dirs.append(REPO_DIR.parent / "shared" / "data" / "mnist")
    return dirs


def load_mnist_uint8() -> tuple[dict[str, np.ndarray], str]:
    """Return ({x_train, y_train, x_test, y_test} as uint8, a note saying where they came from).

    Prefers ``glassnet.datasets.mnist.load_data()`` once the package has it; falls back to the
    gzip'd IDX files (the package's own files, then ../shared/data/mnist).
    """
    try:
        from glassnet.datasets import mnist  # type: ignore[import-not-found]

        (xtr, ytr), (xte, yte) = mnist.load_data()
        out = {"x_train": xtr, "y_train": ytr, "x_test": xte, "y_test": yte}
        if all(np.asarray(v).dtype == np.uint8 for v in out.values()):
            return {k: np.ascontiguousarray(v) for k, v in out.items()}, (
                "glassnet.datasets.mnist.load_data()"
            )
    except Exception:  # the loader is not there yet, or returned another layout
        pass
    for d in mnist_dirs():
        paths = {k: d / v for k, v in MNIST_FILES.items()}
        if all(p.is_file() for p in paths.values()):
            return {k: _read_idx(p) for k, p in paths.items()}, f"IDX files in {d}"
    raise FileNotFoundError(
        "MNIST not found: looked in "
        + ", ".join(str(d) for d in mnist_dirs())
        + " (set GLASSNET_MNIST_DIR to a folder holding the four *-ubyte.gz files)"
    )


def cache_mnist(cache_dir: Path) -> str:
    """Write MNIST as uint8 .npy files into cache_dir (so each child loads it in milliseconds)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    arrays, source = load_mnist_uint8()
    for k, v in arrays.items():
        np.save(cache_dir / f"{k}.npy", v)
    return source


def load_cached(cache_dir: Path) -> dict[str, np.ndarray]:
    """Load the cached MNIST and scale x by 1/255 to float32, once, before any timing.

    x keeps its (n, 28, 28) shape; y is int64.
    """
    d = {k: np.load(cache_dir / f"{k}.npy") for k in MNIST_FILES}
    out = {}
    for k in ("x_train", "x_test"):
        x = np.empty(d[k].shape, dtype=np.float32)
        np.multiply(d[k], np.float32(1.0 / 255.0), out=x, dtype=np.float32)
        out[k] = x
    out["y_train"] = d["y_train"].astype(np.int64)
    out["y_test"] = d["y_test"].astype(np.int64)
    return out


# --------------------------------------------------------------------------------------------
# FLOPs and timing
# --------------------------------------------------------------------------------------------


def forward_flops_per_sample(sizes: tuple[int, ...]) -> int:
    """2*k*n for each matrix product x(1,k) @ W(k,n)."""
    return sum(2 * a * b for a, b in pairwise(sizes))


def train_flops_per_sample(sizes: tuple[int, ...]) -> int:
    """Forward (x@W), weight gradient (x.T@d) for every layer, input gradient (d@W.T) for all
    layers but the first (nobody needs d loss / d pixels). About 3x the forward count."""
    pairs = list(pairwise(sizes))
    fwd = sum(2 * a * b for a, b in pairs)
    return 2 * fwd + sum(2 * a * b for a, b in pairs[1:])


def train_flops(cfg: Config) -> int:
    """Training FLOPs per sample of ``cfg``'s model, chain or graph (forward, weight gradients,
    and the input gradients that are needed)."""
    if not cfg.graph:
        return train_flops_per_sample(cfg.sizes)
    return sum(2 * k * n * (3 if dx else 2) for k, n, dx in GRAPHS[cfg.graph])


def gflops(flops: float, seconds: float) -> float:
    return flops / seconds / 1e9 if seconds > 0 else float("nan")


def latency_us(fn, *, min_calls: int = 50, max_calls: int = 3000, budget_s: float = 2.0) -> dict:
    """Median (and p10/p90) microseconds per call of fn(), after 20 warm-up calls.

    Calls fn until max_calls calls or budget_s seconds (but at least min_calls calls).
    """
    for _ in range(20):
        fn()
    times = []
    pc = time.perf_counter
    start = pc()
    while len(times) < max_calls and (len(times) < min_calls or pc() - start < budget_s):
        t0 = pc()
        fn()
        times.append(pc() - t0)
    a = np.array(times) * 1e6
    return {
        "median": float(np.median(a)),
        "p10": float(np.percentile(a, 10)),
        "p90": float(np.percentile(a, 90)),
        "calls": len(times),
    }


def best_of(fn, repeats: int = 5) -> float:
    """Median wall seconds of fn() over repeats calls, after two warm-up calls."""
    fn()
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def predict_batch_row(framework: str, predict, n: int, sizes: tuple[int, ...], what: str) -> list:
    """Time ``predict()`` over the ``n`` test images (best of 10) as one table row."""
    t = best_of(predict, repeats=10)
    return [
        {
            "framework": framework,
            "time": t * 1e3,
            "gflops": gflops(forward_flops_per_sample(sizes) * n, t),
            "note": f"{what}; {n / t:,.0f} images/s",
        }
    ]


def train_subset(data: dict, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """The training set, or its first `fraction` (for --quick on the large nets)."""
    n = len(data["x_train"])
    k = n if fraction >= 1.0 else max(1, int(n * fraction))
    return data["x_train"][:k], data["y_train"][:k]


# The seed of every framework's initial weights and shuffling. run.py gives round r of
# --rounds N the seed r, so the rounds also sample N seeds and the accuracy is their mean.
SEED = int(os.environ.get("GLASSNET_BENCH_SEED", "0"))
WARMUP_STEPS = 10  # warm-up: this many batches of training before the timed epochs


def epoch_timer(base: type):
    """A Keras-shaped callback (subclass of base) that records each epoch's wall seconds."""

    class EpochTimer(base):
        def __init__(self):
            super().__init__()
            self.times: list[float] = []
            self._t0 = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._t0)

    return EpochTimer()


def epoch_summary(epoch_times: list[float], fraction: float) -> dict:
    """Steady-state seconds per epoch: the median of the timed epochs (robust to one epoch that
    another process on the machine disturbed), scaled up when only a fraction was trained."""
    t = [e / fraction for e in epoch_times]
    return {"time": float(np.median(t)), "epochs_s": t}


# --------------------------------------------------------------------------------------------
# Child processes on a shared machine
# --------------------------------------------------------------------------------------------


def _busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (from /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_quiet(max_wait: float, threshold: float = 10.0, sample: float = 0.3) -> float:
    """Wait (up to max_wait s) until other processes use under threshold % of all cores.

    Returns the last measured share. A shared machine (other sessions running their tests) makes
    every timing here noisy, PyTorch's OpenMP threads most of all.
    """
    deadline = time.perf_counter() + max_wait
    while True:
        b0 = _busy_cpu_s()
        time.sleep(sample)
        b1 = _busy_cpu_s()
        if b0 is None or b1 is None:
            return float("nan")
        share = (b1 - b0) / (sample * (os.cpu_count() or 1)) * 100
        if share < threshold or time.perf_counter() >= deadline:
            return share
        time.sleep(1.0)


def run_child(cmd: list[str], env: dict, timeout: float) -> tuple[int, float, float, str, float]:
    """Run cmd; return (exit status, wall s, peak RSS MB of that child, stderr tail, others %).

    others % is the CPU time that OTHER processes used on the machine while the child ran, as a
    share of all cores: a benchmark on a shared machine is only as good as this is small.
    """
    busy0 = _busy_cpu_s()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        tail = err.read().decode(errors="replace")[-2000:]
    busy1 = _busy_cpu_s()
    others = float("nan")
    if busy0 is not None and busy1 is not None and wall > 0:
        mine = ru.ru_utime + ru.ru_stime
        others = max(0.0, busy1 - busy0 - mine) / (wall * (os.cpu_count() or 1)) * 100
    return proc.returncode, wall, ru.ru_maxrss / 1024.0, tail, others
