"""ONNX export: the graph passes onnx.checker and onnxruntime matches model.predict."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
glassnet_onnx = pytest.importorskip("glassnet.onnx")

CASES = {
    "dense_linear": lambda: [layers.Dense(5, input_shape=(4,))],
    "dense_no_bias": lambda: [layers.Dense(5, use_bias=False, input_shape=(4,))],
    "dense_relu": lambda: [layers.Dense(5, activation="relu", input_shape=(4,))],
    "dense_sigmoid": lambda: [layers.Dense(5, activation="sigmoid", input_shape=(4,))],
    "dense_tanh": lambda: [layers.Dense(5, activation="tanh", input_shape=(4,))],
    "dense_softmax": lambda: [layers.Dense(5, activation="softmax", input_shape=(4,))],
    "dense_exponential": lambda: [layers.Dense(5, activation="exponential", input_shape=(4,))],
    "dense_leaky": lambda: [layers.Dense(5, activation={"name": "leaky_relu",
                                                        "negative_slope": 0.2},
                                         input_shape=(4,))],
    "relu_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.ReLU()],
    "sigmoid_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.Sigmoid()],
    "tanh_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.Tanh()],
    "softmax_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.Softmax()],
    "leaky_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.LeakyReLU(0.3)],
    "steep_leaky_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.LeakyReLU(1.5)],
    "activation_layer": lambda: [layers.Dense(5, input_shape=(4,)), layers.Activation("tanh")],
    "flatten": lambda: [layers.Flatten(input_shape=(2, 3, 2)), layers.Dense(3)],
    "dropout": lambda: [layers.Dense(6, activation="relu", input_shape=(4,)),
                        layers.Dropout(0.5), layers.Dense(2, activation="softmax")],
}


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_onnxruntime_matches_predict_for_every_layer_type(tmp_path, case, dtype):
    model = glassnet.Sequential(CASES[case](), dtype=dtype)
    proto = glassnet_onnx.export(model, tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(tmp_path / "m.onnx"), full_check=True)
    assert "Dropout" not in [n.op_type for n in proto.graph.node]
    rng = np.random.default_rng(0)
    for batch in (1, 37):  # the batch dimension is dynamic
        x = (rng.normal(size=(batch, *model.input_shape)) * 3).astype(dtype)
        out = run_onnx(tmp_path / "m.onnx", x)
        assert out.dtype == np.dtype(dtype) and out.shape == (batch, *model.output_shape)
        # atol for outputs near 0, rtol for large ones (an exponential layer's reach 400)
        np.testing.assert_allclose(out, model.predict(x), rtol=1e-6, atol=1e-5)


def test_graph_structure_names_and_types(tmp_path):
    model = glassnet.Sequential([layers.Flatten(input_shape=(2, 2), name="flat"),
                                 layers.Dense(3, activation="leaky_relu", name="hidden"),
                                 layers.Dropout(0.2, name="drop"),
                                 layers.Dense(2, use_bias=False, name="out")], dtype="float64")
    proto = glassnet_onnx.export(model, tmp_path / "m.onnx", opset=13,
                                 input_names="pixels", output_names=["scores"])
    assert [n.op_type for n in proto.graph.node] == ["Flatten", "Gemm", "LeakyRelu", "MatMul",
                                                     "Identity"]
    assert proto.opset_import[0].version == 13 and proto.producer_name == "glassnet"
    assert sorted(i.name for i in proto.graph.initializer) == [
        "1_hidden/bias", "1_hidden/kernel", "3_out/kernel"]
    (alpha,) = proto.graph.node[2].attribute
    assert alpha.name == "alpha" and alpha.f == pytest.approx(0.2)  # Keras's 'leaky_relu'
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [proto.graph.input[0].name, dims[0].dim_param, dims[1].dim_value,
            dims[2].dim_value] == ["pixels", "batch", 2, 2]
    assert proto.graph.output[0].name == "scores"
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    weights = {i.name: onnx.numpy_helper.to_array(i) for i in proto.graph.initializer}
    np.testing.assert_array_equal(weights["3_out/kernel"], model.layers[3].kernel)


def test_mnist_model_on_real_test_images(tmp_path):
    from glassnet.datasets import mnist

    _, (x_test, y_test) = mnist.load_data()
    x = (x_test[:500].reshape(-1, 784) / 255.0).astype("float32")
    model = glassnet.Sequential([layers.Dense(128, activation="relu", input_shape=(784,)),
                                 layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:300], y_test[:300], epochs=2, batch_size=50, verbose=0, seed=0)
    glassnet_onnx.export(model, tmp_path / "mnist.onnx")
    out = run_onnx(tmp_path / "mnist.onnx", x)
    expected = model.predict(x)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-5)
    assert (out.argmax(1) == expected.argmax(1)).all()


def test_bad_requests_are_refused_and_write_nothing(tmp_path):
    with pytest.raises(ConfigError, match="opset must be an integer from 13"):
        glassnet_onnx.export(glassnet.Sequential([layers.Dense(1, input_shape=(2,))]),
                             tmp_path / "m.onnx", opset=9)
    with pytest.raises(ConfigError, match="not built yet"):
        glassnet_onnx.export(glassnet.Sequential([layers.Dense(1)]), tmp_path / "m.onnx")

    class Square(layers.Layer):
        def forward(self, x, training=False):
            return x * x

    model = glassnet.Sequential([Square(name="sq", input_shape=(2,))], name="sq_model")
    with pytest.raises(ConfigError, match=r"layer 'sq' \(Square\) in model 'sq_model' has no "
                                          "ONNX form"):
        glassnet_onnx.export(model, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_export_names_a_bad_model_or_path(tmp_path):
    from glassnet.onnx import export

    model = glassnet.Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    history_like = {"loss": [1.0]}
    with pytest.raises(ConfigError, match=r"export: needs a glassnet model \(Sequential or "
                                          r"Model\), got dict"):
        export(history_like, tmp_path / "m.onnx")
    with pytest.raises(ConfigError, match=r"export: path must be a file name.*got NoneType"):
        export(model, None)
    assert list(tmp_path.iterdir()) == []


# -- graphs: branches, merges, several inputs and outputs, shared layers, nested models -------
def _randomise(model, seed=0):
    """Non-zero biases too (a fresh Dense's are zero, which would hide a missing bias)."""
    gen = np.random.default_rng(seed)
    model.set_weights([gen.normal(scale=0.5, size=w.shape) for w in model.get_weights()])
    return model


def _export_and_run(model, tmp_path, xs):
    """(ONNX outputs, the proto) for inputs ``xs`` (one array per model input)."""
    proto = glassnet_onnx.export(model, tmp_path / "g.onnx")
    onnx.checker.check_model(onnx.load(tmp_path / "g.onnx"), full_check=True)
    session = ort.InferenceSession(str(tmp_path / "g.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == model.input_names
    assert [o.name for o in session.get_outputs()] == model.output_names
    return session.run(None, dict(zip(model.input_names, xs, strict=True))), proto


def _close(got, expected, dtype):
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def _ops(proto):
    return [n.op_type for n in proto.graph.node]


def _wide_and_deep(dtype):
    wide, deep = glassnet.Input((6,), name="wide", dtype=dtype), glassnet.Input(
        (8,), name="deep", dtype=dtype)
    h = layers.Dense(16, activation="relu", name="d1")(deep)
    h = layers.Dense(8, activation="tanh", name="d2")(h)
    joined = layers.Concatenate(name="joined")([wide, h])
    return glassnet.Model([wide, deep], layers.Dense(3, activation="softmax", name="y")(joined))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_wide_and_deep_trained_matches_predict(tmp_path, dtype):
    model = _wide_and_deep(dtype)
    gen = np.random.default_rng(1)
    xs = [gen.normal(size=(40, 6)).astype(dtype), gen.normal(size=(40, 8)).astype(dtype)]
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(xs, gen.integers(0, 3, 40), epochs=3, batch_size=8, verbose=0, seed=0)
    (out,), proto = _export_and_run(model, tmp_path, xs)
    _close(out, model.predict(xs), dtype)
    assert _ops(proto) == ["Gemm", "Relu", "Gemm", "Tanh", "Concat", "Gemm", "Softmax",
                           "Identity"]
    assert proto.graph.node[4].attribute[0].i == 1 and proto.graph.node[4].input[0] == "wide"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_residual_mlp_matches_predict(tmp_path, dtype):
    x_in = glassnet.Input((5,), name="x", dtype=dtype)
    h = layers.Dense(7, activation="relu", name="stem")(x_in)
    for block in range(2):
        r = layers.Dense(7, activation="relu", name=f"r{block}a")(h)
        r = layers.Dense(7, name=f"r{block}b")(r)
        h = layers.ReLU(name=f"relu{block}")(layers.add([h, r], name=f"skip{block}"))
    model = _randomise(glassnet.Model(x_in, layers.Dense(2, name="head")(h)))
    x = np.random.default_rng(2).normal(size=(33, 5)).astype(dtype)
    (out,), proto = _export_and_run(model, tmp_path, [x])
    _close(out, model.predict(x), dtype)
    adds = [n for n in proto.graph.node if n.op_type == "Add"]
    assert [list(n.input) for n in adds] == [["0_stem/relu", "2_r0b/gemm"],
                                             ["4_relu0/relu", "6_r1b/gemm"]]


def test_two_inputs_two_outputs_with_dict_outputs_and_a_dropout_output(tmp_path):
    a, b = glassnet.Input((3,), name="a"), glassnet.Input((4,), name="b")
    h = layers.Dense(5, activation="sigmoid", name="h")(layers.concatenate([a, b]))
    score = layers.Dense(1, activation="exponential", name="score_dense")(h)
    dropped = layers.Dropout(0.5, name="drop")(layers.Dense(2, name="code")(h))
    model = _randomise(glassnet.Model([a, b], {"score": score, "code": dropped}))
    gen = np.random.default_rng(3)
    xs = [gen.normal(size=(9, 3)).astype("float32"), gen.normal(size=(9, 4)).astype("float32")]
    outs, proto = _export_and_run(model, tmp_path, xs)
    expected = model.predict(xs)
    assert model.output_names == ["score", "code"] and len(outs) == 2
    for name, got in zip(model.output_names, outs, strict=True):
        _close(got, expected[name], "float32")
    assert "Dropout" not in _ops(proto) and proto.graph.node[-1].input == ["3_code/gemm"]


def test_a_shared_layer_is_one_initializer_read_by_each_call(tmp_path):
    x1, x2 = glassnet.Input((3,), name="left"), glassnet.Input((3,), name="right")
    shared = layers.Dense(4, activation="tanh", name="shared")
    left, right = shared(x1), shared(x2)
    out = layers.Dense(1, name="out")(layers.concatenate([left, right, shared(x2)]))
    model = _randomise(glassnet.Model([x1, x2], out))
    gen = np.random.default_rng(4)
    xs = [gen.normal(size=(6, 3)).astype("float32"), gen.normal(size=(6, 3)).astype("float32")]
    (got,), proto = _export_and_run(model, tmp_path, xs)
    _close(got, model.predict(xs), "float32")
    assert sorted(i.name for i in proto.graph.initializer) == [
        "0_shared/bias", "0_shared/kernel", "2_out/bias", "2_out/kernel"]
    gemms = [n for n in proto.graph.node if n.op_type == "Gemm"]
    assert [n.name for n in gemms[:3]] == ["0_shared/gemm", "0_shared/call1/gemm",
                                           "0_shared/call2/gemm"]
    assert all(list(n.input[1:]) == ["0_shared/kernel", "0_shared/bias"] for n in gemms[:3])


def test_nested_models_are_inlined_and_a_twice_used_one_shares_its_weights(tmp_path):
    enc_in = glassnet.Input((4,), name="enc_in", dtype="float64")
    encoder = glassnet.Model(enc_in, layers.Dense(3, activation="tanh", name="enc")(enc_in),
                             name="encoder")
    head = glassnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,), name="hd"),
                                layers.Dense(2, activation="softmax", name="probs")],
                               name="head", dtype="float64")
    a, b = glassnet.Input((4,), name="a", dtype="float64"), glassnet.Input((4,), name="b",
                                                                          dtype="float64")
    distance = layers.Subtract(name="distance")([encoder(a), encoder(b)])
    model = _randomise(glassnet.Model([a, b], head(distance), name="siamese"))
    gen = np.random.default_rng(5)
    xs = [gen.normal(size=(7, 4)), gen.normal(size=(7, 4))]
    (got,), proto = _export_and_run(model, tmp_path, xs)
    _close(got, model.predict(xs), "float64")
    assert _ops(proto) == ["Gemm", "Tanh", "Gemm", "Tanh", "Sub", "Gemm", "Relu", "Gemm",
                           "Softmax", "Identity"]
    assert sorted(i.name for i in proto.graph.initializer) == [
        "0_enc/bias", "0_enc/kernel", "2_hd/bias", "2_hd/kernel", "3_probs/bias",
        "3_probs/kernel"]


