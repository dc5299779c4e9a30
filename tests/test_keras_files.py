"""Keras 3 files: .keras archives and .weights.h5, glassnet <-> glassnet always, glassnet <->
Keras when keras and torch are installed, and hostile archives refused."""

import io
import json
import os
import warnings
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet.errors import ConfigError, FileFormatError
from glassnet.layers import Add, Dense, Dropout, Input, LeakyReLU, Sigmoid, concatenate

h5py = pytest.importorskip("h5py")

from glassnet.keras_files import _archive  # noqa: E402


def _data(n=48, d=4, k=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype("float32"), rng.normal(size=(n, k)).astype("float32")


def _mlp():
    return glassnet.Sequential([Dense(8, activation="relu", input_shape=(4,), name="h"),
                                Dropout(0.1, name="drop"), LeakyReLU(0.1, name="leaky"),
                                Dense(2, name="out")], name="mlp")


def _wide_and_deep():
    x = Input((4,), name="x")
    deep = Dense(6, activation="relu", name="deep2")(Dense(8, activation="relu", name="deep1")(x))
    return glassnet.Model(x, Dense(2, name="out")(concatenate([x, deep], name="joined")),
                          name="wide_deep")


def _residual():
    x = Input((4,), name="x")
    h = Dense(4, activation="tanh", name="h")(x)
    return glassnet.Model(x, Dense(2, name="out")(Add(name="res")([x, Dense(4, name="f")(h)])),
                          name="residual")


def _trained(model, optimizer="adam"):
    x, y = _data()
    model.compile(optimizer, "mse", metrics=["mae"])
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    return model


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rewrite(path, target, **changes):
    """A copy of the archive at ``path`` with members replaced (bytes, or a dict as JSON)."""
    members = _members(path)
    for name, value in changes.items():
        key = {"config": "config.json", "weights": "model.weights.h5"}.get(name, name)
        members[key] = json.dumps(value).encode() if isinstance(value, dict) else value
    target.write_bytes(_archive.archive_bytes(members))
    return target


# -- glassnet <-> glassnet ----------------------------------------------------------------------
@pytest.mark.parametrize("build", [_mlp, _wide_and_deep, _residual])
def test_round_trip_keeps_predictions_compile_and_optimizer_state(tmp_path, build):
    model = _trained(build())
    model.save(tmp_path / "m.keras")
    same = glassnet.models.load_model(tmp_path / "m.keras")
    x = _data(seed=1)[0]
    np.testing.assert_array_equal(same.predict(x, verbose=0), model.predict(x, verbose=0))
    assert same.metrics_names == model.metrics_names == ["loss", "mae"]
    assert same.optimizer.iterations == model.optimizer.iterations == 18
    for name in ("m", "v"):
        np.testing.assert_array_equal(same.optimizer.state[name], model.optimizer.state[name])


def test_training_resumes_exactly_from_a_keras_file(tmp_path):
    model = _trained(_residual())
    model.save(tmp_path / "m.keras")
    same = glassnet.models.load_model(tmp_path / "m.keras")
    x, y = _data(seed=1)
    model.train_on_batch(x, y)
    same.train_on_batch(x, y)
    np.testing.assert_array_equal(same.predict(x, verbose=0), model.predict(x, verbose=0))


def test_config_json_is_keras_serialization_format(tmp_path):
    model = _trained(_mlp())
    model.save(tmp_path / "m.keras")
    members = _members(tmp_path / "m.keras")
    assert sorted(members) == ["config.json", "metadata.json", "model.weights.h5"]
    config = json.loads(members["config.json"])
    assert (config["module"], config["class_name"]) == ("keras", "Sequential")
    layers = config["config"]["layers"]
    assert [e["class_name"] for e in layers] == ["InputLayer", "Dense", "Dropout", "LeakyReLU",
                                                 "Dense"]
    assert layers[0]["config"]["batch_shape"] == [None, 4]
    dense = layers[1]
    assert dense["module"] == "keras.layers" and dense["registered_name"] is None
    assert dense["build_config"] == {"input_shape": [None, 4]}
    assert dense["config"]["kernel_initializer"] == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None}, "registered_name": None}
    assert dense["config"]["dtype"]["class_name"] == "DTypePolicy"
    assert (dense["config"]["units"], dense["config"]["activation"]) == (8, "relu")
    assert layers[3]["config"]["negative_slope"] == pytest.approx(0.1)
    compiled = config["compile_config"]
    assert compiled["optimizer"]["class_name"] == "Adam"
    assert compiled["loss"] == "mean_squared_error"
    assert compiled["metrics"] == ["mae"]
    with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as f:
        assert sorted(f["layers"]) == ["dense", "dense_1", "dropout", "leaky_re_lu"]
        assert f["layers/dense/vars"].attrs["name"] == "h"
        np.testing.assert_array_equal(f["layers/dense_1/vars/0"][()], model.layers[3].kernel)
        assert len(f["optimizer/vars"]) == 2 + 2 * 4  # step, rate, then m and v per weight


