"""Save and load models: one ``.safetensors`` file, written atomically, read without running code.

The file holds every weight as a named tensor (``layers.<i>.<kernel|bias>``), optionally the
optimizer's state (``optimizer.<m|v|velocity|...>`` and ``optimizer.iterations``) so that
training resumes exactly, and in its metadata the model's JSON config: layers, shapes,
activations, dtype, loss, optimizer settings, metric names, the glassnet version and a format
version. A SHA-256 digest over the metadata and the tensors makes any change to the file
(a flipped bit, an edited number) a refusal rather than a silently different model.

Writes go to a temporary file in the same folder, are flushed and ``fsync``-ed, then renamed
over the target: a crash in the middle of a save leaves the previous file whole.

Loading checks, in order: the file's size against the declared header length, the header's JSON,
the format and its version, the digest, the config against the tensors (names, shapes, dtypes),
and that every value is finite. Anything wrong raises :class:`~glassnet.errors.FileFormatError`
naming the file and the problem. Nothing in the file is ever executed (no pickle).

Example
-------
>>> import os, tempfile, numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(3, activation="relu", input_shape=(2,), name="hidden"),
...                              Dense(1, name="out")])
>>> model.compile("adam", "mse")
>>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
>>> save_model(model, path)
>>> same = load_model(path)
>>> x = np.array([[0.5, -1.0]])
>>> bool((same.predict(x) == model.predict(x)).all()), same.optimizer.get_config()["name"]
(True, 'adam')
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from pathlib import Path

import numpy as np

try:
    import safetensors.numpy
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("glassnet.io needs the safetensors package: pip install 'glassnet[io]'"
                      ) from exc

from . import models, optimizers
from ._checks import glassnet_model
from ._files import atomic_write, file_path, open_regular
from ._files import refusing as _refusing
from .errors import ConfigError, FileFormatError
from .keras_files._to_keras import metric_names as _metric_names
from .utils import global_generator

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

FORMAT_NAME = "glassnet"
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 16 * 2**20  # a model's header is a few KB; more is refused before parsing
MAX_LAYERS = 10_000  # a bound on the work a hostile config can ask for
_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}
_DIGEST_KEY = "sha256"


# -- saving ------------------------------------------------------------------------------------
def save_model(model, path, include_optimizer: bool = True) -> None:
    """Write ``model`` to ``path`` as one ``.safetensors`` file, atomically.

    Parameters
    ----------
    model : glassnet.Model
        A built model (compiled or not).
    path : str or os.PathLike
        The file to write; its folder must exist. An existing file is replaced only once the
        new one is completely on disk.
    include_optimizer : bool
        Also store the optimizer's state (moments, velocity, step count), so that ``fit`` on the
        loaded model continues exactly where this one stopped.

    Example
    -------
    >>> import os, tempfile, glassnet
    >>> model = glassnet.Sequential([glassnet.layers.Dense(2, input_shape=(3,), name="d")])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.safetensors")
    >>> save_model(model, path)
    >>> load_model(path).get_config()["layers"][0]["config"]["units"]
    2
    """
    glassnet_model(model, "save_model")
    target = file_path(path, "save_model")
    if not model.built:
        raise ConfigError(f"cannot save model {model.name!r} to {target}: it is not built yet; "
                          "call it on data (or give the first layer an input_shape) first")
    tensors = _weight_tensors(model)
    with_state = bool(include_optimizer and model.optimizer is not None)
    if with_state:
        tensors.update(_optimizer_tensors(model))
    metadata = {"format": FORMAT_NAME, "format_version": str(FORMAT_VERSION),
                "config": _config_json(model, with_state)}
    metadata[_DIGEST_KEY] = _digest(metadata, tensors)
    atomic_write(target, safetensors.numpy.save(tensors, metadata=metadata), "the model")


def weight_entries(model, prefix: str = "layers"):
    """(tensor name, layer, weight name) of every weight: ``layers.<i>.<name>`` with ``i`` the
    layer's place in ``model.layers``; a nested model's as ``layers.<i>.layers.<j>.<name>``.
    Each layer appears once, at its first place."""
    seen: set[int] = set()
    yield from _entries(model, prefix, seen)


def _entries(model, prefix, seen):
    for i, layer in enumerate(model.layers):
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if isinstance(layer, models.Model):
            yield from _entries(layer, f"{prefix}.{i}.layers", seen)
            continue
        for name, _, _ in [*layer.param_specs(), *layer.state_specs()]:
            yield f"{prefix}.{i}.{name}", layer, name


def _weight_tensors(model) -> dict[str, np.ndarray]:
    return {key: np.require(layer.arrays[name], requirements="C")  # keeps 0-d arrays 0-d
            for key, layer, name in weight_entries(model)}


def _optimizer_template(optimizer_config: dict, params: np.ndarray) -> dict[str, np.ndarray]:
    """The state a fresh optimizer of this config has for ``params``: names, shapes, dtypes."""
    fresh = optimizers.get(optimizer_config)
    fresh.build(params)
    return fresh.get_state()


def _optimizer_tensors(model) -> dict[str, np.ndarray]:
    """The optimizer's state, or a fresh one when it has not been built for this model yet."""
    template = _optimizer_template(model.optimizer.get_config(), model.params)
    state = model.optimizer.get_state()
    fits = state.keys() == template.keys() and all(
        state[k].shape == v.shape and state[k].dtype == v.dtype for k, v in template.items())
    return {f"optimizer.{k}": v for k, v in (state if fits else template).items()}


