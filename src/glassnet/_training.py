"""The training, evaluation and prediction loops behind ``Model.fit/evaluate/predict``.

One training step, as the seeds teach it (see ``docs/seeds.md``):

1. forward: each layer computes its output and keeps what its backward needs;
2. the loss and dL/d(output); for softmax or sigmoid followed by cross-entropy, the fused
   dL/dz = p - y (scaled by the batch reduction);
3. backward: each layer, last to first, turns dL/d(output) into its parameter gradients
   (written into the model's flat ``grads``) and dL/d(input);
4. one optimizer kernel over the flat ``params``.

Every argument is checked before the model changes. A step whose loss or gradient is not
finite is not applied: training stops there, with the last finite weights.
"""

from __future__ import annotations

import math
import signal
import threading
import warnings

import numpy as np

from . import kernels
from ._blas import training_threads
from ._checks import no_overflow, numeric_array, positive_int, same_length
from ._fit_checks import check_fit_args
from .callbacks import CallbackList, History, ProgressBar
from .errors import ConfigError, DataError, ShapeError
from .layers import Dropout
from .metrics import training as training_metrics
from .utils import as_generator

DEFAULT_INFERENCE_BATCH = 1024


class TrainingStopped(UserWarning):
    """Training ended early: the loss diverged, or it was interrupted."""


class _Diverged(Exception):
    pass


_ADVICE = "try a smaller learning rate."


# -- data preparation ------------------------------------------------------------------------
def _prepare(model, x, y, sample_weight=None, class_weight=None, prefix=""):
    """Validated (x, y, weights) in the model's dtype. Raises before anything changes."""
    if x is None or y is None:
        raise DataError(f"argument {prefix}{'x' if x is None else 'y'} is missing")
    x = numeric_array(x, prefix + "x", dtype=model.dtype)
    y = numeric_array(y, prefix + "y", dtype=model.dtype)
    same_length(x, y, prefix + "x", prefix + "y")
    if x.ndim < 2:
        raise ShapeError(f"argument {prefix}x: needs shape (samples, features...), got {x.shape}; "
                         "for one feature per sample use x.reshape(-1, 1)")
    y = model.loss.prepare_targets(y, _output_shape_for(model, x, prefix), model.dtype)
    weights = _sample_weights(y, sample_weight, class_weight, len(x), model.dtype, prefix)
    return x, y, weights


def _output_shape_for(model, x, prefix="") -> tuple:
    """The model's output shape for inputs like ``x``; a misfit names the argument and layer."""
    try:
        return model.infer_output_shape(x.shape[1:])
    except ShapeError as exc:
        raise ShapeError(f"argument {prefix}x: {exc}") from None


def _sample_weights(y, sample_weight, class_weight, n, dtype, prefix):
    weights = None
    if sample_weight is not None:
        weights = numeric_array(sample_weight, prefix + "sample_weight", dtype=dtype).astype(dtype)
        if weights.shape != (n,) or (weights < 0).any():
            raise DataError(f"argument {prefix}sample_weight: needs {n} non-negative values, "
                            f"one per sample; got shape {weights.shape}")
    if class_weight:
        labels = y if y.ndim == 1 else (np.argmax(y, axis=1) if y.shape[1] > 1 else
                                        np.rint(np.clip(y[:, 0], -1, 2**40)).astype(np.intp))
        lookup = np.ones(int(max(class_weight)) + 2, dtype=dtype)  # the last: unlisted labels
        for label, w in class_weight.items():
            lookup[int(label)] = w
        per_class = lookup[np.where((labels >= 0) & (labels < len(lookup)), labels, -1)]
        weights = per_class if weights is None else weights * per_class
    return weights


def _split_validation(x, y, w, split):
    cut = int(len(x) * (1 - split))
    if cut == len(x) or cut == 0:
        raise DataError(f"validation_split={split} of {len(x)} samples leaves an empty "
                        "training or validation set; use more data or another split")
    head, tail = (None, None) if w is None else (w[:cut], w[cut:])
    return (x[:cut], y[:cut], head), (x[cut:], y[cut:], tail)


