"""Files written whole or not at all, files read with a bound, and operating-system errors turned
into glassnet errors that name the path and say what to do.

Example
-------
>>> import os, tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "note.txt"
>>> atomic_write(path, b"first"); atomic_write(path, b"second")
>>> path.read_bytes(), os.listdir(path.parent)
(b'second', ['note.txt'])
>>> read_bounded(path, "notes", limit=3)
Traceback (most recent call last):
...
glassnet.errors.FileFormatError: ...note.txt: the file is 6 bytes, more than the 3 notes reads; ...
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import ConfigError, FileFormatError, FileSystemError

__all__ = ["atomic_write", "file_path", "open_regular", "os_error", "read_bounded",
           "read_untrusted", "refusing"]

_ADVICE = {
    errno.EROFS: "the file system is read-only; save to a writable folder",
    errno.ENOSPC: "the disk is full; free some space or save elsewhere",
    errno.EDQUOT: "the disk quota is exceeded; free some space or save elsewhere",
    errno.ENAMETOOLONG: "the name is too long for the file system; use a shorter file name",
    errno.EACCES: "permission denied; choose a folder you can write to or change its rights",
    errno.EPERM: "the operation is not permitted (an immutable or protected folder?); "
                 "choose another folder",
    errno.ENOENT: "no such file or folder; check the path",
    errno.ENOTDIR: "a part of the path is not a folder; check the path",
    errno.EISDIR: "it is a folder; give a file name",
}


def os_error(exc: OSError, path, action: str, error=FileSystemError) -> Exception:
    """The glassnet error (``error``, FileSystemError by default) for an OSError met while
    ``action`` (for example ``"cannot save the model to"``) on ``path``: path, cause, advice."""
    advice = _ADVICE.get(exc.errno, "check the path and the file system")
    cause = exc.strerror or type(exc).__name__
    new = error(f"{action} {os.fspath(path)}: {cause}; {advice}")
    if isinstance(new, OSError):  # errno only: strerror and filename would replace the message
        new.errno = exc.errno
    return new


def file_path(value, where: str) -> Path:
    """``value`` as a Path, or a ConfigError when it is not a file name at all (None, a number)."""
    if not isinstance(value, (str, os.PathLike)):
        raise ConfigError(f"{where}: path must be a file name (a str or pathlib.Path), got "
                          f"{type(value).__name__}")
    try:
        text = os.fspath(value)
    except TypeError as exc:
        raise ConfigError(f"{where}: path must be a file name, got {value!r} ({exc})") from None
    if isinstance(text, bytes) or not text or "\0" in text:
        raise ConfigError(f"{where}: path must be a non-empty file name without NUL characters, "
                          f"got {value!r}")
    return Path(text)


@contextlib.contextmanager
def open_regular(path: Path, where: str):
    """A binary file opened for reading, and its size; FileFormatError for anything that is not
    a regular file (a FIFO, a device, a folder: those could block or never end) or unreadable."""
    try:  # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        hint = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
        raise FileFormatError(f"{path}: no such file{hint}; check the path") from None
    except OSError as exc:
        raise os_error(exc, path, f"{where}: cannot read", FileFormatError) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise FileFormatError(f"{path}: is {kind} (a pipe, device or folder cannot be "
                                  f"read by {where}); give the path of a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        try:
            yield f, info.st_size
        except OSError as exc:
            raise os_error(exc, path, f"{where}: cannot read", FileFormatError) from None


def read_bounded(path: Path, where: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read once; refused otherwise."""
    with open_regular(path, where) as (f, size):
        if size > limit:
            raise FileFormatError(f"{path}: the file is {size} bytes, more than the {limit} "
                                  f"{where} reads; is it the right file?")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileFormatError(f"{path}: the file grew past the {limit} bytes {where} reads")
    return data


def atomic_write(target, data: bytes, what: str = "the file") -> None:
    """Temporary file in the same folder, write, flush, fsync, rename, fsync the folder.

    Any operating-system failure is a FileSystemError naming ``target``; the previous file
    (if any) is left as it was and no temporary file remains."""
    target = Path(os.fspath(target))
    folder = target.parent
    try:
        if not folder.is_dir():
            raise FileFormatError(f"cannot save to {target}: the folder {folder} does not "
                                  "exist; create it first")
        if target.is_dir():
            raise FileFormatError(f"cannot save to {target}: it is a folder; give a file name "
                                  "in it")
        _replace(target, data)
    except OSError as exc:
        raise os_error(exc, target, f"cannot save {what} to") from None


def _replace(target: Path, data: bytes) -> None:
    folder = target.parent
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o644
    # a short temporary name: the user's name may already be as long as the file system allows
    fd, tmp = tempfile.mkstemp(prefix=".glassnet-", suffix=".tmp", dir=folder)
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


def read_untrusted(source: Path, where: str = "load_model") -> bytes:
    """The bytes of a regular file (a FIFO, device or folder is refused), or a
    FileFormatError naming it (missing, unreadable)."""
    with open_regular(source, where) as (f, _):
        return f.read()


@contextlib.contextmanager
def refusing(source: Path, what: str):
    """Turn any error raised while interpreting untrusted content into a FileFormatError."""
    try:
        yield
    except FileFormatError:
        raise
    except Exception as exc:  # the file is untrusted: every failure is a format error
        raise FileFormatError(f"{source}: {what}: {exc}") from None
