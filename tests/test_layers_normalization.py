"""BatchNormalization, LayerNormalization and Normalization: gradients against central
differences, values and moving statistics against Keras 3 from identical weights, configs."""

import numpy as np
import pytest
from layer_checks import check_layer, to_numpy

import glassnet
from glassnet.errors import ConfigError, ShapeError
from glassnet.layers import BatchNormalization, Dense, LayerNormalization, Normalization


def _x(shape=(6, 4), seed=0):
    return np.random.default_rng(seed).normal(2.0, 3.0, size=shape)


def _randomise(layer, seed=1):
    rng = np.random.default_rng(seed)
    for name, _, _ in [*layer.param_specs(), *layer.state_specs()]:
        layer.arrays[name][...] = rng.uniform(0.5, 1.5, size=layer.arrays[name].shape)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(("kwargs", "shape"), [({}, (6, 4)), ({"center": False}, (5, 3)),
                                               ({"scale": False}, (5, 3)),
                                               ({"axis": 1}, (4, 3, 2))])
def test_batch_normalization_gradients(kwargs, shape, training):
    layer = BatchNormalization(dtype="float64", **kwargs)
    layer(_x(shape))
    _randomise(layer)
    check_layer(layer, _x(shape), training=training)


@pytest.mark.parametrize(("kwargs", "shape"), [({}, (5, 4)), ({"axis": [1, 2]}, (4, 3, 2)),
                                               ({"axis": 1}, (4, 3, 2)),
                                               ({"center": False, "scale": False}, (5, 4))])
def test_layer_normalization_gradients(kwargs, shape):
    layer = LayerNormalization(dtype="float64", **kwargs)
    layer(_x(shape))
    _randomise(layer)
    check_layer(layer, _x(shape))


@pytest.mark.parametrize("invert", [False, True])
def test_normalization_gradients(invert):
    layer = Normalization(invert=invert, dtype="float64")
    layer.adapt(_x((20, 3), seed=4))
    check_layer(layer, _x((5, 3)))


def test_batch_normalization_equals_keras_in_training_and_inference(keras):
    x = _x((16, 5)).astype("float32")
    ours = BatchNormalization(momentum=0.9, epsilon=1e-2, name="bn")
    theirs = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-2)
    ours(x)
    theirs(x)
    _randomise(ours)
    theirs.set_weights(ours.get_weights())
    for training in (True, True, False):
        np.testing.assert_allclose(ours(x, training=training),
                                   to_numpy(theirs(x, training=training)), rtol=1e-5,
                                   atol=2e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)
    assert [v.name for v in ours.weights] == [v.name for v in theirs.weights]
    assert [v.trainable for v in ours.weights] == [v.trainable for v in theirs.weights]


def test_frozen_batch_normalization_runs_in_inference_mode_as_keras(keras):
    x = _x((8, 3)).astype("float32")
    ours, theirs = BatchNormalization(), keras.layers.BatchNormalization()
    ours(x)
    theirs(x)
    _randomise(ours)
    theirs.set_weights(ours.get_weights())
    ours.trainable = theirs.trainable = False
    before = ours.get_weights()
    np.testing.assert_allclose(ours(x, training=True), to_numpy(theirs(x, training=True)),
                               rtol=1e-5, atol=1e-5)
    for a, b in zip(before, ours.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("axis", [-1, [1, 2]])  # Keras on torch fails on axis=1 of 3-D input
def test_layer_normalization_equals_keras(keras, axis):
    x = _x((4, 3, 5)).astype("float32")
    ours = LayerNormalization(axis=axis, epsilon=1e-3)
    theirs = keras.layers.LayerNormalization(axis=axis, epsilon=1e-3)
    ours(x)
    theirs(x)
    _randomise(ours)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(x), to_numpy(theirs(x)), rtol=1e-5, atol=2e-5)
    assert ours.axis == theirs.axis  # a list once built, as Keras


@pytest.mark.parametrize(("kwargs", "shape"), [({}, (30, 4)), ({"axis": None}, (30, 4)),
                                               ({"axis": (1, 2)}, (30, 2, 3)),
                                               ({"axis": 2}, (30, 2, 3)),
                                               ({"invert": True}, (30, 4))])
def test_normalization_adapt_equals_keras(keras, kwargs, shape):
    data = _x(shape, seed=5).astype("float32")
    ours, theirs = Normalization(**kwargs), keras.layers.Normalization(**kwargs)
    ours.adapt(data)
    theirs.adapt(data)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-5)
    x = _x(shape, seed=6)[:5].astype("float32")
    np.testing.assert_allclose(ours(x), to_numpy(theirs(x)), rtol=1e-5, atol=1e-5)


