"""Generated calls over the public API: layers, models, compile / fit / predict / evaluate,
set_weights, callbacks, optimizers, losses, metrics, the data helpers and gradcheck."""

import numpy as np
import pytest
from conftest import REFUSED, attempt, examples, snapshot
from hostile_strategies import (
    arguments,
    datasets,
    feature_arrays,
    floats,
    junk,
    maybe,
    small_int,
    texts,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import glassnet
from glassnet import callbacks, data, losses, metrics, optimizers, utils
from glassnet.layers import Activation, Dense, Dropout, Flatten, LeakyReLU

ACTIVATIONS = st.sampled_from(["relu", "sigmoid", "tanh", "softmax", "linear", "leaky_relu",
                               "exponential", None, "Relu", "gelu"])
LOSSES = st.sampled_from(["mse", "mean_squared_error", "binary_crossentropy",
                          "categorical_crossentropy", "sparse_categorical_crossentropy",
                          "hinge", {"name": "mse"}, {"name": "categorical_crossentropy",
                                                     "from_logits": True}])
OPTIMIZERS = st.one_of(st.sampled_from(["sgd", "adam", "rmsprop", "adagrad"]),
                       st.builds(lambda n, k, v: {"name": n, k: v},
                                 st.sampled_from(["sgd", "adam", "rmsprop", 5]),
                                 st.sampled_from(["learning_rate", "momentum", "beta_1",
                                                  "epsilon", "nesterov", "rho", "bogus"]),
                                 maybe(floats)))
# Units above a million would need the model core's size check (issue 15, left to the lead:
# tests/test_reliability.py::test_a_huge_layer_is_refused_before_allocation).
UNITS = maybe(st.integers(1, 6)).filter(lambda u: not (isinstance(u, (int, np.integer))
                                                       and u > 10**6))
INITIALIZERS = st.one_of(st.sampled_from(["zeros", "ones", "glorot_uniform", "he_normal",
                                          "random_normal", "bogus"]),
                         st.builds(lambda v: {"name": "constant", "value": v}, floats),
                         junk)


def model_of(units=3, activation="softmax", dtype="float32"):
    model = glassnet.Sequential([Dense(4, activation="tanh", input_shape=(2,), name="h"),
                                 Dense(units, activation=activation, name="o")], dtype=dtype)
    model.compile("adam", "sparse_categorical_crossentropy" if units > 1 else "mse")
    return model


@examples(80)
@given(units=UNITS, activation=maybe(ACTIVATIONS), use_bias=maybe(st.booleans()),
       kernel=INITIALIZERS, name=maybe(st.none() | texts), rate=maybe(floats),
       slope=maybe(floats), x=maybe(feature_arrays(cols=(2, 2))))
def test_layers_build_and_predict(units, activation, use_bias, kernel, name, rate, slope, x):
    made = [attempt("Dense", lambda: Dense(units, activation=activation, use_bias=use_bias,
                                           kernel_initializer=kernel, name=name)),
            attempt("Dropout", Dropout, rate),
            attempt("LeakyReLU", LeakyReLU, slope),
            attempt("Activation", Activation, activation), Flatten()]
    chosen = [layer for layer in made if layer is not REFUSED]
    model = attempt("Sequential", glassnet.Sequential, [Dense(2, input_shape=(2,)), *chosen])
    if model is REFUSED:
        return
    before = snapshot(model)
    out = attempt("predict", model.predict, x)
    if out is not REFUSED:
        assert out.shape[0] == len(x) and out.dtype == np.float32
    else:
        assert snapshot(model) == before


@examples(80)
@given(optimizer=maybe(OPTIMIZERS), loss=maybe(LOSSES),
       metrics=maybe(st.lists(st.sampled_from(["accuracy", "mse", "mae", "auc", "acc"]),
                              max_size=3)))
def test_compile_changes_nothing_when_refused(optimizer, loss, metrics):
    model = model_of()
    before = snapshot(model)
    if attempt("compile", model.compile, optimizer, loss, metrics) is REFUSED:
        assert snapshot(model) == before


@examples(200)
@given(xy=datasets(), kwargs=arguments(
    epochs=small_int(1, 2), batch_size=st.none() | small_int(1, 8), shuffle=st.booleans(),
    validation_split=st.sampled_from([0.0, 0.25, 0.5, 0.99]),
    class_weight=st.none() | st.dictionaries(small_int(0, 3), st.floats(0, 5), max_size=3),
    seed=st.none() | small_int(), initial_epoch=small_int(0, 3),
    validation_data=st.none() | st.tuples(feature_arrays(rows=(2, 2), cols=(2, 2)),
                                          st.just([0, 1]))),
       weights=st.one_of(st.none(), st.none(), st.lists(floats, max_size=12), junk))
def test_fit_leaves_the_model_as_it_was_when_refused(xy, kwargs, weights):
    x, y = xy
    epochs = kwargs["epochs"]
    if isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool):
        assume(epochs <= 3)
    model = model_of()
    model.fit(np.zeros((2, 2)), np.array([0, 1]), epochs=1, verbose=0)
    before = snapshot(model)
    history = attempt("fit", model.fit, x, y, sample_weight=weights, verbose=0, **kwargs)
    if history is REFUSED:
        assert snapshot(model) == before
        return
    assert np.isfinite(model.params).all()
    assert all(np.isfinite(v).all() for v in model.optimizer.state.values())
    for values in history.history.values():
        assert len(values) == len(history.epoch)


