"""Seed 004's logic-gate perceptrons: ``Perceptron`` (AND, NAND, OR, NOR) and the XOR form.

Both are sigmoid units trained by full-batch gradient descent on the binary cross-entropy, on
glassnet's engine (a float64 :class:`~glassnet.Sequential` of sigmoid
:class:`~glassnet.layers.Dense` layers, the ``binary_crossentropy`` loss, whose gradient with
respect to the pre-activation is the fused ``alpha - Y_tgt`` the seed derives, and SGD).
The seed's update sums the weight gradients over the rows (``dw = X^T dZ``) but averages the
bias gradient (``db = mean(dZ)``); the engine averages both, so the kernels' gradients are
multiplied by the number of rows before each step to take exactly the seed's step.

``run()`` returns the history the seed plots: one tuple per iteration, the loss first, then
the parameters that gave it.

Example
-------
>>> from glassnet.classic import Perceptron
>>> from glassnet.datasets import toy
>>> X, Y = toy.logic_gate("and")
>>> gate = Perceptron(X, Y, lr=0.1, iteration=2000, seed=0)
>>> history = gate.run()
>>> loss, weight, bias = history[-1]
>>> (gate.forward() >= 0.5).astype(int).tolist()
[0, 0, 0, 1]
"""

from __future__ import annotations

import reprlib

import numpy as np

from .. import activations, losses
from .._checks import positive_count, positive_number
from ..errors import ConfigError, DataError
from ..models import training as _training
from ..optimizers import SGD
from ._engine import as_rows, dense_chain

__all__ = ["Perceptron", "TwoLayerPerceptron"]


def _is_table(X) -> bool:
    try:
        return np.ndim(X) == 2
    except ValueError:  # rows of different lengths
        return False


def _numbers(value, where: str) -> np.ndarray:
    """``value`` as float64 numbers of any shape, or a DataError saying where."""
    try:
        array = np.asarray(value)
    except ValueError:  # rows of different lengths
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise DataError(f"{where}: takes numbers (an array of them), got {reprlib.repr(value)}")
    return array.astype(np.float64, copy=False)


class _GateNetwork:
    """What both perceptrons share: data checks, the engine step, activation and loss."""

    def __init__(self, X, Y, lr, iteration, sizes, seed):
        width = np.shape(X)[1] if _is_table(X) else 0
        self.X = as_rows(X, width, "X")
        self.Y = as_rows(np.reshape(np.asarray(Y, dtype=np.float64), (-1, 1)), 1, "Y")
        if len(self.Y) != len(self.X):
            raise DataError(f"arguments X and Y differ in length: {len(self.X)} rows in X but "
                            f"{len(self.Y)} targets in Y; give one target per row")
        if ((self.Y < 0) | (self.Y > 1)).any():
            raise DataError("argument Y: targets must be 0 or 1 (a truth table's outputs)")
        self.lr, self.iteration = positive_number(lr, "lr"), positive_count(iteration, "iteration")
        self.model = dense_chain([self.X.shape[1], *sizes], ["sigmoid"] * len(sizes),
                                 use_bias=True, prefix=type(self).__name__.lower())
        self.model.compile(SGD(learning_rate=self.lr), "binary_crossentropy")
        # the seed sums the kernels' gradient over the rows (and averages the bias's): explain
        # reads this to show the step run() really takes
        self.model.gradient_scale = {f"{layer.name}/kernel": len(self.X)
                                     for layer in self.model.layers}
        self._init_weights(np.random.default_rng(seed) if seed is not None else None)
        self._grad_buffer = np.empty((len(self.X), 1))

    def activation(self, X) -> np.ndarray:
        """The sigmoid, 1 / (1 + e^-X), of the pre-activations ``X`` (numbers, any shape)."""
        where = f"{type(self).__name__}.activation"
        if isinstance(X, str):
            others = ", ".join(repr(n) for n in activations._ACTIVATIONS.names() if n != "sigmoid")
            raise ConfigError(f"{where}: takes numbers (the pre-activations X @ weight + bias), "
                              f"not a name such as {X!r}; the seed's perceptrons always use "
                              f"'sigmoid'. The other activations ({others}) are for glassnet "
                              "models: glassnet.layers.Dense(units, activation=name)")
        return activations.sigmoid(_numbers(X, where))

    def loss(self, Ytgt, Ypred) -> float:
        """Mean binary cross-entropy of predictions ``Ypred`` against targets ``Ytgt``."""
        y = np.reshape(np.asarray(Ytgt, dtype=np.float64), (-1, 1))
        return losses.get("binary_crossentropy")(y, np.reshape(Ypred, (-1, 1)))

    def forward(self) -> np.ndarray:
        """The network's outputs for every row of ``X``, shape (n,)."""
        return _training.forward(self.model, self.X, False)[:, 0].copy()

    def run(self, verbose: bool = False) -> list[tuple]:
        """``iteration`` full-batch steps; the history (loss, *parameters) of each one."""
        history = []
        for _ in range(self.iteration):
            snapshot = self._snapshot()
            loss = self._step()
            if verbose:
                print("loss : ", loss)
            history.append((loss, *snapshot))
        self.loss_score = [h[0] for h in history]
        return history

    def _step(self) -> float:
        model, n = self.model, len(self.X)
        out = _training.forward(model, self.X, True)
        value = _training.loss_value(model, self.Y, out, None, True)
        _training.backward(model, self.Y, out, None, True, self._grad_buffer)
        for layer in model.layers:
            layer.grads["kernel"] *= n
        model.optimizer.step(model.params, model.grads)
        return value

    def _init_weights(self, rng) -> None:
        raise NotImplementedError

    def _snapshot(self) -> tuple:
        raise NotImplementedError