def _config_json(model, with_state: bool) -> str:
    from . import __version__

    config = {
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "model": model.get_config(),
        "loss": _loss_config(model),
        "loss_weights": model._loss_weight_specs,
        "optimizer": model.optimizer.get_config() if model.optimizer is not None else None,
        "metrics": _metric_names(model._metric_specs),
        "optimizer_state": with_state,
        "random_streams": _random_streams(model),
    }

    def refuse(value):
        raise ConfigError(f"cannot save model {model.name!r}: its config holds {value!r} "
                          f"({type(value).__name__}), which has no JSON form; use plain "
                          "numbers and strings (an int seed, not a Generator)")

    return json.dumps(config, sort_keys=True, default=refuse, allow_nan=False)


def _seeded_dropouts(model) -> dict:
    from .layers import Dropout

    return {layer.name: layer for layer in model._leaf_layers()
            if isinstance(layer, Dropout) and layer.rng is not None and layer.seed is not None}


def _random_streams(model) -> dict:
    """Where each ``Dropout(seed=)`` stream is, so training resumes on the same masks."""
    return {name: layer.rng.bit_generator.state for name, layer in _seeded_dropouts(model).items()}


def _restore_random_streams(model, streams: dict) -> None:
    layers = _seeded_dropouts(model)
    for name, state in streams.items():
        if name not in layers:
            raise FileFormatError(f"the file has a random stream for layer {name!r}, which is "
                                  "not a seeded Dropout of its model")
        layers[name].rng.bit_generator.state = state


def _loss_config(model):
    if model._loss_specs is None or not model._losses:
        return None
    configs = [None if loss is None else loss.get_config() for loss in model._losses]
    return configs[0] if len(configs) == 1 else configs


def _digest(metadata: dict[str, str], tensors: dict[str, np.ndarray]) -> str:
    """SHA-256 over the metadata (but the digest) and every tensor's name, dtype, shape, bytes."""
    h = hashlib.sha256()
    for key in sorted(metadata):
        if key != _DIGEST_KEY:
            h.update(json.dumps([key, metadata[key]]).encode())
    for name in sorted(tensors):
        array = tensors[name]
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        h.update(json.dumps([name, little.dtype.str, list(little.shape)]).encode())
        h.update(memoryview(little).cast("B"))
    return h.hexdigest()


# -- loading -----------------------------------------------------------------------------------
def load_model(path, compile: bool = True):
    """Read a model written by :func:`save_model`; nothing in the file is executed.

    Parameters
    ----------
    path : str or os.PathLike
    compile : bool
        Restore the loss, optimizer (with its saved state) and metrics, as saved.

    Returns
    -------
    glassnet.Sequential

    Raises
    ------
    glassnet.errors.FileFormatError
        The file is missing, truncated, altered, from a newer glassnet, or its config and
        tensors disagree; the message names the file and the problem.

    Example
    -------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "junk.safetensors")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(b"\\xff" * 16)
    >>> load_model(path)
    Traceback (most recent call last):
    ...
    glassnet.errors.FileFormatError: ...junk.safetensors: the header says it is 18446744073709551615
    bytes long, but the file has only 8 bytes after the length field; ...
    """
    source = file_path(path, "load_model")
    raw = _read(source)
    metadata = _header_metadata(raw, source)
    config = _check_format(metadata, source)
    tensors = _deserialize(raw, source)
    if _digest(metadata, tensors) != metadata[_DIGEST_KEY]:
        raise FileFormatError(f"{source}: the contents do not match the file's SHA-256 digest; "
                              "the file was altered or damaged after it was saved")
    with _refusing(source, "the model config is not valid"):
        model = _rebuild(config, tensors, source)
        _restore_random_streams(model, config.get("random_streams") or {})
        if compile and config.get("optimizer") is not None:
            _restore_training(model, config, tensors, source)
    return model


def _read(source: Path) -> bytes:
    """The file's bytes, once its header length is checked against its size: a file claiming
    a huge header, or a pipe or device, is refused before anything more is read."""
    with open_regular(source, "load_model") as (f, size):
        head = f.read(8)
        if len(head) < 8:
            raise FileFormatError(f"{source}: only {len(head)} bytes, too short for a safetensors "
                                  "file (it starts with an 8-byte header length)")
        (length,) = struct.unpack("<Q", head)
        if length > size - 8:
            raise FileFormatError(f"{source}: the header says it is {length} bytes long, but the "
                                  f"file has only {size - 8} bytes after the length field; the "
                                  "file is truncated or not a safetensors file")
        if length > MAX_HEADER_BYTES:
            raise FileFormatError(f"{source}: the header is {length} bytes, more than the "
                                  f"{MAX_HEADER_BYTES} a model file needs; refusing to parse it")
        return head + f.read(size - 8)


