"""Cross-validation: the seeds' ``evaluate_algorithm`` without its leak of test data.

The seeds normalise the whole data set and then split it into folds, so every test fold has
already shaped the scaling. :func:`cross_validate` splits first and fits the scaler on each
fold's training part only, and builds a fresh model per fold. :func:`grid_search` does the same
for every combination of settings. Both run their folds one after another, or as tasks on a
Dask cluster when given a ``dask.distributed.Client`` (``client=``); the folds, seeds and scores
are the same either way.
"""

from __future__ import annotations

import difflib
import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from . import kernels
from ._checks import boolean
from .data._validation import as_features, check_same_length
from .data.preprocessing import Scaler, make_scaler
from .data.splits import k_fold
from .errors import ConfigError
from .metrics.classification import accuracy
from .models import Model
from .utils import as_generator, set_random_seed

__all__ = ["CVResult", "GridSearchResult", "cross_validate", "grid_search",
           "prediction_accuracy"]


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
    client=None,
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
        ``sample_weight`` holds one weight per row of ``X``; each fold fits with its training
        rows' weights.
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
    client : dask.distributed.Client, optional
        Run each fold as a task on this Dask cluster (``build_model`` and ``scoring`` must
        pickle with cloudpickle; the returned histories then come without their model).

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
    _, folds, outcomes = _run("cross_validate", build_model, {}, X, y, n_folds, fit_kwargs,
                              scaler, seed, scoring, stratify, shuffle, client)
    return CVResult(np.array([score for score, _ in outcomes]), folds,
                    tuple(history for _, history in outcomes))


@dataclass(frozen=True, eq=False)
class GridSearchResult:
    """What :func:`grid_search` returns.

    Attributes
    ----------
    params : tuple of dict
        Each setting tried, in the grid's order.
    scores : numpy.ndarray, shape (settings, folds)
        Every setting scored on the same folds (with the same fold seeds).
    folds : tuple of (train_idx, test_idx)
    mean, std : numpy.ndarray
        Per setting, over the folds (std with ddof=0).
    best_index, best_params, best_score
        The setting with the highest mean score (the first one on ties).
    """

    params: tuple[dict, ...]
    scores: np.ndarray
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]

    @property
    def mean(self) -> np.ndarray:
        return self.scores.mean(axis=1)

    @property
    def std(self) -> np.ndarray:
        return self.scores.std(axis=1)

    @property
    def best_index(self) -> int:
        return int(np.argmax(self.mean))

    @property
    def best_params(self) -> dict:
        return dict(self.params[self.best_index])

    @property
    def best_score(self) -> float:
        return float(self.mean[self.best_index])

    def __repr__(self) -> str:
        return (f"GridSearchResult(best_params={self.best_params}, best_score="
                f"{self.best_score:.4f}, settings={len(self.params)}, folds={len(self.folds)})")


def grid_search(
    build_model: Callable[..., object],
    param_grid: Mapping[str, Sequence] | Sequence[Mapping[str, Sequence]],
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
    client=None,
) -> GridSearchResult:
    """Cross-validate every combination of settings; with ``client``, on a Dask cluster.

    Parameters
    ----------
    build_model : callable
        Returns a compiled model; called with the settings its signature names (all of them
        if it takes ``**kwargs``), once per setting and fold.
    param_grid : dict of lists, or a list of such dicts
        Each combination is one setting. Names that ``build_model`` does not take go to
        ``model.fit`` instead (``epochs``, ``batch_size``, ...).
    X, y, n_folds, fit_kwargs, scaler, seed, scoring, stratify, shuffle
        As in :func:`cross_validate`; every setting sees the same folds and fold seeds.
    client : dask.distributed.Client, optional
        Run each (setting, fold) pair as one task on the cluster; the data is sent to each
        worker once. ``build_model`` must pickle with cloudpickle.

    Returns
    -------
    GridSearchResult

    Example
    -------
    >>> import glassnet
    >>> from glassnet.datasets import uci
    >>> X, y = uci.load_zoo(return_X_y=True)
    >>> def build(rate):
    ...     model = glassnet.Sequential([glassnet.layers.Dense(16, activation="relu"),
    ...                                  glassnet.layers.Dense(7, activation="softmax")])
    ...     model.compile(glassnet.optimizers.Adam(rate), "sparse_categorical_crossentropy")
    ...     return model
    >>> result = grid_search(build, {"rate": [0.0001, 0.02], "epochs": [40]}, X, y, n_folds=3,
    ...                      fit_kwargs={"batch_size": 16}, scaler="minmax", seed=0)
    >>> result.best_params, result.scores.shape
    ({'epochs': 40, 'rate': 0.02}, (2, 3))
    """
    settings, folds, outcomes = _run("grid_search", build_model, param_grid, X, y, n_folds,
                                     fit_kwargs, scaler, seed, scoring, stratify, shuffle, client)
    scores = np.array([score for score, _ in outcomes]).reshape(len(settings), len(folds))
    return GridSearchResult(tuple(settings), scores, folds)


