"""Callbacks with Keras's semantics, driven by crafted metric sequences."""

import csv

import numpy as np
import pytest

import glassnet
from glassnet.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from glassnet.errors import ConfigError
from glassnet.layers import Dense


class Scripted(Callback):
    """Replaces ``monitor`` in the epoch logs by a scripted sequence and keeps each epoch's
    weights; listed before the callback under test, so that one sees the scripted value."""

    def __init__(self, values, key="val_loss"):
        super().__init__()
        self.values, self.key, self.weights = list(values), key, []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def _model(lr=0.1):
    model = glassnet.Sequential([Dense(2, activation="tanh", input_shape=(3,)), Dense(1)],
                                dtype="float64")
    model.compile(glassnet.optimizers.SGD(lr), "mse")
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    return rng.normal(size=(16, 3)), rng.normal(size=(16, 1))


def test_early_stopping_stops_at_the_right_epoch_and_restores_the_best(data, capsys):
    model = _model()
    script = Scripted([1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.71, 0.9, 0.5, 0.5])
    stop = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    history = model.fit(*data, epochs=10, callbacks=[script, stop], verbose=0)
    assert history.epoch == [0, 1, 2, 3, 4, 5]
    assert (stop.stopped_epoch, stop.best_epoch, stop.best, stop.wait) == (5, 3, 0.7, 2)
    for got, want in zip(model.get_weights(), script.weights[3], strict=True):
        np.testing.assert_array_equal(got, want)
    out = capsys.readouterr().out
    assert "Epoch 6: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 4." in out


def test_early_stopping_min_delta_mode_baseline_and_start_epoch(data):
    model = _model()
    # max mode with min_delta 0.05: 0.52 and 0.54 are not improvements over 0.5.
    stop = EarlyStopping(monitor="val_accuracy", min_delta=0.05, patience=2)
    h = model.fit(*data, epochs=8, verbose=0,
                  callbacks=[Scripted([0.5, 0.52, 0.54, 0.9], "val_accuracy"), stop])
    assert (len(h.epoch), stop.stopped_epoch, stop.best) == (3, 2, 0.5)
    # a baseline never beaten: wait keeps counting through improvements, and the first epoch
    # that does not improve then stops training.
    stop = EarlyStopping(monitor="loss", baseline=0.1, patience=3)
    h = model.fit(*data, epochs=8, verbose=0,
                  callbacks=[Scripted([0.9, 0.8, 0.8, 0.8], "loss"), stop])
    assert (len(h.epoch), stop.stopped_epoch, stop.best_epoch, stop.wait) == (3, 2, 1, 3)
    # epochs before start_from_epoch are ignored.
    stop = EarlyStopping(monitor="loss", patience=1, start_from_epoch=3)
    h = model.fit(*data, epochs=8, verbose=0,
                  callbacks=[Scripted([0.1, 0.9, 0.9, 0.5, 0.6, 0.7, 0.1, 0.1], "loss"), stop])
    assert (len(h.epoch), stop.stopped_epoch) == (5, 4)


def test_restore_best_weights_also_without_stopping(data):
    model = _model()
    script = Scripted([0.5, 0.3, 0.4])
    stop = EarlyStopping(patience=5, restore_best_weights=True)
    model.fit(*data, epochs=3, callbacks=[script, stop], verbose=0)
    assert stop.stopped_epoch == 0
    for got, want in zip(model.get_weights(), script.weights[1], strict=True):
        np.testing.assert_array_equal(got, want)


def test_monitor_missing_warns_and_unknown_direction_is_an_error(data):
    model = _model()
    with pytest.warns(UserWarning, match="`val_loss` which is not available. Available "
                                         "metrics are: loss"):
        model.fit(*data, epochs=2, callbacks=[EarlyStopping()], verbose=0)
    with pytest.raises(ConfigError, match=r"monitor='val_wobble'.*mode='max' or mode='min'"):
        model.fit(*data, epochs=2, verbose=0,
                  callbacks=[Scripted([1, 2], "val_wobble"), EarlyStopping("val_wobble")])


