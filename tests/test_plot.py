"""Plots: what is drawn (axes, lines and their data, titles, images, colours, edges)."""

import numpy as np
import pytest

import glassnet
from glassnet.errors import ConfigError, ShapeError
from glassnet.layers import Dense, Dropout

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.colors import to_rgba  # noqa: E402

from glassnet import plot  # noqa: E402


def test_plot_history_draws_one_axes_per_quantity_with_train_and_validation(tmp_path):
    model = glassnet.Sequential([Dense(3, activation="relu", input_shape=(2,)),
                                 Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    history = model.fit(rng.normal(size=(40, 2)), rng.integers(0, 2, 40), epochs=3,
                        validation_split=0.25, verbose=0)
    path = tmp_path / "history.png"
    fig = plot.plot_history(history, path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    loss_ax = fig.axes[0]
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    assert loss_ax.lines[0].get_xdata().tolist() == [1, 2, 3]
    assert loss_ax.lines[0].get_ydata().tolist() == history.history["loss"]
    assert loss_ax.lines[1].get_ydata().tolist() == history.history["val_loss"]
    assert (loss_ax.get_xlabel(), loss_ax.get_ylabel()) == ("epoch", "loss")


def test_plot_history_without_validation_and_bad_input():
    fig = plot.plot_history({"loss": [3.0, 2.0, 1.5, 1.0]})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    with pytest.raises(glassnet.errors.DataError, match="needs a History"):
        plot.plot_history({})


def test_image_grid_draws_sixteen_images_and_marks_the_wrong_ones(tmp_path):
    images = np.random.default_rng(1).random((20, 784))
    labels = np.arange(20) % 10
    predictions = labels.copy()
    predictions[[2, 7]] = 0
    probs = np.eye(10)[predictions]  # probabilities are accepted too
    fig = plot.image_grid(images, labels, probs, path=tmp_path / "grid.png")
    assert len(fig.axes) == 16
    assert sum(len(ax.images) for ax in fig.axes) == 16
    assert fig.axes[0].images[0].get_array().shape == (28, 28)
    red = to_rgba("red")
    wrong = [k for k, ax in enumerate(fig.axes) if to_rgba(ax.title.get_color()) == red]
    assert wrong == [2, 7]
    assert fig.axes[2].get_title() == "2 -> 0"
    assert to_rgba(fig.axes[7].spines["left"].get_edgecolor()) == red
    assert to_rgba(fig.axes[3].spines["left"].get_edgecolor()) != red


def test_image_grid_with_few_images_and_no_predictions():
    fig = plot.image_grid(np.zeros((3, 5, 5)), [4, 5, 6], rows=2, cols=2)
    assert [ax.get_title() for ax in fig.axes] == ["4", "5", "6"]
    with pytest.raises(ShapeError, match=r"got shape \(3, 10\)"):
        plot.image_grid(np.zeros((3, 10)), [1, 2, 3])


def test_decision_boundary_of_a_gate(xor_data):
    x, y = xor_data
    model = glassnet.Sequential([Dense(2, activation="sigmoid", input_shape=(2,)),
                                 Dense(1, activation="sigmoid")], name="gate")
    fig = plot.decision_boundary(model, x, y, resolution=30)
    ax = fig.axes[0]
    points = ax.collections[-1]
    np.testing.assert_array_equal(points.get_offsets(), x)
    assert ax.get_title() == "decision boundary of gate"
    assert len(fig.axes) == 2  # the plane and its colour bar
    with pytest.raises(ShapeError, match="two inputs"):
        plot.decision_boundary(model, np.zeros((4, 3)), y)


def test_decision_boundary_of_a_classifier_with_several_outputs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    model = glassnet.Sequential([Dense(3, activation="softmax", input_shape=(2,))])
    fig = plot.decision_boundary(model, x, rng.integers(0, 3, 30), resolution=25)
    assert len(fig.axes) == 1 and len(fig.axes[0].collections[-1].get_offsets()) == 30


def test_confusion_matrix_annotates_every_cell():
    fig = plot.confusion_matrix(["cat", "dog", "dog", "cow"], ["cat", "cat", "dog", "cow"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["1", "0", "0", "0", "1", "0", "1", "0", "1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "cow", "dog"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted class", "true class")
    assert ax.get_title() == "confusion matrix (3 of 4 right)"
    assert ax.images[0].get_array().tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]
    named = plot.confusion_matrix([0, 1], [0, 1], class_names=["no", "yes"]).axes[0]
    assert [t.get_text() for t in named.get_yticklabels()] == ["no", "yes"]
    with pytest.raises(ConfigError, match="1 class_names for 2 classes"):
        plot.confusion_matrix([0, 1], [0, 1], class_names=["x"])


def test_plot_network_draws_neurons_and_weighted_edges():
    model = glassnet.Sequential([Dense(2, activation="sigmoid", input_shape=(2,)),
                                 Dense(2, activation="sigmoid")], name="worked")
    model.set_weights([np.array([[0.15, 0.25], [0.20, 0.30]]), np.full(2, 0.35),
                       np.array([[0.40, 0.50], [0.45, -0.55]]), np.full(2, 0.60)])
    ax = plot.plot_network(model).axes[0]
    assert len(ax.patches) == 6 and len(ax.lines) == 8
    colours = [to_rgba(line.get_color()) for line in ax.lines]
    assert colours.count(to_rgba(plot.NEGATIVE)) == 1  # w8 = -0.55
    widths = {round(line.get_linewidth(), 6) for line in ax.lines}
    assert max(widths) == pytest.approx(4.4) and min(widths) == pytest.approx(0.4 + 4 * 0.15 /
                                                                               0.55)
    texts = [t.get_text() for t in ax.texts]
    assert {"i1", "h2", "o2", "w5=0.40", "w8=-0.55", "b=0.35"} <= set(texts)
    assert ax.get_title() == "worked: 2-2-2"


def test_plot_network_refuses_what_it_cannot_draw():
    big = glassnet.Sequential([Dense(128, input_shape=(784,)), Dense(10)], name="mnist")
    with pytest.raises(ConfigError, match="784-128-10 neurons; it draws at most 16"):
        plot.plot_network(big)
    with pytest.raises(ConfigError, match="is Dropout"):
        plot.plot_network(glassnet.Sequential([Dense(2, input_shape=(2,)), Dropout(0.1)]))


def test_wrong_model_resolution_or_folder_are_named(tmp_path):
    model = glassnet.Sequential([Dense(2, activation="softmax", input_shape=(2,), name="pw")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    history = model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ConfigError, match=r"plot_network: needs a glassnet model \(Sequential or "
                                          r"Model\), got History"):
        plot.plot_network(history)
    with pytest.raises(ConfigError, match="decision_boundary: resolution must be an integer >= 2"):
        plot.decision_boundary(model, x, y, resolution="fine")
    missing = tmp_path / "no" / "h.png"
    with pytest.raises(glassnet.errors.FileFormatError,
                       match=f"cannot save the figure to {missing}: the folder .* does not exist"):
        plot.plot_history(history, path=missing)
