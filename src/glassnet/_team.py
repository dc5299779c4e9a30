"""The second core: worker threads that take chunks of a training step's big kernels.

A training step at batch 32 is too short for a thread pool that sleeps between jobs (waking a
thread costs 10-80 us against a ~400 us step) or for spinning threads that wait on each other
(OpenBLAS's and OpenMP's, 10-200x slower as soon as another process wants a core: see
benchmarks/RESULTS.md). Here the thread that trains (the lead) publishes each big product and
each Adam update as a job of chunks in shared memory (:mod:`glassnet._simd`'s team loop) and
claims chunks itself; a worker spins on that memory while a step is running, claims chunks too,
and goes to sleep after a few milliseconds with nothing to do. The lead never waits for a worker
to start: if the worker is asleep or descheduled, the lead runs the whole job (only a chunk a
worker has already claimed is waited for). Each number is computed by the same instructions in
the same order whichever thread runs it, so results are bitwise those of one thread.

Only :mod:`glassnet._numba_kernels` uses this module, inside :func:`Team.lease` (``fit`` leases
the team while BLAS runs on one thread; see :mod:`glassnet._blas`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading

import numpy as np

from . import _simd

# cycles a worker spins with nothing to do before it sleeps (about 1-3 ms at 2-5 GHz): longer
# than the Python between two jobs of a step, short enough to give the core back between fits
PATIENCE_CYCLES = 5_000_000
# chunks per thread of a job: more balance the zero-skipping products' uneven rows better
CHUNKS_PER_THREAD = 8
_LANES = _simd.LANES[_simd.types.float32]


class Team:
    """``threads - 1`` worker threads and the control memory they share with the lead.

    Example
    -------
    >>> import numpy as np
    >>> team = Team(2)
    >>> x, w = np.ones((32, 64), np.float32), np.ones((64, 128), np.float32)
    >>> with team.lease() as lead:
    ...     out = lead.matmul(x, w, np.empty((32, 128), np.float32))
    >>> float(out[0, 0]), team.close()
    (64.0, None)
    """

    def __init__(self, threads: int):
        self.threads = threads
        self.control = np.zeros(_simd.CONTROL_SLOTS, np.int64)
        self.scalars = np.zeros(_simd.PARTIALS + threads * CHUNKS_PER_THREAD, np.float64)
        self.control[_simd.PARKED] = threads - 1
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._serve, name=f"glassnet-team-{i}",
                                          daemon=True) for i in range(threads - 1)]
        for worker in self._workers:
            worker.start()

    def _serve(self):
        control, scalars = self.control, self.scalars
        while True:
            self._wake.wait()
            self._wake.clear()
            if control[_simd.STOP]:
                return
            _simd.team_serve(control, scalars, PATIENCE_CYCLES)

    @contextlib.contextmanager
    def lease(self):
        """The team for this thread's jobs, or None while another thread holds it."""
        if not self._lock.acquire(blocking=False):
            yield None
            return
        try:
            yield self
        finally:
            self._lock.release()

    def _rouse(self):
        if self.control[_simd.PARKED] > 0:
            self._wake.set()

    def _step(self, size: int, multiple: int) -> int:
        chunks = self.threads * CHUNKS_PER_THREAD
        step = -(-size // chunks)
        return max(multiple, -(-step // multiple) * multiple)

    def matmul(self, a, b, out, steps=_simd.NO_STEPS, counts=_simd.NO_COUNTS):
        """out = a @ b, float32; ``a`` C- or F-contiguous (``x.T``), ``b`` and ``out``
        C-contiguous, shapes checked by the caller; over ``steps`` and ``counts`` of
        :func:`glassnet._simd.nonzero_steps` if given (``a`` C-contiguous, fewer rows than
        inner steps)."""
        self._rouse()
        if a.shape[0] < a.shape[1]:  # the kernel walks columns outermost: split them
            step = self._step(out.shape[1], _LANES)
        else:
            step = self._step(len(out), 4)
        _simd.team_matmul(self.control, self.scalars, a, b, out, step, steps, counts)
        return out

    def adam(self, p, g, m, v, lr_t, c1, c2, eps, decay):
        """:func:`glassnet._simd.adam` on float32 contiguous arrays, the factors as float32."""
        self._rouse()
        self.scalars[:5] = lr_t, c1, c2, eps, decay
        _simd.team_adam(self.control, self.scalars, p, g, m, v, self._step(p.size, 64))

    def sum_squares(self, x) -> float:
        """sum(x ** 2) of a float32 contiguous vector, in any order (a finiteness test)."""
        self._rouse()
        return float(_simd.team_sum_squares(self.control, self.scalars, x,
                                            self._step(x.size, 64)))

    @property
    def shared(self) -> int:
        """Chunks the workers have run so far (the lead ran the others)."""
        return int(self.control[_simd.SHARED])

    def close(self):
        """Stop the workers (they finish what they run) and wait for them."""
        self.control[_simd.STOP] = 1
        self._wake.set()
        for worker in self._workers:
            worker.join()


_teams: dict[int, Team] = {}


def team(threads: int) -> Team | None:
    """The process's team of ``threads`` threads (made on first use), None for one thread."""
    if threads < 2:
        return None
    found = _teams.get(threads)
    if found is None:
        found = _teams[threads] = Team(threads)
    return found


def _forget_teams():  # a forked child has the memory but not the threads
    _teams.clear()


@atexit.register
def _close_teams():
    for found in _teams.values():
        found.close()
    _teams.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_teams)
