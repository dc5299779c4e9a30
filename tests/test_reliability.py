"""Issue 15's classes of defect, each with the issue's own example: a glassnet error that names
the argument or file, or the right result; never a bare exception, a silent wrong value, or a
changed model or file."""

import errno
import gzip
import os
import signal
import threading

import numpy as np
import pytest

import glassnet
from glassnet import callbacks as cb
from glassnet import losses, utils
from glassnet.data import MinMaxScaler, StandardScaler, load_csv, one_hot
from glassnet.datasets import idx
from glassnet.errors import (
    ConfigError,
    DataError,
    FileFormatError,
    FileSystemError,
    GlassnetError,
    GradientCheckError,
)
from glassnet.initializers import Constant, RandomUniform
from glassnet.layers import Dense, Dropout
from glassnet.metrics import classification, training

pytest.importorskip("safetensors")


def small_model(dtype="float32"):
    model = glassnet.Sequential([Dense(3, activation="tanh", input_shape=(2,), name="h"),
                                 Dense(2, activation="softmax", name="o")], dtype=dtype)
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


X = np.random.default_rng(0).normal(size=(16, 2))
Y = np.arange(16) % 2


# -- arguments checked at construction ---------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda d: cb.ModelCheckpoint(f"{d}/m-{{epoch:q}}"), "not a valid template.*'q'"),
    (lambda d: cb.ModelCheckpoint(f"{d}/m-{{}}"), "not a valid template"),
    (lambda d: cb.ModelCheckpoint(f"{d}/m-{{epoch"), "not a valid template"),
    (lambda d: cb.ModelCheckpoint(f"{d}/m", save_best_only="yes"), "save_best_only"),
    (lambda d: cb.CSVLogger(f"{d}/log.csv", separator=""), "separator must be one character"),
    (lambda d: cb.CSVLogger(f"{d}/log.csv", separator=";;"), "separator"),
    (lambda d: cb.LambdaCallback(on_epoch_end=5), "on_epoch_end must be a function"),
    (lambda d: cb.LambdaCallback(on_train_begin=lambda: 0), "on_train_begin must be a function"),
    (lambda d: cb.ReduceLROnPlateau(factor=float("nan")), "factor must be a number"),
    (lambda d: cb.ReduceLROnPlateau(factor=-0.5), "factor must be a number"),
    (lambda d: cb.ReduceLROnPlateau(factor=0.0), "factor must be a number"),
    (lambda d: cb.ReduceLROnPlateau(min_lr=float("inf")), "min_lr"),
    (lambda d: cb.EarlyStopping(baseline=float("nan")), "baseline"),
    (lambda d: cb.TerminateOnNaN(raise_error="no"), "raise_error"),
])
def test_callbacks_refuse_bad_arguments_when_made(tmp_path, make, match):
    with pytest.raises(ConfigError, match=match):
        make(tmp_path)


def test_a_valid_checkpoint_template_still_fills_in(tmp_path):
    check = cb.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}-{loss:.3f}.safetensors"),
                               monitor="loss")
    assert check._path(4, {"loss": 0.25}).endswith("m-05-0.250.safetensors")
    assert cb.ReduceLROnPlateau(factor=0.0, min_lr=1e-4).factor == 0.0


def test_a_schedule_returning_nan_is_refused_by_name():
    model = small_model()
    schedule = cb.LearningRateScheduler(lambda epoch: float("nan"))
    with pytest.raises(ConfigError, match="schedule returned nan for epoch 0"):
        model.fit(X, Y, epochs=1, callbacks=[schedule], verbose=0)


@pytest.mark.parametrize("call, match", [
    (lambda m: m.compile({"name": 5}, "mse"), "optimizer name must be a string"),
    (lambda m: m.compile({"class_name": "adam", "config": 3}, "mse"), "'config' entry"),
    (lambda m: m.compile("adam", {"name": ["mse"]}), "loss name must be a string"),
    (lambda m: glassnet.Sequential(dtype=5), "dtype must be 'float32' or 'float64', got 5"),
    (lambda m: glassnet.Sequential.from_config({}), "from_config: needs a dict"),
    (lambda m: glassnet.Sequential.from_config([1]), "from_config: needs a dict"),
])
def test_compile_and_from_config_refuse_bad_arguments(call, match):
    with pytest.raises(ConfigError, match=match):
        call(small_model())


