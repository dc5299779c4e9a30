"""A small on-disk cache of decoded arrays, so bundled data sets load without gunzipping.

The cache directory is ``$GLASSNET_CACHE`` if set (an empty value turns the cache off), else
``$XDG_CACHE_HOME/glassnet``, else ``~/.cache/glassnet``. Entries are ``.npy`` files written
atomically (a temporary file renamed into place). Every failure to read or write is silent: the
cache only ever saves time, and callers verify what they read from it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["cache_dir", "load", "save"]


def cache_dir() -> Path | None:
    """The cache directory (perhaps not yet created), or None when caching is turned off."""
    configured = os.environ.get("GLASSNET_CACHE")
    if configured is not None:
        return Path(configured).expanduser() if configured else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "glassnet"


def load(name: str) -> np.ndarray | None:
    """The cached array called ``name``, or None when it is absent or unreadable."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        return np.load(directory / name, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None


def save(name: str, array: np.ndarray) -> None:
    """Store ``array`` as ``name`` atomically; do nothing when the directory is not writable."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(tmp, directory / name)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
