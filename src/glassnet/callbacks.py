"""Callbacks: code that runs at points of training, with Keras's names and hooks.

Hooks: ``on_train_begin/end``, ``on_epoch_begin/end``, ``on_train_batch_begin/end`` (also
reachable as ``on_batch_begin/end``). ``fit`` always adds a :class:`History` and, when
``verbose`` is 1 or 2, a :class:`ProgressBar`. Batch hooks cost a little per step, so ``fit``
calls them only on callbacks that override them.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(1, input_shape=(2,))])
>>> model.compile("sgd", "mse")
>>> history = model.fit(np.zeros((4, 2)), np.zeros(4), epochs=2, verbose=0)
>>> history.epoch, sorted(history.history)
([0, 1], ['loss'])
"""

from __future__ import annotations

import sys
import time

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgressBar",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]


class Callback:
    """Base class: override the hooks you need. ``self.model`` is set by ``fit``."""

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


def _overrides(callback: Callback, *names: str) -> bool:
    """Whether the callback's class, or the instance itself (LambdaCallback), defines a hook."""
    return any(getattr(type(callback), n) is not getattr(Callback, n) or n in vars(callback)
               for n in names)


class CallbackList:
    """Calls each hook on every callback, in order, always with a ``logs`` dict; batch hooks
    only on the callbacks that override them."""

    def __init__(self, callbacks, model, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self._batch_begin = [c for c in self.callbacks
                             if _overrides(c, "on_train_batch_begin", "on_batch_begin")]
        self._batch_end = [c for c in self.callbacks
                           if _overrides(c, "on_train_batch_end", "on_batch_end")]

    @property
    def wants_batch_logs(self) -> bool:
        return bool(self._batch_end)

    def _call(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", {} if logs is None else logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", {} if logs is None else logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, {} if logs is None else logs)

    def on_train_batch_begin(self, batch, logs=None):
        for cb in self._batch_begin:
            cb.on_train_batch_begin(batch, {} if logs is None else logs)

    def on_train_batch_end(self, batch, logs=None):
        for cb in self._batch_end:
            cb.on_train_batch_end(batch, {} if logs is None else logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", {} if logs is None else logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", {} if logs is None else logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, {} if logs is None else logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, {} if logs is None else logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", {} if logs is None else logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", {} if logs is None else logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, {} if logs is None else logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, {} if logs is None else logs)


class History(Callback):
    """Records each epoch's logs: ``history.history['loss']`` is the per-epoch loss list."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.interrupted = False
        self.stop_reason: str | None = None

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 6) for k, v in self.history.items() if v}
        return f"<History epochs={len(self.epoch)} last={last}>"

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        keys = list(self.history)
        rows = [[str(e + 1), *(_cell(self.history[k], i) for k in keys)]
                for i, e in enumerate(self.epoch)]
        return ["epoch", *keys], rows

    def _repr_html_(self) -> str:
        from ._display import html_table

        note = f"<p>{self.stop_reason}</p>" if self.stop_reason else ""
        return html_table(*self._rows()) + note

    def _repr_markdown_(self) -> str:
        from ._display import markdown_table

        return markdown_table(*self._rows())


def _cell(values: list, i: int) -> str:
    return f"{values[i]:.4f}" if i < len(values) else ""


def _format_logs(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


class ProgressBar(Callback):
    """``verbose=1``: a live bar per epoch with the running loss and metrics (tqdm, notebook
    aware); ``verbose=2``: one line per epoch."""

    refresh_seconds = 0.1

    def __init__(self, verbose: int = 1, file=None):
        super().__init__()
        self.verbose = verbose
        self.file = file
        self._bar = None

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs", 1)
        self._steps = self.params.get("steps")

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        if self.verbose == 1:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self._steps, desc=f"Epoch {epoch + 1}/{self._epochs}",
                             unit="batch", file=self.file or sys.stdout, leave=True,
                             dynamic_ncols=True)
            self._last_refresh = 0.0

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._bar.update(1)
        now = time.perf_counter()
        if now - self._last_refresh >= self.refresh_seconds:
            self._last_refresh = now
            self._bar.set_postfix_str(_format_logs(logs or {}), refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.set_postfix_str(_format_logs(logs or {}), refresh=False)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._start
            print(f"Epoch {epoch + 1}/{self._epochs} - {seconds:.2f}s - {_format_logs(logs or {})}",
                  file=self.file or sys.stdout, flush=True)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# The callbacks below live in their own modules and need Callback defined first.
from ._callbacks_checkpoint import BackupAndRestore, ModelCheckpoint  # noqa: E402
from ._callbacks_monitor import EarlyStopping, ReduceLROnPlateau  # noqa: E402
from ._callbacks_simple import (  # noqa: E402
    CSVLogger,
    LambdaCallback,
    LearningRateScheduler,
    TerminateOnNaN,
)
from ._callbacks_tensorboard import TensorBoard  # noqa: E402
