"""The ``Layer`` base class: Keras's layer contract with an explicit backward.

A layer's life, as in Keras: ``build(input_shape)`` learns the input shape (a list of shapes
for a layer of several inputs) and declares its weights (``param_specs`` for trainable ones,
``state_specs`` for non-trainable state such as moving statistics). A model binds them to views
of its flat buffers; a layer used on its own gets buffers of its own. ``forward(x, training)``
returns the output and keeps what ``backward(grad)`` needs; ``backward`` writes the layer's
parameter gradients into ``layer.grads`` and returns dL/d(input) (a list for several inputs).

Calling a layer on ``glassnet.Input(...)`` tensors records a node of a graph (the functional
API); calling it on arrays runs it at once (``Dense(3)(np.ones((2, 4)))``).

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Dense
>>> layer = Dense(3, kernel_initializer="ones", name="d")
>>> layer(np.ones((2, 4))).tolist()
[[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
>>> layer.trainable = False
>>> len(layer.trainable_weights), len(layer.non_trainable_weights)
(0, 2)
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from collections import defaultdict

import numpy as np

from .. import initializers, regularizers
from .._checks import boolean, numeric_array
from ..errors import ConfigError, ShapeError
from .storage import FlatStorage
from .symbolic import Node, SymbolicTensor, flatten_structure, is_symbolic, pack_structure
from .variable import Variable, check_assignable

__all__ = ["Layer", "auto_name", "format_shape", "shape_tuple"]

_name_counters: dict[str, itertools.count] = defaultdict(itertools.count)
_BASE_KWARGS = ("name", "input_shape", "input_dim", "batch_input_shape", "trainable", "dtype",
                "activity_regularizer")


def auto_name(prefix: str) -> str:
    """'dense', then 'dense_1', 'dense_2', ... (Keras's unique names)."""
    i = next(_name_counters[prefix])
    return prefix if i == 0 else f"{prefix}_{i}"


def snake_case(name: str) -> str:
    """Keras's snake case of a class name, for auto names ('ReLU' -> 're_lu', 'ELU' -> 'elu')."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def shape_tuple(value, what: str) -> tuple[int, ...]:
    """A shape of positive integers from an int, tuple or list; a clear error otherwise."""
    dims = (value,) if isinstance(value, (int, np.integer)) else value
    if not isinstance(dims, (tuple, list)) or not dims or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ConfigError(f"{what} must be a tuple of positive integers, got {value!r}")
    return tuple(int(d) for d in dims)


def format_shape(shape) -> str:
    """'(None, 3)' for (3,); a list of shapes for several inputs."""
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(None, " + ", ".join(str(d) for d in shape) + ")"


class Layer:
    """Base class. Subclasses implement ``forward`` and ``backward``, and where needed
    ``compute_output_shape``, ``param_specs`` / ``state_specs`` and ``get_config``.

    ``cache_attrs`` names the attributes ``forward`` sets for ``backward``: a layer called
    more than once in a graph (a shared layer) keeps one copy of them per call.
    """

    output_activation = None
    activity_regularizer = None
    cache_attrs: tuple[str, ...] = ()
    multiple_inputs = False

    def __init_subclass__(cls, **kwargs):
        """A user's subclass with ``call()`` but no ``forward``: trained through the ops
        tape (:mod:`glassnet.layers.custom` takes the place of ``Layer`` among its bases)."""
        super().__init_subclass__(**kwargs)
        if Layer in cls.__bases__ and callable(getattr(cls, "call", None)) and \
                cls.forward is Layer.forward:
            from .custom import CustomLayer

            cls.__bases__ = tuple(CustomLayer if b is Layer else b for b in cls.__bases__)

    def __init__(self, **kwargs):
        unknown = sorted(set(kwargs) - set(_BASE_KWARGS))
        if unknown:
            raise ConfigError(f"{type(self).__name__}: unknown keyword argument(s) "
                              f"{', '.join(unknown)}; layers take {', '.join(_BASE_KWARGS)}")
        name = kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{type(self).__name__}: name must be a str, got {name!r}")
        self.name = name or auto_name(snake_case(type(self).__name__))
        self._trainable = boolean(kwargs.get("trainable", True), f"layer {self.name!r}: trainable")
        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        self.dtype = _layer_dtype(kwargs.get("dtype"), self.name)
        declared = kwargs.get("input_shape")
        if kwargs.get("input_dim") is not None:
            declared = (kwargs["input_dim"],)
        if kwargs.get("batch_input_shape") is not None:
            declared = tuple(kwargs["batch_input_shape"])[1:]
        self.declared_input_shape = (None if declared is None
                                     else shape_tuple(declared, "input_shape"))
        self.input_shape = self.declared_input_shape
        self.output_shape = None
        self.built = False
        self.arrays: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.needs_input_grad = True
        self._storage: FlatStorage | None = None
        self._workspace: dict[str, np.ndarray] = {}
        self._inbound_nodes: list[Node] = []

    # -- trainable -------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        """False freezes the layer: ``fit`` leaves its weights unchanged."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = boolean(value, f"layer {self.name!r}: trainable")

    # -- shapes ----------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def check_input_shape(self, input_shape) -> None:
        """Raise if ``input_shape`` differs from the one this layer was built or declared with."""
        expected = self.input_shape
        if expected is not None and _as_shapes(input_shape) != expected:
            raise ShapeError(
                f"layer {self.name!r} ({type(self).__name__}) expects input of shape "
                f"{format_shape(expected)} but got {format_shape(_as_shapes(input_shape))}"
            )

    def build(self, input_shape):
        """Fix the input shape; return the output shape."""
        shape = _as_shapes(input_shape)
        if isinstance(shape, list) != self.multiple_inputs:
            many = "a list of tensors" if self.multiple_inputs else "one tensor"
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) takes {many}, got "
                             f"{format_shape(shape)}")
        self.check_input_shape(shape)
        self.output_shape = self.compute_output_shape(shape)
        self.input_shape = shape
        self.built = True
        return self.output_shape

    # -- weights ---------------------------------------------------------------------------
    def param_specs(self) -> list[tuple[str, tuple, initializers.Initializer]]:
        """(name, shape, initializer) of each trainable parameter, in Keras's order."""
        return []

    def state_specs(self) -> list[tuple[str, tuple, initializers.Initializer]]:
        """(name, shape, initializer) of each non-trainable state array (moving statistics)."""
        return []

    def count_params(self) -> int:
        self._require_built("count_params")
        return sum(math.prod(s) for _, s, _ in [*self.param_specs(), *self.state_specs()])

    def bind(self, arrays: dict, grads: dict, rng) -> None:
        """Adopt views of a model's buffers; keep earlier values, or initialise new ones."""
        for name, shape, init in [*self.param_specs(), *self.state_specs()]:
            old = self.arrays.get(name)
            view = arrays[name]
            view[...] = old if old is not None else init(shape, view.dtype, rng)
        self.arrays, self.grads = arrays, grads

    def _ensure_weights(self, dtype=None) -> None:
        """Give a built layer arrays of its own if no model has bound it yet."""
        if self._storage is None and (self.param_specs() or self.state_specs()):
            FlatStorage([self], np.dtype(dtype or self.dtype))

    def __getattr__(self, name: str):
        """A weight by its Keras name (``bn.moving_mean``, ``prelu.alpha``, ``emb.embeddings``):
        a view of ``arrays``, as ``Dense.kernel`` is. Only names of this layer's weights."""
        state = self.__dict__
        if name.startswith("_") or not state.get("built") or state.get("_finding_weight"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        state["_finding_weight"] = True
        try:
            self._ensure_weights()
            arrays = state.get("arrays") or {}
        finally:
            del state["_finding_weight"]
        if name in arrays:
            return arrays[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def weights(self) -> list[Variable]:
        """Every weight as a Variable: trainable ones first (Keras's order)."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self) -> list[Variable]:
        return [Variable(self, n, True) for n, _, _ in self._materialized_specs(True)
                ] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        frozen = [] if self.trainable else [Variable(self, n, True)
                                            for n, _, _ in self._materialized_specs(True)]
        return frozen + [Variable(self, n, False) for n, _, _ in self._materialized_specs(False)]

    @property
    def variables(self) -> list[Variable]:
        """Keras's name for every weight of the layer."""
        return self.weights

    def _materialized_specs(self, trainable: bool) -> list:
        if not self.built:
            return []
        self._ensure_weights()
        return self.param_specs() if trainable else self.state_specs()

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights, in the order of ``weights``."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Set every weight from a list like ``get_weights()``; all checked before any set."""
        targets = self.weights
        if not isinstance(weights, (list, tuple)) or len(weights) != len(targets):
            got = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ShapeError(f"set_weights: layer {self.name!r} has {len(targets)} weight arrays, "
                             f"got {got}")
        check_assignable(targets, weights)
        for variable, value in zip(targets, weights, strict=True):
            variable.value[...] = value

    # -- regularizers and constraints (Keras's <weight>_regularizer, <weight>_constraint) ---
    @property
    def losses(self) -> list[float]:
        """Keras's ``layer.losses``: the penalties of this layer's weight regularizers at the
        current weights (user layers add what their ``call`` passed to ``add_loss``)."""
        return [float(regularizer(self.arrays[name]))
                for name, _, _ in self._materialized_specs(True)
                if (regularizer := self._regularizer_for(name)) is not None]

    def _regularizer_for(self, name: str):
        """The regularizer of weight ``name``: the layer's ``<name>_regularizer``, if any."""
        return getattr(self, f"{name}_regularizer", None)

    def _constraint_for(self, name: str):
        """The constraint of weight ``name``: the layer's ``<name>_constraint``, if any."""
        return getattr(self, f"{name}_constraint", None)

    def _activity_penalty(self, out) -> float:
        """The activity regularizer's penalty on this call's output, over the batch size."""
        return self.activity_regularizer(out) / len(out) if len(out) else 0.0

    def _activity_backward(self, grad, out, fused: bool):
        """``grad`` plus the penalty's gradient (taken through the activation when ``grad`` is
        dL/d(pre-activation), a head fused with its loss)."""
        extra = self.activity_regularizer.gradient(out).astype(out.dtype, copy=False)
        extra /= len(out)
        if fused:
            extra = self.output_activation.backward(extra, self.net, out, np.empty_like(extra))
        return grad + extra

    # -- workspaces ------------------------------------------------------------------------
    def _buffer(self, key: str, n: int, tail: tuple, dtype) -> np.ndarray:
        """A reusable (n, *tail) array; grows when a larger batch arrives."""
        buf = self._workspace.get(key)
        if buf is None or buf.shape[0] < n or buf.dtype != dtype:
            buf = self._workspace[key] = np.empty((n, *tail), dtype=dtype)
        return buf[:n]

    # -- one call's state (a layer called more than once in a graph) -----------------------
    def _save_call_state(self):
        return self._workspace, {k: getattr(self, k, None) for k in self.cache_attrs}

    def _load_call_state(self, state) -> None:
        self._workspace, cache = state
        for key, value in cache.items():
            setattr(self, key, value)

    def _fresh_call_state(self) -> None:
        self._workspace = {}

    # -- computation -----------------------------------------------------------------------
    def forward(self, x, training: bool = False):
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def backward(self, grad, preactivation_grad: bool = False):
        raise NotImplementedError(f"{type(self).__name__} must implement backward")

    def __call__(self, inputs, training=None, **kwargs):
        if kwargs:
            raise ConfigError(f"layer {self.name!r}: unknown call argument(s) "
                              f"{', '.join(sorted(kwargs))}; layers are called as layer(x) or "
                              "layer(x, training=True)")
        flat, structure = flatten_structure(inputs)
        symbolic = [is_symbolic(t) for t in flat]
        if flat and all(symbolic):
            return self._call_symbolic(flat, structure)
        if any(symbolic):
            raise ConfigError(f"layer {self.name!r} was called on a mix of symbolic tensors "
                              "(from glassnet.Input) and arrays; use one or the other")
        tape = sys.modules.get("glassnet.ops.tensor")  # inside a custom layer's call()
        custom = sys.modules.get("glassnet.layers.custom")
        if tape is not None and ((custom is not None and custom._ACTIVE)
                                 or any(isinstance(t, tape.Tensor) for t in flat)):
            from .custom import call_on_tensors

            return call_on_tensors(self, flat, structure, training)
        return self._call_eager(flat, structure, training)

    def _shape_argument(self, shapes: list, structure):
        return shapes[0] if structure == "single" else list(shapes)

    def _call_symbolic(self, flat, structure):
        shape = self._shape_argument([t.shape[1:] for t in flat], structure)
        if not self.built:
            self.build(shape)
        else:
            self.check_input_shape(shape)
        outputs = self._symbolic_outputs(self.compute_output_shape(_as_shapes(shape)),
                                         flat[0].dtype)
        Node(self, list(flat), outputs, structure)
        return outputs[0] if len(outputs) == 1 else outputs

    def _symbolic_outputs(self, output_shape, dtype) -> list[SymbolicTensor]:
        return [SymbolicTensor(output_shape, dtype, self.name)]

    def _call_eager(self, flat, structure, training):
        arrays = [numeric_array(a, f"layer {self.name!r} input", finite=False) for a in flat]
        if any(a.ndim < 2 for a in arrays):
            raise ShapeError(f"layer {self.name!r}: inputs need a batch axis, shape (samples, "
                             f"features...); got {[a.shape for a in arrays]}")
        shape = self._shape_argument([a.shape[1:] for a in arrays], structure)
        if not self.built:
            self.build(shape)
        else:
            self.check_input_shape(shape)
        self._ensure_weights()
        dtype = self._storage.dtype if self._storage is not None else np.dtype(self.dtype)
        arrays = [a.astype(dtype, copy=False) for a in arrays]
        out = self.forward(pack_structure(arrays, structure) if structure != "single"
                           else arrays[0], bool(training))
        return [o.copy() for o in out] if isinstance(out, list) else np.array(out, copy=True)

    # -- where the layer sits in a graph ---------------------------------------------------
    def _first_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise ConfigError(f"layer {self.name!r} has never been called on a symbolic tensor, "
                              f"so it has no {what}; call it on glassnet.Input(...) first")
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The tensor(s) the layer's first call took (Keras's ``layer.input``)."""
        node = self._first_node("input")
        return pack_structure(node.inputs, node.structure)

    @property
    def output(self):
        """The tensor(s) the first call gave (feature extraction: ``Model(x, h.output)``)."""
        node = self._first_node("output")
        return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)

    def _require_built(self, action: str) -> None:
        if not self.built:
            raise ConfigError(f"layer {self.name!r} is not built yet, so {action} cannot tell; "
                              "call it on data or on glassnet.Input(...) first")

    # -- configuration ---------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable}
        if self.dtype != "float32":
            config["dtype"] = self.dtype
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _as_shapes(shape):
    """A shape as a tuple, or several as a list of tuples."""
    if isinstance(shape, list) or (isinstance(shape, tuple) and shape
                                   and isinstance(shape[0], (tuple, list))):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _layer_dtype(dtype, name: str) -> str:
    if dtype is None:
        return "float32"
    if isinstance(dtype, dict):  # Keras's DTypePolicy config
        dtype = dtype.get("config", {}).get("name", dtype)
    try:
        resolved = np.dtype(dtype).name
    except (TypeError, ValueError):
        resolved = None
    if resolved not in ("float32", "float64"):
        raise ConfigError(f"layer {name!r}: dtype must be 'float32' or 'float64', got {dtype!r}")
    return resolved

