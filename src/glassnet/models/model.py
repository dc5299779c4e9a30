"""``Model``: a graph of layers trained as one, with Keras's compile / fit / evaluate / predict.

Three ways to make one, as in Keras: functionally, ``Model(inputs, outputs)`` from
``glassnet.Input`` tensors and the layers called on them (several inputs and outputs, lists or
dicts, merges, shared layers, models called as layers); as a ``Sequential`` stack; or by
subclassing ``Model`` and writing ``call()``, which is traced on symbolic inputs the first
time the model sees data.

A model is itself a layer: calling it on a tensor nests it in a bigger graph, calling it on an
array runs it. It keeps its weights in flat buffers (:mod:`glassnet.layers.storage`):
``model.params`` (trainable), ``model.grads`` (same layout) and ``model.state``. The loops
live in :mod:`glassnet.models.training`.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense, Input, concatenate
>>> wide, deep = Input((3,), name="wide"), Input((2,), name="deep")
>>> hidden = Dense(4, activation="relu", name="h")(deep)
>>> out = Dense(1, name="out")(concatenate([wide, hidden], name="joined"))
>>> model = glassnet.Model([wide, deep], out)
>>> model.count_params(), [layer.name for layer in model.layers][2:]
(20, ['h', 'joined', 'out'])
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import layers as layers_module
from ..errors import ConfigError, ShapeError
from ..layers import InputLayer, Layer
from ..layers.layer import auto_name, snake_case
from ..layers.storage import FlatStorage
from ..layers.symbolic import SymbolicTensor, flatten_structure, pack_structure
from ..layers.variable import check_assignable
from .graph import Graph, _topological_nodes, drop_node
from .training_api import TrainingAPI

__all__ = ["Model"]

_DTYPES = ("float32", "float64")


def check_dtype(dtype) -> np.dtype:
    try:
        name = np.dtype(dtype).name
    except (TypeError, ValueError):
        name = None
    if name not in _DTYPES:
        raise ConfigError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return np.dtype(name)


class Model(TrainingAPI, Layer):
    """A graph of layers trained as one. ``Model(inputs, outputs)`` builds it functionally.

    Parameters
    ----------
    inputs, outputs : SymbolicTensor, or a list or dict of them
        From ``glassnet.Input(shape)`` and the layers called on them.
    name : str, optional
    dtype : 'float32' or 'float64'; by default the inputs' dtype (float32).
    trainable : bool
    """

    def __init__(self, inputs=None, outputs=None, name: str | None = None, dtype=None,
                 trainable: bool = True, **kwargs):
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{type(self).__name__}: name must be a str, got {name!r}")
        default = "functional" if type(self) is Model else snake_case(type(self).__name__)
        Layer.__init__(self, name=name or auto_name(default), trainable=trainable, **kwargs)
        self._dtype = None if dtype is None else check_dtype(dtype)
        self._graph: Graph | None = None
        self._storage_ = None
        self._input_structure = self._output_structure = "single"
        self._init_training()
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ConfigError("Model: give both inputs and outputs, as Model(inputs, outputs)")
            self._init_graph(inputs, outputs)

    # -- the graph -------------------------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        flat_in, self._input_structure = flatten_structure(inputs)
        flat_out, self._output_structure = flatten_structure(outputs)
        for what, flat in (("inputs", flat_in), ("outputs", flat_out)):
            if not flat or not all(isinstance(t, SymbolicTensor) for t in flat):
                raise ConfigError(f"Model: {what} must be symbolic tensors from "
                                  f"glassnet.Input(...) and layers called on it, got {flat!r}")
        for what, flat in (("inputs", flat_in), ("outputs", flat_out)):
            if len({id(t) for t in flat}) != len(flat):
                hint = (" (an output wanted twice can go through layers.Activation('linear', "
                        "name=...) to get its own name)" if what == "outputs" else "")
                raise ConfigError(f"Model: the same tensor is given twice among the {what}; give "
                                  f"each once{hint}")
        self._graph = Graph(flat_in, flat_out)
        if self._dtype is None:
            self._dtype = check_dtype("float64" if any(t.dtype == "float64" for t in flat_in)
                                      else "float32")
        shapes = [t.shape[1:] for t in flat_in]
        self.input_shape = shapes[0] if len(shapes) == 1 else shapes
        out_shapes = [t.shape[1:] for t in flat_out]
        self.output_shape = out_shapes[0] if len(out_shapes) == 1 else out_shapes
        self.built = True
        self._allocate()

    @property
    def dtype(self) -> np.dtype:
        return self._dtype if self._dtype is not None else np.dtype("float32")

    @dtype.setter
    def dtype(self, value) -> None:  # Layer.__init__ sets it; a model keeps its own
        pass

    def build(self, input_shape) -> None:
        """Trace ``call()`` on symbolic inputs of ``input_shape`` (a subclassed model)."""
        if self._graph is not None:
            self.check_input_shape(input_shape)
            return
        arg, outputs = self._trace(input_shape, training=False)
        if "training" in inspect.signature(self.call).parameters:
            self._check_one_path(input_shape, arg, outputs)
        self._init_graph(arg, outputs)

    def _trace(self, input_shape, training):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        inputs = [layers_module.Input(tuple(s), dtype=self.dtype.name) for s in shapes]
        arg = inputs[0] if len(inputs) == 1 else inputs
        try:
            return arg, self.call(arg, training=training) if training else self.call(arg)
        except NotImplementedError:
            raise ConfigError(f"model {self.name!r} has no graph: build it as Model(inputs, "
                              "outputs), or subclass Model and define call()") from None

    def _check_one_path(self, input_shape, arg, outputs) -> None:
        """Trace ``call(training=True)`` too: one graph serves both only if they agree."""
        arg2, outputs2 = self._trace(input_shape, training=True)
        traces = [_topological_nodes(flatten_structure(i)[0], flatten_structure(o)[0])
                  for i, o in ((arg, outputs), (arg2, outputs2))]
        for node in traces[1]:
            drop_node(node)
        both = {id(n.layer) for n in traces[0]} & {id(n.layer) for n in traces[1]}

        def path(nodes):  # layers made inside call() (layers.add(...)) are new in each trace
            return [(type(n.layer), id(n.layer) if id(n.layer) in both else None) for n in nodes]

        if path(traces[0]) != path(traces[1]):
            for node in traces[0]:
                drop_node(node)
            raise ConfigError(
                f"model {self.name!r}: call() takes a different path with training=True than "
                "with training=False (an `if training:` in call()); glassnet traces one graph. "
                "Call the layers on both paths and pass training on, as in "
                "self.dropout(x, training=training): Dropout honours it")

    def call(self, inputs, training=None):
        """Subclasses compose their layers here; traced once on symbolic inputs."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        self._ensure_graph(input_shape)
        return self.output_shape

    def _ensure_graph(self, input_shape) -> None:
        if self._graph is None:
            self.build(input_shape)

    def check_input_shape(self, input_shape) -> None:
        if self._graph is None:
            return
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        expected = [t.shape[1:] for t in self._graph.inputs]
        if [tuple(s) for s in shapes] != expected:
            from ..layers.layer import format_shape

            first = next((s.layer for s in self._graph.steps), None)
            where = f"layer {first.name!r} ({type(first).__name__})" if first else "the model"
            exp = expected[0] if len(expected) == 1 else expected
            got = tuple(shapes[0]) if len(shapes) == 1 else [tuple(s) for s in shapes]
            raise ShapeError(f"{where} expects input of shape {format_shape(exp)} but got "
                             f"{format_shape(got)}")

    def _symbolic_outputs(self, output_shape, dtype):
        shapes = output_shape if isinstance(output_shape, list) else [output_shape]
        return [SymbolicTensor(s, dtype, self.name) for s in shapes]

    def _shape_argument(self, shapes, structure):
        return shapes[0] if len(shapes) == 1 else list(shapes)

    @property
    def serialized_class_name(self) -> str:
        """'Sequential', or 'Functional' (subclassed models save as their traced graph)."""
        return "Functional"

    @property
    def _output_shapes(self) -> list[tuple]:
        """One shape per output (``output_shape`` is a single tuple for one output)."""
        return [t.shape[1:] for t in self._graph.outputs]

    @property
    def multiple_inputs(self) -> bool:
        return self._graph is not None and len(self._graph.inputs) > 1

    # -- structure -------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The layers in graph order (a functional model's ``InputLayer`` s first, as Keras)."""
        return [] if self._graph is None else list(self._graph.layers)

    @property
    def inputs(self) -> list[SymbolicTensor]:
        return [] if self._graph is None else list(self._graph.inputs)

    @property
    def outputs(self) -> list[SymbolicTensor]:
        return [] if self._graph is None else list(self._graph.outputs)

    @property
    def input(self):
        """The model's input tensor(s), in the structure they were given (Keras's)."""
        if self._graph is None:
            raise ConfigError(f"model {self.name!r} is not built yet, so it has no input")
        return pack_structure(self._graph.inputs, self._input_structure)

    @property
    def output(self):
        """The model's output tensor(s), in the structure they were given (Keras's)."""
        if self._graph is None:
            raise ConfigError(f"model {self.name!r} is not built yet, so it has no output")
        return pack_structure(self._graph.outputs, self._output_structure)

    @property
    def input_names(self) -> list[str]:
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._output_structure, tuple):
            return list(self._output_structure)
        return [t.node.layer.name for t in self.outputs]

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by ``name`` or by ``index`` in ``layers`` (Keras's get_layer)."""
        if (name is None) == (index is None):
            raise ConfigError("get_layer: give exactly one of name= or index=")
        layers = self.layers
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int) or not (
                    -len(layers) <= index < len(layers)):
                raise ConfigError(f"get_layer: index {index!r} is out of range: model "
                                  f"{self.name!r} has {len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        names = ", ".join(repr(layer.name) for layer in layers)
        raise ConfigError(f"get_layer: no layer named {name!r} in model {self.name!r}; its "
                          f"layers are {names}")

    def _weighted_layers(self) -> list[Layer]:
        """Every layer with weights, nested models' layers included, each once."""
        found, seen = [], set()
        for layer in self.layers:
            inner = layer._weighted_layers() if isinstance(layer, Model) else [layer]
            for lay in inner:
                if id(lay) not in seen and (lay.param_specs() or lay.state_specs()):
                    seen.add(id(lay))
                    found.append(lay)
        return found

    # -- storage ---------------------------------------------------------------------------
    def _allocate(self) -> None:
        """Bind every weighted layer to this model's flat buffers (values kept)."""
        self._storage_ = FlatStorage(self._weighted_layers(), self.dtype)
        self._on_rebind()

    def _on_rebind(self) -> None:
        """The layout changed (a layer frozen or unfrozen): which steps run backward, too."""
        for layer in self.layers:
            if isinstance(layer, Model) and layer._graph is not None:
                layer._on_rebind()
        self._graph.invalidate_plan()

    def _claim(self) -> FlatStorage:
        """The model's storage, taking its layers back if another model trained them since."""
        if self._graph is None:
            raise ConfigError(f"model {self.name!r} is not built yet: call it on data first")
        if self._storage_ is None or not self._storage_.owns(self._weighted_layers()):
            self._allocate()
        return self._storage_

    @property
    def params(self) -> np.ndarray:
        """The trainable weights, flat (every layer's kernel and bias are views into it)."""
        return self._claim().params

    @params.setter
    def params(self, value) -> None:  # ``model.params += step`` writes in place
        target = self._claim().params
        if value is not target:
            target[...] = value

    @property
    def grads(self) -> np.ndarray:
        return self._claim().grads

    @grads.setter
    def grads(self, value) -> None:  # Layer.__init__ sets an empty dict
        pass

    @property
    def state(self) -> np.ndarray:
        """The non-trainable weights, flat: frozen layers' parameters, then state."""
        storage = self._claim()
        return storage.buffer[storage.params.size:]

    @property
    def arrays(self) -> dict:
        return {}

    @arrays.setter
    def arrays(self, value) -> None:
        pass

    def param_specs(self):
        return []

    def count_params(self) -> int:
        if self._graph is None:
            raise ConfigError(f"model {self.name!r} is not built yet: call it on data first")
        return sum(layer.count_params() for layer in self._weighted_layers())  # no claim: a
        # nested model's summary must not take its layers from the model that trains them

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [v for layer in self._weighted_layers() for v in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        layers = self._weighted_layers()
        if not self.trainable:
            return [v for layer in layers for v in layer.weights]
        return [v for layer in layers for v in layer.non_trainable_weights]

    @Layer.trainable.setter
    def trainable(self, value: bool) -> None:
        Layer.trainable.fset(self, value)
        for layer in self.layers:
            if not isinstance(layer, InputLayer):
                layer.trainable = value

    @property
    def losses(self) -> list[float]:
        """The losses its custom layers added with ``add_loss`` in the last forward pass (and
        their weights' regularizer penalties), as Keras's ``model.losses``."""
        return [v for layer in self._leaf_layers() for v in getattr(layer, "losses", [])]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight, layer by layer: [W1, b1, W2, b2, ...] (Keras's order)."""
        return [w for layer in self._weighted_layers() for w in layer.get_weights()]

    def set_weights(self, weights) -> None:
        """Set every weight from a list like ``get_weights()``; all checked before any set."""
        if self._graph is None:
            raise ConfigError(f"model {self.name!r} is not built yet; build it before set_weights")
        targets = [v for layer in self._weighted_layers() for v in layer.weights]
        if not isinstance(weights, (list, tuple)):
            raise ConfigError(f"set_weights: needs a list of arrays like model.get_weights(), "
                              f"got {type(weights).__name__}")
        if len(weights) != len(targets):
            raise ShapeError(f"set_weights: model {self.name!r} has {len(targets)} weight "
                             f"arrays, got {len(weights)}")
        check_assignable(targets, weights)
        for variable, value in zip(targets, weights, strict=True):
            variable.value[...] = value

    # -- the layer protocol: a model inside a model ----------------------------------------
    def forward(self, x, training: bool = False):
        xs = self._as_input_list(x)
        outs = self._graph.forward(xs, training)
        return outs[0] if len(outs) == 1 else outs

    def backward(self, grad, preactivation_grad: bool = False):
        grads = grad if isinstance(grad, list) and len(self._graph.outputs) > 1 else [grad]
        dx = self._graph.backward(grads, inputs_need_grad=self.needs_input_grad, new_pass=False)
        return dx[0] if len(dx) == 1 else dx

    def _inputs_by_name(self, inputs: dict) -> list:
        names = self.input_names
        if set(inputs) != set(names):
            raise ConfigError(f"model {self.name!r} was called with a dict of inputs keyed "
                              f"{list(inputs)}; its input names are {names}")
        return [inputs[name] for name in names]

    def _as_input_list(self, x) -> list:
        if isinstance(x, dict):
            return [x[name] for name in self.input_names]
        return list(x) if isinstance(x, (list, tuple)) else [x]

    def _save_call_state(self):
        return self._graph.save_state()

    def _load_call_state(self, state) -> None:
        self._graph.load_state(state)

    def _fresh_call_state(self) -> None:
        self._graph.fresh_state()

    def __call__(self, inputs, training=None, **kwargs):
        flat, _ = flatten_structure(inputs)
        if flat and all(isinstance(t, SymbolicTensor) for t in flat):
            self._ensure_graph(self._shape_argument([t.shape[1:] for t in flat], None))
            if isinstance(inputs, dict):  # by input name, as Keras: the node records a list
                inputs = self._inputs_by_name(inputs)
            return Layer.__call__(self, inputs, training=training, **kwargs)
        if kwargs:
            raise ConfigError(f"model {self.name!r}: unknown call argument(s) "
                              f"{', '.join(sorted(kwargs))}")
        return self._eager(inputs, bool(training))

    def _symbolic_result(self, outputs):
        return pack_structure(outputs, self._output_structure) if len(outputs) > 1 else outputs[0]

    # -- description, configuration, files ------------------------------------------------
    def summary(self, print_fn=print) -> None:
        """Print each layer's output shape and parameter count, and the totals."""
        from .summary import print_summary

        print_summary(self, print_fn)

    def get_config(self) -> dict:
        """The architecture in Keras's functional form (layers, inbound nodes, ends)."""
        from .config import functional_config

        if self._graph is None:
            raise ConfigError(f"model {self.name!r} is not built yet: call it on data first")
        return functional_config(self)

    @classmethod
    def from_config(cls, config: dict) -> Model:
        """Rebuild the architecture (fresh weights) from ``get_config()``."""
        from .config import from_functional_config
        from .sequential import Sequential

        if not isinstance(config, dict):
            raise ConfigError(f"{cls.__name__}.from_config: needs a dict like "
                              f"model.get_config(); got {config!r:.200}")
        if "input_layers" not in config:
            return Sequential.from_config(config)
        return from_functional_config(config, cls if cls is not Model else None)

    def to_json(self, **kwargs) -> str:
        """The model's architecture as Keras's JSON (read back with ``model_from_json``)."""
        import json

        from .. import layers as layers_module

        return json.dumps(layers_module.serialize(self), **kwargs)

    def save(self, path, include_optimizer: bool = True) -> None:
        """Write the model to one file: ``.keras`` a Keras 3 archive (:mod:`glassnet.keras_files`),
        any other name glassnet's own (:func:`glassnet.io.save_model`)."""
        from .. import keras_files

        keras_files.save_model(self, path, include_optimizer=include_optimizer)

    def save_weights(self, path, overwrite: bool = True) -> None:
        """Write the weights in Keras 3's ``.weights.h5`` layout (the name must end so)."""
        from .. import keras_files

        keras_files.save_weights(self, path, overwrite=overwrite)

    def load_weights(self, path) -> None:
        """Set the weights from a ``.weights.h5``, ``.keras`` or glassnet ``.safetensors`` file."""
        from .. import keras_files

        keras_files.load_weights(self, path)

    def explain(self, x, y, **options):
        """One training step traced by hand: see :func:`glassnet.explain.explain`."""
        from ..explain import explain

        return explain(self, x, y, **options)

    def _repr_html_(self) -> str:
        from .._display import html_table
        from .summary import summary_rows

        total = self.count_params() if self._graph is not None else 0
        return html_table(*summary_rows(self), f'Model "{self.name}": {total:,} parameters')

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self._graph is not None}>"