# -- float32 overflow refused where it enters ----------------------------------------------------
def test_set_weights_beyond_float32_is_refused_and_the_model_unchanged():
    model = small_model()
    before = model.get_weights()
    huge = [np.full(w.shape, 1e300) for w in before]
    with pytest.raises(DataError, match=r"h/kernel.*1e\+300.*float32"):
        model.set_weights(huge)
    assert all((a == b).all() for a, b in zip(before, model.get_weights(), strict=True))
    float64 = small_model("float64")
    float64.set_weights(huge)  # float64 holds it
    assert float64.get_weights()[0][0, 0] == 1e300


def test_an_initializer_beyond_float32_is_refused():
    with pytest.raises(ConfigError, match=r"Constant\(value=1e\+300\) for a float32 weight"):
        glassnet.Sequential([Dense(2, input_shape=(2,), kernel_initializer=Constant(1e300))])
    with pytest.raises(ConfigError, match="RandomUniform"):
        glassnet.Sequential([Dense(2, input_shape=(2,), kernel_initializer=RandomUniform(
            -1e308, 1e308))])


@pytest.mark.parametrize("where", ["predict", "fit", "evaluate"])
def test_inputs_beyond_float32_are_refused_naming_the_cell(where):
    model = small_model()
    x = X.copy()
    x[3, 1] = -1e300
    before = model.get_weights()
    call = {"predict": lambda: model.predict(x), "fit": lambda: model.fit(x, Y, verbose=0),
            "evaluate": lambda: model.evaluate(x, Y)}[where]
    with pytest.raises(DataError, match=r"argument x: row 3 \(column 1\) holds -1e\+300"):
        call()
    assert all((a == b).all() for a, b in zip(before, model.get_weights(), strict=True))
    assert small_model("float64").predict(x).shape == (16, 2)  # float64 takes it


def test_scalers_are_exact_near_float64_limits():
    big = np.array([[1e200], [3e200], [-1e200]])
    assert np.allclose(StandardScaler().fit_transform(big).ravel(),
                       StandardScaler().fit_transform(big / 1e200).ravel(), rtol=1e-12)
    edge = np.array([[1.7e308], [-1.7e308], [0.0]])
    assert StandardScaler().fit_transform(edge).ravel().tolist() == pytest.approx(
        [1.224744871391589, -1.224744871391589, 0.0])
    mm = MinMaxScaler().fit(np.array([[1e308], [-1e307], [0.0]]))
    assert mm.transform(np.array([[1e308], [-1e307]])).ravel().tolist() == [1.0, 0.0]
    with pytest.raises(DataError, match=r"MinMaxScaler\.fit: its statistics for feature 0"):
        MinMaxScaler().fit(np.array([[1.7e308], [-1.7e308]]))
    with pytest.raises(DataError, match=r"MinMaxScaler\.transform"):
        MinMaxScaler().fit(np.array([[0.0], [1e-300]])).transform(np.array([[1e10]]))


# -- checks that cannot tell say so --------------------------------------------------------------
def test_gradcheck_does_not_pass_on_nan_differences():
    model = glassnet.Sequential([Dense(1, input_shape=(2,), name="lin")], dtype="float64")
    model.compile("sgd", "mse")
    x, y = X * 1e160, np.zeros(16)  # squared outputs overflow: every difference is inf - inf
    with pytest.raises(GradientCheckError, match="NaN or inf: the check cannot tell"):
        glassnet.gradcheck(model, x, y)
    assert glassnet.gradcheck(model, x, y, raise_on_failure=False) == {"lin": np.inf}


def test_gradcheck_leaves_the_global_random_stream_alone():
    model = small_model()
    utils.set_random_seed(7)
    glassnet.gradcheck(model, X[:4], Y[:4])
    after_check = glassnet.Sequential([Dense(3, input_shape=(2,))]).get_weights()[0]
    utils.set_random_seed(7)
    without = glassnet.Sequential([Dense(3, input_shape=(2,))]).get_weights()[0]
    assert (after_check == without).all()


def test_accuracy_does_not_count_a_nan_row_as_class_zero():
    scores = np.array([[np.nan, np.nan], [0.2, 0.8]])
    with pytest.raises(DataError, match="row 0 holds NaN or inf scores"):
        classification.accuracy([0, 1], scores)
    assert np.isnan(training._sparse_categorical_accuracy(np.array([0, 1]), scores))
    assert np.isnan(training._categorical_accuracy(np.eye(2), scores))
    assert training._sparse_categorical_accuracy(np.array([1, 1]), scores[[1, 1]]) == 1.0


