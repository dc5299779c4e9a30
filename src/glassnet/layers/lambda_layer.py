"""``Lambda``: a layer from a function written with ``glassnet.ops`` (Keras's ``Lambda``).

Forward calls the function on the batch (a list of batches for several inputs). Training
passes it :class:`glassnet.ops.Tensor`s that record each op, and backward runs that record
backwards to dL/d(input). The function must keep the batch axis; its output shape is found
by calling it on a batch of zeros unless ``output_shape`` says it.

Saving, as Keras: a named function is stored by module and name, a Python ``lambda`` by its
bytecode (``{'class_name': '__lambda__', ...}``), which only loads with ``safe_mode=False``
(loading it runs code from the file). ONNX cannot hold Python code: export refuses a Lambda.

Example
-------
>>> import numpy as np
>>> from glassnet import layers, ops
>>> square = layers.Lambda(lambda x: ops.square(x), name="square_doc")
>>> square(np.array([[1.0, -2.0]])).tolist()
[[1.0, 4.0]]
"""

from __future__ import annotations

import codecs
import inspect
import json
import marshal
import sys
import types
import weakref

import numpy as np

from ..errors import ConfigError, ShapeError
from .layer import Layer, _as_shapes, format_shape
from .symbolic import flatten_structure, pack_structure

__all__ = ["Lambda"]


def _tape():
    """glassnet.ops.tensor, imported on first use (``import glassnet`` stays light)."""
    from ..ops import tensor

    return tensor

_SAFE_MODE = {"on": True}
# The lambdas this process serialized, by their bytecode: a config that names one of them
# (clone_model, gradcheck's float64 copy) gets the function back without running any code.
_LIVE: dict[str, weakref.ref] = {}


def enable_unsafe_deserialization() -> None:
    """Let ``from_config`` rebuild Python lambdas from their bytecode (Keras's switch of the
    same name): only for files you trust, since it runs their code."""
    _SAFE_MODE["on"] = False


