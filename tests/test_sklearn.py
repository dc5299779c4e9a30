"""glassnet.sklearn: scikit-learn's estimator contract, its numbers, and its tools."""

import inspect
import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from glassnet.errors import ConfigError, DataError  # noqa: E402
from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.1, random_state=0)


def test_the_seed_snippet_runs_with_only_its_import_changed():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from glassnet.sklearn import MLPClassifier  # was: from sklearn.neural_network import ...

    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(digits.data, digits.target,
                                                        test_size=0.1, random_state=0)
    mlp = MLPClassifier(solver='sgd', learning_rate_init=0.1, alpha=0, batch_size=1617,
                        activation='logistic', random_state=10, max_iter=2000,
                        hidden_layer_sizes=100, momentum=0)
    mlp.fit(X_train, y_train)
    assert mlp.score(X_test, y_test) >= 0.95
    assert mlp.n_iter_ < 2000 and len(mlp.loss_curve_) == mlp.n_iter_  # stopped by tol


CASES = {
    "adam_l2": dict(solver="adam", alpha=1e-3, batch_size=64),
    "nesterov_l2": dict(solver="sgd", momentum=0.9, alpha=1e-2, learning_rate_init=0.01,
                        batch_size=50),
    "plain_sgd_logistic": dict(solver="sgd", momentum=0, activation="logistic",
                               learning_rate_init=0.2, shuffle=False),
    "early_stopping_tanh": dict(early_stopping=True, activation="tanh", n_iter_no_change=3),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_numbers_as_scikit_learn_multiclass(digits, case):
    X_train, _, y_train, _ = digits
    params = dict(CASES[case], hidden_layer_sizes=(20,), max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**params).fit(X_train, y_train)
        theirs = neural_network.MLPClassifier(**params).fit(X_train, y_train)
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_


@pytest.mark.parametrize("kind", ["binary", "multilabel", "regression", "multi_regression"])
def test_same_numbers_as_scikit_learn_other_targets(kind):
    X, Y = make_multilabel_classification(120, 8, n_classes=3, random_state=0)
    y = {"binary": Y[:, 0], "multilabel": Y, "regression": X[:, 0] - X[:, 1],
         "multi_regression": Y * 2.0 - X[:, :3]}[kind]
    regression = "regression" in kind
    ours_cls, their_cls = ((MLPRegressor, neural_network.MLPRegressor) if regression else
                           (MLPClassifier, neural_network.MLPClassifier))
    params = dict(hidden_layer_sizes=(10, 6), alpha=1e-3, max_iter=12, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours, theirs = ours_cls(**params).fit(X, y), their_cls(**params).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-12)
    assert ours.out_activation_ == theirs.out_activation_
    if not regression:
        np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)


def test_fitted_attributes_and_views(digits):
    X_train, X_test, y_train, _ = digits
    clf = MLPClassifier((12, 7), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(5\) reached"):
        clf.fit(X_train, y_train)
    assert [c.shape for c in clf.coefs_] == [(64, 12), (12, 7), (7, 10)]
    assert [b.shape for b in clf.intercepts_] == [(12,), (7,), (10,)]
    assert all(np.shares_memory(c, clf.model_.params) for c in clf.coefs_)
    assert (clf.n_iter_, clf.t_, clf.n_layers_, clf.n_outputs_) == (5, 5 * 1617, 4, 10)
    assert clf.n_features_in_ == 64 and clf.classes_.tolist() == list(range(10))
    assert len(clf.loss_curve_) == 5 and clf.loss_ == clf.loss_curve_[-1]
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X_test), np.log(proba))


def test_string_labels_binary_and_multilabel_outputs():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 10)
    y = np.array(["cold", "warm", "warm", "cold"] * 10)
    clf = MLPClassifier((8,), activation="tanh", learning_rate_init=0.05, max_iter=600,
                        random_state=1).fit(X, y)
    assert clf.out_activation_ == "logistic" and clf.classes_.tolist() == ["cold", "warm"]
    assert clf.predict(X[:4]).tolist() == ["cold", "warm", "warm", "cold"]
    assert clf.predict_proba(X[:4]).shape == (4, 2)
    Y = np.column_stack([X[:, 0], X[:, 0] * X[:, 1]]).astype(int)
    multi = MLPClassifier((8,), learning_rate_init=0.05, max_iter=800, random_state=1).fit(X, Y)
    np.testing.assert_array_equal(multi.predict(X[:4]), [[0, 0], [0, 0], [1, 0], [1, 1]])


