"""glassnet.datasets' Keras loaders against Keras's own, on small files made here in Keras's
formats (no network): same arrays, dtypes and shuffles; and the download code (file:// origins,
hashes, atomic writes, the reuse of ~/.keras/datasets, the message without a network)."""

import gzip
import hashlib
import importlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from glassnet import datasets
from glassnet.datasets import _download, idx
from glassnet.errors import ConfigError, FileFormatError

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """glassnet's data folder and a Keras home, both empty, under tmp_path."""
    mine, keras_home = tmp_path / "glassnet", tmp_path / "keras-home"
    monkeypatch.setenv("GLASSNET_DATASETS", str(mine))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    return mine, keras_home / "datasets"


@pytest.fixture(scope="module")
def keras_datasets():
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    return lambda name: importlib.import_module(f"keras.src.datasets.{name}")


def sha256(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def publish(monkeypatch, module, path, attr="FILE_HASH"):
    """Make the small file ``path`` the 'published' one: its hash replaces Keras's."""
    monkeypatch.setattr(module, attr, sha256(path))


def keras_reads(monkeypatch, keras_module, path):
    """Keras's loader reads ``path`` (a file, or a folder joined with the requested name)."""
    def get_file(fname=None, origin=None, **kwargs):
        return str(path / fname) if path.is_dir() and kwargs.get("cache_subdir") else str(path)
    monkeypatch.setattr(keras_module, "get_file", get_file)


def ragged(n, rng, top=40):
    sequences = np.empty(n, dtype=object)
    for i in range(n):
        sequences[i] = [int(w) for w in rng.integers(1, top, rng.integers(1, 15))]
    return sequences


def same(ours, theirs):
    """Two ``((x_train, y_train), (x_test, y_test))`` results hold the same arrays."""
    for a, b in zip((*ours[0], *ours[1]), (*theirs[0], *theirs[1]), strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        if a.dtype == object:
            assert [list(s) for s in a] == [list(s) for s in b]
        else:
            np.testing.assert_array_equal(a, b)


IMDB_CASES = [{}, {"num_words": 12, "skip_top": 3}, {"maxlen": 8, "seed": 7},
              {"start_char": None, "index_from": 0}, {"oov_char": None, "num_words": 20},
              {"start_char": 5, "oov_char": 7, "index_from": 10, "num_words": 30}]


@pytest.mark.parametrize("kwargs", IMDB_CASES)
def test_imdb_is_kerass(folders, monkeypatch, keras_datasets, kwargs):
    rng = np.random.default_rng(0)
    path = folders[0] / "imdb.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x_train=ragged(30, rng), y_train=rng.integers(0, 2, 30),
             x_test=ragged(20, rng), y_test=rng.integers(0, 2, 20))
    publish(monkeypatch, datasets.imdb, path)
    keras_reads(monkeypatch, keras_datasets("imdb"), path)
    same(datasets.imdb.load_data(**kwargs), keras_datasets("imdb").load_data(**kwargs))


@pytest.mark.parametrize("kwargs", [*IMDB_CASES, {"test_split": 0.5, "maxlen": 10}])
def test_reuters_is_kerass(folders, monkeypatch, keras_datasets, kwargs):
    rng = np.random.default_rng(1)
    path = folders[0] / "reuters.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x=ragged(40, rng), y=rng.integers(0, 46, 40))
    publish(monkeypatch, datasets.reuters, path)
    keras_reads(monkeypatch, keras_datasets("reuters"), path)
    same(datasets.reuters.load_data(**kwargs), keras_datasets("reuters").load_data(**kwargs))
    assert datasets.reuters.get_label_names() == keras_datasets("reuters").get_label_names()


def test_word_index_is_read_as_published(folders, monkeypatch, keras_datasets):
    path = folders[0] / "imdb_word_index.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"the": 1, "and": 2}')
    md5 = hashlib.md5(path.read_bytes()).hexdigest()
    monkeypatch.setattr(datasets.imdb, "WORD_INDEX_HASH", md5)
    keras_reads(monkeypatch, keras_datasets("imdb"), path)
    assert datasets.imdb.get_word_index() == keras_datasets("imdb").get_word_index() == {
        "the": 1, "and": 2}


@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.0}, {"test_split": 0.35, "seed": 3}])
def test_boston_housing_is_kerass(folders, monkeypatch, keras_datasets, kwargs):
    rng = np.random.default_rng(2)
    path = folders[0] / "boston_housing.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x=rng.normal(size=(31, 13)), y=rng.uniform(5, 50, 31))
    publish(monkeypatch, datasets.boston_housing, path)
    keras_reads(monkeypatch, keras_datasets("boston_housing"), path)
    ours = datasets.boston_housing.load_data(**kwargs)
    same(ours, keras_datasets("boston_housing").load_data(**kwargs))
    assert len(ours[0][0]) == int(31 * (1 - kwargs.get("test_split", 0.2)))


