"""Regularizers and constraints: Keras's formulas and configs, their gradients, and fit /
evaluate against Keras 3 (the reported loss, and the weights after training)."""

import os

import numpy as np
import pytest

import glassnet
from glassnet import constraints, regularizers
from glassnet.errors import ConfigError
from glassnet.layers import Dense


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


W = np.random.default_rng(0).normal(size=(5, 4))


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.2),
                                 regularizers.L1L2(0.1, 0.4), regularizers.L1L2(l2=0.5),
                                 regularizers.OrthogonalRegularizer(0.5),
                                 regularizers.OrthogonalRegularizer(0.5, mode="columns")])
def test_gradients_are_the_penalties_derivatives(reg):
    grad = reg.gradient(W)
    numeric = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[i] = 1e-6
        numeric[i] = (reg(W + step) - reg(W - step)) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_names_defaults_and_configs_are_keras():
    assert regularizers.get("l1").get_config() == {"l1": 0.01}
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get("l1l2").get_config() == regularizers.get("l1_l2").get_config() == {
        "l1": 0.0, "l2": 0.0}
    assert regularizers.get("L2")(np.array([3.0])) == pytest.approx(0.09)
    again = regularizers.get(regularizers.serialize(regularizers.L1L2(0.1, 0.2)))
    assert isinstance(again, regularizers.L1L2) and again.get_config() == {"l1": 0.1, "l2": 0.2}
    with pytest.raises(ConfigError, match="non-negative"):
        regularizers.L2(-1.0)
    with pytest.raises(ConfigError, match="Could not interpret regularizer"):
        regularizers.get("l3")
    assert constraints.get("max_norm").get_config() == {"max_value": 2, "axis": 0}
    assert constraints.get("min_max_norm").get_config() == {
        "min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert type(constraints.get("NonNeg")) is constraints.NonNeg


@pytest.mark.parametrize(("name", "kwargs"), [
    ("L1", {"l1": 0.3}), ("L2", {"l2": 0.2}), ("L1L2", {"l1": 0.1, "l2": 0.4}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "rows"}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"})])
def test_penalties_equal_keras(name, kwargs):
    keras = _keras()
    ours = getattr(regularizers, name)(**kwargs)(W.astype("float32"))
    tensor = keras.ops.convert_to_tensor(W.astype("float32"))  # (Keras's NumPy path fails)
    theirs = float(getattr(keras.regularizers, name)(**kwargs)(tensor))
    assert ours == pytest.approx(theirs, rel=1e-5)


@pytest.mark.parametrize(("name", "kwargs"), [
    ("MaxNorm", {"max_value": 1.5}), ("MaxNorm", {"max_value": 1.0, "axis": 1}),
    ("NonNeg", {}), ("UnitNorm", {}), ("UnitNorm", {"axis": [0, 1]}),
    ("MinMaxNorm", {"min_value": 1.0, "max_value": 2.0, "rate": 0.5}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.0, "axis": 1})])
def test_constraints_equal_keras(name, kwargs):
    keras = _keras()
    w = W.astype("float32")
    ours = getattr(constraints, name)(**kwargs)(w)
    theirs = np.asarray(getattr(keras.constraints, name)(**kwargs)(w))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def _xy(seed=0, n=40):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, rng.integers(0, 3, n)


DENSE_OPTIONS = [
    {"kernel_regularizer": ("L2", {"l2": 0.05})},
    {"kernel_regularizer": ("L1", {"l1": 0.02}), "bias_regularizer": ("L2", {"l2": 0.1})},
    {"activity_regularizer": ("L1L2", {"l1": 0.01, "l2": 0.02})},
    {"kernel_regularizer": ("OrthogonalRegularizer", {"factor": 0.1})},
    {"kernel_constraint": ("MaxNorm", {"max_value": 0.5})},
    {"kernel_constraint": ("UnitNorm", {}), "bias_constraint": ("NonNeg", {})},
    {"kernel_constraint": ("MinMaxNorm", {"min_value": 0.2, "max_value": 0.6})},
]


def _build(lib, options, head_options):
    def objects(opts):
        out = {}
        for key, (cls, kwargs) in opts.items():
            module = lib.constraints if key.endswith("constraint") else lib.regularizers
            out[key] = getattr(module, cls)(**kwargs)
        return out

    return [lib.layers.Dense(6, activation="relu", **objects(options)),
            lib.layers.Dense(3, activation="softmax", **objects(head_options))]


@pytest.mark.parametrize("options", DENSE_OPTIONS, ids=lambda o: "-".join(
    f"{k.split('_')[0]}_{v[0]}" for k, v in o.items()))
def test_fit_and_evaluate_equal_keras(options):
    keras = _keras()
    head = {"activity_regularizer": ("L2", {"l2": 0.05})} if "kernel_constraint" in options \
        else {}
    x, y = _xy()
    model = glassnet.Sequential(_build(glassnet, options, head))
    model.build((4,))
    weights = model.get_weights()
    model.compile(glassnet.optimizers.SGD(0.2), "sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    theirs = keras.Sequential([keras.Input((4,)), *_build(keras, options, head)])
    theirs.set_weights(weights)
    theirs.compile(keras.optimizers.SGD(0.2), "sparse_categorical_crossentropy")
    keras_history = theirs.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], keras_history.history["loss"],
                               rtol=2e-5)
    for ours, keras_w in zip(model.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(ours, keras_w, atol=3e-6)
    x2, y2 = _xy(1, 24)
    assert model.evaluate(x2, y2, batch_size=8, verbose=0) == pytest.approx(
        theirs.evaluate(x2, y2, batch_size=8, verbose=0), rel=2e-5)


def test_a_penalty_makes_the_reported_loss_larger_by_it():
    x, y = _xy()
    model = glassnet.Sequential([Dense(3, activation="softmax", input_shape=(4,),
                                       kernel_regularizer=regularizers.L2(0.5),
                                       kernel_initializer="ones", name="pen_out")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    plain = glassnet.Sequential([Dense(3, activation="softmax", input_shape=(4,),
                                       kernel_initializer="ones", name="plain_out")])
    plain.compile("sgd", "sparse_categorical_crossentropy")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        plain.evaluate(x, y, verbose=0) + 0.5 * 12, rel=1e-6)


def test_frozen_layers_have_no_penalty_and_keep_their_constraint_unapplied():
    x, y = _xy()
    layer = Dense(3, activation="softmax", input_shape=(4,), kernel_regularizer="l2",
                  kernel_constraint=constraints.MaxNorm(0.01), name="frozen_out")
    model = glassnet.Sequential([layer])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.build((4,))
    before = layer.get_weights()
    layer.trainable = False
    loss = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(layer.get_weights()[0], before[0])
    layer.trainable = True
    assert model.evaluate(x, y, verbose=0) > loss  # its penalty is back
    model.fit(x, y, epochs=1, verbose=0)
    assert np.linalg.norm(layer.kernel, axis=0).max() <= 0.01 + 1e-7


def test_configs_round_trip_and_save():
    layer = Dense(3, kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.2),
                  activity_regularizer="l1", kernel_constraint="max_norm",
                  bias_constraint=constraints.NonNeg(), name="configured")
    config = layer.get_config()
    assert config["kernel_regularizer"]["class_name"] == "L2"
    assert config["bias_constraint"] == {"module": "keras.constraints", "class_name": "NonNeg",
                                         "config": {}, "registered_name": None}
    again = Dense.from_config(config)
    assert again.bias_regularizer.get_config() == {"l1": 0.2}
    assert isinstance(again.kernel_constraint, constraints.MaxNorm)
    assert again.activity_regularizer.get_config() == {"l1": 0.01}


def test_keras_files_carry_regularizers_and_constraints_both_ways(tmp_path):
    keras = _keras()
    x, y = _xy()
    theirs = keras.Sequential([keras.Input((4,)), *_build(keras, {
        "kernel_regularizer": ("L1L2", {"l1": 0.01, "l2": 0.02}),
        "activity_regularizer": ("L2", {"l2": 0.03}),
        "kernel_constraint": ("MaxNorm", {"max_value": 0.8})}, {
        "bias_regularizer": ("L1", {"l1": 0.05}), "bias_constraint": ("NonNeg", {})})])
    theirs.compile(keras.optimizers.SGD(0.2), "sparse_categorical_crossentropy")
    theirs.save(tmp_path / "k.keras")
    ours = glassnet.models.load_model(tmp_path / "k.keras")
    first = ours.layers[0]
    assert first.kernel_regularizer.get_config() == {"l1": 0.01, "l2": 0.02}
    assert first.activity_regularizer.get_config() == {"l2": 0.03}
    assert first.kernel_constraint.get_config() == {"max_value": 0.8, "axis": 0}
    keras_history = theirs.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    history = ours.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], keras_history.history["loss"],
                               rtol=2e-5)
    ours.save(tmp_path / "m.keras")
    back = keras.saving.load_model(tmp_path / "m.keras")
    assert back.layers[1].bias_regularizer.get_config() == {"l1": pytest.approx(0.05)}
    assert type(back.layers[1].bias_constraint).__name__ == "NonNeg"
    np.testing.assert_allclose(back.evaluate(x, y, verbose=0), ours.evaluate(x, y, verbose=0),
                               rtol=2e-5)