def test_functional_layers_are_written_in_keras_order(tmp_path):
    x, img = Input((3,), name="x"), Input((2,), name="img")
    late = Dense(2, name="late")(img)  # nearer the output than x's branch
    deep = Dense(2, name="d2")(Dense(2, name="d1")(x))
    model = glassnet.Model([x, img], Add(name="sum")([deep, late]), name="order")
    model.save(tmp_path / "m.keras")
    config = json.loads(_members(tmp_path / "m.keras")["config.json"])
    # by depth from the output (x 3; d1, img 2; d2, late 1; sum 0), ties in the order a
    # depth-first walk from the output meets them (sum, d2, d1, x, late, img)
    assert [e["name"] for e in config["config"]["layers"]] == ["x", "d1", "img", "d2", "late",
                                                               "sum"]


def test_nested_models_and_dict_outputs_round_trip(tmp_path):
    inner = glassnet.Sequential([Dense(3, input_shape=(4,), name="i1"), Sigmoid(name="sig")],
                                name="inner")
    x = Input((4,), name="x")
    model = glassnet.Model({"x": x}, {"p": inner(x), "q": Dense(1, name="q")(x)}, name="outer")
    model.compile("sgd", {"p": "binary_crossentropy", "q": "mse"},
                  loss_weights={"p": 1.0, "q": 0.5})
    model.save(tmp_path / "m.keras")
    same = glassnet.models.load_model(tmp_path / "m.keras")
    xs = {"x": _data()[0]}
    for key in ("p", "q"):
        np.testing.assert_array_equal(same.predict(xs, verbose=0)[key],
                                      model.predict(xs, verbose=0)[key])
    assert same.metrics_names == ["loss", "p_loss", "q_loss"]
    config = json.loads(_members(tmp_path / "m.keras")["config.json"])
    assert config["compile_config"]["loss_weights"] == {"p": 1.0, "q": 0.5}
    inner_entry = next(e for e in config["config"]["layers"] if e["name"] == "inner")
    assert inner_entry["config"]["layers"][2]["class_name"] == "Activation"  # Sigmoid
    with h5py.File(io.BytesIO(_members(tmp_path / "m.keras")["model.weights.h5"]), "r") as f:
        assert "layers/sequential/layers/dense/vars/0" in f


def test_weights_h5_round_trip_and_names(tmp_path):
    model = _trained(_residual())
    model.save_weights(tmp_path / "w.weights.h5")
    other = _residual()
    other.load_weights(tmp_path / "w.weights.h5")
    x = _data()[0]
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ConfigError, match=r"must end in '\.weights\.h5'"):
        model.save_weights(tmp_path / "w.h5")
    with pytest.raises(FileFormatError, match=r"w\.weights\.h5: layers/dense/vars/0 is "
                       r"float32 \(4, 4\), but the model needs float32 \(4, 8\)"):
        _mlp().load_weights(tmp_path / "w.weights.h5")


