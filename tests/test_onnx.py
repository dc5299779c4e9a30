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
    return session.run(None, {"input": x})[0]


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
                                 input_name="pixels", output_name="scores")
    assert [n.op_type for n in proto.graph.node] == ["Flatten", "Gemm", "LeakyRelu", "MatMul",
                                                     "Identity"]
    assert proto.opset_import[0].version == 13 and proto.producer_name == "glassnet"
    assert sorted(i.name for i in proto.graph.initializer) == [
        "1_hidden/bias", "1_hidden/kernel", "3_out/kernel"]
    (alpha,) = proto.graph.node[2].attribute
    assert alpha.name == "alpha" and alpha.f == pytest.approx(0.3)
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

    with pytest.raises(ConfigError, match=r"layer 'sq' \(Square\) has no ONNX form"):
        glassnet_onnx.export(glassnet.Sequential([Square(name="sq", input_shape=(2,))]),
                             tmp_path / "m.onnx")
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
