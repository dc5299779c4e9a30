"""The playground's data: TensorFlow Playground's 2-D sets, the seeds' gates, features, splits.

Every set is drawn from its own seeded generator, so the page, a link and the "show code"
script get the same points. Classes are 0 and 1 (1 is drawn blue, 0 orange, as in TensorFlow
Playground where they are +1 and -1); regression targets lie in [-1, 1].

Example
-------
>>> X, y = make_data("xor", samples=4, noise=0, seed=0)
>>> X.shape, y.tolist() == [int(a * b >= 0) for a, b in X]
((4, 2), True)
>>> features(np.array([[1.0, 2.0]]), ["x1", "x1x2", "x2sq"]).tolist()
[[1.0, 2.0, 4.0]]
"""

from __future__ import annotations

import numpy as np

from .._checks import fraction, number_in, positive_int
from ..datasets import toy
from ..errors import ConfigError

__all__ = ["CLASSIFY", "FEATURES", "GATES", "REGRESS", "batches", "domain", "features",
           "make_data", "split"]

CLASSIFY = ("circle", "xor", "gauss", "spiral")
REGRESS = ("plane", "multigauss")
GATES = ("and", "or", "nand", "nor", "xor-gate")
FEATURES = {  # key: (label, function of x1 and x2)
    "x1": ("x1", lambda a, b: a),
    "x2": ("x2", lambda a, b: b),
    "x1sq": ("x1²", lambda a, b: a * a),
    "x2sq": ("x2²", lambda a, b: b * b),
    "x1x2": ("x1·x2", lambda a, b: a * b),
    "sinx1": ("sin x1", lambda a, b: np.sin(a)),
    "sinx2": ("sin x2", lambda a, b: np.sin(b)),
}
_GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
              (4, -2.5, -1))


def _polar(rng, n, r_low, r_high):
    r = rng.uniform(r_low, r_high, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)])


def _circle(rng, n, noise):
    inner = _polar(rng, n // 2, 0, 2.5)
    outer = _polar(rng, n - n // 2, 3.5, 5)
    X = np.vstack([inner, outer])
    jitter = rng.uniform(-5, 5, X.shape) * noise
    return X, (np.hypot(*(X + jitter).T) < 2.5).astype(np.int64)


def _xor(rng, n, noise):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    jitter = rng.uniform(-5, 5, X.shape) * noise
    shifted = X + jitter
    return X, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)


def _gauss(rng, n, noise):
    spread = np.sqrt(0.5 + 7 * noise)  # TensorFlow Playground's variance 0.5..4 over noise 0..0.5
    half = n // 2
    X = np.vstack([rng.normal((2, 2), spread, (half, 2)), rng.normal((-2, -2), spread,
                                                                      (n - half, 2))])
    return X, np.r_[np.ones(half, np.int64), np.zeros(n - half, np.int64)]


def _spiral(rng, n, noise):
    parts, labels = [], []
    for label, turn, m in ((1, 0.0, n // 2), (0, np.pi, n - n // 2)):
        i = np.arange(m) / m
        r, t = i * 5, 1.75 * i * 2 * np.pi + turn
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)])
                     + rng.uniform(-1, 1, (m, 2)) * noise)
        labels.append(np.full(m, label, np.int64))
    return np.vstack(parts), np.concatenate(labels)


def _plane_label(X):
    return np.clip((X[:, 0] + X[:, 1]) / 10, -1, 1)


def _multigauss_label(X):
    label = np.zeros(len(X))
    for cx, cy, sign in _GAUSSIANS:
        new = sign * np.clip(1 - np.hypot(X[:, 0] - cx, X[:, 1] - cy) / 2, 0, 1)
        label = np.where(np.abs(new) > np.abs(label), new, label)
    return label


def _regress(rng, n, noise, label):
    X = rng.uniform(-6, 6, (n, 2))
    return X, label(X + rng.uniform(-6, 6, X.shape) * noise)


def _gate(rng, name, n, noise):
    X, y = toy.logic_gate("xor" if name == "xor-gate" else name)
    y = y.ravel().astype(np.int64)
    if noise == 0:
        return X, y
    rows = rng.integers(0, 4, n)
    return X[rows] + rng.normal(0, noise, (n, 2)), y[rows]


def make_data(name: str, samples: int = 500, noise: float = 0.0, seed: int = 0):
    """``(X, y)`` of one of the playground's sets: ``X`` (samples, 2) float64, ``y`` int64
    classes 0/1 or float64 targets in [-1, 1] (``plane``, ``multigauss``).

    ``noise`` is 0..0.5 as in TensorFlow Playground (its 0..50 %). A gate (``and``, ``or``,
    ``nand``, ``nor``, ``xor-gate``) without noise is the seeds' four-row truth table.
    """
    samples = positive_int(samples, "playground: samples", minimum=4)
    noise = number_in(noise, "playground: noise", 0.0, 0.5)
    rng = np.random.default_rng([int(seed), 1])
    makers = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral,
              "plane": lambda r, n, z: _regress(r, n, z, _plane_label),
              "multigauss": lambda r, n, z: _regress(r, n, z, _multigauss_label)}
    if name in makers:
        return makers[name](rng, samples, noise)
    if name in GATES:
        return _gate(rng, name, samples, noise)
    raise ConfigError(f"playground: unknown data set {name!r}; choose one of "
                      f"{', '.join(CLASSIFY + REGRESS + GATES)} or upload a CSV")


def split(X, y, train_fraction: float = 0.5, seed: int = 0):
    """``(x_train, y_train), (x_test, y_test)``: a seeded shuffle, the first part for training.

    Four rows or fewer (a truth table) are both the training and the test set.
    """
    train_fraction = fraction(train_fraction, "playground: train_fraction")
    if len(X) <= 4:
        return (X, y), (X, y)
    order = np.random.default_rng([int(seed), 2]).permutation(len(X))
    cut = min(max(1, round(len(X) * train_fraction)), len(X) - 1)
    train, test = order[:cut], order[cut:]
    return (X[train], y[train]), (X[test], y[test])


def features(X, names) -> np.ndarray:
    """The chosen input features of the points ``X`` (n, 2), one column each in ``names``'
    order (keys of :data:`FEATURES`)."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names:
        raise ConfigError(f"playground: features must be some of {', '.join(FEATURES)}; got "
                          f"{list(names)!r}")
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([FEATURES[n][1](X[:, 0], X[:, 1]) for n in names])


def batches(n: int, batch_size: int, seed: int = 0):
    """Row indices of the training batches, forever: each epoch a new seeded shuffle of the
    ``n`` rows, cut into batches of ``batch_size`` (the last one smaller)."""
    rng = np.random.default_rng([int(seed), 3])
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


def domain(name: str, X) -> tuple[float, float, float, float]:
    """(x1 low, x1 high, x2 low, x2 high) of the picture drawn for a data set."""
    if name in CLASSIFY + REGRESS:
        return (-6.0, 6.0, -6.0, 6.0)
    if name in GATES:
        return (-0.5, 1.5, -0.5, 1.5)
    low, high = np.min(X, axis=0), np.max(X, axis=0)
    pad = np.maximum((high - low) * 0.1, 1e-3)
    return (float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]),
            float(high[1] + pad[1]))
