"""Callbacks that write the model during training, as Keras 3's: ModelCheckpoint and
BackupAndRestore. Import them from :mod:`glassnet.callbacks`.

Both take ``save_freq='epoch'`` (save at each epoch's end) or an integer N (save after every N
batches, counted across epochs, as Keras counts them). Files are written atomically.
"""

from __future__ import annotations

import math
import os
import shutil
import warnings

from ._callbacks_monitor import _MonitorCallback, _verbosity
from ._checks import boolean, number_in, positive_int
from ._files import atomic_write, file_path, os_error
from .callbacks import Callback
from .errors import ConfigError, FileFormatError


def _save_freq(save_freq, kind: str):
    if save_freq == "epoch" and isinstance(save_freq, str):
        return save_freq
    if isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1:
        raise ConfigError(f"{kind}: save_freq must be 'epoch' or a number of batches >= 1, got "
                          f"{save_freq!r}")
    return save_freq


class _BatchCounter:
    """Keras's batch counting for ``save_freq=N``: batches seen since the last save, across
    epochs (a batch index that does not grow starts a new epoch)."""

    def _reset_count(self) -> None:
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None

    def _should_save_on_batch(self, batch: int) -> bool:
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False


def _makedirs(folder: str, kind: str) -> None:
    if folder:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, folder, f"{kind}: cannot create the folder") from None


class ModelCheckpoint(_BatchCounter, _MonitorCallback):
    """Save the model (or its weights) during training, as Keras 3's ``ModelCheckpoint``.

    ``filepath`` may hold ``{epoch:02d}`` (1-based), ``{batch}`` (1-based, with an integer
    ``save_freq``) and any logged value such as ``{val_loss:.2f}``; missing folders are made.
    ``.keras`` is Keras 3's archive, other names glassnet's own file; with
    ``save_weights_only=True`` a ``.weights.h5`` name gets Keras's weights file (any other
    name glassnet's file without the optimizer). ``save_best_only`` saves only when
    ``monitor`` beats the best value so far, which starts at ``initial_value_threshold``.

    Example
    -------
    >>> cb = ModelCheckpoint("run/model-{epoch:02d}-{batch}.keras", save_freq=100)
    >>> cb._path(2, {}, batch=199)
    'run/model-03-200.keras'
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor, mode, 0)
        self.filepath = os.fspath(file_path(filepath, "ModelCheckpoint"))
        _check_template(self.filepath)
        _verbosity(verbose, "ModelCheckpoint")
        self.verbose = verbose
        self.save_best_only = boolean(save_best_only, "ModelCheckpoint: save_best_only")
        self.save_weights_only = boolean(save_weights_only, "ModelCheckpoint: save_weights_only")
        _check_kind(self.filepath, self.save_weights_only)
        self.save_freq = _save_freq(save_freq, "ModelCheckpoint")
        if initial_value_threshold is not None:
            number_in(initial_value_threshold, "ModelCheckpoint: initial_value_threshold",
                      -math.inf)
        self.best = initial_value_threshold
        self._current_epoch = 0
        self._reset_count()
        if self.save_freq != "epoch":  # fit calls batch hooks only on callbacks that have them
            self.on_train_batch_end = self._on_train_batch_end

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def _on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _path(self, epoch: int, logs, batch=None) -> str:
        logs = dict(logs or {})
        if batch is not None and "batch" not in logs:
            logs["batch"] = batch + 1
        try:
            return self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as exc:
            raise ConfigError(f"ModelCheckpoint: filepath {self.filepath!r} names {exc}, which "
                              f"is not in the logs ({', '.join(logs)})") from None
        except (ValueError, TypeError, IndexError, AttributeError) as exc:
            raise ConfigError(f"ModelCheckpoint: filepath {self.filepath!r} cannot be filled in "
                              f"with the logs ({exc})") from None

    def _should_save(self, epoch: int, logs, path: str) -> bool:
        """Keras 3's ``_should_save_model``, with its messages."""
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=4)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, epoch: int, batch, logs) -> None:
        path = self._path(epoch, logs, batch)
        if not self._should_save(epoch, logs, path):
            return
        _makedirs(os.path.dirname(path), "ModelCheckpoint")
        if os.path.isdir(path):
            raise FileFormatError(f"ModelCheckpoint: {path} is an existing folder; give a file "
                                  "name as filepath")
        if self.save_weights_only and path.endswith(".weights.h5"):
            self.model.save_weights(path)
        elif self.save_weights_only:  # glassnet's own file, without the optimizer's state
            self.model.save(path, include_optimizer=False)
        else:
            self.model.save(path)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {path}")


