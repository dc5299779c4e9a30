"""Bundled data sets (MNIST, Zoo, Seeds), the seeds' toy sets, and the IDX reader's checks."""

import gzip
import re
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet.data import load_csv
from glassnet.datasets import _cache, load_idx, mnist, toy, uci
from glassnet.datasets.idx import idx_bytes, idx_sha256, save_idx
from glassnet.errors import ConfigError, DataError, FileFormatError, ShapeError

# Facts from the data README (shared/data/README.md, copied to datasets/files/README.md).
TRAIN_FIRST_TEN = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
TEST_FIRST_TEN = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="session")
def mnist_cache(tmp_path_factory):
    """A private cache directory, so tests neither read nor write the user's cache."""
    return tmp_path_factory.mktemp("glassnet-cache")


@pytest.fixture
def private_cache(mnist_cache, monkeypatch):
    monkeypatch.setenv("GLASSNET_CACHE", str(mnist_cache))
    return mnist_cache


@pytest.fixture
def mnist_data(private_cache):
    return mnist.load_data()


# --- MNIST ---------------------------------------------------------------------------------


def test_mnist_matches_keras_shapes_and_the_readme_facts(mnist_data):
    (x_train, y_train), (x_test, y_test) = mnist_data
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    assert y_train[:10].tolist() == TRAIN_FIRST_TEN
    assert y_test[:10].tolist() == TEST_FIRST_TEN
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS
    assert x_train.max() == 255 and x_train.min() == 0
    assert x_train.flags.writeable


def test_mnist_cache_is_verified_and_rebuilt_when_damaged(mnist_data, private_cache):
    cached = sorted(p.name for p in private_cache.glob("mnist-*.npy"))
    assert len(cached) == 4
    labels_file = next(private_cache.glob("mnist-t10k-labels-*.npy"))
    damaged = bytearray(labels_file.read_bytes())
    damaged[-1] ^= 0xFF  # the last label changes: still a valid .npy, but the wrong data
    labels_file.write_bytes(bytes(damaged))
    (_, _), (_, y_test) = mnist.load_data()
    assert np.array_equal(y_test, mnist_data[1][1])
    assert np.array_equal(np.load(labels_file), y_test)  # rewritten with good data


def test_mnist_loads_without_a_writable_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("GLASSNET_CACHE", str(blocker / "cache"))
    (_, y_train), _ = mnist.load_data()
    assert y_train[:10].tolist() == TRAIN_FIRST_TEN
    monkeypatch.setenv("GLASSNET_CACHE", "")
    assert _cache.cache_dir() is None


def test_bundled_label_files_verify_against_the_published_checksums():
    for key in ("y_train", "y_test"):
        name, digest = mnist.FILES[key]
        labels = load_idx(mnist.FILES_DIR / f"{name}.gz", sha256=digest)
        assert idx_sha256(labels) == digest


def _corrupted_labels(tmp_path):
    """A copy of the bundled test labels with one label changed, re-gzipped."""
    name, _ = mnist.FILES["y_test"]
    raw = bytearray(gzip.decompress((mnist.FILES_DIR / f"{name}.gz").read_bytes()))
    raw[100] ^= 0x01
    path = tmp_path / f"{name}.gz"
    path.write_bytes(gzip.compress(bytes(raw)))
    return path


def test_flipped_byte_fails_the_checksum_naming_the_file(tmp_path):
    path = _corrupted_labels(tmp_path)
    digest = mnist.FILES["y_test"][1]
    with pytest.raises(FileFormatError, match=re.escape(str(path)) + ": IDX checksum check failed"):
        load_idx(path, sha256=digest)


def test_load_data_refuses_a_corrupted_bundle(tmp_path, monkeypatch):
    files = tmp_path / "files"
    files.mkdir()
    for name, _ in mnist.FILES.values():
        shutil.copy(mnist.FILES_DIR / f"{name}.gz", files)
    path = _corrupted_labels(files)
    monkeypatch.setattr(mnist, "FILES_DIR", files)
    monkeypatch.setenv("GLASSNET_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(FileFormatError, match=re.escape(str(path)) + ".*checksum.*SHA-256"):
        mnist.load_data()


def test_flipped_byte_in_gzip_data_fails_its_crc(tmp_path):
    name, _ = mnist.FILES["y_test"]
    data = bytearray((mnist.FILES_DIR / f"{name}.gz").read_bytes())
    data[-8] ^= 0xFF  # the gzip trailer's CRC-32
    path = tmp_path / f"{name}.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=re.escape(str(path)) + ": IDX checksum check failed"):
        load_idx(path)


def test_truncated_gzip_and_raw_files_fail_the_length_check(tmp_path):
    name, _ = mnist.FILES["y_test"]
    data = (mnist.FILES_DIR / f"{name}.gz").read_bytes()
    gz = tmp_path / "cut.gz"
    gz.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match=re.escape(str(gz)) + ": IDX length check failed"):
        load_idx(gz)
    raw = tmp_path / "cut-idx1-ubyte"
    raw.write_bytes(gzip.decompress(data)[:-3])
    expected = r": IDX length check failed: dimensions \(10000,\) of uint8 need 10000 payload bytes"
    with pytest.raises(FileFormatError, match=re.escape(str(raw)) + expected + ".*truncated"):
        load_idx(raw)


