"""ModelCheckpoint (save_freq, filepath fields, save_best_only, initial_value_threshold) and
BackupAndRestore, against Keras 3's own callbacks driven with the same logs, and in real fits."""

import json
import os

import numpy as np
import pytest

import glassnet
from glassnet.callbacks import BackupAndRestore, Callback, ModelCheckpoint
from glassnet.errors import ConfigError
from glassnet.layers import Dense

os.environ.setdefault("KERAS_BACKEND", "torch")


class Recorder:
    """Stands for a model: records where it was saved."""

    def __init__(self):
        self.saved, self.stop_training = [], False

    def save(self, path, **kwargs):
        self.saved.append(os.path.basename(path))

    save_weights = save


def drive(callback, script):
    """Run a callback through (epoch, [batch logs...], epoch logs) as fit would."""
    model = Recorder()
    callback.set_model(model)
    if hasattr(callback, "_set_monitor_op"):  # Keras sets it at the first epoch's end only, so
        callback._set_monitor_op()             # its batch-level save_best_only fails before
    callback.on_train_begin({})
    for epoch, batches, logs in script:
        callback.on_epoch_begin(epoch, {})
        for batch, batch_logs in enumerate(batches):
            callback.on_train_batch_end(batch, dict(batch_logs))
        callback.on_epoch_end(epoch, dict(logs))
    return model.saved


def script(rng, epochs=3, steps=5):
    return [(e, [{"loss": float(v)} for v in rng.uniform(0, 1, steps)],
             {"loss": float(rng.uniform()), "val_loss": float(rng.uniform())})
            for e in range(epochs)]


CASES = [
    ("m-{epoch:02d}.keras", {}),
    ("m-{epoch:02d}-{val_loss:.3f}.keras", {"save_best_only": True}),
    ("m-{epoch:02d}-{batch:03d}.keras", {"save_freq": 3}),
    ("m-{epoch}-{batch}-{loss:.2f}.keras", {"save_freq": 2, "save_best_only": True,
                                            "monitor": "loss"}),
    ("best.keras", {"save_best_only": True, "initial_value_threshold": 0.4}),
    ("w-{epoch}.weights.h5", {"save_weights_only": True, "save_best_only": True,
                              "mode": "max"}),
    ("m-{epoch}-{batch}.keras", {"save_freq": 7}),
]


@pytest.mark.parametrize(("pattern", "kwargs"), CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_decisions_paths_and_messages_are_kerass(keras, tmp_path, capsys, pattern, kwargs, seed):
    logs = script(np.random.default_rng(seed))
    path = str(tmp_path / pattern)
    ours = drive(ModelCheckpoint(path, verbose=1, **kwargs), logs)
    ours_out = capsys.readouterr().out
    theirs = drive(keras.callbacks.ModelCheckpoint(path, verbose=1, **kwargs), logs)
    assert ours == theirs
    assert ours or "initial_value_threshold" in kwargs  # only a threshold may save nothing
    assert ours_out == capsys.readouterr().out


def test_save_best_only_without_the_monitor_warns_and_saves_as_keras(keras, tmp_path):
    logs = [(0, [], {"loss": 0.5})]
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        ours = drive(ModelCheckpoint(str(tmp_path / "m.keras"), save_best_only=True), logs)
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        theirs = drive(keras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"),
                                                       save_best_only=True), logs)
    assert ours == theirs == ["m.keras"]


def test_save_freq_in_a_real_fit_writes_kerass_files(keras, tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    pattern = "c-{epoch:02d}-{batch:02d}.keras"
    ours_dir, theirs_dir = tmp_path / "ours", tmp_path / "theirs"
    model = glassnet.Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False,
              callbacks=[ModelCheckpoint(str(ours_dir / pattern), save_freq=3)])
    reference = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2),
                                  keras.layers.Dense(1)])
    reference.compile("sgd", "mse")
    reference.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False,
                  callbacks=[keras.callbacks.ModelCheckpoint(str(theirs_dir / pattern),
                                                             save_freq=3)])
    assert sorted(os.listdir(ours_dir)) == sorted(os.listdir(theirs_dir)) == [
        "c-01-03.keras", "c-02-01.keras", "c-02-04.keras", "c-03-02.keras", "c-03-05.keras"]
    restored = keras.models.load_model(str(ours_dir / "c-03-05.keras"))  # the last batch
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x), rtol=1e-5,
                               atol=1e-6)


