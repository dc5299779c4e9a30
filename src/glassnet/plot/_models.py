"""Pictures of a model: its decision over the plane, a confusion matrix, the network itself.

Example
-------
>>> fig = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], class_names=["a", "b", "c"])
>>> [t.get_text() for t in fig.axes[0].texts]
['1', '0', '0', '0', '1', '1', '0', '0', '1']
"""

from __future__ import annotations

import numpy as np

from .._checks import glassnet_model, numeric_array, positive_int
from ..errors import ConfigError, ShapeError
from ..explain._text import neuron_names
from ._curves import labels_of
from ._figure import finish, new_axes

__all__ = ["confusion_matrix", "decision_boundary", "draw_boundary", "plot_network"]

POSITIVE, NEGATIVE = "tab:blue", "tab:red"
MAX_DRAWN_NEURONS = 16
MAX_RESOLUTION = 2000  # decision_boundary's grid: 4 million predictions at most


def _grid(X, resolution):
    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = np.maximum((hi - lo) * 0.15, 0.1)
    return np.meshgrid(*(np.linspace(lo[d] - margin[d], hi[d] + margin[d], resolution)
                         for d in range(2)))


def _points(X, dtype=None) -> np.ndarray:
    X = numeric_array(X, "decision_boundary: X", dtype=dtype).astype(np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise ShapeError(f"decision_boundary: needs X of shape (samples, 2), got {X.shape}; "
                         "it draws models of two inputs")
    return X


def draw_boundary(ax, model, X, y, resolution: int, colorbar: bool = True) -> None:
    """The model's output over the plane of X's two inputs, the points on top (markers sized
    from rcParams, smaller the more points there are)."""
    from matplotlib import rcParams

    gx, gy = _grid(X, resolution)
    z = model.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    if z.shape[1] == 1:
        surface = ax.contourf(gx, gy, z[:, 0].reshape(gx.shape), levels=20, cmap="RdBu_r",
                              alpha=0.8)
        ax.contour(gx, gy, z[:, 0].reshape(gx.shape), levels=[0.5], colors="black")
        if colorbar:
            ax.figure.colorbar(surface, ax=ax, label="model output")
    else:
        ax.contourf(gx, gy, z.argmax(axis=1).reshape(gx.shape), cmap="tab10", alpha=0.35,
                    levels=np.arange(z.shape[1] + 1) - 0.5)
    area = rcParams["lines.markersize"] ** 2 * float(np.clip(80 / len(X), 0.4, 3.0))
    ax.scatter(X[:, 0], X[:, 1], c=labels_of(y), cmap="RdBu_r" if z.shape[1] == 1 else "tab10",
               edgecolors="white", linewidths=0.5 + min(1.5, 20 / len(X)), s=area, zorder=3)
    ax.set_xlabel("input 1 (x[:, 0])")
    ax.set_ylabel("input 2 (x[:, 1])")


def decision_boundary(model, X, y, resolution: int = 200, path=None, *, ax=None, title=None,
                      figsize=None, dpi=None, font=None):
    """The model's decision over the plane of two inputs, with the data points on top.

    One output: a contour of ``model.predict`` (the 0.5 line drawn); several outputs: the
    region of each predicted class. Works for the gates and XOR. ``ax``, ``title``,
    ``figsize``, ``dpi`` and ``font`` as in :func:`glassnet.plot.plot_history`.

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
    X = _points(X, model.dtype)
    if len(labels_of(y, "y", "decision_boundary")) != len(X):
        raise ShapeError(f"decision_boundary: X has {len(X)} samples but y has "
                         f"{len(labels_of(y))}; give one label per sample")
    fig, (axes,) = new_axes(ax, 1, (0.8, 0.875), figsize, where="decision_boundary")
    draw_boundary(axes, model, X, y, resolution)
    axes.set_title(f"decision boundary of {model.name}" if title is None else str(title))
    return finish(fig, path, dpi, None, font, "decision_boundary")


def confusion_matrix(y_true, y_pred, labels=None, class_names=None, path=None, *, ax=None,
                     title=None, figsize=None, dpi=None, font=None):
    """An annotated heatmap of :func:`glassnet.metrics.classification.confusion_matrix`.

    Rows are true classes, columns predicted ones; each cell shows its count. ``class_names``
    may be in any language: pass ``font`` (e.g. 'NanumGothic') for Korean names.
    """
    from ..metrics.classification import confusion_matrix as counts
    from ..metrics.classification import precision_recall_f1

    matrix = counts(y_true, y_pred, labels)
    order = precision_recall_f1(y_true, y_pred, labels).labels
    if class_names is not None and (isinstance(class_names, (str, bytes))
                                    or not isinstance(class_names, (list, tuple, np.ndarray))):
        raise ConfigError(f"confusion_matrix: class_names must be a list of names, one per "
                          f"class, got {class_names!r}")
    names = [str(c) for c in (order if class_names is None else class_names)]
    if len(names) != len(matrix):
        raise ConfigError(f"confusion_matrix: {len(names)} class_names for {len(matrix)} classes")
    scale = max(0.55, 0.07 * len(names) + 0.3)
    fig, (axes,) = new_axes(ax, 1, (scale * 1.15, scale * 1.15 * 4 / 3 * 0.75), figsize,
                            where="confusion_matrix")
    image = axes.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=axes, label="samples")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), count in np.ndenumerate(matrix):
        axes.text(j, i, str(count), ha="center", va="center", fontsize="small",
                  color="white" if count > threshold else "black")
    axes.set_xticks(range(len(names)), names, rotation=45 if len(names) > 6 else 0)
    axes.set_yticks(range(len(names)), names)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("true class")
    axes.set_title(f"confusion matrix ({int(matrix.trace())} of {int(matrix.sum())} right)"
                   if title is None else str(title))
    return finish(fig, path, dpi, None, font, "confusion_matrix")


def _network_widths(model) -> list[int]:
    from ..layers import Dense

    glassnet_model(model, "plot_network")
    for layer in model._leaf_layers():
        if not isinstance(layer, Dense):
            raise ConfigError(f"plot_network draws chains of Dense layers; layer "
                              f"{layer.name!r} is {type(layer).__name__}")
    if not model.built:
        raise ConfigError(f"plot_network: model {model.name!r} is not built yet; give its "
                          "first layer an input_shape or call it on data first")
    chain = model._leaf_layers()
    widths = [chain[0].input_shape[0], *(layer.units for layer in chain)]
    if max(widths) > MAX_DRAWN_NEURONS:
        raise ConfigError(
            f"plot_network: model {model.name!r} has layers of {'-'.join(map(str, widths))} "
            f"neurons; it draws at most {MAX_DRAWN_NEURONS} per layer. Use model.summary() "
            "for large networks")
    return widths


def plot_network(model, path=None, *, ax=None, title=None, figsize=None, dpi=None, font=None):
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
    kernels = [layer.kernel for layer in model._leaf_layers()]
    fig, (axes,) = new_axes(ax, 1, ((1.25 * len(widths) + 1.2) / 6.4,
                                    (1.05 * max(widths) + 1.1) / 4.8), figsize,
                            where="plot_network")
    _draw_edges(axes, kernels, widths)
    _draw_neurons(axes, model, _rows(widths), neuron_names(widths))
    axes.set_xlim(-0.5, len(widths) - 0.5)
    axes.set_ylim(-0.75, max(widths) - 0.25)
    axes.set_aspect("equal")
    axes.axis("off")
    axes.set_title(f"{model.name}: {'-'.join(map(str, widths))}" if title is None else
                   str(title))
    from matplotlib.lines import Line2D

    axes.legend(handles=[Line2D([], [], color=POSITIVE, label="w > 0"),
                         Line2D([], [], color=NEGATIVE, label="w < 0")],
                loc="lower center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize="x-small",
                frameon=False)
    return finish(fig, path, dpi, None, font, "plot_network")


def _rows(widths) -> list[np.ndarray]:
    return [(max(widths) - 1) / 2 + (w - 1) / 2 - np.arange(w) for w in widths]  # centred


def _draw_edges(ax, kernels, widths) -> None:
    scale = max(float(np.abs(k).max()) for k in kernels) or 1.0
    ys, numbered = _rows(widths), sum(k.size for k in kernels) <= 8
    for layer, kernel in enumerate(kernels):
        offset = sum(k.size for k in kernels[:layer])
        for (i, j), w in np.ndenumerate(kernel):
            y0, y1 = ys[layer][i], ys[layer + 1][j]
            ax.plot([layer, layer + 1], [y0, y1], color=POSITIVE if w >= 0 else NEGATIVE,
                    alpha=0.8, zorder=1, linewidth=0.4 + 4.0 * abs(float(w)) / scale)
            if numbered:  # seed 001's numbering: w1, w2 feed h1
                ax.text(layer + 0.4, y0 + 0.4 * (y1 - y0),
                        f"w{offset + j * kernel.shape[0] + i + 1}={float(w):.2f}",
                        fontsize="xx-small", ha="center", va="center", zorder=5,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})


def _draw_neurons(ax, model, ys, names) -> None:
    """One circle per neuron with its name, and its bias underneath."""
    from matplotlib.patches import Circle

    biases = [None, *(layer.bias for layer in model._leaf_layers())]
    for layer, column in enumerate(ys):
        for k, y in enumerate(column):
            ax.add_patch(Circle((layer, y), 0.26, facecolor="white", edgecolor="black",
                                linewidth=1.2, zorder=3))
            ax.text(layer, y, names[layer][k], ha="center", va="center", fontsize="small",
                    zorder=4)
            if biases[layer] is not None:
                ax.text(layer, y - 0.36, f"b={float(biases[layer][k]):.2f}",
                        fontsize="xx-small", ha="center", va="center", color="dimgray",
                        zorder=4)
