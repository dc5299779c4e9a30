"""``Input`` and ``InputLayer``: where a functional model starts.

``Input(shape)`` returns a symbolic tensor (batch axis ``None``) made by an ``InputLayer``;
layers called on it record the graph that ``Model(inputs, outputs)`` then trains.

Example
-------
>>> from glassnet.layers import Input
>>> x = Input(shape=(784,), name="pixels")
>>> x.shape, x.dtype, type(x.node.layer).__name__
((None, 784), 'float32', 'InputLayer')
"""

from __future__ import annotations

from ..errors import ConfigError
from .layer import Layer, auto_name, shape_tuple
from .symbolic import Node, SymbolicTensor

__all__ = ["Input", "InputLayer"]


class InputLayer(Layer):
    """The layer behind ``Input``: no weights, its one output is the model's input tensor."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, name=None, **kwargs):
        if shape is None and batch_shape is None:
            shape = kwargs.pop("input_shape", None)
            if kwargs.get("batch_input_shape") is not None:
                batch_shape = kwargs.pop("batch_input_shape")
        if batch_shape is not None:
            shape = tuple(batch_shape)[1:]
        if shape is None:
            raise ConfigError("Input needs a shape, for example Input(shape=(784,))")
        if sparse:
            raise ConfigError("Input(sparse=True): glassnet's layers take dense arrays; pass "
                              "sparse data to glassnet.sklearn's estimators")
        shape = shape_tuple(shape, "Input shape")
        super().__init__(name=name or auto_name("input_layer"), dtype=dtype, **kwargs)
        self.batch_size = batch_size
        self.input_shape = self.output_shape = shape
        self.built = True
        tensor = SymbolicTensor(shape, self.dtype, self.name)
        Node(self, [], [tensor], "single")

    def forward(self, x, training=False):
        return x

    def backward(self, grad, preactivation_grad=False):
        return grad

    def get_config(self):
        return {"batch_shape": [self.batch_size, *self.input_shape], "dtype": self.dtype,
                "sparse": False, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None):
    """A symbolic batch of ``shape`` (no batch axis): ``Input((2,))`` is a batch of 2-vectors."""
    if tensor is not None:
        raise ConfigError("Input(tensor=...) is not supported: glassnet models start from shapes")
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       batch_shape=batch_shape, name=name)
    return layer.output
