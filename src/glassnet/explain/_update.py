"""The update :func:`glassnet.explain.explain` shows: the model's own optimizer, written out.

Each optimizer's step is written as its chain of formulas with the numbers filled in, one
assignment per line, starting from the optimizer's current state (zero state when it has not
stepped yet). The same step is then run by the optimizer itself, on copies of the parameters,
the gradients and its state, and the written numbers must agree with it to float rounding.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> m = glassnet.Sequential([Dense(1, input_shape=(1,), name="up_lin")], dtype="float64")
>>> m.set_weights([np.array([[2.0]]), np.array([0.0])])
>>> m.compile(glassnet.optimizers.Adam(0.1), "mse")
>>> step = glassnet.explain(m, [1.0], [3.0])
>>> print(step.updates["w1"])  # doctest: +NORMALIZE_WHITESPACE
m_w1 = beta_1 * m_w1 + (1 - beta_1) * dE/dw1 = 0.9 * 0 + 0.1 * (-2) = -0.2
v_w1 = beta_2 * v_w1 + (1 - beta_2) * (dE/dw1)^2 = 0.999 * 0 + 0.001 * (-2)^2 = 0.004
w1 = w1 - lr_t * m_w1 / (sqrt(v_w1) + epsilon) = 2 - 0.031622777 * (-0.2) / (sqrt(0.004) + 1e-07)
    = 2.099999842
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

import numpy as np

from .. import optimizers
from ..errors import ConfigError, GradientCheckError
from ..models import penalties
from ._result import Update
from ._text import fmt_sig

__all__ = ["UpdateStep", "describe", "rtol_for", "update_step"]


@dataclass(frozen=True)
class UpdateStep:
    """The optimizer as it steps (``repr``), its step number t, lines shared by every
    parameter (Adam's lr_t) and each parameter's :class:`Update`."""

    optimizer: str
    step: int
    lines: tuple[str, ...]
    updates: dict[str, Update]


@dataclass(frozen=True)
class _Param:
    """One parameter before the step: its value, dE/dparameter and the optimizer's state there."""

    name: str
    old: float
    grad: float
    state: dict[str, float]


def rtol_for(dtype) -> float:
    """How closely explain's written numbers must match the engine's, in the model's dtype."""
    return 1e-9 if np.dtype(dtype) == np.float64 else 1e-4


def update_step(model, layers, gradients, learning_rate: float) -> UpdateStep:
    """Write the step ``model.optimizer`` would take with ``model.grads`` (this sample's), and
    check it against the optimizer's own step on copies; the model is not changed."""
    writer = _writer(model.optimizer)
    extras = penalties.settings(model)
    if extras:
        raise ConfigError(f"explain does not write the penalties and constraints of "
                          f"{', '.join(extras)}; explain a model without them")
    engine = copy.deepcopy(model.optimizer)
    engine._schedule = None  # a schedule's rate at this step, as a number
    engine.learning_rate = learning_rate
    params, grads = model.params.copy(), model.grads.copy()
    engine.build(params)  # a no-op when it has stepped on this model; else zero state, t = 0
    before = {name: state.copy() for name, state in engine.state.items()}
    t = engine.iterations + 1
    positions = _positions(layers, gradients)
    updates = {}
    for g in gradients.values():
        k = positions[g.param]
        p = _Param(g.param, float(params[k]), g.value,
                   {name: float(state[k]) for name, state in before.items()})
        terms, lines, new = _with_decay(engine, p, writer, t)
        updates[g.param] = Update(g.param, p.old, p.grad, learning_rate, new, terms, lines)
    engine.step(params, grads)
    _check(updates, params, engine, positions, model.dtype)
    return UpdateStep(repr(engine), t, _shared_lines(engine, t), updates)


def describe(optimizer) -> str:
    """``SGD(learning_rate=0.5)``: the optimizer with the settings that are not off."""
    config = optimizer.get_config()
    args = ", ".join(f"{k}={fmt_sig(v) if isinstance(v, float) else v}"
                     for k, v in config.items() if k != "name" and v not in (None, 0, False))
    return f"{type(optimizer).__name__}({args})"


_UNWRITTEN = ("clipnorm", "clipvalue", "global_clipnorm", "use_ema", "amsgrad", "centered")


def _writer(optimizer):
    writer = next((w for kind, w in ((optimizers.Adam, _adam), (optimizers.RMSprop, _rmsprop),
                                     (optimizers.SGD, _sgd)) if isinstance(optimizer, kind)), None)
    if writer is None:
        raise ConfigError(f"explain writes the updates of SGD, Adam and RMSprop; the model's "
                          f"optimizer is {type(optimizer).__name__}. Compile with one of them "
                          "to see a step")
    options = [k for k in _UNWRITTEN if getattr(optimizer, k, None)]
    if options:
        raise ConfigError(f"explain does not write {type(optimizer).__name__}'s step with "
                          f"{', '.join(options)}; compile without to see a step")
    return writer


def _positions(layers, gradients) -> dict[str, int]:
    """Each parameter's place in the model's flat buffers, laid out as ``Model.build`` does:
    layer by layer, each layer's parameters in ``param_specs`` order."""
    starts, offset = {}, 0
    for layer in layers:
        for pname, shape, _ in layer.param_specs():
            starts[layer.name, pname] = offset, shape
            offset += math.prod(shape)
    places = {}
    for g in gradients.values():
        start, shape = starts[g.layer, g.index[0]]
        places[g.param] = start + int(np.ravel_multi_index(g.index[1:], shape))
    return places


def _shared_lines(optimizer, t: int) -> tuple[str, ...]:
    if not isinstance(optimizer, optimizers.Adam):
        return ()
    b1, b2 = optimizer.beta_1, optimizer.beta_2
    return (f"lr_t = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t) = "
            f"{fmt_sig(optimizer.learning_rate)} * sqrt(1 - {fmt_sig(b2)}^{t}) / "
            f"(1 - {fmt_sig(b1)}^{t}) = {fmt_sig(_adam_lr_t(optimizer, t))}",)


# -- the formulas, one optimizer each ---------------------------------------------------------
def _squared(value: float) -> str:
    return f"({fmt_sig(value)})^2" if value < 0 else f"{fmt_sig(value)}^2"


def _with_decay(optimizer, p: _Param, writer, t: int):
    """Weight decay first, decoupled as in Keras 3 (``p = p - learning_rate * weight_decay *
    p``), then the optimizer's own lines. Returns (terms, lines, new value)."""
    terms, lines, new = _decayed(optimizer, p, writer, t)
    return terms, tuple(_NEGATIVE.sub(r"(\1)", line) for line in lines), new


# a negative number right after an operator: written in parentheses, never "* -2" or "+ -2"
_NEGATIVE = re.compile(r"(?<=[*/+\-] )(-[0-9][0-9.]*(?:e[-+][0-9]+)?)")


def _decayed(optimizer, p: _Param, writer, t: int):
    n, wd, lr = p.name, optimizer.weight_decay, optimizer.learning_rate
    if not wd:
        return writer(optimizer, p, f"dE/d{n}", p.grad, t)
    decayed = p.old - p.old * (lr * wd)
    line = (f"{n} = {n} - learning_rate * weight_decay * {n} = {fmt_sig(p.old)} - "
            f"{fmt_sig(lr)} * {fmt_sig(wd)} * {fmt_sig(p.old)} = {fmt_sig(decayed)}")
    terms, lines, new = writer(optimizer, _Param(n, decayed, p.grad, p.state), f"dE/d{n}",
                               p.grad, t)
    return {"decayed": decayed, **terms}, (line, *lines), new


def _sgd(opt, p: _Param, g_name: str, g: float, _t: int):
    """Keras's SGD: ``p - lr g``; momentum ``v = m v - lr g; p + v``; Nesterov
    ``p + m v - lr g`` with the new v."""
    n, lr, mom, f = p.name, opt.learning_rate, opt.momentum, fmt_sig
    if not mom:
        new = p.old - lr * g
        if not opt.weight_decay:  # the seeds' one line, as Update prints it without lines
            return {}, (), new
        return {}, (f"{n} = {n} - learning_rate * {g_name} = {f(p.old)} - {f(lr)} * {f(g)} "
                    f"= {f(new)}",), new
    v0 = p.state["velocity"]
    v = mom * v0 - lr * g
    lines = [f"velocity_{n} = momentum * velocity_{n} - learning_rate * {g_name} = {f(mom)} * "
             f"{f(v0)} - {f(lr)} * {f(g)} = {f(v)}"]
    if opt.nesterov:
        new = p.old - lr * g + mom * v
        lines.append(f"{n} = {n} + momentum * velocity_{n} - learning_rate * {g_name} = "
                     f"{f(p.old)} + {f(mom)} * {f(v)} - {f(lr)} * {f(g)} = {f(new)}")
    else:
        new = p.old + v
        lines.append(f"{n} = {n} + velocity_{n} = {f(p.old)} + {f(v)} = {f(new)}")
    return {"velocity": v}, tuple(lines), new


def _adam_lr_t(opt, t: int) -> float:
    """The bias-corrected step size, as ``optimizers.Adam`` computes it."""
    return opt.learning_rate * math.sqrt(1 - opt.beta_2**t) / (1 - opt.beta_1**t)


def _adam(opt, p: _Param, g_name: str, g: float, t: int):
    """``m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p - lr_t m / (sqrt(v) + eps)``."""
    n, b1, b2, eps, f = p.name, opt.beta_1, opt.beta_2, opt.epsilon, fmt_sig
    m0, v0, lr_t = p.state["m"], p.state["v"], _adam_lr_t(opt, t)
    m = b1 * m0 + (1 - b1) * g
    v = b2 * v0 + (1 - b2) * g * g
    new = p.old - lr_t * m / (math.sqrt(v) + eps)
    return {"m": m, "v": v}, (
        f"m_{n} = beta_1 * m_{n} + (1 - beta_1) * {g_name} = {f(b1)} * {f(m0)} + {f(1 - b1)} * "
        f"{f(g)} = {f(m)}",
        f"v_{n} = beta_2 * v_{n} + (1 - beta_2) * ({g_name})^2 = {f(b2)} * {f(v0)} + "
        f"{f(1 - b2)} * {_squared(g)} = {f(v)}",
        f"{n} = {n} - lr_t * m_{n} / (sqrt(v_{n}) + epsilon) = {f(p.old)} - {f(lr_t)} * {f(m)} / "
        f"(sqrt({f(v)}) + {f(eps)}) = {f(new)}"), new


def _rmsprop(opt, p: _Param, g_name: str, g: float, _t: int):
    """``v = rho v + (1 - rho) g^2; s = lr g / sqrt(v + eps)`` (Keras 3); then ``p - s``, or
    with momentum ``velocity = m velocity + s; p - velocity``."""
    n, rho, mom, lr, eps, f = p.name, opt.rho, opt.momentum, opt.learning_rate, opt.epsilon, fmt_sig
    v0 = p.state["v"]
    v = rho * v0 + (1 - rho) * g * g
    step = lr * g / math.sqrt(v + eps)
    step_text = (f"learning_rate * {g_name} / sqrt(v_{n} + epsilon)",
                 f"{f(lr)} * {f(g)} / sqrt({f(v)} + {f(eps)})")
    lines = [f"v_{n} = rho * v_{n} + (1 - rho) * ({g_name})^2 = {f(rho)} * {f(v0)} + "
             f"{f(1 - rho)} * {_squared(g)} = {f(v)}"]
    if not mom:
        new = p.old - step
        lines.append(f"{n} = {n} - {step_text[0]} = {f(p.old)} - {step_text[1]} = {f(new)}")
        return {"v": v}, tuple(lines), new
    vel0 = p.state["velocity"]
    vel = mom * vel0 + step
    new = p.old - vel
    lines += [f"velocity_{n} = momentum * velocity_{n} + {step_text[0]} = {f(mom)} * {f(vel0)} "
              f"+ {step_text[1]} = {f(vel)}",
              f"{n} = {n} - velocity_{n} = {f(p.old)} - {f(vel)} = {f(new)}"]
    return {"v": v, "velocity": vel}, tuple(lines), new


# -- the check against the engine -------------------------------------------------------------
def _check(updates: dict[str, Update], params, engine, positions, dtype) -> None:
    """The written new values and state terms against the optimizer's own step on copies."""
    rtol = rtol_for(dtype)
    for u in updates.values():
        k = positions[u.param]
        pairs = [("new value", u.new, params[k]),
                 *((name, u.terms[name], state[k]) for name, state in engine.state.items())]
        for what, written, stepped in pairs:
            if not np.isclose(written, stepped, rtol=rtol, atol=rtol * 1e-3):
                raise GradientCheckError(
                    f"explain: the {type(engine).__name__} update of {u.param} gives {what} "
                    f"{written!r} by its formula but the optimizer's own step gives "
                    f"{float(stepped)!r}; please report this as a bug")
