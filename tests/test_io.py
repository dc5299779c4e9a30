"""Saving and loading: exact round trips, exact resumption, atomic writes, refusals."""

import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import glassnet
from glassnet import io, layers
from glassnet.errors import ConfigError, FileFormatError

safetensors_numpy = pytest.importorskip("safetensors.numpy")


def every_layer_model(dtype="float32"):
    return glassnet.Sequential([
        layers.Flatten(input_shape=(2, 3), name="flat"),
        layers.Dense(8, activation="tanh", name="d0"),
        layers.LeakyReLU(0.1, name="leaky"),
        layers.Dropout(0.3, seed=3, name="drop"),
        layers.Dense(6, activation="relu", kernel_initializer="he_normal", name="d1"),
        layers.Dense(5, activation="sigmoid", use_bias=False, name="d2"),
        layers.Tanh(name="tanh"), layers.ReLU(name="relu"), layers.Sigmoid(name="sig"),
        layers.Dense(4, name="d3"), layers.Activation("linear", name="lin"),
        layers.Softmax(name="soft"),
    ], name="every", dtype=dtype)


def small_model(dtype="float64"):
    model = glassnet.Sequential([layers.Dense(4, activation="tanh", input_shape=(3,), name="h"),
                                 layers.Dense(2, activation="softmax", name="o")], dtype=dtype)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=40, features=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    return x, (x[:, 0] + x[:, 1] > 0).astype(int)