def test_a_weights_checkpoint_loads_back(tmp_path):
    model = glassnet.Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    model.compile("adam", "mse")
    path = tmp_path / "w.weights.h5"
    model.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0,
              callbacks=[ModelCheckpoint(str(path), save_weights_only=True, monitor="loss")])
    other = glassnet.Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    other.load_weights(str(path))
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"save_freq": "batch"}, "save_freq must be 'epoch' or a number of batches"),
    ({"save_freq": 0}, "save_freq must be"),
    ({"save_freq": True}, "save_freq must be"),
    ({"initial_value_threshold": "low"}, "initial_value_threshold must be a number"),
    ({"filepath": "m.h5"}, "legacy Keras HDF5 file"),
    ({"filepath": "m.keras", "save_weights_only": True}, "must end in '.weights.h5'"),
    ({"filepath": "m.weights.h5"}, "pass save_weights_only=True"),
    ({"filepath": "m-{batch:q}.keras"}, "not a valid template"),
])
def test_bad_arguments_are_refused_when_made(kwargs, match):
    kwargs = {"filepath": "m.keras", **kwargs}
    with pytest.raises(ConfigError, match=match):
        ModelCheckpoint(**kwargs)


def _fit(model, epochs, callbacks):
    x = np.random.default_rng(3).normal(size=(16, 3))
    return model.fit(x, x.sum(axis=1), batch_size=4, epochs=epochs, verbose=0, shuffle=False,
                     callbacks=callbacks)


