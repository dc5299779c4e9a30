"""Stateful metrics against Keras 3 (several batches, sample weights), against scikit-learn
where the same quantity exists, their names and configs, and their use in fit / evaluate."""


import numpy as np
import pytest

import glassnet
from glassnet import metrics
from glassnet.layers import Dense, Input

RNG = np.random.default_rng(3)
N, K = 40, 4


def _data(kind):
    if kind == "binary":
        return (RNG.random((N, 1)) > 0.5).astype(float), RNG.random((N, 1))
    if kind == "multilabel":
        return (RNG.random((N, K)) > 0.5).astype(float), RNG.random((N, K))
    if kind == "onehot":
        return np.eye(K)[RNG.integers(0, K, N)], RNG.dirichlet(np.ones(K), N)
    if kind == "sparse":
        return RNG.integers(0, K, N).astype(float), RNG.dirichlet(np.ones(K), N)
    if kind == "positive":
        return RNG.uniform(0.1, 3, (N, K)), RNG.uniform(0.1, 3, (N, K))
    if kind == "labels":
        return RNG.integers(0, 3, (N, 1)).astype(float), RNG.integers(0, 3, (N, 1)).astype(float)
    return RNG.normal(0, 1, (N, K)), RNG.normal(0, 1.5, (N, K))


CASES = [
    ("Accuracy", {}, "labels"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.3}, "multilabel"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("MeanSquaredError", {}, "real"),
    ("RootMeanSquaredError", {}, "real"),
    ("MeanAbsoluteError", {}, "real"),
    ("MeanAbsolutePercentageError", {}, "real"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("CosineSimilarity", {}, "real"),
    ("LogCoshError", {}, "real"),
    ("KLDivergence", {}, "onehot"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "multilabel"),
    ("SquaredHinge", {}, "multilabel"),
    ("CategoricalHinge", {}, "onehot"),
    ("BinaryCrossentropy", {}, "multilabel"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("R2Score", {}, "real"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "real"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"num_thresholds": 50, "summation_method": "minoring"}, "multilabel"),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "multilabel"),
    ("AUC", {"multi_label": True}, "multilabel"),
    ("AUC", {"multi_label": True, "curve": "PR"}, "multilabel"),
    ("AUC", {"thresholds": [0.2, 0.5, 0.7]}, "binary"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.2, 0.6]}, "multilabel"),
    ("Precision", {"top_k": 2}, "multilabel"),
    ("Precision", {"class_id": 1, "thresholds": 0.4}, "multilabel"),
    ("Recall", {}, "binary"),
    ("Recall", {"top_k": 1, "class_id": 2}, "multilabel"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.3, 0.8]}, "multilabel"),
    ("TrueNegatives", {}, "multilabel"),
    ("FalseNegatives", {}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary"),
    ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 30}, "multilabel"),
    ("SensitivityAtSpecificity", {"specificity": 0.4, "class_id": 1}, "multilabel"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7}, "binary"),
    ("F1Score", {}, "onehot"),
    ("F1Score", {"average": "macro", "threshold": 0.3}, "multilabel"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}, "multilabel"),
    ("FBetaScore", {"average": "micro", "beta": 0.5}, "onehot"),
]


