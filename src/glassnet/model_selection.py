"""Cross-validation: the seeds' ``evaluate_algorithm`` without its leak of test data.

The seeds normalise the whole data set and then split it into folds, so every test fold has
already shaped the scaling. :func:`cross_validate` splits first and fits the scaler on each
fold's training part only, and builds a fresh model per fold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .data._validation import as_features, check_same_length
from .data.preprocessing import Scaler, make_scaler
from .data.splits import k_fold
from .errors import ConfigError
from .metrics.classification import accuracy
from .utils import as_generator, set_random_seed

__all__ = ["CVResult", "cross_validate", "prediction_accuracy"]


@dataclass(frozen=True, eq=False)
class CVResult:
    """What :func:`cross_validate` returns.

    Attributes
    ----------
    scores : numpy.ndarray
        One score per fold, in fold order.
    folds : tuple of (train_idx, test_idx)
        The rows of each fold.
    histories : tuple
        What ``model.fit`` returned for each fold (a ``History``).
    mean, std : float
        The mean and the population standard deviation (ddof=0) of ``scores``.
    """

    scores: np.ndarray
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]
    histories: tuple

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores))

    def __repr__(self) -> str:
        scores = ", ".join(f"{s:.4f}" for s in self.scores)
        return f"CVResult(mean={self.mean:.4f}, std={self.std:.4f}, scores=[{scores}])"


def prediction_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Accuracy of raw model outputs: argmax of several columns, ``> 0.5`` for one column.

    Example
    -------
    >>> import numpy as np
    >>> prediction_accuracy([1, 0], np.array([[0.8], [0.6]]))
    0.5
    """
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 1 or (y_pred.ndim == 2 and y_pred.shape[1] == 1):
        y_pred = (y_pred.reshape(len(y_pred)) > 0.5).astype(np.int64)
    return accuracy(y_true, y_pred)


def cross_validate(
    build_model: Callable[[], object],
    X: ArrayLike,
    y: ArrayLike,
    n_folds: int = 5,
    *,
    fit_kwargs: dict | None = None,
    scaler: str | type[Scaler] | Scaler | None = None,
    seed: int | np.random.Generator | None = None,
    scoring: Callable[[np.ndarray, np.ndarray], float] | None = None,
    stratify: bool = False,
    shuffle: bool = True,
) -> CVResult:
    """Train and score a fresh model on each of ``n_folds`` folds.

    Parameters
    ----------
    build_model : callable
        Called with no arguments once per fold; returns a compiled glassnet model (anything
        with ``fit(x, y, **fit_kwargs)`` and ``predict(x)``).
    X : array_like, shape (samples, features)
    y : array_like
        Targets as ``model.fit`` takes them (labels, one-hot rows, values).
    n_folds : int, default 5
    fit_kwargs : dict, optional
        Passed to every ``fit`` (``epochs``, ``batch_size``, ...); ``verbose`` defaults to 0.
    scaler : {'minmax', 'standard'}, a scaler class or an unfitted instance, optional
        Fitted on each fold's training rows only, then applied to its test rows.
    seed : int, numpy.random.Generator or None
        Fixes the folds, and with an int or Generator each fold's weights and shuffling too:
        before each fold's ``build_model()`` glassnet's global seed is set
        (:func:`glassnet.utils.set_random_seed`), and ``fit`` gets the same fold seed.
    scoring : callable, optional
        ``scoring(y_true, y_pred) -> float`` with ``y_pred = model.predict(X_test)``; default
        :func:`prediction_accuracy`.
    stratify : bool, default False
        Keep each class's share in every fold (``y`` must hold class labels).
    shuffle : bool, default True
        Shuffle rows before dealing them into folds.

    Returns
    -------
    CVResult
        ``scores`` per fold, ``mean``, ``std``, ``folds`` and ``histories``.

    Example
    -------
    >>> import glassnet
    >>> from glassnet.datasets import uci
    >>> X, y = uci.load_zoo(return_X_y=True)
    >>> def build():
    ...     model = glassnet.Sequential([glassnet.layers.Dense(16, activation="relu"),
    ...                                  glassnet.layers.Dense(7, activation="softmax")])
    ...     model.compile(glassnet.optimizers.Adam(0.02), "sparse_categorical_crossentropy")
    ...     return model
    >>> result = cross_validate(build, X, y, n_folds=5, fit_kwargs={"epochs": 60, "batch_size": 16},
    ...                         scaler="minmax", seed=0, stratify=True)
    >>> len(result.scores), result.mean > 0.9
    (5, True)
    """
    if not callable(build_model):
        raise ConfigError(f"cross_validate: build_model must be callable, got {build_model!r}")
    X = as_features(X, "X", "cross_validate")
    y = np.asarray(y)
    check_same_length([X, y], ["X", "y"], "cross_validate")
    rng = as_generator(seed)
    folds = tuple(k_fold(len(X), n_folds, shuffle, y if stratify else None, rng))
    fold_seeds = rng.integers(0, 2**31, size=len(folds)).tolist()
    score = scoring or prediction_accuracy
    scores, histories = [], []
    for (train, test), fold_seed in zip(folds, fold_seeds, strict=True):
        if seed is not None:
            set_random_seed(fold_seed)
        model = _fresh_model(build_model)
        X_train, X_test = _scaled(scaler, X[train], X[test])
        kwargs = {"verbose": 0, "seed": fold_seed, **(fit_kwargs or {})}
        histories.append(model.fit(X_train, y[train], **kwargs))
        scores.append(float(score(y[test], model.predict(X_test))))
    return CVResult(np.array(scores), folds, tuple(histories))


def _fresh_model(build_model: Callable[[], object]):
    model = build_model()
    if not (callable(getattr(model, "fit", None)) and callable(getattr(model, "predict", None))):
        raise ConfigError(
            "cross_validate: build_model() must return a compiled model with fit and predict, "
            f"got {type(model).__name__}"
        )
    return model


def _scaled(spec, X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both parts scaled by a fresh scaler fitted on the training part (unchanged if None)."""
    scaler = make_scaler(spec)
    if scaler is None:
        return X_train, X_test
    return scaler.fit_transform(X_train), scaler.transform(X_test)