class Perceptron(_GateNetwork):
    """One sigmoid unit: ``activation(X @ weight + bias)``, weights and bias drawn with ``rand``.

    Parameters
    ----------
    X : array_like, shape (n, features)
    Y : array_like, shape (n,) or (n, 1), of 0 and 1
    lr : float, default 0.1
    iteration : int, default 100
    seed : int, optional
        Draws the initial weight and bias (uniform on [0, 1)); None uses NumPy's global state.
    """

    def __init__(self, X, Y, lr: float = 0.1, iteration: int = 100, seed=None):
        super().__init__(X, Y, lr, iteration, [1], seed)

    @property
    def weight(self) -> np.ndarray:
        """The weights, shape (features,): a view into the model's parameters."""
        return self.model.layers[0].arrays["kernel"][:, 0]

    @property
    def bias(self) -> np.ndarray:
        """The bias, shape (1,): a view into the model's parameters."""
        return self.model.layers[0].arrays["bias"]

    def Model(self) -> np.ndarray:
        """The linear model ``X @ weight + bias`` for every row, shape (n,)."""
        return self.X @ self.weight + self.bias

    def _init_weights(self, rng):
        draw = (rng or np.random).random
        self.weight[...] = draw(self.weight.shape)
        self.bias[...] = draw(1)

    def _snapshot(self):
        return self.weight.copy(), self.bias.copy()


class TwoLayerPerceptron(_GateNetwork):
    """Seed 004's XOR network: a hidden layer of sigmoid units, then one sigmoid output.

    ``weight1`` (features, hidden) and ``weight2`` (hidden,) start uniform on [-1, 1), the
    biases at zero, as in the seed. ``run()`` returns ``(loss, weight1, bias1, weight2, bias2)``
    per iteration.

    Example
    -------
    >>> from glassnet.datasets import toy
    >>> X, Y = toy.logic_gate("xor")
    >>> net = TwoLayerPerceptron(X, Y, lr=0.5, iteration=3000, seed=3)
    >>> history = net.run()
    >>> (net.forward() >= 0.5).astype(int).tolist()
    [0, 1, 1, 0]
    """

    def __init__(self, X, Y, lr: float = 0.1, iteration: int = 5000, hidden: int = 2,
                 seed=None):
        super().__init__(X, Y, lr, iteration, [positive_count(hidden, "hidden"), 1], seed)

    @property
    def weight1(self) -> np.ndarray:
        return self.model.layers[0].arrays["kernel"]

    @property
    def bias1(self) -> np.ndarray:
        return self.model.layers[0].arrays["bias"]

    @property
    def weight2(self) -> np.ndarray:
        return self.model.layers[1].arrays["kernel"][:, 0]

    @property
    def bias2(self) -> np.ndarray:
        return self.model.layers[1].arrays["bias"]

    @staticmethod
    def Model(X, weight, bias) -> np.ndarray:
        """One linear layer, ``X @ weight + bias``."""
        return _numbers(X, "TwoLayerPerceptron.Model") @ weight + bias

    Linear = Model

    def predict(self, X, weight1, bias1, weight2, bias2) -> np.ndarray:
        """Outputs (n,) for ``X`` with given parameters (a snapshot from ``run``'s history)."""
        hidden = self.activation(self.Model(X, weight1, bias1))
        return self.activation(self.Model(hidden, weight2, bias2))

    def _init_weights(self, rng):
        draw = (rng or np.random).uniform
        self.weight1[...] = draw(-1, 1, self.weight1.shape)
        self.weight2[...] = draw(-1, 1, self.weight2.shape)
        self.bias1[...] = 0.0
        self.bias2[...] = 0.0

    def _snapshot(self):
        return (self.weight1.copy(), self.bias1.copy(), self.weight2.copy(),
                self.bias2.copy())
