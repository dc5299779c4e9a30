"""ONNX nodes for the Keras-toolkit layers and activations (used by :mod:`glassnet.onnx`).

Inference only, as the exported graph is: ``BatchNormalization`` with its moving statistics
(ONNX's ``BatchNormalization`` when the features are axis 1, else the same affine map as
``Mul`` and ``Add``), ``LayerNormalization`` (ONNX's op, opset 17 and later, over trailing axes),
``Normalization`` (``Sub`` / ``Div`` by constants), ``PRelu``, ``Reshape``, ``Embedding`` as
``Cast`` to int64 then ``Gather``, ``Identity`` and the noise layers passing their input on.
Activations become ONNX's own op where it has one at the chosen opset (``Elu``, ``Selu``,
``Softplus``, ``Softsign``, ``HardSigmoid``, ``HardSwish``, ``LogSoftmax``, ``Gelu`` from 20,
``Mish`` from 18) and otherwise their formula in basic ops (``gelu`` through ``Erf`` or
``Tanh``, ``silu`` as ``x * Sigmoid(x)``, ``relu6`` and ``ReLU(max_value=...)`` through
``Clip``). onnxruntime's CPU provider has no double kernels for Elu, Selu, Softplus, Softsign,
HardSigmoid or Erf, so a float64 model gets those as their formulas in basic ops (and exact
gelu's ``Erf`` in float32, good to about 1e-7).

Example
-------
>>> import os, tempfile, glassnet
>>> from glassnet.layers import BatchNormalization, Dense
>>> from glassnet.onnx import export
>>> model = glassnet.Sequential([Dense(3, activation="gelu", input_shape=(2,), name="h"),
...                              BatchNormalization(name="bn")])
>>> proto = export(model, os.path.join(tempfile.mkdtemp(), "m.onnx"))
>>> [node.op_type for node in proto.graph.node][:6]
['Gemm', 'Div', 'Erf', 'Add', 'Mul', 'Mul']
"""

from __future__ import annotations

import math

import numpy as np
from onnx import TensorProto, numpy_helper

from ._activations_keras import SELU_ALPHA, SELU_SCALE
from .errors import ConfigError

__all__ = ["ACTIVATIONS", "LAYERS", "activation_nodes", "layer_nodes"]

LAYERS = ("BatchNormalization", "LayerNormalization", "Normalization", "PReLU", "Reshape",
          "Embedding", "Identity")
ACTIVATIONS = ("elu", "selu", "gelu", "silu", "softplus", "softsign", "hard_sigmoid",
               "hard_silu", "relu6", "mish", "log_softmax", "relu")


def _const(graph, name: str, array) -> str:
    """An initializer, made once (a shared layer's later calls read the same one)."""
    if name not in {t.name for t in graph.initializers}:
        graph.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
    return name


def _scalar(graph, scope: str, key: str, value: float) -> str:
    return _const(graph, f"{scope}/{key}", np.array(value, dtype=graph.dtype))