def test_a_nested_model_called_with_a_dict_gets_its_inputs_by_name(tmp_path):
    p, q = glassnet.Input((2,), name="p"), glassnet.Input((3,), name="q")
    inner = glassnet.Model([p, q], layers.Dense(2, name="mix")(layers.concatenate([p, q])),
                           name="inner")
    u, v = glassnet.Input((3,), name="u"), glassnet.Input((2,), name="v")
    model = _randomise(glassnet.Model([u, v], inner({"q": u, "p": v})))
    gen = np.random.default_rng(6)
    xs = [gen.normal(size=(4, 3)).astype("float32"), gen.normal(size=(4, 2)).astype("float32")]
    (got,), proto = _export_and_run(model, tmp_path, xs)
    _close(got, model.predict(xs), "float32")
    (concat,) = [n for n in proto.graph.node if n.op_type == "Concat"]
    assert list(concat.input) == ["v", "u"]


MERGES = {
    "add": (layers.Add, 3, ["Add", "Add"]),
    "subtract": (layers.Subtract, 2, ["Sub"]),
    "multiply": (layers.Multiply, 3, ["Mul", "Mul"]),
    "average": (layers.Average, 3, ["Mean"]),
    "maximum": (layers.Maximum, 3, ["Max"]),
    "minimum": (layers.Minimum, 3, ["Min"]),
    "concatenate": (layers.Concatenate, 3, ["Concat"]),
    "add_one_input": (layers.Add, 1, ["Identity"]),
}


