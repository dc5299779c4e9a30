"""glassnet.sklearn against scikit-learn: lbfgs, the learning-rate schedules, stopping rules,
divergence, warnings, and the gallery's configurations."""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn import neural_network  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_digits,
    load_iris,
    make_circles,
    make_classification,
    make_moons,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler, scale  # noqa: E402

from glassnet.errors import ConfigError, DataError  # noqa: E402
from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def _digits(n_class):
    X, y = load_digits(n_class=n_class, return_X_y=True)
    return MinMaxScaler().fit_transform(X[:200])[:150], y[:150]


def _regression():
    X, y = make_regression(n_samples=200, n_features=10, bias=20.0, noise=100.0, random_state=7)
    return X, scale(y)


def fit_both(name, X, y, **params):
    """Our estimator and scikit-learn's, fitted alike (convergence warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}[name](**params)
        return ours.fit(X, y), getattr(neural_network, name)(**params).fit(X, y)


def assert_same_fit(ours, theirs, atol=1e-12):
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-12)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("data", ["multiclass", "binary", "regression"])
def test_lbfgs_follows_scikit_learns_path(data, activation):
    """test_mlp.py's lbfgs configurations: same iterations, loss and weights (these runs take
    7 to 142 L-BFGS iterations, so one differing bit would show)."""
    if data == "regression":
        X, y = _regression()
        params, name = dict(max_iter=200, tol=1e-3), "MLPRegressor"
    else:
        X, y = _digits(3 if data == "multiclass" else 2)
        params, name = dict(max_iter=150), "MLPClassifier"
    ours, theirs = fit_both(name, X, y, solver="lbfgs", hidden_layer_sizes=50, random_state=1,
                            activation=activation, **params)
    assert_same_fit(ours, theirs)
    for attribute in ("loss_curve_", "best_loss_", "validation_scores_"):
        assert not hasattr(ours, attribute) and not hasattr(theirs, attribute)


def test_lbfgs_on_the_gallerys_alpha_example():
    """plot_mlp_alpha's 15 fits (3 data sets x 5 alphas, two relu layers of 10, up to 2000
    iterations): the same iterations, losses and test scores as scikit-learn's."""
    X, y = make_classification(n_features=2, n_redundant=0, n_informative=2, random_state=0,
                               n_clusters_per_class=1)
    X += 2 * np.random.RandomState(2).uniform(size=X.shape)
    sets = [make_moons(noise=0.3, random_state=0),
            make_circles(noise=0.2, factor=0.5, random_state=1), (X, y)]
    for X, y in sets:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4,
                                                            random_state=42)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        for alpha in np.logspace(-1, 1, 5):
            ours, theirs = fit_both("MLPClassifier", X_train, y_train, solver="lbfgs",
                                    alpha=alpha, random_state=1, max_iter=2000,
                                    early_stopping=True, hidden_layer_sizes=[10, 10])
            assert_same_fit(ours, theirs)
            assert ours.score(X_test, y_test) == theirs.score(X_test, y_test)


def test_lbfgs_max_fun_max_iter_and_its_warning():
    X, y = _digits(3)
    with pytest.warns(ConvergenceWarning, match=r"lbfgs failed to converge after \d+ "
                      r"iteration\(s\) \(status=1\)") as caught:
        clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=50, max_fun=10,
                            random_state=1).fit(X, y)
    assert caught[0].filename == __file__  # attributed to the caller of fit
    assert clf.n_iter_ <= 10
    with pytest.warns(ConvergenceWarning, match=r"Increase the number of iterations"):
        clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=50, max_iter=3,
                            random_state=1).fit(X, y)
    assert clf.n_iter_ == 3
    with pytest.raises(ConfigError, match="parameter max_fun must be a positive integer"):
        MLPClassifier(solver="lbfgs", max_fun=0).fit(X, y)


def test_partial_fit_is_hidden_for_lbfgs():
    X, y = _digits(2)
    for estimator in (MLPClassifier(solver="lbfgs"), MLPRegressor(solver="lbfgs")):
        assert not hasattr(estimator, "partial_fit")
        with pytest.raises(AttributeError, match="has no attribute 'partial_fit'"):
            estimator.partial_fit(X, y)
    assert hasattr(MLPClassifier(solver="sgd"), "partial_fit")