class Lambda(Layer):
    """``Lambda(function, output_shape=None, mask=None, arguments=None)``, as Keras."""

    cache_attrs = ("_leaves", "_out", "_structure")

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ConfigError(f"Lambda {self.name!r}: function must be callable, got "
                              f"{function!r}")
        if mask is not None:
            raise ConfigError(f"Lambda {self.name!r}: glassnet has no masking; leave mask=None")
        if arguments is not None and not isinstance(arguments, dict):
            raise ConfigError(f"Lambda {self.name!r}: arguments must be a dict of keyword "
                              f"arguments for the function, got {arguments!r}")
        self.function, self.arguments = function, dict(arguments or {})
        self.mask, self._output_shape = None, output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training_arg = "training" in params
        self._numpy_error = None
        self._probed: dict = {}
        self._leaves = self._out = self._structure = None

    # -- shapes ----------------------------------------------------------------------------
    def build(self, input_shape):
        self.multiple_inputs = isinstance(_as_shapes(input_shape), list)
        return super().build(input_shape)

    def compute_output_shape(self, input_shape):
        given = self._output_shape
        if given is None:
            return self._probe_shape(input_shape)
        if callable(given):
            batched = [(None, *s) for s in input_shape] if isinstance(input_shape, list) \
                else (None, *input_shape)
            shape = tuple(given(batched))
            return shape[1:]
        if isinstance(given, int):
            given = (given,)
        return tuple(given)

    def _probe_shape(self, input_shape):
        """The output shape from calling the function on two rows of zeros (once per shape)."""
        key = repr(input_shape)
        if key not in self._probed:
            self._probed[key] = self._run_probe(input_shape)
        return self._probed[key]

    def _run_probe(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        zeros = [np.zeros((2, *s), dtype=self.dtype) for s in shapes]
        out = self._call_function(pack_structure(zeros, "list") if isinstance(
            input_shape, list) else zeros[0], False)
        return self._check_output(out, 2).shape[1:]

    # -- computation -----------------------------------------------------------------------
    def _call_function(self, inputs, training):
        kwargs = dict(self.arguments)
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        try:
            with np.errstate(all="ignore"):  # inf/NaN flow on as values, as in Keras
                return self.function(inputs, **kwargs)
        except _tape().NumpyOnTensorError:
            raise
        except Exception as exc:
            exc.add_note(f"(raised inside the function of Lambda layer {self.name!r})")
            raise

    def _check_output(self, out, n: int) -> np.ndarray:
        if isinstance(out, (list, tuple)):
            raise ConfigError(f"Lambda {self.name!r}: the function returned a "
                              f"{type(out).__name__}; glassnet's Lambda gives one tensor (use one "
                              "Lambda per output)")
        value = np.asarray(out.value if isinstance(out, _tape().Tensor) else out)
        if value.ndim < 1 or value.shape[0] != n:
            raise ShapeError(f"Lambda {self.name!r}: the function returned shape {value.shape} "
                             f"for a batch of {n}; it must keep the batch axis first")
        if value.dtype.kind not in "fiub":
            raise ConfigError(f"Lambda {self.name!r}: the function returned {value.dtype} "
                              "values; layers pass numbers")
        return value

    def forward(self, x, training=False):
        flat, structure = flatten_structure(x)
        n, dtype = len(flat[0]), flat[0].dtype
        self._leaves = self._out = None
        tape = _tape()
        if training and self._numpy_error is None:
            leaves = [tape.Tensor(a) for a in flat]
            try:
                out = self._call_function(pack_structure(leaves, structure), True)
                self._leaves, self._out, self._structure = leaves, out, structure
            except tape.NumpyOnTensorError as exc:  # fine unless a gradient is needed through it
                self._numpy_error = exc
        if self._leaves is None:
            out = self._call_function(x, bool(training))
        value = self._check_output(out, n)
        if value.shape[1:] != tuple(self.output_shape):
            raise ShapeError(f"Lambda {self.name!r}: the function returned "
                             f"{format_shape(value.shape[1:])} but the layer's output shape is "
                             f"{format_shape(self.output_shape)}")
        return np.ascontiguousarray(value, dtype=dtype)

    def backward(self, grad, preactivation_grad=False):
        tape = _tape()
        if self._numpy_error is not None:
            raise tape.NumpyOnTensorError(f"Lambda {self.name!r} needs a gradient, but its "
                                          f"function uses NumPy: {self._numpy_error}") from None
        leaves = self._leaves
        if leaves is None:
            raise ConfigError(f"Lambda {self.name!r}: backward needs a forward pass with "
                              "training=True first")
        if isinstance(self._out, tape.Tensor):
            grads = tape.gradients(self._out, leaves, grad.astype(self._out.dtype, copy=False))
        else:  # the output does not depend on the inputs
            grads = [np.zeros_like(leaf.value) for leaf in leaves]
        grads = [g.astype(leaf.value.dtype, copy=False) for g, leaf in zip(grads, leaves,
                                                                           strict=True)]
        return grads[0] if self._structure == "single" else grads

    # -- configuration ---------------------------------------------------------------------
    def get_config(self):
        config = {**super().get_config(), "function": _serialize_function(self.function)}
        if self._output_shape is not None:
            given = self._output_shape
            config["output_shape"] = _serialize_function(given) if callable(given) else \
                list(given if isinstance(given, (tuple, list)) else (given,))
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, safe_mode=None):
        config = dict(config)
        safe = _SAFE_MODE["on"] if safe_mode is None else safe_mode is not False
        config["function"] = _deserialize_function(config["function"], safe)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _deserialize_function(shape, safe)
        elif isinstance(shape, list):
            config["output_shape"] = tuple(shape)
        return cls(**config)


# -- functions in configs, as Keras stores them ----------------------------------------------
def _serialize_function(fn) -> dict:
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")  # as Keras
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        _LIVE[code] = weakref.ref(fn)
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    module = getattr(fn, "__module__", None) or "builtins"
    return {"module": module, "class_name": "function",
            "config": getattr(fn, "__name__", type(fn).__name__), "registered_name": "function"}


