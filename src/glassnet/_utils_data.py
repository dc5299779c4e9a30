"""The bodies of ``utils.pad_sequences`` and ``utils.split_dataset`` (Keras 3's rules, checked
arguments); import them from :mod:`glassnet.utils`."""

from __future__ import annotations

import numbers
import random

import numpy as np

from ._checks import positive_int
from .errors import ConfigError, DataError, ShapeError


def pad_sequences(sequences, maxlen, dtype, padding, truncating, value) -> np.ndarray:
    for name, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ConfigError(f"pad_sequences: {name} must be 'pre' or 'post', got {given!r}")
    maxlen = positive_int(maxlen, "pad_sequences: maxlen", allow_none=True, minimum=0)
    if not hasattr(sequences, "__len__") or isinstance(sequences, (str, bytes)):
        raise DataError(f"pad_sequences: sequences must be a list of sequences, got "
                        f"{type(sequences).__name__}")
    lengths, sample_shape = _lengths(sequences)
    if maxlen is None:
        if not lengths:
            raise DataError("pad_sequences: no sequences given and no maxlen; pass maxlen= or at "
                            "least one sequence")
        maxlen = max(lengths)
    text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text:
        raise ConfigError(f"pad_sequences: value {value!r} is text but dtype {dtype!r} is not; "
                          "use dtype=object for text of varying length")
    try:
        out = np.full((len(sequences), maxlen, *sample_shape), value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"pad_sequences: cannot fill dtype {dtype!r} with value {value!r} "
                          f"({exc})") from None
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        cut = _as(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype, i)
        if cut.shape[1:] != sample_shape:
            raise ShapeError(f"pad_sequences: the items of sequence {i} have shape "
                             f"{cut.shape[1:]}, those of the first non-empty one {sample_shape}")
        if padding == "post":
            out[i, :len(cut)] = cut
        else:
            out[i, -len(cut):] = cut
    return out


def _lengths(sequences) -> tuple[list[int], tuple]:
    """Every sequence's length, and the shape of one item of the first non-empty sequence."""
    lengths, sample_shape = [], None
    for i, s in enumerate(sequences):
        try:
            lengths.append(len(s))
        except TypeError:
            raise DataError(f"pad_sequences: sequences must be a list of sequences; item {i} is "
                            f"{s!r}, which has no length") from None
        if sample_shape is None and len(s):
            sample_shape = np.asarray(s).shape[1:]
    return lengths, sample_shape or ()


def _as(values, dtype, index: int) -> np.ndarray:
    try:
        return np.asarray(values, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"pad_sequences: sequence {index} cannot be stored as {dtype} "
                        f"({exc})") from None


def split_dataset(dataset, left_size, right_size, shuffle, seed):
    arrays, single = _arrays(dataset)
    total = len(arrays[0])
    left, right = split_sizes(left_size, right_size, total)
    order = list(range(total))
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ConfigError(f"split_dataset: shuffle must be True or False, got {shuffle!r}")
    if shuffle:
        if seed is None:
            from .utils import global_generator

            seed = int(global_generator().integers(0, 10**6 + 1))
        positive_int(seed, "split_dataset: seed", minimum=0)
        random.Random(seed).shuffle(order)  # Keras: random.seed(seed); random.shuffle(samples)
    halves = [[a[order[:left]] for a in arrays], [a[order[-right:]] for a in arrays]]
    if single:
        return halves[0][0], halves[1][0]
    return tuple(halves[0]), tuple(halves[1])


def _arrays(dataset) -> tuple[list[np.ndarray], bool]:
    """The dataset as arrays of one length, and whether it was a single array."""
    if isinstance(dataset, np.ndarray):
        parts, single = [dataset], True
    elif isinstance(dataset, (tuple, list)) and dataset:
        parts, single = [np.asarray(a) for a in dataset], False
    else:
        raise ConfigError(f"split_dataset: dataset must be a NumPy array or a tuple / list of "
                          f"arrays of one length, got {type(dataset).__name__}"
                          + (" (empty)" if isinstance(dataset, (tuple, list)) else ""))
    for i, part in enumerate(parts):
        if part.ndim == 0 or len(part) != len(parts[0]):
            raise ShapeError(f"split_dataset: array {i} has shape {part.shape}, array 0 "
                             f"{parts[0].shape}; they need the same first dimension")
    if not len(parts[0]):
        raise DataError("split_dataset: the dataset is empty")
    return parts, single


def _size_kind(size, name: str) -> type | None:
    if size is None:
        return None
    if isinstance(size, numbers.Integral) and not isinstance(size, (bool, np.bool_)):
        return int
    if isinstance(size, numbers.Real) and not isinstance(size, (bool, np.bool_)):
        return float
    raise ConfigError(f"split_dataset: {name} must be an int (samples), a float in (0, 1) "
                      f"(a fraction) or None, got {size!r}")


def split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Keras 3's ``_rescale_dataset_split_sizes``: the two sizes as numbers of samples."""
    kinds = _size_kind(left_size, "left_size"), _size_kind(right_size, "right_size")
    if left_size is None and right_size is None:
        raise ConfigError("split_dataset: give left_size or right_size (or both)")
    if left_size == 0 and right_size == 0:
        raise ConfigError("split_dataset: left_size and right_size are both zero")
    for name, size, kind in (("left_size", left_size, kinds[0]),
                             ("right_size", right_size, kinds[1])):
        if (kind is int and not 0 < size < total) or (kind is float and not 0 < size < 1):
            raise ConfigError(f"split_dataset: {name} must be an int in 1..{total - 1} or a "
                              f"float in (0, 1), got {size!r}")
    if kinds == (float, float) and left_size + right_size > 1:
        raise ConfigError(f"split_dataset: left_size + right_size is {left_size + right_size}, "
                          "more than 1")
    sizes = [None if s is None else round(s * total) if k is float else int(s)
             for s, k in zip((left_size, right_size), kinds, strict=True)]
    left = total - sizes[1] if sizes[0] is None else sizes[0]
    right = total - left if sizes[1] is None else sizes[1]
    if left + right > total:
        raise ConfigError(f"split_dataset: left_size + right_size is {left + right} samples, "
                          f"more than the dataset's {total}")
    if not left or not right:
        side = "left" if not left else "right"
        raise ConfigError(f"split_dataset: with {total} samples, left_size={left_size!r} and "
                          f"right_size={right_size!r} leave the {side} side empty")
    return left, right
