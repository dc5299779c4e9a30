"""Losses the user writes: a function ``fn(y_true, y_pred)``, or a ``Loss`` subclass with
``call(self, y_true, y_pred)``, as Keras 3 takes them (``compile(loss=my_loss)``).

The function returns one value per sample (shape (n,), or (n, ...) for several per sample)
or a number; the batch reduction is Keras's (``reduction="sum_over_batch_size"`` by default:
the sum of ``w_i * value_i`` divided by the count of values; 'sum', 'mean' and
'mean_with_sample_weight' as Keras defines them). For the value glassnet calls the function
on NumPy arrays; for the gradient, on a :class:`glassnet.ops.Tensor` that records each op,
and runs the record backwards (so write the function with ``glassnet.ops``, Keras's names).

Example
-------
>>> import numpy as np
>>> from glassnet import losses, ops
>>> def my_mse(y_true, y_pred):
...     return ops.mean(ops.square(y_true - y_pred), axis=-1)
>>> loss = losses.get(my_mse)
>>> y, p = np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])
>>> loss.forward(y, p, None), loss.backward(y, p, None, np.empty((2, 1))).tolist()
(0.25, [[-0.5], [0.5]])
"""

from __future__ import annotations

import inspect

import numpy as np

from ..errors import ConfigError, ShapeError
from ..ops.tensor import NumpyOnTensorError, Tensor, gradients
from .loss import Loss

__all__ = ["REDUCTIONS", "CallLoss", "FunctionLoss", "call_grad", "resolve"]

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight")


def location(fn) -> str:
    """' (file:line)' where a function (a bound ``call``, a callable object) is defined."""
    target = getattr(fn, "__func__", fn)
    code = getattr(target, "__code__", None)
    if code is None and not inspect.isroutine(fn):
        code = getattr(type(fn).__call__, "__code__", None)
    return f" ({code.co_filename}:{code.co_firstlineno})" if code is not None else ""


def describe(fn) -> str:
    """"'name' (file:line)" of a function or callable object."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or \
        type(fn).__name__
    return f"{name!r}{location(fn)}"


def _check_reduction(reduction, where: str):
    if reduction in (None, "none"):
        raise ConfigError(f"{where}: reduction={reduction!r} keeps one loss per sample, but "
                          f"training needs one number; use one of {list(REDUCTIONS)}")
    if reduction not in REDUCTIONS:
        raise ConfigError(f"{where}: unknown reduction {reduction!r}; Keras's are "
                          f"{list(REDUCTIONS)} (and None / 'none', which compile cannot train)")
    return reduction


class FunctionLoss(Loss):
    """A loss from ``fn(y_true, y_pred)`` (Keras's ``LossFunctionWrapper``)."""

    paired_activation = None

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        self.from_logits, self.dtype = False, None
        self.fn, self.fn_kwargs = fn, kwargs
        self.where = f"loss function {describe(fn)}"
        self.reduction = _check_reduction(reduction, self.where)
        self.name = name or getattr(fn, "__name__", None) or type(fn).__name__
        try:
            inspect.signature(fn).bind(None, None, **kwargs)
        except TypeError:
            raise ConfigError(f"{self.where} must take (y_true, y_pred) and return the loss per "
                              "sample") from None
        except ValueError:  # a builtin without a signature: trust it
            pass

    def prepare_targets(self, y, output_shape, dtype):
        """Targets as the model's floats; (n,) pairs with (n, 1) outputs as in Keras (its
        ``squeeze_or_expand_to_same_rank``); any other shape goes to the function as it is."""
        y = np.asarray(y)
        rank = len(output_shape) + 1
        if y.ndim == rank - 1 and tuple(output_shape)[-1:] == (1,):
            y = y[..., None]
        elif y.ndim == rank + 1 and y.shape[-1] == 1:
            y = y[..., 0]
        return np.ascontiguousarray(y, dtype=dtype)

    def _values(self, y_true, y_pred):
        try:
            values = self.fn(y_true, y_pred, **self.fn_kwargs)
        except Exception as exc:
            exc.add_note(f"(raised inside {self.where}, called by glassnet's training)")
            raise
        shape = np.shape(values.value if isinstance(values, Tensor) else values)
        if not isinstance(values, (Tensor, np.ndarray, np.generic, float, int)) or \
                isinstance(values, bool):
            raise ConfigError(f"{self.where} returned {type(values).__name__}; a loss function "
                              "returns the loss per sample as a tensor (glassnet.ops functions)")
        n = len(y_pred)
        if shape and shape[0] != n:
            raise ShapeError(f"{self.where} returned shape {shape} for a batch of {n}: a loss "
                             f"function returns one value per sample (shape ({n},), e.g. "
                             "ops.mean(..., axis=-1)) or one number; was a mean taken over "
                             "axis 0?")
        return values

    def _coefficients(self, values_shape, n, weights):
        """c (a number, or weights shaped to broadcast) with loss = sum(c * values): Keras's
        weighting and reduction, which are linear in the values."""
        if weights is not None and values_shape:
            weights = np.reshape(weights, (n, *[1] * (len(values_shape) - 1)))
        elif weights is not None:  # one number: Keras multiplies it by each weight, then reduces
            weights = float(np.sum(weights))
        size = int(np.prod(values_shape)) if values_shape else 1
        if self.reduction == "sum":
            return 1.0 if weights is None else weights
        if self.reduction == "mean_with_sample_weight" and weights is not None:
            divisor = float(np.sum(weights)) if values_shape else weights
        else:
            divisor = float(size if values_shape or weights is None else n)
        if not divisor:
            return 0.0
        return 1.0 / divisor if weights is None else weights / divisor

    def _run(self, y_true, y_pred, weights):
        """(values, coefficients) with a tape behind the values when ``y_pred`` is a Tensor."""
        with np.errstate(all="ignore"):  # log(0) is -inf and training reports it, as Keras
            values = self._values(y_true, y_pred)
        shape = np.shape(values.value if isinstance(values, Tensor) else values)
        return values, self._coefficients(shape, len(y_pred), weights)

    def forward(self, y_true, y_pred, weights) -> float:
        """The reduced loss; its tape is kept for the ``backward`` that follows."""
        self._stash = None
        leaf = Tensor(y_pred)
        try:
            values, c = self._run(y_true, leaf, weights)
        except NumpyOnTensorError:  # a NumPy-only function gives values (evaluate), no gradient
            values, c = self._run(y_true, y_pred, weights)
        if isinstance(values, Tensor):
            self._stash = (y_true, y_pred, weights, y_pred.copy(), leaf, values, c)
            values = values.value
        return float(np.sum(c * np.asarray(values, dtype=y_pred.dtype)))

    def _recorded(self, y_true, y_pred, weights):
        stash, self._stash = getattr(self, "_stash", None), None
        if stash is not None and stash[0] is y_true and stash[1] is y_pred and \
                stash[2] is weights and np.array_equal(stash[3], y_pred):
            return stash[4:]
        leaf = Tensor(y_pred)
        return (leaf, *self._run(y_true, leaf, weights))

    def backward(self, y_true, y_pred, weights, out) -> np.ndarray:
        leaf, values, c = self._recorded(y_true, y_pred, weights)
        if not isinstance(values, Tensor):
            raise ConfigError(f"{self.where} returned a value that does not depend on y_pred "
                              "through glassnet.ops, so it has no gradient (was it computed "
                              "with NumPy, convert_to_numpy or stop_gradient?)")
        seed = np.empty(values.shape, values.dtype)
        seed[...] = c
        (grad,) = gradients(values, [leaf], seed)
        out[...] = grad
        return out

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "fn": self.name, **self.fn_kwargs}

    def __repr__(self) -> str:
        return f"<FunctionLoss {self.where}>"