def test_partial_fit_continues_one_epoch_at_a_time(digits):
    X_train, X_test, y_train, y_test = digits
    clf = MLPClassifier((20,), learning_rate_init=0.01, random_state=0)
    theirs = neural_network.MLPClassifier((20,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ConfigError, match="classes must be passed on the first call"):
        clf.partial_fit(X_train, y_train)
    for _ in range(6):
        clf.partial_fit(X_train[:800], y_train[:800], classes=np.arange(10))
        theirs.partial_fit(X_train[:800], y_train[:800], classes=np.arange(10))
    assert clf.n_iter_ == 1 and clf.t_ == 6 * 800 and len(clf.loss_curve_) == 6
    np.testing.assert_allclose(clf.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    assert clf.model_.optimizer.iterations == 6 * 4  # one Adam state across the calls
    with pytest.raises(ConfigError, match="is not the same as on last call"):
        clf.partial_fit(X_train, y_train, classes=[0, 1])
    with pytest.raises(DataError, match=r"`y` has classes not in `self\.classes_`"):
        clf.partial_fit(X_train[:5], np.array([11] * 5))
    assert clf.score(X_test, y_test) == theirs.score(X_test, y_test) > 0.7


def test_warm_start_and_convergence_by_tol(digits):
    X_train, _, y_train, _ = digits
    clf = MLPClassifier((20,), max_iter=3, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
        first = [c.copy() for c in clf.coefs_]
        clf.fit(X_train, y_train)
    assert len(clf.loss_curve_) == 6 and not np.allclose(first[0], clf.coefs_[0])
    converged = MLPClassifier((20,), tol=0.5, n_iter_no_change=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        converged.fit(X_train, y_train)
    assert converged.n_iter_ == 4  # the first epoch sets best_loss_, then 3 without a 0.5 gain


def test_pipeline_grid_search_cross_val_score_clone_and_pickle(digits):
    X_train, X_test, y_train, y_test = digits
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=30, random_state=0)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipe, X_train[:600], y_train[:600], cv=3)
        expected = cross_val_score(make_pipeline(StandardScaler(),
                                                 neural_network.MLPClassifier(**params)),
                                   X_train[:600], y_train[:600], cv=3)
        grid = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1.0],
                                   "mlpclassifier__hidden_layer_sizes": [(8,), (16,)]}, cv=2)
        grid.fit(X_train[:600], y_train[:600])
    np.testing.assert_array_equal(scores, expected)
    assert scores.shape == (3,) and scores.min() > 0.85
    assert set(grid.best_params_) == {"mlpclassifier__alpha", "mlpclassifier__hidden_layer_sizes"}
    fitted = grid.best_estimator_
    copy = clone(fitted)
    assert copy.get_params()["mlpclassifier__alpha"] == grid.best_params_["mlpclassifier__alpha"]
    assert not hasattr(copy[-1], "coefs_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X_test), fitted.predict_proba(X_test))
    mlp, twin = fitted[-1], restored[-1]
    assert all(np.shares_memory(c, twin.model_.params) for c in twin.coefs_)
    Xs = fitted[0].transform(X_test)
    mlp.partial_fit(Xs, y_test)
    twin.partial_fit(Xs, y_test)  # the optimizer state travelled too
    assert mlp.model_.params.tobytes() == twin.model_.params.tobytes()


def test_regressor_fits_a_curve_and_refuses_bad_parameters():
    X = np.linspace(-2, 2, 200).reshape(-1, 1)
    y = np.sin(X).ravel()
    reg = MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", learning_rate_init=0.01,
                       max_iter=500, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.95 and reg.predict(X).shape == (200,)
    for params, match in [({"activation": "swish"}, "activation must be one of"),
                          ({"solver": "newton"}, "solver must be one of"),
                          ({"learning_rate": "cosine"}, "learning_rate must be one of"),
                          ({"hidden_layer_sizes": (4, 0)}, "hidden_layer_sizes"),
                          ({"momentum": 1.5}, r"momentum must be a number in \[0, 1\]"),
                          ({"batch_size": 0}, "batch_size"),
                          ({"validation_fraction": 1.0}, "validation_fraction")]:
        with pytest.raises(ConfigError, match=match):
            MLPRegressor(**params).fit(X, y)
    with pytest.raises(ConfigError, match="partial_fit does not support early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y)


@pytest.mark.parametrize(("params", "message"), [
    ({"alpha": True}, "parameter alpha must be a number in [0, inf), got True"),
    ({"learning_rate_init": 0}, "parameter learning_rate_init must be a number in (0, inf), got 0"),
    ({"beta_1": 1.0}, "parameter beta_1 must be a number in [0, 1), got 1.0"),
    ({"tol": float("nan")}, "parameter tol must be a number in [0, inf), got nan"),
    ({"max_iter": 2.0}, "parameter max_iter must be a positive integer, got 2.0"),
    ({"n_iter_no_change": 0},
     "parameter n_iter_no_change (or np.inf) must be a positive integer, got 0"),
    ({"batch_size": False}, "parameter batch_size must be a positive integer, got False"),
    ({"hidden_layer_sizes": (3, -1)},
     "parameter hidden_layer_sizes (each) must be a positive integer, got -1"),
    ({"shuffle": "no"}, "parameter shuffle must be True or False, got 'no'"),
    ({"warm_start": 1}, "parameter warm_start must be True or False, got 1"),
    ({"early_stopping": None}, "parameter early_stopping must be True or False, got None"),
])
def test_a_refit_with_a_bad_parameter_says_which_and_changes_nothing(params, message):
    X, y = np.linspace(0, 1, 20).reshape(-1, 2), np.arange(10) % 2
    clf = MLPClassifier((3,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    before, iterations = clf.model_.get_weights(), clf.n_iter_
    with pytest.raises(ValueError) as caught:  # scikit-learn's own tools expect a ValueError
        clf.set_params(**params).fit(X, y)
    assert isinstance(caught.value, ConfigError) and str(caught.value) == message
    assert all(np.array_equal(a, b) for a, b in zip(before, clf.model_.get_weights(), strict=True))
    assert clf.n_iter_ == iterations


# -- sample_weight ---------------------------------------------------------------------------
def _weights(kind, n):
    rng = np.random.default_rng(7)
    return rng.integers(0, 4, n) if kind == "integer" else rng.uniform(0.1, 3.0, n)


def _fit_both(ours_cls, their_cls, params, X, y, weights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return (ours_cls(**params).fit(X, y, sample_weight=weights),
                their_cls(**params).fit(X, y, sample_weight=weights))


def _assert_same_fit(ours, theirs, X):
    assert ours.n_iter_ == theirs.n_iter_ and ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-12)


WEIGHTED_CASES = {
    "adam_l2": dict(solver="adam", alpha=1e-3, batch_size=64),
    "sgd_nesterov_l2": dict(solver="sgd", alpha=1e-2, learning_rate_init=0.05, batch_size=50),
    "early_stopping": dict(early_stopping=True, activation="tanh", n_iter_no_change=3),
}


@pytest.mark.parametrize("kind", ["integer", "fractional"])
@pytest.mark.parametrize("case", sorted(WEIGHTED_CASES))
def test_weighted_classifier_same_numbers_as_scikit_learn(digits, case, kind):
    X, _, y, _ = digits
    X, y = X[:600], y[:600]
    params = dict(WEIGHTED_CASES[case], hidden_layer_sizes=(20,), max_iter=10, random_state=0)
    ours, theirs = _fit_both(MLPClassifier, neural_network.MLPClassifier, params, X, y,
                             _weights(kind, len(y)))
    _assert_same_fit(ours, theirs, X)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)
    if case == "early_stopping":  # the weights split with the rows; a weighted score
        assert ours.validation_scores_ == theirs.validation_scores_
        assert len(ours.validation_scores_) == ours.n_iter_


@pytest.mark.parametrize("kind", ["integer", "fractional"])
@pytest.mark.parametrize("target", ["binary", "multilabel", "regression", "multi_regression"])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_weighted_other_targets_same_numbers_as_scikit_learn(target, solver, kind):
    X, Y = make_multilabel_classification(120, 8, n_classes=3, random_state=0)
    y = {"binary": Y[:, 0], "multilabel": Y, "regression": X[:, 0] - X[:, 1],
         "multi_regression": Y * 2.0 - X[:, :3]}[target]
    classes = ((MLPRegressor, neural_network.MLPRegressor) if "regression" in target else
               (MLPClassifier, neural_network.MLPClassifier))
    params = dict(hidden_layer_sizes=(10, 6), alpha=1e-3, max_iter=8, batch_size=32,
                  solver=solver, random_state=3)
    _assert_same_fit(*_fit_both(*classes, params, X, y, _weights(kind, len(y))), X)


@pytest.mark.parametrize("estimator", [MLPClassifier, MLPRegressor])
def test_all_ones_weights_are_exactly_the_unweighted_fit(digits, estimator):
    X, _, y, _ = digits
    params = dict(hidden_layer_sizes=(12,), alpha=1e-2, batch_size=100, max_iter=4,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = [estimator(**params).fit(X[:500], y[:500], sample_weight=weights)
                for weights in (None, np.ones(500), [1] * 500, 1.0)]
    for fit in fits[1:]:
        assert fit.loss_curve_ == fits[0].loss_curve_
        assert fit.model_.params.tobytes() == fits[0].model_.params.tobytes()


def test_integer_weights_repeat_rows_when_each_epoch_is_one_batch():
    # scikit-learn normalises by the weights' sum per batch, so an integer weight is the
    # row repeated only when the whole data set is one batch; with mini-batches the batches
    # differ (in scikit-learn too).
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), rng.integers(0, 3, 40)
    weights = rng.integers(0, 4, 40)
    repeated = (X.repeat(weights, axis=0), y.repeat(weights))
    for ours_cls, their_cls in ((MLPClassifier, neural_network.MLPClassifier),
                                (MLPRegressor, neural_network.MLPRegressor)):
        params = dict(hidden_layer_sizes=(8,), alpha=1e-2, max_iter=20, random_state=0)
        ours, theirs = _fit_both(ours_cls, their_cls, params, X, y, weights)
        twice, their_twice = _fit_both(ours_cls, their_cls, params, *repeated, None)
        for weighted, rows in ((ours, twice), (theirs, their_twice)):
            np.testing.assert_allclose(weighted.loss_curve_, rows.loss_curve_, rtol=1e-12)
            np.testing.assert_allclose(weighted.predict(X), rows.predict(X), atol=1e-12)
        small = dict(params, batch_size=8)
        ours, theirs = _fit_both(ours_cls, their_cls, small, X, y, weights)
        twice, their_twice = _fit_both(ours_cls, their_cls, small, *repeated, None)
        assert not np.allclose(ours.loss_curve_, twice.loss_curve_)
        assert not np.allclose(theirs.loss_curve_, their_twice.loss_curve_)
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)


def test_weighted_partial_fit_same_numbers_as_scikit_learn(digits):
    X, _, y, _ = digits
    weights = _weights("fractional", 400)
    clf = MLPClassifier((20,), learning_rate_init=0.01, random_state=0)
    theirs = neural_network.MLPClassifier((20,), learning_rate_init=0.01, random_state=0)
    params = dict(hidden_layer_sizes=(20,), solver="sgd", learning_rate_init=0.01,
                  random_state=0)
    reg, their_reg = MLPRegressor(**params), neural_network.MLPRegressor(**params)
    for start in (0, 400, 800):
        rows = slice(start, start + 400)
        clf.partial_fit(X[rows], y[rows], weights, classes=np.arange(10))
        theirs.partial_fit(X[rows], y[rows], weights, classes=np.arange(10))
        reg.partial_fit(X[rows], y[rows] / 10, sample_weight=weights)
        their_reg.partial_fit(X[rows], y[rows] / 10, sample_weight=weights)
    assert len(clf.loss_curve_) == 3 and clf.t_ == 1200
    _assert_same_fit(clf, theirs, X)
    _assert_same_fit(reg, their_reg, X)


BAD_WEIGHTS = [
    (np.ones(32), "sample_weight has shape (32,) but X has 16 rows; pass a 1-d array of 16 "
                  "weights"),
    (np.ones((16, 2)), "sample_weight has shape (16, 2) but X has 16 rows; pass a 1-d array "
                       "of 16 weights"),
    ([1.0] * 15 + [-1.0], "sample_weight[15] is -1.0; every weight must be a finite number >= 0"),
    ([1.0] * 3 + [np.nan] * 13, "sample_weight[3] is nan; every weight must be a finite number "
                                ">= 0"),
    ([np.inf] + [1.0] * 15, "sample_weight[0] is inf; every weight must be a finite number >= 0"),
    (np.zeros(16), "sample_weight is all zero; at least one weight must be non-zero"),
    (["a"] * 16, "sample_weight must be numbers, one per row of X; could not convert string to "
                 "float: 'a'"),
]


@pytest.mark.parametrize(("weights", "message"), BAD_WEIGHTS)
def test_bad_sample_weight_says_what_and_changes_nothing(weights, message):
    X, y = np.linspace(0, 1, 32).reshape(-1, 2), np.arange(16) % 2
    clf = MLPClassifier((3,), max_iter=3, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        reg.fit(X, y)
    for estimator, fit in ((clf, clf.fit), (clf, clf.partial_fit), (reg, reg.fit),
                           (reg, reg.partial_fit)):
        before, state = estimator.model_.get_weights(), dict(estimator.__dict__)
        with pytest.raises(DataError) as caught:
            fit(X, y, sample_weight=weights)
        assert str(caught.value) == message
        assert all(np.array_equal(a, b) for a, b in
                   zip(before, estimator.model_.get_weights(), strict=True))
        assert estimator.__dict__.keys() == state.keys()
        assert estimator.n_iter_ == state["n_iter_"] and estimator.t_ == state["t_"]
    fresh = MLPClassifier((3,))
    with pytest.raises(DataError, match="all zero"):
        fresh.partial_fit(X, y, np.zeros(16), classes=[0, 1])
    assert not hasattr(fresh, "classes_") and not hasattr(fresh, "model_")


def test_a_batch_of_zero_weights_is_refused_by_name():
    X, y = np.linspace(0, 1, 20).reshape(-1, 2), np.arange(10) % 2
    weights = np.r_[np.zeros(5), np.ones(5)]
    with pytest.raises(DataError) as caught:
        MLPClassifier((3,), batch_size=5, shuffle=False, random_state=0).fit(X, y, weights)
    assert str(caught.value) == ("MLPClassifier: a batch of 5 rows at iteration 1 has only zero "
                                 "sample weights, so its loss is undefined; use fewer zero "
                                 "weights or a larger batch_size")


# -- MLPRegressor(loss='poisson') ------------------------------------------------------------
def _counts(outputs):
    X, _ = make_multilabel_classification(120, 8, n_classes=3, random_state=0)
    rates = np.exp(X[:, :outputs] / 4 - X[:, 1:outputs + 1] / 8)
    y = np.random.default_rng(0).poisson(rates).astype(float)
    return X, (y.ravel() if outputs == 1 else y)


@pytest.mark.parametrize("outputs", [1, 2])
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_poisson_same_numbers_as_scikit_learn(solver, weighted, early_stopping, outputs):
    X, y = _counts(outputs)
    params = dict(loss="poisson", hidden_layer_sizes=(10, 6), alpha=1e-3, max_iter=8,
                  batch_size=32, solver=solver, learning_rate_init=0.003,
                  early_stopping=early_stopping, random_state=3)
    weights = _weights("fractional", len(y)) if weighted else None
    ours, theirs = _fit_both(MLPRegressor, neural_network.MLPRegressor, params, X, y, weights)
    _assert_same_fit(ours, theirs, X)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    assert ours.predict(X).min() > 0 and ours.loss_curve_[-1] < ours.loss_curve_[0]
    if early_stopping:  # scored by R^2 on the held-out rows, as scikit-learn does
        assert len(ours.validation_scores_) == ours.n_iter_ == 8
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_,
                                   rtol=0, atol=1e-12)


def test_poisson_partial_fit_and_pickle_match_scikit_learn():
    X, y = _counts(1)
    ours, theirs = (cls("poisson", (6,), random_state=0, learning_rate_init=0.01)
                    for cls in (MLPRegressor, neural_network.MLPRegressor))
    for start in range(0, 120, 40):
        ours.partial_fit(X[start:start + 40], y[start:start + 40])
        theirs.partial_fit(X[start:start + 40], y[start:start + 40])
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=0, atol=1e-12)
    twin = pickle.loads(pickle.dumps(ours))
    assert twin.out_activation_ == "exp"
    assert twin.model_.layers[-1].activation.name == "exponential"
    np.testing.assert_array_equal(twin.predict(X), ours.predict(X))


def test_a_poisson_fits_network_saves_loads_and_exports(tmp_path):
    """Its output layer is glassnet's 'exponential', so the network travels like any other."""
    import glassnet

    X, y = _counts(1)
    reg = MLPRegressor("poisson", (6,), random_state=0, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs are enough to travel
        reg.fit(X, y)
    expected = reg.model_.predict(X)
    np.testing.assert_allclose(expected.ravel(), reg.predict(X), rtol=1e-12)
    reg.model_.save(tmp_path / "poisson.safetensors")
    back = glassnet.models.load_model(tmp_path / "poisson.safetensors")
    np.testing.assert_array_equal(back.predict(X), expected)
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from glassnet import onnx as glassnet_onnx

    glassnet_onnx.export(reg.model_, tmp_path / "poisson.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "poisson.onnx"))
    got = session.run(None, {reg.model_.input_names[0]: X.astype(reg.model_.dtype)})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_loss_comes_first_as_in_scikit_learn():
    ours = list(inspect.signature(MLPRegressor).parameters.items())
    theirs = inspect.signature(neural_network.MLPRegressor).parameters
    assert ours == list(theirs.items())
    assert [name for name, _ in ours[:3]] == ["loss", "hidden_layer_sizes", "activation"]
    reg = MLPRegressor("poisson", (20,), "tanh", alpha=0.1)
    assert reg.get_params()["loss"] == "poisson" and reg.hidden_layer_sizes == (20,)
    copy = clone(reg.set_params(loss="squared_error"))
    assert copy.loss == "squared_error" and copy.activation == "tanh" and copy.alpha == 0.1
    assert repr(MLPRegressor("poisson")) == "MLPRegressor(loss='poisson')"


def _fitted_poisson(outputs):
    """Count data with ``outputs`` columns and a small poisson regressor fitted on it."""
    X, y = _counts(outputs)
    reg = MLPRegressor("poisson", (4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return X, y, reg.fit(X, y)


def test_a_bad_loss_is_refused_by_name_and_changes_nothing():
    X, y, reg = _fitted_poisson(1)
    before = reg.model_.get_weights()
    with pytest.raises(ValueError) as caught:
        reg.set_params(loss="absolute_error").fit(X, y)
    assert isinstance(caught.value, ConfigError)
    assert str(caught.value) == ("parameter loss must be one of ['poisson', 'squared_error'], "
                                 "got 'absolute_error'")
    with pytest.raises(ConfigError) as caught:  # warm start: the output is exp, not identity
        reg.set_params(loss="squared_error", warm_start=True).fit(X, y)
    assert str(caught.value) == (
        "this MLPRegressor was fitted with out_activation_ 'exp', which loss='squared_error' "
        "does not use; warm_start and partial_fit go on with the same loss, so set loss back "
        "or refit with warm_start=False")
    assert all(np.array_equal(a, b) for a, b in zip(before, reg.model_.get_weights(), strict=True))
    assert reg.n_iter_ == 2 and reg.out_activation_ == "exp"
    with pytest.raises(ConfigError) as caught:  # scikit-learn's order: loss comes first
        MLPRegressor((20,)).fit(X, y)
    assert str(caught.value) == (
        "parameter loss must be one of ['poisson', 'squared_error'], got (20,); loss is the "
        "first positional parameter, as in scikit-learn, so pass hidden_layer_sizes by name")


def test_poisson_refuses_negative_targets_and_changes_nothing():
    X, y, reg = _fitted_poisson(2)
    before, state = reg.model_.get_weights(), dict(reg.__dict__)
    bad = y.copy()
    bad[7, 1] = -0.5
    for fit in (reg.fit, reg.partial_fit):
        with pytest.raises(DataError) as caught:
            fit(X, bad)
        assert str(caught.value) == ("loss='poisson' needs targets y >= 0 (counts, rates), but "
                                     "y[7, 1] is -0.5; use loss='squared_error' for targets that "
                                     "can be negative")
        assert all(np.array_equal(a, b) for a, b in
                   zip(before, reg.model_.get_weights(), strict=True))
        assert reg.__dict__.keys() == state.keys() and reg.n_iter_ == state["n_iter_"]
    with pytest.raises(DataError, match=r"y\[3\] is -1.0"):
        MLPRegressor("poisson").fit(X, np.r_[y[:3, 0], -1.0, y[4:, 0]])
