"""Keras's training API on a model: ``compile``, ``fit``, ``evaluate``, ``predict`` and the
``*_on_batch`` methods, with one loss (and metrics) per output.

``compile(optimizer, loss, loss_weights, metrics, ...)`` takes Keras's arguments in Keras's
order. With several outputs, ``loss`` and ``metrics`` may be lists (one entry per output) or
dicts keyed by output name; one loss is used for every output; ``loss_weights`` scales each
output's loss in the total. Logs name each output's loss ``<output>_loss`` and its metrics
``<output>_<metric>``, as Keras does.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense, Input
>>> x = Input((3,))
>>> h = Dense(4, activation="relu")(x)
>>> model = glassnet.Model(x, [Dense(2, activation="softmax", name="kind")(h),
...                            Dense(1, name="size")(h)])
>>> model.compile("adam", {"kind": "sparse_categorical_crossentropy", "size": "mse"},
...               loss_weights={"kind": 1.0, "size": 0.5}, metrics={"kind": ["accuracy"]})
>>> model.metrics_names
['loss', 'kind_loss', 'size_loss', 'kind_accuracy']
"""

from __future__ import annotations

import numpy as np

from .. import losses, optimizers
from ..errors import ConfigError, NotCompiledError
from ..metrics import training as training_metrics

__all__ = ["TrainingAPI"]


class Head:
    """One output's loss, its weight, and whether its gradient fuses with the last activation."""

    __slots__ = ("fused", "layer", "loss", "weight")

    def __init__(self, loss, weight, layer, fused):
        self.loss, self.weight, self.layer, self.fused = loss, weight, layer, fused


def _per_output(value, names: list[str], what: str, broadcast: bool):
    """``value`` as one entry per output: a dict by output name, a list of one entry per
    output, or (``broadcast``, or one output) the same value for every output."""
    if isinstance(value, dict) and not _is_object_config(value, names):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ConfigError(f"compile: {what} names unknown output(s) {unknown}; the "
                              f"model's outputs are {names}")
        return [value.get(n) for n in names]
    if len(names) == 1:
        if what != "metrics" and isinstance(value, (list, tuple)) and len(value) == 1:
            return list(value)
        return [value]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ConfigError(f"compile: for a model with {len(names)} outputs ({names}), give "
                              f"{what} as a list with one entry per output or a dict by output "
                              f"name; got a list of {len(value)}")
        return list(value)
    if not broadcast and value is not None:
        raise ConfigError(f"compile: for a model with {len(names)} outputs ({names}), give "
                          f"{what} as a list with one entry per output or a dict by output name")
    return [value] * len(names)


def _is_object_config(value: dict, names: list[str]) -> bool:
    """A loss or optimizer config ({'name': ...} or Keras's {'class_name': ...}), not a dict
    keyed by output name."""
    return any(k in value and k not in names for k in ("name", "class_name"))


