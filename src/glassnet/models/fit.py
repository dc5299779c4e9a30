"""``Model.fit``: epochs of shuffled mini-batches, callbacks, validation, and safe stops.

A step whose loss or gradient is not finite is not applied; if an update itself overflowed the
weights (or weights turned non-finite behind inputs that were always zero, seen at the next
epoch boundary), the snapshot taken at the epoch's start (weights, state and optimizer) is
restored. Ctrl-C turns into "stop after this step": ``fit`` returns the History so far.
"""

from __future__ import annotations

import math
import signal
import threading
import warnings

import numpy as np

from .._blas import training_threads
from ..callbacks import CallbackList, History, ProgressBar
from ..errors import ConfigError, TrainingStopped
from ..layers import Dropout
from ..utils import as_generator
from ._fit_checks import check_fit_args
from .data import Batch, prepare
from .sources import Source, is_source, source_epochs
from .training import (
    Diverged,
    LogSums,
    evaluate_batch,
    evaluate_batches,
    grad_buffers,
    train_step,
)

_ADVICE = "try a smaller learning rate."


class _InterruptGuard:
    """Turns Ctrl-C during fit into a request to stop after the current step.

    A second Ctrl-C stops at once, except inside a training step (``in_step``): there it waits
    for the step to finish, so weights, optimizer state and step count always agree.
    """

    def __init__(self):
        self.interrupted = False
        self.in_step = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.interrupted and not self.in_step:  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        self.interrupted = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _split_validation(batch: Batch, split: float):
    n = len(batch)
    cut = int(n * (1 - split))
    if cut in (n, 0):
        from ..errors import DataError

        raise DataError(f"validation_split={split} of {n} samples leaves an empty "
                        "training or validation set; use more data or another split")
    return batch.rows(0, cut), batch.rows(cut, n)


def _validation(model, validation_data, validation_split, train):
    if validation_data is not None and is_source(validation_data):
        return train, validation_data
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ConfigError("validation_data must be a tuple (x_val, y_val[, sample_weight])")
        weights = validation_data[2] if len(validation_data) == 3 else None
        return train, prepare(model, *validation_data[:2], weights, prefix="val_")
    if validation_split:
        return _split_validation(train, validation_split)
    return train, None


def fit(model, x, y, *, epochs, batch_size, shuffle, validation_data, validation_split,
        callbacks, verbose, seed, sample_weight, class_weight, initial_epoch,
        steps_per_epoch=None, validation_freq=1, validation_batch_size=None,
        validation_steps=None):
    check_fit_args(model, epochs, batch_size, validation_split, verbose, initial_epoch,
                   callbacks, class_weight, shuffle, steps_per_epoch, validation_freq,
                   validation_batch_size, validation_steps)
    rng = as_generator(seed)
    if is_source(x):
        if validation_split:
            raise ConfigError("validation_split needs arrays; with a generator or PyDataset as "
                              "x, pass validation_data")
        batches = SourceBatches(model, source_epochs(x, y, sample_weight, steps_per_epoch,
                                                     shuffle, rng), class_weight)
        _, val = _validation(model, validation_data, 0.0, None)
    else:
        train, val = _validation(model, validation_data, validation_split,
                                 prepare(model, x, y, sample_weight, class_weight))
    model._claim()
    _check_finite_weights(model)
    model._resolve_metrics()
    for layer in model._leaf_layers():
        if isinstance(layer, Dropout) and layer.seed is None:
            layer.rng = rng
    verbose = 1 if verbose == "auto" else verbose
    if not is_source(x):
        batches = ArrayBatches(train, batch_size, rng if shuffle else None, steps_per_epoch)
    history = History()
    extra = [ProgressBar(verbose)] if verbose else []
    cbs = CallbackList([*(callbacks or []), history, *extra], model,  # history sees their logs
                       {"epochs": epochs, "steps": batches.steps, "samples": batches.samples,
                        "verbose": verbose, "batch_size": batches.size})
    model._prepare_optimizer()
    model.stop_training = False
    loop = _EpochLoop(model, batches, cbs)
    with (_InterruptGuard() as guard, np.errstate(over="ignore", invalid="ignore"),
          training_threads(model, batches.size)):
        loop.guard = guard
        model._initial_epoch = None
        cbs.on_train_begin({})
        initial_epoch = model._initial_epoch or initial_epoch  # BackupAndRestore, as Keras 3
        try:
            for epoch in range(initial_epoch, epochs):
                logs, stop = {}, None
                try:
                    cbs.on_epoch_begin(epoch, {})
                    logs, stop = loop.run(epoch)
                    if val is not None and stop is None and (epoch + 1) % validation_freq == 0:
                        val_logs = (evaluate_source(model, val, validation_steps, cbs)
                                    if is_source(val) else
                                    evaluate_batch(model, val, validation_batch_size, cbs,
                                                   validation_steps))
                        logs.update({f"val_{k}": v for k, v in val_logs.items()})
                    if logs:
                        cbs.on_epoch_end(epoch, logs)
                except KeyboardInterrupt:  # outside a step: the weights are consistent
                    stop = ("interrupted", _interrupted_between_steps(epoch))
                    if logs and epoch not in history.epoch:  # the epoch ran: keep its record
                        history.on_epoch_end(epoch, logs)
                if stop is None and guard.interrupted:  # a Ctrl-C during the epoch's callbacks
                    stop = ("interrupted", _interrupted_between_steps(epoch))
                if stop is not None:
                    _report_stop(history, *stop, verbose)
                    break
                if model.stop_training:
                    break
            # use_ema: the weights become their moving average, as Keras's fit ends
            model.optimizer.finalize_variable_values(model._train_params)
        finally:
            cbs.on_train_end({k: v[-1] for k, v in history.history.items() if v})
    model.history = history
    return history