@pytest.mark.parametrize("loss", ["mse", "categorical_crossentropy", "binary_crossentropy"])
def test_losses_refuse_predictions_and_targets_of_different_lengths(loss):
    with pytest.raises(DataError, match="differ in length: 5 samples in y_pred but 3"):
        losses.get(loss)(np.full((3, 2), 0.5), np.full((5, 2), 0.5))
    with pytest.raises(DataError, match="sample_weight needs 3 values"):
        losses.get(loss)(np.full((3, 2), 0.5), np.full((3, 2), 0.5), sample_weight=[1, 2])
    assert losses.get("mse")([[1.0, 0.0]], [[0.5, 0.5]]) == pytest.approx(0.25)


# -- readers with limits ---------------------------------------------------------------------------
def test_load_model_checks_the_header_length_before_reading(tmp_path):
    path = tmp_path / "big.safetensors"
    with open(path, "wb") as f:
        f.write((2**40).to_bytes(8, "little"))
        f.truncate(3 * 2**30)  # a sparse 3 GB file: reading it whole would take 3 GB
    with pytest.raises(FileFormatError, match="header says it is 1099511627776 bytes"):
        glassnet.models.load_model(path)
    with open(path, "r+b") as f:
        f.write((2**30).to_bytes(8, "little"))
    with pytest.raises(FileFormatError, match="more than the 16777216 a model file needs"):
        glassnet.models.load_model(path)


@pytest.mark.parametrize("reader", [glassnet.models.load_model, load_csv, idx.load_idx])
def test_readers_refuse_a_fifo_instead_of_hanging(tmp_path, reader):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_error_of(reader, fifo)),
                              daemon=True)
    thread.start()
    thread.join(10)
    assert outcome and isinstance(outcome[0], FileFormatError), outcome
    assert "not a regular file" in str(outcome[0])


def _error_of(call, *args):
    try:
        call(*args)
    except Exception as exc:  # returned for the assertion
        return exc
    return None


