"""Pictures of training: the loss curve, a grid of digits, decision boundaries, a confusion
matrix and the network itself.

Every function returns a :class:`matplotlib.figure.Figure` (shown inline by Jupyter) and, given
``path``, also saves it there (the format follows the extension; PNG at 100 dpi by default).
Figures are made without :mod:`matplotlib.pyplot`, so nothing accumulates in a loop and no
display is needed. matplotlib is imported only when a function is called
(``pip install "glassnet[plot]"``).

Example
-------
>>> from glassnet import plot
>>> fig = plot.plot_history({"loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.7, 0.6]})
>>> [ax.get_title() for ax in fig.axes], [line.get_label() for line in fig.axes[0].lines]
(['loss'], ['train', 'validation'])
"""

from __future__ import annotations

import math
import os

import numpy as np

from ._checks import glassnet_model, numeric_array, positive_int
from ._explain_text import neuron_names
from ._files import file_path, os_error
from .data._validation import as_labels
from .errors import ConfigError, DataError, FileFormatError, ShapeError

__all__ = ["confusion_matrix", "decision_boundary", "image_grid", "plot_history",
           "plot_network"]

POSITIVE, NEGATIVE, WRONG = "tab:blue", "tab:red", "red"
MAX_DRAWN_NEURONS = 16
MAX_PANELS = 400  # image_grid's rows * cols: each panel is a matplotlib axes
MAX_RESOLUTION = 2000  # decision_boundary's grid: 4 million predictions at most


def _figure(width: float, height: float):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("glassnet.plot needs matplotlib: pip install 'glassnet[plot]' "
                          "(or pip install matplotlib)") from None
    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig, path):
    if path is not None:
        target = file_path(path, "plot")
        if not target.parent.is_dir():
            raise FileFormatError(f"cannot save the figure to {target}: the folder "
                                  f"{target.parent} does not exist; create it first")
        try:
            fig.savefig(os.fspath(target), dpi=100)
        except OSError as exc:
            raise os_error(exc, target, "cannot save the figure to") from None
        except ValueError as exc:  # an extension matplotlib has no writer for
            raise ConfigError(f"cannot save the figure to {target}: {exc}") from None
    return fig


def _labels_of(y, name: str = "y", where: str = "plot") -> np.ndarray:
    """Class labels from labels, one-hot rows or class probabilities (row-wise argmax)."""
    return as_labels(y, name, where)


