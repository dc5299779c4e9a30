"""Losses and metrics the user writes with glassnet.ops: functions and Loss subclasses with
call(), trained through the tape, against the built-in losses and against Keras 3."""

from __future__ import annotations

import os

import numpy as np
import pytest

import glassnet
from glassnet import losses, ops
from glassnet.errors import ConfigError, ShapeError
from glassnet.layers import Dense
from glassnet.losses.custom import CallLoss, FunctionLoss


def my_mse(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def my_bce(y_true, y_pred):
    return ops.mean(ops.binary_crossentropy(y_true, y_pred), axis=-1)


def my_sparse(y_true, y_pred):
    return ops.sparse_categorical_crossentropy(y_true, y_pred)


def scalar_mse(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred))


def train(loss, y, outputs=2, activation=None, epochs=4, optimizer="adam", batch_size=16,
          **fit):
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([Dense(8, activation="tanh", input_shape=(3,)),
                                 Dense(outputs, activation=activation)], dtype="float64")
    model.compile(optimizer, loss)
    x = np.random.default_rng(0).normal(size=(len(y), 3))
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, seed=1, **fit)
    return model, history.history["loss"]


def weight_gap(a, b) -> float:
    return max(float(np.abs(p - q).max()) for p, q in zip(a.get_weights(), b.get_weights(),
                                                          strict=True))


rng = np.random.default_rng(1)
Y = rng.normal(size=(64, 2))
W = rng.uniform(0.1, 2.0, size=64)


@pytest.mark.parametrize("weights", [None, W])
def test_function_mse_trains_to_the_builtin_weights(weights):
    custom, lc = train(my_mse, Y, sample_weight=weights)
    builtin, lb = train("mse", Y, sample_weight=weights)
    assert weight_gap(custom, builtin) < 1e-10
    np.testing.assert_allclose(lc, lb, rtol=1e-12)
    assert custom.loss.name == "my_mse" and isinstance(custom.loss, FunctionLoss)


def test_function_bce_and_sparse_match_the_builtins():
    y01 = (rng.uniform(size=(64, 2)) > 0.5).astype(float)
    custom, _ = train(my_bce, y01, activation="sigmoid")
    builtin, _ = train("binary_crossentropy", y01, activation="sigmoid")
    assert weight_gap(custom, builtin) < 1e-9
    labels = rng.integers(0, 3, size=64)
    custom, _ = train(my_sparse, labels, outputs=3, activation="softmax", sample_weight=W)
    builtin, _ = train("sparse_categorical_crossentropy", labels, outputs=3,
                       activation="softmax", sample_weight=W)
    assert weight_gap(custom, builtin) < 1e-9


def test_scalar_loss_is_used_as_is():
    custom, _ = train(scalar_mse, Y)
    builtin, _ = train("mse", Y)
    assert weight_gap(custom, builtin) < 1e-10
    p = rng.normal(size=Y.shape)
    plain = float(np.mean(np.square(Y - p)))
    w = W / 2
    # Keras: the number times each weight, then the reduction over the n weighted copies
    assert losses.get(scalar_mse).forward(Y, p, w) == pytest.approx(plain * w.mean(), rel=1e-12)
    for reduction, expected in (("sum", plain * w.sum()), ("mean_with_sample_weight", plain)):
        loss = FunctionLoss(scalar_mse, reduction=reduction)
        assert loss.forward(Y, p, w) == pytest.approx(expected, rel=1e-12)
        grad = loss.backward(Y, p, w, np.empty_like(p))
        np.testing.assert_allclose(grad, 2 * (p - Y) / p.size * expected / plain, rtol=1e-12)


class MeanSquared(losses.Loss):
    """A Keras 3 subclass: __init__(name, reduction, dtype) and call()."""

    def __init__(self, scale=1.0, name="mean_squared", reduction="sum_over_batch_size",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * ops.mean(ops.square(y_true - y_pred), axis=-1)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "scale": self.scale}


def test_loss_subclass_with_call_trains_and_keeps_its_config():
    custom, _ = train(MeanSquared(), Y)
    builtin, _ = train("mse", Y)
    assert weight_gap(custom, builtin) < 1e-10
    assert isinstance(custom.loss, CallLoss) and custom.loss.name == "mean_squared"
    assert custom.loss.get_config() == {"name": "mean_squared", "fn": "mean_squared",
                                        "reduction": "sum_over_batch_size", "scale": 1.0}
    classed, _ = train(MeanSquared, Y)  # the class itself, as compile accepts
    assert weight_gap(classed, builtin) < 1e-10


