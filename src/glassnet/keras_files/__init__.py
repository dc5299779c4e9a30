"""Keras 3's files: ``.keras`` archives and ``.weights.h5`` weights, both ways.

``model.save('m.keras')`` writes an archive Keras 3 loads with ``keras.saving.load_model``
(``config.json`` in Keras's serialization format, ``metadata.json``, and the weights, with
the optimizer's state, in ``model.weights.h5``); ``glassnet.models.load_model('m.keras')``
reads one Keras wrote, weights and (where glassnet has them) the loss, optimizer and metrics.
``model.save_weights('w.weights.h5')`` / ``model.load_weights(...)`` use Keras's weights
layout, so weights saved by either library load into the same architecture in the other.

Files are untrusted: nothing in them is executed (no pickle, no ``Lambda`` code), every size
is bounded, and every fault is a :class:`~glassnet.errors.FileFormatError` naming the file.
Writes are atomic. Other file names keep glassnet's own ``.safetensors`` format
(:mod:`glassnet.io`); legacy Keras ``.h5`` model files are read, never written.

Example
-------
>>> import os, tempfile, numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(3, activation="relu", input_shape=(2,), name="h"),
...                              Dense(1, name="out")], name="doc_model")
>>> model.compile("adam", "mse")
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> save_keras(model, path)
>>> same = load_keras(path)
>>> x = np.array([[0.5, -1.0]])
>>> bool((same.predict(x) == model.predict(x)).all()), same.optimizer.get_config()["name"]
(True, 'adam')
"""

from __future__ import annotations

import datetime
import json
import warnings
from pathlib import Path

from .._checks import glassnet_model
from .._files import atomic_write, file_path, read_untrusted, refusing
from ..errors import ConfigError, FileFormatError
from . import _archive, _h5, _legacy
from ._compile import compile_arguments
from ._from_keras import Budget
from ._to_keras import compile_config, metric_names, model_config

__all__ = ["load_keras", "load_legacy", "load_model", "load_weights", "save_keras",
           "save_model", "save_weights"]

_LEGACY = (".h5", ".hdf5")


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".weights.h5"):
        return "weights"
    if name.endswith(".keras"):
        return "keras"
    if name.endswith(_LEGACY):
        return "legacy"
    return "glassnet"


# -- dispatch by extension (Model.save, models.load_model, save_weights, load_weights) -------
def save_model(model, path, include_optimizer: bool = True) -> None:
    """``.keras``: a Keras archive; ``.h5``: refused; any other name: glassnet's safetensors."""
    target = file_path(path, "save_model")
    kind = _kind(target)
    if kind == "keras":
        return save_keras(model, target, include_optimizer=include_optimizer)
    if kind in ("legacy", "weights"):
        raise ConfigError(f"save_model: {target.name} would be a legacy Keras HDF5 model file, "
                          "which glassnet does not write; save to 'model.keras' (Keras 3's "
                          "format) or use save_weights for a '.weights.h5' file")
    from .. import io

    return io.save_model(model, target, include_optimizer=include_optimizer)


def load_model(path, compile: bool = True):
    """The model in a ``.keras`` archive or a glassnet ``.safetensors`` file."""
    source = file_path(path, "load_model")
    kind = _kind(source)
    if kind == "keras":
        return load_keras(source, compile=compile)
    if kind == "legacy":
        return load_legacy(source, compile=compile)
    if kind == "weights":
        raise FileFormatError(f"{source}: a .weights.h5 file holds weights only; build the "
                              "model and call model.load_weights on it")
    from .. import io

    return io.load_model(source, compile=compile)


