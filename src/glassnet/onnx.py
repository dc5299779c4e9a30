"""Export a model to ONNX, to run it where glassnet is not installed (onnxruntime, browsers, C++).

Every graph exports: the model's layer calls become ONNX nodes in topological order. Each
``Dense`` becomes a ``Gemm`` (or a ``MatMul`` without bias) followed by its activation
(``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax`` over the last axis, ``LeakyRelu``, ``Exp``); the
merge layers become ``Add``, ``Sub``, ``Mul`` (chained for more than two inputs), ``Mean``,
``Max``, ``Min`` and ``Concat`` (on the same axis, the batch axis counting as 0);
``Flatten`` becomes ``Flatten(axis=1)``; ``Dropout`` is left out, as it does nothing at
inference. A layer called several times (a shared layer) has one set of initializers that
all its nodes read; a model used as a layer is inlined. The graph's inputs and outputs are
named by ``model.input_names`` and ``model.output_names``, their batch dimension is dynamic
(named ``batch``), and the element type is the model's dtype (float32 or float64). The file is
written atomically (see :func:`glassnet._files.atomic_write`) after ``onnx.checker.check_model``
accepts the graph. Needs the ``onnx`` extra.

Example
-------
>>> import os, tempfile, numpy as np, glassnet
>>> from glassnet.layers import Add, Dense, Input
>>> x = Input((2,), name="x")
>>> h = Dense(3, activation="relu", name="h")(x)
>>> y = Dense(2, activation="softmax", name="out")(Add(name="skip")([h, Dense(3, name="r")(h)]))
>>> model = glassnet.Model(x, y)
>>> proto = export(model, os.path.join(tempfile.mkdtemp(), "model.onnx"))
>>> [node.op_type for node in proto.graph.node]
['Gemm', 'Relu', 'Gemm', 'Add', 'Gemm', 'Softmax', 'Identity']
>>> [proto.graph.input[0].name, proto.graph.output[0].name]
['x', 'out']
"""

from __future__ import annotations

import numpy as np

try:
    import onnx
    from onnx import helper, numpy_helper
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("glassnet.onnx needs the onnx package: pip install 'glassnet[onnx]'"
                      ) from exc

from . import _onnx_toolkit
from ._checks import glassnet_model
from ._files import atomic_write, file_path
from .errors import ConfigError
from .layers import (
    Activation,
    Add,
    Average,
    Concatenate,
    Dense,
    Dropout,
    Flatten,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)

__all__ = ["DEFAULT_OPSET", "export"]

DEFAULT_OPSET = 17
MIN_OPSET = 13  # Softmax over one axis (not "flatten then softmax") and Gemm's current form
_ACTIVATION_OPS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
                   "leaky_relu": "LeakyRelu", "exponential": "Exp"}
# merge layer -> (ONNX op, whether the op is binary and is chained over more inputs)
_MERGE_OPS = {Add: ("Add", True), Subtract: ("Sub", True), Multiply: ("Mul", True),
              Average: ("Mean", False), Maximum: ("Max", False), Minimum: ("Min", False)}
_SUPPORTED = ("Dense, the activation layers, Add, Subtract, Multiply, Average, Maximum, Minimum, "
              "Concatenate, Flatten, Dropout, the noise layers, "
              f"{', '.join(_onnx_toolkit.LAYERS)} and models used as layers")


