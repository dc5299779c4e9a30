"""Merge layers: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum`` and
``Concatenate``, and their functions ``add([a, b])``, ...

Each takes a list of tensors of one shape (``Concatenate``: equal but for its axis) and gives
one. Backward hands each input its share of the gradient: all of it for ``Add``; its sign for
``Subtract``; the product of the other inputs for ``Multiply``; 1/n for ``Average``; all of it
to the input that won, for ``Maximum`` and ``Minimum`` (the first one on a tie, as TensorFlow's
gradient does); and its slice for ``Concatenate``.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Concatenate, Subtract
>>> a, b = np.array([[1.0, 2.0]]), np.array([[0.5, 4.0]])
>>> Subtract(name="sub_doc")([a, b]).tolist(), Concatenate(name="cat_doc")([a, b]).shape
([[0.5, -2.0]], (1, 4))
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, ShapeError
from .layer import Layer, format_shape

__all__ = ["Add", "Average", "Concatenate", "Maximum", "Minimum", "Multiply", "Subtract", "add",
           "average", "concatenate", "maximum", "minimum", "multiply", "subtract"]


class Merge(Layer):
    """Base class: several inputs of one shape in, one tensor out."""

    multiple_inputs = True
    exact_inputs: int | None = None

    def compute_output_shape(self, input_shape):
        self._check_count(input_shape)
        if any(tuple(s) != tuple(input_shape[0]) for s in input_shape):
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) needs inputs of one "
                             f"shape, got {format_shape(input_shape)}")
        return tuple(input_shape[0])

    def _check_count(self, input_shape) -> None:
        n = len(input_shape)
        if self.exact_inputs is not None and n != self.exact_inputs:
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) takes exactly "
                             f"{self.exact_inputs} inputs, got {n}")
        if n < 1:
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) needs a list of at "
                             "least one input")

    def _out(self, inputs, key="out"):
        x = inputs[0]
        return self._buffer(key, len(x), x.shape[1:], x.dtype)


class Add(Merge):
    """The sum of its inputs."""

    def forward(self, inputs, training=False):
        out = self._out(inputs)
        np.copyto(out, inputs[0])
        for x in inputs[1:]:
            out += x
        self._n = len(inputs)
        return out

    def backward(self, grad, preactivation_grad=False):
        return [grad] * self._n

    cache_attrs = ("_n",)


class Subtract(Merge):
    """``inputs[0] - inputs[1]``."""

    exact_inputs = 2

    def forward(self, inputs, training=False):
        return np.subtract(inputs[0], inputs[1], out=self._out(inputs))

    def backward(self, grad, preactivation_grad=False):
        return [grad, np.negative(grad, out=self._buffer("neg", len(grad), grad.shape[1:],
                                                         grad.dtype))]


class Multiply(Merge):
    """The element-wise product of its inputs."""

    cache_attrs = ("_inputs",)

    def forward(self, inputs, training=False):
        out = self._out(inputs)
        np.copyto(out, inputs[0])
        for x in inputs[1:]:
            out *= x
        self._inputs = list(inputs)
        return out

    def backward(self, grad, preactivation_grad=False):
        grads = []
        for i in range(len(self._inputs)):
            g = self._buffer(f"d{i}", len(grad), grad.shape[1:], grad.dtype)
            np.copyto(g, grad)
            for j, x in enumerate(self._inputs):
                if j != i:
                    g *= x
            grads.append(g)
        return grads


class Average(Merge):
    """The mean of its inputs."""

    cache_attrs = ("_n",)

    def forward(self, inputs, training=False):
        out = Add.forward(self, inputs)
        out *= 1.0 / len(inputs)
        return out

    def backward(self, grad, preactivation_grad=False):
        g = np.multiply(grad, 1.0 / self._n,
                        out=self._buffer("share", len(grad), grad.shape[1:], grad.dtype))
        return [g] * self._n


class _Extremum(Merge):
    """Maximum or Minimum: the gradient goes to the input that won (the first on a tie)."""

    cache_attrs = ("_winner", "_n")
    _pick = staticmethod(np.greater)

    def forward(self, inputs, training=False):
        out = self._out(inputs)
        winner = self._buffer("winner", len(out), out.shape[1:], np.intp)
        np.copyto(out, inputs[0])
        winner[...] = 0
        for i, x in enumerate(inputs[1:], 1):
            better = self._pick(x, out)
            np.copyto(out, x, where=better)
            winner[better] = i
        self._winner, self._n = winner, len(inputs)
        return out

    def backward(self, grad, preactivation_grad=False):
        grads = []
        for i in range(self._n):
            g = self._buffer(f"d{i}", len(grad), grad.shape[1:], grad.dtype)
            np.multiply(grad, self._winner == i, out=g)
            grads.append(g)
        return grads


class Maximum(_Extremum):
    """The element-wise maximum of its inputs."""

    _pick = staticmethod(np.greater)


class Minimum(_Extremum):
    """The element-wise minimum of its inputs."""

    _pick = staticmethod(np.less)


class Concatenate(Merge):
    """Joins its inputs along ``axis`` (default the last, the features)."""

    cache_attrs = ("_sizes",)

    def __init__(self, axis: int = -1, **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis == 0:
            raise ConfigError(f"Concatenate: axis must be a non-batch axis (an int other than "
                              f"0), got {axis!r}")
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _feature_axis(self, ndim: int) -> int:
        axis = self.axis if self.axis < 0 else self.axis - 1
        if not -ndim <= axis < ndim:
            raise ShapeError(f"layer {self.name!r} (Concatenate): axis {self.axis} is out of "
                             f"range for inputs of {ndim + 1} dimensions")
        return axis % ndim

    def compute_output_shape(self, input_shape):
        self._check_count(input_shape)
        shapes = [tuple(s) for s in input_shape]
        axis = self._feature_axis(len(shapes[0]))
        rest = [s[:axis] + s[axis + 1:] for s in shapes]
        if any(len(s) != len(shapes[0]) for s in shapes) or any(r != rest[0] for r in rest):
            raise ShapeError(f"layer {self.name!r} (Concatenate) needs inputs that match except "
                             f"on axis {self.axis}, got {format_shape(input_shape)}")
        out = list(shapes[0])
        out[axis] = sum(s[axis] for s in shapes)
        return tuple(out)

    def forward(self, inputs, training=False):
        x = inputs[0]
        axis = self._feature_axis(x.ndim - 1) + 1
        out = self._buffer("out", len(x), self.output_shape, x.dtype)
        self._sizes = [a.shape[axis] for a in inputs]
        return np.concatenate(inputs, axis=axis, out=out)

    def backward(self, grad, preactivation_grad=False):
        axis = self._feature_axis(grad.ndim - 1) + 1
        return np.split(grad, np.cumsum(self._sizes)[:-1], axis=axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)

    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"``{cls.__name__}(**kwargs)(inputs)``: {cls.__doc__}"
    return merge


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)
concatenate = _functional(Concatenate)
