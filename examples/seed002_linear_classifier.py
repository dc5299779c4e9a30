"""Seed 002: a linear classifier y = A x whose slope is moved by its error.

The slope starts at A = 0.25. Each training example (x, t) gives the error E = t - A x and
the change that would remove it, dA = E / x. Taken whole, the change fits the last example and
forgets the first; moderated by a learning rate L (dA = L E / x, with L = 0.5) it moves A a
part of the way each time. The examples are (3, 1.1) and (1, 2.9), the seed's targets just
above the ladybird at (3, 1) and just below the caterpillar at (1, 3).
"""

from __future__ import annotations

from glassnet.course import example_args as parse

EXAMPLES = [(3.0, 1.1), (1.0, 2.9)]


def walk(slope: float, learning_rate: float = 1.0) -> list[dict]:
    """One step per example: the output, error, change and new slope, printed as it goes."""
    steps = []
    for x, target in EXAMPLES:
        y = slope * x
        error = target - y
        change = learning_rate * error / x
        slope += change
        steps.append({"x": x, "t": target, "y": y, "E": error, "dA": change, "A": slope})
        print(f"x = {x:g}, t = {target:g}: y = {y:.4f}, E = {error:.4f}, "
              f"dA = {change:.4f}, A = {slope:.4f}")
    return steps


def main(argv=None) -> dict:
    parse(__doc__, argv, "(no effect: the walk-through is instant)")
    print("without a learning rate (dA = E / x), starting at A = 0.25:")
    whole = walk(0.25)
    print("with learning rate L = 0.5 (dA = L E / x), starting at A = 0.25:")
    moderated = walk(0.25, 0.5)
    return {"whole": whole, "moderated": moderated}


if __name__ == "__main__":
    main()
