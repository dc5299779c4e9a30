"""glassnet.sklearn against scikit-learn's MLPClassifier on a sparse, text-like data set.

A synthetic bag-of-words matrix (default 20,000 documents x 50,000 terms at 0.1 % density,
scipy CSR, about 1 million non-zeros) with 4 classes from a random linear function of the
terms; both estimators get the same matrix, the same parameters (scikit-learn's defaults:
one hidden layer of 100 relu units, Adam, batches of 200) and the same ``random_state``, and
train ``--epochs`` epochs. Rounds alternate which estimator runs first; the ratio is
scikit-learn's time over glassnet's within each round, and the row reports the median round.
Nothing here is a test: it prints a table (``--markdown`` for RESULTS.md).

    python benchmarks/sparse_text.py                      # about 2 minutes
    python benchmarks/sparse_text.py --rows 5000 --rounds 1 --dtype float32
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # this checkout's glassnet


def text_like(rows: int, terms: int, density: float, dtype, seed: int = 0):
    import scipy.sparse as sp

    X = sp.random(rows, terms, density=density, format="csr", random_state=seed, dtype=dtype)
    weights = np.random.default_rng(seed).normal(size=(terms, 4))
    return X, np.asarray(X @ weights).argmax(axis=1)


def fit_seconds(estimator, X, y) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
        start = time.perf_counter()
        estimator.fit(X, y)
        return time.perf_counter() - start, float(estimator.loss_)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--terms", type=int, default=50_000)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    import scipy
    import sklearn
    from sklearn.neural_network import MLPClassifier as Theirs

    import glassnet
    from glassnet.sklearn import MLPClassifier as Ours

    X, y = text_like(args.rows, args.terms, args.density, np.dtype(args.dtype))
    params = dict(max_iter=args.epochs, random_state=0)
    fit_seconds(Ours(max_iter=1, random_state=0), X[:500], y[:500])  # numba's compile/cache
    rounds = []
    for i in range(args.rounds):
        order = [("glassnet", Ours), ("scikit-learn", Theirs)][:: 1 if i % 2 == 0 else -1]
        rounds.append({name: fit_seconds(cls(**params), X, y) for name, cls in order})
    ours = statistics.median(r["glassnet"][0] for r in rounds) / args.epochs
    theirs = statistics.median(r["scikit-learn"][0] for r in rounds) / args.epochs
    ratio = statistics.median(r["scikit-learn"][0] / r["glassnet"][0] for r in rounds)
    losses = rounds[-1]["glassnet"][1], rounds[-1]["scikit-learn"][1]
    setup = (f"{args.rows:,} x {args.terms:,} CSR at {args.density:.2%} ({X.nnz:,} non-zeros), "
             f"{args.dtype}, 100 relu, adam, batch 200, {args.epochs} epochs x {args.rounds} "
             f"rounds")
    print(f"# sparse-text: {setup}")
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"glassnet {glassnet.__version__}, scikit-learn {sklearn.__version__}, "
          f"scipy {scipy.__version__}, numpy {np.__version__}")
    each = "; ".join(f"{r['glassnet'][0]:.2f} / {r['scikit-learn'][0]:.2f} s" for r in rounds)
    if args.markdown:
        print("| config | glassnet s/epoch | scikit-learn s/epoch | scikit-learn / glassnet "
              "(median paired) | final loss (glassnet, scikit-learn) | rounds |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(f"| sparse-text {args.dtype} | {ours:.2f} | {theirs:.2f} | {ratio:.2f}x | "
              f"{losses[0]:.12g}, {losses[1]:.12g} | {each} |")
    else:
        print(f"glassnet {ours:.2f} s/epoch, scikit-learn {theirs:.2f} s/epoch, "
              f"ratio {ratio:.2f}x (rounds: {each}); final loss {losses[0]:.12g} / "
              f"{losses[1]:.12g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
