"""ONNX export of the toolkit's layers and activations: onnxruntime matches predict."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
glassnet_onnx = pytest.importorskip("glassnet.onnx")

ACTIVATIONS = ["elu", {"name": "elu", "alpha": 0.3}, "selu", "gelu",
               {"name": "gelu", "approximate": True}, "silu", "softplus", "softsign",
               "hard_sigmoid", "hard_silu", "relu6", "mish", "log_softmax",
               {"name": "relu", "max_value": 1.0, "negative_slope": 0.1, "threshold": 0.2}]




LAYERS = {
    "batch_norm": lambda: [layers.Dense(5, input_shape=(4,)), layers.BatchNormalization()],
    "batch_norm_3d": lambda: [layers.Reshape((2, 2), input_shape=(4,)),
                              layers.BatchNormalization(axis=-1, center=False), layers.Flatten()],
    "layer_norm": lambda: [layers.Dense(6, input_shape=(4,)), layers.LayerNormalization()],
    "layer_norm_2": lambda: [layers.Reshape((2, 2), input_shape=(4,)),
                             layers.LayerNormalization(axis=[1, 2]), layers.Flatten()],
    "normalization": lambda: [layers.Normalization(mean=[1.0, 2.0, 0.0, -1.0],
                                                   variance=[4.0, 1.0, 2.0, 9.0],
                                                   input_shape=(4,))],
    "denormalization": lambda: [layers.Normalization(mean=1.0, variance=4.0, invert=True,
                                                     input_shape=(4,))],
    "noise": lambda: [layers.GaussianNoise(0.2, input_shape=(4,)), layers.GaussianDropout(0.2),
                      layers.AlphaDropout(0.2), layers.Identity(), layers.Dense(2)],
    "elu_prelu": lambda: [layers.Dense(6, input_shape=(4,)), layers.ELU(0.5),
                          layers.PReLU(alpha_initializer="random_uniform")],
    "prelu_shared": lambda: [layers.Reshape((2, 2), input_shape=(4,)),
                             layers.PReLU(shared_axes=[1],
                                          alpha_initializer="random_uniform"),
                             layers.Flatten()],
    "relu_options": lambda: [layers.ReLU(max_value=1.5, threshold=0.5, negative_slope=0.2,
                                         input_shape=(4,))],
    "softmax_axis": lambda: [layers.Reshape((2, 2), input_shape=(4,)), layers.Softmax(axis=1),
                             layers.Flatten()],
}


def _run(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {i.name: v for i, v in zip(session.get_inputs(), x, strict=True)}
    return session.run(None, feeds)[0]


def _check(model, tmp_path, xs, opset=glassnet_onnx.DEFAULT_OPSET, tol=1e-5):
    proto = glassnet_onnx.export(model, tmp_path / "m.onnx", opset=opset)
    onnx.checker.check_model(onnx.load(tmp_path / "m.onnx"), full_check=True)
    expected = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    np.testing.assert_allclose(_run(tmp_path / "m.onnx", xs), expected, rtol=tol, atol=tol)
    return [n.op_type for n in proto.graph.node]


@pytest.mark.parametrize("opset", [13, 17, 20])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_dense_activations(tmp_path, activation, opset):
    model = glassnet.Sequential([layers.Dense(5, activation=activation, input_shape=(4,))])
    x = (np.random.default_rng(0).normal(size=(9, 4)) * 3).astype("float32")
    ops = _check(model, tmp_path, [x], opset=opset)
    if activation == "gelu":
        assert ("Gelu" in ops) == (opset >= 20)


@pytest.mark.parametrize("case", sorted(LAYERS))
def test_layers(tmp_path, case):
    model = glassnet.Sequential(LAYERS[case]())
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype("float32")
    model.compile("adam", "mse")
    model.fit(x, rng.normal(size=(32, *model.output_shape)).astype("float32"), epochs=2,
              verbose=0, seed=0)  # moving statistics away from their start
    ops = _check(model, tmp_path, [(x * 2 + 1).astype("float32")])
    assert "Dropout" not in ops and "RandomNormal" not in ops
    if case == "batch_norm":
        assert "BatchNormalization" in ops


def test_embedding_as_gather(tmp_path):
    cat, num = layers.Input((2,), name="cat"), layers.Input((3,), name="num")
    emb = layers.Flatten()(layers.Embedding(6, 2, name="emb")(cat))
    model = glassnet.Model([cat, num], layers.Dense(2)(layers.concatenate([emb, num])))
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 6, size=(7, 2)).astype("float32")
    ops = _check(model, tmp_path, [codes, rng.normal(size=(7, 3)).astype("float32")])
    assert ["Cast", "Gather"] == ops[:2]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_float64_models_export(tmp_path, activation):
    model = glassnet.Sequential([layers.Dense(5, activation=activation, input_shape=(4,)),
                                 layers.BatchNormalization(), layers.ELU(),
                                 layers.LayerNormalization(), layers.PReLU()], dtype="float64")
    x = np.random.default_rng(3).normal(size=(5, 4)) * 3
    _check(model, tmp_path, [x], tol=1e-6 if activation == "gelu" else 1e-7)


def test_layer_normalization_needs_opset_17(tmp_path):
    model = glassnet.Sequential([layers.Dense(5, input_shape=(4,)),
                                 layers.LayerNormalization(name="ln")])
    with pytest.raises(ConfigError, match=r"'ln' \(LayerNormalization\).*opset 17"):
        glassnet_onnx.export(model, tmp_path / "m.onnx", opset=16)