def test_reductions_are_keras_s():
    """'sum' is n times the batch mean; 'mean_with_sample_weight' divides by sum(w)."""
    n = len(Y)
    summed, _ = train(MeanSquared(reduction="sum"), Y, optimizer=glassnet.optimizers.SGD(0.01),
                      batch_size=n)
    mean, _ = train(my_mse, Y, optimizer=glassnet.optimizers.SGD(0.01 * n), batch_size=n)
    assert weight_gap(summed, mean) < 1e-10
    by_weight, _ = train(MeanSquared(reduction="mean_with_sample_weight"), Y,
                         optimizer="sgd", batch_size=n, sample_weight=W)
    normalised, _ = train(my_mse, Y, optimizer="sgd", batch_size=n,
                          sample_weight=W * n / W.sum())
    assert weight_gap(by_weight, normalised) < 1e-10
    loss = MeanSquared(reduction="sum")
    y, p = np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])
    assert losses.get(loss).forward(y, p, None) == 0.5
    assert losses.get(loss).forward(y, p, np.array([1.0, 3.0])) == 1.0


def test_gradcheck_passes_through_a_custom_loss():
    model, _ = train(MeanSquared(scale=3.0), Y, epochs=1)
    x = np.random.default_rng(0).normal(size=(6, 3))
    worst = glassnet.gradcheck(model, x, Y[:6], sample_weight=W[:6])
    assert max(worst.values()) < 1e-6


def test_evaluate_takes_a_numpy_only_function():
    def np_mse(y_true, y_pred):
        return np.mean(np.square(y_true - y_pred), axis=-1)

    model, _ = train(my_mse, Y, epochs=1)
    x = np.random.default_rng(0).normal(size=(64, 3))
    expected = model.evaluate(x, Y, verbose=0)
    model.compile("adam", np_mse)
    assert model.evaluate(x, Y, verbose=0) == pytest.approx(expected, rel=1e-12)


def test_numpy_in_a_trained_loss_names_the_function_and_line():
    def np_loss(y_true, y_pred):
        return np.mean(np.square(y_true - y_pred), axis=-1)

    with pytest.raises(ops.NumpyOnTensorError,
                       match=r"np_loss \(.*test_custom_losses.py:\d+: return np.mean.*ops\.square"):
        train(np_loss, Y, epochs=1)


def test_wrong_results_get_clear_errors():
    def over_batch(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=0)

    with pytest.raises(ShapeError, match=r"'.*over_batch' \(.*test_custom_losses.py:\d+\) "
                                         r"returned shape \(2,\) for a batch of 16"):
        train(over_batch, Y, epochs=1)

    def nothing(y_true, y_pred):
        ops.square(y_pred)

    with pytest.raises(ConfigError, match=r"nothing.*returned NoneType"):
        train(nothing, Y, epochs=1)

    def constant(y_true, y_pred):
        return ops.convert_to_numpy(ops.mean(ops.square(y_true - y_pred), axis=-1))

    with pytest.raises(ConfigError, match="does not depend on y_pred"):
        train(constant, Y, epochs=1)

    def wrong_args(y_pred):
        return y_pred

    with pytest.raises(ConfigError, match=r"wrong_args.*must take \(y_true, y_pred\)"):
        glassnet.Sequential([Dense(1, input_shape=(2,))]).compile("sgd", wrong_args)
    with pytest.raises(ConfigError, match="reduction=None keeps one loss per sample"):
        glassnet.Sequential([Dense(1, input_shape=(2,))]).compile("sgd",
                                                                  MeanSquared(reduction=None))


def test_an_error_inside_the_function_says_where_it_was_raised():
    def broken(y_true, y_pred):
        return ops.reshape(y_pred, (7, 7))

    with pytest.raises(ValueError) as info:
        train(broken, Y, epochs=1)
    assert any("loss function" in note and "broken" in note for note in info.value.__notes__)


