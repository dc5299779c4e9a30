"""glassnet.utils' Keras helpers against Keras 3's own: to_categorical, normalize,
pad_sequences, split_dataset (sizes and order) and plot_model (drawn with matplotlib)."""

import os
import random

import numpy as np
import pytest

from glassnet import utils
from glassnet.errors import ConfigError, DataError, FileFormatError, ShapeError
from glassnet.layers import Dense, Input, concatenate
from glassnet.models import Model, Sequential

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.mark.parametrize("labels", [[0, 2, 1], [[1], [0]], [[0, 1], [2, 1]],
                                    np.ones((2, 3, 1), int), 2, np.array([3, 0], np.int8)])
@pytest.mark.parametrize("num_classes", [None, 5])
def test_to_categorical_is_kerass(keras, labels, num_classes):
    ours = utils.to_categorical(labels, num_classes)
    theirs = keras.utils.to_categorical(labels, num_classes)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_keeps_keras_2s_dtype_and_refuses_bad_labels():
    assert utils.to_categorical([1, 0], dtype="float32").dtype == np.float32
    with pytest.raises(DataError, match="index 2 is 7, not below num_classes=3"):
        utils.to_categorical([[0, 1], [7, 1]], 3)
    with pytest.raises(DataError, match="index 0 is -1; labels must be >= 0"):
        utils.to_categorical(-1)
    with pytest.raises(DataError, match="whole numbers"):
        utils.to_categorical([0.5])


@pytest.mark.parametrize("order", [1, 2, 3, np.inf])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_normalize_is_kerass(keras, order, dtype):
    x = np.random.default_rng(0).normal(size=(5, 4)) * 10
    x[2] = 0  # a zero row stays zero
    x = x.astype(dtype)
    for axis in (-1, 1):
        ours, theirs = utils.normalize(x, axis, order), keras.utils.normalize(x, axis, order)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert not utils.normalize(x, order=order)[2].any()