def test_normalization_adapt_from_batches_equals_whole_data():
    data = _x((40, 3), seed=7)
    whole = Normalization()
    whole.adapt(data)
    for batches in ([data[:16], data[16:30], data[30:]],
                    (b for b in np.array_split(data, 5)),
                    [(data[:20], np.zeros(20)), (data[20:], np.zeros(20))]):
        batched = Normalization()
        batched.adapt(batches)
        for a, b in zip(whole.get_weights(), batched.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_normalization_with_given_mean_and_variance_equals_keras(keras):
    x = _x((5, 3)).astype("float32")
    for kwargs in ({"mean": [1.0, 2.0, 3.0], "variance": [4.0, 1.0, 0.25]},
                   {"mean": 2.0, "variance": 9.0},
                   {"mean": [1.0, 2.0, 3.0], "variance": [4.0, 1.0, 0.25], "invert": True}):
        ours, theirs = Normalization(**kwargs), keras.layers.Normalization(**kwargs)
        np.testing.assert_allclose(ours(x), to_numpy(theirs(x)), rtol=1e-6, atol=1e-6)
        assert ours.get_weights() == [] == theirs.get_weights()


def test_a_keras_regression_script_with_normalization_and_batch_norm_trains():
    rng = np.random.default_rng(0)
    x = rng.normal(50.0, 20.0, size=(256, 3)).astype("float32")
    y = (x @ np.array([[0.1], [-0.2], [0.05]]) + 3.0).astype("float32")
    normalizer = Normalization(axis=-1)
    normalizer.adapt(np.array(x))
    model = glassnet.Sequential([normalizer, Dense(16, activation="relu"),
                                 BatchNormalization(), Dense(1)])
    model.compile(glassnet.optimizers.Adam(0.01), "mse")
    history = model.fit(x, y, epochs=40, batch_size=32, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    bn = model.layers[2]
    assert bn.arrays["moving_mean"].std() > 0  # moving statistics were updated by fit
    np.testing.assert_allclose(normalizer.arrays["mean"], x.mean(axis=0), rtol=1e-5)


def test_models_with_normalization_layers_gradcheck():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 2))
    norm = Normalization()
    norm.adapt(x)
    model = glassnet.Sequential([norm, Dense(6, input_shape=(4,)), BatchNormalization(),
                                 Dense(5, activation="tanh"), LayerNormalization(), Dense(2)],
                                dtype="float64")
    model.compile("sgd", "mse")
    assert max(glassnet.gradcheck(model, x, y).values()) < 1e-6


def test_configs_match_keras(keras):
    for ours, theirs in ((BatchNormalization(), keras.layers.BatchNormalization()),
                         (LayerNormalization(), keras.layers.LayerNormalization()),
                         (Normalization(), keras.layers.Normalization())):
        mine, keras_config = ours.get_config(), theirs.get_config()
        assert set(mine) - {"dtype"} == set(keras_config) - {"dtype"}, type(ours).__name__
        for key, value in keras_config.items():
            if key in ("name", "dtype") or key.endswith("initializer"):
                continue
            assert mine[key] == (list(value) if isinstance(value, tuple) and isinstance(
                mine[key], list) else value), key
        rebuilt = type(ours).from_config(mine)
        assert rebuilt.get_config() == mine


def test_bad_arguments_name_the_layer():
    with pytest.raises(ConfigError, match=r"'bn_bad'.*axis 0 is not a feature axis"):
        BatchNormalization(axis=0, name="bn_bad")(np.ones((2, 3)))
    with pytest.raises(ConfigError, match=r"'bn_r'.*renorm=True is not supported"):
        BatchNormalization(renorm=True, name="bn_r")
    with pytest.raises(ConfigError, match=r"'bn_e'.*epsilon"):
        BatchNormalization(epsilon=0.0, name="bn_e")
    with pytest.raises(ConfigError, match=r"'ln'.*axis 3"):
        LayerNormalization(axis=3, name="ln")(np.ones((2, 3)))
    with pytest.raises(ConfigError, match=r"'norm'.*both mean and variance"):
        Normalization(mean=1.0, name="norm")
    with pytest.raises(ShapeError, match=r"'norm2'.*does not match"):
        Normalization(name="norm2").adapt([np.ones((3, 2)), np.ones((3, 4))])
    with pytest.raises(ConfigError, match=r"'norm3'.*adapt learns"):
        Normalization(mean=0.0, variance=1.0, name="norm3").adapt(np.ones((3, 2)))
