"""cross_validate: fresh model and scaler per fold, no test rows in the scaling, Zoo >= 0.90."""

import inspect
from typing import ClassVar

import numpy as np
import pytest

import glassnet
from glassnet.data import MinMaxScaler
from glassnet.datasets import uci
from glassnet.errors import ConfigError, ShapeError
from glassnet.model_selection import CVResult, cross_validate, prediction_accuracy


class NearestCentroid:
    """A stand-in model: fit stores class centroids, predict gives one-hot nearest centroids."""

    built: ClassVar[list] = []

    def __init__(self):
        NearestCentroid.built.append(self)

    def fit(self, x, y, **kwargs):
        self.kwargs = kwargs
        self.classes = np.unique(y)
        self.centroids = np.array([x[y == c].mean(axis=0) for c in self.classes])
        return "history"

    def predict(self, x):
        distances = ((x[:, None, :] - self.centroids[None]) ** 2).sum(axis=2)
        return np.eye(len(self.classes))[np.argmin(distances, axis=1)]


class RecordingScaler(MinMaxScaler):
    fitted_on: ClassVar[list] = []

    def fit(self, X):
        RecordingScaler.fitted_on.append(np.array(X))
        return super().fit(X)


def build_zoo_mlp():
    model = glassnet.Sequential(
        [
            glassnet.layers.Dense(16, activation="relu"),
            glassnet.layers.Dense(7, activation="softmax"),
        ]
    )
    model.compile(glassnet.optimizers.Adam(learning_rate=0.02), "sparse_categorical_crossentropy")
    return model


def test_zoo_mlp_mean_accuracy_at_least_090():
    X, y = uci.load_zoo(return_X_y=True)
    fit = {"epochs": 60, "batch_size": 16}
    result = cross_validate(
        build_zoo_mlp, X, y, n_folds=5, fit_kwargs=fit, scaler="minmax", seed=0, stratify=True
    )
    assert isinstance(result, CVResult) and result.scores.shape == (5,)
    assert result.mean >= 0.90
    assert result.mean == pytest.approx(np.mean(result.scores))
    assert result.std == pytest.approx(np.std(result.scores))
    assert all(len(h.history["loss"]) == 60 for h in result.histories)
    again = cross_validate(
        build_zoo_mlp, X, y, n_folds=5, fit_kwargs=fit, scaler="minmax", seed=0, stratify=True
    )
    assert np.array_equal(again.scores, result.scores)  # same seed, same folds and weights


def test_fresh_model_per_fold_and_fit_arguments():
    X, y = uci.load_seeds(return_X_y=True)
    NearestCentroid.built.clear()
    result = cross_validate(NearestCentroid, X, y, n_folds=4, fit_kwargs={"epochs": 3}, seed=1)
    assert len(NearestCentroid.built) == 4 and len({id(m) for m in NearestCentroid.built}) == 4
    for model in NearestCentroid.built:
        assert model.kwargs["epochs"] == 3 and model.kwargs["verbose"] == 0
        assert isinstance(model.kwargs["seed"], int)
    assert result.histories == ("history",) * 4
    tested = np.sort(np.concatenate([test for _, test in result.folds]))
    assert tested.tolist() == list(range(210))
    assert 0.8 < result.mean <= 1.0


def test_scaler_sees_only_the_training_rows_of_each_fold():
    X, y = uci.load_seeds(return_X_y=True)
    RecordingScaler.fitted_on.clear()
    result = cross_validate(NearestCentroid, X, y, n_folds=3, scaler=RecordingScaler(), seed=2)
    assert len(RecordingScaler.fitted_on) == 3
    for fitted, (train, _) in zip(RecordingScaler.fitted_on, result.folds, strict=True):
        assert np.array_equal(fitted, X[train])


def test_same_seed_same_folds_and_stratified_folds():
    X, y = uci.load_zoo(return_X_y=True)
    first = cross_validate(NearestCentroid, X, y, n_folds=5, seed=7, stratify=True)
    second = cross_validate(NearestCentroid, X, y, n_folds=5, seed=7, stratify=True)
    for (a_train, a_test), (b_train, b_test) in zip(first.folds, second.folds, strict=True):
        assert np.array_equal(a_test, b_test) and np.array_equal(a_train, b_train)
    for _, test in first.folds:  # 41 mammals over 5 folds: 8 or 9 in each
        assert np.sum(y[test] == 0) in (8, 9)


def test_custom_scoring_gets_raw_predictions():
    X, y = uci.load_seeds(return_X_y=True)
    seen = []

    def scoring(y_true, y_pred):
        seen.append(y_pred.shape)
        return -1.0

    result = cross_validate(NearestCentroid, X, y, n_folds=3, scoring=scoring, seed=0)
    assert result.scores.tolist() == [-1.0, -1.0, -1.0]
    assert seen == [(70, 3)] * 3


def test_prediction_accuracy():
    assert prediction_accuracy([0, 1, 1], np.array([[0.2], [0.7], [0.4]])) == pytest.approx(2 / 3)
    assert prediction_accuracy([2, 0], np.array([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]])) == 1.0


def test_bad_arguments():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ConfigError, match="build_model must be callable"):
        cross_validate("model", X, y)
    with pytest.raises(ConfigError, match="must return a compiled model with fit and predict"):
        cross_validate(lambda: object(), X, y)
    with pytest.raises(ShapeError, match="X has 10, y has 9"):
        cross_validate(NearestCentroid, X, y[:9])
    with pytest.raises(ConfigError, match="unknown scaler 'robust'"):
        cross_validate(NearestCentroid, X, y, scaler="robust")
    with pytest.raises(ConfigError, match=r"n_folds must be an integer in 2\.\.10"):
        cross_validate(NearestCentroid, X, y, n_folds=11)
    with pytest.raises(ConfigError, match=r"scoring must be a function scoring\(y_true, y_pred\) "
                                          "-> float, got .accuracy.; leave it None for accuracy"):
        cross_validate(NearestCentroid, X, y, scoring="accuracy")
    with pytest.raises(ConfigError, match=r"fit_kwargs must be a dict of model.fit arguments, "
                                          r"got \['epochs', 5\]"):
        cross_validate(NearestCentroid, X, y, fit_kwargs=["epochs", 5])


