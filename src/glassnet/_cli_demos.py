"""``glassnet demo``: the seeds' small examples, trained by the engine and printed.

Example
-------
>>> net = worked_example()
>>> [round(float(v), 9) for v in net.query([0.05, 0.10]).ravel()]
[0.75136507, 0.772928465]
>>> net.train([0.05, 0.10], [0.01, 0.99]); round(net.error([0.05, 0.10], [0.01, 0.99]), 9)
0.291027774
"""

from __future__ import annotations

import numpy as np

from . import Sequential, optimizers
from .datasets import toy
from .layers import Dense
from .utils import set_random_seed

__all__ = ["run", "worked_example"]

#: Seed 003's printed errors at iterations 10, 20, ..., 60.
STREETLIGHT_ERRORS = (0.6342311598444467, 0.35838407676317513, 0.0830183113303298,
                      0.006467054957103705, 0.0003292669000750734, 1.5055622665134859e-05)


#: Seed 001's weights in its orientation (wih[j, i]: input i to hidden unit j), input, target.
WIH, WHO = [[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]
WORKED_X, WORKED_Y = [0.05, 0.10], [0.01, 0.99]


def worked_example():
    """Seed 001's 2-2-2 network as the seed and its post keep it: biases 0.35 and 0.60 fixed,
    eta 0.5, E = 1/2 sum (t - o)^2 (a :class:`glassnet.classic.NeuralNetwork`)."""
    from .classic import NeuralNetwork

    return NeuralNetwork(WIH, WHO, bih=0.35, bho=0.60, eta=0.5)


def worked_example_training_biases() -> Sequential:
    """A variant, labelled as such: the same network as a Keras-style model whose biases train
    too (SGD(0.5) on the seeds' loss)."""
    model = Sequential([Dense(2, activation="sigmoid", input_shape=(2,), name="hidden"),
                        Dense(2, activation="sigmoid", name="output")],
                       name="worked_example_training_biases", dtype="float64")
    model.set_weights([np.array(WIH).T, np.full(2, 0.35), np.array(WHO).T, np.full(2, 0.60)])
    model.compile(optimizers.SGD(0.5), "half_sum_squared_error")
    return model


def _worked() -> None:
    net, x, y = worked_example(), WORKED_X, WORKED_Y
    print("Seed 001's worked example: inputs 0.05 0.10, targets 0.01 0.99, learning rate 0.5, "
          "biases fixed")
    print(f"before training: outputs {_row(net.query(x).ravel())}, E_total {net.error(x, y):.9f}")
    net.train(x, y)
    print(f"after 1 step:    outputs {_row(net.query(x).ravel())}, E_total {net.error(x, y):.9f}")
    for _ in range(9999):
        net.train(x, y)
    print(f"after 10000:     outputs {_row(net.query(x).ravel())}, E_total {net.error(x, y):.4e}")
    variant = worked_example_training_biases()
    variant.fit(np.array([x]), np.array([y]), epochs=1, batch_size=1, verbose=0)
    print(f"(a variant that trains the biases too: E_total {variant.evaluate([x], [y]):.9f} "
          "after 1 step)")
    print("See every number of the first step with: glassnet explain")


def _row(values) -> str:
    return " ".join(f"{float(v):.9f}" for v in values)


def _xor() -> None:
    x, y = toy.logic_gate("xor")
    set_random_seed(3)
    model = Sequential([Dense(2, activation="sigmoid", input_shape=(2,)),
                        Dense(1, activation="sigmoid")], name="xor")
    model.compile(optimizers.SGD(0.1, momentum=0.9), "mse")
    model.fit(np.tile(x, (3000, 1)), np.tile(y, (3000, 1)), batch_size=1, shuffle=False,
              verbose=0)  # 3000 epochs of the four rows, one row per step
    print("XOR with a 2-2-1 sigmoid network (MSE, 3000 epochs, SGD(0.1) with momentum 0.9; the "
          "seed's Keras run uses plain SGD(0.1)):")
    _truth_table(x, y, model.predict(x))


def _truth_table(x, y, out) -> None:
    print("x1 x2 | target | output")
    for row, target, value in zip(x, y[:, 0], out[:, 0], strict=True):
        print(f" {int(row[0])}  {int(row[1])} |   {int(target)}    | {value:.4f}"
              f"{'  ok' if round(float(value)) == target else '  WRONG'}")


def _gates() -> None:
    for gate in ("and", "or", "nand", "nor"):
        x, y = toy.logic_gate(gate)
        set_random_seed(0)
        model = Sequential([Dense(1, activation="sigmoid", input_shape=(2,))], name=gate)
        model.compile(optimizers.SGD(1.0), "binary_crossentropy")
        model.fit(x, y, epochs=500, batch_size=4, verbose=0)
        print(f"{gate.upper()} with one sigmoid neuron (binary cross-entropy):")
        _truth_table(x, y, model.predict(x))


def _streetlights() -> None:
    x, y = toy.streetlights()
    rng = np.random.RandomState(1)  # the seed's np.random.seed(1) and 2*random-1 weights
    weights = [2 * rng.random_sample((3, 4)) - 1, 2 * rng.random_sample((4, 1)) - 1]
    model = Sequential([Dense(4, activation="relu", use_bias=False, input_shape=(3,)),
                        Dense(1, use_bias=False)], name="streetlights", dtype="float64")
    model.set_weights(weights)
    model.compile(optimizers.SGD(0.1), "mse")  # d(o - y)^2 = 2(o - y): lr 0.1 is alpha 0.2
    history = model.fit(x, y, epochs=60, batch_size=1, shuffle=False, verbose=0)
    print("Seed 003's street lights: 3-4-1 ReLU, alpha 0.2, one sample at a time")
    print("iteration | error (glassnet)       | error (seed)")
    for k, published in enumerate(STREETLIGHT_ERRORS, 1):
        error = history.history["loss"][10 * k - 1] * len(x)  # the seed sums over the rows
        print(f"{10 * k:9d} | {error!r:22} | {published!r}")


def run(name: str) -> None:
    {"xor": _xor, "gates": _gates, "streetlights": _streetlights,
     "worked-example": _worked}[name]()
