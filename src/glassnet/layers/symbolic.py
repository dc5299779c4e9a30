"""Symbolic tensors and nodes: what calling a layer on ``Input(...)`` records.

A :class:`SymbolicTensor` stands for a batch that will flow through a model: a shape (batch
axis ``None``), a dtype and its history (the node that made it). A :class:`Node` is one call
of a layer: the tensors it took and the tensors it gave. A model's graph is the nodes between
its inputs and outputs (:mod:`glassnet.models.graph`).

A tracer cannot follow Python that looks at values (``if x > 0``, ``np.sum(x)``, ``float(x)``);
those raise a :class:`~glassnet.errors.ConfigError` naming the line of the user's code.

Example
-------
>>> from glassnet.layers import Dense, Input
>>> x = Input((4,), name="features")
>>> h = Dense(3, name="hidden")(x)
>>> h.shape, h.dtype, h.node.layer.name, h.node.inputs[0] is x
((None, 3), 'float32', 'hidden', True)
"""

from __future__ import annotations

import os
import traceback

import numpy as np

from ..errors import ConfigError

__all__ = ["Node", "SymbolicTensor", "flatten_structure", "is_symbolic", "pack_structure"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Node:
    """One call of ``layer``: ``inputs`` (flat list) -> ``outputs`` (flat list).

    ``structure`` says how the call received its inputs: ``'single'``, ``'list'`` or a tuple
    of dict keys, so the layer's ``forward`` gets them back in the same form.
    """

    def __init__(self, layer, inputs: list, outputs: list, structure):
        self.layer, self.inputs, self.outputs, self.structure = layer, inputs, outputs, structure
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, tensor in enumerate(outputs):
            tensor.node, tensor.output_index = self, i

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}#{self.index}>"


class SymbolicTensor:
    """A placeholder for a batch: ``shape`` (with ``None`` for the batch), ``dtype`` and the
    ``node`` that computes it (``None`` until a layer makes it)."""

    def __init__(self, shape, dtype="float32", name: str | None = None):
        self.shape = (None, *shape)
        self.dtype = dtype
        self.name = name
        self.node: Node | None = None
        self.output_index = 0

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def keras_history(self) -> tuple:
        """(layer, node index, tensor index), as Keras's ``_keras_history``."""
        return (self.node.layer, self.node.index, self.output_index)

    def __repr__(self) -> str:
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    # -- what a tracer cannot follow -------------------------------------------------------
    def _untraceable(self, what: str):
        raise ConfigError(
            f"{what} on a symbolic tensor {self.name or ''} ({_user_line()}): a model's graph is "
            "traced with placeholders, so call() may only call glassnet layers on its inputs; "
            "use layers or glassnet.ops for the arithmetic (layers.Add, ops.multiply, ...)"
        )

    def __bool__(self):
        self._untraceable("a truth test (if / and / or)")

    def __array__(self, *args, **kwargs):
        self._untraceable("converting to a NumPy array")

    def __float__(self):
        self._untraceable("float()")

    def __int__(self):
        self._untraceable("int()")

    def __len__(self):
        self._untraceable("len()")

    def __iter__(self):
        self._untraceable("iterating")

    def __getitem__(self, item):
        self._untraceable("indexing")

    def _arith(self, other, op: str, reverse: bool = False):
        """An operator with a number, an array or another symbolic tensor: the glassnet.ops
        function of that name, which adds an op node (Keras 3's KerasTensor operators)."""
        from .. import ops

        if other is not None and not isinstance(other, (SymbolicTensor, int, float, np.ndarray,
                                                        np.generic)):
            self._untraceable(f"the operator {op} with {type(other).__name__}")
        fn = getattr(ops, _OPS[op])
        if other is None:
            return fn(self)
        return fn(other, self) if reverse else fn(self, other)

    def _merge(self, other, op: str, reverse: bool = False):
        """``a + b``, ``a - b``, ``a * b`` of two symbolic tensors: an Add, Subtract or Multiply
        layer; with a number or an array, the glassnet.ops op (``x * 2.0``, ``1 - x``)."""
        if not isinstance(other, SymbolicTensor):
            return self._arith(other, op, reverse)
        from . import merging

        layer = {"+": merging.Add, "-": merging.Subtract, "*": merging.Multiply}[op]()
        return layer([other, self] if reverse else [self, other])

    def __add__(self, other):
        return self._merge(other, "+")

    def __radd__(self, other):
        return self._merge(other, "+", reverse=True)

    def __sub__(self, other):
        return self._merge(other, "-")

    def __rsub__(self, other):
        return self._merge(other, "-", reverse=True)

    def __mul__(self, other):
        return self._merge(other, "*")

    def __rmul__(self, other):
        return self._merge(other, "*", reverse=True)

    def __truediv__(self, other):
        return self._arith(other, "/")

    def __rtruediv__(self, other):
        return self._arith(other, "/", reverse=True)

    def __matmul__(self, other):
        return self._arith(other, "@")

    def __rmatmul__(self, other):
        return self._arith(other, "@", reverse=True)

    def __neg__(self):
        return self._arith(None, "unary -")

    def __pow__(self, other):
        return self._arith(other, "**")

    def __rpow__(self, other):
        return self._arith(other, "**", reverse=True)

    def __gt__(self, other):
        return self._untraceable("the operator >")

    def __lt__(self, other):
        return self._untraceable("the operator <")

    def __ge__(self, other):
        return self._untraceable("the operator >=")

    def __le__(self, other):
        return self._untraceable("the operator <=")

    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        self._untraceable(f"NumPy's {ufunc.__name__}")

    def __array_function__(self, func, types, args, kwargs):
        self._untraceable(f"NumPy's {func.__name__}")


_OPS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "@": "matmul",
        "**": "power", "unary -": "negative"}


def _user_line() -> str:
    """'file:line' of the innermost frame outside glassnet: where the user's code did it."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno}: {frame.line}"
    return "unknown place"


def is_symbolic(value) -> bool:
    return isinstance(value, SymbolicTensor)


def flatten_structure(inputs):
    """(flat list, structure) of a tensor, a list/tuple of them or a dict of them."""
    if isinstance(inputs, dict):
        keys = tuple(inputs)
        return [inputs[k] for k in keys], keys
    if isinstance(inputs, (list, tuple)):
        return list(inputs), "list"
    return [inputs], "single"


def pack_structure(flat: list, structure):
    """The inverse of :func:`flatten_structure`."""
    if structure == "single":
        return flat[0]
    if structure == "list":
        return list(flat)
    return dict(zip(structure, flat, strict=True))
