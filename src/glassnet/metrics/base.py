"""Keras 3's stateful metrics: the ``Metric`` base class, ``Mean``, ``Sum`` and
``MeanMetricWrapper``.

A metric accumulates state over batches with ``update_state(y_true, y_pred,
sample_weight=None)``, gives its value so far with ``result()`` and starts again with
``reset_state()``. A subclass keeps its state in variables made with ``add_variable`` (or
``add_weight``), as in Keras; a variable is a NumPy array with ``assign``, ``assign_add`` and
``assign_sub``, usable in NumPy arithmetic.

Example
-------
>>> import numpy as np
>>> m = Mean()
>>> m.update_state([1.0, 3.0, 5.0])
>>> m.update_state([7.0], sample_weight=[3.0])
>>> float(m.result())
5.0
>>> class Largest(Metric):
...     def __init__(self, name="largest", **kwargs):
...         super().__init__(name=name, **kwargs)
...         self.top = self.add_variable(shape=(), initializer="zeros", name="top")
...     def update_state(self, y_true, y_pred, sample_weight=None):
...         self.top.assign(max(float(self.top), float(np.max(y_pred))))
...     def result(self):
...         return self.top.value
>>> big = Largest()
>>> round(float(big([0, 1], [0.2, 0.9])), 6)
0.9
"""

from __future__ import annotations

import numbers
import re

import numpy as np

from ..errors import ConfigError

__all__ = ["Mean", "MeanMetricWrapper", "Metric", "MetricVariable", "Sum"]


class MetricVariable:
    """A metric's state: a NumPy array that ``assign``/``assign_add``/``assign_sub`` change."""

    __array_priority__ = 100

    def __init__(self, value, name: str | None = None):
        self._value = np.array(value)
        self.name = name

    @property
    def value(self) -> np.ndarray:
        return self._value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    def numpy(self) -> np.ndarray:
        return self._value.copy()

    def assign(self, value):
        self._value[...] = np.asarray(value)
        return self

    def assign_add(self, value):
        self._value += np.asarray(value, self._value.dtype)
        return self

    def assign_sub(self, value):
        self._value -= np.asarray(value, self._value.dtype)
        return self

    def __array__(self, dtype=None, copy=None):
        return self._value if dtype is None else self._value.astype(dtype)

    def __float__(self):
        return float(self._value)

    def __getitem__(self, index):
        return self._value[index]

    def __len__(self):
        return len(self._value)

    def __repr__(self):
        return f"<MetricVariable {self.name}={self._value!r}>"


def _binary(op):
    return lambda self, other: op(self._value, np.asarray(other))


def _reflected(op):
    return lambda self, other: op(np.asarray(other), self._value)


for _name, _op in {"add": np.add, "sub": np.subtract, "mul": np.multiply,
                   "truediv": np.true_divide, "pow": np.power}.items():
    setattr(MetricVariable, f"__{_name}__", _binary(_op))
    setattr(MetricVariable, f"__r{_name}__", _reflected(_op))
for _name, _op in {"lt": np.less, "le": np.less_equal, "gt": np.greater,
                   "ge": np.greater_equal}.items():
    setattr(MetricVariable, f"__{_name}__", _binary(_op))
MetricVariable.__neg__ = lambda self: -self._value


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _initial(initializer, shape, dtype):
    if initializer is None or initializer in ("zeros", "Zeros"):
        return np.zeros(shape, dtype)
    if initializer in ("ones", "Ones"):
        return np.ones(shape, dtype)
    if isinstance(initializer, numbers.Number) or isinstance(initializer, np.ndarray):
        return np.full(shape, initializer, dtype)
    from .. import initializers

    return np.asarray(initializers.get(initializer)(shape, dtype), dtype)


class Metric:
    """Base class of stateful metrics (Keras 3's ``keras.metrics.Metric``).

    Subclasses define ``update_state`` and ``result``; ``reset_state`` zeroes every variable
    made with :meth:`add_variable` (override it for other starting values).
    """

    def __init__(self, dtype=None, name=None):
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{type(self).__name__}: name must be a string, got {name!r}")
        self.name = name or _snake(type(self).__name__)
        self._dtype = np.dtype(dtype or "float32")
        self._variables: list[MetricVariable] = []

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """A new state variable of ``shape`` (Keras's signature; ``aggregation`` is unused)."""
        if not hasattr(self, "_variables"):
            raise ConfigError(f"{type(self).__name__}: call super().__init__() in __init__ "
                              "before add_variable")
        dtype = np.dtype(dtype or self._dtype)
        variable = MetricVariable(_initial(initializer, tuple(shape), dtype), name)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Keras's older spelling of :meth:`add_variable`."""
        return self.add_variable(shape, initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list:
        return list(self._variables)

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(np.zeros(v.shape, v.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define update_state")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must define result")

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def samplewise(values, sample_weight, reduce, dtype):
    """Keras's ``reduce_to_samplewise_values``: (values per sample, weights or None)."""
    values = np.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype)
        if sample_weight.ndim == values.ndim + 1 and sample_weight.shape[-1] == 1:
            sample_weight = sample_weight[..., 0]
        elif values.ndim == sample_weight.ndim + 1 and values.shape[-1] == 1:
            values = values[..., 0]
        if values.ndim > sample_weight.ndim:
            values = reduce(values, axis=tuple(range(sample_weight.ndim, values.ndim)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = reduce(sample_weight, axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values given."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = samplewise(values, sample_weight, np.sum, self._dtype)
        self.total.assign_add(np.sum(values))

    def result(self):
        return self.total.value.copy()


class Mean(Metric):
    """The (weighted) mean of the values given; a scalar counts as one value."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", name="total")
        self.count = self.add_variable((), "zeros", name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = samplewise(values, sample_weight, np.mean, self._dtype)
        self.total.assign_add(np.sum(values))
        if sample_weight is not None:
            self.count.assign_add(np.sum(sample_weight))
        else:
            self.count.assign_add(values.shape[0] if values.ndim else 1)

    def add_mean(self, mean: float, count: int) -> None:
        """Add ``count`` samples whose mean is ``mean`` (the engine's fast kernels)."""
        self.total._value[()] += mean * count  # scalar indexing: several times faster on 0-d
        self.count._value[()] += count

    def result(self):
        count = float(self.count._value)
        return self._dtype.type(float(self.total._value) / count if count else 0.0)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` (per-sample values) over all samples."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        if not callable(fn):
            raise ConfigError(f"MeanMetricWrapper: fn must be a function, got {fn!r}")
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"),
                         dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