@pytest.mark.parametrize(
    ("content", "check"),
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x07", "magic"),
        (b"PK\x03\x04", "magic"),
        (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x07", "type code"),
        (b"\x00\x00\x08\x00", "dimensions"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x01", "length"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x01\x07\x07", "length"),
        (b"\x00\x00", "length"),
    ],
)
def test_bad_idx_headers_name_the_file_and_check(tmp_path, content, check):
    for path, data in (
        (tmp_path / "x-idx", content),
        (tmp_path / "x-idx.gz", gzip.compress(content)),
    ):
        path.write_bytes(data)
        with pytest.raises(FileFormatError, match=re.escape(f"{path}: IDX {check} check failed")):
            load_idx(path)


def test_missing_idx_file(tmp_path):
    with pytest.raises(FileFormatError, match="nope-idx1-ubyte: no such file"):
        load_idx(tmp_path / "nope-idx1-ubyte")


TMP_PATH_OK = [HealthCheck.function_scoped_fixture]  # each example overwrites its own file
idx_dtypes = st.sampled_from(["u1", "i1", ">i2", "<i4", "f4", "f8"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(hnp.arrays(idx_dtypes, hnp.array_shapes(min_dims=1, max_dims=4, max_side=5)), st.booleans())
def test_idx_round_trip(tmp_path, array, compress):
    path = tmp_path / "a-idx"
    save_idx(path, array, compress=compress)
    back = load_idx(path)
    assert back.shape == array.shape and back.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(back, array)
    assert idx_sha256(array) == __import__("hashlib").sha256(idx_bytes(array)).hexdigest()


def test_idx_refuses_dtypes_it_cannot_store():
    with pytest.raises(DataError, match="IDX cannot store dtype int64"):
        idx_bytes(np.zeros(2, dtype=np.int64))
    with pytest.raises(ShapeError, match="IDX stores 1 to 255 dimensions, the array has 0"):
        idx_bytes(np.uint8(3))


def test_load_data_from_a_directory_and_an_npz(tmp_path):
    arrays = {
        "x_train": np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28),
        "y_train": np.array([3, 1], dtype=np.uint8),
        "x_test": np.zeros((1, 28, 28), dtype=np.uint8),
        "y_test": np.array([9], dtype=np.uint8),
    }
    for key, (name, _) in mnist.FILES.items():
        save_idx(tmp_path / (f"{name}.gz" if key.startswith("x") else name), arrays[key])
    (x_train, y_train), (_, y_test) = mnist.load_data(tmp_path)
    assert np.array_equal(x_train, arrays["x_train"]) and y_train.tolist() == [3, 1]
    assert y_test.tolist() == [9]
    np.savez(tmp_path / "mnist.npz", **arrays)
    (_, y_train), _ = mnist.load_data(tmp_path / "mnist.npz")
    assert y_train.tolist() == [3, 1]
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileFormatError, match=r"neither t10k-labels-idx1-ubyte\.gz nor"):
        mnist.load_data(tmp_path)


# --- UCI -----------------------------------------------------------------------------------


def test_zoo():
    zoo = uci.load_zoo()
    assert zoo.data.shape == (101, 16) and zoo.data.dtype == np.float64
    assert zoo.target.shape == (101,)
    assert np.bincount(zoo.target).tolist() == [41, 20, 5, 13, 4, 8, 10]
    assert zoo.target_names == uci.ZOO_CLASSES and len(zoo.target_names) == 7
    assert zoo.feature_names[0] == "hair" and zoo.feature_names[12] == "legs"
    assert zoo.sample_names[:2] == ("aardvark", "antelope")
    assert zoo.data[0].tolist() == [1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 4, 0, 0, 1]
    assert zoo.target_names[zoo.target[zoo.sample_names.index("bass")]] == "fish"
    X, y = uci.load_zoo(return_X_y=True)
    assert np.array_equal(X, zoo.data) and np.array_equal(y, zoo.target)


def test_seeds():
    seeds = uci.load_seeds()
    assert seeds.data.shape == (210, 7) and seeds.target_names == ("Kama", "Rosa", "Canadian")
    assert np.bincount(seeds.target).tolist() == [70, 70, 70]
    assert seeds.data[0].tolist() == [15.26, 14.84, 0.871, 5.763, 3.312, 2.221, 5.22]
    assert seeds.data[7].tolist() == [14.11, 14.1, 0.8911, 5.42, 3.302, 2.7, 5.0]  # a "\t\t" row
    assert seeds.data[-1].tolist() == [12.3, 13.34, 0.8684, 5.243, 2.974, 5.637, 5.063]