def activation_nodes(graph, x: str, scope: str, activation, opset: int) -> str:
    """The nodes computing ``activation`` of the tensor named ``x``; the result's name."""
    name, node = activation.name, graph._node
    if graph.dtype == np.float64 and name in _DOUBLE_FORMS:  # onnxruntime lacks these in double
        return _DOUBLE_FORMS[name](graph, x, scope, activation)
    if name == "elu":
        return node("Elu", [x], f"{scope}/elu", alpha=activation.alpha)
    if name == "selu":
        return node("Selu", [x], f"{scope}/selu", alpha=SELU_ALPHA, gamma=SELU_SCALE)
    if name in ("softplus", "softsign"):
        return node(name.capitalize(), [x], f"{scope}/{name}")
    if name == "hard_sigmoid":
        return node("HardSigmoid", [x], f"{scope}/hard_sigmoid", alpha=1 / 6, beta=0.5)
    if name == "hard_silu":
        if opset >= 14:
            return node("HardSwish", [x], f"{scope}/hard_swish")
        gate = node("HardSigmoid", [x], f"{scope}/hard_sigmoid", alpha=1 / 6, beta=0.5)
        return node("Mul", [x, gate], f"{scope}/hard_silu")
    if name == "silu":
        return node("Mul", [x, node("Sigmoid", [x], f"{scope}/sigmoid")], f"{scope}/silu")
    if name == "mish":
        if opset >= 18:
            return node("Mish", [x], f"{scope}/mish")
        soft = node("Softplus", [x], f"{scope}/softplus")
        return node("Mul", [x, node("Tanh", [soft], f"{scope}/tanh")], f"{scope}/mish")
    if name == "log_softmax":
        return node("LogSoftmax", [x], f"{scope}/log_softmax", axis=activation.axis)
    if name == "gelu":
        return _gelu(graph, x, scope, activation.approximate, opset)
    if name == "relu6":
        return node("Clip", [x, _scalar(graph, scope, "zero", 0.0),
                             _scalar(graph, scope, "six", 6.0)], f"{scope}/relu6")
    if name == "relu":  # Keras's relu with options
        return _keras_relu(graph, x, scope, activation)
    raise ConfigError(f"export: activation {name!r} has no ONNX form yet")


# -- float64: the formulas in ops onnxruntime's CPU provider runs in double ------------------
def _elu_double(graph, x, scope, fn, alpha=None):
    node, alpha = graph._node, fn.alpha if alpha is None else alpha
    zero = _scalar(graph, scope, "zero", 0.0)
    below = node("Sub", [node("Exp", [node("Min", [x, zero], f"{scope}/min")], f"{scope}/exp"),
                         _scalar(graph, scope, "one", 1.0)], f"{scope}/expm1")
    below = node("Mul", [below, _scalar(graph, scope, "alpha", alpha)], f"{scope}/below")
    return node("Where", [node("Greater", [x, zero], f"{scope}/positive"), x, below],
                f"{scope}/elu")


def _selu_double(graph, x, scope, fn):
    elu = _elu_double(graph, x, scope, fn, alpha=SELU_ALPHA)
    return graph._node("Mul", [elu, _scalar(graph, scope, "scale", SELU_SCALE)], f"{scope}/selu")


def _softplus_double(graph, x, scope, fn=None):
    node = graph._node  # max(x, 0) + log(1 + e^-|x|)
    tail = node("Exp", [node("Neg", [node("Abs", [x], f"{scope}/abs")], f"{scope}/neg")],
                f"{scope}/exp_neg")
    tail = node("Log", [node("Add", [tail, _scalar(graph, scope, "one", 1.0)],
                             f"{scope}/one_plus")], f"{scope}/log")
    return node("Add", [node("Relu", [x], f"{scope}/relu"), tail], f"{scope}/softplus")


def _softsign_double(graph, x, scope, fn):
    node = graph._node
    denominator = node("Add", [node("Abs", [x], f"{scope}/abs"),
                               _scalar(graph, scope, "one", 1.0)], f"{scope}/one_plus")
    return node("Div", [x, denominator], f"{scope}/softsign")


def _hard_sigmoid_double(graph, x, scope, fn=None):
    node = graph._node
    line = node("Add", [node("Mul", [x, _scalar(graph, scope, "sixth", 1 / 6)],
                             f"{scope}/scaled"), _scalar(graph, scope, "half", 0.5)],
                f"{scope}/line")
    return node("Clip", [line, _scalar(graph, scope, "zero", 0.0),
                         _scalar(graph, scope, "one", 1.0)], f"{scope}/hard_sigmoid")


def _hard_silu_double(graph, x, scope, fn):
    return graph._node("Mul", [x, _hard_sigmoid_double(graph, x, scope)], f"{scope}/hard_silu")


def _mish_double(graph, x, scope, fn):
    soft = _softplus_double(graph, x, scope)
    return graph._node("Mul", [x, graph._node("Tanh", [soft], f"{scope}/tanh")], f"{scope}/mish")


