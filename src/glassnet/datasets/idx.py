"""The IDX file format of MNIST, Fashion-MNIST, KMNIST and EMNIST: read, check and write.

An IDX file is a 4-byte magic number ``0x00 0x00 <type code> <ndim>``, then ``ndim`` big-endian
uint32 dimensions, then the values in C order, big-endian. The files are often gzipped.
:func:`load_idx` checks every part of that and names the file and the failed check when one
fails; with ``sha256=`` it also checks the SHA-256 of the decompressed bytes.

Example
-------
>>> import numpy as np, tempfile, os
>>> from glassnet.datasets import idx
>>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx2-ubyte.gz")
>>> idx.save_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
>>> idx.load_idx(path)
array([[0, 1, 2],
       [3, 4, 5]], dtype=uint8)
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib

import numpy as np

from .._files import atomic_write, file_path, open_regular
from ..errors import DataError, FileFormatError, ShapeError

__all__ = ["idx_bytes", "idx_sha256", "load_idx", "save_idx"]

#: IDX type code -> NumPy dtype (big-endian, as stored in the file).
TYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF = {dtype.newbyteorder("="): code for code, dtype in TYPE_CODES.items()}
_GZIP_MAGIC = b"\x1f\x8b"
MAX_BYTES = 2**31  # the largest payload load_idx reads (MNIST's training images are 47 MB)


def _fail(path: str | os.PathLike, check: str, detail: str) -> FileFormatError:
    return FileFormatError(f"{os.fspath(path)}: IDX {check} check failed: {detail}")


def _read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, gunzipped when they start with the gzip magic number, read no further
    than the header's dimensions declare (plus one byte, to notice extra data)."""
    path = file_path(path, "load_idx")
    with open_regular(path, "load_idx") as (f, _):
        gzipped = f.read(2) == _GZIP_MAGIC
        f.seek(0)
        if not gzipped:
            return _read_declared(f, path)
        try:
            return _read_declared(gzip.GzipFile(fileobj=f, mode="rb"), path)
        except EOFError:
            detail = "the gzip stream ends early (the file is truncated); download it again"
            raise _fail(path, "length", detail) from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            check = "checksum" if "CRC" in str(exc) else "gzip"
            detail = f"the gzip data is corrupted ({exc}); download it again"
            raise _fail(path, check, detail) from None


def _read_declared(stream, path) -> bytes:
    """Magic number and dimensions, then at most the payload they declare plus one byte;
    anything malformed is returned short for :func:`_parse` to name."""
    head = stream.read(4)
    if len(head) < 4 or head[:2] != b"\0\0" or head[2] not in TYPE_CODES:
        return head
    dims = stream.read(4 * head[3])
    if len(dims) < 4 * head[3]:
        return head + dims
    shape = struct.unpack(f">{head[3]}I", dims)
    expected = int(np.prod(shape, dtype=object)) * TYPE_CODES[head[2]].itemsize
    if expected > MAX_BYTES:
        raise _fail(path, "length", f"dimensions {shape} declare {expected} payload bytes, more "
                    f"than the {MAX_BYTES} load_idx reads; is this an IDX file?")
    return head + dims + stream.read(expected + 1)