@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_learning_rate_schedules_follow_scikit_learn(schedule, momentum):
    """plot_mlp_training_curves' SGD settings on iris: the same loss curves, and the same
    learning rate at the end."""
    X = MinMaxScaler().fit_transform(load_iris().data)
    y = load_iris().target
    ours, theirs = fit_both("MLPClassifier", X, y, solver="sgd", learning_rate=schedule,
                            momentum=momentum, learning_rate_init=0.2, power_t=0.4,
                            max_iter=150, tol=1e-2, n_iter_no_change=3, random_state=0)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate,
                                                          rel=1e-15)
    if schedule == "invscaling":
        assert ours._optimizer.learning_rate == 0.2 / (ours.t_ + 1) ** 0.4
    if schedule == "adaptive":  # divided by 5 at each stall until <= 1e-6, then stops
        assert ours._optimizer.learning_rate == pytest.approx(0.2 / 5**8) and ours.n_iter_ < 150


def test_n_iter_no_change_inf_runs_to_max_iter():
    X, y = _digits(2)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        clf = MLPClassifier(solver="sgd", tol=1e9, max_iter=30, n_iter_no_change=np.inf,
                            random_state=0).fit(X, y)
    assert clf.n_iter_ == 30 and clf._no_improvement_count == 29
    for bad in (0, 2.5, -np.inf, "inf"):
        with pytest.raises(ConfigError, match="n_iter_no_change"):
            MLPClassifier(n_iter_no_change=bad).fit(X, y)


def test_coefs_and_intercepts_are_assignable_into_the_network():
    X, y = _digits(2)
    clf = MLPClassifier(hidden_layer_sizes=5, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clf.coefs_[1] = np.full((5, 1), 0.5)
    clf.intercepts_ = [np.zeros(5), np.array([-1.0])]
    assert np.shares_memory(clf.coefs_[1], clf.model_.params)
    np.testing.assert_array_equal(clf.model_.layers[1].kernel, np.full((5, 1), 0.5))
    np.testing.assert_array_equal(clf.model_.layers[1].bias, [-1.0])
    hidden = np.maximum(X @ clf.coefs_[0], 0)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1],
                               1 / (1 + np.exp(1 - hidden.sum(axis=1) / 2)), rtol=1e-12)
    with pytest.raises(DataError, match=r"weights \[0\] have shape \(64, 5\), got an array of "
                       r"shape \(3, 5\); refit"):
        clf.coefs_[0] = np.zeros((3, 5))


def test_divergence_goes_on_as_in_scikit_learn():
    """A diverging SGD run with early stopping records NaN scores and keeps its best weights;
    weights that end non-finite are scikit-learn's ValueError."""
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=100, activation="identity", solver="sgd",
                  learning_rate_init=1, max_iter=20, early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow, as in scikit-learn
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPRegressor(**params).fit(X, y)
        theirs = neural_network.MLPRegressor(**params).fit(X, y)
    assert np.isnan(ours.validation_scores_[-1]) and len(ours.validation_scores_) == 20
    np.testing.assert_array_equal(np.isnan(ours.validation_scores_),
                                  np.isnan(theirs.validation_scores_))
    assert np.isfinite(ours.model_.params).all()
    X_big = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(10, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter weights"):
            MLPRegressor().fit(X_big, np.arange(10.0))


def test_early_stopping_split_is_stratified_as_scikit_learns():
    with pytest.raises(ValueError, match=r"Classes with too few members are: \['True'\]"):
        MLPClassifier(early_stopping=True).fit([[1, 2], [2, 3], [3, 4], [4, 5]], [0, 0, 0, 1])


def test_convergence_warning_points_at_the_caller():
    X, y = _digits(2)
    with pytest.warns(ConvergenceWarning) as caught:
        MLPClassifier(hidden_layer_sizes=3, max_iter=1, random_state=0).fit(X, y)
    assert caught[0].filename == __file__
    with warnings.catch_warnings():  # a module filter for the caller's module catches it
        warnings.filterwarnings("error")
        warnings.filterwarnings("ignore", category=ConvergenceWarning, module=__name__)
        MLPClassifier(hidden_layer_sizes=3, max_iter=1, random_state=0).fit(X, y)


def test_warm_start_goes_on_from_lbfgs_to_sgd():
    X, y = _digits(2)
    clf = MLPClassifier(hidden_layer_sizes=8, solver="lbfgs", warm_start=True, max_iter=5,
                        random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
        assert not hasattr(clf, "loss_curve_")
        after_lbfgs = clf.model_.get_weights()
        clf.set_params(solver="sgd", learning_rate_init=1e-12, max_iter=3).fit(X, y)
    assert len(clf.loss_curve_) == clf.n_iter_ == 3
    for a, b in zip(after_lbfgs, clf.model_.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
