"""The training, evaluation and prediction loops behind ``Model.fit/evaluate/predict``.

One training step, as the seeds teach it (see ``docs/seeds.md``):

1. forward: the graph runs each layer, which keeps what its backward needs;
2. the loss of each output and dL/d(output), scaled by its loss weight; for softmax or sigmoid
   followed by cross-entropy, the fused dL/dz = p - y (scaled by the batch reduction);
3. backward: the graph runs the layers in reverse, each turning dL/d(output) into its
   parameter gradients (written into the model's flat ``grads``) and dL/d(input);
4. one optimizer kernel over the flat trainable ``params``.

Every argument is checked before the model changes. A step whose loss or gradient is not
finite is not applied: training stops there, with the last finite weights.
"""

from __future__ import annotations

import math

import numpy as np

from .. import kernels
from .._checks import no_overflow, positive_int
from ..errors import DataError, ShapeError
from .data import Batch, input_arrays, prepare
from .penalties import add_penalties, apply_constraints, regularization_loss

__all__ = ["Batch", "Diverged", "LogSums", "backprop", "evaluate", "forward", "predict",
           "train_step"]

DEFAULT_INFERENCE_BATCH = 1024


class Diverged(Exception):
    pass


# -- one step --------------------------------------------------------------------------------
def outputs(model, xs: list, training: bool) -> list:
    return model._graph.forward(xs, training)


def forward(model, x, training):
    """The output for ``x`` (one array, or a list for several inputs / outputs)."""
    outs = model._graph.forward(x if isinstance(x, list) else [x], training)
    return outs[0] if len(outs) == 1 else outs


def head_losses(model, ys, outs, w) -> list:
    """Each output's loss value (0.0 where it has none), unweighted; a fused head's too is
    Keras's value on the probabilities (clipped as Keras clips)."""
    return [0.0 if head is None else head.loss.forward(y, out, w)
            for head, y, out in zip(model._heads, ys, outs, strict=True)]


def heads_value_and_grad(model, ys, outs, w, grad_buffers):
    """(total loss, per-output losses, dL/d(each output)) into ``grad_buffers``."""
    total, values, grads = 0.0, [], []
    for head, y, out, buf in zip(model._heads, ys, outs, grad_buffers, strict=True):
        if head is None:
            values.append(0.0)
            grads.append(None)
            continue
        target = buf[:len(out)]
        if head.fused:
            value, grad = head.loss.logits_value_and_grad(y, head.layer.net, out, w, target)
        else:
            value, grad = head.loss.forward(y, out, w), head.loss.backward(y, out, w, target)
        if head.weight != 1.0:
            grad *= head.weight
        total += head.weight * value
        values.append(value)
        grads.append(grad)
    return total, values, grads


def backprop(model, grads, fused: bool | None = None) -> None:
    """Run the graph backward from dL/d(outputs): fills the layers' gradient views.

    ``fused`` (one output) says whether ``grads`` is dL/d(the last pre-activation), whatever
    the compiled loss would fuse (scikit-learn's losses do this for every output activation).
    """
    if fused is None:
        model._graph.backward(grads if isinstance(grads, list) else [grads])
        return
    step = model._graph.producer(0)
    compiled, step.fused = step.fused, fused
    try:
        model._graph.backward([grads])
    finally:
        step.fused = compiled


def train_step(model, batch: Batch, grad_buffers):
    """Forward, backward and one optimizer update; returns (loss, per-output losses, outputs)."""
    outs = model._graph.forward(batch.xs, True)
    total, values, grads = heads_value_and_grad(model, batch.ys, outs, batch.w, grad_buffers)
    model._graph.backward(grads)
    total = add_penalties(model, total)  # regularizers: Keras's loss includes them
    params, g = model._train_params, model._train_grads
    if not (math.isfinite(total) and math.isfinite(kernels.active().sum_squares(g))):
        raise Diverged(total)
    model.optimizer.step(params, g)
    apply_constraints(model)
    return total, values, outs


def grad_buffers(model, size: int) -> list:
    shapes = model._output_shapes
    return [np.empty((size, *s), model.dtype) for s in shapes]


# -- the single-output helpers the views use (explain, gradcheck, classic, sklearn) ----------
def prepare_single(model, x, y, sample_weight=None):
    """(x, y, weights) checked arrays for a model of one input and one output."""
    batch = prepare(model, x, y, sample_weight)
    return batch.xs[0], batch.ys[0], batch.w


def loss_value(model, y, out, w, fused=None) -> float:
    """The loss of a one-output model for targets ``y`` and its output ``out``."""
    return head_losses(model, [y], [out], w)[0]


def loss_and_grad(model, y, out, w, fused, grad_buffer):
    """(loss, dL/d(output)) of a one-output model; fused: dL/dz (p - y) in one kernel."""
    total, _, grads = heads_value_and_grad(model, [y], [out], w, [grad_buffer])
    return total, grads[0]


def backward(model, y, out, w, fused, grad_buffer) -> None:
    """Fill the gradients for the batch whose forward pass just ran (one output)."""
    backprop(model, loss_and_grad(model, y, out, w, fused, grad_buffer)[1])


# -- metrics and logs ------------------------------------------------------------------------
def _updater(model, i, metric, weighted):
    """``update(y, out, m, w)`` for one metric: the sparse accuracy kernel where it applies
    (integer labels, one row of scores per sample, unweighted), else ``update_state`` (with
    the sample weights for compile's ``weighted_metrics``)."""
    from ..metrics.wrapped import SparseCategoricalAccuracy

    head = model._heads[i]
    if weighted:
        return lambda y, out, m=None, w=None: metric.update_state(y, out, sample_weight=w)
    if (type(metric) is SparseCategoricalAccuracy and len(model._output_shapes[i]) == 1
            and head is not None and head.loss.name == "sparse_categorical_crossentropy"):
        kernel = kernels.active().sparse_accuracy
        return lambda y, out, m=None, w=None: metric.add_mean(kernel(y, out),
                                                              len(y) if m is None else m)
    return lambda y, out, m=None, w=None: metric.update_state(y, out)


