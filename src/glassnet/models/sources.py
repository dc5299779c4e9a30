"""Data that comes a batch at a time: Python generators and Keras-style ``PyDataset`` s.

``fit(x=source)`` takes, as Keras does, a generator (or any iterator) yielding ``(x, y)`` or
``(x, y, sample_weight)`` batches, or a :class:`PyDataset`: an object with ``__len__`` (the
number of batches) and ``__getitem__(i)`` (batch ``i``), whose ``on_epoch_end()`` is called after
each epoch. An epoch of a PyDataset is ``len(dataset)`` batches (in shuffled order when
``shuffle=True``); of a generator, ``steps_per_epoch`` batches, or until it is exhausted.
Every batch is checked like arrays are.

Example
-------
>>> import numpy as np, glassnet
>>> class Squares(glassnet.utils.PyDataset):
...     def __len__(self):
...         return 3
...     def __getitem__(self, i):
...         x = np.full((4, 1), float(i))
...         return x, x ** 2
>>> model = glassnet.Sequential([glassnet.layers.Dense(1, input_shape=(1,))])
>>> model.compile("sgd", "mse")
>>> len(model.fit(Squares(), epochs=2, verbose=0).history["loss"])
2
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, DataError
from ..utils import PyDataset

__all__ = ["is_source", "predict_source", "source_epochs"]


def is_source(x) -> bool:
    """True for a generator / iterator or a PyDataset-like object (not arrays or containers)."""
    if isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(x, "iloc"):
        return False
    if isinstance(x, PyDataset):
        return True
    return hasattr(x, "__next__") or (hasattr(x, "__getitem__") and hasattr(x, "__len__")
                                       and not hasattr(x, "shape"))


def unpack(item, where: str, inputs_only: bool = False):
    """(x, y, sample_weight) from one yielded batch (for predict, x alone is enough)."""
    if inputs_only and not isinstance(item, tuple):
        return item, None, None
    if inputs_only and len(item) == 1:
        return item[0], None, None
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return (*item, None) if len(item) == 2 else tuple(item)
    raise DataError(f"{where}: each batch must be a tuple (x, y) or (x, y, sample_weight), got "
                    f"{type(item).__name__}")


class Source:
    """The batches of one generator or PyDataset, epoch by epoch."""

    def __init__(self, source, steps, shuffle: bool, rng, what: str = "x",
                 inputs_only: bool = False):
        self.source, self.what, self.inputs_only = source, what, inputs_only
        self.dataset = not hasattr(source, "__next__")
        if not self.dataset and steps is None:
            steps = None  # until the generator is exhausted
        self.steps = len(source) if self.dataset and steps is None else steps
        self.shuffle, self.rng = shuffle and self.dataset, rng
        self._peeked = None
        self.exhausted = False

    def peek(self):
        """The first batch (kept for the first epoch), to build the model from."""
        if self._peeked is None:
            self._peeked = self._get(0)
        return self._peeked

    def _get(self, index):
        where = f"argument {self.what} (batch {index})"
        if self.dataset:
            return unpack(self.source[index], where, self.inputs_only)
        try:
            return unpack(next(self.source), where, self.inputs_only)
        except StopIteration:
            return None

    def epoch(self):
        """Yield this epoch's (x, y, w) batches."""
        n = self.steps
        order = list(range(n)) if self.dataset else None
        if order is not None and self.shuffle:
            order = [int(i) for i in self.rng.permutation(n)]
        step = 0
        while n is None or step < n:
            if self._peeked is not None and (order is None or order[step] == 0):
                item, self._peeked = self._peeked, None
            else:
                item = self._get(order[step] if order is not None else step)
            if item is None:
                self.exhausted = True
                return
            yield item
            step += 1
        if self.dataset and hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()


def source_epochs(x, y, sample_weight, steps, shuffle, rng, what="x") -> Source:
    """A :class:`Source` for ``x``, after refusing what Keras refuses beside it."""
    if y is not None:
        raise ConfigError(f"argument y must be None when {what} is a generator or a PyDataset: "
                          "the batches carry their targets, as (x, y) tuples")
    if sample_weight is not None:
        raise ConfigError(f"argument sample_weight must be None when {what} is a generator or a "
                          "PyDataset: yield (x, y, sample_weight) batches instead")
    if hasattr(x, "__len__") and not hasattr(x, "__next__") and len(x) == 0:
        raise DataError(f"argument {what}: the dataset has no batches")
    return Source(x, steps, shuffle, rng, what)


def predict_source(model, x, steps, callbacks):
    """The outputs for every batch of a generator or PyDataset, joined in order."""
    from .training import predict

    source = Source(x, steps, False, None, "x", inputs_only=True)
    parts = []
    for step, (xb, _, _) in enumerate(source.epoch()):
        callbacks.on_predict_batch_begin(step, {})
        out = predict(model, xb)
        parts.append(out if isinstance(out, list) else [out] if not isinstance(out, dict)
                     else [out[k] for k in model.output_names])
        callbacks.on_predict_batch_end(step, {"outputs": out})
    if not parts:
        raise DataError("argument x: the generator or dataset gave no batches to predict")
    joined = [np.concatenate(column) for column in zip(*parts, strict=True)]
    return model._pack_outputs(joined)