def plot_history(history, path=None):
    """Loss and each metric per epoch, training and validation, one axes per quantity.

    Parameters
    ----------
    history : History or dict
        What ``fit`` returns, or its ``.history`` dict (``{'loss': [...], 'val_loss': [...]}``).
    path : str or os.PathLike, optional
        Where to save the figure.

    Example
    -------
    >>> fig = plot_history({"loss": [0.5, 0.25], "accuracy": [0.6, 0.8]})
    >>> [ax.get_title() for ax in fig.axes], fig.axes[1].lines[0].get_ydata().tolist()
    (['loss', 'accuracy'], [0.6, 0.8])
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise DataError("plot_history: needs a History from fit() or a non-empty dict of "
                        f"per-epoch lists, got {type(history).__name__}")
    from matplotlib.ticker import MaxNLocator

    for key, values in logs.items():
        if not isinstance(key, str):
            raise DataError(f"plot_history: keys must be names such as 'loss', got {key!r}")
        if np.ndim(numeric_array(values, f"plot_history: {key!r}", finite=False)) != 1:
            raise DataError(f"plot_history: {key!r} must be a list of one number per epoch")
    names = [k for k in logs if not k.startswith("val_")]
    names += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in logs]
    fig = _figure(4.5 * len(names), 3.4)
    for ax, name in zip(fig.subplots(1, len(names), squeeze=False)[0], names, strict=True):
        for key, label, style in ((name, "train", "-o"), (f"val_{name}", "validation", "--s")):
            if key in logs:
                epochs = np.arange(1, len(logs[key]) + 1)
                ax.plot(epochs, logs[key], style, markersize=3 if len(epochs) <= 30 else 0,
                        label=label)
        ax.set_title(name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    return _finish(fig, path)


def image_grid(images, labels, predictions=None, rows: int = 4, cols: int = 4, path=None):
    """The first ``rows * cols`` images with their labels; wrong predictions in red.

    Parameters
    ----------
    images : array_like
        (n, height, width), or (n, pixels) with a square number of pixels (MNIST's 784).
    labels : array_like
        True labels (or one-hot rows).
    predictions : array_like, optional
        Predicted labels, or the probabilities ``model.predict`` returns. Each title then reads
        ``label -> prediction``, in red with a red frame where they differ.

    Example
    -------
    >>> import numpy as np
    >>> fig = image_grid(np.zeros((3, 4, 4)), [1, 2, 3], predictions=[1, 0, 3], rows=1, cols=3)
    >>> [ax.get_title() for ax in fig.axes], fig.axes[1].title.get_color()
    (['1 -> 1', '2 -> 0', '3 -> 3'], 'red')
    """
    images = np.asarray(images)
    if images.ndim == 2 and math.isqrt(images.shape[1]) ** 2 == images.shape[1]:
        side = math.isqrt(images.shape[1])
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ShapeError(f"image_grid: images must be (n, height, width) or (n, pixels) with a "
                         f"square pixel count, got shape {images.shape}")
    rows = positive_int(rows, "image_grid: rows", maximum=MAX_PANELS)
    cols = positive_int(cols, "image_grid: cols", maximum=MAX_PANELS)
    if rows * cols > MAX_PANELS:
        raise ConfigError(f"image_grid: rows * cols = {rows * cols} panels, more than the "
                          f"{MAX_PANELS} one figure can show; draw several grids")
    labels = _labels_of(labels, "labels", "image_grid")
    predicted = None if predictions is None else _labels_of(predictions, "predictions",
                                                             "image_grid")
    n = min(len(images), rows * cols)
    if len(labels) < n or (predicted is not None and len(predicted) < n):
        raise ShapeError(f"image_grid: {n} images shown but only {len(labels)} labels"
                         + ("" if predicted is None else f" and {len(predicted)} predictions")
                         + "; give one per image")
    fig = _figure(1.6 * cols, 1.8 * rows)
    for k, ax in enumerate(fig.subplots(rows, cols, squeeze=False).ravel()):
        if k >= n:
            ax.remove()
            continue
        ax.imshow(images[k], cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
        if predicted is None:
            ax.set_title(f"{labels[k]}")
            continue
        wrong = predicted[k] != labels[k]
        ax.set_title(f"{labels[k]} -> {predicted[k]}", color=WRONG if wrong else "black")
        if wrong:
            for spine in ax.spines.values():
                spine.set_color(WRONG)
                spine.set_linewidth(2.5)
    return _finish(fig, path)


def decision_boundary(model, X, y, resolution: int = 200, path=None):
    """The model's decision over the plane of two inputs, with the data points on top.

    One output: a contour of ``model.predict`` (the 0.5 line drawn); several outputs: the
    region of each predicted class. Works for the gates and XOR.

    Example
    -------
    >>> import numpy as np, glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(1, activation="sigmoid", input_shape=(2,),
    ...                                    name="db_dense")])
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([0, 0, 0, 1])
    >>> fig = decision_boundary(model, X, y, resolution=20)
    >>> len(fig.axes[0].collections[-1].get_offsets())
    4
    """
    glassnet_model(model, "decision_boundary")
    resolution = positive_int(resolution, "decision_boundary: resolution", minimum=2,
                              maximum=MAX_RESOLUTION)
    X = numeric_array(X, "decision_boundary: X", dtype=model.dtype).astype(np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise ShapeError(f"decision_boundary: needs X of shape (samples, 2), got {X.shape}; "
                         "it draws models of two inputs")
    labels = _labels_of(y, "y", "decision_boundary")
    if len(labels) != len(X):
        raise ShapeError(f"decision_boundary: X has {len(X)} samples but y has {len(labels)}; "
                         "give one label per sample")
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = np.maximum((hi - lo) * 0.15, 0.1)
    gx, gy = np.meshgrid(*(np.linspace(lo[d] - margin[d], hi[d] + margin[d], resolution)
                           for d in range(2)))
    z = model.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    fig = _figure(5, 4.2)
    ax = fig.subplots()
    if z.shape[1] == 1:
        surface = ax.contourf(gx, gy, z[:, 0].reshape(gx.shape), levels=20, cmap="RdBu_r",
                              alpha=0.8)
        ax.contour(gx, gy, z[:, 0].reshape(gx.shape), levels=[0.5], colors="black")
        fig.colorbar(surface, ax=ax, label="model output")
    else:
        ax.contourf(gx, gy, z.argmax(axis=1).reshape(gx.shape), cmap="tab10", alpha=0.35,
                    levels=np.arange(z.shape[1] + 1) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="RdBu_r" if z.shape[1] == 1 else "tab10",
               edgecolors="white", linewidths=2, s=110, zorder=3)
    ax.set_xlabel("input 1")
    ax.set_ylabel("input 2")
    ax.set_title(f"decision boundary of {model.name}")
    return _finish(fig, path)


def confusion_matrix(y_true, y_pred, labels=None, class_names=None, path=None):
    """An annotated heatmap of :func:`glassnet.metrics.classification.confusion_matrix`.

    Rows are true classes, columns predicted ones; each cell shows its count.

    Example
    -------
    >>> fig = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], class_names=["a", "b", "c"])
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1', '0', '0', '0', '1', '1', '0', '0', '1']
    """
    from .metrics.classification import confusion_matrix as counts
    from .metrics.classification import precision_recall_f1

    matrix = counts(y_true, y_pred, labels)
    order = precision_recall_f1(y_true, y_pred, labels).labels
    if class_names is not None and (isinstance(class_names, (str, bytes))
                                    or not isinstance(class_names, (list, tuple, np.ndarray))):
        raise ConfigError(f"confusion_matrix: class_names must be a list of names, one per "
                          f"class, got {class_names!r}")
    names = [str(c) for c in (order if class_names is None else class_names)]
    if len(names) != len(matrix):
        raise ConfigError(f"confusion_matrix: {len(names)} class_names for {len(matrix)} classes")
    size = max(3.5, 0.45 * len(names) + 2)
    fig = _figure(size + 1, size)
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, label="samples")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                color="white" if count > threshold else "black")
    ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 6 else 0)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion matrix ({int(matrix.trace())} of {int(matrix.sum())} right)")
    return _finish(fig, path)


def _network_widths(model) -> list[int]:
    from .layers import Dense

    glassnet_model(model, "plot_network")
    for layer in model.layers:
        if not isinstance(layer, Dense):
            raise ConfigError(f"plot_network draws chains of Dense layers; layer "
                              f"{layer.name!r} is {type(layer).__name__}")
    if not model.built:
        raise ConfigError(f"plot_network: model {model.name!r} is not built yet; give its "
                          "first layer an input_shape or call it on data first")
    widths = [model.layers[0].input_shape[0], *(layer.units for layer in model.layers)]
    if max(widths) > MAX_DRAWN_NEURONS:
        raise ConfigError(
            f"plot_network: model {model.name!r} has layers of {'-'.join(map(str, widths))} "
            f"neurons; it draws at most {MAX_DRAWN_NEURONS} per layer. Use model.summary() "
            "for large networks")
    return widths


def plot_network(model, path=None):
    """Draw a small Dense network as the seeds do: neurons as circles, weights as edges.

    Edge width grows with ``|w|``; blue edges are positive weights, red ones negative.
    Neurons are named as in :func:`glassnet.explain` (i1, h1, o1, ...) and show their bias.

    Example
    -------
    >>> import glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(2, input_shape=(2,), name="pn_h"),
    ...                              Dense(2, name="pn_o")])
    >>> ax = plot_network(model).axes[0]
    >>> len(ax.lines), len(ax.patches)
    (8, 6)
    """
    widths = _network_widths(model)
    kernels = [layer.kernel for layer in model.layers]
    scale = max(float(np.abs(k).max()) for k in kernels) or 1.0
    fig = _figure(1.25 * len(widths) + 1.2, 1.05 * max(widths) + 1.1)
    ax = fig.subplots()
    ys = [(max(widths) - 1) / 2 + (w - 1) / 2 - np.arange(w) for w in widths]  # centred
    numbered = sum(k.size for k in kernels) <= 8
    for layer, kernel in enumerate(kernels):
        offset = sum(k.size for k in kernels[:layer])
        for (i, j), w in np.ndenumerate(kernel):
            y0, y1 = ys[layer][i], ys[layer + 1][j]
            ax.plot([layer, layer + 1], [y0, y1], color=POSITIVE if w >= 0 else NEGATIVE,
                    alpha=0.8, zorder=1, linewidth=0.4 + 4.0 * abs(float(w)) / scale)
            if numbered:  # seed 001's numbering: w1, w2 feed h1
                ax.text(layer + 0.4, y0 + 0.4 * (y1 - y0),
                        f"w{offset + j * kernel.shape[0] + i + 1}={float(w):.2f}", fontsize=6.5,
                        ha="center", va="center", zorder=5,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
    _draw_neurons(ax, model, ys, neuron_names(widths))
    ax.set_xlim(-0.5, len(widths) - 0.5)
    ax.set_ylim(-0.75, max(widths) - 0.25)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{model.name}: {'-'.join(map(str, widths))}", fontsize=10)
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=POSITIVE, label="w > 0"),
                       Line2D([], [], color=NEGATIVE, label="w < 0")],
              loc="lower center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize=7,
              frameon=False)
    return _finish(fig, path)


def _draw_neurons(ax, model, ys, names) -> None:
    """One circle per neuron with its name, and its bias underneath."""
    from matplotlib.patches import Circle

    biases = [None, *(layer.bias for layer in model.layers)]
    for layer, column in enumerate(ys):
        for k, y in enumerate(column):
            ax.add_patch(Circle((layer, y), 0.26, facecolor="white", edgecolor="black",
                                linewidth=1.2, zorder=3))
            ax.text(layer, y, names[layer][k], ha="center", va="center", fontsize=9, zorder=4)
            if biases[layer] is not None:
                ax.text(layer, y - 0.36, f"b={float(biases[layer][k]):.2f}", fontsize=6.5,
                        ha="center", va="center", color="dimgray", zorder=4)