def export(model, path, opset: int = DEFAULT_OPSET, input_names=None, output_names=None):
    """Write ``model`` as an ONNX graph to ``path`` and return the ``onnx.ModelProto``.

    Parameters
    ----------
    model : glassnet.Model
        A built model (Sequential, functional or subclassed) of the layers listed above.
    path : str or os.PathLike
        Where to write the ``.onnx`` file.
    opset : int
        The ONNX operator set version, from 13 to the newest the installed ``onnx`` knows.
    input_names, output_names : list of str, or a str for one, optional
        The graph's input and output names (what ``onnxruntime`` calls them); by default
        ``model.input_names`` and ``model.output_names``.

    Returns
    -------
    onnx.ModelProto

    Example
    -------
    >>> import os, tempfile, glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(2, activation="tanh", input_shape=(3,), name="d")],
    ...                             dtype="float64")
    >>> proto = export(model, os.path.join(tempfile.mkdtemp(), "m.onnx"), opset=13,
    ...                input_names="features")
    >>> proto.opset_import[0].version, proto.graph.input[0].type.tensor_type.elem_type
    (13, 11)
    >>> proto.graph.input[0].name, proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    ('features', 'batch')

    Run it with ``onnxruntime.InferenceSession(path).run(None, {"features": x})``: one array
    per output, in ``model.output_names`` order.
    """
    glassnet_model(model, "export")
    target = file_path(path, "export")
    _check_opset(opset)
    if not model.built or model._graph is None:
        raise ConfigError(f"export: model {model.name!r} is not built yet; call it on data "
                          "(or give the first layer an input_shape) first")
    ins = _names(input_names, model.input_names, "input_names")
    outs = _names(output_names, model.output_names, "output_names")
    repeated = sorted({n for n in ins + outs if (ins + outs).count(n) > 1})
    if repeated:
        raise ConfigError(f"export: the graph's input and output names must differ, but "
                          f"{', '.join(map(repr, repeated))} repeats (from model.input_names "
                          f"{model.input_names} and output_names {model.output_names}); pass "
                          "input_names=[...] and output_names=[...] to name them")
    graph = _Graph(model)
    graph.opset = opset
    results = graph.add_model(model, ins)
    taken = ({n for node in graph.nodes for n in node.output} - set(results)) | {
        t.name for t in graph.initializers}
    clash = sorted(set(ins + outs) & taken)
    if clash:
        raise ConfigError(f"export: {', '.join(map(repr, clash))} is also the name of a tensor "
                          "inside the graph (layer outputs are named '<index>_<layer name>/...'); "
                          "choose other input_names / output_names")
    for result, name in zip(results, outs, strict=True):
        graph.nodes.append(helper.make_node("Identity", [result], [name], name=f"{name}/output"))
    elem = helper.np_dtype_to_tensor_dtype(model.dtype)
    values = [[helper.make_tensor_value_info(name, elem, ["batch", *t.shape[1:]])
               for name, t in zip(names, tensors, strict=True)]
              for names, tensors in ((ins, model.inputs), (outs, model.outputs))]
    proto = helper.make_model(
        helper.make_graph(graph.nodes, model.name, *values, graph.initializers),
        opset_imports=[helper.make_opsetid("", opset)], producer_name="glassnet",
        producer_version=_version())
    proto.ir_version = helper.find_min_ir_version_for([helper.make_opsetid("", opset)])
    try:
        onnx.checker.check_model(proto, full_check=True)
    except onnx.checker.ValidationError as exc:
        raise ConfigError(f"export: the ONNX graph of model {model.name!r} is not valid: "
                          f"{' '.join(str(exc).split())[:300]}") from None
    atomic_write(target, proto.SerializeToString(), "the ONNX model")
    return proto


def _check_opset(opset) -> None:
    newest = onnx.defs.onnx_opset_version()
    if not isinstance(opset, int) or isinstance(opset, bool) or not MIN_OPSET <= opset <= newest:
        raise ConfigError(f"export: opset must be an integer from {MIN_OPSET} to {newest} (the "
                          f"newest the installed onnx knows), got {opset!r}")


def _names(given, default: list[str], what: str) -> list[str]:
    """The graph's input (or output) names: ``given`` (a str for one, or a list) or the model's."""
    if given is None:
        return list(default)
    names = [given] if isinstance(given, str) else given
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"export: {what} must be a non-empty str or a list of them, got "
                          f"{given!r}")
    if len(names) != len(default):
        raise ConfigError(f"export: {what} needs {len(default)} name(s), one per model "
                          f"{what.split('_')[0]} ({default}), got {len(names)}: {list(names)}")
    return list(names)


def _version() -> str:
    from . import __version__

    return __version__


