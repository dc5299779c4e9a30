"""Every loss against Keras 3 (values and gradients wrt y_pred, on random inputs), gradient
checks by finite differences, reductions, names and configs, and training through fit."""


import numpy as np
import pytest

from glassnet import losses
from glassnet.errors import ConfigError

RNG = np.random.default_rng(7)
N, K = 6, 4


def _inputs(kind):
    """(y_true, y_pred) of float64 for a kind of loss."""
    if kind == "prob":
        p = RNG.dirichlet(np.ones(K), N)
        return np.eye(K)[RNG.integers(0, K, N)], p
    if kind == "binary":
        return (RNG.random((N, K)) > 0.5).astype(float), RNG.uniform(0.05, 0.95, (N, K))
    if kind == "sparse":
        return RNG.integers(0, K, N).astype(float), RNG.dirichlet(np.ones(K), N)
    if kind == "logits":
        return np.eye(K)[RNG.integers(0, K, N)], RNG.normal(0, 2, (N, K))
    if kind == "positive":
        return RNG.uniform(0.1, 3, (N, K)), RNG.uniform(0.1, 3, (N, K))
    if kind == "binary_logits":
        return (RNG.random((N, K)) > 0.5).astype(float), RNG.normal(0, 2, (N, K))
    if kind == "signs":
        return RNG.choice([-1.0, 1.0], (N, K)), RNG.normal(0, 1.5, (N, K))
    return RNG.normal(0, 1, (N, K)), RNG.normal(0, 1.5, (N, K))


CASES = [
    ("MeanSquaredError", {}, "real"),
    ("MeanAbsoluteError", {}, "real"),
    ("MeanAbsolutePercentageError", {}, "real"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("Huber", {"delta": 0.7}, "real"),
    ("LogCosh", {}, "real"),
    ("CosineSimilarity", {}, "real"),
    ("KLDivergence", {}, "prob"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "signs"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "signs"),
    ("CategoricalHinge", {}, "prob"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("CategoricalCrossentropy", {}, "prob"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.3}, "prob"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse"),
    ("BinaryFocalCrossentropy", {}, "binary"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5,
                                 "label_smoothing": 0.1}, "binary"),
    ("BinaryFocalCrossentropy", {"from_logits": True, "gamma": 3.0}, "binary_logits"),
    ("CategoricalFocalCrossentropy", {}, "prob"),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.2},
     "prob"),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, "logits"),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None]


def _prepare(name, kind):
    y, p = _inputs(kind)
    if name == "SparseCategoricalCrossentropy" and kind == "logits":
        y = y.argmax(axis=1).astype(float)
    return y, p


def _keras_value_and_grad(keras, name, kwargs, y, p, w, reduction):
    import torch

    keras.config.set_floatx("float64")
    try:
        loss = getattr(keras.losses, name)(reduction=reduction, dtype="float64", **kwargs)
        pt = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        value = loss(torch.tensor(y, dtype=torch.float64), pt,
                     None if w is None else torch.tensor(w, dtype=torch.float64))
        value.sum().backward()
    finally:
        keras.config.set_floatx("float32")
    return value.detach().numpy(), pt.grad.numpy()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs, kind", CASES)
