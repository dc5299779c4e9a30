"""A minimal real ``TensorBoard`` callback: the epoch scalars Keras 3 writes, in TensorBoard's
event-file format, without TensorFlow. Import it from :mod:`glassnet.callbacks`.

Files: ``log_dir/train`` and ``log_dir/validation`` each get an
``events.out.tfevents.<time>.<host>.<pid>.<n>.v2`` file; each epoch adds ``epoch_<name>`` scalars
at step ``epoch`` (``val_`` logs in ``validation`` without the prefix, the learning rate as
``epoch_learning_rate``), as Keras 3 names them. An event file is a sequence of records (length,
masked CRC-32C of the length, an ``Event`` protocol buffer, masked CRC-32C of it), written here
by hand. Histograms, images, the graph, profiling and embeddings are not written.
"""

from __future__ import annotations

import itertools
import os
import struct
import time

from ._checks import boolean, positive_int
from ._files import file_path, os_error
from .callbacks import Callback
from .errors import ConfigError


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1  # Castagnoli, reflected
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as TFRecord files use it.

    Example
    -------
    >>> hex(crc32c(b"123456789"))
    '0xe3069283'
    """
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data: bytes) -> bytes:
    """One TFRecord: length, its masked CRC, the data, its masked CRC."""
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", _masked(crc32c(length))) + data
            + struct.pack("<I", _masked(crc32c(data))))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def event(wall_time: float, step: int = 0, *, version: str | None = None,
          scalars: dict | None = None) -> bytes:
    """An ``Event`` message: wall_time (1), step (2), file_version (3) or a summary (5) of
    ``Summary.Value``s with tag (1) and simple_value (2)."""
    out = b"\x09" + struct.pack("<d", wall_time) + b"\x10" + _varint(step)
    if version is not None:
        out += _field(3, version.encode())
    if scalars:
        values = b"".join(_field(1, _field(1, tag.encode()) + b"\x15" + struct.pack("<f", value))
                          for tag, value in scalars.items())
        out += _field(5, values)
    return out


_COUNTER = itertools.count()


class _Writer:
    """Appends events to one new event file in ``folder``, flushed after each write."""

    def __init__(self, folder: str):
        import socket  # imported when a log is written: import glassnet stays fast

        try:
            os.makedirs(folder, exist_ok=True)
            name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                    f"{os.getpid()}.{next(_COUNTER)}.v2")
            self.path = os.path.join(folder, name)
            self._file = open(self.path, "ab")
        except OSError as exc:
            raise os_error(exc, folder, "TensorBoard: cannot write the logs in") from None
        self.write(event(time.time(), version="brain.Event:2"))

    def write(self, data: bytes) -> None:
        self._file.write(record(data))
        self._file.flush()

    def scalars(self, values: dict, step: int) -> None:
        self.write(event(time.time(), step, scalars=values))

    def close(self) -> None:
        self._file.close()


class TensorBoard(Callback):
    """Write the epoch losses and metrics for TensorBoard (``tensorboard --logdir logs``).

    Keras 3's arguments. ``update_freq='batch'`` or N also writes ``batch_<name>`` scalars
    every N batches (at the global batch number). ``histogram_freq``, ``write_images``,
    ``profile_batch`` and ``embeddings_freq`` are refused (not written); ``write_graph`` is
    accepted and the graph is not written.

    Example
    -------
    >>> import numpy as np, os, tempfile, glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(1, input_shape=(2,), name="tb_dense")])
    >>> model.compile("sgd", "mse")
    >>> logs = tempfile.mkdtemp()
    >>> _ = model.fit(np.ones((4, 2)), np.ones(4), epochs=2, verbose=0,
    ...               callbacks=[TensorBoard(logs)])
    >>> sorted(os.listdir(logs)), len(os.listdir(os.path.join(logs, "train")))
    (['train'], 1)
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(file_path(log_dir, "TensorBoard"))
        for name, value in (("histogram_freq", histogram_freq), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq)):
            if value not in (0, None, False):
                raise ConfigError(f"TensorBoard: {name}={value!r} is not supported; glassnet "
                                  f"writes the epoch scalars only (leave {name} at 0)")
        if boolean(write_images, "TensorBoard: write_images") or embeddings_metadata:
            raise ConfigError("TensorBoard: write_images and embeddings are not supported; "
                              "glassnet writes the epoch scalars only")
        self.write_graph = boolean(write_graph, "TensorBoard: write_graph")
        self.write_steps_per_second = boolean(write_steps_per_second,
                                              "TensorBoard: write_steps_per_second")
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch":
            positive_int(update_freq, "TensorBoard: update_freq ('epoch', 'batch' or N)")
            self.on_train_batch_end = self._on_train_batch_end
        self.update_freq = update_freq
        self._writers: dict[str, _Writer] = {}
        self._global_batch = 0

    def _writer(self, kind: str) -> _Writer:
        if kind not in self._writers:
            self._writers[kind] = _Writer(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def on_train_begin(self, logs=None):
        self._global_batch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start, self._epoch_batches = time.perf_counter(), 0

    def _on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        self._epoch_batches += 1
        if self._global_batch % self.update_freq == 0 and logs:
            self._writer("train").scalars({f"batch_{k}": float(v) for k, v in logs.items()},
                                          self._global_batch)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: float(v) for k, v in logs.items() if not k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second:
            seconds = time.perf_counter() - self._epoch_start
            steps = self._epoch_batches or self.params.get("steps") or 0
            train["steps_per_second"] = steps / seconds if seconds > 0 else 0.0
        if train:
            self._writer("train").scalars({f"epoch_{k}": v for k, v in train.items()}, epoch)
        val = {f"epoch_{k[4:]}": float(v) for k, v in logs.items() if k.startswith("val_")}
        if val:
            self._writer("validation").scalars(val, epoch)

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