def _batches(weighted):
    w = RNG.uniform(0.2, 2, N) if weighted else None
    return [slice(0, 13), slice(13, 30), slice(30, N)], w


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name, kwargs, kind", CASES)
def test_metric_over_batches_equals_keras(keras, name, kwargs, kind, weighted):
    y, p = _data(kind)
    parts, w = _batches(weighted)
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for part in parts:
        sw = None if w is None else w[part]
        ours.update_state(y[part], p[part], sample_weight=sw)
        theirs.update_state(y[part].astype(np.float32), p[part].astype(np.float32),
                            sample_weight=None if sw is None else sw.astype(np.float32))
    expected = np.asarray(theirs.result().detach().cpu().numpy() if hasattr(
        theirs.result(), "detach") else theirs.result())
    np.testing.assert_allclose(np.asarray(ours.result()), expected, rtol=2e-5, atol=2e-6)
    ours.reset_state()
    ours.update_state(y, p)
    theirs.reset_state()
    theirs.update_state(y.astype(np.float32), p.astype(np.float32))
    np.testing.assert_allclose(np.asarray(ours.result()),
                               np.asarray(theirs.result().detach().cpu().numpy()),
                               rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name, kwargs, kind", CASES)
def test_names_and_configs_equal_keras(keras, name, kwargs, kind):
    import re

    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    # Keras numbers a default name used again ('auc_3'); glassnet's logs keep 'auc'
    config = {**theirs.get_config(), "name": re.sub(r"_\d+$", "", theirs.name)}
    assert ours.name == config["name"]
    if "label_weights" in config and config["label_weights"] is not None:
        config["label_weights"] = list(config["label_weights"])
    assert ours.get_config() == config
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()


def test_values_equal_scikit_learn():
    sk = pytest.importorskip("sklearn.metrics")
    y = (RNG.random(300) > 0.4).astype(float)
    score = np.clip(y * 0.3 + RNG.random(300) * 0.7, 0, 1)
    auc = metrics.AUC(num_thresholds=2000)
    auc.update_state(y, score)
    assert float(auc.result()) == pytest.approx(sk.roc_auc_score(y, score), abs=2e-3)
    for cls, fn in [(metrics.Precision, sk.precision_score), (metrics.Recall, sk.recall_score)]:
        m = cls()
        m.update_state(y[:100], score[:100])
        m.update_state(y[100:], score[100:])
        assert float(m.result()) == pytest.approx(fn(y, score > 0.5), rel=1e-6)
    f1 = metrics.F1Score(threshold=0.5)
    f1.update_state(y[:, None], score[:, None])
    assert float(f1.result()[0]) == pytest.approx(sk.f1_score(y, score > 0.5), rel=1e-5)
    t, p = RNG.normal(size=(300, 2)), RNG.normal(size=(300, 2))
    r2 = metrics.R2Score()
    r2.update_state(t[:150], p[:150])
    r2.update_state(t[150:], p[150:])
    assert float(r2.result()) == pytest.approx(sk.r2_score(t, p), rel=1e-5)
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(t, p)
    assert float(rmse.result()) == pytest.approx(np.sqrt(sk.mean_squared_error(t, p)), 1e-6)


def test_metric_subclass_with_add_variable_and_add_weight():
    class PositiveRate(metrics.Metric):
        def __init__(self, name="positive_rate", **kwargs):
            super().__init__(name=name, **kwargs)
            self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")
            self.seen = self.add_weight(name="seen")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.hits.assign_add(np.sum(np.asarray(y_pred) > 0.5))
            self.seen.assign_add(np.size(y_pred))

        def result(self):
            return self.hits / self.seen

    m = PositiveRate()
    m.update_state(None, [0.9, 0.1])
    m.update_state(None, [0.7, 0.8])
    assert float(m.result()) == 0.75
    assert [v.name for v in m.variables] == ["hits", "seen"]
    m.reset_state()
    assert float(m.hits) == 0 and float(m.seen) == 0


def _binary_model():
    x = Input((3,), name="x")
    model = glassnet.Model(x, Dense(1, activation="sigmoid", name="out")(
        Dense(6, activation="relu", name="hidden")(x)))
    return model


def _binary_data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    y = (x[:, :1] + 0.5 * rng.normal(size=(200, 1)) > 0).astype(np.float32)
    return x, y


def test_fit_reports_epoch_auc_not_a_mean_of_batch_aucs():
    x, y = _binary_data()
    model = _binary_model()
    model.compile("adam", "binary_crossentropy",
                  metrics=["auc", glassnet.metrics.Precision(), "RootMeanSquaredError", "acc"])
    assert model.metrics_names == ["loss", "auc", "precision", "RootMeanSquaredError", "acc"]
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    logs = model.evaluate(x, y, batch_size=16, return_dict=True, verbose=0)
    p = model.predict(x)
    auc = metrics.AUC()
    auc.update_state(y, p)
    assert logs["auc"] == pytest.approx(float(auc.result()), rel=1e-6)
    batch_mean = np.mean([_auc(y[i:i + 16], p[i:i + 16]) for i in range(0, 200, 16)])
    assert logs["auc"] != pytest.approx(batch_mean, rel=1e-4)
    prec = metrics.Precision()
    prec.update_state(y, p)
    assert logs["precision"] == pytest.approx(float(prec.result()), rel=1e-6)
    rmse = np.sqrt(np.mean((p - y) ** 2))
    assert logs["RootMeanSquaredError"] == pytest.approx(rmse, rel=1e-5)
    assert set(history.history) == {"loss", "auc", "precision", "RootMeanSquaredError", "acc"}


def _auc(y, p):
    m = metrics.AUC()
    m.update_state(y, p)
    return float(m.result())


def test_fit_matches_keras_metrics_on_identical_weights(keras):
    x, y = _binary_data()
    model = _binary_model()
    model.compile("sgd", "binary_crossentropy", metrics=["auc", "precision", "recall", "mse"])
    kx = keras.Input((3,))
    kmodel = keras.Model(kx, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Dense(6, activation="relu")(kx)))
    kmodel.compile("sgd", "binary_crossentropy", metrics=["auc", "precision", "recall", "mse"])
    kmodel.set_weights(model.get_weights())
    ours = model.evaluate(x, y, batch_size=32, return_dict=True, verbose=0)
    theirs = kmodel.evaluate(x, y, batch_size=32, return_dict=True, verbose=0)
    assert set(ours) == set(theirs)
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key], rel=1e-4, abs=1e-6), key