# -- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_gives_bitwise_equal_predictions_for_every_layer(tmp_path, dtype):
    model = every_layer_model(dtype)
    model.compile(glassnet.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                  "categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(1).normal(size=(16, 2, 3))
    y = glassnet.utils.to_categorical(np.arange(16) % 4)
    model.fit(x, y, epochs=2, batch_size=5, verbose=0, seed=0)
    model.save(tmp_path / "every.safetensors")
    loaded = glassnet.models.load_model(tmp_path / "every.safetensors")
    assert loaded.dtype == np.dtype(dtype)
    assert loaded.get_config() == model.get_config()
    assert loaded.predict(x).tobytes() == model.predict(x).tobytes()
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.loss.get_config() == model.loss.get_config()
    assert loaded.metrics_names == model.metrics_names == ["loss", "accuracy"]
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8


def test_the_file_is_plain_safetensors_with_named_tensors_and_json_config(tmp_path):
    model = small_model()
    model.save(tmp_path / "m.safetensors")
    tensors = safetensors_numpy.load_file(str(tmp_path / "m.safetensors"))
    assert sorted(tensors) == ["layers.0.bias", "layers.0.kernel", "layers.1.bias",
                               "layers.1.kernel", "optimizer.iterations", "optimizer.m",
                               "optimizer.v"]
    np.testing.assert_array_equal(tensors["layers.0.kernel"], model.layers[0].kernel)
    assert tensors["optimizer.m"].shape == (26,) and tensors["optimizer.iterations"] == 0
    metadata = read_metadata(tmp_path / "m.safetensors")
    config = json.loads(metadata["config"])
    assert metadata["format"] == "glassnet" and metadata["format_version"] == "1"
    assert config["glassnet_version"] == glassnet.__version__
    assert config["model"]["layers"][1]["config"]["activation"]["name"] == "softmax"
    assert config["loss"]["name"] == "sparse_categorical_crossentropy"
    assert config["optimizer"]["name"] == "adam" and config["metrics"] == ["accuracy"]
    assert len(metadata["sha256"]) == 64


def test_uncompiled_and_optimizer_free_saves(tmp_path):
    bare = glassnet.Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    bare.save(tmp_path / "bare.safetensors")
    loaded = glassnet.models.load_model(tmp_path / "bare.safetensors")
    assert loaded.optimizer is None and loaded.loss is None
    model = small_model()
    model.fit(*data(), epochs=2, verbose=0)
    model.save(tmp_path / "no_opt.safetensors", include_optimizer=False)
    loaded = glassnet.models.load_model(tmp_path / "no_opt.safetensors")
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == 0 and model.optimizer.iterations == 4
    assert sorted(safetensors_numpy.load_file(str(tmp_path / "no_opt.safetensors"))) == [
        "layers.0.bias", "layers.0.kernel", "layers.1.bias", "layers.1.kernel"]
    assert glassnet.models.load_model(tmp_path / "no_opt.safetensors", compile=False).loss is None


def test_loading_leaves_the_global_random_stream_alone(tmp_path):
    small_model().save(tmp_path / "m.safetensors")
    glassnet.utils.set_random_seed(5)
    expected = glassnet.utils.global_generator().random(3)
    glassnet.utils.set_random_seed(5)
    glassnet.models.load_model(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(glassnet.utils.global_generator().random(3), expected)


def test_saving_an_unbuilt_or_unserialisable_model_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="not built yet"):
        glassnet.Sequential([layers.Dense(2)], name="lazy").save(tmp_path / "x.safetensors")
    model = glassnet.Sequential([layers.Dense(2, input_shape=(2,)),
                                 layers.Dropout(0.5, seed=np.random.default_rng(0))])
    with pytest.raises(ConfigError, match="Generator"):
        model.save(tmp_path / "x.safetensors")
    with pytest.raises(FileFormatError, match="does not exist"):
        small_model().save(tmp_path / "nowhere" / "x.safetensors")
    with pytest.raises(FileFormatError, match="it is a folder; give a file name in it"):
        small_model().save(tmp_path)
    assert os.listdir(tmp_path) == []


# -- resuming ----------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", [
    {"name": "adam", "learning_rate": 0.01},
    {"name": "sgd", "learning_rate": 0.05, "momentum": 0.9, "nesterov": False},
    {"name": "rmsprop", "learning_rate": 0.01, "momentum": 0.5},
])
def test_resumed_training_equals_uninterrupted_training_bitwise(tmp_path, optimizer):
    x, y = data(60, 3)

    def fresh():
        glassnet.utils.set_random_seed(7)
        model = glassnet.Sequential([layers.Dense(5, activation="relu", input_shape=(3,)),
                                     layers.Dense(2, activation="softmax")], dtype="float64")
        model.compile(dict(optimizer), "sparse_categorical_crossentropy")
        return model

    straight = fresh()
    straight.fit(x, y, epochs=6, batch_size=16, verbose=0, seed=np.random.default_rng(3))
    first = fresh()
    shuffles = np.random.default_rng(3)  # the split run continues the same shuffling stream
    first.fit(x, y, epochs=3, batch_size=16, verbose=0, seed=shuffles)
    first.save(tmp_path / "half.safetensors")
    resumed = glassnet.models.load_model(tmp_path / "half.safetensors")
    assert resumed.optimizer.iterations == 12
    history = resumed.fit(x, y, epochs=3, batch_size=16, verbose=0, seed=shuffles)
    assert resumed.params.tobytes() == straight.params.tobytes()
    assert history.history["loss"] == straight.history.history["loss"][3:]


# -- atomic writes -----------------------------------------------------------------------------
CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np, glassnet
    from glassnet.layers import Dense
    path, mode = sys.argv[1], sys.argv[2]
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([Dense(1000, input_shape=(1000,)), Dense(10)], dtype="float64")
    model.save(path)
    print("saved", flush=True)
    if mode == "stall":  # block between writing the temporary file and renaming it
        real_fsync = os.fsync
        def stalled(fd):
            real_fsync(fd)
            print("writing", flush=True)
            time.sleep(60)
        os.fsync = stalled
    while True:
        model.params += 1.0
        model.save(path)