def _parse(data: bytes, path: str | os.PathLike) -> np.ndarray:
    """Check the header and payload length of IDX bytes and return a native-endian array."""
    if len(data) < 4:
        raise _fail(path, "length", f"{len(data)} bytes, but the IDX magic number alone needs 4")
    if data[0] != 0 or data[1] != 0:
        raise _fail(
            path,
            "magic",
            f"the file starts with 0x{data[0]:02X} 0x{data[1]:02X}, an IDX file with 0x00 0x00 "
            "(is this an IDX file?)",
        )
    code, ndim = data[2], data[3]
    if code not in TYPE_CODES:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in TYPE_CODES.items())
        raise _fail(path, "type code", f"type code 0x{code:02X} is not one of {known}")
    if ndim == 0:
        raise _fail(path, "dimensions", "the magic number gives 0 dimensions; at least 1 needed")
    header = 4 + 4 * ndim
    if len(data) < header:
        detail = f"{len(data)} bytes, but a header with {ndim} dimensions needs {header}"
        raise _fail(path, "length", detail)
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = TYPE_CODES[code]
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        what = "truncated" if found < expected else "has extra bytes at the end"
        raise _fail(
            path,
            "length",
            f"dimensions {shape} of {dtype.name} need {expected} payload bytes, the file has "
            f"{found} (it is {what})",
        )
    values = np.frombuffer(data, dtype=dtype, offset=header)
    return values.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def load_idx(path: str | os.PathLike, *, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file, gzipped or raw, checking magic number, type code, dimensions and length.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Gzip is recognised from the content, not the name.
    sha256 : str, optional
        The expected SHA-256 (hex) of the decompressed IDX bytes; a mismatch raises.

    Returns
    -------
    numpy.ndarray
        A new, writable, native-endian array with the file's dimensions and dtype (uint8, int8,
        int16, int32, float32 or float64).

    Raises
    ------
    FileFormatError
        Naming the file and the failed check: ``magic``, ``type code``, ``dimensions``,
        ``length`` (truncated or padded), ``checksum`` (gzip CRC or ``sha256``) or ``gzip``.

    Example
    -------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> save_idx(path, np.array([5, 0, 4], dtype=np.uint8))
    >>> load_idx(path)
    array([5, 0, 4], dtype=uint8)
    """
    data = _read_bytes(path)
    if sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256.lower():
            raise _fail(
                path,
                "checksum",
                f"SHA-256 of the decompressed bytes is {digest}, expected {sha256.lower()}; "
                "the file is corrupted or not the published one, replace it",
            )
    return _parse(data, path)


def idx_header(array: np.ndarray) -> bytes:
    """The IDX magic number and dimensions that describe ``array``."""
    code = _CODE_OF.get(array.dtype.newbyteorder("="))
    if code is None:
        raise DataError(
            f"IDX cannot store dtype {array.dtype}; use uint8, int8, int16, int32, float32 "
            "or float64"
        )
    if array.ndim == 0 or array.ndim > 255:
        raise ShapeError(f"IDX stores 1 to 255 dimensions, the array has {array.ndim}")
    return bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)


def idx_bytes(array: np.ndarray) -> bytes:
    """The complete IDX encoding of ``array`` (uncompressed).

    Example
    -------
    >>> idx_bytes(np.array([7, 2], dtype=np.uint8)).hex(" ")
    '00 00 08 01 00 00 00 02 07 02'
    """
    array = np.asarray(array)
    big = array.astype(TYPE_CODES[idx_header(array)[2]], copy=False)
    return idx_header(array) + np.ascontiguousarray(big).tobytes()


def idx_sha256(array: np.ndarray) -> str:
    """SHA-256 (hex) of ``idx_bytes(array)``, hashed without building those bytes for uint8.

    Example
    -------
    >>> import numpy as np
    >>> idx_sha256(np.zeros(1, np.uint8)) == __import__("hashlib").sha256(
    ...     idx_bytes(np.zeros(1, np.uint8))).hexdigest()
    True
    """
    digest = hashlib.sha256(idx_header(array))
    if array.dtype.itemsize == 1 and array.flags.c_contiguous:
        digest.update(memoryview(array).cast("B"))
    else:
        digest.update(idx_bytes(array)[len(idx_header(array)) :])
    return digest.hexdigest()


def save_idx(path: str | os.PathLike, array: np.ndarray, *, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file, gzipped when ``compress`` is true or the name ends in .gz.

    Example
    -------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x-idx1-double")
    >>> save_idx(path, np.array([0.5, -1.0]))
    >>> load_idx(path).tolist()
    [0.5, -1.0]
    """
    target = file_path(path, "save_idx")
    data = idx_bytes(np.asarray(array))
    if compress or (compress is None and os.fspath(path).endswith(".gz")):
        data = gzip.compress(data, mtime=0)
    atomic_write(target, data, "the IDX file")