@examples(80)
@given(xy=datasets(), batch_size=maybe(st.none() | small_int(1, 4)),
       dtype=st.sampled_from(["float32", "float64"]))
def test_predict_and_evaluate(xy, batch_size, dtype):
    x, y = xy
    model = model_of(dtype=dtype)
    before = snapshot(model)
    out = attempt("predict", model.predict, x, batch_size=batch_size)
    if out is not REFUSED:
        finite_in = np.isfinite(np.asarray(x, dtype=np.float64)).all()
        assert out.shape == (len(x), 3) and (not finite_in or np.isfinite(out).all())
    value = attempt("evaluate", model.evaluate, x, y, batch_size=batch_size)
    if value is not REFUSED:
        assert np.isfinite(value)
    assert snapshot(model) == before


@examples(80)
@given(weights=maybe(st.tuples(*(maybe(st.builds(np.full, st.just(shape), floats))
                                  for shape in [(2, 4), (4,), (4, 3), (3,)])).map(list)))
def test_set_weights_all_or_nothing(weights):
    model = model_of()
    before = snapshot(model)
    if attempt("set_weights", model.set_weights, weights) is REFUSED:
        assert snapshot(model) == before
    else:
        for given_w, held in zip(weights, model.get_weights(), strict=True):
            assert (np.asarray(given_w, np.float32) == held).all()


CALLBACKS = {
    "EarlyStopping": lambda a: callbacks.EarlyStopping(
        monitor=a[0], min_delta=a[1], patience=a[2], mode=a[3], baseline=a[4],
        restore_best_weights=a[5]),
    "ReduceLROnPlateau": lambda a: callbacks.ReduceLROnPlateau(
        monitor=a[0], factor=a[1], patience=a[2], mode=a[3], min_lr=a[4], cooldown=a[2]),
    "ModelCheckpoint": lambda a: callbacks.ModelCheckpoint(
        f"{a[6]}/{a[0]}", monitor=a[0], save_best_only=a[5], mode=a[3]),
    "CSVLogger": lambda a: callbacks.CSVLogger(f"{a[6]}/{a[0]}.csv", separator=a[0],
                                               append=a[5]),
    "LambdaCallback": lambda a: callbacks.LambdaCallback(on_epoch_end=a[1], on_train_begin=a[4]),
    "LearningRateScheduler": lambda a: callbacks.LearningRateScheduler(
        a[1] if callable(a[1]) else (lambda epoch: a[1])),
    "TerminateOnNaN": lambda a: callbacks.TerminateOnNaN(a[5]),
}


@examples(120)
@given(kind=st.sampled_from(sorted(CALLBACKS)),
       args=st.tuples(maybe(st.sampled_from(["loss", "val_loss", "m-{epoch:02d}", "acc"])),
                      maybe(floats), maybe(small_int()), maybe(st.sampled_from(["auto", "min"])),
                      maybe(floats | st.none()), maybe(st.booleans())))
def test_callbacks_refuse_when_made_or_run_to_the_end(tmp_path_factory, kind, args):
    folder = tmp_path_factory.mktemp("cb")
    callback = attempt(kind, CALLBACKS[kind], (*args, folder))
    if callback is REFUSED:
        return
    model = model_of()
    history = attempt(f"fit with {kind}", model.fit, np.zeros((4, 2)), np.array([0, 1, 2, 0]),
                      epochs=2, validation_split=0.25, callbacks=[callback], verbose=0)
    assert history is REFUSED or np.isfinite(model.params).all()


