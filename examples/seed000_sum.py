"""Seed 000: an MLP(2, [5], 1) learns to add two numbers.

1000 pairs of numbers in [0, 0.5) and their sums, 50 epochs of sample-by-sample training at
learning rate 0.1 with :class:`glassnet.classic.MLP` (sigmoid units, no biases, ``rand``
weights), then the network's answer to 0.3 + 0.1.
"""

from __future__ import annotations

import numpy as np

from glassnet.classic import MLP
from glassnet.course import example_args as parse
from glassnet.datasets import toy


def main(argv=None) -> dict:
    args = parse(__doc__, argv, "train 25 epochs instead of 50")
    items, targets = toy.two_number_sum(1000, seed=0)
    mlp = MLP(2, [5], 1, seed=0)
    errors = mlp.train(items, targets, 25 if args.quick else 50, 0.1)
    inputs = np.array([0.3, 0.1])
    output = mlp.forward_propagate(inputs)
    print()
    print()
    print(f"Our network believes that {inputs[0]} + {inputs[1]} is equal to {output[0]}")
    return {"errors": errors, "prediction": float(output[0])}


if __name__ == "__main__":
    main()