def test_reduce_lr_on_plateau_with_patience_cooldown_and_min_lr(data):
    model = _model(lr=0.1)
    values = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    cb = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    h = model.fit(*data, epochs=8, verbose=0, callbacks=[Scripted(values), cb])
    # logged before the epoch's decision: reductions after epochs 2, 4 (one cooldown epoch
    # resets wait, the next counts) and 6 (to min_lr).
    assert h.history["learning_rate"] == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02])
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    with pytest.raises(ConfigError, match=r"factor must be below 1\.0"):
        ReduceLROnPlateau(factor=1.5)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: EarlyStopping(monitor="loss", patience="3"),
     "EarlyStopping: patience must be an integer >= 0, got '3'"),
    (lambda: EarlyStopping(monitor="loss", min_delta="0.1"),
     "EarlyStopping: min_delta must be a finite number, got '0.1'"),
    (lambda: EarlyStopping(monitor=None), "EarlyStopping: monitor must be the name of a logged"),
    (lambda: ReduceLROnPlateau(cooldown=-1), "ReduceLROnPlateau: cooldown must be an integer >= 0"),
    (lambda: ReduceLROnPlateau(factor="half"), "factor must be a number in \\(0, 1\\), got 'half'"),
])
def test_monitor_callbacks_check_their_arguments_when_made(make, message):
    # a bad patience used to surface only as a TypeError mid-fit, losing the History
    with pytest.raises(ConfigError, match=message):
        make()


def test_learning_rate_scheduler_sets_the_rate_each_epoch(data):
    model = _model(lr=0.1)
    seen = []
    spy = LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(model.optimizer.learning_rate))
    sched = LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5**epoch)
    h = model.fit(*data, epochs=3, verbose=0, callbacks=[sched, spy])
    assert seen == h.history["learning_rate"] == [0.1, 0.05, 0.025]
    one_arg = LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    model.fit(*data, epochs=2, verbose=0, callbacks=[one_arg])
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    with pytest.raises(ConfigError, match="schedule returned 'fast' for epoch 0"):
        model.fit(*data, epochs=1, verbose=0,
                  callbacks=[LearningRateScheduler(lambda e, lr: "fast")])


def test_csv_logger_writes_and_appends(tmp_path, data):
    path = tmp_path / "log.csv"
    model = _model()
    model.compile(glassnet.optimizers.SGD(0.1), "mse", metrics=["mae"])
    h = model.fit(*data, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    assert float(rows[2][1]) == pytest.approx(h.history["loss"][1])
    assert rows[1][3:] == ["NA", "NA"]
    model.fit(*data, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator=";",
                                                               append=True)])
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[3].startswith("0;") and lines[3].endswith(";NA;NA")


def test_csv_logger_flushes_each_epoch(tmp_path, data):
    path = tmp_path / "log.csv"
    sizes = []
    peek = LambdaCallback(on_epoch_end=lambda e, logs: sizes.append(len(path.read_text())))
    _model().fit(*data, epochs=2, verbose=0, callbacks=[CSVLogger(path), peek])
    assert sizes[0] > 0 and sizes[1] > sizes[0]


def test_lambda_callback_batch_hooks_are_called(data):
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append("begin"),
                        on_train_batch_end=lambda batch, logs: calls.append(batch),
                        on_train_end=lambda logs: calls.append("end"))
    _model().fit(*data, epochs=1, batch_size=4, verbose=0, callbacks=[cb])
    assert calls == ["begin", 0, 1, 2, 3, "end"]


def test_terminate_on_nan(data, capsys):
    model = _model()
    cb = TerminateOnNaN()
    cb.set_model(model)
    cb.on_batch_end(3, {"loss": 0.5})
    assert not model.stop_training
    cb.on_batch_end(4, {"loss": float("nan")})
    assert model.stop_training and "Batch 4: Invalid loss" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
        TerminateOnNaN(raise_error=True).on_batch_end(2, {"loss": float("inf")})


