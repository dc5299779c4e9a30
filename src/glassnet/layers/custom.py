"""A user's own layer, Keras 3's way: subclass ``Layer``, write ``call()`` with ``glassnet.ops``.

A subclass of :class:`glassnet.layers.Layer` that defines ``call`` but not glassnet's
``forward`` / ``backward`` becomes a :class:`CustomLayer` (``Layer.__init_subclass__`` puts it
in place of ``Layer`` among its bases). Its weights come from ``self.add_weight(...)`` (in
``__init__`` or ``build``) and from the layers it keeps as attributes (nested layers). Training
runs ``call`` on :class:`glassnet.ops.Tensor` s, with each trainable weight a Tensor too, and
its backward walks that record (``ops.tensor.gradients``) to dL/d(input) and dL/d(weights).
``self.add_loss(value)`` in ``call`` adds ``value`` to the training loss; its gradient flows
back through the same record. Inference calls ``call`` on plain arrays.

Example
-------
>>> import numpy as np
>>> from glassnet import layers, ops
>>> class Scale(layers.Layer):
...     def build(self, input_shape):
...         self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="s")
...     def call(self, inputs):
...         return inputs * self.s
>>> scale = Scale(name="scale_doc")
>>> scale(np.array([[1.0, 2.0]])).tolist(), [w.path for w in scale.weights]
([[1.0, 2.0]], ['scale_doc/s'])
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import constraints, initializers, regularizers
from ..errors import ConfigError, ShapeError
from .layer import Layer, _as_shapes, format_shape
from .symbolic import flatten_structure, pack_structure
from .variable import Variable

__all__ = ["CustomLayer", "activation_on_tensor", "call_on_tensors"]


_TAPE: list = []


def _tape():
    """glassnet.ops.tensor, imported on first use (and kept: this runs every step)."""
    if not _TAPE:
        from ..ops import tensor

        _TAPE.append(tensor)
    return _TAPE[0]


_TAKES_TRAINING: dict = {}  # class -> whether its call() has a training argument


class _Borrowed:
    """The storage stand-in of a nested layer: its weights are views of the outer layer's."""

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)