def test_gradcheck_covers_every_penalty_through_the_engine():
    from glassnet.layers import Input

    x = Input((4,), name="gc_in")
    h = Dense(5, activation="tanh", kernel_regularizer=regularizers.L1L2(0.01, 0.02),
              bias_regularizer=regularizers.L2(0.1), activity_regularizer=regularizers.L2(0.3),
              name="gc_h")(x)
    h2 = Dense(4, activation="sigmoid", name="gc_h2",
               kernel_regularizer=regularizers.OrthogonalRegularizer(0.2),
               activity_regularizer=regularizers.L1(0.05))(h)
    out = Dense(3, activation="softmax", activity_regularizer=regularizers.L2(0.2),
                name="gc_out")(glassnet.layers.concatenate([h, h2], name="gc_cat"))
    model = glassnet.Model(x, out)
    model.compile("sgd", "sparse_categorical_crossentropy")  # a fused softmax head
    xs, ys = _xy(3, 6)
    worst = glassnet.gradcheck(model, xs, ys, tolerance=1e-6)
    assert max(worst.values()) < 1e-6


def test_explain_refuses_what_it_does_not_write():
    model = glassnet.Sequential([Dense(2, activation="softmax", input_shape=(4,),
                                       kernel_constraint="non_neg", name="ex_out")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ConfigError, match="ex_out/kernel_constraint"):
        glassnet.explain(model, np.ones(4), 1)
