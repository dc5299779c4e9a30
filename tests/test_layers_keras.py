"""The activation, noise, embedding and reshaping layers of the Keras toolkit: gradients against
central differences, values against Keras 3 from identical weights, configs, bad input."""

import numpy as np
import pytest
from layer_checks import check_layer, to_numpy

import glassnet
from glassnet.errors import ConfigError, DataError, ShapeError
from glassnet.layers import (
    ELU,
    AlphaDropout,
    Dense,
    Embedding,
    Flatten,
    GaussianDropout,
    GaussianNoise,
    Identity,
    Input,
    LeakyReLU,
    PReLU,
    ReLU,
    Reshape,
    Softmax,
)


def _x(shape=(5, 4), seed=0):
    x = np.random.default_rng(seed).normal(0.0, 2.0, size=shape)
    return np.where(np.abs(x) < 1e-3, 0.1, x)


def _reseeded(layer):
    layer.rng = np.random.default_rng(3)


# (glassnet layer, Keras class name, keyword arguments, input shape)
ELEMENTWISE = [
    (ELU, "ELU", {}, (5, 4)), (ELU, "ELU", {"alpha": 0.4}, (5, 4)),
    (LeakyReLU, "LeakyReLU", {}, (5, 4)), (LeakyReLU, "LeakyReLU", {"negative_slope": 0.05},
                                           (5, 4)),
    (ReLU, "ReLU", {}, (5, 4)), (ReLU, "ReLU", {"max_value": 1.5}, (5, 4)),
    (ReLU, "ReLU", {"negative_slope": 0.1, "threshold": 0.5, "max_value": 3.0}, (5, 4)),
    (Softmax, "Softmax", {}, (5, 4)), (Softmax, "Softmax", {"axis": 1}, (4, 3, 2)),
    (Identity, "Identity", {}, (5, 4)), (Reshape, "Reshape", {"target_shape": (2, -1)}, (4, 3, 2)),
]
ELEMENTWISE_IDS = [f"{k}{kw}" for _, k, kw, _ in ELEMENTWISE]


@pytest.mark.parametrize(("cls", "name", "kwargs", "shape"), ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_gradients(cls, name, kwargs, shape):
    check_layer(cls(dtype="float64", **kwargs), _x(shape))


@pytest.mark.parametrize(("cls", "name", "kwargs", "shape"), ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_values_and_configs_equal_keras(keras, cls, name, kwargs, shape):
    x = _x(shape).astype("float32")
    ours, theirs = cls(**kwargs), getattr(keras.layers, name)(**kwargs)
    np.testing.assert_allclose(ours(x), to_numpy(theirs(x)), rtol=1e-6, atol=1e-6)
    mine, keras_config = ours.get_config(), theirs.get_config()
    extra = {"alpha"} if name == "ELU" else set()  # Keras's ELU leaves alpha out of its config
    assert set(mine) - {"dtype"} == (set(keras_config) - {"dtype"}) | extra
    for key in set(keras_config) - {"name", "dtype"}:
        assert mine[key] == keras_config[key], key
    assert cls.from_config(mine).get_config() == mine


@pytest.mark.parametrize("shared_axes", [None, [1], [2], [1, 2]])
def test_prelu_gradients_and_keras_values(keras, shared_axes):
    check_layer(PReLU(shared_axes=shared_axes, alpha_initializer="random_normal",
                      dtype="float64"), _x((4, 3, 2)))
    x = _x((4, 3, 2), seed=2).astype("float32")
    ours = PReLU(shared_axes=shared_axes)
    theirs = keras.layers.PReLU(shared_axes=shared_axes)
    ours(x)
    theirs(x)
    alpha = np.random.default_rng(1).uniform(0.1, 0.5, size=ours.arrays["alpha"].shape)
    ours.set_weights([alpha])
    theirs.set_weights([alpha])
    np.testing.assert_allclose(ours(x), to_numpy(theirs(x)), rtol=1e-6, atol=1e-6)
    assert set(ours.get_config()) - {"dtype"} == set(theirs.get_config()) - {"dtype"}


def test_a_prelu_model_trains_its_slope():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1)).astype("float32")
    y = np.where(x > 0, x, 0.5 * x)
    model = glassnet.Sequential([PReLU(name="p", input_shape=(1,))])
    model.compile(glassnet.optimizers.SGD(0.1), "mse")
    model.fit(x, y, epochs=30, verbose=0, seed=0)
    assert model.get_layer("p").arrays["alpha"][0] == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize(("cls", "kwargs"), [(GaussianNoise, {"stddev": 0.3}),
                                             (GaussianDropout, {"rate": 0.3}),
                                             (AlphaDropout, {"rate": 0.3})])
