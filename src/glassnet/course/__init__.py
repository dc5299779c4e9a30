"""The seeds' course: five notebooks in Korean and English, with exercises that check themselves.

- :func:`setup` picks the language (``'ko'`` or ``'en'``) and a Korean plot font; it returns
  :func:`t`, which picks a plot label's language.
- :func:`check` (``check("001.dE_dw5", value)``) says whether an exercise's answer is right and,
  when it is not, which part of the chain differs, from glassnet's own numbers.
- :func:`notebooks` lists the shipped notebooks; :func:`copy_to` copies them into a folder
  (the ``glassnet course`` command).

Example
-------
>>> from glassnet import course
>>> _ = course.setup("en")
>>> course.check("001.dE_dw5", 0.082167041)
001.dE_dw5: right ✓
>>> course.check("001.dE_dw5", -0.082167041).kind
'mistake:sign'
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from ..errors import ConfigError
from . import _build, _exercises, _exercises2
from ._check import Result, judge
from ._exercises2 import pad_folds, streetlights_model
from ._lang import setup, t
from ._run import epochs

__all__ = ["EXERCISES", "Result", "check", "copy_to", "epochs", "example_args", "figure",
           "notebooks", "pad_folds", "setup", "streetlights_model", "t"]

EXERCISES = {
    "000.forward": _exercises.mlp_forward,
    "001.out_o1": _exercises.worked_out_o1,
    "001.E_total": _exercises.worked_error,
    "001.dE_dw5": _exercises.worked_dE_dw5,
    "001.w5_new": _exercises.worked_w5_new,
    "001.dE_dw1": _exercises.worked_dE_dw1,
    "002.signals": _exercises.signals,
    "002.momentum": _exercises2.momentum,
    "002.softmax_grad": _exercises2.softmax_grad,
    "002.kfold": _exercises2.kfold,
    "003.weights_0_1": _exercises2.streetlight_step,
    "004.dw": _exercises2.perceptron_grad,
    "004.dz": _exercises2.softmax_ce,
}
_RAGGED = {"002.kfold"}  # answers given as lists of unequal lengths


@functools.cache
def spec(key: str):
    """What exercise ``key`` expects (computed once per process from glassnet)."""
    if key not in EXERCISES:
        raise ConfigError(f"check: unknown exercise {key!r}; the exercises are "
                          f"{', '.join(EXERCISES)}")
    return EXERCISES[key]()


def check(key: str, value, **parts) -> Result:
    """Check an exercise's answer; pass the steps of your chain as ``parts`` to locate a slip.

    Parameters
    ----------
    key : str
        The exercise, e.g. ``"001.dE_dw5"`` (see ``EXERCISES``).
    value : number or array
        Your answer (``...`` while not answered yet).
    **parts : number or array
        Optional intermediate values by name (e.g. ``out_h1=...``); the first one that differs
        from glassnet's is named in the message.

    Returns
    -------
    Result
        True when right; ``kind`` and ``message`` say what differs otherwise.
    """
    if not isinstance(key, str):
        raise ConfigError(f"check: key must be an exercise name such as '001.dE_dw5', got {key!r}")
    expected = spec(key)
    if key in _RAGGED and isinstance(value, (list, tuple)):
        value = pad_folds(value)
    return judge(key, expected, value, parts)


def notebooks(lang: str = "en", teacher: bool = False) -> list[Path]:
    """The shipped notebooks of one language (with solutions if ``teacher``), in order."""
    if lang not in _build.LANGUAGES:
        raise ConfigError(f"notebooks: lang must be 'en' or 'ko', got {lang!r}")
    return [_build.path_of(s.stem, lang, teacher) for s in _build.sources()]


def copy_to(folder, langs=("en", "ko"), teacher: bool = False, overwrite: bool = False):
    """Copy the notebooks into ``folder/<lang>/``; returns (copied, kept) lists of paths.

    Files already there are kept (a student's work is never overwritten) unless ``overwrite``.
    """
    copied, kept = [], []
    for lang in langs:
        target = Path(folder) / lang
        target.mkdir(parents=True, exist_ok=True)
        for source in notebooks(lang, teacher):
            dest = target / source.name
            if dest.exists() and not overwrite:
                kept.append(dest)
                continue
            shutil.copyfile(source, dest)
            copied.append(dest)
    return copied, kept


def figure(count: int = 1, columns: int | None = None):
    """(figure, list of axes) for a drawing of your own; the notebook shows it by itself.

    Example
    -------
    >>> fig, (ax,) = figure()
    >>> type(fig).__name__
    'GlassFigure'
    """
    from ..plot import _figure

    return _figure.new_axes(None, count, (1.0, 1.0), columns=columns, where="figure")


def example_args(doc: str, argv=None, quick: str = "a shortened run", figures: bool = False):
    """The command line of the ``examples/`` scripts: ``--quick`` (and ``--out DIR``).

    ``doc``'s first line is the description; ``quick`` says what ``--quick`` shortens.

    Example
    -------
    >>> example_args("Seed 003: streetlights.", ["--quick"]).quick
    True
    """
    import argparse

    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    if figures:
        parser.add_argument("--out", default=".", help="directory for the PNG figures")
    return parser.parse_args(argv)
