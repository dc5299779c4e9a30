"""Generated files: mutated and forged model files, CSV text, IDX bytes, and save paths.

A reader either returns what the file says or raises a glassnet error; a model file that loads
is the model that was saved (bit for bit: predictions and optimizer state)."""

import gzip
import json
import os
import struct

import numpy as np
import pytest
from conftest import REFUSED, attempt, examples
from hostile_strategies import maybe, texts
from hypothesis import given
from hypothesis import strategies as st

import glassnet
from glassnet import io
from glassnet.data import load_csv
from glassnet.datasets import idx
from glassnet.layers import Dense, Dropout

pytest.importorskip("safetensors")

X = np.random.default_rng(0).normal(size=(5, 3))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A trained model's file bytes (with Adam's state), the model and its optimizer state
    (its predictions are taken in each test: the kernels are chosen per test)."""
    model = glassnet.Sequential([Dense(4, activation="relu", input_shape=(3,), name="a"),
                                 Dropout(0.25), Dense(2, activation="softmax", name="b")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, np.array([0, 1, 0, 1, 1]), epochs=2, verbose=0)
    path = tmp_path_factory.mktemp("saved") / "model.safetensors"
    model.save(path)
    return path.read_bytes(), model, model.optimizer.get_state()


def _same_model(loaded, predictions, state) -> bool:
    got = loaded.optimizer.get_state() if loaded.optimizer is not None else {}
    return (loaded.predict(X) == predictions).all() and got.keys() == state.keys() and all(
        (got[k] == v).all() for k, v in state.items())


MUTATIONS = st.lists(st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(0, 7)),
    st.tuples(st.just("set"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.binary(min_size=1, max_size=9)),
), min_size=1, max_size=4)


def _mutate(data: bytes, mutations) -> bytes:
    buf = bytearray(data)
    for kind, at, value in mutations:
        at = at % (len(buf) + 1) if buf else 0
        if kind == "flip" and at < len(buf):
            buf[at] ^= 1 << value
        elif kind == "set" and at < len(buf):
            buf[at] = value
        elif kind == "truncate":
            del buf[at:]
        elif kind == "insert":
            buf[at:at] = value
    return bytes(buf)


@examples(150)
@given(mutations=MUTATIONS)
def test_mutated_model_files_load_identically_or_are_refused(tmp_path_factory, saved,
                                                             mutations):
    data, model, state = saved
    predictions = model.predict(X)
    path = tmp_path_factory.mktemp("mutated") / "m.safetensors"
    mutated = _mutate(data, mutations)
    path.write_bytes(mutated)
    loaded = attempt("load_model (mutated bytes)", glassnet.models.load_model, path)
    if loaded is not REFUSED:
        assert _same_model(loaded, predictions, state)
    assert path.read_bytes() == mutated  # reading never writes


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                              st.floats(allow_nan=False, allow_infinity=False), texts),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        texts, inner, max_size=3), max_leaves=6)


def _forge(data: bytes, edit) -> bytes:
    """The file with one config field replaced and the digest recomputed: a file that passes
    the integrity check, so the contents themselves meet the checks behind it."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header["__metadata__"]
    config = json.loads(metadata["config"])
    where, key, value = edit
    target = {"top": config, "model": config["model"],
              "layer": config["model"]["layers"][0]["config"],
              "optimizer": config["optimizer"], "metadata": metadata}[where]
    target[key] = value
    if where != "metadata":
        metadata["config"] = json.dumps(config)
    tensors = dict(glassnet.io.safetensors.numpy.load(data))
    metadata[io._DIGEST_KEY] = io._digest({k: v for k, v in metadata.items()
                                           if k != io._DIGEST_KEY}, tensors)
    metadata = {k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()}
    return glassnet.io.safetensors.numpy.save(tensors, metadata=metadata)


KEYS = {"top": ["format_version", "model", "loss", "optimizer", "metrics", "optimizer_state",
                "glassnet_version"],
        "model": ["dtype", "input_shape", "layers", "name"],
        "layer": ["units", "activation", "use_bias", "kernel_initializer", "name", "rate"],
        "optimizer": ["name", "learning_rate", "beta_1", "epsilon", "weight_decay"],
        "metadata": ["format_version", "format", "config"]}
EDITS = st.sampled_from(sorted(KEYS)).flatmap(
    lambda where: st.tuples(st.just(where), st.sampled_from(KEYS[where]), JSON))


@examples(150)
@given(edit=EDITS)
def test_forged_config_fields_are_format_errors_or_load(tmp_path_factory, saved, edit):
    data, _, _ = saved
    path = tmp_path_factory.mktemp("forged") / "m.safetensors"
    path.write_bytes(_forge(data, edit))
    loaded = attempt("load_model (forged field)", glassnet.models.load_model, path)
    if loaded is not REFUSED:
        assert np.isfinite(loaded.params).all()
        assert loaded.predict(X).shape[0] == len(X)


