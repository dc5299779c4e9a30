"""Files written whole or not at all.

Example
-------
>>> import os, tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "note.txt"
>>> atomic_write(path, b"first"); atomic_write(path, b"second")
>>> path.read_bytes(), os.listdir(path.parent)
(b'second', ['note.txt'])
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import ConfigError, FileFormatError

__all__ = ["atomic_write", "file_path", "read_untrusted", "refusing"]


def file_path(value, where: str) -> Path:
    """``value`` as a Path, or a ConfigError when it is not a file name at all (None, a number)."""
    if not isinstance(value, (str, os.PathLike)):
        raise ConfigError(f"{where}: path must be a file name (a str or pathlib.Path), got "
                          f"{type(value).__name__}")
    return Path(os.fspath(value))


def atomic_write(target, data: bytes) -> None:
    """Temporary file in the same folder, write, flush, fsync, rename, fsync the folder."""
    target = Path(os.fspath(target))
    folder = target.parent
    if not folder.is_dir():
        raise FileFormatError(f"cannot save to {target}: the folder {folder} does not exist; "
                              "create it first")
    if target.is_dir():
        raise FileFormatError(f"cannot save to {target}: it is a folder; give a file name in it")
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_untrusted(source: Path) -> bytes:
    """The file's bytes, or a FileFormatError naming it (missing, unreadable)."""
    try:
        with open(source, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise FileFormatError(f"{source}: no such file") from None
    except OSError as exc:
        raise FileFormatError(f"{source}: cannot be read ({exc.strerror or exc})") from None


@contextlib.contextmanager
def refusing(source: Path, what: str):
    """Turn any error raised while interpreting untrusted content into a FileFormatError."""
    try:
        yield
    except FileFormatError:
        raise
    except Exception as exc:  # the file is untrusted: every failure is a format error
        raise FileFormatError(f"{source}: {what}: {exc}") from None
