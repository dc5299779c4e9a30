"""Export a model to ONNX, to run it where glassnet is not installed (onnxruntime, browsers, C++).

Each ``Dense`` becomes a ``Gemm`` (or a ``MatMul`` without bias) followed by its activation
(``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax`` over the last axis, ``LeakyRelu``); ``Flatten``
becomes ``Flatten(axis=1)``; ``Dropout`` is left out, as it does nothing at inference. The
batch dimension is dynamic (named ``batch``); the element type is the model's dtype (float32 or
float64). The file is written atomically (see :func:`glassnet._files.atomic_write`) after
``onnx.checker.check_model`` accepts the graph. Needs the ``onnx`` extra.

Example
-------
>>> import os, tempfile, numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(3, activation="relu", input_shape=(2,), name="h"),
...                              Dense(2, activation="softmax", name="out")])
>>> proto = export(model, os.path.join(tempfile.mkdtemp(), "model.onnx"))
>>> [node.op_type for node in proto.graph.node]
['Gemm', 'Relu', 'Gemm', 'Softmax', 'Identity']
"""

from __future__ import annotations

import numpy as np

try:
    import onnx
    from onnx import helper, numpy_helper
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("glassnet.onnx needs the onnx package: pip install 'glassnet[onnx]'"
                      ) from exc

from ._checks import glassnet_model
from ._files import atomic_write, file_path
from .errors import ConfigError
from .layers import Activation, Dense, Dropout, Flatten

__all__ = ["DEFAULT_OPSET", "export"]

DEFAULT_OPSET = 17
MIN_OPSET = 13  # Softmax over one axis (not "flatten then softmax") and Gemm's current form
_ACTIVATION_OPS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softmax": "Softmax",
                   "leaky_relu": "LeakyRelu", "exponential": "Exp"}


def export(model, path, opset: int = DEFAULT_OPSET, input_name: str = "input",
           output_name: str = "output"):
    """Write ``model`` as an ONNX graph to ``path`` and return the ``onnx.ModelProto``.

    Parameters
    ----------
    model : glassnet.Model
        A built model of Dense, Flatten, Dropout and activation layers.
    path : str or os.PathLike
        Where to write the ``.onnx`` file.
    opset : int
        The ONNX operator set version, from 13 to the newest the installed ``onnx`` knows.
    input_name, output_name : str
        The graph's input and output names (what ``onnxruntime`` calls them).

    Returns
    -------
    onnx.ModelProto

    Example
    -------
    >>> import os, tempfile, glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(2, activation="tanh", input_shape=(3,), name="d")],
    ...                             dtype="float64")
    >>> proto = export(model, os.path.join(tempfile.mkdtemp(), "m.onnx"), opset=13)
    >>> proto.opset_import[0].version, proto.graph.input[0].type.tensor_type.elem_type
    (13, 11)
    >>> proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param
    'batch'

    Run it with ``onnxruntime.InferenceSession(path).run(None, {"input": x})[0]``.
    """
    glassnet_model(model, "export")
    target = file_path(path, "export")
    newest = onnx.defs.onnx_opset_version()
    if not isinstance(opset, int) or isinstance(opset, bool) or not MIN_OPSET <= opset <= newest:
        raise ConfigError(f"export: opset must be an integer from {MIN_OPSET} to {newest} (the "
                          f"newest the installed onnx knows), got {opset!r}")
    if not model.built:
        raise ConfigError(f"export: model {model.name!r} is not built yet; call it on data "
                          "(or give the first layer an input_shape) first")
    for what, name in (("input_name", input_name), ("output_name", output_name)):
        if not isinstance(name, str) or not name:
            raise ConfigError(f"export: {what} must be a non-empty string, got {name!r}")
    if input_name == output_name:
        raise ConfigError(f"export: input_name and output_name are both {input_name!r}; an ONNX "
                          "graph needs two different names")
    graph = _Graph(model, input_name)
    for i, layer in enumerate(model.layers):
        graph.add_layer(i, layer)
    taken = {n for node in graph.nodes for n in node.output} | {t.name for t in
                                                                graph.initializers}
    for what, name in (("input_name", input_name), ("output_name", output_name)):
        if name in taken:
            raise ConfigError(f"export: {what}={name!r} is also the name of a tensor inside the "
                              "graph (layer outputs are named '<index>_<layer name>/...'); "
                              "choose another name")
    elem = helper.np_dtype_to_tensor_dtype(model.dtype)
    inputs = [helper.make_tensor_value_info(input_name, elem, ["batch", *model.input_shape])]
    outputs = [helper.make_tensor_value_info(output_name, elem, ["batch", *model.output_shape])]
    graph.nodes.append(helper.make_node("Identity", [graph.current], [output_name]))
    proto = helper.make_model(
        helper.make_graph(graph.nodes, model.name, inputs, outputs, graph.initializers),
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


def _version() -> str:
    from . import __version__

    return __version__


class _Graph:
    """Nodes and initializers, built layer by layer; ``current`` names the latest output."""

    def __init__(self, model, input_name: str):
        self.dtype = model.dtype
        self.nodes: list = []
        self.initializers: list = []
        self.current = input_name

    def _node(self, op: str, inputs: list[str], name: str, **attrs) -> None:
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        self.current = name

    def _constant(self, name: str, value: np.ndarray) -> str:
        array = np.ascontiguousarray(value, dtype=self.dtype)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def add_layer(self, i: int, layer) -> None:
        prefix = f"{i}_{layer.name}"
        if isinstance(layer, Dropout):
            return
        if isinstance(layer, Flatten):
            self._node("Flatten", [self.current], prefix, axis=1)
        elif isinstance(layer, Dense):
            kernel = self._constant(f"{prefix}/kernel", layer.kernel)
            if layer.use_bias:
                bias = self._constant(f"{prefix}/bias", layer.bias)
                self._node("Gemm", [self.current, kernel, bias], f"{prefix}/gemm")
            else:
                self._node("MatMul", [self.current, kernel], f"{prefix}/matmul")
            self.add_activation(prefix, layer.activation)
        elif isinstance(layer, Activation):
            self.add_activation(prefix, layer.activation)
        else:
            raise ConfigError(f"export: layer {layer.name!r} ({type(layer).__name__}) has no "
                              "ONNX form yet; supported: Dense, Flatten, Dropout, activations")

    def add_activation(self, prefix: str, activation) -> None:
        if activation.name == "linear":
            return
        op = _ACTIVATION_OPS.get(activation.name)
        if op is None:
            raise ConfigError(f"export: activation {activation.name!r} in layer {prefix!r} has "
                              f"no ONNX form yet; supported: {', '.join(_ACTIVATION_OPS)}")
        attrs = {"axis": -1} if op == "Softmax" else {}
        if op == "LeakyRelu":
            attrs = {"alpha": activation.negative_slope}
        self._node(op, [self.current], f"{prefix}/{activation.name}", **attrs)