@pytest.mark.parametrize("kwargs", [{}, {"version": "small"}, {"version": "small", "seed": 0,
                                                               "test_split": 0.1}])
def test_california_housing_is_kerass(folders, monkeypatch, keras_datasets, kwargs):
    rng = np.random.default_rng(3)
    path = folders[0] / "california_housing.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x=rng.normal(size=(650, 8)).astype(np.float32),
             y=rng.uniform(2e4, 5e5, 650).astype(np.float32))
    publish(monkeypatch, datasets.california_housing, path)
    keras_reads(monkeypatch, keras_datasets("california_housing"), path)
    ours = datasets.california_housing.load_data(**kwargs)
    same(ours, keras_datasets("california_housing").load_data(**kwargs))
    assert len(ours[0][0]) + len(ours[1][0]) == (600 if kwargs else 650)


def test_fashion_mnist_is_kerass(folders, monkeypatch, keras_datasets):
    rng = np.random.default_rng(4)
    folder = folders[0] / "fashion-mnist"
    folder.mkdir(parents=True)
    for key, (name, _) in datasets.fashion_mnist.FILES.items():
        n = 12 if "train" in key else 5
        array = rng.integers(0, 256 if key[0] == "x" else 10, (n, 28, 28) if key[0] == "x" else n)
        idx.save_idx(folder / name, array.astype(np.uint8))
        monkeypatch.setitem(datasets.fashion_mnist.FILES, key,
                            (name, hashlib.md5((folder / name).read_bytes()).hexdigest()))
    keras_reads(monkeypatch, keras_datasets("fashion_mnist"), folder)
    ours = datasets.fashion_mnist.load_data()
    same(ours, keras_datasets("fashion_mnist").load_data())
    assert ours[0][0].shape == (12, 28, 28) and ours[0][0].dtype == np.uint8


def cifar_archive(path, top: str, batches: dict):
    """A CIFAR python-version .tar.gz: pickled dicts with bytes keys, as published."""
    with tarfile.open(path, "w:gz") as archive:
        for name, batch in batches.items():
            data = pickle.dumps({k.encode(): v for k, v in batch.items()})
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def cifar_batch(rng, n, **labels):
    return {"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8),
            **{k: [int(v) for v in rng.integers(0, top, n)] for k, top in labels.items()}}


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_is_kerass(folders, monkeypatch, keras_datasets, tmp_path, label_mode):
    rng = np.random.default_rng(5)
    path = folders[0] / "cifar-100-python.tar.gz"
    path.parent.mkdir(parents=True)
    cifar_archive(path, "cifar-100-python",
                  {"train": cifar_batch(rng, 7, fine_labels=100, coarse_labels=20),
                   "test": cifar_batch(rng, 3, fine_labels=100, coarse_labels=20)})
    monkeypatch.setitem(datasets._cifar.ARCHIVES, "cifar100",
                        (*datasets._cifar.ARCHIVES["cifar100"][:2], sha256(path)))
    with tarfile.open(path) as archive:
        archive.extractall(tmp_path / "extracted", filter="data")
    keras_reads(monkeypatch, keras_datasets("cifar100"), tmp_path / "extracted")
    ours = datasets.cifar100.load_data(label_mode)
    same(ours, keras_datasets("cifar100").load_data(label_mode))
    assert ours[0][0].shape == (7, 32, 32, 3) and ours[0][1].shape == (7, 1)


def test_cifar10_batches_are_kerass(folders, monkeypatch, keras_datasets, tmp_path):
    """Keras's cifar10 loader hard-codes 10,000-image batches, so its per-batch reader is the
    reference here, and the assembly (order, dtypes, shapes) is checked by value."""
    rng = np.random.default_rng(6)
    path = folders[0] / "cifar-10-python.tar.gz"
    path.parent.mkdir(parents=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    cifar_archive(path, "cifar-10-batches-py", {n: cifar_batch(rng, 4, labels=10) for n in names})
    monkeypatch.setitem(datasets._cifar.ARCHIVES, "cifar10",
                        (*datasets._cifar.ARCHIVES["cifar10"][:2], sha256(path)))
    with tarfile.open(path) as archive:
        archive.extractall(tmp_path, filter="data")
    load_batch = keras_datasets("cifar").load_batch
    theirs = [load_batch(str(tmp_path / "cifar-10-batches-py" / n)) for n in names]
    (x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and y_train.shape == (20, 1)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, np.concatenate([x for x, _ in theirs[:5]])
                                  .transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], [v for _, y in theirs[:5] for v in y])
    np.testing.assert_array_equal(x_test, theirs[5][0].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test[:, 0], theirs[5][1])