def _check_kind(filepath: str, weights_only: bool) -> None:
    """glassnet writes no legacy HDF5 model; a ``.keras`` archive is a whole model."""
    if filepath.endswith(".weights.h5") and not weights_only:
        raise ConfigError(f"ModelCheckpoint: {filepath!r} is a weights file name; pass "
                          "save_weights_only=True, or save the model as '.keras'")
    if filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(".weights.h5"):
        raise ConfigError(f"ModelCheckpoint: {filepath!r} would be a legacy Keras HDF5 file, "
                          "which glassnet does not write; use a '.keras' name (Keras 3's "
                          "format) or '.weights.h5' with save_weights_only=True")
    if filepath.endswith(".keras") and weights_only:
        raise ConfigError(f"ModelCheckpoint: with save_weights_only=True the filepath must end "
                          f"in '.weights.h5' (as in Keras 3), got {filepath!r}")


class _SampleLogs(dict):
    """Stands for the logs when a filepath template is checked: every key is a number."""

    def __missing__(self, key):
        return 0.5


def _check_template(filepath: str) -> None:
    """Refuse, at construction, a filepath whose ``{...}`` fields cannot be filled with an epoch
    and batch number and logged values (``{epoch:q}``, ``{}``, an unclosed brace)."""
    try:
        filepath.format_map(_SampleLogs(epoch=1, batch=1))
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise ConfigError(f"ModelCheckpoint: filepath {filepath!r} is not a valid template: "
                          f"{exc}; use fields such as {{epoch:02d}} or {{val_loss:.2f}}, and "
                          "double the braces ({{ }}) for a literal brace") from None


class BackupAndRestore(_BatchCounter, Callback):
    """Keep a backup of the training state so that an interrupted ``fit`` resumes, as Keras 3's.

    At each epoch's end (or every ``save_freq`` batches) the weights go to
    ``backup_dir/latest.weights.h5`` and the next epoch to ``training_metadata.json``. A
    ``fit`` that starts with a backup there loads the weights and starts at that epoch. The
    folder is removed when training ends normally (``delete_checkpoint``); it is kept when the
    run was interrupted or diverged. ``double_checkpoint`` keeps the previous pair as ``.bkp``.

    Example
    -------
    >>> BackupAndRestore("backup")._weights_path
    'backup/latest.weights.h5'
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ConfigError("BackupAndRestore: backup_dir is empty; give the folder for the "
                              "backup")
        self.backup_dir = os.fspath(file_path(backup_dir, "BackupAndRestore"))
        self.save_freq = _save_freq(save_freq, "BackupAndRestore")
        self.double_checkpoint = boolean(double_checkpoint, "BackupAndRestore: double_checkpoint")
        self.delete_checkpoint = boolean(delete_checkpoint, "BackupAndRestore: delete_checkpoint")
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._current_epoch = 0
        self._finished = False
        self._reset_count()
        if self.save_freq != "epoch":
            self.on_train_batch_end = self._on_train_batch_end

    def on_train_begin(self, logs=None):
        self._finished = False
        if os.path.isfile(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.isfile(self._training_metadata_path):
            import json

            try:
                with open(self._training_metadata_path, encoding="utf-8") as f:
                    epoch = json.load(f)["epoch"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise FileFormatError(f"BackupAndRestore: {self._training_metadata_path} is "
                                      f"not a backup's metadata ({exc}); delete the folder "
                                      f"{self.backup_dir} to start afresh") from None
            positive_int(epoch, f"BackupAndRestore: the epoch in "
                                f"{self._training_metadata_path}", minimum=0)
            self.model._initial_epoch = epoch
            self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = None
        if self.save_freq == "epoch":
            self._backup()
        self._finished = epoch + 1 >= self.params.get("epochs", epoch + 1)

    def _on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._backup(batch)

    def _backup(self, batch=None) -> None:
        import json

        _makedirs(self.backup_dir, "BackupAndRestore")
        if self.double_checkpoint:
            for path in (self._weights_path, self._training_metadata_path):
                if os.path.isfile(path):
                    shutil.copyfile(path, f"{path}.bkp")
        self.model.save_weights(self._weights_path)
        metadata = {"epoch": self._current_epoch,
                    "batch": 0 if batch is None else batch}
        atomic_write(self._training_metadata_path, json.dumps(metadata).encode(),
                     "the backup's metadata")

    def on_train_end(self, logs=None):
        done = self._finished or getattr(self.model, "stop_training", False)
        if done and self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)
