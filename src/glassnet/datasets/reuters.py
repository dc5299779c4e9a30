"""Reuters newswires (11,228 over 46 topics), as ``keras.datasets.reuters``.

Each newswire is a list of word indices ranked by frequency. The file (``reuters.npz``) is
downloaded once and checked against Keras's SHA-256.

Example
-------
>>> from glassnet.datasets import reuters
>>> len(reuters.get_label_names()), reuters.get_label_names()[3]
(46, 'earn')
"""

from __future__ import annotations

import numpy as np

from . import _keras
from ._download import ORIGIN, fetch
from ._pickle import load_npz, require
from .imdb import read_word_index

__all__ = ["get_label_names", "get_word_index", "load_data"]

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
_WHERE = "reuters.load_data"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Load Reuters as ``((x_train, y_train), (x_test, y_test))``, exactly as Keras 3 does.

    The newswires are shuffled with ``RandomState(seed)``, encoded as in
    :func:`glassnet.datasets.imdb.load_data`, and the first ``int(n * (1 - test_split))``
    are the training set. ``y_*`` are topic indices 0..45 (:func:`get_label_names`).
    """
    _keras.check_encoding(_WHERE, num_words, skip_top, maxlen, start_char, oov_char, index_from)
    test_split, seed = _keras.check_split(test_split, _WHERE), _keras.check_seed(seed, _WHERE)
    file = fetch(path, f"{ORIGIN}reuters.npz", FILE_HASH, _WHERE)
    xs, labels = require(load_npz(file, _WHERE), ("x", "y"), file, _WHERE)
    xs, labels = _keras.shuffled(np.random.RandomState(seed), xs, labels)
    xs = _keras.shift(xs, start_char, index_from)
    xs, labels = _keras.drop_long(maxlen, xs, labels)
    if not xs:
        raise _keras.no_sequence_left(maxlen, _WHERE)
    xs = _keras.limit_words(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((np.array(xs[:cut], dtype="object"), np.array(labels[:cut])),
            (np.array(xs[cut:], dtype="object"), np.array(labels[cut:])))


def get_word_index(path="reuters_word_index.json") -> dict[str, int]:
    """The dict word -> rank in Reuters' data (add ``index_from`` to match ``load_data``)."""
    return read_word_index(path, "reuters_word_index.json", WORD_INDEX_HASH,
                           "reuters.get_word_index")


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed as the labels of :func:`load_data` (Keras's tuple)."""
    return LABEL_NAMES