def test_load_weights_from_a_keras_archive_and_a_safetensors_file(tmp_path):
    pytest.importorskip("safetensors")
    model = _trained(_wide_and_deep())
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.safetensors")
    assert (tmp_path / "m.safetensors").read_bytes()[8:9] == b"{"  # glassnet's own format
    x = _data()[0]
    for name in ("m.keras", "m.safetensors"):
        fresh = _wide_and_deep()
        fresh.load_weights(tmp_path / name)
        np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(FileFormatError, match="shapes"):
        _mlp().load_weights(tmp_path / "m.safetensors")


def _tf2_file(path, kernel, bias, kernel2, bias2, training=None):
    """A legacy .h5 as tf.keras 2 wrote it: list-style inbound nodes, ':0' weight names."""
    def dense(name, units, activation, inbound):
        return {"class_name": "Dense", "name": name, "inbound_nodes": [[[inbound, 0, 0, {}]]],
                "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                           "activation": activation, "use_bias": True,
                           "kernel_initializer": {"class_name": "GlorotUniform",
                                                  "config": {"seed": None}},
                           "bias_initializer": {"class_name": "Zeros", "config": {}},
                           "kernel_regularizer": None, "bias_regularizer": None,
                           "activity_regularizer": None, "kernel_constraint": None,
                           "bias_constraint": None}}
    config = {"class_name": "Functional", "config": {
        "name": "model", "layers": [
            {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
             "config": {"batch_input_shape": [None, 3], "dtype": "float32", "sparse": False,
                        "ragged": False, "name": "input_1"}},
            dense("dense", 4, "relu", "input_1"), dense("dense_1", 2, "softmax", "dense")],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]}}
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["keras_version"] = "2.13.1"
        if training is not None:
            f.attrs["training_config"] = json.dumps(training)
        weights = f.create_group("model_weights")
        for name, (k, b) in {"dense": (kernel, bias), "dense_1": (kernel2, bias2)}.items():
            group = weights.create_group(name)
            group.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            group[f"{name}/kernel:0"], group[f"{name}/bias:0"] = k, b
        weights.create_group("input_1").attrs["weight_names"] = []


