"""Two small UCI data sets, bundled: Zoo (the seeds' "Animals" quest) and Seeds (wheat kernels).

Both are parsed with :func:`glassnet.data.load_csv` from the files as published (Seeds keeps its
irregular double tabs). Loaders return a :class:`Dataset` record, or ``(X, y)`` with
``return_X_y=True``, as scikit-learn's ``load_*`` functions do. Class labels are codes 0..k-1
in the order of ``target_names`` (UCI's 1..k minus one).

Example
-------
>>> from glassnet.datasets import uci
>>> X, y = uci.load_zoo(return_X_y=True)
>>> X.shape, sorted(set(y.tolist()))
((101, 16), [0, 1, 2, 3, 4, 5, 6])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import boolean
from ..data import load_csv
from ..errors import FileFormatError
from .mnist import FILES_DIR

__all__ = ["Dataset", "load_seeds", "load_zoo"]

ZOO_CLASSES = ("mammal", "bird", "reptile", "fish", "amphibian", "insect", "invertebrate")
SEEDS_CLASSES = ("Kama", "Rosa", "Canadian")
SEEDS_FEATURES = (
    "area",
    "perimeter",
    "compactness",
    "kernel_length",
    "kernel_width",
    "asymmetry_coefficient",
    "groove_length",
)


@dataclass(frozen=True, eq=False)
class Dataset:
    """A bundled data set: ``data`` (float64, samples x features) and ``target`` (int64 codes).

    ``target_names[code]`` names a class; ``sample_names`` holds per-row names when the data
    set has them (Zoo's animals), else None.
    """

    data: np.ndarray
    target: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    sample_names: tuple[str, ...] | None = None


def load_zoo(*, return_X_y: bool = False) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """UCI Zoo: 101 animals, 16 features (15 booleans and ``legs``), 7 classes.

    R. Forsyth (1990), UCI Machine Learning Repository, CC BY 4.0.

    Example
    -------
    >>> zoo = load_zoo()
    >>> zoo.sample_names[0], zoo.target_names[zoo.target[0]], zoo.data.shape
    ('aardvark', 'mammal', (101, 16))
    """
    return_X_y = boolean(return_X_y, "load_zoo: return_X_y")
    table = load_csv(
        FILES_DIR / "zoo.csv", target="type", id_column="animal_name", categorical=True
    )
    _check_classes(table.classes, len(ZOO_CLASSES), "zoo.csv")
    if return_X_y:
        return table.X, table.y
    return Dataset(table.X, table.y, table.feature_names, ZOO_CLASSES, table.ids)


def load_seeds(*, return_X_y: bool = False) -> Dataset | tuple[np.ndarray, np.ndarray]:
    """UCI Seeds: 210 wheat kernels, 7 geometric features, 3 varieties (Kama, Rosa, Canadian).

    M. Charytanowicz et al. (2010), UCI Machine Learning Repository, CC BY 4.0.

    Example
    -------
    >>> seeds = load_seeds()
    >>> seeds.data.shape, seeds.feature_names[0], seeds.target_names
    ((210, 7), 'area', ('Kama', 'Rosa', 'Canadian'))
    """
    return_X_y = boolean(return_X_y, "load_seeds: return_X_y")
    table = load_csv(FILES_DIR / "seeds_dataset.txt", header=False, categorical=True)
    _check_classes(table.classes, len(SEEDS_CLASSES), "seeds_dataset.txt")
    if return_X_y:
        return table.X, table.y
    return Dataset(table.X, table.y, SEEDS_FEATURES, SEEDS_CLASSES)


def _check_classes(classes: tuple[str, ...] | None, k: int, name: str) -> None:
    """The bundled file's class column must hold exactly UCI's codes 1..k."""
    expected = tuple(str(i) for i in range(1, k + 1))
    if classes != expected:
        raise FileFormatError(
            f"{FILES_DIR / name}: class column holds {classes}, expected {expected}; "
            "the bundled file is damaged, reinstall glassnet"
        )
