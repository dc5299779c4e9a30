"""What every glassnet figure shares: a Figure Jupyter shows by itself, axes of the user's or
our own, sizes from rcParams, saving by extension, and fonts for Korean (or any CJK) labels.

Figures are made without :mod:`matplotlib.pyplot` (nothing accumulates in a loop, no display is
needed). In a Jupyter kernel a figure made in a cell is shown as a PNG when the cell ends, as
pyplot's inline figures are, whether it was assigned to a name or not (once: a figure that is
the cell's value is shown by Jupyter itself through ``_repr_png_``).

Example
-------
>>> fig, axes = new_axes(None, 2, (1.0, 0.5))
>>> len(axes), type(fig).__name__, fig._repr_png_()[:4] == b"\\x89PNG"
(2, 'GlassFigure', True)
"""

from __future__ import annotations

import io
import math
import os
import sys
import warnings
import weakref

from .._files import file_path, os_error
from ..errors import ConfigError, FileFormatError

__all__ = ["check_font", "cjk_fonts", "file_path", "finish", "new_axes", "size", "styled"]

_FIGURE_CLASS = None
_PENDING: list = []
_HOOKED: set = set()


def _matplotlib():
    try:
        import matplotlib
        import matplotlib.figure
    except ImportError:
        raise ImportError("glassnet.plot needs matplotlib: pip install 'glassnet[plot]' "
                          "(or pip install matplotlib)") from None
    return matplotlib


def figure_class():
    """:class:`GlassFigure`, a matplotlib Figure with ``_repr_png_`` (made on first use)."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        Figure = _matplotlib().figure.Figure

        class GlassFigure(Figure):
            """A matplotlib Figure that Jupyter shows as a PNG, with no %matplotlib magic."""

            glassnet_shown = False

            def _repr_png_(self) -> bytes:
                self.glassnet_shown = True
                buffer = io.BytesIO()
                self.savefig(buffer, format="png")
                return buffer.getvalue()

        _FIGURE_CLASS = GlassFigure
    return _FIGURE_CLASS


def _kernel_shell():
    """The IPython shell of a Jupyter kernel, or None (scripts, the terminal)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def _show_pending(result=None) -> None:
    from IPython.display import display

    pending = list(_PENDING)
    _PENDING.clear()
    value = getattr(result, "result", None)
    for ref in pending:
        fig = ref()
        if fig is not None and fig is not value and not fig.glassnet_shown:
            display(fig)


def _track(fig) -> None:
    shell = _kernel_shell()
    if shell is None:
        return
    if id(shell) not in _HOOKED:
        shell.events.register("post_run_cell", _show_pending)
        _HOOKED.add(id(shell))
    _PENDING.append(weakref.ref(fig))


def size(width: float, height: float) -> tuple[float, float]:
    """A figure size as fractions of ``rcParams['figure.figsize']`` (style sheets apply)."""
    w, h = _matplotlib().rcParams["figure.figsize"]
    return (w * width, h * height)


def new_axes(ax, count: int, fraction, figsize=None, columns: int | None = None, track=True,
             where: str = "plot"):
    """(figure, list of ``count`` axes): the user's ``ax`` (one Axes, or a list of them), or a
    new :class:`GlassFigure` whose size is ``figsize`` or ``fraction`` of rcParams' per panel."""
    if ax is not None:
        if hasattr(ax, "ravel"):
            axes = list(ax.ravel())
        else:
            axes = list(ax) if isinstance(ax, (list, tuple)) else [ax]
        if len(axes) != count or not all(hasattr(a, "plot") for a in axes):
            raise ConfigError(f"{where}: ax= needs {count} matplotlib Axes "
                              f"({'one' if count == 1 else 'a list of them'}), got {ax!r}")
        return axes[0].figure, axes
    columns = min(count, columns or count)
    rows = math.ceil(count / columns)
    if figsize is None:
        figsize = size(fraction[0] * columns, fraction[1] * rows)
    elif not (isinstance(figsize, (tuple, list)) and len(figsize) == 2 and
              all(isinstance(v, (int, float)) and v > 0 for v in figsize)):
        raise ConfigError(f"{where}: figsize must be (width, height) in inches, got {figsize!r}")
    fig = figure_class()(figsize=tuple(figsize), layout="constrained")
    grid = fig.subplots(rows, columns, squeeze=False).ravel()
    for extra in grid[count:]:
        extra.remove()
    if track:
        _track(fig)
    return fig, list(grid[:count])