def test_cross_validate_and_grid_search_take_the_same_explicit_keywords():
    from glassnet.model_selection import grid_search

    def keywords(func):
        params = inspect.signature(func).parameters.values()
        return [(p.name, p.default, p.annotation) for p in params
                if p.kind is inspect.Parameter.KEYWORD_ONLY]

    shared = keywords(cross_validate)
    assert [name for name, _, _ in shared] == [
        "fit_kwargs", "scaler", "seed", "scoring", "stratify", "shuffle", "client"]
    assert [default for _, default, _ in shared] == [None, None, None, None, False, True, None]
    assert keywords(grid_search) == shared  # written out twice on purpose: they must not drift
    for func in (cross_validate, grid_search):
        params = list(inspect.signature(func).parameters)
        assert params[-8:] == ["n_folds", *(name for name, _, _ in shared)]


@pytest.mark.parametrize("fit_kwargs, hint", [
    ({"epochs": 2, "epochz": 1}, "'epochz' is not a model.fit setting (did you mean 'epochs'?)"),
    ({"x": np.zeros((3, 2))}, "'x' is not a model.fit setting"),
    ({1: 2}, "1 is not a model.fit setting"),
])
def test_unknown_fit_kwargs_are_refused_before_any_fold_runs(fit_kwargs, hint):
    from glassnet.model_selection import grid_search

    X, y = np.zeros((10, 2)), np.zeros(10)
    NearestCentroid.built.clear()
    valid = ("valid keys: batch_size, callbacks, class_weight, epochs, initial_epoch, "
             "sample_weight, seed, shuffle, steps_per_epoch, validation_batch_size, "
             "validation_data, validation_freq, validation_split, validation_steps, verbose")
    for where, run in (("cross_validate", lambda: cross_validate(NearestCentroid, X, y, 2,
                                                                 fit_kwargs=fit_kwargs)),
                       ("grid_search", lambda: grid_search(NearestCentroid, {}, X, y, 2,
                                                           fit_kwargs=fit_kwargs))):
        with pytest.raises(ConfigError) as caught:
            run()
        assert str(caught.value) == f"{where}: fit_kwargs key {hint}; {valid}"
    assert NearestCentroid.built == []  # no fold ran


@pytest.mark.parametrize("flag", ["stratify", "shuffle"])
def test_stratify_and_shuffle_need_a_real_bool(flag):
    X, y = np.zeros((10, 2)), np.zeros(10)
    NearestCentroid.built.clear()
    with pytest.raises(ConfigError, match=f"^cross_validate: {flag} must be True or False, "
                                          "got 'no'$"):
        cross_validate(NearestCentroid, X, y, 2, **{flag: "no"})
    assert NearestCentroid.built == []


def test_sample_weight_is_sliced_to_each_folds_training_rows():
    # the whole-data weights used to reach every fold's fit and fail on a length mismatch
    X = np.linspace(-1, 1, 24).reshape(12, 2)
    y = X @ np.array([1.5, -0.5]) + np.where(np.arange(12) % 3 == 0, 2.0, 0.0)
    w = np.arange(1.0, 13.0)

    def build():
        model = glassnet.Sequential([glassnet.layers.Dense(1, input_shape=(2,), name="cv_w",
                                                           kernel_initializer="zeros")],
                                    dtype="float64")
        model.compile(glassnet.optimizers.SGD(0.2), "mse")
        return model

    def mse(y_true, y_pred):
        return float(np.mean((np.reshape(y_pred, -1) - y_true) ** 2))

    fit = {"epochs": 20, "batch_size": 12, "shuffle": False}
    result = cross_validate(build, X, y, 3, fit_kwargs={**fit, "sample_weight": w},
                            scoring=mse, seed=0)
    manual = []
    for train, test in result.folds:
        model = build()
        model.fit(X[train], y[train], sample_weight=w[train], verbose=0, **fit)
        manual.append(mse(y[test], model.predict(X[test])))
    np.testing.assert_array_equal(result.scores, manual)
    unweighted = cross_validate(build, X, y, 3, fit_kwargs=fit, scoring=mse, seed=0)
    assert not np.allclose(result.scores, unweighted.scores)  # the weights did count

    NearestCentroid.built.clear()
    cross_validate(NearestCentroid, X, y > 0, 3, fit_kwargs={"sample_weight": list(range(12))},
                   seed=0)
    for model, (train, _) in zip(NearestCentroid.built, result.folds, strict=True):
        assert model.kwargs["sample_weight"].tolist() == train.tolist()


def test_sample_weight_of_the_wrong_length_is_refused_before_any_fold_runs():
    X, y = np.zeros((10, 2)), np.zeros(10)
    NearestCentroid.built.clear()
    with pytest.raises(ConfigError) as caught:
        cross_validate(NearestCentroid, X, y, 2, fit_kwargs={"sample_weight": np.ones(8)})
    assert str(caught.value) == (
        "cross_validate: fit_kwargs['sample_weight'] has shape (8,) for 10 rows of X; pass one "
        "weight per row of X (each fold fits with its training rows' weights)")
    assert NearestCentroid.built == []
