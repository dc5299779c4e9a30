"""glassnet.plot's shared options: ax=, title, figsize, dpi, saving by extension, rcParams,
fonts for Korean labels, the live watch callback and its GIF."""

import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

import glassnet  # noqa: E402
from glassnet import plot  # noqa: E402
from glassnet.errors import ConfigError, FileFormatError  # noqa: E402
from glassnet.layers import Dense  # noqa: E402

HISTORY = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.5]}
KOREAN = ["고양이", "개", "개", "토끼"]


def _xor_model():
    glassnet.utils.set_random_seed(3)
    model = glassnet.Sequential([Dense(4, activation="tanh", input_shape=(2,), name="po_h"),
                                 Dense(1, activation="sigmoid", name="po_o")])
    model.compile(glassnet.optimizers.SGD(0.5, momentum=0.9), "binary_crossentropy")
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    return model, x, np.array([0, 1, 1, 0])


def test_drawing_into_the_users_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    model, x, y = _xor_model()
    assert plot.plot_history({"loss": [1, 0.5]}, ax=left) is fig
    assert plot.decision_boundary(model, x, y, resolution=10, ax=right, title="XOR") is fig
    assert left.get_ylabel() == "loss" and right.get_title() == "XOR"
    with pytest.raises(ConfigError, match="plot_history: ax= needs 2 matplotlib Axes"):
        plot.plot_history({"loss": [1], "accuracy": [0.5]}, ax=left)


def test_title_size_dpi_and_formats(tmp_path):
    from PIL import Image

    fig = plot.plot_history(HISTORY, title="run 1", figsize=(4, 3), path=tmp_path / "a.png",
                            dpi=50)
    assert fig._suptitle.get_text() == "run 1" and tuple(fig.get_size_inches()) == (4, 3)
    assert Image.open(tmp_path / "a.png").size == (200, 150)
    plot.plot_history(HISTORY, path=tmp_path / "a.svg")
    plot.plot_history(HISTORY, path=tmp_path / "a.pdf")
    assert (tmp_path / "a.svg").read_text()[:5] in ("<?xml", "<svg ")
    assert (tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"
    with pytest.raises(FileFormatError, match=r"saves by the file's extension, one of .*png"):
        plot.plot_history(HISTORY, path=tmp_path / "a.docx")
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sizes_and_text_follow_rcparams():
    with matplotlib.rc_context({"font.size": 20, "figure.figsize": (8, 5)}):
        big = plot.plot_history({"loss": [1, 0.5]})
        ax = big.axes[0]
        assert ax.xaxis.label.get_fontsize() == 20 and tuple(big.get_size_inches()) == \
            pytest.approx((8 * 0.7, 5 * 0.7))
    small = plot.plot_history({"loss": [1, 0.5]})
    assert small.axes[0].xaxis.label.get_fontsize() == matplotlib.rcParams["font.size"]
    assert big._repr_png_() != small._repr_png_()


def test_markers_shrink_with_the_number_of_points():
    model, x, y = _xor_model()
    rng = np.random.default_rng(0)
    few = plot.decision_boundary(model, x, y, resolution=10).axes[0].collections[-1]
    many = plot.decision_boundary(model, rng.normal(size=(200, 2)), rng.integers(0, 2, 200),
                                  resolution=10).axes[0].collections[-1]
    assert many.get_sizes()[0] < few.get_sizes()[0] / 4


def test_korean_labels_warn_without_a_font_that_has_them():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot.confusion_matrix(KOREAN, KOREAN)
    messages = [str(w.message) for w in caught if "glassnet.plot" in str(w.message)]
    assert len(messages) == 1 and "cannot draw (they would show as boxes)" in messages[0]
    assert "font 'DejaVu Sans'" in messages[0] and "font=" in messages[0]
    with pytest.raises(ConfigError, match=r"font 'NoSuchFont' is not installed.*fonts-nanum"):
        plot.confusion_matrix(KOREAN, KOREAN, font="NoSuchFont")


def test_korean_labels_with_nanum_gothic(tmp_path):
    from matplotlib import font_manager

    try:
        plot._figure.check_font("NanumGothic")
    except ConfigError:
        pytest.skip("NanumGothic is not installed (apt-get install fonts-nanum)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no glyph warning, neither ours nor matplotlib's
        fig = plot.confusion_matrix(KOREAN, KOREAN, font="NanumGothic", title="동물",
                                    path=tmp_path / "ko.png")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["개", "고양이", "토끼"]
    path = font_manager.findfont(ax.get_xticklabels()[0].get_fontproperties())
    assert "Nanum" in path


def test_watch_writes_a_gif_frame_every_few_epochs(tmp_path):
    from PIL import Image

    model, x, y = _xor_model()
    watcher = plot.watch(model, (x, y), every=10, path=tmp_path / "run.gif", resolution=20)
    model.fit(x, y, epochs=30, batch_size=4, verbose=0, callbacks=[watcher])
    assert watcher.frames == 3
    gif = Image.open(tmp_path / "run.gif")
    assert gif.n_frames == 3
    assert watcher.curve.get_ylabel() == "loss" and len(watcher.curve.lines[0].get_ydata()) == 30
    with pytest.raises(ConfigError, match=r"must end in \.gif \(Pillow\) or \.mp4"):
        plot.watch(model, (x, y), path=tmp_path / "run.avi")


def test_watch_writes_an_mp4_where_ffmpeg_is_installed(tmp_path):
    from matplotlib import animation

    if not animation.FFMpegWriter.isAvailable():
        pytest.skip("ffmpeg is not installed")
    model, x, y = _xor_model()
    watcher = plot.watch(model, (x, y), every=5, path=tmp_path / "run.mp4", resolution=10)
    model.fit(x, y, epochs=10, batch_size=4, verbose=0, callbacks=[watcher])
    assert watcher.frames == 2 and (tmp_path / "run.mp4").stat().st_size > 0