def _check_finite_weights(model) -> None:
    """Training from NaN or inf weights cannot be rolled back to anything finite: refuse it."""
    if np.isfinite(model._claim().buffer).all():
        return
    for variable in model.weights:
        if not np.isfinite(variable.value).all():
            raise ConfigError(
                f"layer {variable.path.split('/')[0]!r}: its {variable.name} holds NaN or inf "
                "before training; give the model finite weights (set_weights, load_model of a "
                "good file, or a new model)")


def _report_stop(history, kind, message, verbose):
    history.stop_reason = message
    history.interrupted = kind == "interrupted"
    warnings.warn(message, TrainingStopped, stacklevel=5)
    if verbose:
        print(message, flush=True)


class ArrayBatches:
    """An epoch of arrays: shuffled mini-batches gathered into buffers allocated once."""

    def __init__(self, data: Batch, batch_size, rng, steps_per_epoch):
        n = len(data)
        self.data, self.samples = data, n
        self.size = n if batch_size is None else min(batch_size, n)
        full = math.ceil(n / self.size)
        self.steps = full if steps_per_epoch is None else min(steps_per_epoch, full)
        self.rng = rng if rng is not None and full > 1 else None
        if self.rng is not None:
            self.xb = [np.empty((self.size, *x.shape[1:]), x.dtype) for x in data.xs]
            self.yb = [None if y is None else np.empty((self.size, *y.shape[1:]), y.dtype)
                       for y in data.ys]
            self.wb = None if data.w is None else np.empty(self.size, data.w.dtype)
            self._x_pairs = list(zip(data.xs, self.xb, strict=True))
            self._y_pairs = list(zip(data.ys, self.yb, strict=True))

    def epoch(self):
        order = self.rng.permutation(self.samples) if self.rng is not None else None
        for step in range(self.steps):
            lo, hi = step * self.size, min((step + 1) * self.size, self.samples)
            yield self._batch(order, lo, hi)

    def _batch(self, order, lo, hi) -> Batch:
        data = self.data
        if order is None:
            return data.rows(lo, hi)
        # mode="clip" (indices come from a permutation, so always valid) lets take write straight
        # into the buffer; the default mode="raise" goes through a temporary copy. The method
        # (not np.take's wrapper) and the whole buffer for a full batch save a few us a step.
        idx, m = order[lo:hi], hi - lo
        full = m == self.size
        xs = [x.take(idx, 0, b if full else b[:m], "clip") for x, b in self._x_pairs]
        ys = [None if y is None else y.take(idx, 0, b if full else b[:m], "clip")
              for y, b in self._y_pairs]
        w = None if data.w is None else data.w.take(idx, 0, self.wb[:m], "clip")
        return Batch(xs, ys, w)


class SourceBatches:
    """An epoch of a generator or PyDataset, each batch checked as arrays are."""

    def __init__(self, model, source, class_weight):
        self.model, self.source, self.class_weight = model, source, class_weight
        first = prepare(model, *source.peek(), class_weight)  # builds the model
        self.size, self.samples, self.steps = len(first), None, source.steps

    def epoch(self):
        for x, y, w in self.source.epoch():
            yield prepare(self.model, x, y, w, self.class_weight)


