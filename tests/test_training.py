"""fit: the three gradient-descent modes, determinism, allocations, XOR, History and friends."""

import tracemalloc

import numpy as np
import pytest

import glassnet
import glassnet.models.fit
from glassnet import layers
from glassnet.errors import TrainingStopped
from glassnet.models import training as _training


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _hand_gradients(weights, x, y):
    """Mean-squared-error gradients of a 2-layer sigmoid net, written out by hand."""
    w1, b1, w2, b2 = weights
    h = _sigmoid(x @ w1 + b1)
    o = _sigmoid(h @ w2 + b2)
    delta_o = 2 * (o - y) / o.size * o * (1 - o)  # dL/dnet_o: BP1
    delta_h = (delta_o @ w2.T) * h * (1 - h)  # BP2
    return [x.T @ delta_h, delta_h.sum(0), h.T @ delta_o, delta_o.sum(0)]  # BP4, BP3


def _net(lr=0.5):
    model = glassnet.Sequential([layers.Dense(3, activation="sigmoid", input_shape=(2,)),
                                 layers.Dense(2, activation="sigmoid")], dtype="float64")
    model.compile(glassnet.optimizers.SGD(lr), "mse")
    return model


@pytest.fixture
def small_data():
    rng = np.random.default_rng(7)
    return rng.random((6, 2)), rng.random((6, 2))


@pytest.mark.parametrize("batch_size", [None, 6, 100])
def test_full_batch_step_is_the_mean_gradient_step(small_data, batch_size):
    x, y = small_data
    model = _net()
    start = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
    expected = [w - 0.5 * g for w, g in zip(start, _hand_gradients(start, x, y), strict=True)]
    for got, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_stochastic_mode_is_the_per_sample_sequence(small_data):
    x, y = small_data
    model = _net()
    weights = model.get_weights()
    model.fit(x, y, epochs=2, batch_size=1, shuffle=False, verbose=0)
    for _ in range(2):
        for i in range(len(x)):
            grads = _hand_gradients(weights, x[i:i + 1], y[i:i + 1])
            weights = [w - 0.5 * g for w, g in zip(weights, grads, strict=True)]
    for got, want in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_mini_batch_mode_takes_ceil_n_over_b_steps(small_data):
    x, y = small_data
    model = _net()
    weights = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    for lo in (0, 4):
        grads = _hand_gradients(weights, x[lo:lo + 4], y[lo:lo + 4])
        weights = [w - 0.5 * g for w, g in zip(weights, grads, strict=True)]
    for got, want in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    assert model.optimizer.iterations == 2


def _train_once(seed):
    glassnet.utils.set_random_seed(seed)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
    model = glassnet.Sequential([layers.Dense(8, activation="relu", input_shape=(5,)),
                                 layers.Dropout(0.2),
                                 layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=10, verbose=0, seed=seed,
                        validation_split=0.25)
    return model.params.copy(), history.history


def test_same_seed_gives_bit_identical_weights_and_history():
    params_a, hist_a = _train_once(5)
    params_b, hist_b = _train_once(5)
    assert params_a.tobytes() == params_b.tobytes()
    assert hist_a == hist_b
    params_c, _ = _train_once(6)
    assert params_a.tobytes() != params_c.tobytes()


def test_steady_state_steps_allocate_nothing_larger_than_a_batch():
    rng = np.random.default_rng(0)
    x = rng.random((3200, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 3200)
    model = glassnet.Sequential([layers.Flatten(input_shape=(28, 28)),
                                 layers.Dense(128, activation="relu"),
                                 layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x[:64], y[:64], epochs=1, batch_size=32, verbose=0)  # warm-up: buffers exist
    data = glassnet.models.data.prepare(model, x, y)
    batches = glassnet.models.fit.ArrayBatches(data, 32, np.random.default_rng(0), 100)
    loop = glassnet.models.fit._EpochLoop(model, batches,
                                          glassnet.callbacks.CallbackList([], model, {}))
    order = np.random.default_rng(1).permutation(len(x))
    batch_bytes = 32 * 28 * 28 * 4
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        for step in range(100):
            batch = batches._batch(order, step * 32, step * 32 + 32)
            _training.train_step(model, batch, loop.grad_buffers)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - base < batch_bytes
    assert current - base < 16 * 1024  # nothing kept growing


def test_xor_is_learned_with_a_fixed_seed(xor_data):
    x, y = xor_data
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([layers.Dense(4, activation="tanh", input_shape=(2,)),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(glassnet.optimizers.SGD(0.5, momentum=0.9), "binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=300, batch_size=4, verbose=0, seed=3)
    assert model.predict(x).round().ravel().tolist() == [0, 1, 1, 0]
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.1


def test_history_has_loss_metrics_and_validation_per_epoch():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    model = glassnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, verbose=0, validation_data=(x[:10], y[:10]))
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    val_loss, val_acc = model.evaluate(x[:10], y[:10])
    assert history.history["val_loss"][-1] == pytest.approx(val_loss)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc)
    assert model.evaluate(x[:10], y[:10], return_dict=True) == {
        "loss": pytest.approx(val_loss), "accuracy": pytest.approx(val_acc)}


def test_epoch_loss_is_the_batch_weighted_mean():
    x = np.arange(10, dtype=float).reshape(5, 2) / 10
    y = np.ones((5, 1))
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,))], dtype="float64")
    model.compile(glassnet.optimizers.SGD(1e-9), "mse")  # a tiny step: losses barely move
    expected = model.evaluate(x, y)
    history = model.fit(x, y, batch_size=2, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-6)


