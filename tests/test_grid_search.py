"""grid_search, and cross-validation on a real Dask cluster (two worker processes, loopback)."""

import sys
import warnings

import numpy as np
import pytest

import glassnet
from glassnet.datasets import uci
from glassnet.errors import ConfigError
from glassnet.model_selection import GridSearchResult, cross_validate, grid_search


def build(rate, hidden=8):
    model = glassnet.Sequential([glassnet.layers.Dense(hidden, activation="relu"),
                                 glassnet.layers.Dense(7, activation="softmax")])
    model.compile(glassnet.optimizers.SGD(rate, momentum=0.9),
                  "sparse_categorical_crossentropy")
    return model


GRID = {"rate": [0.001, 0.05], "hidden": [4, 12], "epochs": [10, 30], "batch_size": [8, None]}


@pytest.fixture(scope="module")
def zoo():
    return uci.load_zoo(return_X_y=True)


@pytest.fixture(scope="module")
def local_result(zoo):
    return grid_search(build, GRID, *zoo, n_folds=3, scaler="minmax", seed=4, stratify=True)


def test_grid_search_scores_every_setting_on_the_same_folds(zoo, local_result):
    X, y = zoo
    result = local_result
    assert isinstance(result, GridSearchResult) and result.scores.shape == (16, 3)
    assert result.params[0] == {"batch_size": 8, "epochs": 10, "hidden": 4, "rate": 0.001}
    assert result.params[-1] == {"batch_size": None, "epochs": 30, "hidden": 12, "rate": 0.05}
    np.testing.assert_array_equal(result.mean, result.scores.mean(axis=1))
    assert result.best_index == int(np.argmax(result.mean))
    assert result.best_params == result.params[result.best_index]
    assert result.best_params["rate"] == 0.05 and result.best_score > 0.85
    assert result.mean[0] < 0.5  # a tiny rate for 10 epochs learns little
    # One setting's scores are what cross_validate gives for it, fold by fold.
    best = result.best_params
    single = cross_validate(lambda: build(best["rate"], best["hidden"]), X, y, n_folds=3,
                            fit_kwargs={"epochs": best["epochs"],
                                        "batch_size": best["batch_size"]},
                            scaler="minmax", seed=4, stratify=True)
    np.testing.assert_array_equal(single.scores, result.scores[result.best_index])


def test_grid_search_lists_of_grids_and_bad_grids(zoo):
    X, y = zoo
    result = grid_search(lambda **kw: build(**kw), [{"rate": [0.05]}, {"rate": [0.01],
                                                                        "hidden": [3]}],
                         X, y, n_folds=2, fit_kwargs={"epochs": 2}, seed=0)
    assert result.params == ({"rate": 0.05}, {"hidden": 3, "rate": 0.01})
    with pytest.raises(ConfigError, match=r"setting 'momentum' is neither an argument of "
                                          r"build_model \(rate, hidden\) nor of model\.fit"):
        grid_search(build, {"rate": [0.1], "momentum": [0.9]}, X, y)
    with pytest.raises(ConfigError, match=r"param_grid\['rate'\] must be a non-empty list"):
        grid_search(build, {"rate": []}, X, y)
    with pytest.raises(ConfigError, match=r"param_grid\['rate'\] must be a non-empty list"):
        grid_search(build, {"rate": "fast"}, X, y)
    with pytest.raises(ConfigError, match=r"client must be a dask\.distributed\.Client"):
        grid_search(build, {"rate": [0.1]}, X, y, client="tcp://127.0.0.1:8786")


# -- on a Dask cluster -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cloudpickle = pytest.importorskip("cloudpickle")
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests/
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           host="127.0.0.1", dashboard_address=None)
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_grid_search_on_a_dask_cluster_matches_the_local_run(zoo, local_result, client):
    assert len(client.scheduler_info()["workers"]) == 2
    remote = grid_search(build, GRID, *zoo, n_folds=3, scaler="minmax", seed=4, stratify=True,
                         client=client)
    np.testing.assert_array_equal(remote.scores, local_result.scores)
    assert remote.best_params == local_result.best_params
    assert remote.params == local_result.params
    ran_on = client.run(lambda: glassnet.kernels.active().name)
    assert set(ran_on.values()) == {glassnet.kernels.active().name}


def test_cross_validate_on_a_dask_cluster_matches_the_local_run(zoo, client):
    X, y = zoo
    args = dict(n_folds=4, fit_kwargs={"epochs": 15, "batch_size": 16}, scaler="standard",
                seed=1)
    local = cross_validate(lambda: build(0.05), X, y, **args)
    remote = cross_validate(lambda: build(0.05), X, y, client=client, **args)
    np.testing.assert_array_equal(remote.scores, local.scores)
    for a, b in zip(remote.histories, local.histories, strict=True):
        assert a.history == b.history and a.model is None


def test_scikit_learn_grid_search_through_joblibs_dask_backend(client):
    joblib = pytest.importorskip("joblib")
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV

    from glassnet.sklearn import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:400] / 16, y[:400]
    grid = {"hidden_layer_sizes": [(8,), (24,)], "learning_rate_init": [0.001, 0.01]}
    searches = []
    for backend in ("sequential", "dask"):
        search = GridSearchCV(MLPClassifier(max_iter=15, random_state=0), grid, cv=3, n_jobs=-1)
        with joblib.parallel_backend(backend), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(X, y)
        searches.append(search)
    local, remote = searches
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_ == {"hidden_layer_sizes": (24,),
                                                         "learning_rate_init": 0.01}