NUMBERS = st.one_of(st.floats(-1e6, 1e6).map(repr), st.integers(-5, 5).map(str),
                    st.floats(-100, 100).map(lambda f: f"{f:.3g}"))
HOSTILE_CELLS = st.one_of(st.sampled_from([
    "1", "1.0", "-2.5e3", "0", "nan", "inf", "1_000", "", " ", "cat", "dog", '"a,b"', '"', "\u0661",
    "1e400", "0x10", "+.5", "1,5", "\ufeff1", "1 2", "NA", "TRUE"]),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.integers(-10**20, 10**20).map(str), st.text(max_size=4))
CELLS = st.integers(0, 11).flatmap(lambda k: HOSTILE_CELLS if k == 5 else NUMBERS)


@st.composite
def csv_texts(draw):
    width = draw(st.sampled_from([1, 2, 3, 3, 4, 4]))
    ragged = draw(st.integers(0, 9)) == 5
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width + ragged),
                         min_size=draw(st.sampled_from([0, 1, 2, 2, 2])), max_size=6))
    if draw(st.booleans()):  # a header of names, words or numbers
        rows.insert(0, draw(st.lists(st.sampled_from(["a", "b", "kind", "2019", "x y", ""]) |
                                     NUMBERS, min_size=width, max_size=width)))
    sep = draw(st.sampled_from([",", ";", "\t", " ", "|"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return end.join(sep.join(row) for row in rows) + draw(st.sampled_from(["", end]))


@examples(200)
@given(text=csv_texts(), target=maybe(st.sampled_from([-1, 0, 1, None, "kind", "column_0"])),
       header=maybe(st.sampled_from(["infer", True, False])),
       delimiter=maybe(st.sampled_from([None, ",", ";", "whitespace", "\t"])),
       categorical=maybe(st.sampled_from([None, True, False])))
def test_csv_text_is_read_rightly_or_refused(tmp_path_factory, text, target, header,
                                            delimiter, categorical):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    table = attempt("load_csv", load_csv, path, target=target, header=header,
                    delimiter=delimiter, categorical=categorical)
    if table is REFUSED:
        return
    assert table.X.dtype == np.float64 and np.isfinite(table.X).all()
    assert table.X.shape[1] == len(table.feature_names) >= 1
    if table.y is not None:
        assert len(table.y) == len(table.X)
        if table.classes is not None:
            assert set(table.y.tolist()) <= set(range(len(table.classes)))
            assert len(set(table.classes)) == len(table.classes)


@st.composite
def idx_files(draw):
    code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x08, 0x0D, 0x00, 0xFF]))
    dims = draw(st.lists(st.integers(0, 6) | st.integers(0, 6) | st.sampled_from(
        [2**32 - 1, 2**31]), min_size=draw(st.sampled_from([0, 1, 1, 2, 3])), max_size=4))
    size = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}.get(code, 1)
    payload = int(np.prod(dims)) * size if all(d < 100 for d in dims) else 8
    payload += draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
    magic = bytes([0, draw(st.sampled_from([0, 0, 0, 0, 1])), code, len(dims)])
    data = magic + struct.pack(f">{len(dims)}I", *dims) + bytes(max(payload, 0))
    if draw(st.integers(0, 5)) == 3:
        data = data[:draw(st.integers(0, len(data)))]
    return gzip.compress(data) if draw(st.booleans()) else data


@examples(150)
@given(data=idx_files())
def test_idx_bytes_are_read_rightly_or_refused(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("idx") / "x-idx"
    path.write_bytes(data)
    array = attempt("load_idx", idx.load_idx, path)
    if array is not REFUSED:
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        assert array.shape == struct.unpack(f">{raw[3]}I", raw[4:4 + 4 * raw[3]])


@examples(100)
@given(name=maybe(st.one_of(texts, st.sampled_from(
    ["m" * 255, "m" * 256, "a/b/c", "../up", ".hidden", "sp ace", "new\nline", "x" * 4000])),
    junk_in=5))
def test_save_paths_save_or_are_refused_leaving_no_debris(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("save")
    model = glassnet.Sequential([Dense(2, input_shape=(3,), name="s")])
    path = folder / name if isinstance(name, str) else name
    if attempt("save", model.save, path) is not REFUSED:
        loaded = glassnet.models.load_model(path)
        assert (loaded.predict(X) == model.predict(X)).all()
    left = [p for p in os.listdir(folder) if p.endswith(".tmp")]
    assert not left