def _deserialize_function(spec, safe: bool):
    if not isinstance(spec, dict) or "class_name" not in spec:
        if callable(spec):
            return spec
        raise ConfigError(f"Lambda config: function must be a serialized function, got {spec!r}")
    if spec["class_name"] == "__lambda__":
        config = spec.get("config") or {}
        live = _LIVE.get(config.get("code"))
        fn = live() if live is not None else None
        if fn is not None and _same_lambda(_serialize_function(fn)["config"], config):
            return fn
        if safe:
            raise ConfigError(
                "Requested the deserialization of a Lambda layer whose function is a Python "
                "lambda: this runs code from the file, so it is disallowed by default. If you "
                "trust the file, pass safe_mode=False or call glassnet.layers.lambda_layer."
                "enable_unsafe_deserialization() (as Keras)")
        return _load_lambda(config)
    name, module = spec.get("config"), spec.get("module")
    for candidate in (module, "__main__"):  # Keras writes 'builtins' for __main__'s functions
        fn = getattr(sys.modules.get(candidate or ""), name or "", None)
        if callable(fn):
            return fn
    raise ConfigError(f"Lambda config: function {name!r} of module {module!r} is not loaded; "
                      "import (or define) it before loading the model, as Keras needs it in "
                      "custom_objects")


def _same_lambda(a: dict, b: dict) -> bool:
    """Two lambda configs alike once through JSON (tuples as lists, None entries dropped)."""
    def canonical(config):
        kept = {k: config.get(k) for k in ("code", "defaults", "closure")
                if config.get(k) is not None}
        return json.dumps(kept, sort_keys=True, default=repr)

    return canonical(a) == canonical(b)


def _load_lambda(config: dict):
    from .. import ops

    code = marshal.loads(codecs.decode(str(config["code"]).encode("ascii"), "base64"))
    closure = config.get("closure")
    cells = tuple(types.CellType(v) for v in closure) if closure else None
    defaults = config.get("defaults")
    globs = {"__builtins__": __builtins__, "ops": ops, "np": np, "numpy": np}
    return types.FunctionType(code, globs, code.co_name, tuple(defaults) if defaults else None,
                              cells)


class OpLayer(Lambda):
    """One ``glassnet.ops`` function applied to symbolic tensors in a functional model
    (``ops.square(Input((3,)))``, as keras.ops on KerasTensors). The config names the op and
    its constant arguments, so it rebuilds without any code from the file."""

    def __init__(self, op: str, args=(), kwargs=None, **layer_kwargs):
        from .. import ops

        if not isinstance(op, str) or op not in ops.__all__ or not callable(getattr(ops, op)):
            raise ConfigError(f"OpLayer: {op!r} is not a glassnet.ops function")
        self.op, self.op_args, self.op_kwargs = op, list(args), dict(kwargs or {})
        super().__init__(_OpCall(getattr(ops, op), self.op_args, self.op_kwargs), **layer_kwargs)

    def get_config(self):
        config = {**Layer.get_config(self), "op": self.op, "args": self.op_args,
                  "kwargs": self.op_kwargs}
        try:
            json.dumps(config)
        except TypeError:
            raise ConfigError(f"layer {self.name!r} (ops.{self.op}) has arguments that cannot be "
                              "stored in a config (arrays or objects); use a Lambda layer of "
                              "your own function, or numbers and lists") from None
        return config

    @classmethod
    def from_config(cls, config, safe_mode=None):
        return cls(**config)


TENSOR, ARRAY = "__tensor__", "__array__"


class _OpCall:
    """Calls an op with the layer's inputs put back where the symbolic tensors were."""

    def __init__(self, fn, args, kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.__name__ = getattr(fn, "__name__", "op")

    def __call__(self, inputs):
        tensors = inputs if isinstance(inputs, list) else [inputs]
        return self.fn(*_filled(self.args, tensors),
                       **{k: _filled([v], tensors)[0] for k, v in self.kwargs.items()})


def _filled(items, tensors):
    out = []
    for item in items:
        if isinstance(item, dict) and set(item) == {TENSOR}:
            out.append(tensors[item[TENSOR]])
        elif isinstance(item, dict) and set(item) == {ARRAY, "dtype"}:
            out.append(np.asarray(item[ARRAY], dtype=item["dtype"]))
        elif isinstance(item, (list, tuple)):
            out.append(type(item)(_filled(item, tensors)))
        else:
            out.append(item)
    return out