def test_seeds_double_tabs_parse_like_a_clean_file(tmp_path):
    published = (mnist.FILES_DIR / "seeds_dataset.txt").read_text()
    assert sum("\t\t" in line for line in published.splitlines()) == 11
    assert not published.endswith("\n")
    clean = tmp_path / "seeds_clean.csv"
    clean.write_text("\n".join(",".join(line.split()) for line in published.splitlines()) + "\n")
    X_clean, y_clean = load_csv(clean, header=False, categorical=True)
    X, y = uci.load_seeds(return_X_y=True)
    assert np.array_equal(X, X_clean) and np.array_equal(y, y_clean)


# --- the seeds' toy sets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gate", "outputs"),
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("NAND", [1, 1, 1, 0]),
        ("nor", [1, 0, 0, 0]),
        ("Xor", [0, 1, 1, 0]),
    ],
)
def test_logic_gates(gate, outputs):
    X, y = toy.logic_gate(gate)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.shape == (4, 1) and y.ravel().tolist() == outputs


def test_unknown_gate():
    with pytest.raises(ConfigError, match="unknown gate 'xnor'; valid names: and, or, nand"):
        toy.logic_gate("xnor")


def _matmul(a, b):
    """a @ b summed left to right without fused multiply-adds, as the seed's machine did.

    OpenBLAS's FMA kernels round differently in the last digit (0.3583840767631751 instead of
    the printed 0.35838407676317513), so the exact digits need a plain summation.
    """
    return np.einsum("ik,kj->ij", a, b)


def test_streetlights_reproduce_seed_003_errors():
    """Seed 003's loop on these arrays prints its six errors to the last digit."""
    lights, walk_vs_stop = toy.streetlights()
    assert lights.shape == (4, 3) and walk_vs_stop.tolist() == [[1], [1], [0], [0]]
    legacy = np.random.RandomState(1)  # the stream of the seed's np.random.seed(1)
    weights_0_1 = 2 * legacy.random_sample((3, 4)) - 1
    weights_1_2 = 2 * legacy.random_sample((4, 1)) - 1
    errors = []
    for iteration in range(60):
        error = 0
        for i in range(4):
            layer_0 = lights[i : i + 1]
            layer_1 = np.maximum(_matmul(layer_0, weights_0_1), 0)
            layer_2 = _matmul(layer_1, weights_1_2)
            error += np.sum((layer_2 - walk_vs_stop[i : i + 1]) ** 2)
            delta_2 = layer_2 - walk_vs_stop[i : i + 1]
            delta_1 = _matmul(delta_2, weights_1_2.T) * (layer_1 > 0)
            weights_1_2 -= 0.2 * _matmul(layer_1.T, delta_2)
            weights_0_1 -= 0.2 * _matmul(layer_0.T, delta_1)
        if iteration % 10 == 9:
            errors.append(str(error))
    assert errors == [
        "0.6342311598444467",
        "0.35838407676317513",
        "0.0830183113303298",
        "0.006467054957103705",
        "0.0003292669000750734",
        "1.5055622665134859e-05",
    ]


def test_two_number_sum():
    X, y = toy.two_number_sum(1000, seed=0)
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    assert X.min() >= 0 and X.max() < 0.5 and X.max() > 0.49
    assert np.array_equal(y[:, 0], X[:, 0] + X[:, 1])
    assert np.array_equal(X, toy.two_number_sum(1000, seed=0)[0])
    assert not np.array_equal(X, toy.two_number_sum(1000, seed=1)[0])
    assert np.array_equal(toy.two_number_sum(5, seed=np.random.default_rng(0))[0], X[:5])
    with pytest.raises(ConfigError, match="n must be a positive integer"):
        toy.two_number_sum(0)


def test_toy_two_class_is_seed_002_table():
    X, y = toy.toy_two_class()
    assert X.shape == (10, 2) and y.dtype == np.int64
    assert X[8].tolist() == [8.675418651, -0.242068655]
    assert y.tolist() == [0] * 5 + [1] * 5


def test_load_idx_names_a_path_that_is_not_a_file_name():
    with pytest.raises(ConfigError, match=r"load_idx: path must be a file name.*got NoneType"):
        load_idx(None)
    with pytest.raises(ConfigError, match=r"mnist.load_data: path must be a file name.*got int"):
        mnist.load_data(5)


@pytest.mark.parametrize("loader", [uci.load_zoo, uci.load_seeds])
@pytest.mark.parametrize("flag", ["yes", "no", 1, None])
def test_uci_loaders_need_a_real_bool_for_return_X_y(loader, flag):
    with pytest.raises(ConfigError) as caught:
        loader(return_X_y=flag)
    assert str(caught.value) == f"{loader.__name__}: return_X_y must be True or False, got {flag!r}"
    X, y = loader(return_X_y=np.bool_(True))
    assert X.shape[0] == y.shape[0] == (101 if loader is uci.load_zoo else 210)