def test_values_and_gradients_equal_keras(keras, name, kwargs, kind, reduction):
    y, p = _prepare(name, kind)
    w = RNG.uniform(0.2, 2.0, N) if reduction != "sum" else None
    expected, expected_grad = _keras_value_and_grad(keras, name, kwargs, y, p, w, reduction)
    loss = getattr(losses, name)(reduction=reduction, **kwargs)
    np.testing.assert_allclose(loss(y, p, w), expected, rtol=2e-6, atol=1e-7)
    if reduction is None:
        return
    y_ready = loss.prepare_targets(y, p.shape[1:], p.dtype)
    grad = loss.backward(y_ready, p, w, np.empty_like(p))
    np.testing.assert_allclose(grad, expected_grad, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize("name, kwargs, kind", CASES)
def test_gradients_match_finite_differences(name, kwargs, kind):
    y, p = _prepare(name, kind)
    loss = getattr(losses, name)(**kwargs)
    y = loss.prepare_targets(y, p.shape[1:], p.dtype)
    grad = loss.backward(y, p, None, np.empty_like(p))
    numeric = np.empty_like(p)
    h = 1e-6
    for index in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[index] += h
        down[index] -= h
        numeric[index] = (loss.forward(y, up, None) - loss.forward(y, down, None)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name, kwargs, kind", CASES)
def test_get_config_equals_keras_and_rebuilds(keras, name, kwargs, kind):
    ours = getattr(losses, name)(**kwargs)
    theirs = getattr(keras.losses, name)(**kwargs).get_config()
    theirs = {k: v for k, v in theirs.items() if k != "dtype"}
    # glassnet keeps what Keras 3's configs forget (Huber's delta, CosineSimilarity's axis)
    extra = {"Huber": {"delta": kwargs.get("delta", 1.0)}, "CosineSimilarity": {"axis": -1}}
    assert ours.get_config() == {**theirs, **extra.get(name, {})}
    again = losses.get({"class_name": name, "config": ours.get_config()})
    assert again.get_config() == ours.get_config()


def test_saturated_sigmoid_gives_keras_clipped_value():
    # Keras clips probabilities at epsilon: -log(1 - float32(1 - 1e-7)) = 15.94
    loss = losses.BinaryCrossentropy()
    assert loss(np.array([[0.0]]), np.array([[1.0]], np.float32)) == pytest.approx(15.9424, 1e-4)


@pytest.mark.parametrize("loss, act, y", [
    ("binary_crossentropy", "sigmoid", np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])),
    ("categorical_crossentropy", "softmax", np.eye(2)[[0, 1, 1]]),
    (losses.CategoricalCrossentropy(label_smoothing=0.2), "softmax", np.eye(2)[[0, 1, 1]]),
    ("sparse_categorical_crossentropy", "softmax", np.array([0, 1, 1])),
])
def test_fused_step_equals_keras_where_the_clip_binds(keras, loss, act, y):
    """A model ending in sigmoid/softmax, with logits that saturate: the loss and dL/dz equal
    Keras's (its clip binds: value -log(eps), no gradient there), in float32."""
    import torch

    import glassnet
    from glassnet.models import training

    z = np.array([[40.0, -3.0], [0.5, 30.0], [-25.0, 0.2]], np.float32)
    model = glassnet.Sequential([glassnet.layers.Input((2,)),
                                 glassnet.layers.Dense(2, activation=act)])
    model.compile("sgd", loss)
    model.set_weights([np.eye(2, dtype=np.float32), np.zeros(2, np.float32)])
    head = model._heads[0]
    assert head.fused
    probs = model.predict(z)
    target = head.loss.prepare_targets(y, (2,), np.float32)
    out = training.forward(model, z, True)
    value, grad = head.loss.logits_value_and_grad(target, head.layer.net, out, None,
                                                  np.empty_like(out))
    zt = torch.tensor(z, requires_grad=True)
    pt = torch.sigmoid(zt) if act == "sigmoid" else torch.softmax(zt, -1)
    ours = losses.get(loss)
    kloss = keras.losses.get({"class_name": type(ours).__name__, "config": ours.get_config()})
    expected = kloss(torch.tensor(y, dtype=torch.float32), pt)
    expected.backward()
    assert value == pytest.approx(float(expected), rel=1e-5)
    np.testing.assert_allclose(grad, zt.grad.numpy(), atol=1e-7)
    assert np.allclose(out, probs)


def test_names_and_aliases_as_keras_spells_them():
    for name in ("mae", "mean_absolute_error", "MeanAbsoluteError", "MAE"):
        assert isinstance(losses.get(name), losses.MeanAbsoluteError)
    for name, cls in [("kld", losses.KLDivergence), ("huber", losses.Huber),
                      ("logcosh", losses.LogCosh), ("log_cosh", losses.LogCosh),
                      ("mape", losses.MeanAbsolutePercentageError),
                      ("msle", losses.MeanSquaredLogarithmicError),
                      ("kullback_leibler_divergence", losses.KLDivergence),
                      ("binary_focal_crossentropy", losses.BinaryFocalCrossentropy)]:
        assert isinstance(losses.get(name), cls)
    assert isinstance(losses.get(losses.huber), losses.Huber)
    assert losses.Huber().name == "huber_loss" and losses.LogCosh().name == "log_cosh"


