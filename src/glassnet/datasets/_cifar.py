"""CIFAR's python-version archives, read in place: the pickled batches inside the .tar.gz are
unpickled with :class:`~glassnet.datasets._pickle.ArrayUnpickler`, without extracting files."""

from __future__ import annotations

import pickle
import tarfile

import numpy as np

from ..errors import FileFormatError
from ._download import fetch
from ._pickle import ArrayUnpickler

#: Keras 3's origins, the names its get_file stores them under, and their SHA-256.
ARCHIVES = {
    "cifar10": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                "cifar-10-batches-py-target_archive",
                "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),
    "cifar100": ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                 "cifar-100-python-target_archive",
                 "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),
}


def batches(which: str, members: list[str], label_key: str, where: str):
    """``(data (n, 3, 32, 32) uint8, labels list)`` for each named member of the archive."""
    origin, keras_name, file_hash = ARCHIVES[which]
    path = fetch(origin.rsplit("/", 1)[1], origin, file_hash, where, keras_name=keras_name)
    out = []
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in members:
                with archive.extractfile(member) as f:
                    batch = ArrayUnpickler(f, encoding="bytes").load()
                out.append(_batch(batch, label_key, member, where))
    except (OSError, EOFError, KeyError, tarfile.TarError, pickle.UnpicklingError) as exc:
        raise FileFormatError(f"{where}: {path} is not the published CIFAR archive ({exc}); "
                              "delete it so that it is downloaded again") from None
    return out


def _batch(batch, label_key: str, member: str, where: str):
    if not isinstance(batch, dict):
        raise FileFormatError(f"{where}: {member} does not hold a CIFAR batch (a dict)")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise FileFormatError(f"{where}: {member} has no 'data' or {label_key!r} entry")
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def channels_last(x: np.ndarray) -> np.ndarray:
    """Keras's default ``image_data_format`` is channels_last: (n, 32, 32, 3)."""
    return x.transpose(0, 2, 3, 1)