def test_a_tf_keras_2_legacy_h5_loads_and_h5_is_never_written(tmp_path):
    rng = np.random.default_rng(0)
    w = [rng.normal(size=s).astype("float32") for s in [(3, 4), (4,), (4, 2), (2,)]]
    training = {"loss": "categorical_crossentropy", "metrics": ["accuracy"],
                "optimizer_config": {"class_name": "Adam", "config": {
                    "name": "Adam", "learning_rate": 0.002, "decay": 0.0, "beta_1": 0.9,
                    "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}}}
    _tf2_file(tmp_path / "old.h5", *w, training=training)
    model = glassnet.models.load_model(tmp_path / "old.h5")
    x = rng.normal(size=(5, 3)).astype("float32")
    h = np.maximum(x @ w[0] + w[1], 0) @ w[2] + w[3]
    expected = np.exp(h) / np.exp(h).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5)
    assert model.metrics_names == ["loss", "accuracy"]
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.002)
    fresh = glassnet.Model.from_config(model.get_config())
    fresh.load_weights(tmp_path / "old.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ConfigError, match=r"legacy Keras HDF5.*'model\.keras'"):
        model.save(tmp_path / "m.h5")
    assert not (tmp_path / "m.h5").exists()


def test_hostile_legacy_h5_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    w = [rng.normal(size=s).astype("float32") for s in [(3, 4), (4,), (4, 2), (2,)]]
    _tf2_file(tmp_path / "a.h5", w[0], w[1], w[0], w[3])
    _refused(tmp_path / "a.h5", r"dense_1/kernel:0 is float32 \(3, 4\), but the model needs")
    (tmp_path / "b.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    _refused(tmp_path / "b.h5", "not a valid HDF5 file")
    with h5py.File(tmp_path / "c.h5", "w") as f:
        f["x"] = np.zeros(3)
    _refused(tmp_path / "c.h5", "holds weights only")
    _tf2_file(tmp_path / "d.h5", *w)
    with h5py.File(tmp_path / "d.h5", "a") as f:
        del f["model_weights/dense/dense/bias:0"]
        f["model_weights/dense/dense/bias:0"] = h5py.ExternalLink("/etc/passwd", "/x")
    _refused(tmp_path / "d.h5", "ExternalLink")
    with h5py.File(tmp_path / "e.h5", "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {
            "name": "s", "layers": [{"class_name": "Lambda", "config": {"name": "code"}}]}})
    _refused(tmp_path / "e.h5", "Lambda layers hold Python code")


def test_unsupported_pieces_are_refused_before_anything_is_written(tmp_path):
    model = glassnet.Sequential([Dense(2, activation=glassnet.activations.LeakyReLU(0.5),
                                       input_shape=(3,))])
    target = tmp_path / "m.keras"
    target.write_bytes(b"previous")
    with pytest.raises(ConfigError, match="has no Keras name"):
        model.save(target)
    assert target.read_bytes() == b"previous" and os.listdir(tmp_path) == ["m.keras"]


def test_weight_decay_and_new_optimizers_are_written_as_keras_writes_them(tmp_path):
    model = _mlp()
    lr = glassnet.optimizers.schedules.CosineDecay(0.01, 100, warmup_target=0.02, warmup_steps=5)
    model.compile(glassnet.optimizers.Nadam(lr, weight_decay=0.01, clipnorm=1.0), "mse")
    model.save(tmp_path / "m.keras")
    compiled = json.loads(_members(tmp_path / "m.keras")["config.json"])["compile_config"]
    assert compiled["optimizer"]["class_name"] == "Nadam"
    config = compiled["optimizer"]["config"]
    assert (config["weight_decay"], config["clipnorm"]) == (0.01, 1.0)
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    loaded = glassnet.models.load_model(tmp_path / "m.keras").optimizer
    assert loaded.get_config() == model.optimizer.get_config()


# -- hostile files --------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    model = _trained(_wide_and_deep())
    model.save(tmp_path / "good.keras")
    return tmp_path / "good.keras"


def _config(path):
    return json.loads(_members(path)["config.json"])


def _first_dense(config):
    return next(e for e in config["config"]["layers"] if e["class_name"] == "Dense")


def _refused(path, match):
    with pytest.raises(FileFormatError, match=match) as info:
        glassnet.models.load_model(path)
    assert path.name in str(info.value)


def test_not_a_zip_and_missing_members(tmp_path, saved):
    (tmp_path / "junk.keras").write_bytes(b"PK\x03\x04 not really")
    _refused(tmp_path / "junk.keras", "not a zip archive")
    _refused(tmp_path / "missing.keras", "no such file")
    members = _members(saved)
    del members["config.json"]
    (tmp_path / "noconf.keras").write_bytes(_archive.archive_bytes(members))
    _refused(tmp_path / "noconf.keras", "no config.json")
    members = _members(saved)
    del members["model.weights.h5"]
    (tmp_path / "now.keras").write_bytes(_archive.archive_bytes(members))
    _refused(tmp_path / "now.keras", "no model.weights.h5")


def test_code_and_custom_classes_are_never_loaded(tmp_path, saved):
    config = _config(saved)
    dense = _first_dense(config)
    dense["class_name"] = "Lambda"
    dense["config"]["function"] = {"class_name": "__lambda__", "config": {"code": "eJy..."}}
    _refused(_rewrite(saved, tmp_path / "lambda.keras", config=config),
             "Lambda layers hold Python code, which glassnet never runs")
    config = _config(saved)
    _first_dense(config).update(module="evil.module", registered_name="Custom>Dense")
    _refused(_rewrite(saved, tmp_path / "custom.keras", config=config),
             "custom class.*glassnet loads only Keras's own layers")
    config = _config(saved)
    _first_dense(config)["class_name"] = "Conv2D"
    _refused(_rewrite(saved, tmp_path / "conv.keras", config=config),
             "Keras layer 'Conv2D' has no glassnet counterpart")


@pytest.mark.parametrize(("key", "value", "match"), [
    ("kernel_regularizer", {"class_name": "L3", "config": {"l3": 0.01}},
     "kernel_regularizer: unknown regularizer 'L3'"),
    ("activation", "sparsemax", "activation 'sparsemax' is not one glassnet has"),
    ("kernel_initializer", {"class_name": "STFT", "config": {}},
     "initializer 'STFT' is not one glassnet has"),
    ("dtype", {"class_name": "DTypePolicy", "config": {"name": "mixed_float16"}},
     "no mixed precision"),
    ("units", -3, "units"),
    ("surprise", 1, "unknown option 'surprise'"),
])
def test_options_glassnet_lacks_are_refused_by_name(tmp_path, saved, key, value, match):
    config = _config(saved)
    _first_dense(config)["config"][key] = value
    _refused(_rewrite(saved, tmp_path / "opt.keras", config=config), match)


def test_malformed_json_is_refused(tmp_path, saved):
    _refused(_rewrite(saved, tmp_path / "a.keras", config=b"{not json"), "not valid JSON")
    _refused(_rewrite(saved, tmp_path / "b.keras", config=b'{"class_name": NaN}'),
             "not valid JSON")
    _refused(_rewrite(saved, tmp_path / "c.keras", config=b"[" * 100_000 + b"]" * 100_000),
             "not valid JSON|not a Keras")
    _refused(_rewrite(saved, tmp_path / "d.keras", config={"class_name": "Functional"}),
             "no 'layers' list")
    config = _config(saved)
    config["config"]["layers"][2]["config"]["name"] = config["config"]["layers"][1]["name"]
    config["config"]["layers"][2]["name"] = config["config"]["layers"][1]["name"]
    _refused(_rewrite(saved, tmp_path / "twice.keras", config=config), "used more than once")
    config = _config(saved)
    config["config"]["layers"][2]["inbound_nodes"] = [{"args": [["nowhere", 0, 0]]}]
    _refused(_rewrite(saved, tmp_path / "e.keras", config=config), "refer to tensors")


def test_too_many_layers_and_too_deep_nesting_are_refused(tmp_path, saved):
    config = _config(saved)
    entry = {"class_name": "ReLU", "module": "keras.layers", "config": {"name": "r"}}
    config["config"]["layers"] += [entry] * 10_001
    _refused(_rewrite(saved, tmp_path / "many.keras", config=config), "more than 10000 layers")
    nested = {"class_name": "Sequential", "config": {"name": "s", "layers": []}}
    for _ in range(40):
        nested = {"class_name": "Sequential", "config": {"name": "s", "layers": [nested]}}
    _refused(_rewrite(saved, tmp_path / "deep.keras", config=nested), "nested more than 32")


def test_zip_bombs_and_oversized_members_are_refused(tmp_path, saved, monkeypatch):
    members = _members(saved)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", members["metadata.json"])
        zf.writestr("config.json", members["config.json"] + b" " * (8 * 2**20))
        zf.writestr("model.weights.h5", members["model.weights.h5"])
    (tmp_path / "bomb.keras").write_bytes(buffer.getvalue())
    _refused(tmp_path / "bomb.keras", "likely decompression bomb")
    monkeypatch.setattr(_archive, "MAX_CONFIG_BYTES", 100)
    _refused(saved, "config.json' declares .* more than the 100")
    many = {f"assets/{i}": b"" for i in range(70)}
    (tmp_path / "many.keras").write_bytes(_archive.archive_bytes({**members, **many}))
    _refused(tmp_path / "many.keras", "the archive has 73 members")


def _h5_bytes(build):
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        build(f)
    return buffer.getvalue()


def test_hostile_weights_are_refused(tmp_path, saved):
    good = _members(saved)["model.weights.h5"]

    def altered(change):
        def build(f):
            with h5py.File(io.BytesIO(good), "r") as src:
                for key in src:
                    src.copy(key, f)
            change(f)
        return _h5_bytes(build)

    def nan(f):
        f["layers/dense/vars/0"][0, 0] = np.nan

    def reshaped(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = np.zeros((9, 9), "float32")

    def soft(f):
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = h5py.SoftLink("/layers/dense/vars/0")

    def external(f):
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = h5py.ExternalLink("/etc/passwd", "/x")

    def strings(f):
        del f["layers/dense/vars/1"]
        f["layers/dense/vars/1"] = np.array([b"abcdefgh"] * 8)

    cases = [(nan, "holds NaN"), (reshaped, r"is float32 \(9, 9\), but the model needs"),
             (soft, "SoftLink"), (external, "ExternalLink"), (strings, "but the model needs")]
    for i, (change, match) in enumerate(cases):
        _refused(_rewrite(saved, tmp_path / f"w{i}.keras", weights=altered(change)), match)
    _refused(_rewrite(saved, tmp_path / "garbage.keras", weights=b"\x89HDF garbage" * 10),
             "not a valid HDF5 file")


# -- glassnet <-> Keras ---------------------------------------------------------------------
os.environ.setdefault("KERAS_BACKEND", "torch")


def _keras_mlp(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu", name="h"),
                             L.Dropout(0.1, name="drop"), L.LeakyReLU(0.1, name="leaky"),
                             L.Dense(2, name="out")], name="mlp")


def _keras_wide_and_deep(keras):
    L = keras.layers
    x = keras.Input((4,), name="x")
    deep = L.Dense(6, activation="relu", name="deep2")(L.Dense(8, activation="relu",
                                                                name="deep1")(x))
    return keras.Model(x, L.Dense(2, name="out")(L.Concatenate(name="joined")([x, deep])),
                       name="wide_deep")


def _keras_residual(keras):
    L = keras.layers
    x = keras.Input((4,), name="x")
    h = L.Dense(4, activation="tanh", name="h")(x)
    return keras.Model(x, L.Dense(2, name="out")(L.Add(name="res")([x, L.Dense(4, name="f")(h)])),
                       name="residual")


PAIRS = [(_mlp, _keras_mlp), (_wide_and_deep, _keras_wide_and_deep), (_residual, _keras_residual)]
IDS = ["sequential_mlp", "wide_and_deep", "residual"]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_a_glassnet_model_loads_in_keras(keras, tmp_path, ours, theirs):
    model = _trained(ours())
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x, y = _data(seed=2)
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               model.predict(x, verbose=0), atol=1e-5, rtol=0)
    assert int(loaded.optimizer.iterations.numpy()) == 18
    assert [v.name for v in loaded.weights] == [v.name for v in theirs(keras).weights]
    if not any(isinstance(layer, Dropout) for layer in model.layers):
        loaded.train_on_batch(x, y)  # Keras continues from glassnet's Adam moments
        model.train_on_batch(x, y)
        np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                                   model.predict(x, verbose=0), atol=1e-5, rtol=0)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_a_keras_model_loads_in_glassnet(keras, tmp_path, ours, theirs):
    model = theirs(keras)
    x, y = _data()
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    model.save(tmp_path / "k.keras")
    loaded = glassnet.models.load_model(tmp_path / "k.keras")
    x2, y2 = _data(seed=3)
    np.testing.assert_allclose(loaded.predict(x2, verbose=0),
                               np.asarray(model.predict(x2, verbose=0)), atol=1e-5, rtol=0)
    assert loaded.metrics_names == ["loss", "mae"]
    assert loaded.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    assert loaded.optimizer.iterations == 18
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    if not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers):
        loaded.train_on_batch(x2, y2)
        model.train_on_batch(x2, y2)
        np.testing.assert_allclose(loaded.predict(x2, verbose=0),
                                   np.asarray(model.predict(x2, verbose=0)), atol=1e-5, rtol=0)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_weights_files_move_both_ways(keras, tmp_path, ours, theirs):
    x = _data(seed=4)[0]
    mine, kmodel = _trained(ours()), theirs(keras)
    mine.save_weights(tmp_path / "g.weights.h5")
    kmodel.load_weights(tmp_path / "g.weights.h5")
    np.testing.assert_allclose(np.asarray(kmodel.predict(x, verbose=0)),
                               mine.predict(x, verbose=0), atol=1e-5, rtol=0)
    other = theirs(keras)
    other.save_weights(tmp_path / "k.weights.h5")
    mine.load_weights(tmp_path / "k.weights.h5")
    np.testing.assert_allclose(mine.predict(x, verbose=0),
                               np.asarray(other.predict(x, verbose=0)), atol=1e-5, rtol=0)


