"""Shared fixtures: a fixed global seed for every test, and small data sets."""

import os

import numpy as np
import pytest

import glassnet


@pytest.fixture(autouse=True)
def _fixed_seed():
    glassnet.utils.set_random_seed(1234)
    glassnet.kernels.set_kernels(os.environ.get("GLASSNET_KERNELS") or "numpy")  # numba: a CI run
    yield


@pytest.fixture
def xor_data():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y