def _header_metadata(raw: bytes, source: Path) -> dict[str, str]:
    """The header's metadata (its length was checked against the file by :func:`_read`)."""
    (length,) = struct.unpack("<Q", raw[:8])
    with _refusing(source, "the header is not valid JSON"):
        header = json.loads(raw[8:8 + length], parse_constant=_reject_constant)
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise FileFormatError(f"{source}: not a glassnet model file (its safetensors metadata "
                              "has no format='glassnet'); it may come from another library")
    if len(header) > 2 * MAX_LAYERS + 16:
        raise FileFormatError(f"{source}: the header lists {len(header) - 1} tensors, more than a "
                              f"model of at most {MAX_LAYERS} layers holds")
    for name, entry in header.items():
        if name != "__metadata__" and (not isinstance(entry, dict)
                                       or entry.get("dtype") not in _DTYPES):
            dtype = entry.get("dtype") if isinstance(entry, dict) else entry
            raise FileFormatError(f"{source}: tensor {name!r} has dtype {dtype!r}; glassnet "
                                  f"files hold only {', '.join(_DTYPES)}")
    return metadata


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number a glassnet file may hold")


def _check_format(metadata: dict, source: Path) -> dict:
    version = metadata.get("format_version")
    if not isinstance(version, str) or not re.fullmatch("[0-9]{1,9}", version):
        raise FileFormatError(f"{source}: the format version {version!r} is not a whole number")
    if int(version) > FORMAT_VERSION:
        raise FileFormatError(f"{source}: written in glassnet file format {int(version)}, newer "
                              f"than the format {FORMAT_VERSION} this glassnet reads; upgrade "
                              "glassnet to load it")
    if not isinstance(metadata.get(_DIGEST_KEY), str) or not isinstance(metadata.get("config"),
                                                                         str):
        raise FileFormatError(f"{source}: the metadata lacks its 'config' or '{_DIGEST_KEY}' entry")
    with _refusing(source, "the model config is not valid JSON"):
        config = json.loads(metadata["config"], parse_constant=_reject_constant)
    if not isinstance(config, dict) or not isinstance(config.get("model"), dict):
        raise FileFormatError(f"{source}: the config has no 'model' section")
    return config


def _deserialize(raw: bytes, source: Path) -> dict[str, np.ndarray]:
    try:
        return safetensors.numpy.load(raw)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the Rust parser may raise a PanicException (a BaseException)
        raise FileFormatError(f"{source}: not a valid safetensors file ({exc})") from None


def _rebuild(config: dict, tensors: dict[str, np.ndarray], source: Path):
    """The architecture from the config, its weights checked against the tensors and set."""
    spec = config["model"]
    if len(spec.get("layers", [])) > MAX_LAYERS:
        raise FileFormatError(f"{source}: the config lists {len(spec['layers'])} layers, more "
                              f"than the {MAX_LAYERS} glassnet loads")
    rng = global_generator()
    drawn = rng.bit_generator.state  # building draws initial weights: leave the seed's stream be
    try:
        model = models.Model.from_config(spec)
    finally:
        rng.bit_generator.state = drawn
    expected = {key: (layer.arrays[name].shape, model.dtype)
                for key, layer, name in weight_entries(model)}
    if config.get("optimizer_state"):
        template = _optimizer_template(config["optimizer"], np.empty(0, model.dtype))
        for name, array in template.items():
            tail = () if array.ndim == 0 else (model.params.size,)
            expected[f"optimizer.{name}"] = (tail, array.dtype)
    _check_tensors(expected, tensors, source)
    for key, layer, name in weight_entries(model):
        layer.arrays[name][...] = tensors[key]
    return model


def _check_tensors(expected: dict, tensors: dict[str, np.ndarray], source: Path) -> None:
    missing = [n for n in expected if n not in tensors]
    extra = [n for n in tensors if n not in expected]
    if missing or extra:
        raise FileFormatError(f"{source}: the tensors do not match the model config: missing "
                              f"{missing or 'none'}, unexpected {extra or 'none'}")
    for name, (shape, dtype) in expected.items():
        array = tensors[name]
        if array.shape != shape or array.dtype != dtype:
            raise FileFormatError(f"{source}: tensor {name!r} is {array.dtype} {array.shape}, but "
                                  f"the model config needs {np.dtype(dtype)} {shape}")
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise FileFormatError(f"{source}: tensor {name!r} holds NaN or infinite values")


def _restore_training(model, config: dict, tensors: dict[str, np.ndarray], source: Path) -> None:
    model.compile(optimizer=config["optimizer"], loss=config.get("loss"),
                  loss_weights=config.get("loss_weights"), metrics=config.get("metrics") or None)
    if not config.get("optimizer_state"):
        return
    state = {k.removeprefix("optimizer."): v for k, v in tensors.items()
             if k.startswith("optimizer.")}
    if int(state["iterations"]) < 0:
        raise FileFormatError(f"{source}: the optimizer's step count is negative")
    model.optimizer.set_state(state, model.params)
