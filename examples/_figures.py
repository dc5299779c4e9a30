"""PNG figures for the examples, drawn with matplotlib (imported only when a figure is made)."""

from __future__ import annotations

from pathlib import Path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def curves(path, series: dict, xlabel: str, ylabel: str, title: str) -> Path:
    """One line per ``name -> values`` in ``series``; returns the written path."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in series.items():
        ax.plot(range(1, len(values) + 1), values, label=name)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return Path(path)


def image_grid(path, images, labels, rows: int = 4, cols: int = 4) -> Path:
    """The first ``rows * cols`` images, each titled with its label."""
    plt = _pyplot()
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.5, rows * 1.5))
    for ax, image, label in zip(axes.ravel(), images, labels, strict=False):
        ax.imshow(image, cmap="gray")
        ax.set_title(str(label))
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return Path(path)
