"""``glassnet.ops`` on the symbolic tensors of a functional model: an op called on
``Input(...)`` (or on what layers made from it) adds an ``OpLayer`` node to the graph, as
keras.ops does on KerasTensors; on arrays and Tensors the op runs as usual.

Example
-------
>>> import glassnet
>>> from glassnet import ops
>>> from glassnet.layers import Dense, Input
>>> x = Input((3,))
>>> y = ops.multiply(ops.square(x), 2.0)
>>> y.shape, y.node.layer.op
((None, 3), 'multiply')
"""

from __future__ import annotations

import functools

import numpy as np

from ..layers.symbolic import SymbolicTensor
from ..layers.variable import Variable

_SPECIAL = (SymbolicTensor, Variable)

__all__ = ["symbolic_aware"]


def _symbolic(items, kinds=(SymbolicTensor,)) -> bool:
    for item in items:
        if type(item) in kinds:
            return True
        if type(item) in (list, tuple) and any(type(i) in kinds for i in item):
            return True
    return False


def _resolved(item):
    """``item`` with each layer Variable replaced by what ops compute with (its array, or its
    tape Tensor while a custom layer trains)."""
    if type(item) is Variable:
        return item._resolve()
    if type(item) in (list, tuple):
        return type(item)(_resolved(i) for i in item)
    return item


def _template(item, tensors: list):
    """``item`` with each symbolic tensor replaced by ``{'__tensor__': its index}``."""
    from ..layers.lambda_layer import ARRAY, TENSOR

    if isinstance(item, SymbolicTensor):
        tensors.append(item)
        return {TENSOR: len(tensors) - 1}
    if isinstance(item, (list, tuple)):
        return [_template(i, tensors) for i in item]
    if isinstance(item, np.ndarray):  # kept as a list, so the config stays JSON
        return {ARRAY: item.tolist(), "dtype": item.dtype.name}
    return item.item() if isinstance(item, np.generic) else item


def _node(name: str, args, kwargs):
    from ..layers.lambda_layer import OpLayer
    from ..layers.layer import auto_name

    tensors: list = []
    template = [_template(a, tensors) for a in args]
    kw_template = {k: _template(v, tensors) for k, v in kwargs.items()}
    layer = OpLayer(name, template, kw_template, name=auto_name(name))  # 'square', as Keras
    return layer(tensors[0] if len(tensors) == 1 else tensors)


def symbolic_aware(fn):
    """``fn``, which makes a graph node when given symbolic tensors."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        if _symbolic(args, _SPECIAL) or (kwargs and _symbolic(kwargs.values(), _SPECIAL)):
            args = tuple(_resolved(a) for a in args)
            kwargs = {k: _resolved(v) for k, v in kwargs.items()}
            if _symbolic(args) or (kwargs and _symbolic(kwargs.values())):
                return _node(fn.__name__, args, kwargs)
        return fn(*args, **kwargs)

    return op
