"""Every Example in a docstring runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import glassnet

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(glassnet.__path__, "glassnet.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", ["glassnet", *MODULES])
def test_examples_in_docstrings(name):
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional extra that is not installed
        pytest.skip(f"{name}: {exc}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
