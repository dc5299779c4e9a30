"""The playground's settings: one dict (the page's URL holds it), checked and completed here.

Example
-------
>>> c = normalize({"data": "xor", "hidden": "4, 2", "lr": "0.1"})
>>> c["hidden"], c["lr"], c["loss"], c["batch_size"]
([4, 2], 0.1, 'binary_crossentropy', 10)
>>> normalize({"hidden": [0]})
Traceback (most recent call last):
...
glassnet.errors.ConfigError: playground: hidden layer 1 has 0 neurons; give each 1 to 64
"""

from __future__ import annotations

import math

from ..errors import ConfigError
from .data import CLASSIFY, FEATURES, GATES, REGRESS

__all__ = ["DEFAULTS", "MAX_LAYERS", "MAX_UNITS", "OPTIONS", "normalize", "task_of"]

MAX_UNITS = 64  # the tallest column of neuron pictures the page draws
MAX_LAYERS = 32  # the widest network the page draws
MAX_SAMPLES = 20_000  # points drawn on the heatmap
MAX_STEP = 100_000  # the step a link may ask a run to be trained to (seconds of training)

DEFAULTS = {
    "data": "circle", "samples": 500, "noise": 0.0, "train": 0.5, "features": ["x1", "x2"],
    "hidden": [4, 2], "activation": "tanh", "loss": "auto", "optimizer": "sgd", "lr": 0.03,
    "batch": "mini", "batch_size": 10, "reg": "none", "reg_rate": 0.0,
    "init": "glorot_uniform", "seed": 0, "step": 0,
}
OPTIONS = {
    "data": [*CLASSIFY, *REGRESS, *GATES, "mnist"],
    "features": list(FEATURES),
    "activation": ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "gelu", "silu",
                   "softplus"],
    "loss": ["auto", "binary_crossentropy", "mse", "sparse_categorical_crossentropy"],
    "optimizer": ["sgd", "adam", "rmsprop"],
    "batch": ["stochastic", "mini", "full"],
    "reg": ["none", "l1", "l2"],
    "init": ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal",
             "lecun_uniform", "uniform", "random_normal"],
}


def _known(kind: str, names: list[str]) -> list[str]:
    """The names glassnet's registry of ``kind`` knows (the toolkit grows; the page follows)."""
    from .. import activations, initializers

    registry = {"activation": activations, "init": initializers}[kind]
    known = []
    for name in names:
        try:
            registry.get(name)
        except ConfigError:
            continue
        known.append(name)
    return known


OPTIONS["activation"] = _known("activation", OPTIONS["activation"])
OPTIONS["init"] = _known("init", OPTIONS["init"])


def task_of(data: str, classes: int | None = None) -> str:
    """'binary', 'multiclass', 'regression' or 'images' for a data set name."""
    if data == "mnist":
        return "images"
    if data in REGRESS:
        return "regression"
    if data in CLASSIFY or data in GATES:
        return "binary"
    return "regression" if classes is None else "binary" if classes == 2 else "multiclass"


def _choice(config, key):
    value = str(config[key])
    if value not in OPTIONS[key] and not (key == "data" and value.startswith("csv:")):
        raise ConfigError(f"playground: {key} {value!r} is not one of "
                          f"{', '.join(OPTIONS[key])}")
    return value


def _number(config, key, low, high, integer=False):
    raw = config[key]
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"playground: {key} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or not low <= value <= high or (
            integer and value != int(value)):
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"playground: {key} must be {kind} from {low} to {high}, got {raw!r}")
    return int(value) if integer else value


def _hidden(raw) -> list[int]:
    parts = raw.replace(" ", "").split(",") if isinstance(raw, str) else list(raw)
    if parts in ([""], []):
        return []
    try:
        sizes = [int(p) for p in parts]
    except (TypeError, ValueError):
        raise ConfigError(f"playground: hidden must be neuron counts such as 4,2; got "
                          f"{raw!r}") from None
    if len(sizes) > MAX_LAYERS:
        raise ConfigError(f"playground: {len(sizes)} hidden layers; the page draws at most "
                          f"{MAX_LAYERS}")
    for i, n in enumerate(sizes):
        if not 1 <= n <= MAX_UNITS:
            raise ConfigError(f"playground: hidden layer {i + 1} has {n} neurons; give each 1 "
                              f"to {MAX_UNITS}")
    return sizes


def _features(raw) -> list[str]:
    names = [n for n in (raw.split(",") if isinstance(raw, str) else raw) if n]
    if not names or any(n not in FEATURES for n in names):
        raise ConfigError(f"playground: features must be one or more of {', '.join(FEATURES)}; "
                          f"got {raw!r}")
    return [n for n in FEATURES if n in names]


def normalize(config: dict) -> dict:
    """The settings with defaults filled in, types fixed and every value checked
    (a ConfigError names the one that is wrong)."""
    unknown = sorted(set(config) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"playground: unknown setting {unknown[0]!r}; the settings are "
                          f"{', '.join(DEFAULTS)}")
    c = {**DEFAULTS, **config}
    out = {key: _choice(c, key) for key in ("data", "activation", "loss", "optimizer", "batch",
                                            "reg", "init")}
    out.update(samples=_number(c, "samples", 4, MAX_SAMPLES, True),
               noise=_number(c, "noise", 0, 0.5), train=_number(c, "train", 0.1, 0.9),
               lr=_number(c, "lr", 1e-6, 10), batch_size=_number(c, "batch_size", 1, 100_000,
                                                                 True),
               reg_rate=_number(c, "reg_rate", 0, 10), seed=_number(c, "seed", 0, 2**31, True),
               step=_number(c, "step", 0, MAX_STEP, True), hidden=_hidden(c["hidden"]),
               features=_features(c["features"]))
    if out["loss"] == "auto":
        out["loss"] = "mse" if out["data"] in REGRESS else "binary_crossentropy"
    return {key: out[key] for key in DEFAULTS}
