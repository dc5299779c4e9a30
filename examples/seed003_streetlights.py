"""Seed 003: the streetlights network, reproduced to the last printed digit through Sequential.

Three lights in, walk (1) or stop (0) out; a 3-4-1 network, ReLU hidden layer, no biases,
alpha 0.2, one example at a time in order, 60 iterations; the summed squared error printed
every 10 iterations. The weights are drawn exactly as the seed draws them
(``np.random.seed(1)``, then ``2*np.random.random((3, 4)) - 1`` and
``2*np.random.random((4, 1)) - 1``) and set into a float64 ``Sequential`` of two bias-free
Dense layers, trained with ``fit(batch_size=1, shuffle=False)``, SGD and ``'mse'``.

Scaling: the seed steps by ``alpha * (prediction - target) * input``, the gradient of
1/2 (prediction - target)^2. glassnet's ``'mse'`` is (prediction - target)^2 (averaged over the
one output), whose gradient is twice that, so SGD gets learning rate alpha / 2 = 0.1. Each
epoch's loss is the mean of the four per-example squared errors; times 4 it is the seed's sum.
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.callbacks import Callback
from glassnet.course import example_args as parse
from glassnet.datasets import toy
from glassnet.layers import Dense

ALPHA, HIDDEN_SIZE = 0.2, 4


class PrintEvery10(Callback):
    """The seed's ``if iteration % 10 == 9: print("Error:" + str(layer_2_error))``."""

    def __init__(self, n_rows: int):
        super().__init__()
        self.n_rows, self.errors = n_rows, []

    def on_epoch_end(self, epoch, logs=None):
        if epoch % 10 == 9:
            self.errors.append(logs["loss"] * self.n_rows)
            print("Error:" + str(self.errors[-1]))


def seed_weights() -> list[np.ndarray]:
    """The seed's draws, in its order: ``np.random.seed(1)`` then ``np.random.random``.

    A private ``RandomState(1)`` yields the same numbers without touching NumPy's global state.
    """
    legacy = np.random.RandomState(1)
    weights_0_1 = 2 * legacy.random_sample((3, HIDDEN_SIZE)) - 1
    weights_1_2 = 2 * legacy.random_sample((HIDDEN_SIZE, 1)) - 1
    return [weights_0_1, weights_1_2]


def main(argv=None) -> dict:
    parse(__doc__, argv, "(no effect: 60 iterations of 4 rows are instant)")
    streetlights, walk_vs_stop = toy.streetlights()
    model = glassnet.Sequential([
        Dense(HIDDEN_SIZE, activation="relu", use_bias=False, input_shape=(3,),
              name="weights_0_1"),
        Dense(1, use_bias=False, name="weights_1_2"),
    ], dtype="float64")
    model.set_weights(seed_weights())
    model.compile(glassnet.optimizers.SGD(learning_rate=ALPHA / 2), "mse")
    printer = PrintEvery10(len(streetlights))
    model.fit(streetlights, walk_vs_stop, epochs=60, batch_size=1, shuffle=False, verbose=0,
              callbacks=[printer])
    return {"errors": printer.errors, "predictions": model.predict(streetlights)[:, 0].tolist()}


if __name__ == "__main__":
    main()