def metric_functions(model) -> list:
    """(output index, ``update(y, out, m, w)``) per compiled metric (the benchmarks' profile)."""
    return [(i, _updater(model, i, metric, weighted))
            for i, _, metric, weighted in model._metric_fns]


def _log_value(value):
    if isinstance(value, (float, np.floating)):
        return float(value)
    value = np.asarray(value)
    return float(value) if value.size == 1 else value.copy()


class LogSums:
    """Running, sample-weighted sums of the loss and per-output losses, and the stateful
    metrics (reset here, updated batch by batch: their result is the running epoch value)."""

    def __init__(self, model):
        self.names = model._log_names
        self.heads = model._heads
        self.per_output = len(model._heads) > 1
        self.metrics = []
        for i, _, metric, weighted in model._metric_fns:
            metric.reset_state()
            self.metrics.append((i, metric, _updater(model, i, metric, weighted)))
        self.n_sums = len(self.names) - len(self.metrics)
        self.sums = [0.0] * self.n_sums
        self.seen = 0

    def add(self, total, values, ys, outs, m: int, w=None) -> None:
        sums = self.sums
        sums[0] += total * m
        k = 1
        if self.per_output:
            for head, value in zip(self.heads, values, strict=True):
                if head is not None:
                    sums[k] += value * m
                    k += 1
        for i, _, update in self.metrics:
            update(ys[i], outs[i], m, w)
        self.seen += m

    def logs(self) -> dict:
        if not self.seen:
            return {}
        values = [s / self.seen for s in self.sums]
        values += [_log_value(metric.result()) for _, metric, _ in self.metrics]
        return dict(zip(self.names, values, strict=True))


# -- evaluate and predict --------------------------------------------------------------------
def evaluate(model, x, y, batch_size=None, sample_weight=None, callbacks=None,
             steps=None) -> dict:
    model._require_compiled("evaluate")
    positive_int(batch_size, "batch_size", allow_none=True)
    positive_int(steps, "steps", allow_none=True)
    batch = prepare(model, x, y, sample_weight)
    model._resolve_metrics()
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by name
        logs = evaluate_batch(model, batch, batch_size, callbacks, steps)
    if not math.isfinite(logs["loss"]):
        raise DataError(f"evaluate: the loss is {logs['loss']}: the model's outputs overflowed "
                        f"{model.dtype.name} on these inputs; they are too large for its weights "
                        "(scale the inputs as in training)")
    return logs


def evaluate_batch(model, batch: Batch, batch_size=None, callbacks=None, steps=None) -> dict:
    """Loss and metrics over ``batch`` (its first ``steps`` batches, if given)."""
    size = batch_size or DEFAULT_INFERENCE_BATCH
    n = len(batch) if steps is None else min(len(batch), steps * size)
    parts = (batch.rows(lo, min(lo + size, n)) for lo in range(0, n, size))
    return evaluate_batches(model, parts, callbacks)


def evaluate_batches(model, batches, callbacks=None) -> dict:
    """Loss and metrics over checked batches, weighted by their sizes."""
    sums = LogSums(model)
    for step, part in enumerate(batches):
        if callbacks is not None:
            callbacks.on_test_batch_begin(step, {})
        outs = model._graph.forward(part.xs, False)
        values = head_losses(model, part.ys, outs, part.w)
        total = sum(h.weight * v for h, v in zip(model._heads, values, strict=True)
                    if h is not None) + regularization_loss(model)
        sums.add(total, values, part.ys, outs, len(part), part.w)
        if callbacks is not None:
            callbacks.on_test_batch_end(step, sums.logs())
    return sums.logs()


def predict(model, x, batch_size=None, callbacks=None, steps=None):
    positive_int(batch_size, "batch_size", allow_none=True)
    positive_int(steps, "steps", allow_none=True)
    xs = input_arrays(model, x, finite=False)
    if steps is not None:
        xs = [a[:steps * (batch_size or DEFAULT_INFERENCE_BATCH)] for a in xs]
    model._ensure_built_for(xs)
    try:
        model.check_input_shape([a.shape[1:] for a in xs] if len(xs) > 1 else xs[0].shape[1:])
    except ShapeError as exc:
        raise ShapeError(f"argument x: {exc}") from None
    xs = [a.astype(model.dtype, copy=False) for a in xs]
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, by row
        results = _predict_batches(model, xs, batch_size or DEFAULT_INFERENCE_BATCH, callbacks)
    for result in results:
        no_overflow(xs[0] if len(xs) == 1 else np.concatenate(
            [a.reshape(len(a), -1) for a in xs], axis=1), result,
            f"predict: model {model.name!r} ({model.dtype.name})")
    return model._pack_outputs(results)


def _predict_batches(model, xs, size, callbacks) -> list:
    n = len(xs[0])
    results = None
    for step, lo in enumerate(range(0, max(n, 1), size)):
        if callbacks is not None:
            callbacks.on_predict_batch_begin(step, {})
        outs = model._graph.forward([a[lo:lo + size] for a in xs], False)
        if results is None:
            if n <= size:
                results = [o.copy() for o in outs]
            else:
                results = [np.empty((n, *o.shape[1:]), model.dtype) for o in outs]
        if n > size:
            for r, o in zip(results, outs, strict=True):
                r[lo:lo + size] = o
        if callbacks is not None:
            callbacks.on_predict_batch_end(step, {"outputs": outs})
    return results