def _expand(param_grid) -> list[dict]:
    """Every combination, as scikit-learn's ParameterGrid orders them (names sorted)."""
    grids = [param_grid] if isinstance(param_grid, Mapping) else list(param_grid)
    settings = []
    for grid in grids:
        if not isinstance(grid, Mapping):
            raise ConfigError(f"grid_search: param_grid must be a dict of lists (or a list of "
                              f"them), got {grid!r}")
        for name, values in grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)) \
                    or len(values) == 0:
                raise ConfigError(f"grid_search: param_grid[{name!r}] must be a non-empty list "
                                  f"of values, got {values!r}")
        names = sorted(grid)
        settings += [dict(zip(names, combo, strict=True))
                     for combo in itertools.product(*(grid[n] for n in names))]
    return settings


_FIT_ARGUMENTS = frozenset(inspect.signature(Model.fit).parameters) - {"self", "x", "y"}


def _route(build_model, setting: dict) -> tuple[dict, dict]:
    """Split a setting into build_model's keyword arguments and fit's."""
    try:
        params = inspect.signature(build_model).parameters
    except (TypeError, ValueError):  # a builtin without a signature: everything goes to fit
        params = {}
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    build, fit = {}, {}
    for name, value in setting.items():
        if takes_all or name in params:
            build[name] = value
        elif name in _FIT_ARGUMENTS:
            fit[name] = value
        else:
            raise ConfigError(f"grid_search: setting {name!r} is neither an argument of "
                              f"build_model ({', '.join(params) or 'none'}) nor of model.fit "
                              f"({', '.join(sorted(_FIT_ARGUMENTS))})")
    return build, fit


def _checked(build_model, X, y, where: str, scoring, fit_kwargs) -> tuple[np.ndarray, np.ndarray]:
    if not callable(build_model):
        raise ConfigError(f"{where}: build_model must be callable, got {build_model!r}")
    if scoring is not None and not callable(scoring):
        raise ConfigError(f"{where}: scoring must be a function scoring(y_true, y_pred) -> float, "
                          f"got {scoring!r}; leave it None for accuracy (the default) or pass one "
                          "such as glassnet.metrics.mean_squared_error")
    if fit_kwargs is not None and not isinstance(fit_kwargs, Mapping):
        raise ConfigError(f"{where}: fit_kwargs must be a dict of model.fit arguments, got "
                          f"{fit_kwargs!r}")
    for key in fit_kwargs or {}:
        if key not in _FIT_ARGUMENTS:
            close = difflib.get_close_matches(str(key), _FIT_ARGUMENTS, n=1)
            raise ConfigError(f"{where}: fit_kwargs key {key!r} is not a model.fit setting"
                              f"{f' (did you mean {close[0]!r}?)' if close else ''}; valid keys: "
                              f"{', '.join(sorted(_FIT_ARGUMENTS))}")
    X = as_features(X, "X", where)
    y = np.asarray(y)
    check_same_length([X, y], ["X", "y"], where)
    weights = (fit_kwargs or {}).get("sample_weight")
    if weights is not None and np.shape(weights)[:1] != (len(X),):
        raise ConfigError(f"{where}: fit_kwargs['sample_weight'] has shape {np.shape(weights)} "
                          f"for {len(X)} rows of X; pass one weight per row of X (each fold "
                          "fits with its training rows' weights)")
    return X, y


