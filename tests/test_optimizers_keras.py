"""Optimizer trajectories against Keras 3 (from identical weights and gradients, several
steps), every optimizer and every common option; plus the formulas where Keras is absent."""

import os

import numpy as np
import pytest

from glassnet import kernels, optimizers
from glassnet.optimizers import schedules

SHAPES = [(4, 3), (3,), (3, 2)]
STEPS = 6

CASES = [
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.0}),
    ("Adam", {"learning_rate": 0.01}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {"learning_rate": 0.01}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("Adagrad", {"learning_rate": 0.05}),
    ("Adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adadelta", {"learning_rate": 0.5, "rho": 0.9}),
    ("Adamax", {"learning_rate": 0.02}),
    ("Nadam", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.01, "clipvalue": 0.3}),
    ("RMSprop", {"learning_rate": 0.01, "global_clipnorm": 0.7}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.05}),
    ("Adam", {"learning_rate": 0.01, "weight_decay": 0.02}),
    ("Nadam", {"learning_rate": 0.01, "weight_decay": 0.02, "clipnorm": 1.0}),
    ("Adam", {"learning_rate": 0.01, "use_ema": True}),
    # a large epsilon, so that where it sits (inside or outside the square root) shows
    *((n, {"learning_rate": 0.05, "epsilon": 0.5}) for n in (
        "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam")),
    ("RMSprop", {"learning_rate": 0.05, "epsilon": 0.5, "centered": True}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5,
             "ema_overwrite_frequency": 2}),
]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    grads = [[rng.normal(size=s).astype(np.float32) * 2 for s in SHAPES] for _ in range(STEPS)]
    return weights, grads


def _flat(arrays):
    return np.concatenate([a.ravel() for a in arrays])


def _segments():
    bounds, start = [], 0
    for s in SHAPES:
        size = int(np.prod(s))
        bounds.append((start, start + size))
        start += size
    return bounds


def glassnet_trajectory(name, kwargs, impl="numpy"):
    weights, grads = _data()
    opt = optimizers.get(name, **kwargs)
    params = _flat(weights)
    opt.build(params, _segments())
    previous = kernels._state["name"]
    kernels.set_kernels(impl)
    try:
        path = []
        for g in grads:
            opt.step(params, _flat(g))
            path.append(params.copy())
    finally:
        kernels.set_kernels(previous or "numpy")
    return np.array(path), opt


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def keras_trajectory(name, kwargs):
    keras = _keras()
    weights, grads = _data()
    variables = [keras.Variable(w) for w in weights]
    opt = getattr(keras.optimizers, name)(**kwargs)
    path = []
    for g in grads:
        opt.apply([keras.ops.convert_to_tensor(a) for a in g], variables)
        path.append(_flat([keras.ops.convert_to_numpy(v.value) for v in variables]))
    return np.array(path), opt


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_trajectory_equals_keras(name, kwargs):
    ours, opt = glassnet_trajectory(name, kwargs)
    theirs, keras_opt = keras_trajectory(name, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=2e-6)
    if kwargs.get("use_ema"):  # fit's finalize step: the weights become the moving average
        params = ours[-1].copy()
        opt.finalize_variable_values(params)
        variables = keras_opt._trainable_variables
        keras_opt.finalize_variable_values(variables)
        np.testing.assert_allclose(params, _flat([v.numpy() for v in variables]), rtol=2e-5,
                                   atol=2e-6)


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_numba_kernels_equal_the_numpy_reference(name, kwargs):
    pytest.importorskip("numba")
    ours, _ = glassnet_trajectory(name, kwargs, "numpy")
    fused, _ = glassnet_trajectory(name, kwargs, "numba")
    np.testing.assert_allclose(fused, ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "Nadam", "Lion"])
def test_get_config_has_keras_keys_and_defaults(name):
    keras = _keras()
    ours = optimizers.get(name).get_config()
    theirs = getattr(keras.optimizers, name)().get_config()
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        if key != "name":
            assert ours[key] == pytest.approx(value, rel=1e-6), key


def test_schedule_as_learning_rate_equals_keras():
    keras = _keras()
    lr = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    ours, opt = glassnet_trajectory("SGD", {"learning_rate": lr, "momentum": 0.5})
    theirs, _ = keras_trajectory("SGD", {"learning_rate": keras.optimizers.schedules
                                         .ExponentialDecay(0.1, 2, 0.5), "momentum": 0.5})
    np.testing.assert_allclose(ours, theirs, rtol=2e-5, atol=2e-6)
    assert opt.learning_rate == pytest.approx(0.1 * 0.5 ** (STEPS / 2))


@pytest.mark.parametrize(("name", "kwargs"), CASES[:19],
                         ids=[f"{n}-{'-'.join(k)}" for n, k in CASES[:19]])
def test_state_resumes_exactly(name, kwargs):
    weights, grads = _data()
    whole, _ = glassnet_trajectory(name, kwargs)
    opt = optimizers.get(name, **kwargs)
    params = _flat(weights)
    for g in grads[:3]:
        opt.step(params, _flat(g))
    state, config = opt.get_state(), opt.get_config()
    again = optimizers.get(config)
    again.set_state(state, params)
    for g in grads[3:]:
        again.step(params, _flat(g))
    np.testing.assert_allclose(params, whole[-1], rtol=1e-6)