class TrainingAPI:
    """The training half of :class:`~glassnet.Model` (mixed in)."""

    def _init_training(self) -> None:
        self.optimizer = self.loss = None
        self.history = None
        self.stop_training = False
        self.compiled = False
        self._loss_specs = self._loss_weight_specs = self._metric_specs = None
        self._weighted_metric_specs = None
        self._losses: list = []
        self._heads: list = []
        self._metric_fns: list = []
        self._log_names: list[str] = ["loss"]
        self._optimizer_for = None

    # -- compile ---------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True) -> None:
        """Choose the optimizer, the loss(es) and the metrics reported during training."""
        optimizer = optimizers.get(optimizer)
        self._check_loss_spec(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            metrics = [metrics]
        if weighted_metrics is not None and not isinstance(weighted_metrics, (list, tuple, dict)):
            weighted_metrics = [weighted_metrics]
        keys = ("_loss_specs", "_loss_weight_specs", "_metric_specs", "_weighted_metric_specs",
                "_losses", "_heads", "_metric_fns", "_log_names", "loss", "compiled")
        previous = {k: getattr(self, k) for k in keys}
        self._loss_specs, self._loss_weight_specs, self._metric_specs = loss, loss_weights, metrics
        self._weighted_metric_specs = weighted_metrics
        if self._graph is not None:
            try:
                self.compiled = True
                self._resolve_heads()
                self._resolve_metrics()
            except ConfigError:
                for k, v in previous.items():
                    setattr(self, k, v)
                if self._heads:
                    self._graph.set_fused([h is not None and h.fused for h in self._heads])
                raise
        self.optimizer = optimizer
        self.compiled = True
        self._optimizer_for = None

    @staticmethod
    def _check_loss_spec(loss) -> None:
        items = loss.values() if isinstance(loss, dict) and "name" not in loss and \
            "class_name" not in loss else (
            loss if isinstance(loss, (list, tuple)) else [loss])
        for item in items:
            if item is not None:
                losses.get(item)

    def _resolve_heads(self) -> None:
        names = self.output_names
        specs = _per_output(self._loss_specs, names, "loss", broadcast=True)
        self._losses = [None if s is None else losses.get(s) for s in specs]
        weights = self._loss_weight_specs
        if weights is None:
            weights = [1.0] * len(names)
        elif not isinstance(weights, (list, tuple, dict)):
            weights = [weights] * len(names)
        weights = _per_output(weights, names, "loss_weights", broadcast=True)
        graph = self._graph
        heads = []
        for i, (loss, weight) in enumerate(zip(self._losses, weights, strict=True)):
            if loss is None:
                heads.append(None)
                continue
            weight = 1.0 if weight is None else _loss_weight(weight, names[i])
            step = graph.producer(i)
            layer = None if step is None else step.layer
            act = getattr(layer, "output_activation", None)
            fused = (not loss.from_logits and act is not None and step is not None
                     and not step.shared and loss.paired_activation == act.name
                     and graph.fan_out[graph.output_slots[i]] == 1)
            heads.append(Head(loss, float(weight), layer, fused))
        if all(h is None for h in heads):
            raise ConfigError("compile: no output has a loss")
        self._heads = heads
        graph.set_fused([h is not None and h.fused for h in heads])
        self.loss = self._losses[0] if len(self._losses) == 1 else list(self._losses)

    def _resolve_metrics(self) -> None:
        """Stateful metrics (``(output index, log name, Metric, weighted)``), the log names."""
        if self._graph is None or (not self.compiled and self._loss_specs is None):
            return
        if not self._heads:
            self._resolve_heads()
        names = self.output_names
        specs = [_per_output(value, names, what, broadcast=False) if value is not None
                 else [None] * len(names) for value, what in
                 ((self._metric_specs, "metrics"), (self._weighted_metric_specs,
                                                    "weighted_metrics"))]
        log_names = ["loss"]
        if len(names) > 1:
            log_names += [f"{n}_loss" for n, h in zip(names, self._heads, strict=True) if h]
        fns = training_metrics.compiled_metrics(*specs, names, self._heads, self._output_shapes)
        log_names += [name for _, name, _, _ in fns]
        self._metric_fns, self._log_names = fns, log_names

    @property
    def metrics_names(self) -> list[str]:
        """'loss', each output's loss (several outputs), then the metrics: evaluate's order."""
        return list(self._log_names)

    def _require_compiled(self, action: str) -> None:
        if not self.compiled or self._loss_specs is None:
            raise NotCompiledError(
                f"model {self.name!r} must be compiled before {action}: call "
                "model.compile(optimizer='adam', loss='mse') (or the loss you need) first"
            )

    @property
    def fused_output(self) -> bool:
        """True when the (first) output's activation folds into its loss's gradient."""
        return bool(self._heads and self._heads[0] is not None and self._heads[0].fused)

    # -- building and buffers --------------------------------------------------------------
    def _ensure_built_for(self, xs: list, prefix: str = "") -> None:
        """Build (trace) from the data's shapes if needed, then (re)resolve the losses."""
        shapes = [a.shape[1:] for a in xs]
        if self._graph is None:
            self.build(shapes[0] if len(shapes) == 1 else shapes)
        else:
            from ..errors import ShapeError

            try:
                self.check_input_shape(shapes[0] if len(shapes) == 1 else shapes)
            except ShapeError as exc:
                raise ShapeError(f"argument {prefix}x: {exc}") from None
        if self.compiled and not self._heads:
            self._resolve_heads()
            self._resolve_metrics()

    def _prepare_optimizer(self) -> None:
        """Point the optimizer at the current trainable buffer (its state follows the layout)."""
        storage = self._claim()
        self._penalty_lists = None  # regularizers and constraints: found again for this fit
        if self._optimizer_for is not storage:
            self.optimizer.build(storage.params, storage.param_segments)
            self._optimizer_for = storage

    @property
    def _train_params(self) -> np.ndarray:
        return self._storage_.params

    @property
    def _train_grads(self) -> np.ndarray:
        return self._storage_.grads

    def _leaf_layers(self) -> list:
        """Every layer that computes (no InputLayer), nested models opened up, in order."""
        from ..layers import InputLayer

        found = []
        for layer in self.layers:
            if hasattr(layer, "_leaf_layers"):
                found += layer._leaf_layers()
            elif not isinstance(layer, InputLayer):
                found.append(layer)
        return found

    def _pack_outputs(self, outs: list):
        if len(outs) == 1:
            return outs[0]
        if isinstance(self._output_structure, tuple):
            return dict(zip(self._output_structure, outs, strict=True))
        return list(outs)

    # -- the loops -------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1,
            verbose="auto", callbacks=None, validation_split: float = 0.0,
            validation_data=None, shuffle: bool = True, class_weight=None, sample_weight=None,
            initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, seed=None):
        """Train; returns a :class:`~glassnet.callbacks.History` (Keras's arguments and order).

        ``batch_size`` is 32 when not given (or None), as in Keras; ``batch_size=len(x)`` is
        full-batch gradient descent, ``1`` stochastic, anything between mini-batch.
        """
        from .fit import fit

        return fit(self, x, y, epochs=epochs, batch_size=32 if batch_size is None else batch_size,
                   shuffle=shuffle, validation_data=validation_data,
                   validation_split=validation_split, callbacks=callbacks, verbose=verbose,
                   seed=seed, sample_weight=sample_weight, class_weight=class_weight,
                   initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
                   validation_freq=validation_freq, validation_batch_size=validation_batch_size,
                   validation_steps=validation_steps)

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None, return_dict: bool = False):
        """The loss, or [loss, *output losses, *metrics] (a dict if asked), as Keras's."""
        from ..callbacks import CallbackList
        from .fit import evaluate_source
        from .sources import is_source, source_epochs
        from .training import evaluate

        cbs = CallbackList(callbacks or [], self, {"verbose": verbose})
        cbs.on_test_begin({})
        if is_source(x):
            self._require_compiled("evaluate")
            source = source_epochs(x, y, sample_weight, steps, False, None)
            from .data import prepare

            prepare(self, *source.peek())  # builds the model, checks the first batch
            self._resolve_metrics()
            logs = evaluate_source(self, source, steps, cbs)
        else:
            logs = evaluate(self, x, y, batch_size=batch_size, sample_weight=sample_weight,
                            callbacks=cbs, steps=steps)
        cbs.on_test_end(dict(logs))
        if verbose == 1:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose="auto", steps=None,
                callbacks=None):
        """Outputs for ``x``, ``batch_size`` rows at a time (default up to 1024); a list or
        dict of arrays for several outputs."""
        from ..callbacks import CallbackList
        from .sources import is_source, predict_source
        from .training import predict

        cbs = CallbackList(callbacks or [], self, {"verbose": verbose})
        cbs.on_predict_begin({})
        if is_source(x):
            out = predict_source(self, x, steps, cbs)
        else:
            out = predict(self, x, batch_size=batch_size, callbacks=cbs, steps=steps)
        cbs.on_predict_end({})
        return out

    def _eager(self, x, training: bool):
        """``model(x)``: the outputs for an array (dropout on with ``training=True``)."""
        if not training:
            from .training import predict

            return predict(self, x)
        from .data import input_arrays

        xs = input_arrays(self, x, finite=False)
        self._ensure_built_for(xs)
        outs = self._graph.forward([a.astype(self.dtype, copy=False) for a in xs], True)
        return self._pack_outputs([o.copy() for o in outs])

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict: bool = False):
        """One optimizer step on this batch; returns the loss and metrics on it (before the
        step, as Keras reports them)."""
        from .data import prepare
        from .fit import _check_finite_weights
        from .training import Diverged, LogSums, grad_buffers, train_step

        self._require_compiled("train_on_batch")
        batch = prepare(self, x, y, sample_weight, class_weight)
        self._claim()
        _check_finite_weights(self)
        self._resolve_metrics()
        self._prepare_optimizer()
        sums = LogSums(self)
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                total, values, outs = train_step(self, batch, grad_buffers(self, len(batch)))
            except Diverged as diverged:
                from ..errors import TrainingDivergedError

                raise TrainingDivergedError(
                    f"train_on_batch: the loss became {diverged.args[0]} (or a gradient was not "
                    "finite); the step was not applied. Try a smaller learning rate.") from None
        sums.add(total, values, batch.ys, outs, len(batch), batch.w)
        return _result(sums.logs(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """The loss and metrics on this batch, without training."""
        from .data import prepare
        from .training import evaluate_batch

        self._require_compiled("test_on_batch")
        batch = prepare(self, x, y, sample_weight)
        self._resolve_metrics()
        return _result(evaluate_batch(self, batch, len(batch)), return_dict)

    def predict_on_batch(self, x):
        """The outputs for this one batch."""
        from .training import predict

        return predict(self, x, batch_size=None)


def _result(logs: dict, return_dict: bool):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _loss_weight(value, name: str) -> float:
    import math
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"compile: loss_weights for output {name!r} must be a finite number, "
                          f"got {value!r}")
    return float(value)
