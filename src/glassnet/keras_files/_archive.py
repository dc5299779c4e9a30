"""The ``.keras`` zip archive: written whole, read with every member's size bounded.

A ``.keras`` file is a zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``
(members stored uncompressed, as Keras writes them). Reading refuses encrypted members,
compression methods other than stored and deflate, a member that expands more than 100 times
its stored size, and members bigger than :data:`MAX_CONFIG_BYTES` (the JSON files) or
:data:`MAX_WEIGHTS_BYTES` (the weights), counting the bytes actually read rather than
trusting the sizes the archive declares.

Example
-------
>>> import io, zipfile
>>> data = archive_bytes({"config.json": b"{}", "metadata.json": b"{}"})
>>> sorted(read_members(data, "m.keras"))
['config.json', 'metadata.json']
>>> read_members(b"not a zip", "m.keras")
Traceback (most recent call last):
...
glassnet.errors.FileFormatError: m.keras: not a zip archive, so not a .keras file
(File is not a zip file)
"""

from __future__ import annotations

import io
import zipfile

from ..errors import FileFormatError

__all__ = ["archive_bytes", "read_members"]

CONFIG_NAME, METADATA_NAME, WEIGHTS_NAME = "config.json", "metadata.json", "model.weights.h5"
MAX_CONFIG_BYTES = 64 * 2**20
MAX_WEIGHTS_BYTES = 8 * 2**30
MAX_MEMBERS = 64
MAX_EXPANSION = 100


def archive_bytes(members: dict[str, bytes]) -> bytes:
    """A zip of ``members`` (name -> bytes), stored uncompressed as Keras writes them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _limit(name: str) -> int:
    return MAX_WEIGHTS_BYTES if name == WEIGHTS_NAME else MAX_CONFIG_BYTES


def _check_member(info: zipfile.ZipInfo, source) -> None:
    name = info.filename
    if info.flag_bits & 0x1:
        raise FileFormatError(f"{source}: member {name!r} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileFormatError(f"{source}: member {name!r} uses compression method "
                              f"{info.compress_type}; .keras files are stored or deflated")
    if info.file_size > _limit(name):
        raise FileFormatError(f"{source}: member {name!r} declares {info.file_size} bytes, "
                              f"more than the {_limit(name)} glassnet reads")
    if info.file_size > 2**20 and info.file_size > MAX_EXPANSION * max(info.compress_size, 1):
        raise FileFormatError(f"{source}: member {name!r} would expand from "
                              f"{info.compress_size} to {info.file_size} bytes; refusing a "
                              "likely decompression bomb")


def read_members(data: bytes, source, wanted=(CONFIG_NAME, METADATA_NAME, WEIGHTS_NAME)
                 ) -> dict[str, bytes]:
    """The ``wanted`` members present in the archive, each read within its bound."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileFormatError(f"{source}: not a zip archive, so not a .keras file ({exc})"
                              ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FileFormatError(f"{source}: the archive has {len(infos)} members; a .keras "
                                  f"file has a few (refusing more than {MAX_MEMBERS})")
        found = {}
        for info in infos:
            if info.filename not in wanted:
                continue
            if info.filename in found:
                raise FileFormatError(f"{source}: the archive holds {info.filename!r} twice")
            _check_member(info, source)
            found[info.filename] = _read(zf, info, source)
        return found


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source) -> bytes:
    limit = _limit(info.filename)
    try:
        with zf.open(info) as f:
            chunk = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise FileFormatError(f"{source}: member {info.filename!r} cannot be read ({exc})"
                              ) from None
    except Exception as exc:  # zlib.error and others from a damaged stream
        raise FileFormatError(f"{source}: member {info.filename!r} is damaged ({exc})"
                              ) from None
    if len(chunk) > limit:
        raise FileFormatError(f"{source}: member {info.filename!r} is larger than the "
                              f"{limit} bytes glassnet reads")
    return chunk
