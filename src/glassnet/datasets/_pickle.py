"""Read the pickled parts of Keras's data files without letting a pickle run code.

IMDB's and Reuters' ``.npz`` files store ragged sequences as object arrays, which NumPy saves as
pickles; CIFAR's batches are pickled dicts. :class:`ArrayUnpickler` rebuilds only NumPy arrays
and dtypes (with the builtin lists, dicts, bytes and ints a pickle makes without globals) and
refuses every other global, as Keras 3's ``npz_utils`` does.

Example
-------
>>> import io, pickle, numpy as np
>>> data = pickle.dumps({b"labels": [3, 1], b"data": np.arange(3, dtype=np.uint8)})
>>> ArrayUnpickler(io.BytesIO(data), encoding="bytes").load()[b"labels"]
[3, 1]
>>> ArrayUnpickler(io.BytesIO(pickle.dumps(print))).load()
Traceback (most recent call last):
...
_pickle.UnpicklingError: refusing to load builtins.print from a data file: ...
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

from ..errors import FileFormatError

__all__ = ["ArrayUnpickler", "load_npz"]

_ALLOWED = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals that rebuild a NumPy array."""

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file: "
                                         "only NumPy arrays may be stored in one")
        if name == "_reconstruct":  # numpy 1's module path, without numpy 2's deprecation
            return np.ndarray.__reduce__(np.zeros(0))[0]
        return getattr(np, name)


def _read_member(raw: bytes) -> np.ndarray:
    """One ``.npy`` member: numeric arrays without pickle, object arrays restricted."""
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = ArrayUnpickler(stream).load()
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise pickle.UnpicklingError(f"the pickled array does not have its header's shape {shape}")
    return array


def load_npz(path, where: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` archive, object arrays read with :class:`ArrayUnpickler`."""
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    arrays[member[:-4]] = _read_member(archive.read(member))
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, pickle.UnpicklingError) as exc:
        raise FileFormatError(f"{where}: {path} is not a readable .npz archive ({exc}); delete "
                              "it so that it is downloaded again") from None
    return arrays


def require(arrays: dict, keys, path, where: str) -> list[np.ndarray]:
    """The named arrays of a loaded archive, or a FileFormatError naming the missing one."""
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise FileFormatError(f"{where}: {path} has no array {missing[0]!r} (it has "
                              f"{sorted(arrays)}); is it the published file?")
    return [arrays[k] for k in keys]