""")


def run_child(path, mode):
    return subprocess.Popen([sys.executable, "-c", CHILD, str(path), mode],
                            stdout=subprocess.PIPE, text=True)


def test_sigkill_while_the_temporary_file_is_written_leaves_the_old_file(tmp_path):
    path = tmp_path / "big.safetensors"
    child = run_child(path, "stall")
    try:
        assert child.stdout.readline().strip() == "saved"
        first = path.read_bytes()
        assert child.stdout.readline().strip() == "writing"
        temporaries = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(temporaries) == 1 and temporaries[0].stat().st_size > 8_000_000
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert path.read_bytes() == first
    loaded = glassnet.models.load_model(path)
    assert loaded.count_params() == 1_011_010


def test_sigkill_at_random_moments_of_a_save_loop_leaves_a_loadable_file(tmp_path):
    path = tmp_path / "big.safetensors"
    glassnet.utils.set_random_seed(0)
    initial = glassnet.Sequential([layers.Dense(1000, input_shape=(1000,)), layers.Dense(10)],
                                  dtype="float64")
    rng = np.random.default_rng(0)
    for _ in range(3):
        child = run_child(path, "loop")
        try:
            assert child.stdout.readline().strip() == "saved"
            time.sleep(rng.uniform(0.05, 0.4))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        loaded = glassnet.models.load_model(path)  # whichever save finished last, whole
        shift = loaded.params - initial.params  # each save adds 1 to every weight
        assert shift[0] > -0.5 and abs(shift[0] - np.round(shift[0])) < 1e-9
        np.testing.assert_allclose(shift, shift[0], atol=1e-9)


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    model = small_model()
    model.save(path)
    before = path.read_bytes()

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    model.params += 1
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.safetensors"]


# -- refusals ----------------------------------------------------------------------------------
def read_metadata(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n])["__metadata__"]


def rewrite(path, edit_config=None, edit_tensors=None, edit_metadata=None):
    """Re-save with edits and a freshly computed digest: what a tampering tool would do."""
    metadata = read_metadata(path)
    tensors = safetensors_numpy.load_file(str(path))
    if edit_config:
        config = json.loads(metadata["config"])
        edit_config(config)
        metadata["config"] = json.dumps(config)
    if edit_tensors:
        edit_tensors(tensors)
    if edit_metadata:
        edit_metadata(metadata)
    metadata["sha256"] = io._digest(metadata, tensors)
    path.write_bytes(safetensors_numpy.save(tensors, metadata=metadata))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.safetensors"
    small_model().save(path)
    return path


def refused(path, match):
    with pytest.raises(FileFormatError, match=match) as info:
        glassnet.models.load_model(path)
    assert str(path) in str(info.value)
    return info.value


def test_truncated_and_bit_flipped_files_are_refused(saved):
    raw = saved.read_bytes()
    saved.write_bytes(raw[:-5])
    refused(saved, "not a valid safetensors file.*not fully covered")
    flipped = bytearray(raw)
    flipped[-3] ^= 0x10  # inside the last tensor's bytes
    saved.write_bytes(bytes(flipped))
    refused(saved, "do not match the file's SHA-256 digest")
    saved.write_bytes(raw[:5])
    refused(saved, "only 5 bytes, too short")


def test_header_lengths_past_the_file_or_too_large_are_refused_before_parsing(saved):
    raw = saved.read_bytes()
    saved.write_bytes(struct.pack("<Q", len(raw)) + raw[8:])
    refused(saved, f"header says it is {len(raw)} bytes long, but the file has only")
    saved.write_bytes(struct.pack("<Q", 2**63) + raw[8:])
    refused(saved, "truncated or not a safetensors file")
    huge = io.MAX_HEADER_BYTES + 1
    saved.write_bytes(struct.pack("<Q", huge) + b" " * huge)
    refused(saved, f"the header is {huge} bytes, more than")


@pytest.mark.parametrize(("edit", "match"), [
    (lambda c: c["model"]["layers"][0].update(class_name="Conv2D"), "unknown layer 'Conv2D'"),
    (lambda c: c["model"]["layers"][0]["config"].update(units=5),
     r"'layers.0.kernel' is float64 \(3, 4\), but the model config needs float64 \(3, 5\)"),
    (lambda c: c["model"].update(dtype="float32"), "is float64 .* needs float32"),
    (lambda c: c["model"].update(input_shape=[-1]), "input_shape must be a tuple of positive"),
    (lambda c: c["model"].pop("layers"), r"from_config: needs a dict .* with a 'layers' list"),
    (lambda c: c["optimizer"].update(name="lbfgs"), "unknown optimizer 'lbfgs'"),
    (lambda c: c["model"]["layers"][1]["config"].update(activation={"name": "celu"}),
     "unknown activation 'celu'"),
])
def test_configs_that_disagree_with_the_tensors_are_refused(saved, edit, match):
    rewrite(saved, edit_config=edit)
    refused(saved, match)


def test_hostile_configs_with_a_valid_digest_cannot_make_the_loader_work_forever(saved):
    # The digest proves integrity, not authorship: whoever edits the file can recompute it.
    def insert_flattens(count):
        def edit(config):
            stack = config["model"]["layers"]
            stack += [{"class_name": "Flatten", "config": {"name": "f"}}] * count
        return edit

    rewrite(saved, edit_config=insert_flattens(10_001))
    began = time.perf_counter()
    refused(saved, "the config lists 10003 layers, more than the 10000 glassnet loads")
    assert time.perf_counter() - began < 2
    small_model().save(saved)
    rewrite(saved, edit_config=insert_flattens(3000))
    began = time.perf_counter()
    loaded = glassnet.models.load_model(saved)  # one build, not one per layer
    assert len(loaded.layers) == 3002 and time.perf_counter() - began < 5


def test_tensor_level_problems_are_refused(saved):
    rewrite(saved, edit_tensors=lambda t: t.pop("layers.1.bias"))
    refused(saved, r"missing \['layers.1.bias'\], unexpected none")
    rewrite(saved, edit_tensors=lambda t: t.update({"layers.1.bias": np.array([np.nan, 0.0])}))
    refused(saved, "'layers.1.bias' holds NaN or infinite values")
    rewrite(saved, edit_tensors=lambda t: t.update({"extra": np.zeros(1)}))
    refused(saved, r"unexpected \['extra'\]")
    rewrite(saved, edit_tensors=lambda t: t.update({"odd": np.zeros(1, np.int8)}))
    refused(saved, "tensor 'odd' has dtype 'I8'; glassnet files hold only F32, F64, I64")


def test_newer_formats_foreign_files_and_missing_entries_are_refused(saved, tmp_path):
    rewrite(saved, edit_metadata=lambda m: m.update(format_version="2"))
    refused(saved, "file format 2, newer than the format 1 this glassnet reads; upgrade")
    rewrite(saved, edit_metadata=lambda m: m.update(format_version="1") or m.pop("config"))
    refused(saved, "lacks its 'config'")
    foreign = tmp_path / "torch.safetensors"
    foreign.write_bytes(safetensors_numpy.save({"weight": np.zeros(3, np.float32)}))
    refused(foreign, "not a glassnet model file")
    refused(tmp_path / "absent.safetensors", "no such file")
    refused(tmp_path, "cannot be read")


# -- fuzzing -----------------------------------------------------------------------------------
def mutate(raw: bytes, rng: np.random.Generator) -> bytes:
    data = bytearray(raw)
    (header_len,) = struct.unpack("<Q", raw[:8])
    kind = rng.integers(8)
    if kind == 0:  # flip one to four bits anywhere
        for pos in rng.integers(len(data), size=rng.integers(1, 5)):
            data[pos] ^= 1 << int(rng.integers(8))
    elif kind == 1:  # truncate
        del data[int(rng.integers(len(data))):]
    elif kind == 2:  # a different header length
        value = rng.choice([header_len + rng.integers(-20, 21), rng.integers(2**63),
                            len(raw) - 8, 2**64 - 1, 0])
        data[:8] = struct.pack("<Q", int(value) % 2**64)
    elif kind == 3:  # overwrite a span with random bytes
        lo = int(rng.integers(len(data)))
        span = rng.integers(256, size=int(rng.integers(1, 32)), dtype=np.uint8).tobytes()
        data[lo:lo + len(span)] = span
    elif kind == 4:  # random bytes entirely
        return rng.integers(256, size=int(rng.integers(0, 600)), dtype=np.uint8).tobytes()
    elif kind == 5:  # insert or delete a byte inside the header's JSON
        pos = 8 + int(rng.integers(header_len))
        if rng.random() < 0.5:
            del data[pos]
        else:
            data.insert(pos, int(rng.choice(list(b'{}[]",:0123456789 e-'))))
    elif kind == 6:  # change a digit or a letter inside the JSON (a number, a name)
        header = data[8:8 + header_len]
        spots = [i for i, c in enumerate(header) if chr(c).isalnum()]
        pos = 8 + spots[int(rng.integers(len(spots)))]
        data[pos] = int(rng.choice(list(b"0123456789abcdefxyzFIU")))
    else:  # append junk
        data += rng.integers(256, size=int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
    return bytes(data)


def test_a_thousand_mutated_files_load_identically_or_raise_file_format_error(tmp_path):
    import resource

    model = every_layer_model("float64")
    model.compile("adam", "categorical_crossentropy")
    model.fit(np.ones((4, 2, 3)), np.eye(4), epochs=1, verbose=0)
    original = tmp_path / "original.safetensors"
    model.save(original)
    raw = original.read_bytes()
    x = np.random.default_rng(0).normal(size=(7, 2, 3))
    expected = model.predict(x).tobytes()
    rng = np.random.default_rng(2024)
    target = tmp_path / "mutant.safetensors"
    outcomes = {"loaded": 0, "refused": 0}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    for _ in range(1200):
        mutant = mutate(raw, rng)
        target.write_bytes(mutant)
        began = time.perf_counter()
        try:
            loaded = glassnet.models.load_model(target)
        except FileFormatError as exc:
            assert str(target) in str(exc)
            outcomes["refused"] += 1
        else:
            assert loaded.predict(x).tobytes() == expected, mutant
            outcomes["loaded"] += 1
        assert time.perf_counter() - began < 2.0
    assert time.perf_counter() - start < 30
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kb < 200_000
    assert outcomes["refused"] > 900 and outcomes["loaded"] > 0, outcomes


def json_paths(node, path=()):
    yield path
    children = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    for key, child in children:
        yield from json_paths(child, (*path, key))


def test_hundreds_of_edited_configs_with_valid_digests_load_or_raise_file_format_error(saved):
    """What a tampering tool could write: any JSON value replaced, the digest recomputed."""
    original = saved.read_bytes()
    config = json.loads(read_metadata(saved)["config"])
    paths = [p for p in json_paths(config) if p]
    replacements = [None, -1, 0, 2**40, 1e308, -0.5, "relu", "x" * 300, [], {}, True, [7] * 6,
                    {"name": "adam"}, {"class_name": "Dense", "config": {"units": 2**31}},
                    [[[[[]]]]], "NaN"]
    rng = np.random.default_rng(7)
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(300):
        saved.write_bytes(original)
        path = paths[int(rng.integers(len(paths)))]
        value = replacements[int(rng.integers(len(replacements)))]

        def edit(c, path=path, value=value):
            node = c
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value

        rewrite(saved, edit_config=edit)
        began = time.perf_counter()
        try:
            glassnet.models.load_model(saved)
            outcomes["loaded"] += 1
        except FileFormatError:
            outcomes["refused"] += 1
        assert time.perf_counter() - began < 2
    assert outcomes["refused"] > 100 and outcomes["loaded"] > 10, outcomes


def test_save_and_load_name_a_bad_path_or_model():
    model = glassnet.Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    with pytest.raises(ConfigError, match=r"save_model: path must be a file name \(a str or "
                                          r"pathlib.Path\), got NoneType"):
        model.save(None)
    with pytest.raises(ConfigError, match=r"load_model: path must be a file name.*got int"):
        glassnet.models.load_model(3)
    with pytest.raises(ConfigError, match=r"save_model: needs a glassnet model \(Sequential or "
                                          r"Model\), got str"):
        io.save_model("model", "m.safetensors")