# -- one step --------------------------------------------------------------------------------
def forward(model, x, training):
    for layer in model.layers:
        x = layer.forward(x, training)
    return x


def loss_value(model, y, out, w, fused) -> float:
    if fused:
        return model.loss.logits_loss(y, model.layers[-1].net, w)
    return model.loss.forward(y, out, w)


def loss_and_grad(model, y, out, w, fused, grad_buffer):
    """The loss and dL/d(output) into ``grad_buffer``; fused: dL/dz in one kernel (p - y)."""
    n = len(out)
    if fused:
        return model.loss.logits_value_and_grad(y, model.layers[-1].net, out, w,
                                                grad_buffer[:n])
    return model.loss.forward(y, out, w), model.loss.backward(y, out, w, grad_buffer[:n])


def backprop(model, grad, fused):
    """Each layer, last to first, from dL/d(output): fills ``model.grads``."""
    grad = model.layers[-1].backward(grad, preactivation_grad=fused)
    for layer in model._backward_chain:
        grad = layer.backward(grad)


def backward(model, y, out, w, fused, grad_buffer):
    """Fill ``model.grads`` for the batch whose forward pass just ran."""
    backprop(model, loss_and_grad(model, y, out, w, fused, grad_buffer)[1], fused)


def train_step(model, x, y, w, fused, grad_buffer):
    """Forward, backward and one optimizer update; returns (loss, output)."""
    out = forward(model, x, True)
    value, grad = loss_and_grad(model, y, out, w, fused, grad_buffer)
    backprop(model, grad, fused)
    grads = model.grads
    if not (math.isfinite(value) and math.isfinite(float(np.dot(grads, grads)))):
        raise _Diverged(value)
    model.optimizer.step(model.params, grads)
    return value, out


# -- fit -------------------------------------------------------------------------------------
class _InterruptGuard:
    """Turns Ctrl-C during fit into a request to stop after the current step."""

    def __init__(self):
        self.interrupted = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.interrupted:  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        self.interrupted = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def fit(model, x, y, *, epochs, batch_size, shuffle, validation_data, validation_split,
        callbacks, verbose, seed, sample_weight, class_weight, initial_epoch):
    check_fit_args(model, epochs, batch_size, validation_split, verbose, initial_epoch,
                    callbacks, class_weight, shuffle)
    train = _prepare(model, x, y, sample_weight, class_weight)
    val = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ConfigError("validation_data must be a tuple (x_val, y_val[, sample_weight])")
        val = _prepare(model, *validation_data[:2],
                       validation_data[2] if len(validation_data) == 3 else None, prefix="val_")
    elif validation_split:
        train, val = _split_validation(*train, validation_split)
    rng = as_generator(seed)
    model._ensure_built(train[0].shape[1:])
    _check_finite_weights(model)
    model._resolve_metrics()
    x, y, w = np.ascontiguousarray(train[0], dtype=model.dtype), train[1], train[2]
    for layer in model.layers:
        if isinstance(layer, Dropout) and layer.seed is None:
            layer.rng = rng
    verbose = 1 if verbose == "auto" else verbose
    n = len(x)
    size = n if batch_size is None else min(batch_size, n)
    steps = math.ceil(n / size)
    history = History()
    extra = [ProgressBar(verbose)] if verbose else []
    cbs = CallbackList([*(callbacks or []), history, *extra], model,  # history sees their logs
                       {"epochs": epochs, "steps": steps, "samples": n, "verbose": verbose,
                        "batch_size": size})
    model.optimizer.build(model.params)
    model.stop_training = False
    loop = _EpochLoop(model, x, y, w, size, rng if shuffle else None, cbs)
    with (_InterruptGuard() as guard, np.errstate(over="ignore", invalid="ignore"),
          training_threads(model, size)):
        loop.guard = guard
        cbs.on_train_begin()
        try:
            for epoch in range(initial_epoch, epochs):
                cbs.on_epoch_begin(epoch)
                logs, stop = loop.run(epoch)
                if val is not None and stop is None:
                    logs.update({f"val_{k}": v for k, v in _evaluate_arrays(model, *val).items()})
                if logs:
                    cbs.on_epoch_end(epoch, logs)
                if stop is not None:
                    _report_stop(history, *stop, verbose)
                    break
                if model.stop_training:
                    break
        finally:
            cbs.on_train_end()
    model.history = history
    return history


