"""Fetch a published data file once, verify it, keep it: the download side of the Keras loaders.

:func:`fetch` looks for the file, in this order, in glassnet's data folder
(:func:`datasets_dir`: ``$GLASSNET_DATASETS`` if set, else ``datasets`` in glassnet's cache,
see :mod:`glassnet.datasets._cache`), then where Keras keeps it (``$KERAS_HOME/datasets`` or
``~/.keras/datasets``), and uses the first copy whose hash matches Keras's published one. Else
it downloads it with the standard library (``urllib``) into a temporary file beside the target,
hashes it while writing, and renames it into place only when the hash matches, so a file under
the final name is always whole. Without a network the :class:`DownloadError` says which URL to
fetch, its hash, and where to put it.

Example
-------
>>> import hashlib, os, tempfile
>>> source = os.path.join(tempfile.mkdtemp(), "tiny.txt")
>>> with open(source, "wb") as f:
...     _ = f.write(b"glass")
>>> digest = hashlib.sha256(b"glass").hexdigest()
>>> os.environ["GLASSNET_DATASETS"] = tempfile.mkdtemp()
>>> path = fetch("tiny.txt", "file://" + source, digest, "example", verbose=False)
>>> path.read_bytes(), path.parent == datasets_dir()
(b'glass', True)
>>> del os.environ["GLASSNET_DATASETS"]
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..errors import FileFormatError, GlassnetError
from . import _cache

__all__ = ["ORIGIN", "DownloadError", "cache_root", "datasets_dir", "fetch", "hash_file",
           "keras_datasets_dir"]

#: Where Keras 3 downloads its data sets from (``keras/src/datasets/*.py``).
ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MAX_BYTES = 2**31  # the largest file fetch downloads (CIFAR-100's archive is 169 MB)
_CHUNK = 1 << 20


class DownloadError(GlassnetError, OSError):
    """A data file is not on this machine and could not be downloaded."""


def cache_root() -> Path:
    """glassnet's cache folder, even when ``GLASSNET_CACHE=""`` turns the array cache off."""
    cache = _cache.cache_dir()
    if cache is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        cache = (Path(xdg) if xdg else Path.home() / ".cache") / "glassnet"
    return cache


def datasets_dir() -> Path:
    """glassnet's data folder: ``$GLASSNET_DATASETS``, else ``<glassnet cache>/datasets``."""
    configured = os.environ.get("GLASSNET_DATASETS")
    if configured:
        return Path(configured).expanduser()
    return cache_root() / "datasets"


def keras_datasets_dir() -> Path:
    """Where Keras keeps downloaded data sets: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return Path(home).expanduser() / "datasets"


def _hasher(file_hash: str | None, algorithm: str = "auto"):
    """Keras's ``resolve_hasher``: SHA-256 when asked, or for a 64-digit hash with 'auto';
    else MD5."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(path: str | os.PathLike, file_hash: str | None, algorithm: str = "auto") -> str:
    """The hex digest of the file, in the algorithm ``file_hash`` is written in."""
    digest = _hasher(file_hash, algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, file_hash: str, algorithm: str = "auto") -> bool:
    try:
        return path.is_file() and hash_file(path, file_hash, algorithm) == file_hash.lower()
    except OSError:
        return False


def fetch(fname: str, origin: str, file_hash: str, where: str, *, subdir: str = "",
          keras_name: str | None = None, verbose: bool = True) -> Path:
    """The path of a verified copy of ``fname``, downloaded from ``origin`` when needed.

    Parameters
    ----------
    fname : str
        The file's name in the data folder (Keras's ``path=`` argument: a name, not a path).
    origin : str
        The URL to download it from.
    file_hash : str
        Its SHA-256 (64 hex digits) or MD5 (32), as Keras publishes it.
    where : str
        The loader, for messages (``"imdb.load_data"``).
    subdir : str
        A folder under the data folders (Fashion-MNIST's ``fashion-mnist``).
    keras_name : str, optional
        The name Keras stores the file under when it differs (CIFAR's ``..._archive``).
    """
    if not isinstance(fname, str) or not fname or "/" in fname or os.sep in fname:
        raise FileFormatError(f"{where}: path must be a file name such as {fname!r} without "
                              f"folders (as in Keras), got {fname!r}; set GLASSNET_DATASETS to "
                              "choose the folder")
    target = datasets_dir() / subdir / fname
    keras_copy = keras_datasets_dir() / subdir / (keras_name or fname)
    for candidate in (target, keras_copy):
        if _verified(candidate, file_hash):
            return candidate
    if target.exists() and verbose:
        print(f"{target} does not match its published hash; downloading it again")
    if verbose:
        print(f"Downloading data from {origin}")
    _download(origin, target, file_hash, where)
    return target


def _download(origin: str, target: Path, file_hash: str | None, where: str,
              algorithm: str = "auto") -> None:
    """Download to a temporary file beside ``target``, check the hash (if any), rename."""
    import urllib.error
    import urllib.request

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise _unavailable(where, origin, target, file_hash, f"cannot write there: {exc}") from None
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=60) as response:
            digest = _copy(response, out, _hasher(file_hash, algorithm), where, origin)
        if file_hash is not None and digest != file_hash.lower():
            raise FileFormatError(
                f"{where}: the file downloaded from {origin} has hash {digest}, the published "
                f"one is {file_hash.lower()}; it was not kept. Try again later, or fetch it by "
                f"hand and put it at {target}")
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _unavailable(where, origin, target, file_hash, str(reason)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _copy(response, out, digest, where: str, origin: str) -> str:
    """Stream the response into ``out`` (at most MAX_BYTES), returning its hex digest."""
    written = 0
    for chunk in iter(lambda: response.read(_CHUNK), b""):
        written += len(chunk)
        if written > MAX_BYTES:
            raise FileFormatError(f"{where}: {origin} sends more than {MAX_BYTES} bytes; it is "
                                  "not the published file")
        out.write(chunk)
        digest.update(chunk)
    return digest.hexdigest()


def _unavailable(where, origin, target, file_hash, reason) -> DownloadError:
    check = "" if file_hash is None else \
        f" ({'SHA-256' if len(file_hash) == 64 else 'MD5'} {file_hash.lower()})"
    hint = ""
    if datasets_dir() in target.parents:
        relative = target.relative_to(datasets_dir()).as_posix()
        hint = f", or set GLASSNET_DATASETS to a folder that holds it as {relative}"
    return DownloadError(f"{where}: cannot download {origin} ({reason}). Fetch that file by "
                         f"hand{check} and put it at {target}{hint}")