# -- .keras archives ----------------------------------------------------------------------------
def save_keras(model, path, include_optimizer: bool = True) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` archive, atomically."""
    from .. import __version__

    glassnet_model(model, "save_model")
    target = file_path(path, "save_model")
    config = model_config(model)
    document = {**config, "compile_config": None}
    try:
        document["compile_config"] = compile_config(model, metric_names(model._metric_specs))
    except ConfigError as exc:
        warnings.warn(f"saving {target.name} without its compile settings: {exc}",
                      UserWarning, stacklevel=3)
        include_optimizer = False
    metadata = {"keras_version": "3", "glassnet_version": __version__,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    weights = _h5.write_weights(model, config, include_optimizer)
    atomic_write(target, _archive.archive_bytes({
        _archive.METADATA_NAME: json.dumps(metadata).encode(),
        _archive.CONFIG_NAME: json.dumps(document, allow_nan=False).encode(),
        _archive.WEIGHTS_NAME: weights}))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number a Keras config may hold")


def _config_document(members: dict, source: Path) -> dict:
    if _archive.CONFIG_NAME not in members:
        raise FileFormatError(f"{source}: the archive has no config.json, so it is not a "
                              ".keras model file")
    with refusing(source, "config.json is not valid JSON"):
        document = json.loads(members[_archive.CONFIG_NAME], parse_constant=_reject_constant)
    if not isinstance(document, dict) or document.get("class_name") not in (
            "Functional", "Sequential", "Model"):
        name = document.get("class_name") if isinstance(document, dict) else document
        raise FileFormatError(f"{source}: config.json describes {str(name)[:60]!r}, not a "
                              "Keras Functional or Sequential model (subclassed models "
                              "cannot be loaded without their code)")
    return document


def _build(document: dict, source: Path):
    from .. import layers as layers_module
    from ..utils import global_generator

    with refusing(source, "the model config cannot be loaded"):
        translated = Budget().model(document)
        rng = global_generator()
        drawn = rng.bit_generator.state  # building draws initial weights: leave the stream be
        try:
            return layers_module.get(translated)
        finally:
            rng.bit_generator.state = drawn


def load_keras(path, compile: bool = True):
    """Read a Keras 3 ``.keras`` archive into a glassnet model; nothing in it is executed."""
    source = file_path(path, "load_model")
    members = _archive.read_members(read_untrusted(source), source)
    document = _config_document(members, source)
    model = _build(document, source)
    if _archive.WEIGHTS_NAME not in members:
        raise FileFormatError(f"{source}: the archive has no model.weights.h5 (glassnet reads "
                              "h5 weights, not Keras's npz variant)")
    with _h5.open_h5(members[_archive.WEIGHTS_NAME], source) as f, \
            refusing(source, "the weights do not fit the model"):
        _assign(_h5.read_weights(model, document, f, source))
        if compile and document.get("compile_config"):
            _compile(model, document["compile_config"], f, source)
    return model


def load_legacy(path, compile: bool = True):
    """Read a legacy Keras HDF5 (``.h5``) model file (Keras 3's or tf.keras 2's)."""
    source = file_path(path, "load_model")
    with _h5.open_h5(read_untrusted(source), source) as f:
        with refusing(source, "the model config is not valid"):
            document, training = _legacy.read_legacy(f, source)
        if not isinstance(document, dict) or document.get("class_name") not in (
                "Functional", "Sequential", "Model"):
            raise FileFormatError(f"{source}: model_config does not describe a Keras "
                                  "Functional or Sequential model")
        model = _build(document, source)
        with refusing(source, "the weights do not fit the model"):
            _assign(_legacy.legacy_weights(model, document, f, source))
    if compile and training:
        try:
            model.compile(**compile_arguments(training))
        except ConfigError as exc:
            warnings.warn(f"{source}: the model is loaded uncompiled: {exc}", UserWarning,
                          stacklevel=3)
    return model


def _assign(pending) -> None:
    for targets, arrays in pending:
        for target, array in zip(targets, arrays, strict=True):
            target[...] = array


def _compile(model, config: dict, f, source: Path) -> None:
    try:
        model.compile(**compile_arguments(config))
    except ConfigError as exc:
        warnings.warn(f"{source}: the model is loaded uncompiled: {exc}", UserWarning,
                      stacklevel=4)
        return
    arrays = _h5.read_optimizer(f, source)
    if arrays is None or not model.params.size:
        return
    groups = list(_h5.weight_groups(model, _keras_config(model)))
    model.optimizer.build(model.params)
    if not _h5.set_optimizer_arrays(model, groups, arrays):
        warnings.warn(f"{source}: the optimizer's saved state does not fit glassnet's "
                      f"{type(model.optimizer).__name__}; it starts afresh", UserWarning,
                      stacklevel=4)


def _keras_config(model) -> dict:
    return model_config(model)


# -- .weights.h5 ------------------------------------------------------------------------------
def save_weights(model, path, overwrite: bool = True) -> None:
    """Write the weights (and the optimizer's state) in Keras 3's ``.weights.h5`` layout."""
    glassnet_model(model, "save_weights")
    target = file_path(path, "save_weights")
    if _kind(target) != "weights":
        raise ConfigError(f"save_weights: the file name must end in '.weights.h5' (Keras's "
                          f"weights format), got {target.name!r}; model.save writes a whole "
                          "model")
    if not overwrite and target.exists():
        raise ConfigError(f"save_weights: {target} exists and overwrite=False")
    atomic_write(target, _h5.write_weights(model, model_config(model), True))


def load_weights(model, path) -> None:
    """Set the weights from a ``.weights.h5`` or ``.keras`` file (Keras's layout, by layer
    class and order) or from a glassnet ``.safetensors`` file; all checked before any is set."""
    glassnet_model(model, "load_weights")
    source = file_path(path, "load_weights")
    kind = _kind(source)
    if kind == "legacy":
        with _h5.open_h5(read_untrusted(source), source) as f, \
                refusing(source, "the weights do not fit the model"):
            return _assign(_legacy.legacy_weights(model, model_config(model), f, source))
    if kind == "glassnet":
        return _load_glassnet_weights(model, source)
    data = read_untrusted(source)
    if kind == "keras":
        data = _archive.read_members(data, source).get(_archive.WEIGHTS_NAME)
        if data is None:
            raise FileFormatError(f"{source}: the archive has no model.weights.h5")
    config = model_config(model)
    with _h5.open_h5(data, source) as f, refusing(source, "the weights do not fit the model"):
        _assign(_h5.read_weights(model, config, f, source))
        arrays = _h5.read_optimizer(f, source) if model.optimizer is not None else None
        if arrays is not None and model.params.size:
            model.optimizer.build(model.params)
            _h5.set_optimizer_arrays(model, list(_h5.weight_groups(model, config)), arrays)


def _load_glassnet_weights(model, source: Path) -> None:
    from .. import io

    saved = io.load_model(source, compile=False)
    mine, theirs = model.get_weights(), saved.get_weights()
    if [w.shape for w in mine] != [w.shape for w in theirs]:
        raise FileFormatError(f"{source}: its weights have shapes "
                              f"{[w.shape for w in theirs]}, but model {model.name!r} has "
                              f"{[w.shape for w in mine]}")
    model.set_weights(theirs)