class _Graph:
    """Nodes and initializers, built call by call.

    A layer's weights get one initializer, named ``<i>_<layer name>/<weight>`` by the layer's
    position ``i`` in ``model._leaf_layers()``; its first call's nodes are named
    ``<i>_<name>/<op>`` and later calls' ``<i>_<name>/call<k>/<op>``.
    """

    def __init__(self, model):
        self.dtype = model.dtype
        self.opset = DEFAULT_OPSET
        self.nodes: list = []
        self.initializers: list = []
        self._index: dict[int, int] = {}
        for i, layer in enumerate(model._leaf_layers()):
            self._index.setdefault(id(layer), i)
        self._weights: dict[tuple[int, str], str] = {}
        self._calls: dict[int, int] = {}

    def add_model(self, model, inputs: list[str]) -> list[str]:
        """Inline ``model``'s graph on the tensors named ``inputs``; its outputs' names."""
        names = {id(t): name for t, name in zip(model._graph.inputs, inputs, strict=True)}
        for step in model._graph.steps:
            node = step.node
            args = [names[id(t)] for t in node.inputs]
            results = self._add_call(step.layer, args, model)
            for t, name in zip(node.outputs, results, strict=True):
                names[id(t)] = name
        return [names[id(t)] for t in model._graph.outputs]

    def _add_call(self, layer, args: list[str], model) -> list[str]:
        if getattr(layer, "_graph", None) is not None:
            return self.add_model(layer, args)
        call = self._calls.get(id(layer), 0)
        self._calls[id(layer)] = call + 1
        prefix = f"{self._index[id(layer)]}_{layer.name}"
        scope = prefix if call == 0 else f"{prefix}/call{call}"
        if isinstance(layer, Dropout):
            return args
        if isinstance(layer, Flatten):
            return [self._node("Flatten", args, f"{scope}/flatten", axis=1)]
        if isinstance(layer, Dense):
            kernel = self._constant(layer, prefix, "kernel")
            if layer.use_bias:
                out = self._node("Gemm", [*args, kernel, self._constant(layer, prefix, "bias")],
                                 f"{scope}/gemm")
            else:
                out = self._node("MatMul", [*args, kernel], f"{scope}/matmul")
            return [self._activation(out, scope, layer)]
        if isinstance(layer, Activation):
            return [self._activation(args[0], scope, layer)]
        if isinstance(layer, Concatenate):
            axis = layer._feature_axis(len(layer.output_shape)) + 1
            return [self._node("Concat", args, f"{scope}/concat", axis=axis)]
        if type(layer) in _MERGE_OPS:
            return [self._merge(type(layer), args, scope)]
        if type(layer).__name__ == "Lambda":
            raise ConfigError(f"export: layer {layer.name!r} in model {model.name!r} is a Lambda: "
                              "its function is Python code, which an ONNX file cannot hold; "
                              "build that step from glassnet's layers to export the model")
        if type(layer).__name__ in _onnx_toolkit.LAYERS:
            return _onnx_toolkit.layer_nodes(self, layer, args, scope, prefix, self.opset)
        raise ConfigError(f"export: layer {layer.name!r} ({type(layer).__name__}) in model "
                          f"{model.name!r} has no ONNX form yet; supported: {_SUPPORTED}")

    def _merge(self, cls, args: list[str], scope: str) -> str:
        op, binary = _MERGE_OPS[cls]
        if len(args) == 1:
            return self._node("Identity", args, f"{scope}/identity")
        if not binary:
            return self._node(op, args, f"{scope}/{op.lower()}")
        out = args[0]  # ((a + b) + c) + ..., the order glassnet adds in
        for k, arg in enumerate(args[1:], 1):
            suffix = "" if len(args) == 2 else str(k)
            out = self._node(op, [out, arg], f"{scope}/{op.lower()}{suffix}")
        return out

    def _node(self, op: str, inputs: list[str], name: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def _constant(self, layer, prefix: str, weight: str) -> str:
        """The initializer of ``layer``'s ``weight``, made on its first use only."""
        key = (id(layer), weight)
        if key not in self._weights:
            name = self._weights[key] = f"{prefix}/{weight}"
            array = np.ascontiguousarray(getattr(layer, weight), dtype=self.dtype)
            self.initializers.append(numpy_helper.from_array(array, name))
        return self._weights[key]

    def _activation(self, current: str, scope: str, layer) -> str:
        activation = layer.activation
        if activation.name == "linear":
            return current
        op = _ACTIVATION_OPS.get(activation.name)
        if (op is None or type(activation).__name__ == "KerasReLU") and \
                activation.name in _onnx_toolkit.ACTIVATIONS:
            return _onnx_toolkit.activation_nodes(self, current, scope, activation, self.opset)
        if op is None:
            raise ConfigError(f"export: activation {activation.name!r} in layer {layer.name!r} "
                              f"has no ONNX form yet; supported: {', '.join(_ACTIVATION_OPS)}")
        attrs = {"axis": getattr(activation, "axis", -1)} if op == "Softmax" else {}
        if op == "LeakyRelu":
            attrs = {"alpha": activation.negative_slope}
        return self._node(op, [current], f"{scope}/{activation.name}", **attrs)
