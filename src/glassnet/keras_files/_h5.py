"""Keras 3's weights layout in HDF5 (``model.weights.h5`` in a ``.keras`` archive, and
``.weights.h5`` files), written and read with h5py.

Each saveable object gets a group with a ``vars`` subgroup (attribute ``name``) holding its
variables as datasets ``0``, ``1``, ...: the model at the root, each layer at its path
(:func:`~glassnet.keras_files._order.layer_paths`), the optimizer at ``optimizer`` (step
count, learning rate, then its slots per trainable weight in Keras's order). Reading never
follows soft or external links, never reads external or virtual datasets, and checks every
dataset's dtype and shape against the model before reading it, so a hostile file cannot make
glassnet read more than the model holds.

Example
-------
>>> import glassnet
>>> from glassnet.layers import Dense
>>> model = glassnet.Sequential([Dense(2, input_shape=(3,), name="h")], name="m")
>>> from glassnet.keras_files._to_keras import model_config
>>> [path for path, _ in weight_groups(model, model_config(model))]
['layers/dense']
"""

from __future__ import annotations

import io

import numpy as np

from ..errors import FileFormatError
from ._order import MODEL_CLASSES, layer_paths

__all__ = ["read_weights", "weight_groups", "write_weights"]

def require_h5py(what: str):
    """The h5py module, imported on first use (it is the optional 'keras' extra)."""
    try:
        import h5py
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(f"{what} needs the h5py package: pip install 'glassnet[keras]'"
                          ) from None
    return h5py


def _entry_name(entry: dict) -> str:
    return entry.get("name") or entry["config"]["name"]


def weight_groups(model, config: dict):
    """(h5 path, glassnet layer) for each layer, in Keras's order; each layer once."""
    seen: set[int] = set()
    owners = {id(config): model}
    for path, entry in layer_paths(config):
        parent = owners[id(_parent_of(config, entry))]
        layer = parent.get_layer(_entry_name(entry))
        if entry["class_name"] in MODEL_CLASSES:
            owners[id(entry)] = layer
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        yield path, layer


def _parent_of(config: dict, target: dict) -> dict:
    stack = [config]
    while stack:
        current = stack.pop()
        for entry in current["config"]["layers"]:
            if entry is target:
                return current
            if entry["class_name"] in MODEL_CLASSES:
                stack.append(entry)
    raise KeyError(target.get("name"))


def _is_model(layer) -> bool:
    from ..models import Model

    return isinstance(layer, Model)


def layer_arrays(layer) -> list[np.ndarray]:
    """The layer's weights in Keras's order: trainable ones as created, then state."""
    return [layer.arrays[name] for name, _, _ in [*layer.param_specs(), *layer.state_specs()]]


# -- the optimizer's slots ------------------------------------------------------------------
def _slot_layout(optimizer) -> list[list[str]]:
    """glassnet state names in Keras's variable order: one list per pass over the weights."""
    return optimizer._keras_slots()


def _head(optimizer) -> list[np.ndarray]:
    """Keras's first variables: the step count, and the learning rate unless a schedule."""
    head = [np.array(optimizer.iterations, np.int64)]
    if getattr(optimizer, "_schedule", None) is None:
        head.append(np.array(optimizer.learning_rate, np.float32))
    return head


def _trainable_views(model, groups) -> list[np.ndarray]:
    return [v.value for _, layer in groups if not _is_model(layer)
            for v in layer.trainable_weights if model.trainable]


def _offset(view: np.ndarray, base: np.ndarray) -> int:
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return start // base.itemsize


def optimizer_arrays(model, groups) -> list[np.ndarray] | None:
    """The optimizer's state as Keras's list of variables, or None if it has none here."""
    opt, params = model.optimizer, model.params
    state = opt.state
    if any(state.get(n) is None or state[n].shape != params.shape
           for names in _slot_layout(opt) for n in names):
        return None
    arrays = _head(opt)
    for names in _slot_layout(opt):
        for view in _trainable_views(model, groups):
            start = _offset(view, params)
            arrays += [state[n][start:start + view.size].reshape(view.shape) for n in names]
    return arrays + [np.array(v, np.float32) for v in opt._keras_scalars()]


def set_optimizer_arrays(model, groups, arrays: list[np.ndarray]) -> bool:
    """Set the model's (built) optimizer from Keras's variables; False if they do not fit."""
    opt, params = model.optimizer, model.params
    views = _trainable_views(model, groups)
    layout = _slot_layout(opt)
    k = len(_head(opt))
    expected = k + sum(len(names) for names in layout) * len(views) + len(opt._keras_scalars())
    if len(arrays) not in (k, expected):  # k: an optimizer never built (no steps taken)
        return False
    opt.build(params)
    state = {n: opt._initial(n, params) for names in layout for n in names}
    for names in layout if len(arrays) == expected else []:
        for view in views:
            start = _offset(view, params)
            for n in names:
                if arrays[k].shape != view.shape or arrays[k].dtype.kind != "f":
                    return False
                value = np.asarray(arrays[k][()])
                if not np.isfinite(value).all():
                    return False
                state[n][start:start + view.size] = value.ravel()
                k += 1
    iterations = np.asarray(arrays[0][()])
    if iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
        return False
    state["iterations"] = np.array(int(iterations), np.int64)
    opt.set_state(state, params)
    return True


