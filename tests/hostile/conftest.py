"""The hostile-input suite: generated calls whose every outcome must be a result or a glassnet
error with a message; refused calls must leave models and files as they were.

``GLASSNET_HOSTILE=N`` multiplies the number of generated examples (default 1: about twenty
seconds; the bigger run of docs/reliability.md used 20). The counts of calls, results and
refusals are printed at the end of the run.
"""

import collections
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from glassnet.errors import GlassnetError

SCALE = max(1, int(os.environ.get("GLASSNET_HOSTILE", "1")))
COUNTS: collections.Counter = collections.Counter()
REFUSED = object()


def examples(n: int):
    """Hypothesis settings for ``n`` examples (times GLASSNET_HOSTILE), no deadline."""
    return settings(max_examples=n * SCALE, deadline=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def attempt(name: str, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``: its result, or REFUSED for a glassnet error with a message.
    Any other exception propagates and fails the test with the generated example."""
    COUNTS["calls"] += 1
    try:
        value = fn(*args, **kwargs)
    except GlassnetError as exc:
        assert " ".join(str(exc).split()), f"{name}: {type(exc).__name__} without a message"
        COUNTS["refused"] += 1
        COUNTS[f"refused {name}"] += 1
        return REFUSED
    COUNTS["results"] += 1
    COUNTS[f"result {name}"] += 1
    return value


def snapshot(model) -> tuple:
    """Everything a refused call must leave alone: weights, optimizer state and counters."""
    weights = tuple(w.tobytes() for w in model.get_weights()) if model.built else None
    optimizer = model.optimizer
    state = None
    if optimizer is not None:
        state = (optimizer.iterations, optimizer.learning_rate,
                 tuple((k, np.asarray(v).tobytes()) for k, v in sorted(optimizer.state.items())))
    return (weights, state, id(optimizer), id(model.loss), tuple(map(id, model.layers)),
            model.input_shape, model.output_shape, tuple(model.metrics_names))


def pytest_terminal_summary(terminalreporter):
    if not COUNTS["calls"]:
        return
    terminalreporter.write_sep("-", "hostile-input suite")
    terminalreporter.write_line(f"{COUNTS['calls']} generated calls: {COUNTS['results']} "
                                f"results, {COUNTS['refused']} glassnet errors, 0 others")
    for key in sorted(k for k in COUNTS if k.startswith(("result ", "refused "))):
        terminalreporter.write_line(f"  {key}: {COUNTS[key]}")


@pytest.fixture(autouse=True)
def _no_user_warnings():
    """Keras-style UserWarnings (an unknown mode, a stopped fit) are results; RuntimeWarnings
    stay errors (pyproject): a numeric warning means bad values went unchecked."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", RuntimeWarning)
        yield