def test_a_forced_overflow_stops_with_the_message_and_finite_weights(data):
    model = glassnet.Sequential([Dense(1, input_shape=(3,))], dtype="float64")
    model.compile(glassnet.optimizers.SGD(1e200), "mse")  # the second batch's loss overflows
    with pytest.warns(glassnet.errors.TrainingStopped, match="epoch 1, batch 2.*smaller "
                                                                "learning rate"):
        h = model.fit(*data, epochs=3, batch_size=8, verbose=0, shuffle=False,
                      callbacks=[TerminateOnNaN()])
    assert "smaller learning rate" in h.stop_reason
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_model_checkpoint_paths_and_best_only(tmp_path, data):
    model = _model()
    saved = []
    model.save = lambda path: (saved.append(path), open(path, "w").close())
    pattern = str(tmp_path / "ckpt" / "m-{epoch:02d}-{val_loss:.2f}.bin")
    best = ModelCheckpoint(pattern, save_best_only=True)
    model.fit(*data, epochs=4, verbose=0, callbacks=[Scripted([0.5, 0.7, 0.25, 0.3]), best])
    assert [p.rsplit("/", 1)[1] for p in saved] == ["m-01-0.50.bin", "m-03-0.25.bin"]
    assert (tmp_path / "ckpt" / "m-03-0.25.bin").exists()
    every = ModelCheckpoint(str(tmp_path / "e{epoch}.bin"), monitor="loss")
    model.fit(*data, epochs=2, verbose=0, callbacks=[every])
    assert saved[-2:] == [str(tmp_path / "e1.bin"), str(tmp_path / "e2.bin")]
    with pytest.raises(ConfigError, match=r"names 'acc', which is not in the logs \(loss"):
        model.fit(*data, epochs=1, verbose=0,
                  callbacks=[ModelCheckpoint(str(tmp_path / "{acc}.bin"))])


def test_model_checkpoint_with_the_real_model_save(tmp_path, data):
    pytest.importorskip("safetensors")
    if not hasattr(glassnet.Model, "save"):
        pytest.skip("Model.save is not available yet")
    from glassnet.models import load_model

    model = _model()
    path = tmp_path / "best.safetensors"
    model.fit(*data, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[ModelCheckpoint(str(path), save_best_only=True),
                         ModelCheckpoint(str(tmp_path / "w.safetensors"),
                                         save_weights_only=True)])
    assert path.exists() and (tmp_path / "w.safetensors").stat().st_size < path.stat().st_size
    restored = load_model(str(path))
    assert [w.shape for w in restored.get_weights()] == [(3, 2), (2,), (2, 1), (1,)]


def test_history_displays_as_a_table(data):
    model = _model()
    model.compile(glassnet.optimizers.SGD(0.1), "mse", metrics=["mae"])
    h = model.fit(*data, epochs=3, verbose=0, validation_split=0.25)
    html = h._repr_html_()
    assert html.count("<tr>") == 1 + 3
    assert "<th>epoch</th><th>loss</th><th>mae</th><th>val_loss</th><th>val_mae</th>" in html
    assert f"<td>3</td><td>{h.history['loss'][2]:.4f}</td>" in html
    md = h._repr_markdown_().splitlines()
    assert md[0] == "| epoch | loss | mae | val_loss | val_mae |" and len(md) == 5


def test_keyboard_interrupt_from_a_callback_keeps_consistent_weights(data):
    x, y = data
    model, twin = _model(), _model()
    twin.set_weights(model.get_weights())

    def interrupt(batch, logs):
        if batch == 2:
            raise KeyboardInterrupt

    with pytest.warns(glassnet.errors.TrainingStopped, match="interrupted at epoch 1, "
                                                                "batch 3"):
        h = model.fit(x, y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                      callbacks=[LambdaCallback(on_train_batch_end=interrupt)])
    assert h.interrupted and h.epoch == [0] and len(h.history["loss"]) == 1
    twin.fit(x[:12], y[:12], epochs=1, batch_size=4, shuffle=False, verbose=0)  # 3 steps
    for got, want in zip(model.get_weights(), twin.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)


def test_scheduler_and_file_callbacks_check_their_arguments_when_made():
    from glassnet.callbacks import CSVLogger, LearningRateScheduler, ModelCheckpoint

    with pytest.raises(ConfigError, match=r"schedule must be a function of \(epoch, lr\) or of "
                                          r"\(epoch\) returning the rate, got None"):
        LearningRateScheduler(None)
    with pytest.raises(ConfigError, match="schedule must be a function"):
        LearningRateScheduler(lambda: 0.1)
    assert LearningRateScheduler(lambda epoch: 0.1).schedule(3) == 0.1
    with pytest.raises(ConfigError, match=r"CSVLogger: path must be a file name \(a str or "
                                          r"pathlib.Path\), got NoneType"):
        CSVLogger(None)
    with pytest.raises(ConfigError, match=r"ModelCheckpoint: path must be a file name.*got int"):
        ModelCheckpoint(3)