def test_keras_writes_the_layer_order_glassnet_computes(keras, tmp_path):
    L = keras.layers
    x, img = keras.Input((3,), name="x"), keras.Input((2,), name="img")
    late = L.Dense(2, name="late")(img)
    deep = L.Dense(2, name="d2")(L.Dense(2, name="d1")(x))
    keras.Model([x, img], L.Add(name="sum")([deep, late])).save(tmp_path / "k.keras")
    theirs = [e["name"] for e in _config(tmp_path / "k.keras")["config"]["layers"]]
    assert theirs == ["x", "d1", "img", "d2", "late", "sum"]  # as glassnet writes it above


def test_every_layer_kind_and_nesting_loads_from_keras(keras, tmp_path):
    L = keras.layers
    inner = keras.Sequential([keras.Input((6,)), L.Dense(4, activation="sigmoid"), L.ReLU(),
                              L.Softmax()], name="inner")
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    merged = [m()([a, b]) for m in (L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum,
                                    L.Minimum)]
    c = L.LeakyReLU(0.2)(L.Activation("tanh")(L.Concatenate()(merged[:2])))
    img = keras.Input((2, 3), name="img")
    out = {"x": inner(c), "y": L.Dense(2, kernel_initializer="he_normal")(
        L.Concatenate()(merged[2:])), "z": L.Dropout(0.3)(L.Flatten()(img))}
    model = keras.Model({"a": a, "b": b, "img": img}, out)
    model.layers[-1].trainable = False
    model.compile("rmsprop", {"x": "categorical_crossentropy", "y": "mse", "z": "mse"},
                  loss_weights={"x": 1.0, "y": 0.5, "z": 0.1})
    model.save(tmp_path / "k.keras")  # compiled, never trained: the optimizer has no slots
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = glassnet.models.load_model(tmp_path / "k.keras")
    rng = np.random.default_rng(5)
    xs = {"a": rng.normal(size=(8, 3)), "b": rng.normal(size=(8, 3)),
          "img": rng.normal(size=(8, 2, 3))}
    xs = {k: v.astype("float32") for k, v in xs.items()}
    theirs, ours = model.predict(xs, verbose=0), loaded.predict(xs, verbose=0)
    for key in ("x", "y", "z"):
        np.testing.assert_allclose(ours[key], np.asarray(theirs[key]), atol=1e-5, rtol=0)
    assert type(loaded.optimizer).__name__ == "RMSprop" and loaded.optimizer.iterations == 0
    assert sorted(loaded.metrics_names) == ["loss", "x_loss", "y_loss", "z_loss"]