def _check_finite_weights(model) -> None:
    """Training from NaN or inf weights cannot be rolled back to anything finite: refuse it."""
    if np.isfinite(model.params).all():
        return
    for layer in model.layers:
        for name, w in layer.weights.items():
            if not np.isfinite(w).all():
                raise ConfigError(
                    f"layer {layer.name!r}: its {name} holds NaN or inf before training; give the "
                    "model finite weights (set_weights, load_model of a good file, or a new model)")


def _report_stop(history, kind, message, verbose):
    history.stop_reason = message
    history.interrupted = kind == "interrupted"
    warnings.warn(message, TrainingStopped, stacklevel=4)
    if verbose:
        print(message, flush=True)


class _EpochLoop:
    """Runs one epoch of steps over preallocated batch buffers."""

    def __init__(self, model, x, y, w, size, rng, cbs):
        self.model, self.x, self.y, self.w, self.size, self.rng, self.cbs = (
            model, x, y, w, size, rng, cbs)
        self.steps = math.ceil(len(x) / size)
        shuffled = rng is not None and self.steps > 1
        self.xb = np.empty((size, *x.shape[1:]), x.dtype) if shuffled else None
        self.yb = np.empty((size, *y.shape[1:]), y.dtype) if shuffled else None
        self.wb = np.empty(size, w.dtype) if shuffled and w is not None else None
        self.grad_buffer = np.empty((size, *model.output_shape), model.dtype)
        self.metric_fns = [_fast_metric(model, fn) for fn in model._metric_fns]
        self.fused = model.fused_output
        self.guard = None
        self.snapshot = np.empty_like(model.params)

    def _batch(self, order, lo, hi):
        if order is None:
            return self.x[lo:hi], self.y[lo:hi], None if self.w is None else self.w[lo:hi]
        # mode="clip" (indices come from a permutation, so always valid) lets take write straight
        # into the buffer; the default mode="raise" goes through a temporary copy.
        idx, m = order[lo:hi], hi - lo
        xb = np.take(self.x, idx, axis=0, out=self.xb[:m], mode="clip")
        yb = np.take(self.y, idx, axis=0, out=self.yb[:m], mode="clip")
        wb = None if self.w is None else np.take(self.w, idx, out=self.wb[:m], mode="clip")
        return xb, yb, wb

    def _keep_finite_state(self) -> bool:
        """Remember the weights and optimizer state at an epoch start; False if they are no
        longer finite (``fit`` starts from finite weights, so a snapshot exists by then)."""
        if not np.isfinite(self.model.params).all():
            return False
        np.copyto(self.snapshot, self.model.params)
        self.optimizer_snapshot = self.model.optimizer.get_state()
        return True

    def _restore_snapshot(self) -> None:
        np.copyto(self.model.params, self.snapshot)
        self.model.optimizer.set_state(self.optimizer_snapshot, self.model.params)

    def _diverged(self, epoch, step, value) -> str:
        """Stop on a non-finite loss or gradient; the weights stay (or become again) finite."""
        where = f"Training stopped at epoch {epoch + 1}, batch {step + 1}"
        cause = f"the loss became {value} (or a gradient was not finite)"
        if np.isfinite(self.model.params).all():
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
        model, cbs, n = self.model, self.cbs, len(self.x)
        if not self._keep_finite_state():
            return {}, ("diverged", self._overflowed_unseen(epoch))
        order = self.rng.permutation(n) if self.rng is not None and self.steps > 1 else None
        names, fns = model.metrics_names, self.metric_fns
        sums, seen, stop = [0.0] * (1 + len(fns)), 0, None
        for step in range(self.steps):
            lo, hi = step * self.size, min((step + 1) * self.size, n)
            xb, yb, wb = self._batch(order, lo, hi)
            try:
                cbs.on_train_batch_begin(step)
                value, out = train_step(model, xb, yb, wb, self.fused, self.grad_buffer)
            except _Diverged as diverged:
                stop = ("diverged", self._diverged(epoch, step, diverged.args[0]))
                break
            except KeyboardInterrupt:
                stop = ("interrupted", _interrupted(epoch, step))
                break
            m = hi - lo
            seen += m
            sums[0] += value * m
            for i, fn in enumerate(fns, 1):
                sums[i] += fn(yb, out) * m
            if cbs.wants_batch_logs:
                try:
                    cbs.on_train_batch_end(step, _logs(names, sums, seen))
                except KeyboardInterrupt:
                    stop = ("interrupted", _interrupted(epoch, step))
            if stop is None and self.guard is not None and self.guard.interrupted:
                stop = ("interrupted", _interrupted(epoch, step))
            if stop is not None:
                break
        return (_logs(names, sums, seen) if seen else {}), stop


