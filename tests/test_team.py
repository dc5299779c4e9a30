"""The second core (glassnet._team): worker threads that claim chunks of a step's big products
and Adam updates. What it must never change is a result: every number is bitwise what one
thread computes, whoever ran its chunk, and a worker that is asleep or busy never stops a job."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

pytest.importorskip("numba")

from glassnet import _numba_kernels, _simd, _team, kernels
from glassnet.errors import ConfigError

F32 = np.float32


@pytest.fixture
def numba_kernels():
    kernels.set_kernels("numba")
    yield
    kernels.set_kernels("numpy")


@pytest.fixture
def team():
    made = _team.Team(2)
    yield made
    made.close()


def _operands(rng, rows, inner, cols, transposed):
    a = rng.normal(size=(inner, rows) if transposed else (rows, inner)).astype(F32)
    a[a < 0.7] = 0  # mostly zeros, as MNIST's pixels: the skipping kernel's uneven chunks
    a = a.T if transposed else a
    return a, rng.normal(size=(inner, cols)).astype(F32)


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("shape", [(32, 784, 512), (37, 300, 129), (784, 32, 256), (8, 5, 64)])
def test_a_shared_product_gives_the_bits_of_one_thread(team, shape, transposed):
    rows, inner, cols = shape
    a, b = _operands(np.random.default_rng(1), rows, inner, cols, transposed)
    alone = _simd.matmul(a, b, np.empty((rows, cols), F32), 0, rows, 0, cols)
    deadline = time.monotonic() + 60  # a new worker first loads its compiled loop
    with team.lease() as lead:
        for _ in range(50):  # many jobs in a row, with the worker awake (or the lead alone)
            shared = lead.matmul(a, b, np.full((rows, cols), np.nan, F32))
            assert shared.tobytes() == alone.tobytes()
        while team.shared == 0:  # until the worker took part
            assert time.monotonic() < deadline, "the worker never took a chunk"
            shared = lead.matmul(a, b, np.full((rows, cols), np.nan, F32))
            assert shared.tobytes() == alone.tobytes()


@pytest.mark.parametrize("decay", [0.0, 1e-4])
def test_a_shared_adam_step_gives_the_bits_of_one_thread_subnormals_flushed_alike(team, decay):
    rng = np.random.default_rng(2)
    size = 100_003
    p, g = rng.normal(size=size).astype(F32), rng.normal(size=size).astype(F32)
    g[::7] = 1e-39  # subnormal: the lead's flush-to-zero mode must reach the worker too
    state = [np.zeros(size, F32), np.zeros(size, F32)]
    alone_p, alone_m, alone_v = p.copy(), *(s.copy() for s in state)
    shared_p, shared_m, shared_v = p.copy(), *(s.copy() for s in state)
    factors = (F32(1e-3), F32(0.1), F32(0.001), F32(1e-7), F32(decay))
    previous = _simd.flush_subnormals()
    try:
        with team.lease() as lead:
            for _ in range(20):
                _simd.adam(alone_p, g, alone_m, alone_v, *factors, 0, size)
                lead.adam(shared_p, g, shared_m, shared_v, *factors)
    finally:
        _simd.restore_fp_control(previous)
    for alone, shared in [(alone_p, shared_p), (alone_m, shared_m), (alone_v, shared_v)]:
        assert alone.tobytes() == shared.tobytes()


def test_a_shared_sum_of_squares_finds_what_is_not_finite(team):
    rng = np.random.default_rng(7)
    x = rng.normal(size=407_050).astype(F32)
    with team.lease() as lead:
        assert lead.sum_squares(x) == pytest.approx(float(np.dot(x, x)), rel=1e-5)
        for bad in (np.inf, -np.inf, np.nan, 3e19):  # 3e19 squared overflows float32
            y = x.copy()
            y[123_457] = bad
            assert not np.isfinite(lead.sum_squares(y))


@pytest.mark.parametrize("shape", [(32, 784, 512), (37, 300, 129)])
def test_a_shared_product_over_listed_steps_gives_the_bits_of_one_thread(team, shape):
    rows, inner, cols = shape
    a, b = _operands(np.random.default_rng(12), rows, inner, cols, False)
    blocks = (rows + 3) // 4
    steps, counts = np.empty((blocks, inner), np.int32), np.empty(blocks, np.int64)
    _simd.nonzero_steps(a, steps, counts)
    alone = _simd.matmul_skipping_zeros(a, b, np.empty((rows, cols), F32), 0, rows, 0, cols)
    with team.lease() as lead:
        before = team.shared
        for _ in range(50):
            shared = lead.matmul(a, b, np.full((rows, cols), np.nan, F32), steps, counts)
            assert shared.tobytes() == alone.tobytes()
            if team.shared > before:
                break
    assert team.shared > before  # the worker took part


@pytest.mark.skipif(not _simd.AVX512, reason="without AVX-512 products go to NumPy")
def test_an_input_gradient_delta_times_w_transposed_is_shared_through_transposes(team):
    """delta @ W.T (W.T F-contiguous) goes to the kernel as (W @ delta.T).T: the same bits on
    one thread and on the team, the numbers NumPy's to float32 rounding."""
    rng = np.random.default_rng(11)
    delta, w = rng.normal(size=(40, 300)).astype(F32), rng.normal(size=(500, 300)).astype(F32)
    alone = _numba_kernels.matmul(delta, w.T, np.empty((40, 500), F32))
    with team.lease() as lead:
        _numba_kernels._lead.team = lead
        try:
            shared = _numba_kernels.matmul(delta, w.T, np.empty((40, 500), F32))
        finally:
            _numba_kernels._lead.team = None
    by_hand = _simd.matmul(w, np.ascontiguousarray(delta.T), np.empty((500, 40), F32), 0, 500,
                           0, 40).T
    assert alone.tobytes() == shared.tobytes() == np.ascontiguousarray(by_hand).tobytes()
    np.testing.assert_allclose(alone, delta @ w.T, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(16, 16), (37, 130), (130, 37), (1, 5), (64, 1024)])