def test_mnist_returns_what_kerass_mnist_returns(tmp_path, monkeypatch, keras_datasets):
    ours = datasets.mnist.load_data()
    np.savez(tmp_path / "mnist.npz", x_train=ours[0][0], y_train=ours[0][1],
             x_test=ours[1][0], y_test=ours[1][1])
    keras_reads(monkeypatch, keras_datasets("mnist"), tmp_path / "mnist.npz")
    same(ours, keras_datasets("mnist").load_data())
    assert ours[0][0].shape == (60000, 28, 28) and ours[1][1].dtype == np.uint8


# The download code -------------------------------------------------------------------------

def small_source(tmp_path, content=b"published bytes"):
    source = tmp_path / "origin" / "data.bin"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(content)
    return source, hashlib.sha256(content).hexdigest()


def test_fetch_downloads_verifies_and_keeps(folders, offline, tmp_path, capsys):
    source, digest = small_source(tmp_path)
    path = _download.fetch("data.bin", source.as_uri(), digest, "test", subdir="sub")
    assert path == folders[0] / "sub" / "data.bin" and path.read_bytes() == b"published bytes"
    assert f"Downloading data from {source.as_uri()}" in capsys.readouterr().out
    source.unlink()  # a second call uses the kept copy
    assert _download.fetch("data.bin", source.as_uri(), digest, "test", subdir="sub") == path
    assert os.listdir(path.parent) == ["data.bin"]  # no temporary left


def test_a_download_with_the_wrong_hash_is_not_kept(folders, tmp_path):
    source, _ = small_source(tmp_path)
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(FileFormatError, match=f"published one is {wrong}; it was not kept"):
        _download.fetch("data.bin", source.as_uri(), wrong, "test", verbose=False)
    assert os.listdir(folders[0]) == []


def test_a_damaged_copy_is_downloaded_again(folders, tmp_path):
    source, digest = small_source(tmp_path)
    folders[0].mkdir()
    (folders[0] / "data.bin").write_bytes(b"published byt")  # truncated
    path = _download.fetch("data.bin", source.as_uri(), digest, "test", verbose=False)
    assert path.read_bytes() == b"published bytes"


def test_kerass_copy_is_used_in_place(folders, offline, tmp_path):
    _, digest = small_source(tmp_path)
    keras_copy = folders[1] / "cifar-10-batches-py-target_archive"
    keras_copy.parent.mkdir(parents=True)
    keras_copy.write_bytes(b"published bytes")
    path = _download.fetch("cifar-10-python.tar.gz", "http://127.0.0.1:9/none", digest, "test",
                           keras_name=keras_copy.name)
    assert path == keras_copy and not folders[0].exists()


def test_kerass_copy_with_another_hash_is_not_used(folders, tmp_path):
    source, digest = small_source(tmp_path)
    folders[1].mkdir(parents=True)
    (folders[1] / "data.bin").write_bytes(b"something else")
    path = _download.fetch("data.bin", source.as_uri(), digest, "test", verbose=False)
    assert path == folders[0] / "data.bin"


@pytest.fixture
def offline(monkeypatch):
    """No test reaches the network: urlopen fails as it does without one."""
    import urllib.error
    import urllib.request

    def urlopen(url, timeout=None):
        if url.startswith("file:"):
            return real(url, timeout=timeout)
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    real = urllib.request.urlopen
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


def test_without_a_network_the_message_says_what_to_fetch_and_where(folders, offline):
    digest = "0" * 64
    with pytest.raises(datasets.DownloadError) as info:
        datasets.boston_housing.load_data()
    message = str(info.value)
    assert message.startswith("boston_housing.load_data: cannot download https://storage."
                              "googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz")
    assert datasets.boston_housing.FILE_HASH in message
    assert str(folders[0] / "boston_housing.npz") in message and "GLASSNET_DATASETS" in message
    assert isinstance(info.value, OSError)
    with pytest.raises(datasets.DownloadError, match="Name or service not known"):
        _download.fetch("x.bin", "http://127.0.0.1:9/x.bin", digest, "test", verbose=False)
    assert os.listdir(folders[0]) == []  # no partial file left