def evaluate_source(model, source, steps, callbacks=None) -> dict:
    """Loss and metrics over the batches of a generator or PyDataset."""
    batches = source if isinstance(source, Source) else source_epochs(
        source, None, None, steps, False, None, "validation_data")
    parts = (prepare(model, x, y, w) for x, y, w in batches.epoch())
    return evaluate_batches(model, parts, callbacks)


class _EpochLoop:
    """Runs one epoch of steps from ``batches`` (ArrayBatches or SourceBatches)."""

    def __init__(self, model, batches, cbs):
        self.model, self.batches, self.cbs = model, batches, cbs
        self.grad_buffers = grad_buffers(model, batches.size)
        self.guard = None
        self.storage = model._claim()
        self.snapshot = np.empty_like(self.storage.buffer)

    def _buffers_for(self, n: int) -> list:
        if n > len(self.grad_buffers[0]):
            self.grad_buffers = grad_buffers(self.model, n)
        return self.grad_buffers

    def _keep_finite_state(self) -> bool:
        """Remember the weights and optimizer state at an epoch start; False if they are no
        longer finite (``fit`` starts from finite weights, so a snapshot exists by then)."""
        if not np.isfinite(self.storage.buffer).all():
            return False
        np.copyto(self.snapshot, self.storage.buffer)
        self.optimizer_snapshot = self.model.optimizer.get_state()
        return True

    def _restore_snapshot(self) -> None:
        np.copyto(self.storage.buffer, self.snapshot)
        self.model.optimizer.set_state(self.optimizer_snapshot, self.storage.params)

    def _diverged(self, epoch, step, value) -> str:
        """Stop on a non-finite loss or gradient; the weights stay (or become again) finite."""
        where = f"Training stopped at epoch {epoch + 1}, batch {step + 1}"
        cause = f"the loss became {value} (or a gradient was not finite)"
        if np.isfinite(self.storage.buffer).all():
            return f"{where}: {cause}. The weights are the last finite ones; {_ADVICE}"
        self._restore_snapshot()  # the last update itself overflowed
        return (f"{where}: {cause} and the last update overflowed the weights. They are restored "
                f"to the last finite ones, from the start of an epoch; {_ADVICE}")

    def _overflowed_unseen(self, epoch) -> str:
        """Weights that turned non-finite without any loss showing it yet: the epoch's last
        update overflowed, or an overflowed weight only ever met zero inputs (on AMD Zen CPUs
        the product kernel skips those, so 0 * inf is not NaN)."""
        self._restore_snapshot()
        return (f"Training stopped at the start of epoch {epoch + 1}: an update in epoch {epoch} "
                "overflowed some weights (no loss has seen them: the epoch's last update, or "
                "inputs that were always zero). They are "
                f"restored to the start of epoch {epoch}; {_ADVICE}")

    def run(self, epoch):
        """Train one epoch; returns (logs averaged over the finished steps, stop reason)."""
        model, cbs = self.model, self.cbs
        if not self._keep_finite_state():
            return {}, ("diverged", self._overflowed_unseen(epoch))
        sums, stop = LogSums(model), None
        for step, batch in enumerate(self.batches.epoch()):
            guard = self.guard
            try:
                cbs.on_train_batch_begin(step, {})
                if guard is not None:
                    guard.in_step = True
                total, values, outs = train_step(model, batch, self._buffers_for(len(batch)))
                sums.add(total, values, batch.ys, outs, len(batch), batch.w)
            except Diverged as diverged:
                stop = ("diverged", self._diverged(epoch, step, diverged.args[0]))
                break
            except KeyboardInterrupt:
                stop = ("interrupted", _interrupted(epoch, step))
                break
            finally:
                if guard is not None:
                    guard.in_step = False
            if cbs.wants_batch_logs:
                try:
                    cbs.on_train_batch_end(step, sums.logs())
                except KeyboardInterrupt:
                    stop = ("interrupted", _interrupted(epoch, step))
            if stop is None and self.guard is not None and self.guard.interrupted:
                stop = ("interrupted", _interrupted(epoch, step))
            if stop is not None:
                break
        return sums.logs(), stop


def _interrupted_between_steps(epoch) -> str:
    return (f"Training interrupted in epoch {epoch + 1}, between steps: fit returns the History "
            "so far, and the model holds the weights after the last finished step.")


def _interrupted(epoch, step) -> str:
    return (f"Training interrupted at epoch {epoch + 1}, batch {step + 1}: fit returns the "
            "History so far, and the model holds the weights after the last finished step.")