def test_evaluate_without_metrics_returns_a_float_and_predict_batches_agree():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 3))
    model = glassnet.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)),
                                 layers.Dense(2)])
    model.compile("sgd", "mse")
    assert isinstance(model.evaluate(x, np.zeros((50, 2))), float)
    whole = model.predict(x)
    np.testing.assert_allclose(model.predict(x, batch_size=7), whole, rtol=1e-6)
    assert model.predict(x[:1]).shape == (1, 2)


def test_sample_and_class_weights_weight_the_loss():
    x = np.array([[1.0], [2.0]])
    y = np.array([0, 1])
    model = glassnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(1,))],
                                dtype="float64")
    model.compile("sgd", "sparse_categorical_crossentropy")
    per_sample = [model.evaluate(x[i:i + 1], y[i:i + 1]) for i in range(2)]
    weighted = model.evaluate(x, y, sample_weight=np.array([3.0, 1.0]))
    assert weighted == pytest.approx((3 * per_sample[0] + per_sample[1]) / 2)
    history = model.fit(x, y, epochs=1, batch_size=2, verbose=0, class_weight={0: 3.0, 1: 1.0},
                        shuffle=False)
    assert history.history["loss"][0] == pytest.approx(weighted)


def test_verbose_modes(capsys):
    x, y = np.zeros((8, 2)), np.zeros(8)
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 1/2") and "loss: 0.0000" in lines[0]
    model.fit(x, y, epochs=1, batch_size=4, verbose=1)
    captured = capsys.readouterr()
    assert "Epoch 1/1" in captured.out and "2/2" in captured.out and "loss" in captured.out


def test_divergence_stops_with_finite_weights_and_a_message():
    x = np.array([[1e3, -1e3], [2e3, 1e3]])
    y = np.array([[1.0], [-1.0]])
    model = glassnet.Sequential([layers.Dense(8, activation="relu", input_shape=(2,)),
                                 layers.Dense(1)])
    model.compile(glassnet.optimizers.SGD(1e3), "mse")
    with pytest.warns(TrainingStopped, match=r"epoch \d+, batch \d+.*smaller learning"):
        history = model.fit(x, y, epochs=50, batch_size=1, verbose=0, shuffle=False)
    assert np.isfinite(model.params).all()
    assert len(history.epoch) < 50
    assert "smaller learning rate" in history.stop_reason


def test_an_update_that_overflows_the_weights_is_rolled_back():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 3)), rng.normal(size=(64, 1))
    model = glassnet.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)])
    model.compile(glassnet.optimizers.SGD(1e-3), "mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    after_first_epoch = model.params.copy()
    model.optimizer.learning_rate = 3e38  # lr * gradient overflows float32
    with pytest.warns(TrainingStopped, match="overflowed the weights.*restored"):
        history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    np.testing.assert_array_equal(model.params, after_first_epoch)
    assert np.isfinite(model.params).all()
    assert "smaller learning rate" in history.stop_reason


def test_fit_refuses_weights_that_are_already_not_finite():
    model = _net()
    model.build((2,))
    model.layers[1].kernel[1, 0] = np.nan  # written straight into the weights' view
    before = model.params.copy()
    with pytest.raises(glassnet.errors.ConfigError,
                       match=r"layer '.+': its kernel holds NaN or inf before training"):
        model.fit(np.ones((4, 2)), np.ones((4, 2)), epochs=1, verbose=0)
    np.testing.assert_array_equal(model.params, before)  # NaN stays where it was, nothing else
    assert model.optimizer.iterations == 0


def test_weights_that_overflowed_unseen_are_restored_at_the_next_epoch():
    """An inf weight set after the epoch's last step (or, where the product kernel skips zero
    inputs, one whose input is always 0) shows in no loss; the epoch boundary catches it and
    restores the epoch's start."""
    class OverflowUnseen(glassnet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.layers[0].kernel[0] = np.inf  # as if an update had overflowed

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(32, 6)), rng.normal(size=(32, 1))
    x[:, 0] = 0
    model = glassnet.Sequential([layers.Dense(64, activation="relu", input_shape=(6,)),
                                 layers.Dense(1)])
    model.compile(glassnet.optimizers.Adam(1e-3), "mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    with pytest.warns(TrainingStopped, match=r"start of epoch 3: an update in epoch 2 "
                                                        r"overflowed.*restored to the start of "
                                                        r"epoch 2"):
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[OverflowUnseen()])
    assert history.epoch == [0, 1]
    assert np.isfinite(model.params).all()
    assert model.optimizer.iterations == 1 * 4 + 4  # the first fit, then epoch 1 of this one