def _run(where, build_model, param_grid, X, y, n_folds, fit_kwargs, scaler, seed, scoring,
         stratify, shuffle, client):
    """What cross_validate (one empty setting) and grid_search share: check every argument,
    then score each setting of ``param_grid`` on the same folds and fold seeds.

    Returns (settings, folds, [(score, history), ...] in setting-then-fold order).
    """
    X, y = _checked(build_model, X, y, where, scoring, fit_kwargs)
    stratify = boolean(stratify, f"{where}: stratify")
    shuffle = boolean(shuffle, f"{where}: shuffle")
    settings = _expand(param_grid)
    folds, fold_seeds = _folds(X, y, n_folds, shuffle, stratify, seed)
    tasks = []
    for setting in settings:
        build_kwargs, fit_overrides = _route(build_model, setting)
        tasks += [_Fold(build_model, build_kwargs, {**(fit_kwargs or {}), **fit_overrides},
                        scaler, train, test, fold_seed, seed is not None, scoring,
                        client is not None)
                  for (train, test), fold_seed in zip(folds, fold_seeds, strict=True)]
    return settings, folds, _execute(tasks, X, y, client)


def _folds(X, y, n_folds, shuffle, stratify, seed):
    """The folds and one seed per fold, both drawn from ``seed``."""
    rng = as_generator(seed)
    folds = tuple(k_fold(len(X), n_folds, shuffle, y if stratify else None, rng))
    return folds, rng.integers(0, 2**31, size=len(folds)).tolist()


@dataclass(frozen=True)
class _Fold:
    """One model to train and score: everything but the data, so it travels to a worker."""

    build_model: Callable
    build_kwargs: dict
    fit_kwargs: dict
    scaler: object
    train: np.ndarray
    test: np.ndarray
    seed: int
    seeded: bool
    scoring: Callable | None
    remote: bool
    kernel_set: str | None = field(
        default_factory=lambda: getattr(kernels.active(), "name", None))


def _run_fold(fold: _Fold, X: np.ndarray, y: np.ndarray):
    """Train a fresh model on the fold's training rows; return (score, history)."""
    if fold.remote and fold.kernel_set and getattr(kernels.active(), "name", None) != \
            fold.kernel_set:
        kernels.set_kernels(fold.kernel_set)  # a worker computes with the caller's kernels
    if fold.seeded:
        set_random_seed(fold.seed)
    model = _fresh_model(fold.build_model, fold.build_kwargs)
    X_train, X_test = _scaled(fold.scaler, X[fold.train], X[fold.test])
    fit_kwargs = dict(fold.fit_kwargs)
    if fit_kwargs.get("sample_weight") is not None:  # one weight per row of X: the fold's rows
        fit_kwargs["sample_weight"] = np.asarray(fit_kwargs["sample_weight"])[fold.train]
    history = model.fit(X_train, y[fold.train], **{"verbose": 0, "seed": fold.seed,
                                                    **fit_kwargs})
    score = float((fold.scoring or prediction_accuracy)(y[fold.test], model.predict(X_test)))
    if fold.remote and hasattr(history, "model"):
        history.model = None  # send back the record, not the fold's model
    return score, history


def _execute(tasks: list[_Fold], X: np.ndarray, y: np.ndarray, client) -> list:
    """Run the folds here, in order, or as tasks on a Dask cluster; results in task order."""
    if client is None:
        return [_run_fold(task, X, y) for task in tasks]
    if not callable(getattr(client, "map", None)):
        raise ConfigError(f"client must be a dask.distributed.Client, got {client!r}")
    X_future, y_future = client.scatter([X, y], broadcast=True)
    return client.gather(client.map(_run_fold, tasks, X=X_future, y=y_future, pure=False))


def _fresh_model(build_model: Callable[..., object], kwargs: dict):
    model = build_model(**kwargs)
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
