"""Seed 000's ``MLP`` class: a sigmoid multilayer perceptron trained sample by sample.

The seed's names and call shapes, on glassnet's engine: the network is a float64
:class:`~glassnet.Sequential` of bias-free sigmoid :class:`~glassnet.layers.Dense` layers, and

- ``weights[i]`` is layer i's kernel, an (inputs, outputs) view into the model's flat ``params``;
- ``derivatives[i]`` is the matching view into the model's flat ``grads``;
- ``activations[i]`` is what layer i received (``activations[0]`` is the input itself).

The seed's sign convention is kept: ``back_propagate(error)`` takes ``error = target - output``,
which is *minus* dE/d(output) for E = 1/2 sum (target - output)^2, so ``derivatives`` hold
minus dE/dW and ``gradient_descent`` *adds* them. That is the same step as glassnet's SGD.

Example
-------
>>> import numpy as np
>>> from glassnet.classic import MLP
>>> mlp = MLP(num_inputs=3, hidden_layers=[3, 3], num_outputs=2, seed=0)
>>> [w.shape for w in mlp.weights]
[(3, 3), (3, 3), (3, 2)]
>>> mlp.forward_propagate(np.array([0.1, 0.2, 0.3])).shape
(2,)
"""

from __future__ import annotations

import numpy as np

from .._checks import positive_count, positive_number
from ..errors import ConfigError, DataError
from ..optimizers import SGD
from ._engine import (
    as_rows,
    backprop,
    check_sizes,
    dense_chain,
    draw_kernels,
    forward,
    paired,
)

__all__ = ["MLP"]


class MLP:
    """A multilayer perceptron with sigmoid units, no biases, and ``rand`` weights on [0, 1).

    Parameters
    ----------
    num_inputs : int, default 3
    hidden_layers : list of int, default [3, 3]
        One entry per hidden layer (may be empty).
    num_outputs : int, default 2
    seed : int, numpy.random.Generator or None
        Draws the weights; None uses glassnet's global generator.

    Example
    -------
    >>> mlp = MLP(2, [5], 1, seed=1)
    >>> mlp.num_inputs, mlp.hidden_layers, mlp.num_outputs
    (2, [5], 1)
    """

    def __init__(self, num_inputs: int = 3, hidden_layers=(3, 3), num_outputs: int = 2,
                 seed=None):
        self.num_inputs = positive_count(num_inputs, "num_inputs")
        self.hidden_layers = check_sizes("hidden_layers", hidden_layers)
        self.num_outputs = positive_count(num_outputs, "num_outputs")
        sizes = [self.num_inputs, *self.hidden_layers, self.num_outputs]
        self.model = dense_chain(sizes, ["sigmoid"] * (len(sizes) - 1), use_bias=False,
                                 prefix="mlp")
        draw_kernels(self.model, seed)
        # E = 1/2 sum (t - o)^2 and SGD at the rate of the last gradient_descent: what explain
        # shows (the class itself steps by hand, one sample at a time)
        self.model.compile(SGD(learning_rate=1.0), "half_sum_squared_error")
        self._inputs = np.zeros(self.num_inputs)
        self._single = True

    @property
    def weights(self) -> list[np.ndarray]:
        """Each layer's (inputs, outputs) kernel: views into ``model.params``."""
        return [layer.arrays["kernel"] for layer in self.model.layers]

    @property
    def derivatives(self) -> list[np.ndarray]:
        """Each layer's last ``back_propagate`` result: views into ``model.grads``."""
        return [layer.grads["kernel"] for layer in self.model.layers]

    @property
    def activations(self) -> list[np.ndarray]:
        """The input and every layer's output from the last ``forward_propagate``."""
        outs = [getattr(layer, "out", None) for layer in self.model.layers]
        if any(out is None for out in outs):
            return [np.zeros(n) for n in (self.num_inputs, *self.hidden_layers, self.num_outputs)]
        values = [self._inputs, *outs]
        return [v[0] for v in values] if self._single else values

    def forward_propagate(self, inputs) -> np.ndarray:
        """The network's output for one sample (shape (num_inputs,)) or a batch (n, num_inputs).

        Example
        -------
        >>> mlp = MLP(2, [], 1, seed=0)
        >>> mlp.weights[0][...] = 0.0
        >>> mlp.forward_propagate([1.0, 2.0])
        array([0.5])
        """
        self._single = np.ndim(inputs) == 1
        self._inputs = as_rows(inputs, self.num_inputs, "inputs")
        out = forward(self.model, self._inputs)
        return out[0].copy() if self._single else out.copy()

    def back_propagate(self, error) -> None:
        """Turn ``error = target - output`` of the last forward pass into ``derivatives``.

        Each layer's backward runs BP1/BP2 (``delta = error * out (1 - out)``) and BP4
        (``derivative = a_previous^T delta``), writing into its view of ``model.grads``.
        """
        if not self._has_forward():
            raise ConfigError("back_propagate needs a forward pass first: call "
                          "forward_propagate(inputs)")
        grad = as_rows(error, self.num_outputs, "error")
        if len(grad) != len(self._inputs):
            raise DataError(f"argument error: {len(grad)} rows for the {len(self._inputs)} samples "
                        "of the last forward_propagate")
        backprop(self.model, grad)

    def gradient_descent(self, learning_rate: float = 1.0) -> None:
        """Step every weight by ``learning_rate * derivative`` (one vector operation)."""
        rate = positive_number(learning_rate, "learning_rate")
        self.model.optimizer.learning_rate = rate
        self.model.params += rate * self.model.grads

    def train(self, inputs, targets, epochs: int, learning_rate: float, verbose: bool = True):
        """Train sample by sample; print (and return) each epoch's mean squared error.

        Example
        -------
        >>> mlp = MLP(2, [3], 1, seed=0)
        >>> errors = mlp.train([[0.1, 0.2]], [[0.3]], epochs=2, learning_rate=0.1)
        Error: 0.1... at epoch 1
        Error: 0.1... at epoch 2
        Training complete!
        =====
        >>> len(errors)
        2
        """
        x, y = paired(inputs, targets, self.num_inputs, self.num_outputs)
        epochs = positive_count(epochs, "epochs")
        history = []
        self._single = True
        for epoch in range(epochs):
            sum_errors = 0.0
            for i in range(len(x)):
                self._inputs = x[i:i + 1]
                error = y[i:i + 1] - forward(self.model, self._inputs)
                backprop(self.model, error)
                self.gradient_descent(learning_rate)
                sum_errors += float(np.dot(error[0], error[0])) / self.num_outputs
            history.append(sum_errors / len(x))
            if verbose:
                print(f"Error: {history[-1]} at epoch {epoch + 1}")
        if verbose:
            print("Training complete!")
            print("=====")
        return history

    def _has_forward(self) -> bool:
        return all(getattr(layer, "out", None) is not None for layer in self.model.layers)

