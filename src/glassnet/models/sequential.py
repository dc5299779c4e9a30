"""``Sequential``: a plain stack of layers, the chain case of the graph engine.

The first element may be ``glassnet.Input(shape)`` or an ``InputLayer``; otherwise the first
layer's ``input_shape``, or the first data the model sees, fixes the input shape. Once the
shape is known the stack is traced into a graph, as a functional model; ``add`` and ``pop``
retrace it, keeping every weight.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense, Input
>>> model = glassnet.Sequential([Input((4,)), Dense(3, name="h"), Dense(1, name="out")])
>>> model.pop().name, [layer.name for layer in model.layers], model.output_shape
('out', ['h'], (3,))
"""

from __future__ import annotations

from ..errors import ConfigError, GlassnetError
from ..layers import Input, InputLayer, Layer
from ..layers.layer import shape_tuple
from ..layers.symbolic import SymbolicTensor
from .graph import drop_node, traces_back_to
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    """A plain stack of layers: ``Sequential([Dense(4, input_shape=(2,)), Dense(1)])``."""

    def __init__(self, layers=None, name: str | None = None, dtype=None, trainable=True):
        super().__init__(name=name, dtype=dtype, trainable=trainable)
        self._stack: list[Layer] = []
        self._declared_input: tuple | None = None
        self._declared_dtype = None
        if isinstance(layers, (Layer, SymbolicTensor)):
            raise ConfigError(f"Sequential takes a list of layers, got one {type(layers).__name__}"
                              f"; wrap it in a list: Sequential([{type(layers).__name__}(...)])")
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise ConfigError(f"Sequential takes a list of layers, got {type(layers).__name__}")
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    serialized_class_name = "Sequential"

    @property
    def layers(self) -> list[Layer]:
        """The stacked layers (no InputLayer, as Keras's Sequential)."""
        return list(self._stack)

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (or, first, an ``Input``); a built model is retraced around it."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._declared_input:
                raise ConfigError("Sequential: an Input can only come first")
            self._declared_input, self._declared_dtype = layer.input_shape, layer.dtype
            return
        if not isinstance(layer, Layer):
            raise ConfigError(f"Sequential.add takes a glassnet layer, got {layer!r}")
        if any(existing is layer for existing in self._stack):
            raise ConfigError(f"Sequential: layer {layer.name!r} is already in this model")
        declared = self._declared_input
        if not self._stack and layer.declared_input_shape is not None:
            self._declared_input = layer.declared_input_shape
        elif not self._stack and self._declared_input is None and layer.built \
                and not isinstance(layer.input_shape, list):  # a layer of another model
            self._declared_input = layer.input_shape
        self._stack.append(layer)
        if not rebuild:
            return
        try:
            self._maybe_rebuild()
        except GlassnetError:  # a layer that does not fit leaves the model as it was
            self._stack.pop()
            self._declared_input = declared
            self._maybe_rebuild()
            raise

    def pop(self) -> Layer:
        """Remove and return the last layer (Keras's ``Sequential.pop``)."""
        if not self._stack:
            raise ConfigError(f"model {self.name!r} has no layers to pop")
        layer = self._stack.pop()
        self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self) -> None:
        shape = self.input_shape if self._graph is not None else self._declared_input
        if shape is None or not self._stack:
            if not self._stack:
                self._graph, self.built = None, False
            return
        self._trace(shape)

    def _trace(self, shape) -> None:
        if isinstance(shape, list):
            raise ConfigError(f"Sequential model {self.name!r} takes one input, got shapes {shape}")
        dtype = self._declared_dtype or (self._dtype.name if self._dtype is not None
                                         else "float32")
        self._forget_trace()
        x = Input(tuple(shape), dtype=dtype)
        tensor = x
        try:
            for layer in self._stack:
                tensor = layer(tensor)
        except GlassnetError:
            self._forget_nodes([lay for lay in self._stack], after=x)
            raise
        self._heads = []
        self._init_graph(x, tensor)
        if self.compiled and self._loss_specs is not None:
            self._resolve_heads()
            self._resolve_metrics()

    def _forget_trace(self) -> None:
        """Drop the nodes of the previous trace, so ``layer.output`` means this model's."""
        if self._graph is not None:
            for step in self._graph.steps:
                drop_node(step.node)
            self._graph = None

    def _forget_nodes(self, layers, after) -> None:
        """Drop the nodes a failed trace from ``after`` (an Input) left on ``layers``."""
        for layer in layers:
            for node in list(layer._inbound_nodes):
                if traces_back_to(node, after):
                    drop_node(node)

    def build(self, input_shape=None) -> None:
        """Fix the input shape (a tuple without the batch axis) and allocate the weights."""
        if input_shape is None:
            input_shape = self._declared_input
        if input_shape is None:
            raise ConfigError(f"model {self.name!r}: build needs an input shape")
        shape = tuple(input_shape)
        if shape and shape[0] is None:  # Keras's build((None, 4))
            shape = shape[1:]
        if not self._stack:
            raise ConfigError(f"model {self.name!r} has no layers; add some before using it")
        if self._graph is not None:
            self.check_input_shape(shape)
            return
        self._trace(shape)

    def _ensure_graph(self, input_shape) -> None:
        if self._graph is None:
            self.build(input_shape)

    def get_config(self) -> dict:
        from .. import layers as layers_module

        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name,
                "input_shape": list(self.input_shape) if self.input_shape else None,
                "layers": [layers_module.serialize(layer) for layer in self._stack]}

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        """Rebuild the stack (fresh weights) from ``get_config()`` or Keras's config."""
        from .. import layers as layers_module

        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise ConfigError(f"{cls.__name__}.from_config: needs a dict like "
                              f"model.get_config(), with a 'layers' list; got {config!r:.200}")
        model = cls(name=config.get("name"), dtype=config.get("dtype"))
        for entry in config["layers"]:
            model.add(layers_module.get(entry), rebuild=False)
        shape = config.get("input_shape") or config.get("build_input_shape")
        if shape and shape[0] is None:
            shape = shape[1:]
        if shape is not None:
            shape = shape_tuple(shape, "the model's input_shape")
        if shape and model._declared_input is None:
            model._declared_input = shape
        model._maybe_rebuild()
        return model