def test_metric_functions_report_the_mean_of_their_values():
    def my_mae(y_true, y_pred):
        return ops.mean(ops.abs(y_true - y_pred), axis=-1)

    model, _ = train(my_mse, Y, epochs=1)
    model.compile("adam", my_mse, metrics=[my_mae, "mae"])
    x = np.random.default_rng(0).normal(size=(64, 3))
    logs = model.evaluate(x, Y, verbose=0, return_dict=True)
    assert logs["my_mae"] == pytest.approx(logs["mae"], rel=1e-12)
    assert isinstance(logs["my_mae"], float)


KERAS_STYLE = '''
def my_loss(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1) + 0.1 * ops.mean(ops.abs(y_pred),
                                                                           axis=-1)


class Huberish(keras.losses.Loss):
    def __init__(self, delta=0.5, name="huberish", **kwargs):
        super().__init__(name=name, **kwargs)
        self.delta = delta

    def call(self, y_true, y_pred):
        err = y_true - y_pred
        small = ops.abs(err) <= self.delta
        quad = 0.5 * ops.square(err)
        lin = self.delta * (ops.abs(err) - 0.5 * self.delta)
        return ops.mean(ops.where(small, quad, lin), axis=-1)


def my_metric(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                          keras.layers.Lambda(lambda t: ops.sigmoid(t) * 2.0 - ops.square(t)),
                          keras.layers.Dense(2)])
model.set_weights(weights)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss=LOSS,
              metrics=[my_metric])
history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0, sample_weight=sw)
'''


@pytest.mark.parametrize("loss", ["my_loss", "Huberish()"])
def test_keras_3_script_with_custom_loss_runs_the_same(loss):
    """One script, run by Keras 3 and by glassnet with only the imports changed."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    r = np.random.default_rng(0)
    data = {"x": r.normal(size=(64, 4)).astype("float32"),
            "y": r.normal(size=(64, 2)).astype("float32"),
            "sw": r.uniform(size=64).astype("float32"),
            "weights": [r.normal(size=s).astype("float32") * 0.5
                        for s in [(4, 8), (8,), (8, 2), (2,)]]}
    runs = []
    for lib, lib_ops in ((keras, keras.ops), (glassnet, glassnet.ops)):
        namespace = {"keras": lib, "ops": lib_ops, **data}
        exec(KERAS_STYLE.replace("LOSS", loss), namespace)
        runs.append((namespace["model"].get_weights(), namespace["history"].history))
    (wk, hk), (wg, hg) = runs
    for a, b in zip(wk, wg, strict=True):
        np.testing.assert_allclose(b, a, atol=1e-6)
    for key in ("loss", "my_metric"):
        np.testing.assert_allclose(hg[key], hk[key], rtol=1e-6)


def test_a_saved_model_with_a_custom_loss_loads_with_compile_false(tmp_path):
    model, _ = train(MeanSquared(), Y, epochs=1)
    path = str(tmp_path / "custom.glassnet")
    model.save(path)
    with pytest.raises(glassnet.errors.FileFormatError, match="compile=False"):
        glassnet.models.load_model(path)
    again = glassnet.models.load_model(path, compile=False)
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    again.compile("adam", MeanSquared())
    assert again.evaluate(x, Y[:4], verbose=0) == pytest.approx(
        model.evaluate(x, Y[:4], verbose=0), rel=1e-12)


def test_custom_losses_per_output_of_a_functional_model():
    from glassnet.layers import Input

    def run(kind_loss, size_loss):
        glassnet.utils.set_random_seed(5)
        x = Input((3,))
        h = Dense(6, activation="tanh")(x)
        model = glassnet.Model(x, [Dense(3, activation="softmax", name="kind")(h),
                                   Dense(1, name="size")(h)], dtype="float64")
        model.compile("adam", {"kind": kind_loss, "size": size_loss},
                      loss_weights={"kind": 1.0, "size": 0.5})
        data = np.random.default_rng(2).normal(size=(40, 3))
        labels = np.random.default_rng(3).integers(0, 3, size=40)
        history = model.fit(data, {"kind": labels, "size": data[:, :1]}, epochs=3,
                            batch_size=8, verbose=0, seed=0)
        return model, history.history

    custom, hc = run(my_sparse, MeanSquared())
    builtin, hb = run("sparse_categorical_crossentropy", "mse")
    assert weight_gap(custom, builtin) < 1e-9
    np.testing.assert_allclose(hc["size_loss"], hb["size_loss"], rtol=1e-9)
