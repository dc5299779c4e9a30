"""glassnet.sklearn on scipy.sparse input: the same weights as on the dense matrix."""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
sp = pytest.importorskip("scipy.sparse")

from sklearn import neural_network  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402
from glassnet.sklearn._engine import Engine  # noqa: E402


def _text_like(rows=300, features=400, density=0.02, seed=0):
    """Non-negative counts, mostly zeros, and labels that depend on a few columns."""
    rng = np.random.default_rng(seed)
    X = sp.random(rows, features, density=density, format="csr", random_state=seed,
                  data_rvs=lambda k: rng.integers(1, 4, k).astype(float))
    y = (X[:, :40].sum(axis=1).A.ravel() > X[:, 40:80].sum(axis=1).A.ravel()).astype(int)
    return X, y


def _fit(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **kwargs)


def _assert_same_weights(a, b, rtol=1e-10):
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_allclose(u, v, rtol=rtol, atol=1e-13)


SOLVERS = {
    "adam_l2": dict(solver="adam", alpha=1e-2, batch_size=64, max_iter=5),
    "nesterov": dict(solver="sgd", learning_rate_init=0.05, batch_size=50, max_iter=5),
    "invscaling_unshuffled": dict(solver="sgd", learning_rate="invscaling", momentum=0,
                                  learning_rate_init=0.5, shuffle=False, max_iter=5),
    "lbfgs": dict(solver="lbfgs", max_iter=30),
    "early_stopping": dict(early_stopping=True, max_iter=6, n_iter_no_change=2),
}


@pytest.mark.parametrize("case", sorted(SOLVERS))
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_and_dense_input_give_the_same_weights(case, fmt):
    X, y = _text_like()
    params = dict(SOLVERS[case], hidden_layer_sizes=(16, 8), random_state=0)
    dense = _fit(MLPClassifier(**params), X.toarray(), y)
    sparse = _fit(MLPClassifier(**params), X.asformat(fmt), y)
    assert sparse.n_iter_ == dense.n_iter_
    _assert_same_weights(sparse, dense)
    np.testing.assert_allclose(sparse.predict_proba(X.asformat(fmt)),
                               dense.predict_proba(X.toarray()), rtol=1e-10)
    assert sparse.score(X, y) == dense.score(X.toarray(), y)


def test_sparse_input_matches_scikit_learn():
    X, y = _text_like(seed=1)
    params = dict(hidden_layer_sizes=(12,), solver="sgd", alpha=1e-3, batch_size=32,
                  max_iter=4, random_state=0)
    ours = _fit(MLPClassifier(**params), X, y)
    theirs = _fit(neural_network.MLPClassifier(**params), X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    _assert_same_weights(ours, theirs, rtol=1e-9)


def test_sparse_regression_partial_fit_weights_and_float32():
    X, _ = _text_like(seed=2)
    target = np.asarray(X[:, :20].sum(axis=1)).ravel() / 5
    weights = np.random.default_rng(0).uniform(0.5, 2, X.shape[0])
    dense, sparse = MLPRegressor(hidden_layer_sizes=(8,), random_state=0), \
        MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    for _ in range(3):
        dense.partial_fit(X.toarray(), target, sample_weight=weights)
        sparse.partial_fit(sp.csr_array(X), target, sample_weight=weights)
    _assert_same_weights(sparse, dense)
    X32 = X.astype(np.float32)
    reg = _fit(MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0), X32, target)
    assert reg.coefs_[0].dtype == np.float32 and reg.predict(X32).dtype == np.float32
    twin = _fit(MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0),
                X32.toarray(), target)
    np.testing.assert_allclose(reg.predict(X32), twin.predict(X32.toarray()), rtol=1e-5, atol=1e-6)


def test_a_network_without_hidden_layers_takes_sparse_input():
    X, y = _text_like(seed=3)
    params = dict(hidden_layer_sizes=(), solver="lbfgs", max_iter=20, random_state=0)
    sparse = _fit(MLPClassifier(**params), X, y)
    dense = _fit(MLPClassifier(**params), X.toarray(), y)
    assert len(sparse.coefs_) == 1
    _assert_same_weights(sparse, dense)


def test_the_first_layers_gradient_is_computed_on_the_batchs_columns():
    """Engine's sparse backward against the dense product, with and without alpha."""
    X, y = _text_like(rows=40, features=50, density=0.05, seed=4)
    clf = _fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=1, random_state=0), X, y)
    engine = Engine(clf.model_)
    for alpha in (0.0, 0.3):
        gradients = []
        for x in (X, X.toarray()):
            out = engine.forward(x)
            engine.backward(out - y[:, None], alpha, 40.0)
            gradients.append(clf.model_.grads.copy())
        np.testing.assert_allclose(gradients[0], gradients[1], rtol=1e-12, atol=1e-15)
        assert np.abs(gradients[0]).max() > 0
