"""glassnet through its Keras-shaped public API, exactly as a user writes it.

``glassnet.Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation='relu'),
Dense(10, activation='softmax')])``, ``compile(Adam(1e-3), 'sparse_categorical_crossentropy',
metrics=['accuracy'])``, ``fit(x, y, epochs, batch_size, verbose=0, seed=SEED)``,
``evaluate`` and ``predict``. The worker puts the checkout's ``src/`` first on the path, so this
measures the working tree.
"""

from __future__ import annotations

import time

import harness
import numpy as np

from peers.numpy_peer import chain_predict

glassnet = None
NAME = "glassnet"


def import_framework():
    global glassnet
    import glassnet as _glassnet

    glassnet = _glassnet
    return glassnet.__version__


def build(sizes):
    from glassnet.layers import Dense, Flatten

    layers = [Flatten(input_shape=(28, 28))]
    for h in sizes[1:-1]:
        layers.append(Dense(h, activation="relu"))
    layers.append(Dense(sizes[-1], activation="softmax"))
    glassnet.utils.set_random_seed(harness.SEED)  # the initial weights, as torch.manual_seed
    return _compiled(glassnet.Sequential(layers))


def build_graph(graph: str):
    """The functional models of ``harness.GRAPHS``, as a Keras user writes them."""
    from glassnet.layers import Add, Dense, Flatten, Input, ReLU, concatenate

    glassnet.utils.set_random_seed(harness.SEED)
    if graph in ("bn-mlp", "adamw-cosine"):
        return _toolkit_model(graph)
    pixels = Input((28, 28))
    flat = Flatten()(pixels)
    h = Dense(256, activation="relu")(flat)
    if graph == "wide-deep":
        deep = Dense(128, activation="relu")(h)
        out = Dense(10, activation="softmax")(concatenate([flat, deep]))
    else:
        for _ in range(2):
            r = Dense(256)(Dense(256, activation="relu")(h))
            h = ReLU()(Add()([h, r]))
        out = Dense(10, activation="softmax")(h)
    return _compiled(glassnet.Model(pixels, out))


def _toolkit_model(graph: str):
    """bn-mlp (Dense, BatchNormalization, ReLU twice) and adamw-cosine (the seeds' model on
    AdamW with a warmup + cosine schedule), as Keras users write them."""
    from glassnet.layers import BatchNormalization, Dense, Flatten, ReLU

    if graph == "adamw-cosine":
        model = glassnet.Sequential([Flatten(input_shape=(28, 28)),
                                     Dense(128, activation="relu"),
                                     Dense(10, activation="softmax")])
        c, steps = harness.COSINE, -(-60_000 // 32)
        sched = glassnet.optimizers.schedules.CosineDecay(
            c["lr0"], c["epochs"] * steps - c["warmup_steps"], warmup_target=c["lr_peak"],
            warmup_steps=c["warmup_steps"])
        return _compiled(model, glassnet.optimizers.AdamW(sched, weight_decay=c["weight_decay"]))
    layers = [Flatten(input_shape=(28, 28))]
    for h in (256, 128):
        layers += [Dense(h), BatchNormalization(), ReLU()]
    return _compiled(glassnet.Sequential([*layers, Dense(10, activation="softmax")]))


def build_for(cfg):
    return build_graph(cfg.graph) if cfg.graph else build(cfg.sizes)


def _compiled(model, optimizer=None):
    model.compile(
        optimizer=optimizer or glassnet.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _kernels_note():
    """Which kernel implementation glassnet ran ('numpy' or 'numba')."""
    return f"kernels={glassnet.kernels.active().name}"


def _warm_model(cfg, data, batch_size):
    model = build_for(cfg)
    k = batch_size * harness.WARMUP_STEPS
    model.fit(
        data["x_train"][:k], data["y_train"][:k], epochs=1, batch_size=batch_size, verbose=0,
        seed=harness.SEED,
    )
    return model


def run_train(cfg, data, quick):
    epochs, frac = cfg.epochs_for(quick), cfg.fraction_for(quick)
    x, y = harness.train_subset(data, frac)
    t0 = time.perf_counter()
    model = _warm_model(cfg, data, cfg.batch_size)
    warm = time.perf_counter() - t0
    timer = harness.epoch_timer(glassnet.callbacks.Callback)
    t0 = time.perf_counter()
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=cfg.batch_size,
        verbose=0,
        seed=harness.SEED,
        callbacks=[timer],
    )
    whole = (time.perf_counter() - t0) / epochs / frac
    times = timer.times if len(timer.times) == epochs else None
    summary = harness.epoch_summary(times or [whole * frac] * epochs, frac)
    per_epoch = summary["time"]
    result = model.evaluate(data["x_test"], data["y_test"], verbose=0)
    acc = float(result[-1])
    flops = harness.train_flops(cfg) * len(data["x_train"])
    return [
        {
            "framework": NAME,
            **summary,
            "warmup_s": warm,
            "acc": acc,
            "gflops": harness.gflops(flops, per_epoch),
            "note": f"fit() call {whole:.3f} s/epoch {_kernels_note()}",
        }
    ]


def run_predict_batch(cfg, data):
    model = _warm_model(cfg, data, 32)
    x = data["x_test"]
    return harness.predict_batch_row(
        "glassnet",
        lambda: model.predict(x, batch_size=len(x)),
        len(x),
        cfg.sizes,
        "predict(batch_size=10000)",
    )


def run_predict_one(cfg, data):
    model = _warm_model(cfg, data, 32)
    x1 = data["x_test"][:1]
    lat = harness.latency_us(lambda: model.predict(x1))
    # The bar: within 1.5x of a bare NumPy chain over the SAME weights, same process.
    weights = [np.asarray(w) for w in model.get_weights()]
    x1f = x1.reshape(1, -1)
    ref = harness.latency_us(lambda: chain_predict(x1f, weights))
    same = np.allclose(model.predict(x1), chain_predict(x1f, weights), atol=1e-5)
    return [
        {
            "framework": "glassnet",
            "time": lat["median"],
            "note": f"predict(x1); {lat['median'] / ref['median']:.2f}x the NumPy chain over its "
            f"weights ({ref['median']:.1f} us){'' if same else ', OUTPUTS DIFFER'}",
        }
    ]