# -- writing ----------------------------------------------------------------------------------
def write_weights(model, config: dict, include_optimizer: bool) -> bytes:
    """The bytes of Keras's h5 weights file for ``model`` (config in Keras's form)."""
    h5py = require_h5py("writing Keras weights")
    groups = list(weight_groups(model, config))
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("vars").attrs["name"] = model.name
        for path, layer in groups:
            vars_group = f.create_group(path).create_group("vars")
            vars_group.attrs["name"] = layer.name
            if _is_model(layer):
                continue
            for i, array in enumerate(layer_arrays(layer)):
                vars_group[str(i)] = np.require(array, requirements="C")  # 0-d stays 0-d
        if include_optimizer and model.optimizer is not None and model.params.size:
            arrays = optimizer_arrays(model, groups)
            if arrays is not None:
                vars_group = f.create_group("optimizer").create_group("vars")
                vars_group.attrs["name"] = type(model.optimizer).__name__.lower()
                for i, array in enumerate(arrays):
                    vars_group[str(i)] = array
    return buffer.getvalue()


# -- reading ----------------------------------------------------------------------------------
def open_h5(data: bytes, source):
    h5py = require_h5py("reading Keras weights")
    try:
        return h5py.File(io.BytesIO(data), "r")
    except Exception as exc:  # h5py raises OSError, ValueError, ... on a bad file
        raise FileFormatError(f"{source}: the weights are not a valid HDF5 file ({exc})"
                              ) from None


def _group(f, path: str, source):
    """The group at ``path`` through hard links only, or None if it is absent."""
    h5py = require_h5py("reading Keras weights")
    current = f
    for part in path.split("/"):
        link = current.get(part, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise FileFormatError(f"{source}: {path!r} is a {type(link).__name__}; glassnet "
                                  "follows no soft or external links in a weights file")
        current = current[part]
        if not isinstance(current, h5py.Group):
            raise FileFormatError(f"{source}: {path!r} should be a group of the weights file, "
                                  f"it is a {type(current).__name__}")
    return current


def _dataset(group, key: str, where: str, source):
    h5py = require_h5py("reading Keras weights")
    link = group.get(key, getlink=True)
    if not isinstance(link, h5py.HardLink):
        kind = "missing" if link is None else f"a {type(link).__name__}"
        raise FileFormatError(f"{source}: {where}/{key} is {kind}")
    ds = group[key]
    if not isinstance(ds, h5py.Dataset) or ds.external or ds.is_virtual:
        raise FileFormatError(f"{source}: {where}/{key} is not a plain dataset stored in the "
                              "file (external and virtual datasets are refused)")
    return ds


def read_arrays(f, path: str, expected: list[tuple], source, kinds="f") -> list[np.ndarray]:
    """The datasets 0..n-1 of ``path/vars``, each checked against (shape, dtype) first."""
    where = f"{path}/vars" if path else "vars"
    group = _group(f, where, source)
    keys = [] if group is None else sorted(group.keys())
    wanted = sorted(str(i) for i in range(len(expected)))
    if keys != wanted:
        raise FileFormatError(f"{source}: {where} holds {len(keys)} weight arrays "
                              f"{keys}, but the model's layer there has {len(expected)}")
    arrays = []
    for i, (shape, dtype) in enumerate(expected):
        ds = _dataset(group, str(i), where, source)
        if ds.shape != tuple(shape) or ds.dtype.kind not in kinds:
            raise FileFormatError(f"{source}: {where}/{i} is {ds.dtype} {ds.shape}, but the "
                                  f"model needs {np.dtype(dtype)} {tuple(shape)}")
        arrays.append(finite(ds[()], f"{where}/{i}", source))
    return arrays


def finite(value, where: str, source) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise FileFormatError(f"{source}: {where} holds NaN or infinite values")
    return array


def read_weights(model, config: dict, f, source) -> list[tuple]:
    """(layer, [arrays]) for every weighted layer, all read and checked before any is set."""
    pending = []
    for path, layer in weight_groups(model, config):
        if _is_model(layer):
            continue
        targets = layer_arrays(layer)
        expected = [(t.shape, t.dtype) for t in targets]
        if expected or _group(f, f"{path}/vars", source) is not None:
            # "fiu": Keras keeps Normalization's count as an int
            pending.append((targets, read_arrays(f, path, expected, source, kinds="fiu")))
    return pending


def read_optimizer(f, source) -> list[np.ndarray] | None:
    group = _group(f, "optimizer/vars", source)
    if group is None:
        return None
    keys = list(group.keys())
    if not 2 <= len(keys) <= 4 * 100_000 + 2 or sorted(keys) != sorted(map(str, range(len(keys)))):
        raise FileFormatError(f"{source}: optimizer/vars holds {len(keys)} entries named "
                              f"{sorted(keys)[:5]}..., not Keras's 0, 1, 2, ...")
    arrays = []
    for i in range(len(keys)):
        ds = _dataset(group, str(i), "optimizer/vars", source)
        if ds.dtype.kind not in "fiu" or ds.size > 2**31:
            raise FileFormatError(f"{source}: optimizer/vars/{i} is {ds.dtype} {ds.shape}")
        arrays.append(ds)
    return arrays
