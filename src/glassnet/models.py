"""Models: ``Sequential`` and functional chains, with Keras's compile / fit / evaluate / predict.

A model owns ONE flat parameter array (``model.params``) and one flat gradient array
(``model.grads``) of the same layout; every layer's kernel and bias are reshaped views into
them. The training loops live in :mod:`glassnet._training`.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense, Input
>>> x = Input((2,))
>>> model = glassnet.Model(x, Dense(1, activation="sigmoid")(Dense(2, activation="sigmoid")(x)))
>>> model.count_params(), model.params.shape
(9, (9,))
>>> [w.shape for w in model.get_weights()]
[(2, 2), (2,), (2, 1), (1,)]
"""

from __future__ import annotations

import math

import numpy as np

from . import _training, losses, optimizers
from . import layers as layers_module
from ._checks import within_range
from .errors import ConfigError, GlassnetError, NotCompiledError, ShapeError
from .layers import Layer, SymbolicTensor
from .metrics import training as training_metrics
from .utils import global_generator

__all__ = ["Model", "Sequential", "load_model"]

_DTYPES = ("float32", "float64")


def _check_dtype(dtype) -> np.dtype:
    try:
        name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    except (TypeError, ValueError):
        name = None
    if name not in _DTYPES:
        raise ConfigError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return np.dtype(name)


def _single(tensors, what: str) -> SymbolicTensor:
    if isinstance(tensors, (list, tuple)):
        if len(tensors) != 1:
            raise ConfigError(
                f"Model: {len(tensors)} {what} given; graphs with several inputs, outputs or "
                "branches are not supported yet: build a single chain of layers"
            )
        tensors = tensors[0]
    if not isinstance(tensors, SymbolicTensor):
        raise ConfigError(f"Model: {what} must come from glassnet.Input(...), got {tensors!r}")
    return tensors


def _trace_chain(inputs, outputs) -> list[Layer]:
    """The layers from ``inputs`` to ``outputs``, in order; a chain is required."""
    start, tensor = _single(inputs, "inputs"), _single(outputs, "outputs")
    chain = []
    while tensor is not start:
        if tensor.layer is None:
            raise ConfigError("Model: the outputs are not computed from the given inputs")
        chain.append(tensor.layer)
        tensor = tensor.parent
    chain.reverse()
    if len({id(layer) for layer in chain}) != len(chain):
        raise ConfigError("Model: a layer is used twice; shared layers are not supported yet")
    return chain


