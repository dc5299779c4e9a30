"""explain through the toolkit's elementwise layers, and its refusal of the others by name."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError
from glassnet.layers import Dense
from glassnet.models import training as _training


def _reseed(model):
    for layer in model._leaf_layers():
        if isinstance(layer, layers.Dropout):
            layer.rng = np.random.default_rng(0)


def _engine_grads(model, x, y):
    _reseed(model)
    x, y, _ = _training.prepare_single(model, x, y)
    out = _training.forward(model, x.astype(np.float64), True)
    _training.backward(model, y, out, None, model.fused_output, np.empty_like(out))
    return {layer.name: layer.grads["kernel"].copy() for layer in model._leaf_layers()
            if isinstance(layer, Dense)}


def _model(rng):
    norm = layers.Normalization(name="norm")
    norm.adapt(rng.normal(2.0, 3.0, size=(50, 3)))
    return glassnet.Sequential([
        norm, Dense(5, activation="gelu", name="d0"), layers.ELU(0.5, name="elu"),
        layers.GaussianNoise(0.3, name="noise"), Dense(4, activation="mish", name="d1"),
        layers.AlphaDropout(0.2, name="adrop"), layers.ReLU(max_value=1.0, threshold=0.1,
                                                            negative_slope=0.2, name="relu"),
        layers.Identity(name="id"), Dense(3, activation="softmax", name="d2")], dtype="float64")


def test_weights_through_elementwise_toolkit_layers_equal_the_engine_gradient():
    rng = np.random.default_rng(0)
    model = _model(rng)
    model.compile(glassnet.optimizers.SGD(0.1), "categorical_crossentropy")
    x = rng.normal(2.0, 3.0, size=(6, 3))
    y = np.eye(3)[rng.integers(0, 3, 6)]
    engine = _engine_grads(model, x, y)
    texts = []
    for name, (i, j) in (("d0", (1, 2)), ("d0", (2, 4)), ("d1", (3, 1)), ("d2", (0, 2))):
        _reseed(model)
        e = glassnet.explain(model, x, y, weight=f"{name}/kernel[{i}, {j}]", sample=1)
        assert e.value == pytest.approx(engine[name][i, j], rel=1e-10, abs=1e-14)
        texts.append(str(e))
        assert "nan" not in texts[-1] and f"{name}/kernel[{i}, {j}]" in texts[-1]
    for name in ("(Identity)", "(AlphaDropout)", "(GaussianNoise)", "gelu'(net", "mish'(net"):
        assert name in "".join(texts), name


@pytest.mark.parametrize(("layer", "match"), [
    (layers.BatchNormalization(name="bn"), r"'bn' \(BatchNormalization\): while training"),
    (layers.LayerNormalization(name="ln"), r"'ln' \(LayerNormalization\): each of its outputs"),
    (layers.PReLU(name="pr"), r"'pr' \(PReLU\): explain follows the weights of Dense"),
    (layers.Reshape((2, 2), name="rs"), r"'rs' \(Reshape\)"),
    (layers.Activation("log_softmax", name="ls"), r"'ls' \(Activation\).*log_softmax"),
])
def test_layers_explain_cannot_follow_are_refused_by_name(layer, match):
    model = glassnet.Sequential([Dense(4, input_shape=(3,), name="d"), layer,
                                 layers.Flatten(), Dense(2, name="out")])
    model.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=match):
        glassnet.explain(model, np.ones((2, 3)), np.ones((2, 2)), weight="d/kernel[0, 0]")


def test_an_embedding_model_is_refused_by_name():
    model = glassnet.Sequential([layers.Embedding(4, 2, input_shape=(1,), name="emb"),
                                 layers.Flatten(), Dense(1, name="out")])
    model.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=r"'emb' \(Embedding\)"):
        glassnet.explain(model, np.zeros((2, 1)), np.ones((2, 1)), weight="out/kernel[0, 0]")
