"""Train / test splits, k-fold cross-validation indices, and mini-batches.

All three take ``seed`` (an int, a ``numpy.random.Generator``, or None for glassnet's global
generator, see :func:`glassnet.utils.set_random_seed`); the same int gives the same split.

Stratified splits allocate each class's test share by largest remainder, so every class's
count in a test set (or fold) is within one sample of its exact proportional share.

Example
-------
>>> import numpy as np
>>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 5 + [1] * 5)
>>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, stratify=y, seed=0)
>>> X_test.shape, np.bincount(y_test).tolist()
((4, 2), [2, 2])
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from .._checks import boolean, positive_count
from ..errors import ConfigError
from ..utils import as_generator
from ._validation import as_array, as_labels, check_same_length

__all__ = ["batches", "k_fold", "train_test_split"]

Seed = int | np.random.Generator | None


def train_test_split(
    *arrays: ArrayLike,
    test_size: float | int = 0.25,
    stratify: ArrayLike | None = None,
    shuffle: bool = True,
    seed: Seed = None,
) -> list[np.ndarray]:
    """Split arrays (same first dimension) into train and test parts.

    Parameters
    ----------
    *arrays : array_like
        Features, labels, ... indexed along their first axis.
    test_size : float or int, default 0.25
        A fraction in (0, 1) (the test part gets ``ceil(test_size * n)`` rows) or a row count.
    stratify : array_like, optional
        Class labels (or one-hot rows); each class keeps its share of the test part to within
        one sample.
    shuffle : bool, default True
        Without shuffling the test part is the last rows (of each class when stratified).
    seed : int, numpy.random.Generator or None

    Returns
    -------
    list of numpy.ndarray
        ``[a_train, a_test, b_train, b_test, ...]``, as scikit-learn's ``train_test_split``.

    Example
    -------
    >>> a_train, a_test = train_test_split(np.arange(5), test_size=2, shuffle=False)
    >>> a_train.tolist(), a_test.tolist()
    ([0, 1, 2], [3, 4])
    """
    if not arrays:
        raise ConfigError("train_test_split: pass at least one array")
    arrays = [as_array(a, f"array {i}", "train_test_split") for i, a in enumerate(arrays)]
    n = check_same_length(arrays, [f"array {i}" for i in range(len(arrays))], "train_test_split")
    n_test = _test_count(test_size, n)
    shuffle = boolean(shuffle, "train_test_split: shuffle")
    rng = as_generator(seed) if shuffle else None
    if stratify is None:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[: n - n_test], order[n - n_test :]
    else:
        codes = _class_codes(stratify, n, "train_test_split")
        counts = _shares(np.bincount(codes), n_test)
        groups = [_members(codes, c, rng) for c in range(len(counts))]
        test = np.concatenate([g[len(g) - k :] for g, k in zip(groups, counts, strict=True)])
        train = np.concatenate([g[: len(g) - k] for g, k in zip(groups, counts, strict=True)])
        if shuffle:
            train, test = rng.permutation(train), rng.permutation(test)
    if not shuffle:
        train, test = np.sort(train), np.sort(test)
    return [part for a in arrays for part in (a[train], a[test])]


def _test_count(test_size: float | int, n: int) -> int:
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        if 0 < test_size < n:
            return int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0 < test_size < 1:
        n_test = int(np.ceil(test_size * n))
        if 0 < n_test < n:
            return n_test
    raise ConfigError(
        f"test_size={test_size!r} leaves an empty train or test part of {n} rows; pass a "
        "fraction in (0, 1) or a count in 1..n-1"
    )


def _class_codes(labels, n: int, where: str) -> np.ndarray:
    """Labels as codes 0..k-1 (in sorted label order)."""
    labels = as_labels(labels, "stratify", where)
    if len(labels) != n:
        raise ConfigError(f"{where}: stratify has {len(labels)} labels for {n} samples")
    return np.unique(labels, return_inverse=True)[1].ravel()


def _shares(class_counts: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` over the classes in proportion to their counts (largest remainder)."""
    exact = class_counts * total / class_counts.sum()
    shares = np.floor(exact).astype(np.int64)
    by_remainder = np.argsort(-(exact - shares), kind="stable")
    shares[by_remainder[: total - shares.sum()]] += 1
    return shares


def _members(codes: np.ndarray, c: int, rng: np.random.Generator | None) -> np.ndarray:
    """Indices of class ``c``, shuffled when ``rng`` is given."""
    members = np.flatnonzero(codes == c)
    return members if rng is None else rng.permutation(members)


def k_fold(
    n_samples: int,
    n_folds: int = 5,
    shuffle: bool = True,
    stratify: ArrayLike | None = None,
    seed: Seed = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(train_idx, test_idx)`` for each of ``n_folds`` folds; each index is tested once.

    Fold sizes differ by at most one. With ``stratify`` (class labels) every class is dealt
    round the folds, so each fold holds each class's share to within one sample. Indices in
    each part are sorted.

    Example
    -------
    >>> [test.tolist() for _, test in k_fold(5, n_folds=2, shuffle=False)]
    [[0, 1, 2], [3, 4]]
    """
    n_samples = positive_count(n_samples, "k_fold: n_samples")
    if not isinstance(n_folds, (int, np.integer)) or not 2 <= n_folds <= n_samples:
        raise ConfigError(f"k_fold: n_folds must be an integer in 2..{n_samples}, got {n_folds!r}")
    shuffle = boolean(shuffle, "k_fold: shuffle")
    rng = as_generator(seed) if shuffle else None
    if stratify is None:
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        folds = np.array_split(order, n_folds)
    else:
        codes = _class_codes(stratify, n_samples, "k_fold")
        dealt = np.concatenate([_members(codes, c, rng) for c in range(codes.max() + 1)])
        folds = [dealt[i::n_folds] for i in range(n_folds)]
    every = np.arange(n_samples)
    for fold in folds:
        test = np.sort(fold)
        yield np.setdiff1d(every, test, assume_unique=True), test


def batches(
    *arrays: ArrayLike,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: Seed = None,
    drop_last: bool = False,
) -> Iterator[np.ndarray | tuple[np.ndarray, ...]]:
    """Iterate over mini-batches of arrays that share their first dimension.

    Parameters
    ----------
    *arrays : array_like
    batch_size : int, optional
        Rows per batch; None is one batch of everything (batch gradient descent), 1 is
        stochastic gradient descent. The last batch may be smaller unless ``drop_last``.
    shuffle : bool, default True
        A new random order on every call.
    seed : int, numpy.random.Generator or None

    Yields
    ------
    numpy.ndarray or tuple of numpy.ndarray
        One array per batch for a single input, else a tuple in the order of ``arrays``.

    Example
    -------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in batches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if not arrays:
        raise ConfigError("batches: pass at least one array")
    arrays = [as_array(a, f"array {i}", "batches") for i, a in enumerate(arrays)]
    n = check_same_length(arrays, [f"array {i}" for i in range(len(arrays))], "batches")
    size = n if batch_size is None else batch_size
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
        raise ConfigError(f"batches: batch_size must be a positive integer or None, got {size!r}")
    drop_last = boolean(drop_last, "batches: drop_last")
    shuffle = boolean(shuffle, "batches: shuffle")
    order = as_generator(seed).permutation(n) if shuffle else None
    stop = n - n % size if drop_last else n
    for start in range(0, stop, size):
        rows = slice(start, start + size) if order is None else order[start : start + size]
        parts = tuple(a[rows] for a in arrays)
        yield parts[0] if len(parts) == 1 else parts
