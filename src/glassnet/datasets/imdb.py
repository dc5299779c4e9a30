"""IMDB movie reviews (25,000 + 25,000, positive or negative), as ``keras.datasets.imdb``.

Each review is a list of word indices, words ranked by frequency. The file (``imdb.npz``,
17 MB) is downloaded once from Keras's origin and checked against Keras's SHA-256 (see
:mod:`glassnet.datasets._download`: a copy in ``~/.keras/datasets`` is used as it is).

Example
-------
>>> from glassnet.datasets import imdb
>>> imdb.load_data.__defaults__
('imdb.npz', None, 0, None, 113, 1, 2, 3)
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import ConfigError, FileFormatError
from . import _keras
from ._download import ORIGIN, fetch
from ._pickle import load_npz, require

__all__ = ["get_word_index", "load_data"]

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"
_WHERE = "imdb.load_data"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    """Load IMDB as ``((x_train, y_train), (x_test, y_test))``, exactly as Keras 3 does.

    ``x_*`` are object arrays of lists of word indices: each starts with ``start_char`` and
    holds ``index + index_from``; indices outside ``skip_top <= w < num_words`` become
    ``oov_char`` (dropped when it is None); with ``maxlen``, only reviews shorter than
    ``maxlen`` are kept. Both sets are shuffled with ``RandomState(seed)``. ``y_*`` are int
    labels, 1 positive. Keras's ``**kwargs`` are accepted only empty.
    """
    if kwargs:
        raise ConfigError(f"{_WHERE}: unknown argument {next(iter(kwargs))!r}; Keras 3's are "
                          "path, num_words, skip_top, maxlen, seed, start_char, oov_char, "
                          "index_from")
    _keras.check_encoding(_WHERE, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    seed = _keras.check_seed(seed, _WHERE)
    file = fetch(path, f"{ORIGIN}imdb.npz", FILE_HASH, _WHERE)
    arrays = load_npz(file, _WHERE)
    x_train, labels_train, x_test, labels_test = require(
        arrays, ("x_train", "y_train", "x_test", "y_test"), file, _WHERE)
    rng = np.random.RandomState(seed)  # one generator for both sets, as in Keras
    x_train, labels_train = _keras.shuffled(rng, x_train, labels_train)
    x_test, labels_test = _keras.shuffled(rng, x_test, labels_test)
    x_train = _keras.shift(x_train, start_char, index_from)
    x_test = _keras.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _keras.drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = _keras.drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise _keras.no_sequence_left(maxlen, _WHERE)
    xs = _keras.limit_words(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return ((np.array(xs[:cut], dtype="object"), labels[:cut]),
            (np.array(xs[cut:], dtype="object"), labels[cut:]))


def get_word_index(path="imdb_word_index.json") -> dict[str, int]:
    """The dict word -> rank in IMDB's data (add ``index_from`` to match ``load_data``)."""
    return read_word_index(path, "imdb_word_index.json", WORD_INDEX_HASH, "imdb.get_word_index")


def read_word_index(path, published: str, file_hash: str, where: str) -> dict[str, int]:
    """Fetch and parse a Keras word-index JSON file (IMDB's and Reuters')."""
    file = fetch(path, f"{ORIGIN}{published}", file_hash, where)
    try:
        with open(file, encoding="utf-8") as f:
            index = json.load(f)
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{where}: {file} is not readable JSON ({exc})") from None
    if not isinstance(index, dict):
        raise FileFormatError(f"{where}: {file} holds no word index (a JSON object)")
    return index
