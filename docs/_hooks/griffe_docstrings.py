"""A griffe extension for glassnet's docstrings, used by mkdocstrings for the API pages.

- glassnet's docstrings title their doctests ``Example`` (numpydoc says ``Examples``): the
  section is read as examples, so its ``>>>`` lines render as code, not as Markdown text.
- Sphinx roles (``:func:`name```) become code spans (Markdown has no roles).
- ``MLPRegressor``'s docstring gets ``MLPClassifier``'s shared parameters at import time
  (``{parameters}``); read statically, the placeholder line is dropped (see MLPClassifier).
"""

from __future__ import annotations

import re

import griffe

_EXAMPLE = re.compile(r"(?m)^(\s*)Example\n(\s*)-------$")
_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj):`~?([^`]+)`")


class GlassnetDocstrings(griffe.Extension):
    """Rewrite the two spellings above before griffe parses each docstring."""

    def on_instance(self, *, obj, **kwargs) -> None:
        docstring = obj.docstring
        if docstring is None:
            return
        value = _EXAMPLE.sub(r"\1Examples\n\2--------", docstring.value)
        value = _ROLE.sub(r"`\1`", value)
        docstring.value = re.sub(r"(?m)^\s*\{parameters\}\n", "", value)
