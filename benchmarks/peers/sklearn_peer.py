"""scikit-learn's ``MLPClassifier``: the same model, one epoch per ``partial_fit`` call.

``MLPClassifier(hidden_layer_sizes=(128,), activation='relu', solver='adam', batch_size=32,
learning_rate_init=1e-3, alpha=0.0, random_state=SEED)``. ``alpha=0.0`` switches off its default L2
penalty so that it trains the same model as the others; float32 input stays float32. Each
``partial_fit`` is one shuffled epoch of Adam mini-batches. Convergence warnings are silenced.
"""

from __future__ import annotations

import time
import warnings

import harness
import numpy as np

MLPClassifier = None
_version = ""


def import_framework():
    global MLPClassifier, _version
    import sklearn
    from sklearn.neural_network import MLPClassifier as _M

    MLPClassifier = _M
    _version = sklearn.__version__
    return _version


def build(cfg, batch_size):
    return MLPClassifier(
        hidden_layer_sizes=cfg.hidden,
        activation="relu",
        solver="adam",
        batch_size=batch_size,
        learning_rate_init=1e-3,
        alpha=0.0,
        shuffle=True,
        random_state=harness.SEED,
    )


def _partial_fit(model, x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.partial_fit(x, y, classes=np.arange(10))


def _warm_model(cfg, data, batch_size):
    model = build(cfg, batch_size)
    k = batch_size * harness.WARMUP_STEPS
    _partial_fit(model, data["x_train"][:k].reshape(k, -1), data["y_train"][:k])
    return model


def run_train(cfg, data, quick):
    epochs, frac = cfg.epochs_for(quick), cfg.fraction_for(quick)
    x, y = harness.train_subset(data, frac)
    x2d = x.reshape(len(x), -1)
    t0 = time.perf_counter()
    model = _warm_model(cfg, data, cfg.batch_size)
    warm = time.perf_counter() - t0
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        _partial_fit(model, x2d, y)
        times.append(time.perf_counter() - t0)
    summary = harness.epoch_summary(times, frac)
    per_epoch = summary["time"]
    xt = data["x_test"].reshape(len(data["x_test"]), -1)
    acc = float(np.mean(model.predict(xt) == data["y_test"]))
    flops = harness.train_flops_per_sample(cfg.sizes) * len(data["x_train"])
    return [
        {
            "framework": "sklearn",
            **summary,
            "warmup_s": warm,
            "acc": acc,
            "gflops": harness.gflops(flops, per_epoch),
            "note": f"partial_fit per epoch, {model.coefs_[0].dtype}",
        }
    ]


def run_predict_batch(cfg, data):
    model = _warm_model(cfg, data, 32)
    x = data["x_test"].reshape(len(data["x_test"]), -1)
    return harness.predict_batch_row(
        "sklearn", lambda: model.predict_proba(x), len(x), cfg.sizes, "predict_proba"
    )


def run_predict_one(cfg, data):
    model = _warm_model(cfg, data, 32)
    x1 = data["x_test"][:1].reshape(1, -1)
    lat = harness.latency_us(lambda: model.predict_proba(x1))
    return [
        {
            "framework": "sklearn",
            "time": lat["median"],
            "note": f"predict_proba; p90 {lat['p90']:.1f} us",
        }
    ]