@pytest.mark.parametrize("merge", sorted(MERGES))
def test_every_merge_layer_is_its_onnx_node(tmp_path, merge):
    cls, n, ops = MERGES[merge]
    inputs = [glassnet.Input((4,), name=f"in{i}") for i in range(n)]
    branches = [layers.Dense(4, activation="tanh", name=f"b{i}")(x) for i, x in enumerate(inputs)]
    model = _randomise(glassnet.Model(inputs, cls(name="merge")(branches if n > 1 else
                                                                branches[0:1])))
    gen = np.random.default_rng(7)
    xs = [gen.normal(size=(11, 4)).astype("float32") for _ in range(n)]
    (got,), proto = _export_and_run(model, tmp_path, xs)
    _close(got, model.predict(xs if n > 1 else xs[0]), "float32")
    assert _ops(proto) == ["Gemm", "Tanh"] * n + ops + ["Identity"]


@pytest.mark.parametrize("axis, shapes, onnx_axis", [(-1, [(2, 3), (2, 5)], -1 % 3),
                                                     (1, [(2, 3), (4, 3)], 1),
                                                     (-2, [(2, 3), (4, 3)], 1),
                                                     (2, [(2, 3), (2, 1)], 2)])
def test_concatenate_on_each_axis_of_3d_inputs(tmp_path, axis, shapes, onnx_axis):
    inputs = [glassnet.Input(s, name=f"x{i}", dtype="float64") for i, s in enumerate(shapes)]
    joined = layers.Concatenate(axis=axis, name="cat")(inputs)
    out = layers.Dense(2, name="d")(layers.Flatten(name="flat")(joined))
    model = _randomise(glassnet.Model(inputs, [out, joined]), seed=8)
    gen = np.random.default_rng(8)
    xs = [gen.normal(size=(5, *s)) for s in shapes]
    outs, proto = _export_and_run(model, tmp_path, xs)
    for got, expected in zip(outs, model.predict(xs), strict=True):
        _close(got, expected, "float64")
    (concat,) = [n for n in proto.graph.node if n.op_type == "Concat"]
    assert concat.attribute[0].i == onnx_axis


