"""``BatchNormalization`` and ``LayerNormalization``, Keras 3's, with their backward written out.

Both compute ``xhat = (x - mean) / sqrt(var + epsilon)`` and ``out = gamma * xhat + beta``
(biased variance). BatchNormalization takes mean and variance over the batch (and every axis
but ``axis``) while training and keeps moving averages of them as non-trainable state
(``moving = moving * momentum + batch * (1 - momentum)``), which inference uses; a frozen
layer (``trainable = False``) always runs in inference mode, as in Keras 3.
LayerNormalization takes them over ``axis`` within each sample. The backward through the
statistics is the one of the batch-norm paper: with ``g = dL/dout * gamma`` and means over the
normalised axes, ``dL/dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + epsilon)``.

Example
-------
>>> import numpy as np
>>> from glassnet.layers import BatchNormalization
>>> bn = BatchNormalization(name="bn_doc", dtype="float64")
>>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
>>> np.round(bn(x, training=True), 4).tolist()   # (x - mean) / sqrt(var + 0.001)
[[-0.9995, -1.0], [0.9995, 1.0]]
>>> np.round(bn.get_weights()[2], 6).tolist()    # moving_mean: 0.99 * 0 + 0.01 * batch mean
[0.02, 0.2]
"""

from __future__ import annotations

import numpy as np

from .. import initializers
from .._checks import boolean, number_in, numeric_array
from ..errors import ConfigError, DataError, ShapeError
from .layer import Layer

__all__ = ["BatchNormalization", "LayerNormalization", "Normalization"]

_UNSUPPORTED = ("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint")