def test_the_tiled_transpose_is_exact(shape):
    a = np.random.default_rng(2).normal(size=shape).astype(F32)
    out = np.empty(shape[::-1], F32)
    _simd.transpose(a, out)
    assert out.tobytes() == np.ascontiguousarray(a.T).tobytes()


def _published_sum_of_squares(x, chunks):
    """The control memory of a sum-of-squares job over ``x`` in ``chunks`` chunks, published
    as _simd._lead publishes it (without running it)."""
    control = np.zeros(_simd.CONTROL_SLOTS, np.int64)
    scalars = np.zeros(_simd.PARTIALS + chunks, np.float64)
    control[_simd.OP], control[_simd.ROWS] = _simd.SUM_SQUARES, x.size
    control[_simd.STEP], control[_simd.P] = -(-x.size // chunks), x.ctypes.data
    control[_simd.FP_CONTROL] = _simd.flush_subnormals()  # this thread's mode, as the lead's
    _simd.restore_fp_control(control[_simd.FP_CONTROL])
    control[_simd.CLAIM] = 5 << 40 | chunks << 20
    return control, scalars


@pytest.mark.parametrize("from_back", [False, True])
def test_the_lead_claims_from_the_front_and_a_worker_from_the_back(from_back):
    """So that a weight gradient split by rows and Adam over the same buffer give each core the
    same rows: the first to the lead, the last to the worker."""
    x = np.arange(1, 641, dtype=F32)
    control, scalars = _published_sum_of_squares(x, 8)
    word = control[_simd.CLAIM]
    ran = _simd._claim_and_run(control, scalars, from_back)
    lo, hi = control[_simd.CLAIM] & _simd._FIELD, control[_simd.CLAIM] >> 20 & _simd._FIELD
    assert ran == control[_simd.DONE] == 8 and control[_simd.CLAIM] >> 40 == word >> 40
    assert (lo, hi) == ((0, 0) if from_back else (8, 8))  # only one end ever moved
    partials = [float(np.sum(x[i * 80:(i + 1) * 80] ** 2)) for i in range(8)]
    assert scalars[_simd.PARTIALS:].tolist() == pytest.approx(partials, rel=1e-6)


def test_a_job_finishes_without_the_worker(team):
    """The lead claims whatever no worker has claimed: with the worker stopped, every job still
    completes (on the lead alone) and gives the same numbers."""
    team.close()  # the worker has exited; the lead is all that is left
    a, b = _operands(np.random.default_rng(3), 64, 200, 128, False)
    shared_before = team.shared
    with team.lease() as lead:
        out = lead.matmul(a, b, np.empty((64, 128), F32))
    assert out.tobytes() == _simd.matmul(a, b, np.empty((64, 128), F32), 0, 64, 0, 128).tobytes()
    assert team.shared == shared_before


def test_an_idle_worker_sleeps_and_the_next_job_wakes_it(team, monkeypatch):
    monkeypatch.setattr(_team, "PATIENCE_CYCLES", 1000)  # for the next time it serves
    a, b = _operands(np.random.default_rng(4), 256, 300, 256, False)
    with team.lease() as lead:
        lead.matmul(a, b, np.empty((256, 256), F32))
        deadline = time.monotonic() + 30
        while team.control[_simd.PARKED] != 1:  # the default patience: a few milliseconds
            assert time.monotonic() < deadline, "the worker never went to sleep"
            time.sleep(0.01)
        before = team.shared
        while team.shared == before:  # each job rouses it; it takes part again
            assert time.monotonic() < deadline, "the worker never woke"
            lead.matmul(a, b, np.empty((256, 256), F32))


def test_one_thread_leads_at_a_time(team):
    """While one thread leads the team, another gets None (and trains alone)."""
    got = []
    with team.lease() as lead:
        worker = threading.Thread(target=lambda: got.append(team.lease().__enter__()))
        worker.start()
        worker.join()
        assert lead is team
    assert got == [None]


def _fit_weights(threads, optimizer):
    import glassnet
    from glassnet.layers import Dense

    kernels.set_num_threads(threads)
    rng = np.random.default_rng(5)
    x = (rng.random((1200, 784)) * (rng.random((1200, 784)) < 0.25)).astype(F32)
    y = np.eye(10, dtype=F32)[rng.integers(0, 10, 1200)]
    glassnet.utils.set_random_seed(1)
    model = glassnet.Sequential([glassnet.Input((784,)), Dense(512, activation="relu"),
                                 Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, seed=3)
    return model.get_weights()


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd"])
def test_fit_on_two_threads_trains_the_bits_of_one(numba_kernels, optimizer):
    try:
        before = _team.team(2).shared
        calls = []
        through = _numba_kernels._through_transposes
        _numba_kernels._through_transposes = lambda *args: calls.append(1) or through(*args)
        try:
            two = _fit_weights(2, optimizer)  # the 64-unit layer's input gradient: transposed
        finally:
            _numba_kernels._through_transposes = through
        assert calls or not _simd.AVX512  # without AVX-512 every product goes to NumPy
        assert _team.team(2).shared > before  # the second thread did take chunks
        one = _fit_weights(1, optimizer)
    finally:
        kernels.set_num_threads(kernels._default_threads())
    for a, b in zip(one, two, strict=True):
        assert a.tobytes() == b.tobytes()


def test_the_team_is_used_only_inside_parallel(numba_kernels):
    assert _numba_kernels._lead.team is None
    with _numba_kernels.parallel():
        assert _numba_kernels._lead.team is _team.team(kernels.get_num_threads())
        with _numba_kernels.parallel():  # nested: still this thread's
            assert _numba_kernels._lead.team is not None
    assert _numba_kernels._lead.team is None


def test_set_num_threads_checks_its_argument():
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(ConfigError, match="whole number >= 1"):
            kernels.set_num_threads(bad)


def test_a_bad_glassnet_num_threads_says_what_to_set(monkeypatch):
    for bad in ("two", "0", "-1", "1.5"):
        monkeypatch.setenv("GLASSNET_NUM_THREADS", bad)
        with pytest.raises(ConfigError, match=f"GLASSNET_NUM_THREADS='{bad}'"):
            kernels._default_threads()
    monkeypatch.setenv("GLASSNET_NUM_THREADS", "1")
    assert kernels._default_threads() == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_makes_its_own_team():
    """The child inherits the memory, not the threads: it must not wait for a worker that
    does not exist in it, and gets a fresh team."""
    code = (
        "import os, numpy as np\n"
        "from glassnet import _team, _simd\n"
        "first = _team.team(2)\n"
        "a = np.ones((64, 100), np.float32); b = np.ones((100, 128), np.float32)\n"
        "with first.lease() as lead: lead.matmul(a, b, np.empty((64, 128), np.float32))\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    second = _team.team(2)\n"
        "    with second.lease() as lead:\n"
        "        out = lead.matmul(a, b, np.empty((64, 128), np.float32))\n"
        "    os._exit(0 if second is not first and (out == 100).all() else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.stdout.strip() == "0", result.stderr


def test_weights_gradients_and_optimizer_state_start_on_a_cache_line():
    """The team's chunk boundaries fall on 64-float steps of the flat buffers; buffers that
    start on a cache line keep two cores from sharing a line at each boundary."""
    import glassnet
    from glassnet.layers import Dense

    model = glassnet.Sequential([Dense(50, activation="relu", input_shape=(30,)), Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 30), F32), np.ones((8, 3), F32), epochs=1, verbose=0)
    arrays = [model._train_params, model._train_grads, *model.optimizer.state.values()]
    assert len(arrays) == 4 and [a.ctypes.data % 64 for a in arrays] == [0, 0, 0, 0]
