"""glassnet.sklearn: scikit-learn's estimator contract, its numbers, and its tools."""

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
    reg = MLPRegressor((32,), activation="tanh", learning_rate_init=0.01, max_iter=500,
                       random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.95 and reg.predict(X).shape == (200,)
    for params, match in [({"activation": "swish"}, "activation must be one of"),
                          ({"solver": "lbfgs"}, "'lbfgs' is not supported"),
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
    ({"n_iter_no_change": 0}, "parameter n_iter_no_change must be a positive integer, got 0"),
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