def test_plain_function_metric_is_a_mean_as_in_keras(keras):
    x, y = _binary_data()

    def mean_gap(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred)).mean(axis=-1)

    def batch_max(y_true, y_pred):
        return float(np.max(y_pred))

    model = _binary_model()
    model.compile("sgd", "binary_crossentropy", metrics=[mean_gap, batch_max])
    assert model.metrics_names == ["loss", "mean_gap", "batch_max"]
    logs = model.evaluate(x, y, batch_size=64, return_dict=True, verbose=0)
    p = model.predict(x)
    assert logs["mean_gap"] == pytest.approx(float(np.abs(y - p).mean()), rel=1e-5)
    # a scalar per batch counts once (Keras's Mean): batches of 64, 64, 64, 8
    maxima = [p[i:i + 64].max() for i in range(0, 200, 64)]
    assert logs["batch_max"] == pytest.approx(float(np.mean(maxima)), rel=1e-6)
    kx = keras.Input((3,))
    kmodel = keras.Model(kx, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Dense(6, activation="relu")(kx)))
    kmodel.compile("sgd", "binary_crossentropy",
                   metrics=[lambda t, q: mean_gap(t.cpu().numpy(), q.cpu().numpy()),
                            lambda t, q: batch_max(t, q.cpu().numpy())])
    kmodel.set_weights(model.get_weights())
    theirs = kmodel.evaluate(x, y, batch_size=64, return_dict=True, verbose=0)
    assert theirs["loss"] == pytest.approx(logs["loss"], rel=1e-5)
    assert theirs["lambda"] == pytest.approx(logs["mean_gap"], rel=1e-5)
    assert theirs["lambda_1"] == pytest.approx(logs["batch_max"], rel=1e-5)


def test_progress_logs_are_running_epoch_values():
    from glassnet.callbacks import Callback

    seen = []

    class Record(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs["auc"])

    x, y = _binary_data()
    model = _binary_model()
    model.compile("adam", "binary_crossentropy", metrics=["auc"])
    history = model.fit(x, y, batch_size=50, epochs=1, verbose=0, callbacks=[Record()])
    assert len(seen) == 4 and seen[-1] == pytest.approx(history.history["auc"][0])


def test_multi_output_metric_names_have_output_prefixes():
    x = Input((3,))
    h = Dense(4, activation="relu")(x)
    model = glassnet.Model(x, [Dense(3, activation="softmax", name="kind")(h),
                               Dense(1, name="size")(h)])
    model.compile("adam", {"kind": "sparse_categorical_crossentropy", "size": "mse"},
                  metrics={"kind": ["accuracy", metrics.SparseTopKCategoricalAccuracy(k=2)],
                           "size": [metrics.RootMeanSquaredError(), "mae"]})
    assert model.metrics_names == ["loss", "kind_loss", "size_loss", "kind_accuracy",
                                   "kind_sparse_top_k_categorical_accuracy",
                                   "size_root_mean_squared_error", "size_mae"]
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(64, 3)).astype(np.float32)
    logs = model.evaluate(xs, [rng.integers(0, 3, 64), rng.normal(size=(64, 1))],
                          return_dict=True, verbose=0)
    assert 0 <= logs["kind_accuracy"] <= logs["kind_sparse_top_k_categorical_accuracy"] <= 1


def test_metric_names_by_keras_spellings():
    for name, cls in [("auc", metrics.AUC), ("AUC", metrics.AUC),
                      ("precision", metrics.Precision), ("RootMeanSquaredError",
                                                         metrics.RootMeanSquaredError),
                      ("mse", metrics.MeanSquaredError), ("mape",
                                                          metrics.MeanAbsolutePercentageError),
                      ("f1_score", metrics.F1Score), ("r2_score", metrics.R2Score),
                      ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy)]:
        assert isinstance(metrics.get(name), cls)


def test_weighted_metrics_use_sample_weights_as_keras(keras):
    x, y = _binary_data()
    w = np.random.default_rng(5).uniform(0.1, 3, len(x)).astype(np.float32)
    model = _binary_model()
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", "auc"],
                  weighted_metrics=["accuracy", metrics.AUC(name="wauc")])
    assert model.metrics_names == ["loss", "accuracy", "auc", "weighted_accuracy", "wauc"]
    kx = keras.Input((3,))
    kmodel = keras.Model(kx, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Dense(6, activation="relu")(kx)))
    kmodel.compile("sgd", "binary_crossentropy", metrics=["accuracy", "auc"],
                   weighted_metrics=["accuracy", keras.metrics.AUC(name="wauc")])
    kmodel.set_weights(model.get_weights())
    ours = model.evaluate(x, y, sample_weight=w, batch_size=32, return_dict=True, verbose=0)
    theirs = kmodel.evaluate(x, y, sample_weight=w, batch_size=32, return_dict=True, verbose=0)
    assert set(ours) == set(theirs)
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key], rel=1e-4, abs=1e-6), key
    assert ours["weighted_accuracy"] != pytest.approx(ours["accuracy"], rel=1e-6)