class CallLoss(FunctionLoss):
    """A user's ``Loss`` subclass that defines ``call(y_true, y_pred)`` (Keras 3's way)."""

    def __init__(self, loss: Loss):
        self.wrapped = loss
        cls = type(loss)
        name = loss.__dict__.get("name") or _snake(cls.__name__)
        super().__init__(loss.call, getattr(loss, "reduction", "sum_over_batch_size"), name)
        self.where = f"loss {cls.__name__}.call{location(loss.call)}"

    def get_config(self) -> dict:
        config = self.wrapped.get_config() if type(self.wrapped).get_config is not \
            Loss.get_config else {}
        return {"name": self.name, "reduction": self.reduction, **config, "fn": self.name}

    def __repr__(self) -> str:
        return f"<CallLoss {type(self.wrapped).__name__} name={self.name!r}>"


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _needs_tape(cls) -> bool:
    """A Loss class with its own ``call`` but no gradient of its own (glassnet's losses write
    ``call_grad`` or ``backward``; a user's Keras-style subclass writes only ``call``)."""
    return cls.call is not Loss.call and cls.call_grad is Loss.call_grad and \
        cls.backward is Loss.backward


def call_grad(loss: Loss, y_true, y_pred, upstream) -> np.ndarray:
    """dL/dy_pred of ``loss.call`` by its tape, for dL/d(values) = ``upstream``."""
    leaf = Tensor(np.asarray(y_pred))
    with np.errstate(all="ignore"):
        values = loss.call(y_true, leaf)
    if not isinstance(values, Tensor):
        raise ConfigError(f"loss {type(loss).__name__}.call{location(loss.call)} returned a "
                          "value that does not depend on y_pred through glassnet.ops")
    (grad,) = gradients(values, [leaf], np.broadcast_to(upstream, values.shape))
    return grad


def resolve(identifier):
    """The adapter for a user's loss (function, ``Loss`` subclass or instance with ``call``),
    or None for anything else (names, configs, glassnet's own losses)."""
    if isinstance(identifier, dict) and "fn" in identifier:
        raise ConfigError(f"loss {identifier.get('name')!r} is a function of the user's own; a "
                          "file keeps only its name, not its code: load the model with "
                          "compile=False and compile it again with the function (Keras needs "
                          "it in custom_objects the same way)")
    if isinstance(identifier, type) and issubclass(identifier, Loss) and _needs_tape(identifier):
        identifier = identifier()
    if isinstance(identifier, FunctionLoss):
        return identifier
    if isinstance(identifier, Loss):
        return CallLoss(identifier) if _needs_tape(type(identifier)) else None
    if callable(identifier) and not isinstance(identifier, (str, dict, type)):
        return FunctionLoss(identifier)
    return None