def _gelu_double(graph, x, scope, fn):
    if fn.approximate:
        return _gelu(graph, x, scope, True, 0)
    return _gelu(graph, x, scope, False, 0, erf_in_float32=True)


_DOUBLE_FORMS = {"elu": _elu_double, "selu": _selu_double, "softplus": _softplus_double,
                 "softsign": _softsign_double, "hard_sigmoid": _hard_sigmoid_double,
                 "hard_silu": _hard_silu_double, "mish": _mish_double, "gelu": _gelu_double}


def _gelu(graph, x: str, scope: str, approximate: bool, opset: int,
          erf_in_float32: bool = False) -> str:
    node = graph._node
    if opset >= 20:
        return node("Gelu", [x], f"{scope}/gelu", approximate="tanh" if approximate else "none")
    if approximate:  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = node("Mul", [x, node("Mul", [x, x], f"{scope}/square")], f"{scope}/cube")
        inner = node("Add", [x, node("Mul", [cube, _scalar(graph, scope, "c", 0.044715)],
                                     f"{scope}/scaled_cube")], f"{scope}/inner")
        inner = node("Mul", [inner, _scalar(graph, scope, "k", math.sqrt(2 / math.pi))],
                     f"{scope}/inner_scaled")
        core = node("Tanh", [inner], f"{scope}/tanh")
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        scaled = node("Div", [x, _scalar(graph, scope, "sqrt2", math.sqrt(2))],
                      f"{scope}/scaled")
        if erf_in_float32:  # onnxruntime has no double Erf: float32's, to ~1e-7
            scaled = node("Cast", [scaled], f"{scope}/to_float", to=TensorProto.FLOAT)
        core = node("Erf", [scaled], f"{scope}/erf")
        if erf_in_float32:
            core = node("Cast", [core], f"{scope}/to_double", to=TensorProto.DOUBLE)
    one_plus = node("Add", [core, _scalar(graph, scope, "one", 1.0)], f"{scope}/one_plus")
    half = node("Mul", [x, _scalar(graph, scope, "half", 0.5)], f"{scope}/half_x")
    return node("Mul", [half, one_plus], f"{scope}/gelu")


def _keras_relu(graph, x: str, scope: str, fn) -> str:
    node = graph._node
    threshold = _scalar(graph, scope, "threshold", fn.threshold)
    zero = _scalar(graph, scope, "zero", 0.0)
    keep = node("Greater", [x, threshold], f"{scope}/above")
    out = node("Where", [keep, x, zero], f"{scope}/positive")
    if fn.max_value is not None:
        out = node("Clip", [out, zero, _scalar(graph, scope, "max_value", fn.max_value)],
                   f"{scope}/capped")
    if fn.negative_slope:
        below = node("Relu", [node("Sub", [threshold, x], f"{scope}/gap")], f"{scope}/below")
        scaled = node("Mul", [below, _scalar(graph, scope, "slope", fn.negative_slope)],
                      f"{scope}/leak")
        out = node("Sub", [out, scaled], f"{scope}/relu")
    return out


def layer_nodes(graph, layer, args: list[str], scope: str, prefix: str, opset: int) -> list:
    """The nodes of one toolkit layer's call on the tensors named ``args``."""
    cls, x, node = type(layer).__name__, args[0], graph._node
    dtype = graph.dtype
    if cls == "Identity":
        return args
    if cls == "Reshape":
        shape = _const(graph, f"{scope}/shape", np.array([0, *layer.output_shape], np.int64))
        return [node("Reshape", [x, shape], f"{scope}/reshape")]
    if cls == "Embedding":
        table = _const(graph, f"{prefix}/embeddings", layer.arrays["embeddings"].astype(dtype))
        codes = node("Cast", [x], f"{scope}/codes", to=TensorProto.INT64)
        return [node("Gather", [table, codes], f"{scope}/gather", axis=0)]
    if cls == "PReLU":
        slope = _const(graph, f"{prefix}/alpha", layer.arrays["alpha"].astype(dtype))
        return [node("PRelu", [x, slope], f"{scope}/prelu")]
    if cls == "Normalization":
        return [_normalization(graph, layer, x, scope)]
    if cls == "BatchNormalization":
        return [_batch_normalization(graph, layer, x, scope, prefix)]
    if cls == "LayerNormalization":
        return [_layer_normalization(graph, layer, x, scope, prefix, opset)]
    raise ConfigError(f"export: layer {layer.name!r} ({cls}) has no ONNX form yet")


