"""Seed 001's ``neuralNetwork(wih, who)``: the chain-rule worked example as a class.

Weights come in the seed's orientation: ``wih[j, i]`` links input i to hidden unit j and
``who[k, j]`` links hidden unit j to output k (so ``wih = [[w1, w2], [w3, w4]]`` and
``who = [[w5, w6], [w7, w8]]`` in the worked example). Every unit of a layer shares one fixed
bias (``bih`` for the hidden layer, ``bho`` for the output layer) that training never moves.

On glassnet's engine: a float64 :class:`~glassnet.Sequential` of two sigmoid
:class:`~glassnet.layers.Dense` layers; ``wih`` and ``who`` are transposed views of their
kernels. A training step is the engine's forward, backward (with glassnet's
``half_sum_squared_error`` loss, the seed's E_total = sum 1/2 (target - out)^2) and SGD step at
the seed's eta, with the bias gradients zeroed first: the model's ``fixed_weights`` name the
biases, so :func:`glassnet.explain` shows the step this class really takes.
The seed's listing applies the sigmoid's derivative where the sigmoid
belongs (``final_outputs = sigm(final_inputs)``); this class computes what the text derives.

Example
-------
>>> import numpy as np
>>> from glassnet.classic import NeuralNetwork
>>> n = NeuralNetwork(np.array([[0.15, 0.20], [0.25, 0.30]]),
...                   np.array([[0.40, 0.45], [0.50, 0.55]]))
>>> n.query([0.05, 0.10]).ravel().round(9).tolist()
[0.75136507, 0.772928465]
>>> round(n.error([0.05, 0.10], [0.01, 0.99]), 9)
0.298371109
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError, ShapeError
from ..models import training as _training
from ..optimizers import SGD
from ._engine import as_rows, dense_chain, paired

__all__ = ["NeuralNetwork"]


def _matrix(value, name: str) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"argument {name}: cannot be read as a matrix of numbers "
                         f"({exc})") from None
    if array.ndim != 2 or 0 in array.shape or not np.isfinite(array).all():
        raise ShapeError(f"argument {name}: needs a 2-D matrix of finite numbers (rows = units "
                         f"of the next layer), got shape {array.shape}")
    return array


_NAMES = ("inputs_list", "targets_list")


def _one(x: np.ndarray, name: str) -> np.ndarray:
    if len(x) != 1:
        raise DataError(f"argument {name}: this network takes one example at a time, got "
                        f"{len(x)}; loop over the examples")
    return x


class NeuralNetwork:
    """A two-layer sigmoid network with fixed shared biases, trained one example at a time.

    Parameters
    ----------
    wih : array_like, shape (hidden, inputs)
        Input-to-hidden weights, one row per hidden unit.
    who : array_like, shape (outputs, hidden)
        Hidden-to-output weights, one row per output unit.
    bih, bho : float
        The fixed biases of the hidden and the output units (the seed's 0.35 and 0.60).
    eta : float
        The learning rate (the seed's 0.5).
    """

    def __init__(self, wih, who, bih: float = 0.35, bho: float = 0.60, eta: float = 0.5):
        wih, who = _matrix(wih, "wih"), _matrix(who, "who")
        if who.shape[1] != wih.shape[0]:
            raise ShapeError(f"arguments wih and who do not chain: wih has {wih.shape[0]} hidden "
                             f"units (rows) but who has {who.shape[1]} columns; who needs one "
                             "column per hidden unit")
        self.n_inputs, self.n_hidden, self.n_outputs = wih.shape[1], wih.shape[0], who.shape[0]
        self.model = dense_chain([self.n_inputs, self.n_hidden, self.n_outputs],
                                 ["sigmoid", "sigmoid"], use_bias=True, prefix="worked")
        self.model.set_weights([wih.T, np.full(self.n_hidden, float(bih)),
                                who.T, np.full(self.n_outputs, float(bho))])
        self.model.compile(SGD(learning_rate=eta), "half_sum_squared_error")
        self.model.fixed_weights = ("worked_1/bias", "worked_2/bias")  # never trained
        self.bih, self.bho, self.eta = float(bih), float(bho), float(eta)
        self._grad_buffer = np.empty((1, self.n_outputs))

    @property
    def wih(self) -> np.ndarray:
        """Input-to-hidden weights (hidden, inputs): a view of the first kernel."""
        return self.model.layers[0].arrays["kernel"].T

    @property
    def who(self) -> np.ndarray:
        """Hidden-to-output weights (outputs, hidden): a view of the second kernel."""
        return self.model.layers[1].arrays["kernel"].T

    def query(self, inputs_list) -> np.ndarray:
        """The outputs for one input list, as a column (outputs, 1) like the seed's.

        Afterwards ``hidden_inputs``, ``hidden_outputs``, ``final_inputs`` and
        ``final_outputs`` hold the forward pass (columns), named as in the seed.
        """
        x = _one(as_rows(inputs_list, self.n_inputs, "inputs_list"), "inputs_list")
        _training.forward(self.model, x, False)
        hidden, final = self.model.layers
        self.hidden_inputs, self.hidden_outputs = hidden.net.T.copy(), hidden.out.T.copy()
        self.final_inputs, self.final_outputs = final.net.T.copy(), final.out.T.copy()
        return self.final_outputs.copy()

    def error(self, inputs_list, targets_list) -> float:
        """E_total = sum over outputs of 1/2 (target - out)^2 for one example."""
        x, y = paired(inputs_list, targets_list, self.n_inputs, self.n_outputs, _NAMES)
        return self.model.evaluate(_one(x, "inputs_list"), y)

    def gradients(self, inputs_list, targets_list) -> tuple[np.ndarray, np.ndarray]:
        """(dE/dwih, dE/dwho) for one example, in the seed's orientation; weights unchanged.

        Example
        -------
        >>> n = NeuralNetwork([[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]])
        >>> d_ih, d_ho = n.gradients([0.05, 0.10], [0.01, 0.99])
        >>> d_ho.ravel().round(9).tolist()    # dE/dw5 .. dE/dw8
        [0.082167041, 0.082667628, -0.02260254, -0.022740242]
        """
        self._backward(inputs_list, targets_list)
        hidden, final = self.model.layers
        return hidden.grads["kernel"].T.copy(), final.grads["kernel"].T.copy()

    def train(self, inputs_list, targets_list) -> None:
        """One gradient-descent step on one example; the biases stay fixed."""
        self._backward(inputs_list, targets_list)
        self.model.optimizer.step(self.model.params, self.model.grads)

    def explain(self, inputs_list, targets_list, **options):
        """One step of :meth:`train` written out: see :func:`glassnet.explain` (the biases
        are shown fixed, as this class keeps them).

        Example
        -------
        >>> n = NeuralNetwork([[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]])
        >>> step = n.explain([0.05, 0.10], [0.01, 0.99])
        >>> step.updates["w5"].new, step.updates["b_o1"].new
        (0.35891647971788465, 0.6)
        """
        from ..explain import explain

        x, y = paired(inputs_list, targets_list, self.n_inputs, self.n_outputs, _NAMES)
        return explain(self.model, _one(x, "inputs_list"), y, **options)

    def _backward(self, inputs_list, targets_list) -> None:
        x, y = paired(inputs_list, targets_list, self.n_inputs, self.n_outputs, _NAMES)
        x = _one(x, "inputs_list")
        model = self.model
        out = _training.forward(model, x, True)
        _training.backward(model, y, out, None, False, self._grad_buffer)
        for layer in model.layers:
            layer.grads["bias"][...] = 0.0
