"""Finite-difference gradient checks: the analytic backward pass, verified number by number.

For every parameter p, the numeric derivative is the fourth-order central difference

    dL/dp ~ (-L(p + 2h) + 8 L(p + h) - 8 L(p - h) + L(p - 2h)) / (12 h)

computed on a float64 copy of the model, and compared with what backpropagation wrote into the
gradient buffer. The relative error of one entry is ``|a - n| / max(|a|, |n|, floor)``: relative
for ordinary gradients, and an absolute check (``tolerance * floor``) for ones near zero.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> glassnet.utils.set_random_seed(0)
>>> model = glassnet.Sequential([Dense(3, activation="tanh", input_shape=(2,), name="hidden"),
...                              Dense(2, activation="softmax", name="out")])
>>> model.compile("sgd", "categorical_crossentropy")
>>> x = np.random.default_rng(0).normal(size=(5, 2)); y = np.eye(2)[[0, 1, 1, 0, 1]]
>>> worst = glassnet.gradcheck(model, x, y)
>>> sorted(worst), all(err < 1e-6 for err in worst.values())
(['hidden', 'out'], True)
"""

from __future__ import annotations

import numpy as np

from ._checks import positive_number
from .errors import GradientCheckError
from .layers import Dropout
from .models import Model, Sequential
from .models import training as _training
from .models.data import prepare
from .utils import global_generator

__all__ = ["gradcheck"]


def _float64_copy(model):
    """The same graph in float64 with the same weights and the same compiled losses, built
    without drawing from the global random stream (its weights are overwritten at once): the
    next model a user builds is the same with or without a check."""
    config = dict(model.get_config(), dtype="float64")
    rng = global_generator()
    drawn = rng.bit_generator.state
    try:
        clone = type(model).from_config(config) if isinstance(model, Sequential) else \
            Model.from_config(config)
    finally:
        rng.bit_generator.state = drawn
    for source, target in zip(model._weighted_layers(), clone._weighted_layers(), strict=True):
        target.trainable = source.trainable
    clone.set_weights(model.get_weights())
    clone.compile(model.optimizer or "sgd", model._loss_specs,
                  loss_weights=model._loss_weight_specs)
    return clone


def gradcheck(model, x, y, sample_weight=None, tolerance: float = 1e-6, step: float = 1e-4,
              floor: float = 1e-5, raise_on_failure: bool = True) -> dict[str, float]:
    """Compare analytic gradients with finite differences for every parameter.

    Parameters
    ----------
    model : a compiled glassnet model (it is not changed; the check runs on a float64 copy)
    x, y : a small batch
    sample_weight : optional per-sample weights
    tolerance : the largest relative error accepted
    step : the finite-difference step h
    floor : gradients smaller than this are compared absolutely (see the module docstring)
    raise_on_failure : raise :class:`~glassnet.errors.GradientCheckError` past ``tolerance``

    Returns
    -------
    dict
        The worst relative error of each layer that has parameters, by layer name.
    """
    model._require_compiled("gradcheck")
    for name, value in (("tolerance", tolerance), ("step", step), ("floor", floor)):
        positive_number(value, f"gradcheck: {name}")
    prepare(model, x, y, sample_weight)  # errors name the user's model
    clone = _float64_copy(model)
    batch = prepare(clone, x, y, sample_weight)
    xs, ys, w = batch.xs, batch.ys, batch.w

    def forward():
        for layer in clone._leaf_layers():  # the same dropout mask on every evaluation
            if isinstance(layer, Dropout):
                layer.rng = np.random.default_rng(0)
        return _training.outputs(clone, xs, True)

    def loss_at() -> float:  # the loss fit reports: regularizers' penalties included
        heads = zip(clone._heads, _training.head_losses(clone, ys, forward(), w), strict=True)
        return sum(h.weight * v for h, v in heads if h is not None) + \
            _training.regularization_loss(clone)

    with np.errstate(over="ignore", invalid="ignore"):  # a non-finite gradient is reported
        _, _, grads = _training.heads_value_and_grad(clone, ys, forward(), w,
                                                     _training.grad_buffers(clone, len(xs[0])))
        _training.backprop(clone, grads)
        _training.add_penalties(clone, 0.0)  # the weight penalties' gradients
    analytic = clone.grads.copy()
    numeric = np.empty_like(analytic)
    params = clone.params
    with np.errstate(over="ignore", invalid="ignore"):  # a non-finite difference is reported
        for i in range(params.size):
            original = params[i]
            values = []
            for offset in (2 * step, step, -step, -2 * step):
                params[i] = original + offset
                values.append(loss_at())
            params[i] = original
            numeric[i] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * step)
    return _compare(clone, analytic, numeric, tolerance, floor, raise_on_failure)


def _compare(clone, analytic, numeric, tolerance, floor, raise_on_failure):
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic),
                                                                    np.abs(numeric)), floor)
    # a NaN or inf on either side is a check that could not tell: the worst error, not 0 or NaN
    errors[~(np.isfinite(analytic) & np.isfinite(numeric))] = np.inf
    worst, offset = {}, 0
    for layer in clone._weighted_layers():
        if not layer.trainable:
            continue
        for pname, shape, _ in layer.param_specs():
            size = int(np.prod(shape))
            part = errors[offset:offset + size]
            worst[layer.name] = max(worst.get(layer.name, 0.0), float(part.max()))
            bad = int(np.argmax(part))
            if raise_on_failure and part[bad] > tolerance:
                index = [int(i) for i in np.unravel_index(bad, shape)]
                raise GradientCheckError(
                    f"layer {layer.name!r} {pname}{index}: analytic gradient "
                    f"{analytic[offset + bad]:.10g} vs numeric {numeric[offset + bad]:.10g} "
                    f"(relative error {part[bad]:.3g} > tolerance {tolerance:g})"
                    + ("; a NaN or inf: the check cannot tell, try a smaller step or a "
                       "smaller batch of inputs" if np.isinf(part[bad]) else "")
                )
            offset += size
    return worst
