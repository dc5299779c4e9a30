"""``utils.get_file``: Keras 3's ``keras.utils.get_file`` on glassnet's download code.

The same arguments, file names and folder layout as Keras (``<cache_dir>/<cache_subdir>/fname``;
an extracted archive in ``fname`` or ``<name>_extracted``), with glassnet's cache in place of
``~/.keras`` (``cache_dir=None``: ``<glassnet cache>``, and ``$GLASSNET_DATASETS`` for the
default ``cache_subdir='datasets'``). Downloads are atomic and checked against ``file_hash``
when one is given; archives are extracted with tarfile's ``'data'`` filter (no absolute paths,
links out of the folder or device files).

Example
-------
>>> import os, tempfile
>>> from glassnet.utils import get_file
>>> source = os.path.join(tempfile.mkdtemp(), "notes.txt")
>>> _ = open(source, "w").write("hello")
>>> path = get_file(origin="file://" + source, cache_dir=tempfile.mkdtemp())
Downloading data from file://...notes.txt
>>> os.path.basename(path), os.path.basename(os.path.dirname(path)), open(path).read()
('notes.txt', 'datasets', 'hello')
"""

from __future__ import annotations

import os
import shutil
import tarfile
import urllib.parse
import zipfile
from pathlib import Path

from .._checks import boolean
from ..errors import ConfigError, FileFormatError
from ._download import _download, _verified, cache_root, datasets_dir

_WHERE = "get_file"


def _target(fname, origin: str, cache_subdir, cache_dir, extracting: bool):
    """(download target, extraction folder or None), named as Keras 3 names them."""
    if cache_dir is None:
        base = datasets_dir() if cache_subdir == "datasets" else cache_root() / cache_subdir
    else:
        base = Path(os.fspath(cache_dir)).expanduser() / cache_subdir
    given = bool(fname)
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ConfigError(f"{_WHERE}: cannot take a file name from origin {origin!r}; pass fname")
    if os.sep in fname or "/" in fname:
        raise ConfigError(f"{_WHERE}: fname must be a file name, not a path (got {fname!r}); "
                          "choose the folder with cache_dir")
    if not extracting:
        return base / fname, None
    if given and "." in fname:
        return base / fname, base / f"{fname[:fname.find('.')]}_extracted"
    return base / f"{fname}_archive", base / fname


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False) -> str:
    """Download ``origin`` once into the cache and return its path (Keras 3's arguments).

    With ``extract=True`` (or ``untar=True``) the archive (tar, tar.gz, tar.bz2 or zip) is
    extracted and the folder's path returned.
    """
    if not isinstance(origin, str) or not origin:
        raise ConfigError(f"{_WHERE}: origin must be the URL of the file, got {origin!r}")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ConfigError(f"{_WHERE}: hash_algorithm must be 'auto', 'sha256' or 'md5', got "
                          f"{hash_algorithm!r}")
    if file_hash is not None and not isinstance(file_hash, str):
        raise ConfigError(f"{_WHERE}: file_hash must be a hex string, got {file_hash!r}")
    extracting = boolean(extract, f"{_WHERE}: extract") or boolean(untar, f"{_WHERE}: untar")
    target, folder = _target(fname, origin, cache_subdir, cache_dir, extracting)
    download = boolean(force_download, f"{_WHERE}: force_download") or not target.exists()
    if not download and file_hash is not None and not _verified(target, file_hash,
                                                                 hash_algorithm):
        print(f"A local file was found, but it seems to be incomplete or outdated because the "
              f"{hash_algorithm} file hash does not match the original value of {file_hash} so "
              "we will re-download the data.")
        download = True
    if download:
        print(f"Downloading data from {origin}")
        _download(origin, target, file_hash, _WHERE, hash_algorithm)
    if not extracting:
        return os.fspath(target)
    _extract(target, folder, "tar" if untar else archive_format)
    return os.fspath(folder)


def _extract(archive: Path, folder: Path, archive_format) -> None:
    if archive_format is None:
        return
    kinds = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for kind in kinds:
        if kind not in ("tar", "zip"):
            raise ConfigError(f"{_WHERE}: archive_format must be 'auto', 'tar', 'zip' or None, "
                              f"got {kind!r}")
        if kind == "tar" and tarfile.is_tarfile(archive):
            opened = tarfile.open(archive)
        elif kind == "zip" and zipfile.is_zipfile(archive):
            opened = zipfile.ZipFile(archive)
        else:
            continue
        try:
            with opened:
                if kind == "tar":
                    opened.extractall(folder, filter="data")
                else:
                    opened.extractall(folder)
        except (tarfile.TarError, zipfile.BadZipFile, OSError, KeyboardInterrupt) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise FileFormatError(f"{_WHERE}: cannot extract {archive} ({exc})") from None
        return
    raise FileFormatError(f"{_WHERE}: {archive} is not a {' or '.join(kinds)} archive; "
                          "pass extract=False to keep it as it is")
