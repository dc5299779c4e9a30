"""See inside any network: the chain rule for any weight, bias or neuron, with its numbers.

``explain(model, x, y, weight="dense_1/kernel[3, 7]")`` runs the model's own forward and
backward pass on the batch ``(x, y)`` and writes the chain for that one weight: the loss's
derivative (a fused softmax or sigmoid head derived down to ``p - y``), the path back through
every layer above it (each sum over the units a layer fans out to, the largest terms shown and
the rest summed), the activation's derivative, the input it multiplies, the mean over the
batch's samples and the step the model's own optimizer makes. ``bias`` entries and neurons
(``neuron="dense_1[7]"``, its delta) work the same way. Every number comes from the engine and
every sum is checked against it; the model is left as it was.

Without ``weight`` or ``neuron``, a small Dense network on one sample is shown whole: every
neuron, delta, partial derivative and update, named as seed 001 names them (i1, h1, o1, w1..).

Models the ``classic`` APIs build are explained through their ``model``; weights a model never
trains (``model.fixed_weights``, e.g. ``classic.NeuralNetwork``'s biases) get no update.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> glassnet.utils.set_random_seed(0)
>>> m = glassnet.Sequential([Dense(3, activation="relu", input_shape=(2,), name="ex_h"),
...                          Dense(2, activation="softmax", name="ex_o")], dtype="float64")
>>> m.compile(glassnet.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
>>> x, y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([0, 1])
>>> e = explain(m, x, y, weight="ex_h/kernel[1, 2]")
>>> m.fit(x, y, epochs=1, batch_size=2, verbose=0) and None
>>> bool(np.isclose(e.update.new, m.layers[0].kernel[1, 2], rtol=1e-12))
True
"""

from __future__ import annotations

import numpy as np

from .._checks import positive_int, positive_number
from ..errors import ConfigError

__all__ = ["Chain", "Delta", "ErrorTerm", "Explanation", "Factor", "Gradient", "Neuron",
           "Update", "explain"]

# The records live in submodules loaded on first use, so `import glassnet` stays fast.
_RECORDS = {"Chain": "_weight", **{name: "_result" for name in (
    "Delta", "ErrorTerm", "Explanation", "Factor", "Gradient", "Neuron", "Update")}}


def __getattr__(name: str):
    if name in _RECORDS:
        import importlib

        return getattr(importlib.import_module(f".{_RECORDS[name]}", __name__), name)
    raise AttributeError(f"module 'glassnet.explain' has no attribute {name!r}")


def _unwrap(model):
    """A glassnet model, or the ``model`` of a classic object (NeuralNetwork, ANN, ...)."""
    from ..models import Model

    if isinstance(model, Model):
        return model
    inner = getattr(model, "model", None)
    if isinstance(inner, Model):
        return inner
    if hasattr(model, "model"):
        raise ConfigError(f"explain: this {type(model).__name__} has no glassnet model yet; "
                          "compile or train it first")
    raise ConfigError(f"explain: needs a glassnet model (or a classic network), got "
                      f"{type(model).__name__}")


def explain(model, x, y, *, weight=None, neuron=None, sample: int = 0, top: int = 4,
            learning_rate: float | None = None):
    """Write the chain rule of one training step with its numbers.

    Parameters
    ----------
    model : glassnet.Model or a classic network
        A compiled model of any layers glassnet has (or a ``classic`` object).
    x, y : array_like
        A batch (or one sample) and its targets, as ``fit`` takes them.
    weight : str or tuple, optional
        ``"layer/kernel[i, j]"`` (input i to unit j), ``"layer/bias[j]"``, or the tuple
        ``("layer", "kernel", i, j)``.
    neuron : str or tuple, optional
        ``"layer[j]"`` or ``("layer", j)``: the unit's delta dE/dnet.
    sample : int
        Which sample's chain is written out (the batch mean uses them all).
    top : int
        How many terms of each sum are shown; the rest are summed.
    learning_rate : float, optional
        Replaces the optimizer's learning rate in the update shown.

    Returns
    -------
    Chain or Explanation
        A :class:`Chain` for ``weight`` / ``neuron``; without them, the whole-table
        :class:`Explanation` of a small Dense network (at most 64 weights, 16 units a layer)
        on one sample.
    """
    from ._pass import record
    from ._table import explain_table
    from ._weight import explain_one, parse_target

    model = _unwrap(model)
    model._require_compiled("explain")
    if learning_rate is not None:
        positive_number(learning_rate, "explain: learning_rate")
    fixed = frozenset(getattr(model, "fixed_weights", ()))
    if weight is None and neuron is None:
        return explain_table(model, x, y, learning_rate=learning_rate, fixed=fixed)
    top = positive_int(top, "explain: top")
    saved = model.grads.copy() if model.built else None
    try:
        p = record(model, x, y)
        target = parse_target(model, weight, neuron)
        if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or \
                not 0 <= sample < p.n:
            raise ConfigError(f"explain: sample must be an index from 0 to {p.n - 1}, got "
                              f"{sample!r}")
        return explain_one(p, target, sample=int(sample), top=top,
                           learning_rate=learning_rate, fixed=fixed)
    finally:
        if saved is not None:
            np.copyto(model.grads, saved)
        elif model.built:
            model.grads[...] = 0.0
