"""What the Keras-compatible loaders share: argument checks, the seeded shuffle and split,
and the word-index encoding of IMDB and Reuters, each written once as Keras 3 computes it."""

from __future__ import annotations

import numpy as np

from .._checks import fraction, positive_int
from ..errors import ConfigError


def check_seed(seed, where: str):
    """A seed for ``np.random.RandomState`` (Keras shuffles with it): None or 0..2**32-1."""
    return positive_int(seed, f"{where}: seed", allow_none=True, minimum=0, maximum=2**32 - 1)


def check_split(test_split, where: str) -> float:
    """Keras's ``0 <= test_split < 1``, as a ConfigError naming the argument."""
    return fraction(test_split, f"{where}: test_split")


def shuffled(rng: np.random.RandomState, *arrays) -> list[np.ndarray]:
    """The arrays reordered by one ``rng.shuffle`` of their indices (Keras's shuffle)."""
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [a[indices] for a in arrays]


def split(x, y, test_split: float):
    """Keras's split at ``int(len(x) * (1 - test_split))``, as fresh arrays."""
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def housing(path, published: str, file_hash: str, test_split, seed, where: str, rows=None):
    """Boston / California housing: ``x``, ``y`` (the first ``rows``) shuffled, then split."""
    from ._download import ORIGIN, fetch
    from ._pickle import load_npz, require

    test_split, seed = check_split(test_split, where), check_seed(seed, where)
    file = fetch(path, f"{ORIGIN}{published}", file_hash, where)
    x, y = require(load_npz(file, where), ("x", "y"), file, where)
    if rows is not None:
        x, y = x[:rows], y[:rows]
    x, y = shuffled(np.random.RandomState(seed), x, y)
    return split(x, y, test_split)


def check_encoding(where: str, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """The integer arguments of IMDB's / Reuters' ``load_data``, checked as Keras uses them."""
    positive_int(num_words, f"{where}: num_words", allow_none=True, minimum=0)
    positive_int(skip_top, f"{where}: skip_top", minimum=0)
    positive_int(maxlen, f"{where}: maxlen", allow_none=True, minimum=0)
    positive_int(start_char, f"{where}: start_char", allow_none=True, minimum=0)
    positive_int(oov_char, f"{where}: oov_char", allow_none=True, minimum=0)
    positive_int(index_from, f"{where}: index_from", minimum=0)


def shift(sequences, start_char, index_from) -> list[list[int]]:
    """Each word index plus ``index_from``, after a ``start_char`` when that is not None."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    return [[w + index_from for w in x] for x in sequences]


def drop_long(maxlen, sequences, labels):
    """Keep the sequences shorter than ``maxlen`` (Keras's ``remove_long_seq``: strictly)."""
    if not maxlen:
        return sequences, labels
    kept = [i for i, x in enumerate(sequences) if len(x) < maxlen]
    return [sequences[i] for i in kept], [labels[i] for i in kept]


def limit_words(sequences, num_words, skip_top, oov_char) -> list[list[int]]:
    """Indices outside ``skip_top <= w < num_words`` become ``oov_char`` (or are dropped)."""
    if not num_words:
        num_words = max(max(x) for x in sequences)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def no_sequence_left(maxlen, where: str) -> ConfigError:
    return ConfigError(f"{where}: after keeping only the sequences shorter than maxlen={maxlen}, "
                       "none was left; increase maxlen")
