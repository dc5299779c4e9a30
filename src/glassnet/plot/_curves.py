"""Training curves and a grid of images.

Example
-------
>>> fig = plot_history({"loss": [0.5, 0.25], "accuracy": [0.6, 0.8]})
>>> [ax.get_title() for ax in fig.axes], fig.axes[1].lines[0].get_ydata().tolist()
(['loss', 'accuracy'], [0.6, 0.8])
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import numeric_array, positive_int
from ..data._validation import as_labels
from ..errors import ConfigError, DataError, ShapeError
from ._figure import finish, new_axes

__all__ = ["draw_history", "image_grid", "labels_of", "plot_history"]

MAX_PANELS = 400  # image_grid's rows * cols: each panel is a matplotlib axes

WRONG = "red"


def labels_of(y, name: str = "y", where: str = "plot") -> np.ndarray:
    """Class labels from labels, one-hot rows or class probabilities (row-wise argmax)."""
    return as_labels(y, name, where)


def _names(logs) -> list[str]:
    names = [k for k in logs if not k.startswith("val_")]
    return names + [k[4:] for k in logs if k.startswith("val_") and k[4:] not in logs]


def draw_history(axes, logs, names, xlabel="epoch", ylabel=None) -> None:
    """One quantity per axes: training (and validation) per epoch; markers only when few."""
    from matplotlib.ticker import MaxNLocator

    for ax, name in zip(axes, names, strict=True):
        ax.clear()
        for key, label, style in ((name, "train", "-o"), (f"val_{name}", "validation", "--s")):
            if key in logs:
                values = np.asarray(logs[key], dtype=float)
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, markersize=3 if len(epochs) <= 30 else 0,
                        label=label)
        ax.set_title(name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel or name)
        ax.grid(alpha=0.3)
        if f"val_{name}" in logs:
            ax.legend()


def plot_history(history, path=None, *, ax=None, title=None, figsize=None, dpi=None,
                 font=None, xlabel: str = "epoch", ylabel: str | None = None, columns: int = 3):
    """Loss and each metric per epoch, training and validation, one axes per quantity.

    Parameters
    ----------
    history : History or dict
        What ``fit`` returns, or its ``.history`` dict (``{'loss': [...], 'val_loss': [...]}``).
    path : str or os.PathLike, optional
        Where to save the figure; the format follows the extension (png, svg, pdf, ...).
    ax : Axes or list of Axes, optional
        Draw into these (one per quantity) instead of a new figure.
    title, figsize, dpi, font : optional
        A title over the figure, its size in inches (default: from rcParams), the dots per
        inch of a saved bitmap, a font family for every text (e.g. 'NanumGothic').
    xlabel, ylabel : str
        Axis labels; ``ylabel`` defaults to each quantity's name.
    columns : int
        Panels per row before the next row starts.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise DataError("plot_history: needs a History from fit() or a non-empty dict of "
                        f"per-epoch lists, got {type(history).__name__}")
    for key, values in logs.items():
        if not isinstance(key, str):
            raise DataError(f"plot_history: keys must be names such as 'loss', got {key!r}")
        if np.ndim(numeric_array(values, f"plot_history: {key!r}", finite=False)) != 1:
            raise DataError(f"plot_history: {key!r} must be a list of one number per epoch")
    names = _names(logs)
    fig, axes = new_axes(ax, len(names), (0.7, 0.7), figsize, columns, where="plot_history")
    draw_history(axes, logs, names, xlabel, ylabel)
    return finish(fig, path, dpi, title, font, "plot_history")


def image_grid(images, labels, predictions=None, rows: int = 4, cols: int = 4, path=None, *,
               ax=None, title=None, figsize=None, dpi=None, font=None):
    """The first ``rows * cols`` images with their labels; wrong predictions in red.

    Parameters
    ----------
    images : array_like
        (n, height, width), or (n, pixels) with a square number of pixels (MNIST's 784).
    labels : array_like
        True labels (or one-hot rows); class names work too.
    predictions : array_like, optional
        Predicted labels, or the probabilities ``model.predict`` returns. Each title then reads
        ``label -> prediction``, in red with a red frame where they differ.
    ax, title, figsize, dpi, font : optional
        As in :func:`plot_history` (``ax``: a list of ``rows * cols`` Axes).

    Example
    -------
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
    labels = labels_of(labels, "labels", "image_grid")
    predicted = None if predictions is None else labels_of(predictions, "predictions",
                                                            "image_grid")
    n = min(len(images), rows * cols)
    if len(labels) < n or (predicted is not None and len(predicted) < n):
        raise ShapeError(f"image_grid: {n} images shown but only {len(labels)} labels"
                         + ("" if predicted is None else f" and {len(predicted)} predictions")
                         + "; give one per image")
    fig, axes = new_axes(ax, n if ax is not None else rows * cols, (0.25, 0.375), figsize,
                         cols, where="image_grid")
    for k, ax_k in enumerate(axes):
        if k >= n:
            ax_k.remove()
            continue
        ax_k.imshow(images[k], cmap="gray_r")
        ax_k.set_xticks([])
        ax_k.set_yticks([])
        if predicted is None:
            ax_k.set_title(f"{labels[k]}")
            continue
        wrong = predicted[k] != labels[k]
        ax_k.set_title(f"{labels[k]} -> {predicted[k]}", **({"color": WRONG} if wrong else {}))
        if wrong:
            for spine in ax_k.spines.values():
                spine.set_color(WRONG)
                spine.set_linewidth(2.5)
    return finish(fig, path, dpi, title, font, "image_grid")