# -- the state moves to and from Keras's .keras files -------------------------------------------
FILE_CASES = [
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"learning_rate": 0.05}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adamax", {"learning_rate": 0.02}),
    ("Nadam", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": 0.001}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "use_ema": True}),
    ("SGD", {"learning_rate": schedules.PiecewiseConstantDecay([3, 6], [0.1, 0.05, 0.01]),
             "momentum": 0.5}),
]


def _xy(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 2)).astype("float32")


def _glassnet_mlp():
    import glassnet
    from glassnet.layers import Dense

    return glassnet.Sequential([Dense(5, activation="tanh", input_shape=(4,)), Dense(2)])


@pytest.mark.parametrize(("name", "kwargs"), FILE_CASES,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in FILE_CASES])
def test_state_moves_to_keras_and_back(tmp_path, name, kwargs):
    keras = _keras()
    import glassnet

    model = _glassnet_mlp()
    model.compile(optimizers.get(name, **kwargs), "mse")
    x, y = _xy(0)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert int(theirs.optimizer.iterations.numpy()) == 8
    assert float(theirs.optimizer.learning_rate) == pytest.approx(model.optimizer.learning_rate)
    x2, y2 = _xy(1)
    theirs.train_on_batch(x2, y2)
    model.train_on_batch(x2, y2)
    np.testing.assert_allclose(np.asarray(theirs.predict(x2, verbose=0)),
                               model.predict(x2, verbose=0), atol=2e-5, rtol=0)
    theirs.save(tmp_path / "k.keras")
    back = glassnet.models.load_model(tmp_path / "k.keras")
    assert type(back.optimizer).__name__ == name and back.optimizer.iterations == 9
    theirs.train_on_batch(x, y)
    back.train_on_batch(x, y)
    np.testing.assert_allclose(back.predict(x2, verbose=0),
                               np.asarray(theirs.predict(x2, verbose=0)), atol=2e-5, rtol=0)


def fit_both(ours, theirs_optimizer, epochs=2):
    """The same MLP from the same weights fitted by glassnet (``ours``: its optimizer) and by
    Keras; returns (glassnet model, Keras model)."""
    keras = _keras()
    x, y = _xy(0)
    model = _glassnet_mlp()
    model.compile(ours, "mse")
    model.build((4,))
    weights = model.get_weights()
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                               keras.layers.Dense(2)])
    theirs.set_weights(weights)
    theirs.compile(theirs_optimizer(keras), "mse")
    theirs.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    for mine, keras_w in zip(model.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, keras_w, atol=2e-6)
    return model, theirs


def test_fit_ends_with_the_moving_average_as_keras_does():
    model, _ = fit_both(optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5),
                        lambda k: k.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5))
    np.testing.assert_array_equal(model.params, model.optimizer.state["average"])


@pytest.mark.parametrize("options", [{"clipnorm": 0.05}, {"global_clipnorm": 0.05},
                                     {"clipvalue": 0.01}, {"weight_decay": 0.5}])
def test_fit_with_clipping_and_decay_equals_keras(options):
    fit_both(optimizers.SGD(0.1, momentum=0.5, **options),
             lambda k: k.optimizers.SGD(0.1, momentum=0.5, **options))


def test_fit_with_a_warmup_cosine_schedule_equals_keras():
    def cosine(lib):
        return lib.CosineDecay(0.0, 6, warmup_target=0.05, warmup_steps=3)

    model, theirs = fit_both(optimizers.Adam(cosine(schedules)),
                             lambda k: k.optimizers.Adam(cosine(k.optimizers.schedules)),
                             epochs=3)
    assert model.optimizer.learning_rate == pytest.approx(float(theirs.optimizer.learning_rate))


@pytest.mark.parametrize("optimizer", [
    lambda: optimizers.Nadam(schedules.ExponentialDecay(0.01, 5, 0.5), weight_decay=0.01),
    lambda: optimizers.Adam(0.01, amsgrad=True, use_ema=True, clipnorm=0.5),
    lambda: optimizers.Adagrad(0.05, initial_accumulator_value=0.3),
    lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True, global_clipnorm=1.0),
    lambda: optimizers.Lion(0.001), lambda: optimizers.Adadelta(1.0),
    lambda: optimizers.Adamax(0.01, clipvalue=0.1)])
def test_glassnet_files_resume_training_exactly(tmp_path, optimizer):
    import glassnet

    x, y = _xy(0)
    model = _glassnet_mlp()
    model.compile(optimizer(), "mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=1)
    model.save(tmp_path / "m.glassnet")
    same = glassnet.models.load_model(tmp_path / "m.glassnet")
    assert same.optimizer.get_config() == model.optimizer.get_config()
    for m in (model, same):
        m.fit(x, y, epochs=2, batch_size=8, verbose=0, seed=2)
    np.testing.assert_array_equal(same.params, model.params)
    assert same.optimizer.iterations == model.optimizer.iterations == 16
