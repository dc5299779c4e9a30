"""The Keras-shaped model API: Sequential, functional chains, weights, summary, config."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError


def test_public_modules_carry_keras_names():
    for name in ("layers", "models", "optimizers", "losses", "metrics", "callbacks",
                 "initializers", "activations", "utils"):
        assert hasattr(glassnet, name)
    assert glassnet.layers.Input is glassnet.Input
    assert glassnet.models.Sequential is glassnet.Sequential
    assert callable(glassnet.utils.set_random_seed)


def test_weights_are_views_into_one_flat_buffer():
    model = glassnet.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)])
    dense = model.layers[0]
    assert np.shares_memory(dense.kernel, model.params)
    assert np.shares_memory(dense.grads["kernel"], model.grads)
    model.params[:] = np.arange(model.params.size)
    np.testing.assert_array_equal(dense.kernel, [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(dense.bias, [6, 7, 8])
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3, 1), (1,)]


def test_functional_and_sequential_give_the_same_network():
    glassnet.utils.set_random_seed(0)
    x = glassnet.Input((2,))
    functional = glassnet.Model(x, layers.Dense(1, activation="sigmoid")(
        layers.Dense(2, activation="sigmoid")(x)))
    sequential = glassnet.Sequential([glassnet.Input((2,)), layers.Dense(2, activation="sigmoid"),
                                      layers.Dense(1, activation="sigmoid")])
    sequential.set_weights(functional.get_weights())
    data = np.random.default_rng(0).random((5, 2))
    np.testing.assert_array_equal(functional.predict(data), sequential.predict(data))


def test_misbuilt_graphs_get_a_clear_error():
    x = glassnet.Input((2,))
    a = layers.Dense(2)(x)
    b = layers.Dense(2)(x)
    assert glassnet.Model(x, [a, b]).output_shape == [(2,), (2,)]
    with pytest.raises(glassnet.errors.ShapeError, match="takes one tensor"):
        layers.Dense(1)([a, b])
    other = glassnet.Input((2,), name="other")
    with pytest.raises(ConfigError, match=r"depend on Input .* not among the model's inputs"):
        glassnet.Model(other, a)


def test_lazy_build_from_first_data():
    model = glassnet.Sequential()
    model.add(layers.Dense(4, activation="relu"))
    model.add(layers.Dense(2))
    assert not model.built
    model.compile("sgd", "mse")
    model.fit(np.zeros((3, 5)), np.zeros((3, 2)), verbose=0)
    assert model.built and model.input_shape == (5,)
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2


def test_adding_a_layer_to_a_built_model_keeps_earlier_weights():
    model = glassnet.Sequential([layers.Dense(3, input_shape=(2,))])
    kernel = model.get_weights()[0]
    model.add(layers.Dense(1))
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    assert model.params.size == 2 * 3 + 3 + 3 + 1


def test_summary_lists_shapes_and_parameter_counts():
    model = glassnet.Sequential([layers.Flatten(input_shape=(28, 28), name="flatten"),
                                 layers.Dense(128, activation="relu", name="dense"),
                                 layers.Dense(10, activation="softmax", name="dense_1")],
                                name="seed_mnist")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "seed_mnist"' in text
    assert "flatten (Flatten)" in text and "(None, 784)" in text
    assert "dense (Dense)" in text and "100,480" in text
    assert "dense_1 (Dense)" in text and "1,290" in text
    assert "Total params: 101,770 (407,080 bytes)" in text


def test_summary_of_an_empty_model():
    lines = []
    glassnet.Sequential(name="empty").summary(print_fn=lines.append)
    assert lines[0] == 'Model: "empty"' and "Total params: 0 (0 bytes)" in lines


def test_float64_models_and_float32_default():
    assert glassnet.Sequential([layers.Dense(1, input_shape=(1,))]).params.dtype == np.float32
    model = glassnet.Sequential([layers.Dense(1, input_shape=(1,))], dtype="float64")
    assert model.params.dtype == np.float64
    assert model.predict(np.ones((1, 1))).dtype == np.float64


def test_dropout_is_active_only_in_training():
    model = glassnet.Sequential([layers.Dropout(0.5, seed=0, input_shape=(1000,))])
    x = np.ones((2, 1000))
    np.testing.assert_array_equal(model.predict(x), x)
    dropped = model.layers[0].forward(x.astype(np.float32), training=True)
    zero_share = float(np.mean(dropped == 0))
    assert 0.45 < zero_share < 0.55
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_config_round_trip_rebuilds_the_architecture():
    model = glassnet.Sequential([
        layers.Flatten(input_shape=(2, 2)),
        layers.Dense(3, activation="leaky_relu", use_bias=False, kernel_initializer="he_normal"),
        layers.LeakyReLU(alpha=0.1), layers.Dropout(0.25, seed=3), layers.Softmax(),
    ], dtype="float64")
    clone = glassnet.Model.from_config(model.get_config())
    assert clone.get_config()["layers"] == model.get_config()["layers"]
    assert clone.dtype == np.float64 and clone.input_shape == (2, 2)
    assert clone.layers[2].activation.negative_slope == 0.1


def test_set_random_seed_makes_initial_weights_repeatable():
    def build():
        return glassnet.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)])

    glassnet.utils.set_random_seed(42)
    first = build().params.copy()
    glassnet.utils.set_random_seed(42)
    np.testing.assert_array_equal(build().params, first)


def test_initializers_follow_their_definitions():
    rng = np.random.default_rng(0)
    w = glassnet.initializers.get("glorot_uniform")((300, 200), "float64", rng)
    limit = np.sqrt(6 / 500)
    assert w.min() >= -limit and w.max() <= limit and abs(w.std() - limit / np.sqrt(3)) < 2e-3
    h = glassnet.initializers.get("he_normal")((400, 300), "float64", rng)
    # Keras's: truncated at two of its stddevs, sqrt(2 / fan_in) / 0.8796..., so the variance
    # stays 2 / fan_in
    assert np.abs(h).max() <= 2 * np.sqrt(2 / 400) / 0.87962566103423978 + 1e-12
    assert abs(h.std() / np.sqrt(2 / 400) - 1) < 0.01
    u = glassnet.initializers.get("uniform")((1000,), "float64", rng)
    assert u.min() >= -1 and u.max() < 1 and u.min() < -0.9
    r = glassnet.initializers.get("rand")((1000,), "float64", rng)
    assert r.min() >= 0 and r.max() < 1
    assert glassnet.initializers.get("constant")((2,), "float32", rng).tolist() == [0, 0]
    seeded = glassnet.initializers.HeUniform(seed=5)
    np.testing.assert_array_equal(seeded((3, 3)), seeded((3, 3)))


def test_initializer_arguments_are_checked():
    init = glassnet.initializers
    with pytest.raises(ConfigError, match="Constant: value must be a finite number, got 'a'"):
        init.Constant("a")
    with pytest.raises(ConfigError, match="minval must be below maxval, got minval=1, maxval=0"):
        init.RandomUniform(1, 0)
    with pytest.raises(ConfigError, match="stddev must be a finite number > 0, got -1"):
        init.RandomNormal(stddev=-1)


def test_to_categorical():
    np.testing.assert_array_equal(glassnet.utils.to_categorical([2, 0], 3),
                                  [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(glassnet.errors.DataError, match="index 1 is 5"):
        glassnet.utils.to_categorical([1, 5], 3)
    with pytest.raises(glassnet.errors.DataError, match=r"index 0 is -1; labels must be >= 0"):
        glassnet.utils.to_categorical(-1)  # a single label is a vector in Keras 3
    with pytest.raises(ConfigError, match="num_classes must be a positive integer, got 'x'"):
        glassnet.utils.to_categorical([0], "x")
