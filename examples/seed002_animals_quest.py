"""Seed 002's quest: which animal is it? The row-list network on UCI Zoo, cross-validated.

The quest's steps with :mod:`glassnet.classic`: code the class names as integers
(``str_column_to_int``), normalise every feature to 0..1 (``dataset_minmax``,
``normalize_dataset``), split into folds (``cross_validation_split``), score with
``accuracy_metric`` through ``evaluate_algorithm(dataset, back_propagation, n_folds, ...)``,
then vary n_folds, l_rate and n_epoch, and swap stochastic gradient descent for mini-batch
(10 rows) and batch gradient descent. Ten hidden neurons throughout.
"""

from __future__ import annotations

import glassnet
from glassnet.classic import (
    back_propagation,
    dataset_minmax,
    evaluate_algorithm,
    normalize_dataset,
    str_column_to_int,
)
from glassnet.course import example_args as parse
from glassnet.datasets import uci

N_HIDDEN = 10
MODES = {"stochastic": 1, "mini-batch": 10, "batch": None}
# (n_folds, l_rate, n_epoch, mode): the baseline, then one change at a time.
FULL = [(5, 1.0, 100, "stochastic"), (3, 1.0, 100, "stochastic"), (10, 1.0, 100, "stochastic"),
        (5, 0.3, 100, "stochastic"), (5, 1.0, 30, "stochastic"),
        (5, 2.0, 1000, "mini-batch"), (5, 1.0, 500, "batch"), (5, 3.0, 2000, "batch")]
QUICK = [(5, 2.0, 1000, "mini-batch"), (5, 1.0, 500, "batch"), (5, 3.0, 2000, "batch")]


def load_dataset() -> list[list]:
    """Zoo as rows: 16 features then the class name, coded and normalised as the quest asks."""
    zoo = uci.load_zoo()
    dataset = [[*features, zoo.target_names[code]]
               for features, code in zip(zoo.data.tolist(), zoo.target.tolist(), strict=True)]
    lookup = str_column_to_int(dataset, len(dataset[0]) - 1)
    print("classes:", lookup)
    normalize_dataset(dataset, dataset_minmax(dataset))
    return dataset


def main(argv=None) -> dict:
    args = parse(__doc__, argv, "three rows of the table (mini-batch and batch) instead of eight")
    dataset = load_dataset()
    print(f"{'n_folds':>7} {'l_rate':>6} {'n_epoch':>7} {'mode':>10} {'mean accuracy':>13}  folds")
    table = []
    for n_folds, l_rate, n_epoch, mode in QUICK if args.quick else FULL:
        glassnet.utils.set_random_seed(1)  # the same folds and initial weights for every row
        scores = evaluate_algorithm(dataset, back_propagation, n_folds, l_rate, n_epoch,
                                    N_HIDDEN, MODES[mode])
        mean = sum(scores) / len(scores)
        table.append({"n_folds": n_folds, "l_rate": l_rate, "n_epoch": n_epoch, "mode": mode,
                      "scores": scores, "mean": mean})
        print(f"{n_folds:>7} {l_rate:>6} {n_epoch:>7} {mode:>10} {mean:>13.3f}  "
              + " ".join(f"{s:.2f}" for s in scores))
    best = max(table, key=lambda row: row["mean"])
    print(f"best: {best['mode']}, n_folds={best['n_folds']}, l_rate={best['l_rate']}, "
          f"n_epoch={best['n_epoch']}: mean accuracy {best['mean']:.3f}")
    return {"table": table, "best": best}


if __name__ == "__main__":
    main()
