"""The toolkit's layers and activations in Keras files, both ways, and in glassnet's own file."""

import numpy as np
import pytest

import glassnet
from glassnet.errors import ConfigError
from glassnet.layers import (
    ELU,
    AlphaDropout,
    BatchNormalization,
    Dense,
    Embedding,
    Flatten,
    GaussianDropout,
    GaussianNoise,
    Identity,
    Input,
    LayerNormalization,
    LeakyReLU,
    Normalization,
    PReLU,
    ReLU,
    Reshape,
    Softmax,
    concatenate,
)

pytest.importorskip("h5py")

def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, size=(n, 4)).astype("float32")
    return x, rng.normal(size=(n, 2)).astype("float32")


def _glassnet_model():
    x = _data()[0]
    norm = Normalization(name="norm")
    norm.adapt(x)
    return glassnet.Sequential([
        norm, Dense(6, activation="gelu", name="d1"), BatchNormalization(momentum=0.9, name="bn"),
        ELU(0.7, name="elu"), GaussianNoise(0.1, name="gn"), Dense(6, activation="selu",
                                                                  name="d2"),
        AlphaDropout(0.1, name="ad"), PReLU(name="prelu"), Reshape((2, 3), name="rs"),
        LayerNormalization(name="ln"), Softmax(axis=1, name="sm"), Flatten(name="fl"),
        ReLU(max_value=4.0, name="relu"), GaussianDropout(0.1, name="gd"), Identity(name="id"),
        Dense(6, activation="swish", name="d3"), LeakyReLU(name="leaky"),
        Dense(2, activation="hard_sigmoid", name="out")], name="toolkit")


def _glassnet_embedding_model():
    cat, num = Input((1,), name="cat"), Input((4,), name="num")
    emb = Flatten(name="flat")(Embedding(5, 3, name="emb")(cat))
    h = Dense(4, activation="mish", name="h")(concatenate([emb, num], name="joined"))
    return glassnet.Model([cat, num], Dense(2, activation="softplus", name="out")(h),
                          name="embedded")


def _embedding_data(seed=0):
    x, y = _data(seed=seed)
    cat = np.random.default_rng(seed).integers(0, 5, size=(len(x), 1)).astype("float32")
    return [cat, x], y


def _trained(model, x, y):
    model.compile("adam", "mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=0)
    return model


CASES = [(_glassnet_model, _data), (_glassnet_embedding_model, _embedding_data)]


@pytest.mark.parametrize(("build", "data"), CASES, ids=["sequential", "embedding"])
@pytest.mark.parametrize("suffix", [".glassnet", ".keras"])
def test_round_trips_in_glassnet(tmp_path, build, data, suffix):
    x, y = data()
    model = _trained(build(), x, y)
    model.save(tmp_path / f"m{suffix}")
    loaded = glassnet.models.load_model(tmp_path / f"m{suffix}")
    x2 = data(seed=1)[0]
    np.testing.assert_allclose(loaded.predict(x2, verbose=0), model.predict(x2, verbose=0),
                               rtol=1e-6, atol=1e-6)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert [type(layer).__name__ for layer in loaded.layers] == [
        type(layer).__name__ for layer in model.layers]


def test_options_keras_names_cannot_hold_are_refused(tmp_path):
    model = glassnet.Sequential([Dense(2, activation={"name": "gelu", "approximate": True},
                                       input_shape=(3,), name="g")])
    with pytest.raises(ConfigError, match=r"'g'.*has no Keras name"):
        model.save(tmp_path / "m.keras")


@pytest.mark.parametrize(("build", "data"), CASES, ids=["sequential", "embedding"])
def test_a_glassnet_model_loads_in_keras(keras, tmp_path, build, data):
    x, y = data()
    model = _trained(build(), x, y)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x2 = data(seed=1)[0]
    np.testing.assert_allclose(np.asarray(loaded.predict(x2, verbose=0)),
                               model.predict(x2, verbose=0), rtol=1e-4, atol=1e-5)
    expected = {"norm": ["mean", "variance", "count"], "emb": ["embeddings"],
                "bn": ["gamma", "beta", "moving_mean", "moving_variance"], "prelu": ["alpha"],
                "ln": ["gamma", "beta"]}
    for layer in model.layers:
        if layer.name in expected:
            theirs = loaded.get_layer(layer.name)
            assert [v.name for v in theirs.weights] == expected[layer.name]
            for a, b in zip(layer.get_weights(), theirs.get_weights(), strict=True):
                np.testing.assert_array_equal(a, np.asarray(b))


def _keras_model(keras):
    L = keras.layers
    x = _data()[0]
    norm = L.Normalization(name="norm")
    norm.adapt(x)
    return keras.Sequential([
        keras.Input((4,)), norm, L.Dense(6, activation="gelu", name="d1"),
        L.BatchNormalization(momentum=0.9, name="bn"), L.ELU(name="elu"),
        L.GaussianNoise(0.1, name="gn"), L.Dense(6, activation="selu", name="d2"),
        L.AlphaDropout(0.1, name="ad"), L.PReLU(name="prelu"), L.Reshape((2, 3), name="rs"),
        L.LayerNormalization(name="ln"), L.Softmax(axis=1, name="sm"), L.Flatten(name="fl"),
        L.ReLU(max_value=4.0, name="relu"), L.GaussianDropout(0.1, name="gd"),
        L.Identity(name="id"), L.Dense(6, activation="swish", name="d3"),
        L.LeakyReLU(name="leaky"), L.Dense(2, activation="hard_sigmoid", name="out")],
        name="toolkit")


def _keras_embedding_model(keras):
    L = keras.layers
    cat, num = keras.Input((1,), name="cat"), keras.Input((4,), name="num")
    emb = L.Flatten(name="flat")(L.Embedding(5, 3, name="emb")(cat))
    h = L.Dense(4, activation="mish", name="h")(L.Concatenate(name="joined")([emb, num]))
    return keras.Model([cat, num], L.Dense(2, activation="softplus", name="out")(h),
                       name="embedded")


@pytest.mark.parametrize(("build", "data"), [(_keras_model, _data),
                                             (_keras_embedding_model, _embedding_data)],
                         ids=["sequential", "embedding"])
def test_a_keras_model_loads_in_glassnet(keras, tmp_path, build, data):
    model = build(keras)
    x, y = data()
    model.compile("adam", "mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "k.keras")
    loaded = glassnet.models.load_model(tmp_path / "k.keras")
    x2 = data(seed=1)[0]
    np.testing.assert_allclose(loaded.predict(x2, verbose=0),
                               np.asarray(model.predict(x2, verbose=0)), rtol=1e-4, atol=1e-5)
    bn = [layer for layer in loaded.layers if type(layer).__name__ == "BatchNormalization"]
    if bn:  # moving statistics came across, as non-trainable weights
        keras_bn = model.get_layer("bn")
        np.testing.assert_allclose(bn[0].arrays["moving_variance"],
                                   np.asarray(keras_bn.moving_variance.numpy()), rtol=1e-6)
    model.save_weights(tmp_path / "k.weights.h5")
    loaded.load_weights(tmp_path / "k.weights.h5")
    loaded.save_weights(tmp_path / "g.weights.h5")
    model.load_weights(tmp_path / "g.weights.h5")
    np.testing.assert_allclose(loaded.predict(x2, verbose=0),
                               np.asarray(model.predict(x2, verbose=0)), rtol=1e-4, atol=1e-5)
