"""Small callbacks with Keras's names: TerminateOnNaN, LearningRateScheduler, CSVLogger and
LambdaCallback. Import them from :mod:`glassnet.callbacks`.
"""

from __future__ import annotations

import csv
import inspect
import math
import os

from ._checks import boolean
from ._files import file_path, os_error
from .callbacks import Callback
from .errors import ConfigError


class TerminateOnNaN(Callback):
    """Stop training when a batch loss is NaN or infinite.

    ``fit`` already stops at a non-finite loss (keeping the last finite weights); this
    callback is here for Keras code that lists it.

    Example
    -------
    >>> TerminateOnNaN().raise_error
    False
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = boolean(raise_error, "TerminateOnNaN: raise_error")

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _takes(function, *args) -> bool:
    """Whether ``function(*args)`` would bind (True for builtins without a signature)."""
    try:
        inspect.signature(function).bind(*args)
    except TypeError:
        return False
    except ValueError:
        return True
    return True


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)``.

    ``schedule`` may also take only ``epoch``. The rate used is logged as ``learning_rate``.

    Example
    -------
    >>> import numpy as np, glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(1, input_shape=(2,), name="lrs_dense")])
    >>> model.compile(glassnet.optimizers.SGD(0.1), "mse")
    >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
    >>> h = model.fit(np.ones((4, 2)), np.ones(4), epochs=3, callbacks=[halve], verbose=0)
    >>> h.history["learning_rate"]
    [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule, verbose: int = 0):
        super().__init__()
        if not callable(schedule) or not (_takes(schedule, 0, 0.1) or _takes(schedule, 0)):
            raise ConfigError(f"LearningRateScheduler: schedule must be a function of (epoch, lr) "
                              f"or of (epoch) returning the rate, got {schedule!r}")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:
            rate = self.schedule(epoch)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) \
                or not math.isfinite(rate) or rate < 0:
            raise ConfigError(f"LearningRateScheduler: schedule returned {rate!r} for epoch "
                              f"{epoch}; it must return a finite float >= 0")
        optimizer.learning_rate = float(rate)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CSVLogger(Callback):
    """Write each epoch's logs as a CSV row (``epoch`` first, then the keys sorted).

    The file is flushed after every epoch, so a crash loses at most the running epoch.
    ``append=True`` continues an existing file without repeating its header.

    Example
    -------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> log = CSVLogger(path); log.on_train_begin()
    >>> log.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.75}); log.on_train_end()
    >>> print(open(path).read().strip())
    epoch,loss,val_loss
    0,0.5,0.75
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(file_path(filename, "CSVLogger"))
        if not isinstance(separator, str) or len(separator) != 1 or separator in '"\r\n':
            raise ConfigError(f"CSVLogger: separator must be one character other than a quote "
                              f"or a line break, such as ',' or '\\t'; got {separator!r}")
        self.sep, self.append = separator, boolean(append, "CSVLogger: append")
        self.keys: list[str] | None = None
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        header_needed = True
        try:
            if self.append and os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8", errors="replace") as f:
                    header_needed = not f.readline()
            self._close()
            self._file = open(self.filename, "a" if self.append else "w",
                              newline="", encoding="utf-8")
        except OSError as exc:
            raise os_error(exc, self.filename, "CSVLogger: cannot write the log") from None
        self._header_needed, self.keys, self._writer = header_needed, None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self._writer is None:
            self._writer = csv.writer(self._file, delimiter=self.sep, lineterminator="\n")
            if self._header_needed:
                self._writer.writerow(["epoch", *self.keys])
        self._writer.writerow([epoch, *(logs.get(k, "NA") for k in self.keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._file is not None and not self._file.closed:
            self._file.close()
        self._writer = None


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    ``on_epoch_begin/end(epoch, logs)``, ``on_train_batch_begin/end(batch, logs)`` (also given as
    ``on_batch_begin/end``) and ``on_train_begin/end(logs)``.

    Example
    -------
    >>> seen = []
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> cb.on_epoch_end(3, {}); seen
    [3]
    """

    _HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
              "on_train_batch_begin", "on_train_batch_end")

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None, **kwargs):
        super().__init__()
        for name, fn in kwargs.items():  # Keras 3 sets any other hook given by name
            if not name.startswith("on_") or not hasattr(Callback, name) or not callable(fn):
                raise ConfigError(f"LambdaCallback: {name}={fn!r} is not a callback hook; "
                                  "hooks are on_epoch_end, on_test_end, ...")
            setattr(self, name, fn)
        given = dict(zip(self._HOOKS, (on_epoch_begin, on_epoch_end, on_train_begin,
                                       on_train_end, on_train_batch_begin or on_batch_begin,
                                       on_train_batch_end or on_batch_end), strict=True))
        for hook, fn in given.items():
            arguments = ("logs",) if hook.startswith("on_train_") and "batch" not in hook \
                else ("index", "logs")
            if fn is not None and (not callable(fn) or not _takes(fn, *arguments)):
                raise ConfigError(f"LambdaCallback: {hook} must be a function of "
                                  f"({', '.join(arguments)}), got {fn!r}")
        for hook, fn in given.items():
            if fn is not None:
                setattr(self, hook, fn)
