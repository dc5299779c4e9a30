"""Seed 004's ``ANN`` builder: a network declared call by call, then trained an epoch per ``run``.

::

    net = ANN()
    net.Input(size=image_train.shape)   # (N, 28, 28)
    net.Flatten()
    net.add_ann_layer(128)
    net.relu()
    net.add_ann_layer(10)
    net.softmax()
    net.compile()
    net.show()
    for epoch in range(5):
        loss = net.run(X=image_train, Y=label_train, batchsize=32)

Each call appends a layer record (a ``SimpleNamespace`` with ``name``, ``property`` --
``'function'``, ``'activation'`` or ``'param'`` -- and ``dims``), as the seed's ``__add_layer``
does. ``compile()`` turns the records into a glassnet :class:`~glassnet.Sequential`
(``Flatten``, ``Dense``, activation layers) trained with the categorical cross-entropy and SGD;
each ``'param'`` record's ``params`` dict then holds ``w{i}`` and ``b{i}``, views of that Dense
layer's kernel and bias, and ``grads`` the matching gradient views. Softmax followed by the
cross-entropy gives the fused gradient ``alpha - Y_tgt`` the seed derives.

Example
-------
>>> import numpy as np
>>> from glassnet.classic import ANN
>>> net = ANN(seed=0)
>>> net.Input(size=(8, 2, 2)); net.Flatten(); net.add_ann_layer(3); net.relu()
>>> net.add_ann_layer(2); net.softmax(); net.compile()
>>> net.show()
Layer name | parameters
==========================
flatten
ANN layers |	 weight : (4, 3) |	 bias : (1, 3)
relu
ANN layers |	 weight : (3, 2) |	 bias : (1, 2)
softmax
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np

from .. import layers
from .._blas import training_threads
from .._checks import positive_count, positive_number
from ..errors import ConfigError, NotCompiledError, TrainingDivergedError
from ..models import Sequential
from ..models import training as _training
from ..optimizers import SGD
from ..utils import as_generator

__all__ = ["ANN"]

_ACTIVATIONS = ("relu", "sigmoid", "softmax")


class ANN:
    """A network built call by call (seed 004), trained by mini-batch SGD on one-hot targets.

    Parameters
    ----------
    lr : float, default 0.1
        The learning rate of every ``'param'`` layer.
    kernel_initializer : str, default 'uniform'
        The seed's ``np.random.uniform(-1, 1, ...)``; any glassnet initializer name works
        (``'he_uniform'`` suits ReLU layers). Biases start at zero.
    seed : int, numpy.random.Generator or None
        Draws the initial weights.
    dtype : 'float32' (default) or 'float64'
    """

    def __init__(self, lr: float = 0.1, kernel_initializer="uniform", seed=None,
                 dtype="float32"):
        self.lr = positive_number(lr, "lr")
        self.kernel_initializer = kernel_initializer
        self.seed = seed
        self.dtype = dtype
        self.layers: list[SimpleNamespace] = []
        self.input_size: tuple | None = None
        self.model: Sequential | None = None
        self.loss_score: list[float] = []

    # -- declaring the layers --------------------------------------------------------------
    def Input(self, size) -> None:
        """Declare the data's shape, ``(N, width, height)`` as ``images.shape`` gives it."""
        if not isinstance(size, (tuple, list)) or len(size) < 2:
            raise ConfigError(f"ANN.Input: size must be the data's shape (N, width, height) or "
                              f"(N, features), got {size!r}")
        self.input_size = tuple(positive_count(d, f"ANN.Input: size[{i}]")
                                for i, d in enumerate(size))
        self.model = None

    def Flatten(self) -> None:
        """Add a layer that flattens each sample to a vector."""
        self._add_layer("flatten", 0)

    def add_ann_layer(self, dims: int) -> None:
        """Add a fully connected layer of ``dims`` units."""
        self._add_layer("ANN layers", positive_count(dims, "ANN.add_ann_layer: dims"))

    def relu(self) -> None:
        """Add a ReLU activation."""
        self._add_layer("relu", 0)

    def sigmoid(self) -> None:
        """Add a sigmoid activation."""
        self._add_layer("sigmoid", 0)

    def softmax(self) -> None:
        """Add a softmax activation."""
        self._add_layer("softmax", 0)

    def _add_layer(self, name: str, dims: int) -> None:
        kind = ("function" if name == "flatten" else
                "activation" if name in _ACTIVATIONS else "param")
        self.layers.append(SimpleNamespace(name=name, dims=dims, property=kind, params={},
                                           grads={}))
        self.model = None

    # -- building and showing --------------------------------------------------------------
    def compile(self) -> None:
        """Build the glassnet model from the layer records and allocate its parameters."""
        if self.input_size is None:
            raise ConfigError("ANN.compile: the input shape is unknown; call Input(size=X.shape) "
                              "before the other layers")
        if not any(r.property == "param" for r in self.layers):
            raise ConfigError("ANN.compile: no ANN layer; add one with add_ann_layer(dims)")
        built = [self._glassnet_layer(i, record) for i, record in enumerate(self.layers)]
        self.model = Sequential([layers.Input(self.input_size[1:]), *built], name="ann",
                                dtype=self.dtype)
        rng = as_generator(self.seed)
        for layer in built:
            if isinstance(layer, layers.Dense):
                layer.kernel[...] = layer.kernel_initializer(layer.kernel.shape, self.dtype, rng)
        self.model.compile(SGD(learning_rate=self.lr), "categorical_crossentropy")
        for i, (record, layer) in enumerate(zip(self.layers, built, strict=True)):
            if record.property == "param":
                record.params = {f"w{i}": layer.arrays["kernel"], f"b{i}": layer.arrays["bias"]}
                record.grads = {f"w{i}": layer.grads["kernel"], f"b{i}": layer.grads["bias"]}

    def _glassnet_layer(self, i: int, record) -> layers.Layer:
        name = f"ann_{i}_{record.name.split()[0].lower()}"
        if record.property == "function":
            return layers.Flatten(name=name)
        if record.property == "activation":
            return layers.Activation(record.name, name=name)
        return layers.Dense(record.dims, kernel_initializer=self.kernel_initializer, name=name)

    def show(self) -> None:
        """Print each layer's name and, once compiled, its weight and bias shapes."""
        print("Layer name | parameters")
        print("==========================")
        for i, record in enumerate(self.layers):
            if record.property == "param" and record.params:
                weight, bias = record.params[f"w{i}"], record.params[f"b{i}"]
                print(record.name, "|\t weight :", weight.shape, "|\t bias :", (1, *bias.shape))
            else:
                print(record.name)

    # -- training and prediction -----------------------------------------------------------
    def run(self, X, Y, batchsize: int = 32, verbose: bool = True) -> float:
        """Train one epoch over ``X`` in order, ``batchsize`` rows per step; the minimum loss.

        ``Y`` holds one-hot rows. A tqdm bar shows each step's loss.
        """
        model = self._compiled("run")
        batchsize = positive_count(batchsize, "ANN.run: batchsize")
        x, y, _ = _training.prepare_single(model, X, Y)
        x = np.ascontiguousarray(x, dtype=model.dtype)
        model.optimizer.build(model.params)
        grad_buffer = np.empty((batchsize, *model.output_shape), model.dtype)
        fused, losses = model.fused_output, []
        from tqdm.auto import tqdm

        gage = tqdm(range(0, len(x), batchsize), mininterval=0.5, disable=not verbose,
                    file=sys.stdout)
        with training_threads(model, batchsize), np.errstate(over="ignore", invalid="ignore"):
            for lo in gage:
                losses.append(self._step(model, x, y, lo, batchsize, fused, grad_buffer))
                gage.set_description(f"loss : {losses[-1]:.3f}", refresh=False)
        self.loss_score = losses
        return float(np.min(losses))

    def _step(self, model, x, y, lo, batchsize, fused, grad_buffer) -> float:
        try:
            batch = _training.Batch([x[lo:lo + batchsize]], [y[lo:lo + batchsize]], None)
            loss, _, _ = _training.train_step(model, batch, [grad_buffer])
        except _training.Diverged as diverged:
            raise TrainingDivergedError(
                f"ANN.run: the loss became {diverged.args[0]} at rows {lo}.."
                f"{lo + batchsize - 1}; lower lr (now {self.lr})") from None
        return loss

    def predict(self, X) -> np.ndarray:
        """The output layer's values (class probabilities after a softmax) for ``X``."""
        return self._compiled("predict").predict(X)

    def _compiled(self, action: str) -> Sequential:
        if self.model is None:
            raise NotCompiledError(f"ANN.{action}: the network is not compiled; call compile() "
                                   "after declaring the layers")
        return self.model