def test_functions_give_unreduced_values():
    y, p = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 1.0], [0.0, 3.0]])
    np.testing.assert_allclose(losses.mean_absolute_error(y, p), [0.5, 1.5])
    np.testing.assert_allclose(losses.huber(y, p, delta=1.0), [0.25, 1.0])
    with pytest.raises(ConfigError, match="reduction must be one of"):
        losses.MeanSquaredError(reduction="average")


def test_a_subclass_gets_its_own_snake_case_name():
    class MyOwnLoss(losses.MeanAbsoluteError):
        name = "loss"

    assert MyOwnLoss().name == "my_own_loss"


@pytest.mark.parametrize("loss", ["mae", "huber", "logcosh", "mape", "msle", "poisson",
                                  "kld", "cosine_similarity"])
def test_regression_losses_train_through_fit(loss):
    import glassnet

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (256, 3)).astype(np.float32)
    y = (x @ np.array([[0.5, 0.2], [0.1, 0.3], [0.3, 0.4]]) + 0.2).astype(np.float32)
    act = "softmax" if loss == "kld" else "exponential" if loss in ("poisson", "msle") else None
    if act is None:
        act = "linear"
    if loss == "kld":
        y = y / y.sum(axis=1, keepdims=True)
    model = glassnet.Sequential([glassnet.layers.Input((3,)),
                                 glassnet.layers.Dense(8, activation="tanh"),
                                 glassnet.layers.Dense(2, activation=act)])
    model.compile(glassnet.optimizers.Adam(0.01), loss)
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=15, verbose=0, seed=0)
    assert history.history["loss"][-1] < before
    assert model.evaluate(x, y, verbose=0) < before


@pytest.mark.parametrize("loss", [losses.Huber(delta=2.0), "huber", "log_cosh",
                                  losses.CategoricalCrossentropy(label_smoothing=0.1),
                                  losses.BinaryFocalCrossentropy(gamma=3.0)])
def test_keras_archive_keeps_the_loss_for_keras(keras, tmp_path, loss):
    import glassnet

    model = glassnet.Sequential([glassnet.layers.Input((3,)),
                                 glassnet.layers.Dense(2, activation="softmax")])
    model.compile("adam", loss)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    ours = losses.get(loss)
    kloss = theirs.loss
    if isinstance(kloss, str):
        assert kloss == {"huber_loss": "huber"}.get(ours.name, ours.name)
        assert ours.get_config() == type(ours)().get_config()
    else:
        assert type(kloss).__name__ == type(ours).__name__
        theirs_config = {k: v for k, v in kloss.get_config().items() if k != "dtype"}
        assert theirs_config == {k: ours.get_config()[k] for k in theirs_config}
        for key, value in getattr(kloss, "_fn_kwargs", {}).items():  # Huber: delta reaches Keras
            assert ours.get_config().get(key, value) == value
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.loss.get_config() == ours.get_config()


def test_a_user_loss_with_call_and_call_grad_trains():
    import glassnet

    class ScaledSquare(losses.Loss):
        def call(self, y_true, y_pred):
            return 3.0 * np.mean(np.square(y_pred - y_true), axis=-1)

        def call_grad(self, y_true, y_pred, upstream):
            return 6.0 * (y_pred - y_true) / y_pred.shape[-1] * upstream[:, None]

    loss = ScaledSquare(reduction="sum")
    assert loss.name == "scaled_square"
    y, p = np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]])
    assert loss(y, p) == pytest.approx(1.5)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    model = glassnet.Sequential([glassnet.layers.Input((2,)), glassnet.layers.Dense(2)])
    model.compile("sgd", ScaledSquare())
    history = model.fit(x, x, epochs=5, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_user_loss_with_only_call_in_numpy_evaluates_and_names_numpy_when_trained():
    class OnlyCall(losses.Loss):
        def call(self, y_true, y_pred):
            return np.mean(np.abs(y_pred - y_true), axis=-1)

    loss = OnlyCall()
    assert loss(np.zeros((2, 1)), np.ones((2, 1))) == 1.0
    with pytest.raises(ConfigError, match=r"NumPy.s absolute .* use glassnet\.ops\.absolute"):
        loss.backward(np.zeros((2, 1)), np.ones((2, 1)), None, np.empty((2, 1)))
