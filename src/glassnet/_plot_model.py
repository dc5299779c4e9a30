"""``utils.plot_model``: the model's layer graph as boxes and arrows, drawn with matplotlib.

Keras 3 writes the graph with pydot and Graphviz; glassnet lays it out itself: each layer call
is a box (``name (Class)`` or ``Class``, then the lines Keras's options ask for), placed by its
depth from the inputs (rows for ``rankdir='TB'``, columns for ``'LR'``), with an arrow from
every call that feeds it. The file type follows ``to_file``'s extension, as in Keras.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense, Input
>>> model = glassnet.Sequential([Input((4,)), Dense(3, activation="relu", name="pm_h"),
...                              Dense(1, name="pm_o")], name="pm")
>>> labels(model, show_shapes=True, show_layer_names=True, show_layer_activations=True)[1]
['pm_h (Dense)', 'Activation: relu', 'Input shape: (None, 4)', 'Output shape: (None, 3)']
>>> fig = plot_model(model, to_file=None)
>>> [t.get_text().split("\\n")[0] for t in fig.axes[0].texts if t.get_text()]
['InputLayer', 'Dense', 'Dense']
"""

from __future__ import annotations

from ._checks import boolean, glassnet_model, positive_int
from .errors import ConfigError

__all__ = ["labels", "plot_model"]


def _nodes(model) -> list:
    """Every call in the model's graph, inputs first, in the graph's topological order."""
    graph = model._graph
    if graph is None:
        raise ConfigError(f"plot_model: model {model.name!r} is not built yet; give it an Input "
                          "(or its first layer an input_shape), or call it on data first")
    return [*(t.node for t in graph.inputs), *graph.nodes]


def _shape(tensors) -> str:
    shapes = [tuple(t.shape) for t in tensors]
    return str(shapes[0]) if len(shapes) == 1 else ", ".join(map(str, shapes))


def _activation(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "name", None) or getattr(activation, "__name__", str(activation))


def _label(node, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable) -> list[str]:
    layer, kind = node.layer, type(node.layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_layer_activations and _activation(layer) is not None:
        lines.append(f"Activation: {_activation(layer)}")
    if show_shapes:
        if kind != "InputLayer":
            lines.append(f"Input shape: {_shape(node.inputs)}")
        lines.append(f"Output shape: {_shape(node.outputs)}")
    if show_dtype:
        lines.append(f"Output dtype: {node.outputs[0].dtype}")
    if show_trainable and kind != "InputLayer":
        lines.append(f"Trainable: {layer.trainable}")
    return lines


def labels(model, show_shapes=False, show_dtype=False, show_layer_names=False,
           show_layer_activations=False, show_trainable=False) -> list[list[str]]:
    """The text lines of each box, in drawing order."""
    return [_label(node, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                   show_trainable) for node in _nodes(model)]


def _depths(nodes) -> dict[int, int]:
    """Longest path from an input to each node (the graph's order is topological)."""
    depth: dict[int, int] = {}
    for node in nodes:
        parents = [depth[id(t.node)] for t in node.inputs if id(t.node) in depth]
        depth[id(node)] = 1 + max(parents) if parents else 0
    return depth


def _check(model, to_file, rankdir, expand_nested, dpi, splines, flags, kwargs) -> None:
    glassnet_model(model, "plot_model")
    if kwargs.pop("layer_range", None) is not None:
        raise ConfigError("plot_model: layer_range is no longer supported (as in Keras 3)")
    if kwargs:
        raise ConfigError(f"plot_model: unknown arguments {sorted(kwargs)}")
    for name, value in flags.items():
        boolean(value, f"plot_model: {name}")
    if boolean(expand_nested, "plot_model: expand_nested"):
        raise ConfigError("plot_model: expand_nested=True is not supported; a nested model is "
                          "drawn as one box (call plot_model on the nested model itself)")
    if rankdir not in ("TB", "LR"):
        raise ConfigError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    positive_int(dpi, "plot_model: dpi")
    if not isinstance(splines, str):
        raise ConfigError(f"plot_model: splines must be a string such as 'ortho', got "
                          f"{splines!r}")
    if to_file is not None and not isinstance(to_file, str) and not hasattr(to_file,
                                                                            "__fspath__"):
        raise ConfigError(f"plot_model: to_file must be a file name, got {to_file!r}")


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw ``model``'s layers and save the picture to ``to_file`` (None: only return it).

    Arguments are Keras 3's. ``splines`` is accepted for Keras code; arrows are straight.
    Returns the figure (a :class:`~glassnet.plot.GlassFigure`, shown inline in notebooks).
    """
    flags = {"show_shapes": show_shapes, "show_dtype": show_dtype,
             "show_layer_names": show_layer_names,
             "show_layer_activations": show_layer_activations, "show_trainable": show_trainable}
    _check(model, to_file, rankdir, expand_nested, dpi, splines, flags, kwargs)
    from .plot._figure import finish, new_axes

    nodes = _nodes(model)
    texts = labels(model, **flags)
    depth = _depths(nodes)
    rows: dict[int, list] = {}
    for node in nodes:
        rows.setdefault(depth[id(node)], []).append(node)
    place = {}
    for d, row in rows.items():
        for k, node in enumerate(row):
            across = k - (len(row) - 1) / 2
            place[id(node)] = (across, -d) if rankdir == "TB" else (d, -across)
    width = max(len(r) for r in rows.values())
    deep, tall = len(rows), max(len(t) for t in texts)
    extent = (width, deep) if rankdir == "TB" else (deep, width)
    fig, (ax,) = new_axes(None, 1, (0.45 + 0.55 * extent[0], 0.25 + (0.2 + 0.07 * tall)
                                    * extent[1]), where="plot_model")
    _draw(ax, nodes, texts, place)
    ax.axis("off")
    ax.margins(0.25)
    return finish(fig, to_file, dpi, None, None, "plot_model")


def _draw(ax, nodes, texts, place) -> None:
    boxes = {}
    for node, lines in zip(nodes, texts, strict=True):
        text = ax.text(*place[id(node)], "\n".join(lines), ha="center", va="center",
                       fontsize="small", bbox={"boxstyle": "round,pad=0.5", "fc": "white",
                                               "ec": "black"}, zorder=3)
        boxes[id(node)] = text.get_bbox_patch()
    for node in nodes:
        for tensor in node.inputs:
            if id(tensor.node) in place:  # arrows clipped at the two boxes' edges
                ax.annotate("", xy=place[id(node)], xytext=place[id(tensor.node)],
                            arrowprops={"arrowstyle": "-|>", "color": "black",
                                        "patchA": boxes[id(tensor.node)],
                                        "patchB": boxes[id(node)], "shrinkA": 2,
                                        "shrinkB": 2}, zorder=2)
    xs = [p[0] for p in place.values()]
    ys = [p[1] for p in place.values()]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
