"""Keras 3 on the torch backend (KERAS_BACKEND=torch), written as the seeds write it.

``keras.Sequential([Input((28, 28)), Flatten(), Dense(128, 'relu'), Dense(10, 'softmax')])``,
``compile(Adam(1e-3), 'sparse_categorical_crossentropy', metrics=['accuracy'])``,
``fit(x, y, batch_size, epochs, verbose=0)``, ``predict(x, verbose=0)``.
"""

from __future__ import annotations

import os
import time

import harness

keras = None


def import_framework():
    global keras
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras as _keras

    keras = _keras
    return f"{keras.__version__} ({keras.backend.backend()} backend)"


def build(sizes):
    keras.utils.set_random_seed(harness.SEED)
    layers = [keras.Input((28, 28)), keras.layers.Flatten()]
    for h in sizes[1:-1]:
        layers.append(keras.layers.Dense(h, activation="relu"))
    layers.append(keras.layers.Dense(sizes[-1], activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _warm_model(cfg, data, batch_size):
    model = build(cfg.sizes)
    k = batch_size * harness.WARMUP_STEPS
    model.fit(data["x_train"][:k], data["y_train"][:k], batch_size=batch_size, epochs=1, verbose=0)
    return model


def run_train(cfg, data, quick):
    epochs, frac = cfg.epochs_for(quick), cfg.fraction_for(quick)
    x, y = harness.train_subset(data, frac)
    t0 = time.perf_counter()
    model = _warm_model(cfg, data, cfg.batch_size)
    warm = time.perf_counter() - t0
    timer = harness.epoch_timer(keras.callbacks.Callback)
    t0 = time.perf_counter()
    model.fit(
        x, y, batch_size=cfg.batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer]
    )
    whole = (time.perf_counter() - t0) / epochs / frac
    summary = harness.epoch_summary(timer.times, frac)
    per_epoch = summary["time"]
    _, acc = model.evaluate(data["x_test"], data["y_test"], batch_size=1000, verbose=0)
    flops = harness.train_flops_per_sample(cfg.sizes) * len(data["x_train"])
    return [
        {
            "framework": "keras",
            **summary,
            "warmup_s": warm,
            "acc": float(acc),
            "gflops": harness.gflops(flops, per_epoch),
            "note": f"fit() call {whole:.3f} s/epoch",
        }
    ]


def run_predict_batch(cfg, data):
    model = _warm_model(cfg, data, 32)
    x = data["x_test"]
    return harness.predict_batch_row(
        "keras",
        lambda: model.predict(x, batch_size=len(x), verbose=0),
        len(x),
        cfg.sizes,
        "predict(batch_size=10000)",
    )


def run_predict_one(cfg, data):
    model = _warm_model(cfg, data, 32)
    x1 = data["x_test"][:1]
    lat = harness.latency_us(lambda: model.predict(x1, verbose=0), max_calls=1000)
    lat_pob = harness.latency_us(lambda: model.predict_on_batch(x1), max_calls=2000, budget_s=1.0)
    lat_call = harness.latency_us(
        lambda: keras.ops.convert_to_numpy(model(x1, training=False)), max_calls=2000, budget_s=1.0
    )
    return [
        {
            "framework": "keras",
            "time": lat["median"],
            "note": f"predict(); predict_on_batch {lat_pob['median']:.0f} us, "
            f"model(x) {lat_call['median']:.0f} us",
        }
    ]