def finish(fig, path=None, dpi=None, title=None, font=None, where: str = "plot"):
    """Title, font, then save to ``path`` (format by its extension, ``dpi`` for bitmaps)."""
    if title is not None:
        fig.suptitle(str(title))
    if font is not None:
        styled(fig, font)
    else:
        _warn_missing_glyphs(fig)
    if path is not None:
        target = file_path(path, "plot")
        if not target.parent.is_dir():
            raise FileFormatError(f"cannot save the figure to {target}: the folder "
                                  f"{target.parent} does not exist; create it first")
        kinds = fig.canvas.get_supported_filetypes()
        kind = target.suffix.lstrip(".").lower()
        if kind not in kinds:
            raise FileFormatError(f"cannot save the figure to {target}: {where} saves by the "
                                  f"file's extension, one of {', '.join(sorted(kinds))}")
        try:
            fig.savefig(os.fspath(target), **({} if dpi is None else {"dpi": dpi}))
        except OSError as exc:
            raise os_error(exc, target, "cannot save the figure to") from None
    return fig


# -- fonts --------------------------------------------------------------------------------
_CJK_NAMES = ("nanum", "cjk", "gothic", "malgun", "gulim", "batang", "dotum", "myungjo",
              "hei", "ming", "han", "ipa", "takao", "unifont")


def cjk_fonts() -> list[str]:
    """Installed font families whose names say they carry CJK glyphs."""
    fonts = _matplotlib().font_manager.fontManager.ttflist
    return sorted({f.name for f in fonts if any(k in f.name.lower() for k in _CJK_NAMES)})


def _find(manager, font: str) -> str:
    """The file of ``font``; a font installed after matplotlib cached its list is added."""
    try:
        return manager.findfont(manager.FontProperties(family=font), fallback_to_default=False)
    except ValueError:
        key = font.lower().replace(" ", "")
        for path in manager.findSystemFonts():
            if key in os.path.basename(path).lower().replace(" ", ""):
                manager.fontManager.addfont(path)
        return manager.findfont(manager.FontProperties(family=font), fallback_to_default=False)


def check_font(font: str) -> str:
    """``font`` if matplotlib finds it installed; else a ConfigError naming what to install."""
    manager = _matplotlib().font_manager
    if not isinstance(font, str) or not font:
        raise ConfigError(f"font must be a font family name such as 'NanumGothic', got {font!r}")
    try:
        _find(manager, font)
    except ValueError:
        found = cjk_fonts()
        raise ConfigError(
            f"font {font!r} is not installed; "
            + (f"installed CJK fonts: {', '.join(found)}. " if found else "no CJK font is "
               "installed. ")
            + "For Korean install NanumGothic (Debian/Ubuntu: apt-get install fonts-nanum) "
              "and pass font='NanumGothic'"
        ) from None
    return font


def _texts(fig) -> list:
    from matplotlib.text import Text

    texts = list(fig.findobj(Text))
    for ax in fig.axes:
        texts += [*ax.get_xticklabels(), *ax.get_yticklabels()]
    return texts


def styled(fig, font: str):
    """Every text of ``fig`` in ``font`` (checked to be installed)."""
    check_font(font)
    for text in _texts(fig):
        text.set_fontfamily(font)
    for ax in fig.axes:
        ax.tick_params(labelfontfamily=font)
    return fig


def _warn_missing_glyphs(fig) -> None:
    """Warn, naming the font and the fix, when labels hold CJK characters the font lacks."""
    wide = {t.get_text() for t in _texts(fig) if any(ord(c) > 0x2E7F for c in t.get_text())}
    if not wide:
        return
    manager = _matplotlib().font_manager
    from matplotlib.ft2font import FT2Font

    sample = next(t for t in _texts(fig) if t.get_text() in wide)
    path = manager.findfont(sample.get_fontproperties())
    charmap = FT2Font(path).get_charmap()
    missing = sorted({c for text in wide for c in text if ord(c) > 0x2E7F and ord(c) not in
                      charmap})
    if missing:
        found = cjk_fonts()
        advice = (f"pass font={found[0]!r}" if found else "install a Korean font (Debian/Ubuntu: "
                  "apt-get install fonts-nanum) and pass font='NanumGothic'")
        warnings.warn(f"glassnet.plot: the labels hold characters ({''.join(missing[:8])}) that "
                      f"font {FT2Font(path).family_name!r} cannot draw (they would show as "
                      f"boxes); {advice}", UserWarning, stacklevel=3)