def _full(layer, array) -> np.ndarray:
    """A per-feature array shaped (1, ...) to broadcast against the layer's input."""
    return layer._broadcast(array)


def _normalization(graph, layer, x: str, scope: str) -> str:
    mean, variance = layer._statistics()
    std = np.maximum(np.sqrt(variance), 1e-7)
    mean_name = _const(graph, f"{scope}/mean", np.ascontiguousarray(mean, dtype=graph.dtype))
    std_name = _const(graph, f"{scope}/std", np.ascontiguousarray(std, dtype=graph.dtype))
    if layer.invert:
        scaled = graph._node("Mul", [x, std_name], f"{scope}/scaled")
        return graph._node("Add", [scaled, mean_name], f"{scope}/normalization")
    centred = graph._node("Sub", [x, mean_name], f"{scope}/centred")
    return graph._node("Div", [centred, std_name], f"{scope}/normalization")


def _gamma_beta(layer, dtype):
    shape = layer.arrays["moving_mean"].shape if "moving_mean" in layer.arrays else None
    shape = shape or layer._feature_shape()
    gamma = layer.arrays["gamma"] if layer.scale else np.ones(shape)
    beta = layer.arrays["beta"] if layer.center else np.zeros(shape)
    return gamma.astype(dtype), beta.astype(dtype)


def _batch_normalization(graph, layer, x: str, scope: str, prefix: str) -> str:
    gamma, beta = _gamma_beta(layer, graph.dtype)
    mean = layer.arrays["moving_mean"].astype(graph.dtype)
    var = layer.arrays["moving_variance"].astype(graph.dtype)
    if layer._axes(len(layer.input_shape) + 1) == (1,):
        names = [_const(graph, f"{prefix}/{k}", v) for k, v in
                 (("gamma", gamma), ("beta", beta), ("moving_mean", mean),
                  ("moving_variance", var))]
        return graph._node("BatchNormalization", [x, *names], f"{scope}/batch_normalization",
                           epsilon=layer.epsilon)
    scale = gamma / np.sqrt(var + layer.epsilon)  # the same affine map, for other axes
    scale_name = _const(graph, f"{prefix}/scale", _full(layer, scale))
    shift_name = _const(graph, f"{prefix}/shift", _full(layer, beta - mean * scale))
    scaled = graph._node("Mul", [x, scale_name], f"{scope}/scaled")
    return graph._node("Add", [scaled, shift_name], f"{scope}/batch_normalization")


def _layer_normalization(graph, layer, x: str, scope: str, prefix: str, opset: int) -> str:
    rank = len(layer.input_shape) + 1
    axes = layer._axes(rank)
    if opset < 17 or axes != tuple(range(axes[0], rank)):
        raise ConfigError(f"export: layer {layer.name!r} (LayerNormalization) exports as ONNX's "
                          "LayerNormalization, which needs opset 17 or later and the last "
                          f"axes (got opset {opset}, axes {list(axes)})")
    gamma, beta = _gamma_beta(layer, graph.dtype)
    names = [_const(graph, f"{prefix}/gamma", gamma), _const(graph, f"{prefix}/beta", beta)]
    return graph._node("LayerNormalization", [x, *names], f"{scope}/layer_normalization",
                       axis=axes[0], epsilon=layer.epsilon)