def _weight_shape(shape, where: str) -> tuple:
    dims = () if shape is None else (shape,) if isinstance(shape, (int, np.integer)) else shape
    if not isinstance(dims, (tuple, list)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ConfigError(f"{where}: shape must be a tuple of positive integers (or () for a "
                          f"scalar), got {shape!r}")
    return tuple(int(d) for d in dims)


class CustomLayer(Layer):
    """What a user's ``Layer`` subclass with ``call()`` gets: ``add_weight``, ``add_loss``,
    nested layers, and training through the ops tape."""

    cache_attrs = ("_record",)

    def __init__(self, **kwargs):
        self._specs: dict = {}  # name -> (shape, initializer, trainable, regularizer, constraint)
        self._own_vars: dict[str, Variable] = {}
        self._tape_leaves = None  # name -> Tensor while call() runs for training
        self._losses: list = []
        self._record = None
        super().__init__(**kwargs)

    # -- weights ---------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """A new weight (a Variable), as Keras's ``add_weight``; initialised at once."""
        where = f"layer {getattr(self, 'name', type(self).__name__)!r}: add_weight"
        if "_specs" not in self.__dict__:
            raise ConfigError(f"{where} was called before super().__init__(); call "
                              "super().__init__(**kwargs) first in __init__")
        shape = _weight_shape(shape, where)
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise ConfigError(f"{where}: name must be a non-empty str without '/', got {name!r}")
        base = name or "variable"
        unique, i = base, 0
        while unique in self._specs:
            i += 1
            unique = f"{base}_{i}"
        init = initializers.get("glorot_uniform" if initializer is None else initializer)
        dt = np.dtype(dtype or self.dtype)
        from ..utils import global_generator

        self._specs[unique] = (shape, init, bool(trainable), regularizers.get(regularizer),
                               constraints.get(constraint))
        value = np.asarray(init(shape, dt, global_generator()), dtype=dt)
        self.arrays[unique] = value.reshape(shape)
        variable = self._own_vars[unique] = Variable(self, unique, bool(trainable))
        return variable

    def _sublayers(self) -> list:
        """The layers kept as attributes (directly or in lists, tuples, dicts), in order."""
        cached = self.__dict__.get("_sub_cache")
        if cached is not None:
            return cached
        found, seen = [], {id(self)}
        for value in list(vars(self).values()):
            items = value.values() if isinstance(value, dict) else value if isinstance(
                value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, Layer) and id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
        return found

    def _entries(self):
        """(owner layer, its weight name, name here, is a parameter) of every weight."""
        for name, spec in self._specs.items():
            yield self, name, name, spec[2]
        for sub in self._sublayers():
            if not sub.built:
                continue
            if isinstance(sub, CustomLayer):
                for owner, local, full, param in sub._entries():
                    yield owner, local, f"{sub.name}/{full}", param and sub.trainable
            else:
                for n, _, _ in sub.param_specs():
                    yield sub, n, f"{sub.name}/{n}", sub.trainable
                for n, _, _ in sub.state_specs():
                    yield sub, n, f"{sub.name}/{n}", False

    def _all_specs(self, param: bool) -> list:
        specs = []
        for owner, local, full, is_param in self._entries():
            if is_param == param:
                shape = owner.arrays[local].shape if local in owner.arrays else \
                    owner._specs[local][0]
                specs.append((full, shape, initializers.get("zeros")))
        return specs

    def param_specs(self):
        return self._all_specs(True)

    def state_specs(self):
        return self._all_specs(False)

    def bind(self, arrays: dict, grads: dict, rng) -> None:
        """Adopt views of a model's buffers, keeping every weight's value; hand the nested
        layers theirs."""
        self._sub_cache = None
        entries = list(self._entries())
        for owner, local, full, _ in entries:
            arrays[full][...] = owner.arrays[local]
        self._sub_cache = self._sublayers()
        self._param_names = [full for _, _, full, p in entries if p]
        self._distribute(entries, arrays, grads, np.dtype(next(iter(arrays.values())).dtype)
                         if arrays else np.dtype(self.dtype))

    def _distribute(self, entries, arrays, grads, dtype) -> None:
        by_owner: dict[int, tuple] = {}
        for owner, local, full, _ in entries:
            own_arrays, own_grads = by_owner.setdefault(id(owner), (owner, {}, {}))[1:]
            own_arrays[local] = arrays[full]
            own_grads[local] = grads[full] if full in grads else np.zeros_like(arrays[full])
        for owner, own_arrays, own_grads in by_owner.values():
            if owner is not self:
                owner.arrays, owner.grads = own_arrays, own_grads
                owner._storage = _Borrowed(dtype)
        self.arrays = dict(arrays)
        self.grads = {full: grads[full] if full in grads else np.zeros_like(arrays[full])
                      for full in arrays}
        self._full_names = {(id(owner), local): full for owner, local, full, _ in entries}
        self._owners = {id(owner): owner for owner, _, _, _ in entries}

    def _variable_of(self, owner, local):
        if isinstance(owner, CustomLayer):
            return owner._own_vars[local]
        return Variable(owner, local, local in dict((n, 1) for n, _, _ in owner.param_specs()))

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        self._materialize()
        return [self._variable_of(o, loc) for o, loc, _, p in self._entries() if p]

    @property
    def non_trainable_weights(self) -> list:
        self._materialize()
        return [self._variable_of(o, loc) for o, loc, _, p in self._entries()
                if not (p and self.trainable)]

    def _materialize(self) -> None:
        if self.built:
            self._ensure_weights()

    def _regularizer_for(self, name: str):
        owner, local = self._owner_of(name)
        if isinstance(owner, CustomLayer):
            return owner._specs[local][3]
        return owner._regularizer_for(local)

    def _constraint_for(self, name: str):
        owner, local = self._owner_of(name)
        if isinstance(owner, CustomLayer):
            return owner._specs[local][4]
        return owner._constraint_for(local)

    def _owner_of(self, full: str):
        for owner, local, name, _ in self._entries():
            if name == full:
                return owner, local
        raise ConfigError(f"layer {self.name!r} has no weight {full!r}")

    # -- losses ----------------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        """Add ``loss`` (a scalar written with glassnet.ops) to the training loss, as Keras."""
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Keras's ``layer.losses``: what the last call added with ``add_loss``, then the
        penalties of the weights' regularizers, then the nested layers' (floats)."""
        tape = _tape()
        found = [float(np.sum(tape.value_of(v))) for v in self._losses]
        found += [float(spec[3](self.arrays[name])) for name, spec in self._specs.items()
                  if spec[3] is not None and name in self.arrays]
        for sub in self._sublayers():
            found += [float(v) for v in getattr(sub, "losses", [])]
        return found

    def _loss_tensors(self) -> list:
        found = list(self._losses)
        for sub in self._sublayers():
            if isinstance(sub, CustomLayer):
                found += sub._loss_tensors()
        return found

    def _clear_losses(self) -> None:
        self._losses = []
        for sub in self._sublayers():
            if isinstance(sub, CustomLayer):
                sub._clear_losses()

    def _loss_total(self) -> float:
        tape = _tape()
        return float(sum(float(np.sum(tape.value_of(v))) for v in self._loss_tensors()))

    # -- building --------------------------------------------------------------------------
    def _custom_build(self, shape, probe: bool = True) -> None:
        shapes = _as_shapes(shape)
        self.multiple_inputs = isinstance(shapes, list)
        batched = [(None, *s) for s in shapes] if isinstance(shapes, list) else (None, *shapes)
        if type(self).build is not CustomLayer.build:
            self.build(batched)
        self.input_shape = shapes
        self.built = True
        if type(self).compute_output_shape is not CustomLayer.compute_output_shape:
            out = self.compute_output_shape(batched)
            self.output_shape = tuple(out)[1:]
        elif probe:
            self.output_shape = self._probe(shapes)
        else:  # an eager call: its own result gives the shape (no extra call of call())
            self.output_shape = None

    def build(self, input_shape) -> None:
        """Create the weights (a subclass's own); Keras's base build only marks it built."""
        self.built = True

    def compute_output_shape(self, input_shape):
        return self.output_shape

    def _probe(self, shapes):
        """The output shape from calling ``call`` on two rows of zeros (builds nested layers)."""
        many = isinstance(shapes, list)
        zeros = [np.zeros((2, *s), dtype=self.dtype) for s in (shapes if many else [shapes])]
        out = self._run_call(zeros if many else zeros[0], False)
        self._clear_losses()
        value = np.asarray(_tape().value_of(out))
        if value.ndim < 1 or value.shape[0] != 2:
            raise ShapeError(f"layer {self.name!r}: call() returned shape {value.shape} for a "
                             "batch of 2; it must keep the batch axis first")
        return value.shape[1:]

    def _ready(self, shape, probe: bool = True) -> None:
        if not self.built:
            self._custom_build(shape, probe)
        else:
            self.check_input_shape(shape)

    def _call_symbolic(self, flat, structure):
        shape = self._shape_argument([t.shape[1:] for t in flat], structure)
        self._ready(shape)
        if self.output_shape is None:  # built by an eager call that never finished
            self.output_shape = self._probe(self.input_shape)
        return Layer._call_symbolic(self, flat, structure)

    def _call_eager(self, flat, structure, training):
        shapes = [np.shape(a)[1:] for a in flat]
        if all(len(np.shape(a)) >= 2 for a in flat):
            fresh = not self.built
            self._ready(self._shape_argument(shapes, structure), probe=False)
            if fresh:  # nested layers build during this first call: bind them all after it
                out = Layer._call_eager(self, flat, structure, training)
                self._storage = self._sub_cache = self._param_names = None
                self._ensure_weights()
                return out
        return Layer._call_eager(self, flat, structure, training)

    # -- computation -----------------------------------------------------------------------
    def _run_call(self, inputs, training):
        self._clear_losses()
        takes = _TAKES_TRAINING.get(type(self))
        if takes is None:
            takes = _TAKES_TRAINING[type(self)] = "training" in inspect.signature(
                self.call).parameters
        kwargs = {"training": bool(training)} if takes else {}
        try:
            with np.errstate(all="ignore"):  # inf/NaN flow on as values, as in Keras
                return self.call(inputs, **kwargs)
        except _tape().NumpyOnTensorError as exc:
            raise type(exc)(f"layer {self.name!r} ({type(self).__name__}): {exc}") from None

    def _install(self, leaves) -> None:
        """Point every nested custom layer's weights at their tape leaves (None: arrays)."""
        owners = getattr(self, "_owners", {})
        names = getattr(self, "_full_names", {})
        for owner in [self, *(o for o in owners.values() if isinstance(o, CustomLayer))]:
            if leaves is None:
                owner._tape_leaves = None
            else:
                owner._tape_leaves = {local: leaves[full] for (oid, local), full in names.items()
                                      if oid == id(owner) and full in leaves}

    def forward(self, x, training=False):
        flat, structure = flatten_structure(x)
        n, dtype = len(flat[0]), flat[0].dtype
        self._record = None
        if not training:
            out = self._run_call(x, False)
            return self._checked(out, n, dtype)
        tape = _tape()
        inputs = [tape.Tensor(a) for a in flat] if self.needs_input_grad else list(flat)
        leaves = {name: tape.Tensor(g_owner) for name, g_owner in self._trainable_arrays()}
        self._install(leaves)
        _ACTIVE.append(self)
        try:
            out = self._run_call(pack_structure(inputs, structure), True)
        finally:
            _ACTIVE.pop()
            self._install(None)
        self._record = (inputs, leaves, out, self._loss_tensors(), structure)
        return self._checked(out, n, dtype)

    def _trainable_arrays(self):
        if not self.trainable:
            return []
        names = self.__dict__.get("_param_names")
        if names is None:
            names = [full for _, _, full, p in self._entries() if p]
        return [(full, self.arrays[full]) for full in names]

    def _checked(self, out, n, dtype):
        if isinstance(out, (list, tuple)):
            raise ConfigError(f"layer {self.name!r}: call() returned a {type(out).__name__}; a "
                              "glassnet custom layer gives one tensor")
        value = np.asarray(_tape().value_of(out))
        if value.shape[:1] != (n,) or (self.output_shape is not None
                                       and value.shape[1:] != tuple(self.output_shape)):
            raise ShapeError(f"layer {self.name!r}: call() returned shape {value.shape} for a "
                             f"batch of {n}; the layer's output shape is "
                             f"{format_shape(self.output_shape)}")
        if self.output_shape is None:
            self.output_shape = value.shape[1:]
        return np.ascontiguousarray(value, dtype=dtype)

    def backward(self, grad, preactivation_grad=False):
        tape = _tape()
        if self._record is None:
            raise ConfigError(f"layer {self.name!r}: backward needs a forward pass with "
                              "training=True first")
        inputs, leaves, out, losses, structure = self._record
        if self.needs_input_grad and not isinstance(inputs[0], tape.Tensor):
            self.forward(pack_structure(inputs, structure), True)  # now with input gradients
            inputs, leaves, out, losses, structure = self._record
        parents = (out, *losses)
        seeds = [np.asarray(grad, dtype=tape.value_of(out).dtype),
                 *(np.ones_like(tape.value_of(v)) for v in losses)]
        root = tape.record(np.zeros(()), parents, lambda g: seeds)
        names = list(leaves)
        self._builtin_grads = {}
        watched = [t for t in inputs if isinstance(t, tape.Tensor)]
        found = tape.gradients(root, [*watched, *leaves.values()], np.ones(()))
        for name, g in zip(names, found[len(watched):], strict=True):
            self.grads[name][...] = g
        for full, g in self._builtin_grads.items():
            self.grads[full][...] = g
        if not self.needs_input_grad:
            return None
        grads = [g.astype(t.value.dtype, copy=False) for g, t in zip(found[:len(watched)],
                                                                      watched, strict=True)]
        return grads[0] if structure == "single" else grads

    def get_config(self) -> dict:
        return Layer.get_config(self)


def call_on_tensors(layer, flat, structure, training):
    """``layer`` called inside another layer's ``call`` on ops Tensors: a custom layer runs
    its ``call`` on them; a built-in layer records its forward and backward as one op."""
    tape = _tape()
    shapes = [t.shape[1:] for t in flat]
    shape = layer._shape_argument([tuple(s) for s in shapes], structure)
    if isinstance(layer, CustomLayer):
        layer._ready(shape, probe=False)
        out = layer._run_call(pack_structure(flat, structure), training)
        if layer.output_shape is None:
            layer.output_shape = np.shape(tape.value_of(out))[1:]
        return out
    if not layer.built:
        layer.build(shape)
        layer._ensure_weights()
    values = [t.value if isinstance(t, tape.Tensor) else np.asarray(t) for t in flat]
    layer._fresh_call_state()  # workspaces of its own per call: it may be called again
    out = layer.forward(pack_structure(values, structure), bool(training))
    state = layer._save_call_state()
    outer = _outer_of(layer)

    def vjp(g):
        layer._load_call_state(state)
        layer.needs_input_grad = True
        real = layer.grads
        layer.grads = {k: np.zeros_like(v) for k, v in real.items()}
        try:
            gin = layer.backward(g)
        finally:
            scratch, layer.grads = layer.grads, real
        if outer is not None:
            acc = outer._builtin_grads
            for k, v in scratch.items():
                full = outer._full_names.get((id(layer), k))
                if full is not None:
                    acc[full] = acc[full] + v if full in acc else v
        return tuple(gin) if isinstance(gin, list) else (gin,)

    return tape.record(np.asarray(out), tuple(flat), vjp)


def activation_on_tensor(activation, x):
    """An activation function (``glassnet.activations.relu``) applied to an ops Tensor."""
    tape = _tape()
    z = x.value
    a = activation.forward(z, np.empty_like(z))
    return tape.record(a, (x,), lambda g: (activation.backward(g, z, a, np.empty_like(z)),))


_ACTIVE: list = []  # the custom layers whose training call() is running, innermost last


def _outer_of(layer):
    for outer in reversed(_ACTIVE):
        if (id(layer), next(iter(layer.grads), None)) in getattr(outer, "_full_names", {}):
            return outer
    return None