def test_keras_models_with_options_glassnet_lacks_are_refused(keras, tmp_path):
    L = keras.layers
    cases = [(L.BatchNormalization(gamma_regularizer="l2"), "gamma_regularizer"),
             (L.Dense(2, activation="celu"), "activation 'celu'"),
             (L.UnitNormalization(), "'UnitNormalization' has no glassnet counterpart")]
    for i, (layer, match) in enumerate(cases):
        keras.Sequential([keras.Input((3,)), layer]).save(tmp_path / f"k{i}.keras")
        _refused(tmp_path / f"k{i}.keras", match)


def test_a_keras_compile_glassnet_lacks_loads_uncompiled(keras, tmp_path):
    model = _keras_mlp(keras)
    model.compile(keras.optimizers.Adam(loss_scale_factor=2.0), "mae")
    model.save(tmp_path / "k.keras")
    with pytest.warns(UserWarning, match="loaded uncompiled: optimizer option loss_scale_factor"):
        loaded = glassnet.models.load_model(tmp_path / "k.keras")
    assert loaded.optimizer is None and loaded.count_params() == model.count_params()


def test_a_legacy_h5_keras_wrote_loads(keras, tmp_path):
    model = _keras_wide_and_deep(keras)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    model.fit(*_data(), epochs=2, verbose=0)
    model.save(tmp_path / "k.h5")  # Keras 3 warns that this format is legacy
    loaded = glassnet.models.load_model(tmp_path / "k.h5")
    x = _data(seed=6)[0]
    np.testing.assert_allclose(loaded.predict(x, verbose=0),
                               np.asarray(model.predict(x, verbose=0)), atol=1e-5, rtol=0)
    assert loaded.optimizer.get_config()["learning_rate"] == pytest.approx(0.05)