def test_normalize_along_axis_0_divides_each_column():
    """Keras's NumPy path divides along the wrong axis here (its ``axis or -1``)."""
    x = np.array([[3.0, 1.0, 0.0], [4.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    expected = x / np.array([5.0, 1.0, 1.0])
    np.testing.assert_allclose(utils.normalize(x, axis=0), expected)
    np.testing.assert_allclose(utils.normalize(np.array([3.0, 4.0])), [0.6, 0.8])
    with pytest.raises(ConfigError, match="axis must be an axis"):
        utils.normalize(x, axis=2)
    with pytest.raises(ConfigError, match="order 'fro' is not a vector norm"):
        utils.normalize(x, order="fro")


def ragged(rng, n=12, item=()):
    return [rng.integers(1, 50, (int(rng.integers(0, 9)), *item)).tolist() for _ in range(n)]


@pytest.mark.parametrize("kwargs", [{}, {"maxlen": 4}, {"maxlen": 4, "padding": "post"},
                                    {"maxlen": 3, "truncating": "post", "value": -1},
                                    {"maxlen": 12, "dtype": "float32", "value": 0.5},
                                    {"dtype": "int64", "padding": "post", "truncating": "post"}])
def test_pad_sequences_is_kerass(keras, kwargs):
    sequences = ragged(np.random.default_rng(1))
    ours = utils.pad_sequences(sequences, **kwargs)
    theirs = keras.utils.pad_sequences(sequences, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_of_vectors_and_text_is_kerass(keras):
    sequences = ragged(np.random.default_rng(2), item=(3,))
    np.testing.assert_array_equal(utils.pad_sequences(sequences, maxlen=5),
                                  keras.utils.pad_sequences(sequences, maxlen=5))
    words = [["a", "bb"], ["ccc"], []]
    ours = utils.pad_sequences(words, dtype=object, value="_")
    assert ours.tolist() == keras.utils.pad_sequences(words, dtype=object, value="_").tolist()
    assert ours.tolist() == [["a", "bb"], ["_", "ccc"], ["_", "_"]]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: utils.pad_sequences([[1]], padding="middle"), ConfigError, "padding must be"),
    (lambda: utils.pad_sequences([[1]], truncating=1), ConfigError, "truncating must be"),
    (lambda: utils.pad_sequences([[1], 2]), DataError, "item 1 is 2, which has no length"),
    (lambda: utils.pad_sequences(5), DataError, "must be a list of sequences"),
    (lambda: utils.pad_sequences([]), DataError, "no sequences given"),
    (lambda: utils.pad_sequences([[1]], value="x"), ConfigError, "use dtype=object"),
    (lambda: utils.pad_sequences([[[1, 2]], [[1]]]), ShapeError, "sequence 1 have shape"),
    (lambda: utils.pad_sequences([[1]], maxlen=-1), ConfigError, "maxlen must be"),
])
def test_pad_sequences_refuses_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


SIZES = [(0.8, None), (None, 0.25), (3, None), (None, 4), (0.5, 0.3), (2, 3), (0.1, None),
         (0.96, None), (0, 0), (None, None), (1.0, None), (10, None), (0.7, 0.5), (6, 6),
         (0, 0.5), (-1, None), (None, 0.0)]


@pytest.mark.parametrize(("left", "right"), SIZES)
def test_split_sizes_are_kerass(keras, left, right):
    from keras.src.utils.dataset_utils import _rescale_dataset_split_sizes

    try:
        expected = _rescale_dataset_split_sizes(left, right, 10)
    except (ValueError, TypeError):
        expected = None
    if expected is None:
        with pytest.raises(ConfigError):
            utils.split_dataset(np.arange(10), left, right)
        return
    a, b = utils.split_dataset(np.arange(10), left, right)
    assert (len(a), len(b)) == expected
    assert a.tolist() == list(range(expected[0])) and b.tolist() == list(range(10))[-expected[1]:]


@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_split_dataset_shuffles_as_keras_does(seed):
    """Keras's NumPy path: ``random.seed(seed); random.shuffle(samples)``, then slices."""
    x, y = np.arange(20).reshape(10, 2), np.arange(10) * 10
    (x_left, y_left), (x_right, y_right) = utils.split_dataset((x, y), 0.6, shuffle=True,
                                                               seed=seed)
    state = random.getstate()
    samples = list(zip(x, y, strict=True))
    random.seed(seed)
    random.shuffle(samples)
    random.setstate(state)
    np.testing.assert_array_equal(x_left, [s[0] for s in samples[:6]])
    np.testing.assert_array_equal(y_right, [s[1] for s in samples[6:]])
    assert x_right.shape == (4, 2) and y_left.dtype == y.dtype
    assert random.getstate() == state  # Python's global random is left alone


def test_split_dataset_refuses_bad_input():
    with pytest.raises(ShapeError, match="same first dimension"):
        utils.split_dataset((np.zeros(3), np.zeros(4)), 0.5)
    with pytest.raises(ConfigError, match="give left_size or right_size"):
        utils.split_dataset(np.zeros(4))
    with pytest.raises(ConfigError, match="must be a NumPy array or a tuple"):
        utils.split_dataset({"x": np.zeros(4)}, 0.5)
    with pytest.raises(ConfigError, match="shuffle must be True or False"):
        utils.split_dataset(np.zeros(4), 0.5, shuffle="yes")
    with pytest.raises(ConfigError, match="left_size must be an int"):
        utils.split_dataset(np.zeros(4), "half")


def graph_model():
    wide, deep = Input((8,), name="wide"), Input((4,), name="deep")
    h = Dense(16, activation="relu", name="pmk_h1")(deep)
    out = Dense(1, name="pmk_out")(concatenate([wide, h], name="pmk_cat"))
    return Model([wide, deep], out)


def test_plot_model_draws_every_call_with_kerass_labels(tmp_path):
    from glassnet import _plot_model

    model = graph_model()
    path = tmp_path / "model.png"
    fig = utils.plot_model(model, to_file=str(path), show_shapes=True, show_layer_names=True,
                           show_dtype=True, show_trainable=True, dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    boxes = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert boxes[:2] == ["wide (InputLayer)\nOutput shape: (None, 8)\nOutput dtype: float32",
                         "deep (InputLayer)\nOutput shape: (None, 4)\nOutput dtype: float32"]
    assert "pmk_cat (Concatenate)\nInput shape: (None, 8), (None, 16)\nOutput shape: " \
           "(None, 24)\nOutput dtype: float32\nTrainable: True" in boxes
    arrows = [t for t in fig.axes[0].texts if not t.get_text()]
    assert len(arrows) == 4  # deep->h1, wide->cat, h1->cat, cat->out
    assert _plot_model.labels(model)[-1] == ["Dense"]  # Keras's default: the class only
    utils.plot_model(model, to_file=str(tmp_path / "model.pdf"), rankdir="LR")
    assert (tmp_path / "model.pdf").read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"rankdir": "BT"}, "rankdir must be 'TB' or 'LR'"),
    ({"expand_nested": True}, "expand_nested=True is not supported"),
    ({"layer_range": ["a", "b"]}, "layer_range is no longer supported"),
    ({"show_colors": True}, "unknown arguments"),
    ({"show_shapes": "yes"}, "show_shapes must be True or False"),
])
def test_plot_model_refuses_what_it_cannot_do(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        utils.plot_model(graph_model(), to_file=None, **kwargs)


def test_plot_model_needs_a_built_model():
    with pytest.raises(ConfigError, match="not built yet"):
        utils.plot_model(Sequential([Dense(2)]), to_file=None)


# get_file ------------------------------------------------------------------------------------

def _tree(folder):
    return sorted((os.path.relpath(os.path.join(d, f), folder), open(os.path.join(d, f)).read())
                  for d, _, files in os.walk(folder) for f in files)


def _archives(tmp_path):
    import tarfile
    import zipfile

    source = tmp_path / "src"
    (source / "pets" / "images").mkdir(parents=True)
    (source / "pets" / "a.csv").write_text("x,y\n1,2\n")
    (source / "pets" / "images" / "b.txt").write_text("cat")
    with tarfile.open(tmp_path / "pets.tar.gz", "w:gz") as archive:
        archive.add(source / "pets", arcname="pets")
    with zipfile.ZipFile(tmp_path / "pets.zip", "w") as archive:
        for path in (source / "pets").rglob("*"):
            archive.write(path, path.relative_to(source))
    return tmp_path


@pytest.mark.parametrize("kwargs", [
    {"origin": "pets.zip"}, {"fname": "data.csv", "origin": "pets.tar.gz"},
    {"fname": "pets.tar.gz", "origin": "pets.tar.gz", "extract": True},
    {"fname": "pets", "origin": "pets.zip", "extract": True},
    {"origin": "pets.tar.gz", "extract": True, "cache_subdir": "mine"},
    {"fname": "p", "origin": "pets.tar.gz", "untar": True},
])
def test_get_file_lays_out_files_as_keras_does(keras, tmp_path, capsys, kwargs):
    origin = _archives(tmp_path) / kwargs["origin"]
    kwargs = {**kwargs, "origin": origin.as_uri()}
    (tmp_path / "theirs").mkdir()  # Keras falls back to /tmp/.keras for a folder not there yet
    ours = utils.get_file(**kwargs, cache_dir=str(tmp_path / "ours"))
    theirs = keras.utils.get_file(**kwargs, cache_dir=str(tmp_path / "theirs"))
    assert os.path.relpath(ours, tmp_path / "ours") == os.path.relpath(theirs, tmp_path / "theirs")
    if os.path.isdir(theirs):
        assert _tree(ours) == _tree(theirs) and ("pets/a.csv", "x,y\n1,2\n") in _tree(ours)
    else:
        assert open(ours, "rb").read() == open(theirs, "rb").read() == origin.read_bytes()
    assert capsys.readouterr().out.count(f"Downloading data from {origin.as_uri()}") == 2


def test_get_file_checks_hashes_and_keeps_verified_copies(tmp_path, capsys):
    import hashlib

    origin = _archives(tmp_path) / "pets.zip"
    data = origin.read_bytes()
    sha, md5 = hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()
    cache = str(tmp_path / "c")
    path = utils.get_file(origin=origin.as_uri(), file_hash=sha, cache_dir=cache)
    assert utils.get_file(origin=origin.as_uri(), md5_hash=md5, cache_dir=cache) == path
    assert capsys.readouterr().out.count("Downloading") == 1  # the second call used the copy
    with open(path, "ab") as f:
        f.write(b"damage")
    utils.get_file(origin=origin.as_uri(), file_hash=sha, cache_dir=cache)
    assert "hash does not match" in capsys.readouterr().out and open(path, "rb").read() == data
    with pytest.raises(FileFormatError, match="it was not kept"):
        utils.get_file("other.zip", origin.as_uri(), file_hash="0" * 64, cache_dir=cache)
    assert sorted(os.listdir(os.path.join(cache, "datasets"))) == ["pets.zip"]
    with pytest.raises(ConfigError, match="fname must be a file name, not a path"):
        utils.get_file("a/b.zip", origin.as_uri(), cache_dir=cache)
    with pytest.raises(ConfigError, match="origin must be the URL"):
        utils.get_file("b.zip")
    (tmp_path / "plain.txt").write_text("not an archive")
    with pytest.raises(FileFormatError, match="is not a tar or zip archive"):
        utils.get_file(origin=(tmp_path / "plain.txt").as_uri(), extract=True, cache_dir=cache)


def test_get_file_refuses_an_archive_that_escapes_its_folder(tmp_path):
    import io
    import tarfile

    with tarfile.open(tmp_path / "evil.tar", "w") as archive:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(FileFormatError, match="cannot extract"):
        utils.get_file(origin=(tmp_path / "evil.tar").as_uri(), extract=True,
                       cache_dir=str(tmp_path / "c"))
    assert not (tmp_path / "c" / "outside.txt").exists()
