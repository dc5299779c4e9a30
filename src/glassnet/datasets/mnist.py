"""MNIST, bundled: 70,000 handwritten digits, loaded as ``keras.datasets.mnist.load_data`` does.

The four IDX files ship inside the package (``datasets/files``, with their provenance and CC BY-SA
3.0 licence in ``files/README.md``). Every load checks each array against the SHA-256 of the
original IDX file. The first load gunzips the files (about half a second) and caches the decoded
arrays (see :mod:`glassnet.datasets._cache`); later loads read the cache and re-verify it.

Example
-------
>>> from glassnet.datasets import mnist
>>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
>>> x_train.shape, x_train.dtype, y_test[:4].tolist()
((60000, 28, 28), dtype('uint8'), [7, 2, 1, 0])
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._files import file_path
from ..errors import FileFormatError
from . import _cache
from .idx import idx_sha256, load_idx

__all__ = ["FILES", "load_data"]

FILES_DIR = Path(__file__).parent / "files"

#: Array name -> (file name, SHA-256 of the decompressed IDX bytes), in Keras's order.
FILES: dict[str, tuple[str, str]] = {
    "x_train": (
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    "y_train": (
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    "x_test": (
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    "y_test": (
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
}

Split = tuple[np.ndarray, np.ndarray]


def load_data(path: str | os.PathLike | None = None) -> tuple[Split, Split]:
    """Load MNIST as ``((x_train, y_train), (x_test, y_test))``.

    Parameters
    ----------
    path : str or os.PathLike, optional
        None (the default) loads the bundled, checksum-verified files. A directory loads the
        four files of that name from it, gzipped (``.gz``) or raw, so Fashion-MNIST or KMNIST,
        which use the same names, load the same way (checked as IDX, without checksums).
        A ``.npz`` file with arrays ``x_train``, ``y_train``, ``x_test`` and ``y_test`` (Keras's
        ``mnist.npz``) is read as it is; the bare name ``"mnist.npz"`` (Keras's default,
        a name in its download folder) loads the bundled files when no such file is here.

    Returns
    -------
    tuple
        ``x_train`` (60000, 28, 28) uint8, ``y_train`` (60000,) uint8, ``x_test`` (10000, 28, 28)
        uint8 and ``y_test`` (10000,) uint8 for MNIST: pixel values 0..255 and labels 0..9.

    Raises
    ------
    FileFormatError
        A file is missing, is not valid IDX, or fails its checksum; the message names it.

    Example
    -------
    >>> (x_train, y_train), _ = load_data()
    >>> y_train[:10].tolist()
    [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    """
    if path == "mnist.npz" and not os.path.exists(path):
        path = None  # Keras's default name for its download: the same arrays are bundled
    if path is None:
        arrays = {key: _load_bundled(name, digest) for key, (name, digest) in FILES.items()}
    elif os.fspath(file_path(path, "mnist.load_data")).endswith(".npz"):
        arrays = _load_npz(path)
    else:
        arrays = {key: load_idx(_find(Path(path), name)) for key, (name, _) in FILES.items()}
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _load_bundled(name: str, digest: str) -> np.ndarray:
    """One bundled array: from the cache when it verifies, else from the shipped file."""
    cache_name = f"mnist-{name}-{digest[:16]}.npy"
    cached = _cache.load(cache_name)
    if cached is not None and cached.dtype == np.uint8 and idx_sha256(cached) == digest:
        return cached
    array = load_idx(FILES_DIR / f"{name}.gz", sha256=digest)
    _cache.save(cache_name, array)
    return array


def _find(directory: Path, name: str) -> Path:
    for candidate in (directory / f"{name}.gz", directory / name):
        if candidate.is_file():
            return candidate
    raise FileFormatError(f"{directory}: has neither {name}.gz nor {name}; check the directory")


def _load_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in FILES}
    except KeyError as exc:
        raise FileFormatError(
            f"{os.fspath(path)}: has no array {exc}; expected {list(FILES)}"
        ) from None
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{os.fspath(path)}: not a readable .npz archive ({exc})") from None
