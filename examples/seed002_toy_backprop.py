"""Seed 002: the row-list network trained on the 10-row, two-class toy table.

:func:`glassnet.classic.initialize_network` with 2 inputs, 2 hidden and 2 output neurons
(weights drawn with ``random()`` after seed 1), 20 epochs of stochastic gradient descent at
learning rate 0.5 with :func:`~glassnet.classic.train_network`, then each layer's neurons and
each row's prediction.
"""

from __future__ import annotations

from glassnet.classic import initialize_network, predict, train_network
from glassnet.course import example_args as parse
from glassnet.datasets import toy


def main(argv=None) -> dict:
    parse(__doc__, argv, "(no effect: 20 epochs of 10 rows are instant)")
    X, y = toy.toy_two_class()
    dataset = [[*features, int(label)] for features, label in zip(X.tolist(), y.tolist(),
                                                                    strict=True)]
    n_inputs = len(dataset[0]) - 1
    n_outputs = len({row[-1] for row in dataset})
    network = initialize_network(n_inputs, 2, n_outputs, seed=1)
    errors = train_network(network, dataset, 0.5, 20, n_outputs)
    for layer in network:
        print(layer)
    predictions = []
    for row in dataset:
        predictions.append(predict(network, row))
        print(f"Expected={row[-1]}, Got={predictions[-1]}")
    return {"errors": errors, "expected": [row[-1] for row in dataset],
            "predictions": predictions}


if __name__ == "__main__":
    main()