def test_noise_layers(keras, cls, kwargs):
    x = _x((4, 5))
    check_layer(cls(dtype="float64", **kwargs), x, reseed=_reseeded)
    np.testing.assert_array_equal(cls(**kwargs)(x), x.astype("float32"))  # inference: identity
    big = np.random.default_rng(4).normal(size=(4000, 50)).astype("float32")
    ours = cls(seed=1, **kwargs)(big, training=True)
    theirs = to_numpy(getattr(keras.layers, cls.__name__)(seed=1, **kwargs)(big, training=True))
    for stat in (np.mean, np.std):  # same distribution as Keras's (draws differ)
        assert stat(ours - big) == pytest.approx(stat(theirs - big), abs=0.01)
    mine, keras_config = cls(**kwargs).get_config(), getattr(keras.layers, cls.__name__)(
        **kwargs).get_config()
    assert set(mine) - {"dtype"} == set(keras_config) - {"dtype"}


def test_alpha_dropout_keeps_selu_statistics():
    x = np.random.default_rng(5).normal(size=(20000, 20))
    out = AlphaDropout(0.2, seed=0, dtype="float64")(x, training=True)
    assert out.mean() == pytest.approx(0.0, abs=0.01)
    assert out.std() == pytest.approx(1.0, abs=0.01)


def test_noise_follows_fit_seed_and_its_own_seed():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    def weights_after(seed, layer_seed=None):
        glassnet.utils.set_random_seed(0)
        model = glassnet.Sequential([Dense(4, input_shape=(3,)),
                                     GaussianNoise(0.5, seed=layer_seed), Dense(1)])
        model.compile("sgd", "mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=seed)
        return model.get_weights()[0]

    np.testing.assert_array_equal(weights_after(1), weights_after(1))
    assert not np.array_equal(weights_after(1), weights_after(2))
    np.testing.assert_array_equal(weights_after(3, 7), weights_after(3, 7))
    assert not np.array_equal(weights_after(3, 7), weights_after(3, 8))


def test_embedding_gradients_values_and_config(keras):
    layer = Embedding(5, 3, embeddings_initializer="random_normal", dtype="float64")
    codes = np.array([[0, 4], [4, 1], [2, 4]], dtype=float)
    layer(codes)
    r = np.random.default_rng(0).normal(size=(3, 2, 3))
    layer.forward(codes, True)
    layer.backward(r)
    expected = np.zeros((5, 3))
    for s in range(3):
        for j in range(2):
            expected[int(codes[s, j])] += r[s, j]
    np.testing.assert_allclose(layer.grads["embeddings"], expected)  # code 4 three times
    theirs = keras.layers.Embedding(5, 3)
    theirs.build((None, 2))
    theirs.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(codes), to_numpy(theirs(codes.astype("int32"))), rtol=1e-6)
    mine, keras_config = Embedding(5, 3).get_config(), theirs.get_config()
    assert set(mine) - {"dtype"} == set(keras_config) - {"dtype"}
    assert Embedding(5, 3).embeddings_initializer.get_config() == {  # Keras's "uniform"
        "name": "random_uniform", "minval": -0.05, "maxval": 0.05, "seed": None}


def test_an_embedding_of_a_categorical_column_trains():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(200, 1))
    y = np.array([[-1.0], [2.0], [0.5], [3.0]])[codes[:, 0]]
    cat = Input((1,), name="cat")
    out = Dense(1)(Flatten()(Embedding(4, 2, name="emb")(cat)))
    model = glassnet.Model(cat, out)
    model.compile(glassnet.optimizers.Adam(0.05), "mse")
    model.fit(codes, y, epochs=60, verbose=0, seed=0)
    assert model.evaluate(codes, y, verbose=0) < 1e-3
    model.compile("sgd", "mse")
    assert max(glassnet.gradcheck(model, codes, y).values()) < 1e-6


def test_bad_input_is_refused_with_the_layer_name():
    with pytest.raises(DataError, match=r"'emb'.*whole numbers from 0 to input_dim - 1 = 2"):
        Embedding(3, 2, name="emb")(np.array([[3.0]]))
    with pytest.raises(DataError, match=r"'emb2'.*got 0.5"):
        Embedding(3, 2, name="emb2")(np.array([[0.5]]))
    with pytest.raises(ConfigError, match=r"'emb3'.*mask_zero=True"):
        Embedding(3, 2, mask_zero=True, name="emb3")
    with pytest.raises(ConfigError, match="input_dim"):
        Embedding(0, 2)
    with pytest.raises(ShapeError, match=r"'rs'.*cannot reshape"):
        Reshape((5,), name="rs")(np.ones((2, 4)))
    with pytest.raises(ConfigError, match=r"'rs2'.*at most one -1"):
        Reshape((-1, -1), name="rs2")
    with pytest.raises(ConfigError, match=r"'sm'.*axis 0"):
        Softmax(axis=0, name="sm")(np.ones((2, 4)))
    with pytest.raises(ConfigError, match=r"'gn'.*stddev"):
        GaussianNoise(2.0, name="gn")
    with pytest.raises(ConfigError, match=r"'pr'.*shared axis 3"):
        PReLU(shared_axes=[3], name="pr")(np.ones((2, 4)))
    with pytest.raises(ConfigError, match="ReLU: max_value must be >= 0"):
        ReLU(max_value=-1.0)
