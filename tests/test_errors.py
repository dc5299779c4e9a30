"""Bad input gets a clear glassnet error naming what and where, and changes nothing."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError, DataError, GlassnetError, NotCompiledError, ShapeError


@pytest.fixture
def model():
    m = glassnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,), name="hidden"),
                             layers.Dense(3, activation="softmax", name="out")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(10, 3)), rng.integers(0, 3, 10)


def _unchanged(model, action):
    before = model.params.copy()
    iterations = model.optimizer.iterations
    with pytest.raises(GlassnetError) as info:
        action()
    np.testing.assert_array_equal(model.params, before)
    assert model.optimizer.iterations == iterations
    return str(info.value)


def test_input_width_names_the_layer_expected_and_got(model, data):
    x, y = data
    message = _unchanged(model, lambda: model.fit(x[:, :2], y, verbose=0))
    assert "layer 'hidden' (Dense)" in message
    assert "(None, 3)" in message and "(None, 2)" in message and "argument x" in message
    with pytest.raises(ShapeError, match=r"layer 'hidden'.*expects input of shape"):
        model.predict(np.zeros((2, 5)))


def test_unflattened_images_suggest_flatten():
    m = glassnet.Sequential([layers.Dense(4)])
    m.compile("sgd", "mse")
    with pytest.raises(ShapeError, match="put a Flatten"):
        m.fit(np.zeros((2, 28, 28)), np.zeros((2, 4)), verbose=0)
    assert not m.built


def test_labels_out_of_range_name_the_first_bad_index_and_value(model, data):
    x, y = data
    y = y.copy()
    y[6] = 3
    y[8] = -1
    message = _unchanged(model, lambda: model.fit(x, y, verbose=0))
    assert "label at index 6 is 3" in message and "0 to 2" in message
    message = _unchanged(model, lambda: model.fit(x, y + 0.5, verbose=0))
    assert "index 0" in message and "whole numbers" in message


def test_label_shapes_that_do_not_fit_the_loss(model, data):
    x, y = data
    message = _unchanged(model, lambda: model.fit(x, np.eye(3)[y], verbose=0))
    assert "categorical_crossentropy" in message
    model.compile("adam", "categorical_crossentropy")
    message = _unchanged(model, lambda: model.fit(x, y, verbose=0))
    assert "sparse_categorical_crossentropy" in message and "to_categorical" in message


def test_binary_targets_outside_zero_one():
    m = glassnet.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,))])
    m.compile("sgd", "binary_crossentropy")
    with pytest.raises(DataError, match=r"target at index 1 is 2\.0"):
        m.fit(np.zeros((3, 2)), np.array([0, 2, 1]), verbose=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_names_the_row(model, data, bad):
    x, y = data
    x = x.copy()
    x[7, 1] = bad
    message = _unchanged(model, lambda: model.fit(x, y, verbose=0))
    assert "argument x: row 7" in message and "column 1" in message
    mse = glassnet.Sequential([layers.Dense(1, input_shape=(3,))])
    mse.compile("sgd", "mse")
    y_bad = np.zeros(10)
    y_bad[4] = bad
    with pytest.raises(DataError, match="argument y: row 4"):
        mse.fit(data[0], y_bad, verbose=0)


def test_empty_and_mismatched_lengths(model, data):
    x, y = data
    assert "no samples" in _unchanged(model, lambda: model.fit(x[:0], y[:0], verbose=0))
    message = _unchanged(model, lambda: model.fit(x, y[:7], verbose=0))
    assert "10 samples in x but 7 in y" in message


@pytest.mark.parametrize(
    ("make", "kind"),
    [(lambda x: x.astype(object), "object"), (lambda x: x.astype(complex), "complex"),
     (lambda x: x.astype(str), "<U")],
)
def test_object_complex_and_text_dtypes_are_refused(model, data, make, kind):
    x, y = data
    message = _unchanged(model, lambda: model.fit(make(x), y, verbose=0))
    assert kind in message and "astype('float32')" in message


@pytest.mark.parametrize(
    ("call", "valid"),
    [
        (lambda: glassnet.Sequential([layers.Dense(2, activation="relux")]), "'relu'"),
        (lambda: glassnet.losses.get("mean_square"), "'mse'"),
        (lambda: glassnet.optimizers.get("adamz"), "'adam', 'adamax', 'adamw'"),
        (lambda: glassnet.initializers.get("glorot"), "'glorot_uniform'"),
    ],
)
def test_unknown_names_list_the_valid_ones(call, valid):
    with pytest.raises(ConfigError, match="valid names:") as info:
        call()
    assert valid in str(info.value)


def test_unknown_metric_lists_the_valid_ones(model):
    with pytest.raises(ConfigError, match=r"unknown metric 'precison'.*'Accuracy'.*'Precision'"):
        model.compile("adam", "mse", metrics=["precison"])


def test_fit_before_compile():
    m = glassnet.Sequential([layers.Dense(1, input_shape=(2,))])
    with pytest.raises(NotCompiledError, match=r"compiled before fit.*model.compile"):
        m.fit(np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(NotCompiledError, match="before evaluate"):
        m.evaluate(np.zeros((2, 2)), np.zeros(2))


@pytest.mark.parametrize("rate", [-0.1, float("nan"), "fast"])
def test_learning_rate_must_be_a_number_at_least_0(rate):  # 0 is allowed, as in Keras
    with pytest.raises(ConfigError, match="learning_rate must be a number in"):
        glassnet.optimizers.SGD(learning_rate=rate)
    with pytest.raises(ConfigError, match="learning_rate"):
        glassnet.optimizers.Adam(learning_rate=rate)


def test_setting_a_bad_learning_rate_keeps_the_old_one():
    opt = glassnet.optimizers.Adam(0.01)
    with pytest.raises(ConfigError):
        opt.learning_rate = -1
    assert opt.learning_rate == 0.01


@pytest.mark.parametrize("size", [0, -4, 2.5, True])
def test_batch_size_must_be_a_positive_integer(model, data, size):
    x, y = data
    message = _unchanged(model, lambda: model.fit(x, y, batch_size=size, verbose=0))
    assert "batch_size must be a positive integer" in message


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"epochs": 0}, "epochs"), ({"validation_split": 1.0}, "validation_split"),
    ({"verbose": 3}, "verbose"), ({"validation_data": (np.zeros((2, 3)),)}, "validation_data"),
])
def test_other_fit_arguments(model, data, kwargs, text):
    message = _unchanged(model, lambda: model.fit(*data, **kwargs))
    assert text in message


def test_bad_validation_data_is_checked_before_training(model, data):
    x, y = data
    message = _unchanged(model, lambda: model.fit(x, y, validation_data=(x[:, :2], y),
                                                  verbose=0))
    assert "argument val_x" in message


def test_set_weights_checks_everything_first(model):
    good = model.get_weights()
    bad = [w.copy() for w in good]
    bad[2] = np.zeros((5, 3))
    with pytest.raises(ShapeError, match=r"out/kernel needs shape \(4, 3\)"):
        model.set_weights([np.ones_like(good[0]), *bad[1:]])
    np.testing.assert_array_equal(model.get_weights()[0], good[0])
    with pytest.raises(ShapeError, match="has 4 weight arrays, got 3"):
        model.set_weights(good[:3])
    with pytest.raises(ConfigError, match=r"needs a list of arrays like model.get_weights\(\), "
                                          "got NoneType"):
        model.set_weights(None)
    with pytest.raises(ShapeError, match="cannot be read as an array"):
        model.set_weights([[1, [2]], *good[1:]])
    np.testing.assert_array_equal(model.get_weights()[0], good[0])


def test_layer_arguments():
    with pytest.raises(ConfigError, match="units must be a positive integer"):
        layers.Dense(0)
    with pytest.raises(ConfigError, match=r"rate must be a number in \[0, 1\)"):
        layers.Dropout(1.0)
    with pytest.raises(ConfigError, match="dtype must be 'float32' or 'float64'"):
        glassnet.Sequential(dtype="int8")
    for shape in (3.0, True, (3, "a")):
        with pytest.raises(ConfigError, match="input_shape must be a tuple of positive integers"):
            layers.Dense(2, input_shape=shape)
    with pytest.raises(ConfigError, match=r"Input needs a shape, for example Input\(shape="):
        layers.Input(None)
    with pytest.raises(ConfigError, match=r"negative_slope must be a finite number such as 0.3, "
                                          "got 'abc'"):
        layers.LeakyReLU("abc")
    with pytest.raises(ConfigError, match=r"Dense: use_bias must be True or False, got \(3,\)"):
        layers.Dense(4, "relu", (3,))  # input_shape given positionally lands in use_bias
    with pytest.raises(ConfigError, match="Dropout: name must be a str, got 5"):
        layers.Dropout(0.5, name=5)
    with pytest.raises(ConfigError, match="Sequential: name must be a str, got 7"):
        glassnet.Sequential(name=7)
    with pytest.raises(ConfigError, match=r"got one Dense; wrap it in a list: "
                                          r"Sequential\(\[Dense\(...\)\]\)"):
        glassnet.Sequential(layers.Dense(2, input_shape=(2,)))
    with pytest.raises(ConfigError, match=r"bad Dense layer config .*missing 1 required "
                                          "positional argument: 'units'"):
        layers.get({"class_name": "Dense", "config": {}})


def test_errors_are_also_builtin_exceptions(model, data):
    x, y = data
    with pytest.raises(ValueError):
        model.fit(x, y[:3], verbose=0)


def test_a_rejected_compile_keeps_the_previous_compilation(model):
    optimizer, loss = model.optimizer, model.loss
    with pytest.raises(ConfigError, match="unknown metric 'f1'"):
        model.compile("adam", "mse", metrics=["f1"])
    with pytest.raises(ConfigError, match=r"metric '<lambda>' must take \(y_true, y_pred\)"):
        model.compile("adam", "mse", metrics=[lambda y_pred: 0.0])
    assert model.optimizer is optimizer and model.loss is loss


def test_a_rejected_add_leaves_the_model_usable(model):
    before = model.get_weights()
    with pytest.raises(ShapeError, match=r"expects input of shape \(None, 5\) but got \(None, 3\)"):
        model.add(layers.Dense(2, input_shape=(5,), name="misfit"))
    assert [layer.name for layer in model.layers] == ["hidden", "out"]
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert model.predict(np.ones((2, 3))).shape == (2, 3)