def feature_axes(axis, rank: int, where: str) -> tuple[int, ...]:
    """``axis`` (an int or a list, the batch axis being 0) as sorted positive axes of a tensor
    of ``rank``; the batch axis and axes out of range are refused."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                           for a in axes):
        raise ConfigError(f"{where}: axis must be an int or a list of ints, got {axis!r}")
    resolved = sorted({int(a) % rank for a in axes if -rank <= a < rank})
    if len(resolved) != len(set(axes)) or 0 in resolved:
        raise ConfigError(f"{where}: axis {axis!r} is not a feature axis of inputs of rank "
                          f"{rank} (the batch axis is 0; -1 is the last)")
    return tuple(resolved)


class _Normalizer(Layer):
    """What both layers share: the options, gamma and beta, and the affine part."""

    cache_attrs = ("_xhat", "_inv")

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 unsupported, **kwargs):
        super().__init__(**kwargs)
        where = f"layer {self.name!r} ({type(self).__name__})"
        for key, value in unsupported.items():
            if value not in (None, False):
                raise ConfigError(f"{where}: {key}={value!r} is not supported yet")
        self.axis = axis
        self.epsilon = number_in(epsilon, f"{where}: epsilon", 0, low_open=True)
        self.center = boolean(center, f"{where}: center")
        self.scale = boolean(scale, f"{where}: scale")
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self._xhat = self._inv = None

    def _axes(self, rank: int) -> tuple[int, ...]:
        """The feature axes for inputs of ``rank``, checked once per (axis, rank), not per call."""
        key = (tuple(self.axis) if isinstance(self.axis, list) else self.axis, rank)
        cached = self.__dict__.get("_axes_for")
        if cached is None or cached[0] != key:
            cached = (key, feature_axes(self.axis, rank,
                                        f"layer {self.name!r} ({type(self).__name__})"))
            self._axes_for = cached
        return cached[1]

    def compute_output_shape(self, input_shape):
        self._axes(len(input_shape) + 1)
        return tuple(input_shape)

    def _feature_shape(self) -> tuple[int, ...]:
        return tuple(self.input_shape[a - 1] for a in self._axes(len(self.input_shape) + 1))

    def param_specs(self):
        shape = self._feature_shape()
        specs = [("gamma", shape, self.gamma_initializer)] if self.scale else []
        return specs + ([("beta", shape, self.beta_initializer)] if self.center else [])

    def _broadcast(self, array: np.ndarray) -> np.ndarray:
        """A per-feature array shaped to broadcast against the (batch, ...) input."""
        rank = len(self.input_shape) + 1
        axes = self._axes(rank)
        return array.reshape([self.input_shape[d - 1] if d in axes else 1 for d in range(rank)])

    def _reduced(self, rank: int) -> tuple[int, ...]:
        """The axes the statistics are taken over."""
        raise NotImplementedError

    def _affine(self, xhat: np.ndarray) -> np.ndarray:
        out = self._buffer("out", len(xhat), xhat.shape[1:], xhat.dtype)
        np.copyto(out, xhat)
        if self.scale:
            out *= self._broadcast(self.arrays["gamma"])
        if self.center:
            out += self._broadcast(self.arrays["beta"])
        return out

    def _statistics_backward(self, g: np.ndarray) -> np.ndarray:
        """dL/dx from dL/dxhat when the mean and variance came from this input."""
        axes = self._reduced(g.ndim)
        dx = g - g.mean(axis=axes, keepdims=True)
        dx -= self._xhat * (g * self._xhat).mean(axis=axes, keepdims=True)
        dx *= self._inv
        return dx

    def _backward_common(self, grad, from_batch: bool):
        """Write dL/dgamma and dL/dbeta; return dL/dx."""
        per_feature = tuple(d for d in range(grad.ndim) if d not in self._axes(grad.ndim))
        if self.center:
            self.grads["beta"][...] = grad.sum(axis=per_feature).reshape(
                self.grads["beta"].shape)
        if self.scale:
            self.grads["gamma"][...] = (grad * self._xhat).sum(axis=per_feature).reshape(
                self.grads["gamma"].shape)
            grad = grad * self._broadcast(self.arrays["gamma"])
        if not self.needs_input_grad:
            return None
        return self._statistics_backward(grad) if from_batch else grad * self._inv

    def _normalise(self, x, mean, variance):
        self._inv = 1.0 / np.sqrt(variance + self.epsilon)
        self._xhat = (x - mean) * self._inv
        return self._affine(self._xhat)

    def _options(self) -> dict:
        return {"epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": self.beta_initializer.get_config(),
                "gamma_initializer": self.gamma_initializer.get_config(),
                **dict.fromkeys(_UNSUPPORTED)}


class BatchNormalization(_Normalizer):
    """Normalises each feature by the batch's statistics while training (updating moving
    averages) and by the moving averages at inference."""

    cache_attrs = ("_xhat", "_inv", "_from_batch")

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        unsupported = dict(zip(_UNSUPPORTED, (beta_regularizer, gamma_regularizer,
                                              beta_constraint, gamma_constraint), strict=True))
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         {**unsupported, "renorm": renorm, "renorm_clipping": renorm_clipping,
                          "synchronized": synchronized}, **kwargs)
        if isinstance(axis, (list, tuple)):
            raise ConfigError(f"layer {self.name!r} (BatchNormalization): axis must be one int "
                              f"(Keras 3), got {axis!r}")
        self.momentum = number_in(momentum, f"layer {self.name!r}: momentum", 0, 1)
        self.renorm_momentum = renorm_momentum
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self._from_batch = False

    def state_specs(self):
        shape = self._feature_shape()
        return [("moving_mean", shape, self.moving_mean_initializer),
                ("moving_variance", shape, self.moving_variance_initializer)]

    def _reduced(self, rank):
        return tuple(d for d in range(rank) if d not in self._axes(rank))

    def forward(self, x, training=False):
        self._from_batch = bool(training) and self.trainable
        if not self._from_batch:
            return self._normalise(x, self._broadcast(self.arrays["moving_mean"]),
                                   self._broadcast(self.arrays["moving_variance"]))
        axes = self._reduced(x.ndim)
        mean = x.mean(axis=axes, keepdims=True)
        variance = x.var(axis=axes, keepdims=True)
        for name, batch in (("moving_mean", mean), ("moving_variance", variance)):
            moving = self.arrays[name]
            moving *= self.momentum
            moving += (1.0 - self.momentum) * batch.reshape(moving.shape)
        return self._normalise(x, mean, variance)

    def backward(self, grad, preactivation_grad=False):
        return self._backward_common(grad, self._from_batch)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                **self._options(),
                "moving_mean_initializer": self.moving_mean_initializer.get_config(),
                "moving_variance_initializer": self.moving_variance_initializer.get_config(),
                "synchronized": False, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": self.renorm_momentum}


class LayerNormalization(_Normalizer):
    """Normalises each sample over ``axis`` (the last by default), then scales and shifts."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 rms_scaling=False, **kwargs):
        unsupported = dict(zip(_UNSUPPORTED, (beta_regularizer, gamma_regularizer,
                                              beta_constraint, gamma_constraint), strict=True))
        super().__init__(list(axis) if isinstance(axis, tuple) else axis, epsilon, center,
                         scale, beta_initializer, gamma_initializer,
                         {**unsupported, "rms_scaling": rms_scaling}, **kwargs)

    def _reduced(self, rank):
        return self._axes(rank)

    def build(self, input_shape):
        shape = super().build(input_shape)
        if not isinstance(self.axis, list):  # Keras keeps the axes as a list once built
            self.axis = [self.axis]
        return shape

    def forward(self, x, training=False):
        axes = self._reduced(x.ndim)
        return self._normalise(x, x.mean(axis=axes, keepdims=True),
                               x.var(axis=axes, keepdims=True))

    def backward(self, grad, preactivation_grad=False):
        return self._backward_common(grad, True)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, **self._options(),
                "rms_scaling": False}


_EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


class Normalization(Layer):
    """Keras's preprocessing layer: ``(x - mean) / sqrt(variance)`` per feature of ``axis``
    (``invert=True``: ``mean + x * sqrt(variance)``), with ``mean`` and ``variance`` given or
    learnt from data by :meth:`adapt`. The learnt ones are non-trainable state (with Keras's
    ``count``), so they are saved with the model.

    Example
    -------
    >>> import numpy as np
    >>> norm = Normalization(name="norm_doc")
    >>> norm.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> norm(np.array([[1.0, 20.0], [3.0, 40.0]])).tolist()
    [[0.0, 0.0], [2.0, 2.0]]
    """

    cache_attrs = ("_std",)

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        where = f"layer {self.name!r} (Normalization)"
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.invert = boolean(invert, f"{where}: invert")
        if (mean is None) != (variance is None):
            raise ConfigError(f"{where}: give both mean and variance, or neither (and call "
                              "adapt(data))")
        self.input_mean, self.input_variance = mean, variance
        if mean is not None:
            self._given = [numeric_array(np.asarray(v, dtype=float).reshape(-1), f"{where}: {k}")
                           .reshape(np.shape(v)) for k, v in (("mean", mean),
                                                              ("variance", variance))]
            if self._given[0].shape != self._given[1].shape:
                raise ConfigError(f"{where}: mean and variance must have one shape, got "
                                  f"{self._given[0].shape} and {self._given[1].shape}")
            if (self._given[1] < 0).any():
                raise ConfigError(f"{where}: variance must be >= 0")

    def _keep(self, rank: int) -> tuple[int, ...]:
        if not self.axis:
            return ()
        return feature_axes(list(self.axis), rank, f"layer {self.name!r} (Normalization)")

    def compute_output_shape(self, input_shape):
        keep = self._keep(len(input_shape) + 1)
        if self.input_mean is not None and self._given[0].ndim > len(keep):
            raise ConfigError(f"layer {self.name!r} (Normalization): mean has rank "
                              f"{self._given[0].ndim}, more than the {len(keep)} axes of axis "
                              f"{self.axis}")
        return tuple(input_shape)

    def _stat_shape(self) -> tuple[int, ...]:
        return tuple(self.input_shape[d - 1] for d in self._keep(len(self.input_shape) + 1))

    def state_specs(self):
        if self.input_mean is not None:
            return []
        shape = self._stat_shape()
        return [("mean", shape, initializers.get("zeros")),
                ("variance", shape, initializers.get("ones")), ("count", (), initializers.get(
                    "zeros"))]

    def _statistics(self):
        """Mean and variance shaped to broadcast against a (batch, ...) input."""
        rank = len(self.input_shape) + 1
        keep = self._keep(rank)
        shape = [self.input_shape[d - 1] if d in keep else 1 for d in range(rank)]
        if self.input_mean is None:
            return [self.arrays[k].reshape(shape) for k in ("mean", "variance")]
        full = [1] * rank  # given values fill the kept axes from the right, as Keras
        for i in range(1, self._given[0].ndim + 1):
            full[keep[-i]] = self._given[0].shape[-i]
        return [np.broadcast_to(v.reshape(full), shape) for v in self._given]

    def forward(self, x, training=False):
        mean, variance = self._statistics()
        self._std = np.maximum(np.sqrt(variance), _EPSILON).astype(x.dtype)
        out = self._buffer("out", len(x), x.shape[1:], x.dtype)
        if self.invert:
            np.multiply(x, self._std, out=out)
            out += mean
        else:
            np.subtract(x, mean, out=out)
            out /= self._std
        return out

    def backward(self, grad, preactivation_grad=False):
        return grad * self._std if self.invert else grad / self._std

    def adapt(self, data) -> None:
        """Learn the mean and variance of ``data``: an array (or DataFrame), or an iterable of
        batches (a list of arrays, a generator, a ``PyDataset``; ``(x, y)`` batches use x)."""
        where = f"layer {self.name!r} (Normalization).adapt"
        if self.input_mean is not None:
            raise ConfigError(f"{where}: the layer was given mean and variance; adapt learns "
                              "them when both are None")
        batches = _batches(data, where)
        first = batches[0]
        if not self.built:
            self.build(first.shape[1:])
        self._ensure_weights()
        keep = self._keep(len(self.input_shape) + 1)
        reduce = tuple(d for d in range(first.ndim) if d not in keep)
        mean = np.zeros(self._stat_shape())
        var = np.zeros(self._stat_shape())
        total = 0
        for batch in batches:
            if batch.ndim != first.ndim or any(batch.shape[d] != self.input_shape[d - 1]
                                               for d in keep):
                raise ShapeError(f"{where}: a batch of shape {batch.shape} does not match the "
                                 f"layer's input shape {(None, *self.input_shape)}")
            count = int(np.prod([batch.shape[d] for d in reduce]))
            total += count
            w = count / total  # Keras's running combination of batch statistics
            b_mean, b_var = batch.mean(axis=reduce), batch.var(axis=reduce)
            new_mean = mean * (1 - w) + b_mean * w
            var = (var + (mean - new_mean) ** 2) * (1 - w) + (b_var + (b_mean - new_mean) ** 2) * w
            mean = new_mean
        self.arrays["mean"][...] = mean
        self.arrays["variance"][...] = var

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}


def _batches(data, where: str) -> list[np.ndarray]:
    """``data`` as a list of float64 arrays with a batch axis."""
    if hasattr(data, "__array__") or hasattr(data, "to_numpy"):
        items = [data]
    elif isinstance(data, (list, tuple)) or hasattr(data, "__iter__") or \
            (hasattr(data, "__getitem__") and hasattr(data, "__len__")):
        items = list(data) if hasattr(data, "__iter__") else [data[i] for i in range(len(data))]
    else:
        raise DataError(f"{where}: data must be an array, a DataFrame or an iterable of "
                        f"batches, got {type(data).__name__}")
    if not items:
        raise DataError(f"{where}: data has no batches")
    arrays = []
    for item in items:
        x = item[0] if isinstance(item, tuple) else item
        x = numeric_array(x.to_numpy() if hasattr(x, "to_numpy") else x, f"{where} data")
        if x.ndim < 2:
            x = x.reshape(-1, 1) if x.ndim == 1 else x
        arrays.append(x.astype(np.float64, copy=False))
    return arrays
