"""Shared fixtures: a fixed global seed for every test, Keras on torch, small data sets."""

import os

import numpy as np
import pytest

import glassnet


@pytest.fixture(autouse=True)
def _fixed_seed():
    glassnet.utils.set_random_seed(1234)
    glassnet.kernels.set_kernels(os.environ.get("GLASSNET_KERNELS") or "numpy")  # numba: a CI run
    glassnet.kernels.set_num_threads(glassnet.kernels._default_threads())  # a test may change it
    yield


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on torch, the oracle of the Keras comparison tests, or a skip."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":
        pytest.skip(f"keras runs on {module.backend.backend()}; these tests use torch")
    return module


@pytest.fixture
def xor_data():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y