class Model:
    """A chain of layers trained as one. ``Model(inputs, outputs)`` builds it functionally.

    Parameters
    ----------
    inputs, outputs : SymbolicTensor
        From ``glassnet.Input(shape)`` and the layers called on it.
    name : str, optional
    dtype : 'float32' (default) or 'float64'
    """

    def __init__(self, inputs=None, outputs=None, name: str | None = None, dtype="float32"):
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{type(self).__name__}: name must be a str, got {name!r}")
        self.name = name or layers_module._auto_name(type(self).__name__.lower())
        self.dtype = _check_dtype(dtype)
        self.layers: list[Layer] = []
        self.params: np.ndarray | None = None
        self.grads: np.ndarray | None = None
        self.input_shape: tuple | None = None
        self.output_shape: tuple | None = None
        self.optimizer = self.loss = None
        self.metrics_names: list[str] = []
        self._metric_fns: list = []
        self.history = None
        self.stop_training = False
        if inputs is not None or outputs is not None:
            self.layers = _trace_chain(inputs, outputs)
            self.build(_single(inputs, "inputs").shape[1:])

    # -- structure -------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return self.params is not None

    def infer_output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for inputs of ``input_shape``, checked layer by layer; no changes."""
        shape = tuple(input_shape)
        if self.input_shape is not None and shape != self.input_shape:
            first = self.layers[0] if self.layers else None
            where = f"layer {first.name!r} ({type(first).__name__})" if first else "the model"
            raise ShapeError(
                f"{where} expects input of shape {_fmt(self.input_shape)} but got {_fmt(shape)}"
            )
        for layer in self.layers:
            layer.check_input_shape(shape)
            shape = layer.compute_output_shape(shape)
        return shape

    def build(self, input_shape) -> None:
        """Fix shapes and allocate the flat buffers; existing weights keep their values."""
        if not self.layers:
            raise ConfigError(f"model {self.name!r} has no layers; add some before using it")
        shape = tuple(int(d) for d in input_shape)
        self.infer_output_shape(shape)
        specs = []
        for layer in self.layers:
            shape = layer.build(shape) if not layer.built else layer.output_shape
            specs.append(layer.param_specs())
        total = sum(math.prod(s) for layer_specs in specs for _, s, _ in layer_specs)
        params, grads = np.empty(total, self.dtype), np.zeros(total, self.dtype)
        offset, rng = 0, global_generator()
        for layer, layer_specs in zip(self.layers, specs, strict=True):
            views, grad_views = {}, {}
            for pname, pshape, _ in layer_specs:
                size = math.prod(pshape)
                views[pname] = params[offset:offset + size].reshape(pshape)
                grad_views[pname] = grads[offset:offset + size].reshape(pshape)
                offset += size
            layer.bind(views, grad_views, rng)
        self.params, self.grads = params, grads
        self.input_shape, self.output_shape = tuple(int(d) for d in input_shape), shape
        self._mark_gradient_path()

    def _mark_gradient_path(self) -> None:
        """Layers below the first one with parameters need no input gradient; skip them."""
        self._first_trainable = next(
            (i for i, layer in enumerate(self.layers) if layer.param_specs()), len(self.layers)
        )
        for i, layer in enumerate(self.layers):
            layer.needs_input_grad = i > self._first_trainable
        self._backward_chain = self.layers[self._first_trainable:-1][::-1]

    def _ensure_built(self, input_shape) -> None:
        if not self.built:
            self.build(input_shape)

    def count_params(self) -> int:
        if not self.built:
            raise ConfigError(f"model {self.name!r} is not built yet: call it on data first")
        return int(self.params.size)

    # -- weights ---------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter in Keras's order: [W1, b1, W2, b2, ...]."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights) -> None:
        """Set every parameter from a list like ``get_weights()``; all checked before any set."""
        if not self.built:
            raise ConfigError(f"model {self.name!r} is not built yet; build it before set_weights")
        targets = [(layer, n) for layer in self.layers for n, _, _ in layer.param_specs()]
        if not isinstance(weights, (list, tuple)):
            raise ConfigError(f"set_weights: needs a list of arrays like model.get_weights(), "
                              f"got {type(weights).__name__}")
        if len(weights) != len(targets):
            raise ShapeError(f"set_weights: model {self.name!r} has {len(targets)} weight "
                             f"arrays, got {len(weights)}")
        try:
            arrays = [np.asarray(w) for w in weights]
        except (ValueError, TypeError) as exc:
            raise ShapeError(f"set_weights: an entry cannot be read as an array ({exc})") from None
        for (layer, pname), array in zip(targets, arrays, strict=True):
            expected = layer.weights[pname].shape
            if array.shape != expected:
                raise ShapeError(f"set_weights: layer {layer.name!r} {pname} needs shape "
                                 f"{expected}, got {array.shape}")
            if array.dtype.kind not in "biuf" or not np.isfinite(array).all():
                raise ShapeError(f"set_weights: layer {layer.name!r} {pname} must hold finite "
                                 "real numbers")
            within_range(array, f"set_weights (layer {layer.name!r} {pname})", self.dtype)
        for (layer, pname), array in zip(targets, arrays, strict=True):
            layer.weights[pname][...] = array

    # -- training configuration ------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None) -> None:
        """Choose the optimizer, the loss and the metrics reported during training."""
        optimizer = optimizers.get(optimizer)
        loss = None if loss is None else losses.get(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            metrics = [metrics]
        self._resolve(list(metrics or []), loss)  # every check before anything changes
        self.optimizer, self.loss = optimizer, loss
        self._metric_specs = list(metrics or [])
        self._resolve_metrics()

    def _resolve(self, specs, loss) -> list:
        n_out = self.output_shape[-1] if self.output_shape else 1
        return [training_metrics.resolve(m, loss.name if loss else "", n_out) for m in specs]

    def _resolve_metrics(self) -> None:
        resolved = self._resolve(self._metric_specs, self.loss)
        self.metrics_names = [name for name, _ in resolved]
        self._metric_fns = [fn for _, fn in resolved]

    def _require_compiled(self, action: str) -> None:
        if self.loss is None:
            raise NotCompiledError(
                f"model {self.name!r} must be compiled before {action}: call "
                "model.compile(optimizer='adam', loss='mse') (or the loss you need) first"
            )

    @property
    def fused_output(self) -> bool:
        """True when the last activation folds into the loss's gradient (softmax/sigmoid + CE)."""
        last = self.layers[-1].output_activation if self.layers else None
        return (self.loss is not None and not self.loss.from_logits and last is not None
                and self.loss.paired_activation == last.name)

    # -- the loops -------------------------------------------------------------------------
    def fit(self, x=None, y=None, epochs: int = 1, batch_size: int | None = 32,
            shuffle: bool = True, validation_data=None, validation_split: float = 0.0,
            callbacks=None, verbose: int = 1, seed=None, sample_weight=None,
            class_weight=None, initial_epoch: int = 0):
        """Train; returns a :class:`~glassnet.callbacks.History`.

        ``batch_size=None`` (or at least the number of samples) is full-batch gradient
        descent, ``1`` is stochastic, anything between is mini-batch.
        """
        return _training.fit(self, x, y, epochs=epochs, batch_size=batch_size,
                             shuffle=shuffle, validation_data=validation_data,
                             validation_split=validation_split, callbacks=callbacks,
                             verbose=verbose, seed=seed, sample_weight=sample_weight,
                             class_weight=class_weight, initial_epoch=initial_epoch)

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose: int = 0,
                 sample_weight=None, return_dict: bool = False):
        """The loss, or [loss, *metrics] when metrics were compiled (a dict if asked)."""
        logs = _training.evaluate(self, x, y, batch_size=batch_size, sample_weight=sample_weight)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """Outputs for ``x``, computed ``batch_size`` rows at a time (default up to 1024)."""
        return _training.predict(self, x, batch_size=batch_size)

    def __call__(self, x, training: bool = False) -> np.ndarray:
        return self.predict(x)

    # -- description -----------------------------------------------------------------------
    def summary(self, print_fn=print) -> None:
        """Print each layer's output shape and parameter count, and the totals."""
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 _fmt(layer.output_shape) if layer.output_shape else "?",
                 f"{layer.count_params() if layer.built else 0:,}") for layer in self.layers]
        widths = [max([len(h), *(len(r[i]) for r in rows)]) + 2
                  for i, h in enumerate(("Layer (type)", "Output Shape", "Param #"))]
        line = "".join(h.ljust(w) for h, w in
                       zip(("Layer (type)", "Output Shape", "Param #"), widths, strict=True))
        total = self.count_params() if self.built else 0
        print_fn(f'Model: "{self.name}"')
        print_fn("=" * len(line))
        print_fn(line)
        print_fn("=" * len(line))
        for row in rows:
            print_fn("".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        print_fn("=" * len(line))
        print_fn(f"Total params: {total:,} ({total * self.dtype.itemsize:,} bytes)")
        print_fn(f"Trainable params: {total:,}")
        print_fn("Non-trainable params: 0")

    def save(self, path, include_optimizer: bool = True) -> None:
        """Write the model to one ``.safetensors`` file; see :func:`glassnet.io.save_model`."""
        from . import io

        io.save_model(self, path, include_optimizer=include_optimizer)

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype.name,
            "input_shape": list(self.input_shape) if self.input_shape else None,
            "layers": [layers_module.serialize(layer) for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config: dict) -> Model:
        """Rebuild the architecture (fresh weights) from ``get_config()``."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), (list, tuple)):
            raise ConfigError(f"{cls.__name__}.from_config: needs a dict like model.get_config(), "
                              f"with a 'layers' list; got {config!r:.200}")
        model = Sequential([layers_module.get(c) for c in config["layers"]],
                           name=config.get("name"), dtype=config.get("dtype", "float32"))
        if config.get("input_shape") and not model.built:
            model.build(tuple(config["input_shape"]))
        return model

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} layers={len(self.layers)}>"

    def _repr_html_(self) -> str:
        from ._display import html_table, model_rows

        return html_table(*model_rows(self))

    def explain(self, x, y, **options):
        """One training step traced by hand: see :func:`glassnet.explain.explain`."""
        from .explain import explain

        return explain(self, x, y, **options)


def _fmt(shape) -> str:
    return "(None, " + ", ".join(str(d) for d in shape) + ")"


def load_model(path, compile: bool = True) -> Model:
    """Read a model saved by :meth:`Model.save`; see :func:`glassnet.io.load_model`."""
    from . import io

    return io.load_model(path, compile=compile)


class Sequential(Model):
    """A plain stack of layers: ``Sequential([Dense(4, input_shape=(2,)), Dense(1)])``.

    The first element may be ``glassnet.Input(shape)``; otherwise the first layer's
    ``input_shape``, or the first data the model sees, fixes the input shape.
    """

    def __init__(self, layers=None, name: str | None = None, dtype="float32"):
        super().__init__(name=name, dtype=dtype)
        self._declared_input: tuple | None = None
        if isinstance(layers, (Layer, SymbolicTensor)):
            raise ConfigError(f"Sequential takes a list of layers, got one {type(layers).__name__}"
                              f"; wrap it in a list: Sequential([{type(layers).__name__}(...)])")
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise ConfigError(f"Sequential takes a list of layers, got {type(layers).__name__}")
        for layer in layers or []:
            self.add(layer)

    def add(self, layer) -> None:
        """Append a layer (or, first, an ``Input``); a built model is rebuilt around it."""
        if isinstance(layer, SymbolicTensor) and layer.layer is None:
            if self.layers or self._declared_input:
                raise ConfigError("Sequential: an Input can only come first")
            self._declared_input = layer.shape[1:]
            return
        if not isinstance(layer, Layer):
            raise ConfigError(f"Sequential.add takes a glassnet layer, got {layer!r}")
        if any(existing is layer for existing in self.layers):
            raise ConfigError(f"Sequential: layer {layer.name!r} is already in this model")
        declared = self._declared_input
        if not self.layers and layer.declared_input_shape is not None:
            self._declared_input = layer.declared_input_shape
        self.layers.append(layer)
        input_shape = self.input_shape or self._declared_input
        if input_shape is None:
            return
        try:
            self.build(input_shape)
        except GlassnetError:  # a layer that does not fit leaves the model as it was
            self.layers.pop()
            self._declared_input = declared
            raise
        if self.loss is not None:
            self._resolve_metrics()