def test_a_keyboard_interrupt_returns_the_history_so_far():
    class StopMidEpoch(glassnet.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.params and len(self.model.history_seen) == 1 and batch == 2:
                raise KeyboardInterrupt
            if batch == 0:
                self.model.history_seen.append(1)

    x, y = np.random.default_rng(0).normal(size=(40, 2)), np.zeros((40, 1))
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    model.history_seen = []
    with pytest.warns(TrainingStopped, match="interrupted at epoch 1, batch 3"):
        history = model.fit(x, y, epochs=5, batch_size=4, verbose=0,
                            callbacks=[StopMidEpoch()])
    assert history.interrupted
    assert history.epoch == [0]  # the partial epoch's logs are kept
    assert model.optimizer.iterations == 3
    assert np.isfinite(model.params).all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"callbacks": glassnet.callbacks.EarlyStopping()},
     r"got one EarlyStopping; wrap it in a list: callbacks=\[EarlyStopping\(...\)\]"),
    ({"callbacks": ["early_stopping"]}, r"callbacks\[0\] is 'early_stopping', not a glassnet"),
    ({"class_weight": [3.0, 1.0]}, r"class_weight must be a dict \{class label: weight\}, got"),
    ({"class_weight": {-1: 2.0}}, "class_weight: key -1 is not a class label"),
    ({"class_weight": {0: "high"}}, r"class_weight\[0\]: weight 'high' must be a finite number"),
    ({"shuffle": "False"}, "shuffle must be True or False, got 'False'"),
    ({"verbose": np.array([1, 2])}, r"verbose must be 0 \(silent\), 1"),
])
def test_fit_rejects_bad_options_before_training(small_data, kwargs, message):
    model = _net()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(glassnet.errors.ConfigError, match=message):
        model.fit(*small_data, **{"epochs": 1, "verbose": 0, **kwargs})
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_fit_with_text_labels_says_how_to_encode_them():
    model = glassnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(2,))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(glassnet.errors.DataError,
                       match=r"argument y: holds text .*dtype <U3.*classes, y = np.unique\(y, "
                             r"return_inverse=True\)"):
        model.fit(np.zeros((4, 2)), ["cat", "dog", "cat", "dog"], epochs=1, verbose=0)


def test_a_seeded_dropout_resumes_its_masks_after_save_and_load(tmp_path):
    x = np.random.default_rng(0).normal(size=(32, 4))
    y = x.sum(1, keepdims=True)

    def fresh():
        glassnet.utils.set_random_seed(5)
        model = glassnet.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                                     layers.Dropout(0.5, seed=3), layers.Dense(1)])
        model.compile("adam", "mse")
        return model

    straight = fresh()
    straight.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0)
    halves = fresh()
    halves.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    halves.save(tmp_path / "m.safetensors")
    resumed = glassnet.models.load_model(tmp_path / "m.safetensors")
    resumed.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


def test_a_second_ctrl_c_waits_for_the_step_and_between_steps_keeps_the_history():
    from glassnet.models.fit import _InterruptGuard

    guard = _InterruptGuard()
    guard._handle(None, None)
    guard.in_step = True
    guard._handle(None, None)  # inside a step: deferred, no exception
    guard.in_step = False
    with pytest.raises(KeyboardInterrupt):
        guard._handle(None, None)

    class CtrlCAtEpochEnd(glassnet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    x = np.ones((8, 2))
    with pytest.warns(TrainingStopped, match="interrupted in epoch 2, between steps"):
        history = model.fit(x, x[:, :1], epochs=5, verbose=0, callbacks=[CtrlCAtEpochEnd()])
    assert len(history.history["loss"]) == 2 and history.interrupted  # the epoch is kept
    assert model.optimizer.iterations == 2