def test_a_subclassed_model_exports_its_traced_graph(tmp_path):
    class Residual(glassnet.Model):
        def __init__(self):
            super().__init__(name="residual_sub")
            self.inner = layers.Dense(3, activation="relu", name="inner")
            self.mix = layers.Dense(3, name="mix")

        def call(self, x, training=None):
            return layers.Add(name="plus")([x, self.mix(self.inner(x))])

    model = Residual()
    with pytest.raises(ConfigError, match="not built yet"):
        glassnet_onnx.export(model, tmp_path / "m.onnx")
    x = np.random.default_rng(9).normal(size=(6, 3)).astype("float32")
    model.predict(x)
    _randomise(model)
    (got,), proto = _export_and_run(model, tmp_path, [x])
    _close(got, model.predict(x), "float32")
    assert _ops(proto) == ["Gemm", "Relu", "Gemm", "Add", "Identity"]


def test_graph_export_refusals_name_the_problem(tmp_path):
    x = glassnet.Input((2,), name="x")
    same = glassnet.Model(x, layers.Dropout(0.1, name="x_out")(x))
    with pytest.raises(ConfigError, match=r"input_names needs 1 name\(s\).*got 2"):
        glassnet_onnx.export(same, tmp_path / "m.onnx", input_names=["a", "b"])
    with pytest.raises(ConfigError, match="output_names must be a non-empty str"):
        glassnet_onnx.export(same, tmp_path / "m.onnx", output_names=[3])
    with pytest.raises(ConfigError, match=r"'both' repeats.*pass input_names"):
        glassnet_onnx.export(same, tmp_path / "m.onnx", input_names="both",
                             output_names="both")

    class Square(layers.Layer):
        def forward(self, x, training=False):
            return x * x

    inner_in = glassnet.Input((2,))
    inner = glassnet.Model(inner_in, Square(name="sq")(inner_in), name="inner")
    outer = glassnet.Model(x, layers.Dense(1)(inner(x)))
    with pytest.raises(ConfigError, match=r"layer 'sq' \(Square\) in model 'inner' has no ONNX"):
        glassnet_onnx.export(outer, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []
    # a Dropout straight from the input to the output is an Identity between two names
    proto = glassnet_onnx.export(same, tmp_path / "m.onnx", output_names="y")
    assert _ops(proto) == ["Identity"] and list(proto.graph.node[0].input) == ["x"]
