"""Seed 004: perceptrons for AND, NAND, OR and NOR, and a two-layer network for XOR.

Each gate's truth table trains a :class:`glassnet.classic.Perceptron` (one sigmoid unit, binary
cross-entropy, full-batch gradient descent at learning rate 0.1); XOR, which no single line
separates, trains a :class:`glassnet.classic.TwoLayerPerceptron` (two hidden sigmoid units).
As in the seed, the XOR network's parameters are taken from the iteration with the smallest
loss. Prints each truth table against the predictions and saves the loss curves as a PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from glassnet import plot
from glassnet.classic import Perceptron, TwoLayerPerceptron
from glassnet.course import example_args as parse
from glassnet.datasets import toy

GATES = ("and", "nand", "or", "nor")


def print_table(name: str, X, Y, predicted) -> None:
    print(f"--- {name.upper()} ---")
    print("Target | Predict")
    print("----------------")
    for x, target, guess in zip(X.astype(int).tolist(), Y.ravel().astype(int).tolist(),
                                predicted.tolist(), strict=True):
        print(f"{x} {target} | {guess}")


def main(argv=None) -> dict:
    args = parse(__doc__, argv, "1,000 iterations per gate and 2,000 for XOR, not 5,000",
                 figures=True)
    iteration = 1000 if args.quick else 5000
    losses, tables = {}, {}
    for name in GATES:
        X, Y = toy.logic_gate(name)
        gate = Perceptron(X, Y, lr=0.1, iteration=iteration, seed=0)
        history = gate.run()
        losses[name.upper()] = [h[0] for h in history]
        tables[name] = (gate.forward() >= 0.5).astype(int)
        print_table(name, X, Y, tables[name])
    X, Y = toy.logic_gate("xor")
    xor = TwoLayerPerceptron(X, Y, lr=0.5, iteration=2000 if args.quick else iteration, seed=3)
    history = xor.run()
    loss = [h[0] for h in history]
    index = int(np.argmin(loss))
    print(index, loss[index])
    tables["xor"] = (xor.predict(X, *history[index][1:]) >= 0.5).astype(int)
    print_table("xor", X, Y, tables["xor"])
    losses["XOR (two layers)"] = loss
    figure = Path(args.out) / "seed004_logic_gates_loss.png"
    plot.plot_history(losses, path=figure, xlabel="iteration", ylabel="loss",
                      title="Seed 004: binary cross-entropy per iteration")  # a panel a gate
    print("saved", figure)
    return {"tables": {k: v.tolist() for k, v in tables.items()}, "figure": str(figure),
            "final_losses": {k: v[-1] for k, v in losses.items()}}


if __name__ == "__main__":
    main()