@examples(150)
@given(which=st.sampled_from(["one_hot", "to_categorical", "train_test_split", "k_fold",
                              "batches", "minmax", "standard", "accuracy", "confusion_matrix",
                              "precision_recall_f1", "classification_report", "binary_accuracy",
                              "categorical_accuracy", "mean_squared_error", "loss"]),
       a=maybe(feature_arrays()), b=maybe(st.lists(small_int(0, 3), min_size=1, max_size=12)),
       option=maybe(st.sampled_from([None, 2, 0.25, 0.5, True, "standard", (0, 1)])),
       loss=LOSSES)
def test_data_and_metric_helpers(which, a, b, option, loss):
    call = {
        "one_hot": lambda: data.one_hot(b, option),
        "to_categorical": lambda: utils.to_categorical(b, option),
        "train_test_split": lambda: data.train_test_split(a, b, test_size=option, seed=0),
        "k_fold": lambda: list(data.k_fold(len(b) if isinstance(b, list) else b, option)),
        "batches": lambda: list(data.batches(a, b, batch_size=option)),
        "minmax": lambda: data.MinMaxScaler(option).fit(a).inverse_transform(
            data.MinMaxScaler(option).fit_transform(a)),
        "standard": lambda: data.StandardScaler().fit(a).transform(b),
        "accuracy": lambda: metrics.accuracy(b, a),
        "confusion_matrix": lambda: metrics.confusion_matrix(b, a, labels=option),
        "precision_recall_f1": lambda: metrics.precision_recall_f1(b, b, labels=option),
        "classification_report": lambda: metrics.classification_report(b, a, digits=option),
        "binary_accuracy": lambda: metrics.binary_accuracy(b, a),
        "categorical_accuracy": lambda: metrics.categorical_accuracy(a, a),
        "mean_squared_error": lambda: metrics.mean_squared_error(a, b),
        "loss": lambda: losses.get(loss)(b, a, sample_weight=option),
    }[which]
    result = attempt(which, call)
    if which in ("accuracy", "binary_accuracy", "categorical_accuracy") and result is not REFUSED:
        assert 0.0 <= result <= 1.0


@examples(60)
@given(optimizer=st.sampled_from([optimizers.SGD, optimizers.Adam, optimizers.RMSprop]),
       rate=maybe(floats), decay=maybe(st.none() | floats), extra=maybe(floats))
def test_optimizers_are_checked_when_made(optimizer, rate, decay, extra):
    made = attempt(optimizer.__name__, optimizer, rate, weight_decay=decay)
    if made is not REFUSED:
        assert np.isfinite(made.learning_rate) and made.learning_rate >= 0  # 0 allowed, as in Keras
        made2 = attempt(f"{optimizer.__name__}.learning_rate=", setattr, made, "learning_rate",
                        extra)
        assert made2 is REFUSED or made.learning_rate == float(extra)


@examples(40)
@given(x=maybe(feature_arrays(rows=(1, 4), cols=(2, 2))),
       y=maybe(st.lists(small_int(0, 2), min_size=1, max_size=4)),
       tolerance=maybe(floats), step=maybe(floats))
def test_gradcheck_reports_or_refuses(x, y, tolerance, step):
    model = model_of(dtype="float64")
    before = snapshot(model)
    state = utils.global_generator().bit_generator.state
    worst = attempt("gradcheck", glassnet.gradcheck, model, x, y, tolerance=tolerance,
                    step=step, raise_on_failure=False)
    if worst is not REFUSED:
        assert all(not np.isnan(v) and v >= 0 for v in worst.values())
    assert snapshot(model) == before
    assert utils.global_generator().bit_generator.state == state


@examples(60)
@given(which=st.sampled_from(["history", "grid", "boundary", "confusion", "network"]),
       xy=datasets(), option=maybe(st.sampled_from([None, 1, 2, 3, ["a", "b", "c"], (1, 2)])))
def test_plots_draw_or_refuse(which, xy, option):
    pytest.importorskip("matplotlib")
    from glassnet import plot

    x, y = xy
    call = {
        "history": lambda: plot.plot_history({"loss": x if option is None else option}),
        "grid": lambda: plot.image_grid(x, y, rows=option, cols=option),
        "boundary": lambda: plot.decision_boundary(model_of(), x, y, resolution=option),
        "confusion": lambda: plot.confusion_matrix(y, y, class_names=option),
        "network": lambda: plot.plot_network(model_of() if option is None else option),
    }[which]
    fig = attempt(f"plot {which}", call)
    assert fig is REFUSED or fig.axes
