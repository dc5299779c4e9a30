"""Shared fixtures: a fixed global seed for every test, and small data sets."""

import numpy as np
import pytest

import glassnet


@pytest.fixture(autouse=True)
def _fixed_seed():
    glassnet.utils.set_random_seed(1234)
    glassnet.kernels.set_kernels("numpy")
    yield


@pytest.fixture
def xor_data():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y