def test_float64_and_frozen_layers_keep_their_meaning_in_keras(keras, tmp_path):
    x = np.random.default_rng(7).normal(size=(8, 4))
    inputs = Input((4,), dtype="float64")
    model = glassnet.Model(inputs, Dense(2, name="o")(Dense(3, name="h", trainable=False)(inputs)))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    frozen = loaded.get_layer("h")
    assert (frozen.trainable, frozen.kernel.dtype) == (False, "float64")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)),
                               model.predict(x, verbose=0), atol=1e-5, rtol=0)
    loaded.save(tmp_path / "k.keras")
    back = glassnet.models.load_model(tmp_path / "k.keras")
    assert back.dtype == np.float64 and back.get_layer("h").trainable is False
    np.testing.assert_array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))


def test_an_archive_with_a_member_twice_is_refused(tmp_path, saved):
    members = _members(saved)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf, pytest.warns(UserWarning, match="Duplicate"):
        for name, data in [*members.items(), ("config.json", b"{}")]:
            zf.writestr(name, data)
    (tmp_path / "twice.keras").write_bytes(buffer.getvalue())
    _refused(tmp_path / "twice.keras", "holds 'config.json' twice")


def test_shared_layers_and_a_nested_model_called_twice_move_both_ways(keras, tmp_path):
    rng = np.random.default_rng(8)
    x1, x2 = (rng.normal(size=(8, 4)).astype("float32") for _ in range(2))
    a, b = Input((4,), name="a"), Input((4,), name="b")
    shared = Dense(3, activation="relu", name="shared")
    sub = glassnet.Sequential([Dense(3, input_shape=(3,), name="s1")], name="sub")
    model = glassnet.Model([a, b], Add(name="sum")([sub(shared(a)), sub(shared(b))]))
    model.compile("adam", "mse")
    model.fit([x1, x2], x1[:, :3], epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    theirs.train_on_batch([x1, x2], x1[:, :3])
    model.train_on_batch([x1, x2], x1[:, :3])
    np.testing.assert_allclose(np.asarray(theirs.predict([x1, x2], verbose=0)),
                               model.predict([x1, x2], verbose=0), atol=1e-5, rtol=0)
    theirs.save(tmp_path / "k.keras")
    back = glassnet.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(back.predict([x1, x2], verbose=0),
                               np.asarray(theirs.predict([x1, x2], verbose=0)), atol=1e-5, rtol=0)
    assert back.count_params() == model.count_params() == 15 + 12


def test_mutated_archives_load_or_raise_file_format_error(tmp_path, saved):
    """Bit flips, truncations and random bytes inside each member (re-zipped, so the zip's
    CRCs pass): every one loads or raises FileFormatError, never another exception."""
    rng = np.random.default_rng(11)
    members = _members(saved)
    outcomes = {"loaded": 0, "refused": 0}
    for i in range(150):
        name = ("config.json", "model.weights.h5", "metadata.json")[i % 3]
        blob = bytearray(members[name])
        cut = int(rng.integers(len(blob)))
        if i % 5 == 0:
            blob = blob[:cut]
        else:
            blob[cut:cut + 4] = rng.bytes(4) if i % 2 else bytes([blob[cut] ^ 1 << i % 8])
        target = _rewrite(saved, tmp_path / f"f{i}.keras", **{name: bytes(blob)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                glassnet.models.load_model(target)
                outcomes["loaded"] += 1
            except FileFormatError:
                outcomes["refused"] += 1
    assert outcomes["refused"] > 30 and sum(outcomes.values()) == 150