def test_load_idx_decompresses_no_more_than_the_header_declares(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    header = idx.idx_header(np.zeros(10, np.uint8))
    path.write_bytes(gzip.compress(header + bytes(150 * 2**20)))  # 150 MB of zeros: 150 KB
    with pytest.raises(FileFormatError, match="has extra bytes at the end"):
        idx.load_idx(path)
    lying = tmp_path / "lying-idx3-ubyte"
    lying.write_bytes(b"\0\0\x08\x03" + (2**31).to_bytes(4, "big") * 3)
    with pytest.raises(FileFormatError, match="more than the 2147483648 load_idx reads"):
        idx.load_idx(lying)


@pytest.mark.parametrize("version", ["²", "１", "1e3", " 1", "", "99999999999"])
def test_odd_format_versions_are_format_errors(tmp_path, version, monkeypatch):
    from glassnet import io

    monkeypatch.setattr(io, "FORMAT_VERSION", version)  # written as the file's field
    path = tmp_path / "m.safetensors"
    monkeypatch.setattr(io, "_config_json", lambda model, state: '{"model": {}}')
    io.save_model(small_model(), path)
    monkeypatch.undo()
    with pytest.raises(FileFormatError):
        glassnet.models.load_model(path)


# -- sizes refused before allocation ---------------------------------------------------------------
def test_sizes_are_refused_before_allocation():
    with pytest.raises(DataError, match=r"shape \(2, 1000000000001\).*GiB"):
        utils.to_categorical([0, 10**12])
    with pytest.raises(DataError, match="whole numbers"):
        utils.to_categorical([0, np.inf])
    with pytest.raises(ConfigError, match="class_weight: key 1000000000000"):
        small_model().fit(X, Y, class_weight={10**12: 1.0}, verbose=0)
    with pytest.raises(ConfigError, match="dtype must be a numeric dtype"):
        utils.to_categorical([0, 1], dtype="U3")


def test_class_weight_ignores_labels_beyond_its_keys():
    model = glassnet.Sequential([Dense(1, input_shape=(2,), name="r")])
    model.compile("sgd", "mse")
    y = np.array([0.0, 10.0**12, -5.0, 1.0])  # regression targets far outside the keys
    history = model.fit(X[:4], y / 1e12, class_weight={0: 2.0}, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_plot_sizes_are_bounded():
    pytest.importorskip("matplotlib")
    from glassnet import plot

    with pytest.raises(ConfigError, match="resolution must be at most 2000"):
        plot.decision_boundary(small_model(), X, Y, resolution=10**5)
    with pytest.raises(ConfigError, match="rows must be at most 400"):
        plot.image_grid(np.zeros((4, 2, 2)), np.zeros(4), rows=10**6)
    with pytest.raises(ConfigError, match="rows \\* cols = 1600"):
        plot.image_grid(np.zeros((4, 2, 2)), np.zeros(4), rows=40, cols=40)
    with pytest.raises(DataError, match="cannot be read as an array"):
        plot.image_grid(np.zeros((2, 2, 2)), [[0], [1, 2]], rows=1, cols=2)


# -- operating-system errors wrapped ---------------------------------------------------------------
@pytest.mark.parametrize("code, advice", [
    (errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full"),
    (errno.EACCES, "permission denied")])
def test_save_wraps_os_errors_and_keeps_the_old_file(tmp_path, monkeypatch, code, advice):
    path = tmp_path / "m.safetensors"
    model = small_model()
    model.save(path)
    old = path.read_bytes()

    def failing_fsync(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(FileSystemError, match=f"cannot save the model to {path}.*{advice}") as e:
        model.save(path)
    assert isinstance(e.value, OSError) and e.value.errno == code
    monkeypatch.undo()
    assert path.read_bytes() == old and sorted(os.listdir(tmp_path)) == ["m.safetensors"]


def test_a_long_name_saves_and_a_too_long_one_is_named(tmp_path):
    model = small_model()
    longest = tmp_path / ("m" * 240 + ".safetensors")  # 252 bytes: the temporary is shorter
    model.save(longest)
    assert glassnet.models.load_model(longest).count_params() == model.count_params()
    with pytest.raises(FileSystemError, match="name is too long"):
        model.save(tmp_path / ("m" * 300))
    assert sorted(os.listdir(tmp_path)) == [longest.name]


def test_onnx_export_wraps_os_errors_and_refuses_colliding_names(tmp_path, monkeypatch):
    onnx = pytest.importorskip("glassnet.onnx")
    model = small_model()
    with pytest.raises(ConfigError, match="names must differ, but 'x' repeats"):
        onnx.export(model, tmp_path / "m.onnx", input_names="x", output_names="x")
    with pytest.raises(ConfigError, match="also the name of a tensor inside the graph"):
        onnx.export(model, tmp_path / "m.onnx", output_names="0_h/gemm")
    with pytest.raises(ConfigError, match="non-empty str"):
        onnx.export(model, tmp_path / "m.onnx", input_names="")

    def immutable(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr("tempfile.mkstemp", immutable)
    with pytest.raises(FileSystemError, match=r"cannot save the ONNX model to .*not permitted"):
        onnx.export(model, tmp_path / "m.onnx")
    assert os.listdir(tmp_path) == []


# -- files read rightly ----------------------------------------------------------------------------
def test_csv_header_over_numeric_columns_is_a_header(tmp_path):
    path = tmp_path / "years.csv"
    path.write_text("2019,2020,label\n1.5,2.5,0\n3.5,4.5,1\n")
    data = load_csv(path)
    assert data.feature_names == ("2019", "2020") and data.X.tolist() == [[1.5, 2.5],
                                                                          [3.5, 4.5]]


def test_csv_categories_are_values_and_python_spellings_are_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("0.5,1\n0.25,1.0\n0.75,2\n")
    data = load_csv(path, categorical=True)
    assert data.classes == ("1", "2") and data.y.tolist() == [0, 0, 1]
    path.write_text("1_000,1\n2,0\n")
    with pytest.raises(FileFormatError, match=r"c.csv:1:1: text '1_000'"):
        load_csv(path)
    path.write_text("١,1\n2,0\n")  # an Arabic-Indic digit: float() reads it, a CSV writer never
    with pytest.raises(FileFormatError, match="text '١'"):
        load_csv(path)


def test_a_one_column_csv_has_no_features_to_train_on(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("1\n2\n3\n")
    with pytest.raises(FileFormatError, match="no feature columns"):
        load_csv(path)
    assert load_csv(path, target=None).X.shape == (3, 1)


def test_cli_predict_does_not_overwrite_the_model(tmp_path):
    from glassnet import cli

    model = tmp_path / "model.safetensors"
    small_model().save(model)
    (tmp_path / "data.json").write_text('{"source": "x", "target": "k", "classes": ["a", "b"], '
                                        '"feature_names": ["p", "q"], "images": false, '
                                        '"seed": 0, "scaling": {"low": 0.0, "span": 1.0}}')
    table = tmp_path / "in.csv"
    table.write_text("p,q\n0.5,0.25\n1e30,-1e30\n")
    old = model.read_bytes()
    assert cli.main(["predict", str(model), str(table), "--output", str(model)]) == 2
    assert model.read_bytes() == old
    out = tmp_path / "out.csv"
    assert cli.main(["predict", str(model), str(table), "--output", str(out)]) in (0, 1)
    rows = out.read_text().splitlines()
    assert rows[0] == "row,predicted,p_a,p_b" and rows[1].split(",")[1] in ("a", "b")
    (tmp_path / "data.json").write_text('{"source": 5}')
    assert cli.main(["predict", str(model), str(table), "--output", str(out)]) == 1


# -- small helpers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: one_hot([[0], [1, 2]]), lambda: one_hot(3),
    lambda: utils.to_categorical([[0], [1, 2]]),
    lambda: classification.accuracy([[0], [1, 2]], [0, 1]),
    lambda: classification.accuracy([None, 1], [0, 1]),
    lambda: load_csv("x.csv", encoding=5), lambda: load_csv(""),
])
def test_small_helpers_refuse_ragged_empty_and_wrong_types(call):
    with pytest.raises(GlassnetError):
        call()


# -- the model core --------------------------------------------------------------------------------
def test_a_huge_layer_is_refused_before_allocation():
    with pytest.raises(ConfigError):
        glassnet.Sequential([Dense(10**12, input_shape=(2,))])


def test_a_failed_add_leaves_the_model_working():
    model = glassnet.Sequential([Dense(2, input_shape=(2,), name="a")])
    before = model.predict(X)
    with pytest.raises(ConfigError):
        model.add(Dense(3, kernel_initializer=Constant(1e300)))
    assert np.shares_memory(model.layers[0].kernel, model.params)
    assert (model.predict(X) == before).all()


def _double_sigint(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)
    os.kill(os.getpid(), signal.SIGINT)


def test_a_second_ctrl_c_inside_a_step_keeps_state_consistent():
    model = small_model()
    model.fit(X, Y, epochs=1, verbose=0)
    optimizer = model.optimizer
    update, applied = optimizer._update, []

    def interrupted_update(impl, params, grads, *rate_and_decay):
        if len(applied) == 3:
            _double_sigint()
        update(impl, params, grads, *rate_and_decay)
        applied.append(1)

    optimizer._update = interrupted_update
    start = optimizer.iterations
    try:
        with pytest.warns(UserWarning):
            model.fit(X, Y, epochs=5, batch_size=2, verbose=0)
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped fit")
    assert optimizer.iterations - start == len(applied)


def test_a_second_ctrl_c_in_a_callback_returns_the_history():
    model = small_model()
    stop = cb.LambdaCallback(on_epoch_end=lambda epoch, logs: _double_sigint())
    try:  # a KeyboardInterrupt reaching pytest would end the whole run
        history = model.fit(X, Y, epochs=3, callbacks=[stop], verbose=0)
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped fit: the History is lost")
    assert history.interrupted and history.epoch == [0]


def test_dropout_seed_resumes_across_save_and_load(tmp_path):
    def model():
        m = glassnet.Sequential([Dense(8, activation="relu", input_shape=(2,), name="d1"),
                                 Dropout(0.5, seed=3), Dense(2, activation="softmax")])
        m.compile("sgd", "sparse_categorical_crossentropy")
        return m

    utils.set_random_seed(0)
    whole = model()
    whole.fit(X, Y, epochs=4, verbose=0, seed=1, shuffle=False)
    utils.set_random_seed(0)
    split = model()
    split.fit(X, Y, epochs=2, verbose=0, seed=1, shuffle=False)
    split.save(tmp_path / "half.safetensors")
    resumed = glassnet.models.load_model(tmp_path / "half.safetensors")
    resumed.fit(X, Y, epochs=2, verbose=0, seed=1, shuffle=False)
    assert all((a == b).all() for a, b in zip(whole.get_weights(), resumed.get_weights(),
                                              strict=True))


def test_a_ctrl_c_in_the_last_epoch_end_is_not_swallowed():
    model = small_model()
    once = cb.LambdaCallback(on_epoch_end=lambda epoch, logs: epoch == 1 and os.kill(
        os.getpid(), signal.SIGINT))
    history = model.fit(X, Y, epochs=2, callbacks=[once], verbose=0)
    assert history.interrupted