def _fast_metric(model, fn):
    """The accuracy kernel in place of the metric function when the targets are labels."""
    if (fn is training_metrics._sparse_categorical_accuracy and len(model.output_shape) == 1
            and model.loss.name == "sparse_categorical_crossentropy"):
        return kernels.active().sparse_accuracy
    return fn


def _interrupted(epoch, step) -> str:
    return (f"Training interrupted at epoch {epoch + 1}, batch {step + 1}: fit returns the "
            "History so far, and the model holds the weights after the last finished step.")


def _logs(names, sums, seen) -> dict:
    return {"loss": sums[0] / seen, **{k: s / seen for k, s in zip(names, sums[1:], strict=True)}}


# -- evaluate and predict --------------------------------------------------------------------
def evaluate(model, x, y, batch_size=None, sample_weight=None) -> dict:
    model._require_compiled("evaluate")
    positive_int(batch_size, "batch_size", allow_none=True)
    x, y, w = _prepare(model, x, y, sample_weight)
    model._ensure_built(x.shape[1:])
    model._resolve_metrics()
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by name
        logs = _evaluate_arrays(model, x, y, w, batch_size)
    if not math.isfinite(logs["loss"]):
        raise DataError(f"evaluate: the loss is {logs['loss']}: the model's outputs overflowed "
                        f"{model.dtype.name} on these inputs; they are too large for its weights "
                        "(scale the inputs as in training)")
    return logs


def _evaluate_arrays(model, x, y, w, batch_size=None) -> dict:
    size = batch_size or DEFAULT_INFERENCE_BATCH
    fused = model.fused_output
    names, fns = model.metrics_names, model._metric_fns
    sums = [0.0] * (1 + len(fns))
    for lo in range(0, len(x), size):
        hi = min(lo + size, len(x))
        xb = np.asarray(x[lo:hi], dtype=model.dtype)
        out = forward(model, xb, False)
        yb, wb = y[lo:hi], None if w is None else w[lo:hi]
        sums[0] += loss_value(model, yb, out, wb, fused) * (hi - lo)
        for i, fn in enumerate(fns, 1):
            sums[i] += fn(yb, out) * (hi - lo)
    return _logs(names, sums, len(x))


def predict(model, x, batch_size=None) -> np.ndarray:
    positive_int(batch_size, "batch_size", allow_none=True)
    x = numeric_array(x, "x", finite=False, dtype=model.dtype)
    if x.ndim < 2:
        raise ShapeError(f"argument x: needs a batch axis, shape (samples, features...), got "
                         f"{x.shape}; for one sample use x[None] or x.reshape(1, -1)")
    if not model.built or x.shape[1:] != model.input_shape:
        _output_shape_for(model, x)
        model._ensure_built(x.shape[1:])
    x = x.astype(model.dtype, copy=False)
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by row
        result = _predict_batches(model, x, batch_size or DEFAULT_INFERENCE_BATCH)
    no_overflow(x, result, f"predict: model {model.name!r} ({model.dtype.name})")
    return result


def _predict_batches(model, x, size) -> np.ndarray:
    if len(x) <= size:
        return forward(model, x, False).copy()
    result = np.empty((len(x), *model.output_shape), dtype=model.dtype)
    for lo in range(0, len(x), size):
        result[lo:lo + size] = forward(model, x[lo:lo + size], False)
    return result