def test_a_refused_connection_is_a_download_error(folders):
    """A real urllib failure (this machine's port 9, never the network)."""
    with pytest.raises(datasets.DownloadError, match=r"cannot download http://127\.0\.0\.1:9/"):
        _download.fetch("x.bin", "http://127.0.0.1:9/x.bin", "0" * 32, "test", verbose=False)
    assert os.listdir(folders[0]) == []


def test_a_loader_end_to_end_through_its_origin(folders, tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    origin = tmp_path / "mirror"
    origin.mkdir()
    np.savez(origin / "boston_housing.npz", x=rng.normal(size=(10, 13)), y=rng.normal(size=10))
    monkeypatch.setattr(_download, "ORIGIN", origin.as_uri() + "/")
    publish(monkeypatch, datasets.boston_housing, origin / "boston_housing.npz")
    (x_train, _), (x_test, _) = datasets.boston_housing.load_data()
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13)
    assert (folders[0] / "boston_housing.npz").is_file()


def test_default_folder_is_in_glassnets_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("GLASSNET_DATASETS", raising=False)
    monkeypatch.setenv("GLASSNET_CACHE", str(tmp_path / "c"))
    assert _download.datasets_dir() == tmp_path / "c" / "datasets"
    monkeypatch.delenv("KERAS_HOME", raising=False)
    assert _download.keras_datasets_dir() == _download.Path.home() / ".keras" / "datasets"


# Bad arguments and files --------------------------------------------------------------------

@pytest.mark.parametrize(("call", "match"), [
    (lambda: datasets.boston_housing.load_data(test_split=1.0), "test_split must be"),
    (lambda: datasets.california_housing.load_data(version="medium"), "version must be"),
    (lambda: datasets.cifar100.load_data("middle"), "label_mode must be"),
    (lambda: datasets.imdb.load_data(num_words=-1), "num_words must be"),
    (lambda: datasets.imdb.load_data(nb_words=10), "unknown argument 'nb_words'"),
    (lambda: datasets.reuters.load_data(seed=-2), "seed must be"),
    (lambda: datasets.imdb.load_data(path="sub/imdb.npz"), "without folders"),
])
def test_bad_arguments_are_refused_before_downloading(folders, offline, call, match):
    with pytest.raises((ConfigError, FileFormatError), match=match):
        call()
    assert not folders[0].exists()


def test_a_pickle_that_runs_code_is_refused(folders, monkeypatch):
    path = folders[0] / "imdb.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x_train=np.array([os.system], dtype=object), y_train=np.zeros(1),
             x_test=np.array([os.system], dtype=object), y_test=np.zeros(1))
    publish(monkeypatch, datasets.imdb, path)
    with pytest.raises(FileFormatError, match=r"refusing to load posix\.system"):
        datasets.imdb.load_data()


def test_maxlen_that_keeps_nothing_is_an_error(folders, monkeypatch):
    path = folders[0] / "reuters.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, x=ragged(5, np.random.default_rng(8)), y=np.zeros(5, int))
    publish(monkeypatch, datasets.reuters, path)
    with pytest.raises(ConfigError, match="shorter than maxlen=1, none was left"):
        datasets.reuters.load_data(maxlen=1)


def test_a_gzip_member_is_read_as_idx(folders, monkeypatch):
    """Fashion-MNIST's files go through load_idx's checks: a truncated one is named."""
    folder = folders[0] / "fashion-mnist"
    folder.mkdir(parents=True)
    name = "train-images-idx3-ubyte.gz"
    (folder / name).write_bytes(gzip.compress(b"\0\0\x08\x03" + bytes(12) + bytes(5)))
    monkeypatch.setitem(datasets.fashion_mnist.FILES, "x_train",
                        (name, hashlib.md5((folder / name).read_bytes()).hexdigest()))
    with pytest.raises(FileFormatError, match="IDX length check failed"):
        datasets.fashion_mnist.load_data()


def test_mnist_with_kerass_default_path_is_the_bundled_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (x_train, _), (_, y_test) = datasets.mnist.load_data(path="mnist.npz")
    assert x_train.shape == (60000, 28, 28) and y_test[:4].tolist() == [7, 2, 1, 0]


def test_the_message_names_the_subfolder_a_file_belongs_in(folders, offline):
    with pytest.raises(datasets.DownloadError, match="holds it as fashion-mnist/train-images"):
        datasets.fashion_mnist.load_data()
