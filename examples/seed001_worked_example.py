"""Seed 001: the chain rule worked by hand for a 2-2-2 sigmoid network, then 10,000 steps.

Inputs 0.05 and 0.10, targets 0.01 and 0.99, weights w1..w8 = 0.15 0.20 0.25 0.30 / 0.40 0.45
0.50 0.55, fixed biases 0.35 (hidden) and 0.60 (output), learning rate 0.5, with
:class:`glassnet.classic.NeuralNetwork`: the forward pass, the total error, every partial
derivative dE/dw1..dw8, the weights after one step, and the error and outputs after 10,000.
"""

from __future__ import annotations

import numpy as np

from glassnet.classic import NeuralNetwork
from glassnet.course import example_args as parse

INPUTS, TARGETS = [0.05, 0.10], [0.01, 0.99]
WIH = [[0.15, 0.20], [0.25, 0.30]]  # w1 w2 feed hidden unit 1, w3 w4 hidden unit 2
WHO = [[0.40, 0.45], [0.50, 0.55]]  # w5 w6 feed output 1, w7 w8 output 2


def _print_forward(n: NeuralNetwork) -> dict:
    n.query(INPUTS)
    values = {}
    for layer, net, out in (("h", n.hidden_inputs, n.hidden_outputs),
                            ("o", n.final_inputs, n.final_outputs)):
        for k in range(2):
            values[f"net_{layer}{k + 1}"], values[f"out_{layer}{k + 1}"] = net[k, 0], out[k, 0]
            print(f"net_{layer}{k + 1} = {net[k, 0]:.9f}   out_{layer}{k + 1} = {out[k, 0]:.9f}")
    return values


def _weights(n: NeuralNetwork) -> list[float]:
    return [*np.ravel(n.wih), *np.ravel(n.who)]


def main(argv=None) -> dict:
    args = parse(__doc__, argv, "train 1,000 steps instead of 10,000")
    n = NeuralNetwork(np.array(WIH), np.array(WHO), bih=0.35, bho=0.60, eta=0.5)
    forward = _print_forward(n)
    e_total = n.error(INPUTS, TARGETS)
    print(f"E_total = {e_total:.9f}")
    d_ih, d_ho = n.gradients(INPUTS, TARGETS)
    partials = [*np.ravel(d_ih), *np.ravel(d_ho)]
    for i, value in enumerate(partials, 1):
        print(f"dE/dw{i} = {value:.9f}")
    n.train(INPUTS, TARGETS)
    updated = _weights(n)
    print("after one step: " + "  ".join(f"w{i}={w:.9f}" for i, w in enumerate(updated, 1)))
    print(f"after one step: E_total = {n.error(INPUTS, TARGETS):.9f} (biases fixed)")
    steps = 1000 if args.quick else 10000
    for _ in range(steps - 1):
        n.train(INPUTS, TARGETS)
    final_error, outputs = n.error(INPUTS, TARGETS), n.query(INPUTS).ravel()
    print(f"after {steps} steps: E_total = {final_error:.4e}, "
          f"outputs = {outputs[0]:.6f} {outputs[1]:.6f}")
    return {"forward": forward, "e_total": e_total, "partials": partials, "updated": updated,
            "steps": steps, "final_error": final_error, "outputs": outputs.tolist()}


if __name__ == "__main__":
    main()
