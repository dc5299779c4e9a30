"""Arrays whose data starts on a 64-byte cache line.

The second core (:mod:`glassnet._team`) splits the flat weights, gradients and optimizer state
between threads in ranges of whole multiples of 64 numbers; when a buffer starts mid-line, each
range boundary shares a cache line between the two cores, which then pass it back and forth on
each write (false sharing). NumPy aligns its allocations to 16 bytes only.

Example
-------
>>> import numpy as np
>>> a = aligned_zeros(1000, np.float32)
>>> a.ctypes.data % LINE, a.shape, float(a.sum())
(0, (1000,), 0.0)
"""

from __future__ import annotations

import numpy as np

LINE = 64  # bytes


def _aligned(allocate, size: int, dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    raw = allocate(size * dtype.itemsize + LINE, np.uint8)
    skip = -raw.ctypes.data % LINE
    return raw[skip:skip + size * dtype.itemsize].view(dtype)


def aligned_empty(size: int, dtype) -> np.ndarray:
    """np.empty(size, dtype), its data starting on a cache line."""
    return _aligned(np.empty, size, dtype)


def aligned_zeros(size: int, dtype) -> np.ndarray:
    """np.zeros(size, dtype), its data starting on a cache line."""
    return _aligned(np.zeros, size, dtype)