class StopAt(Callback):
    """Interrupts training (as a crash would) at the end of one epoch."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


def _model():
    glassnet.utils.set_random_seed(5)
    model = glassnet.Sequential([Dense(3, input_shape=(3,), name="br_h"), Dense(1, name="br_o")])
    model.compile("sgd", "mse")
    return model


def test_backup_and_restore_resumes_where_the_run_stopped(tmp_path):
    backup = tmp_path / "backup"
    model = _model()
    with pytest.warns(glassnet.errors.TrainingStopped):
        first = _fit(model, 5, [BackupAndRestore(str(backup)), StopAt(1)])
    assert first.epoch == [0, 1] and first.interrupted
    assert json.loads((backup / "training_metadata.json").read_text()) == {"epoch": 2,
                                                                           "batch": 0}
    after_two = [w.copy() for w in model.get_weights()]
    fresh = _model()  # a new process: new weights, the same backup folder
    resumed = _fit(fresh, 5, [BackupAndRestore(str(backup))])
    assert resumed.epoch == [2, 3, 4]
    assert not backup.exists()  # finished: the backup is removed, as in Keras
    straight = _model()
    _fit(straight, 5, [])
    for a, b in zip(fresh.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)  # same as training without a break
    assert not all(np.array_equal(a, b) for a, b in zip(after_two, fresh.get_weights(),
                                                        strict=True))


def test_backup_every_n_batches_and_the_kept_previous_pair(tmp_path):
    backup = tmp_path / "b"
    model = _model()
    cb = BackupAndRestore(str(backup), save_freq=3, double_checkpoint=True,
                          delete_checkpoint=False)
    _fit(model, 2, [cb])
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "latest.weights.h5.bkp",
                                          "training_metadata.json",
                                          "training_metadata.json.bkp"]
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 1
    with pytest.raises(ConfigError, match="backup_dir is empty"):
        BackupAndRestore("")
    with pytest.raises(ConfigError, match="save_freq must be"):
        BackupAndRestore(str(backup), save_freq="batch")


def test_backup_metadata_matches_kerass(keras, tmp_path):
    """Keras's and glassnet's BackupAndRestore write the same metadata at the same batches."""
    written = {}
    for name, make in (("ours", BackupAndRestore), ("theirs", keras.callbacks.BackupAndRestore)):
        cb = make(str(tmp_path / name), save_freq=4, delete_checkpoint=False)
        seen = []
        model = Recorder()
        model.save_weights = lambda filepath, overwrite=True, seen=seen: seen.append(
            json.loads(open(os.path.join(os.path.dirname(filepath),
                                         "training_metadata.json")).read())
            if os.path.exists(os.path.join(os.path.dirname(filepath),
                                           "training_metadata.json")) else None)
        cb.set_model(model)
        cb.set_params({"epochs": 3})
        for epoch in range(3):
            cb.on_epoch_begin(epoch, {})
            for batch in range(5):
                cb.on_train_batch_end(batch, {"loss": 1.0})
            cb.on_epoch_end(epoch, {"loss": 1.0})
        written[name] = (seen, json.loads((tmp_path / name / "training_metadata.json")
                                          .read_text())["epoch"])
    assert written["ours"][1] == written["theirs"][1]
    assert len(written["ours"][0]) == len(written["theirs"][0]) == 3


# TensorBoard ---------------------------------------------------------------------------------

def test_crc32c_matches_the_published_check_values():
    from glassnet._callbacks_tensorboard import crc32c

    assert crc32c(b"123456789") == 0xE3069283  # the CRC catalogue's check value
    assert crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720 B.4: 32 bytes of zeros
    assert crc32c(b"\xff" * 32) == 0x62A8AB43  # ... of ones
    assert crc32c(bytes(range(32))) == 0x46DD794E  # ... incrementing


def test_tensorboard_reads_the_epoch_scalars(tmp_path):
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    from glassnet.callbacks import TensorBoard

    model = glassnet.Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    model.compile(glassnet.optimizers.SGD(0.05), "mse", metrics=["mae"])
    history = _fit_val(model, [TensorBoard(str(tmp_path), update_freq=2)])
    train = accumulator.EventAccumulator(str(tmp_path / "train"))
    train.Reload()
    assert sorted(train.Tags()["scalars"]) == ["batch_loss", "batch_mae", "epoch_learning_rate",
                                               "epoch_loss", "epoch_mae"]
    events = train.Scalars("epoch_loss")
    assert [e.step for e in events] == [0, 1, 2]
    np.testing.assert_allclose([e.value for e in events], history.history["loss"], rtol=1e-6)
    assert [e.value for e in train.Scalars("epoch_learning_rate")] == pytest.approx([0.05] * 3)
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6]  # 2 batches an epoch
    val = accumulator.EventAccumulator(str(tmp_path / "validation"))
    val.Reload()
    np.testing.assert_allclose([e.value for e in val.Scalars("epoch_loss")],
                               history.history["val_loss"], rtol=1e-6)


def _fit_val(model, callbacks):
    x = np.random.default_rng(4).normal(size=(20, 3))
    return model.fit(x, x.sum(axis=1), batch_size=8, epochs=3, verbose=0, shuffle=False,
                     validation_split=0.2, callbacks=callbacks)


def test_tensorboard_records_are_framed_and_checked(tmp_path):
    """Without TensorBoard installed: each record's two masked CRC-32Cs hold."""
    import struct

    from glassnet._callbacks_tensorboard import _masked, crc32c
    from glassnet.callbacks import TensorBoard

    model = glassnet.Sequential([Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    _fit_val(model, [TensorBoard(str(tmp_path))])
    (name,) = os.listdir(tmp_path / "train")
    assert name.startswith("events.out.tfevents.") and name.endswith(".v2")
    data, records = (tmp_path / "train" / name).read_bytes(), []
    while data:
        (length,), (crc,) = struct.unpack("<Q", data[:8]), struct.unpack("<I", data[8:12])
        assert crc == _masked(crc32c(data[:8]))
        payload, (crc,) = data[12:12 + length], struct.unpack("<I", data[12 + length:16 + length])
        assert crc == _masked(crc32c(payload))
        records.append(payload)
        data = data[16 + length:]
    assert b"brain.Event:2" in records[0] and len(records) == 4  # version + 3 epochs
    assert all(b"epoch_loss" in r and b"epoch_learning_rate" in r for r in records[1:])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"histogram_freq": 1}, "histogram_freq=1 is not supported"),
    ({"profile_batch": 5}, "profile_batch=5 is not supported"),
    ({"write_images": True}, "write_images and embeddings are not supported"),
    ({"update_freq": "sometimes"}, "update_freq"),
])
def test_tensorboard_refuses_what_it_does_not_write(kwargs, match):
    from glassnet.callbacks import TensorBoard

    with pytest.raises(ConfigError, match=match):
        TensorBoard(**kwargs)


def test_kerass_other_callback_arguments():
    from glassnet.callbacks import LambdaCallback, ReduceLROnPlateau

    assert ReduceLROnPlateau(epsilon=0.01).min_delta == 0.01  # Keras 2's name
    with pytest.raises(ConfigError, match=r"unknown arguments \['speed'\]"):
        ReduceLROnPlateau(speed=2)
    seen = []
    cb = LambdaCallback(on_test_end=lambda logs: seen.append(logs))
    cb.on_test_end({"loss": 1.0})
    assert seen == [{"loss": 1.0}]
    with pytest.raises(ConfigError, match="not a callback hook"):
        LambdaCallback(on_lunch=print)
