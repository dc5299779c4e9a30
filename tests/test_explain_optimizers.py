"""explain's update is the model's own optimizer's step: SGD, momentum, Nesterov, Adam, RMSprop,
each with and without weight decay, from the optimizer's current state; the model is untouched."""

import math

import numpy as np
import pytest

import glassnet
from glassnet.errors import ConfigError, GradientCheckError
from glassnet.layers import Dense
from glassnet.optimizers import SGD, Adam, Optimizer, RMSprop

X = np.array([[0.3, -0.7]])
Y = np.array([[0.2, 0.9]])

OPTIMIZERS = {
    "sgd": lambda wd: SGD(0.5, weight_decay=wd),
    "momentum": lambda wd: SGD(0.5, momentum=0.9, weight_decay=wd),
    "nesterov": lambda wd: SGD(0.5, momentum=0.9, nesterov=True, weight_decay=wd),
    "adam": lambda wd: Adam(0.05, weight_decay=wd),
    "rmsprop": lambda wd: RMSprop(0.01, weight_decay=wd),
    "rmsprop_momentum": lambda wd: RMSprop(0.01, momentum=0.5, weight_decay=wd),
}


def network(optimizer, dtype="float64"):
    glassnet.utils.set_random_seed(7)
    model = glassnet.Sequential([Dense(3, activation="tanh", input_shape=(2,), name="eo_h"),
                                 Dense(2, activation="sigmoid", name="eo_o")], dtype=dtype)
    model.compile(optimizer, "mse")
    return model


def explain_order(model, flat):
    """A flat array laid out like model.params, in explain's order: w1.. then the biases."""
    arrays, start = [], 0
    for w in model.get_weights():
        arrays.append(flat[start:start + w.size].reshape(w.shape))
        start += w.size
    kernels, biases = arrays[0::2], arrays[1::2]
    return np.concatenate([*(k.T.ravel() for k in kernels), *biases])


def snapshot(model):
    opt = model.optimizer
    return (model.params.copy(), model.grads.copy(), opt.get_state(), opt.learning_rate,
            opt._scratch is None)


def assert_unchanged(model, before):
    params, grads, state, lr, unbuilt = before
    np.testing.assert_array_equal(model.params, params)
    np.testing.assert_array_equal(model.grads, grads)
    after = model.optimizer.get_state()
    assert after.keys() == state.keys()
    for name in state:
        np.testing.assert_array_equal(after[name], state[name])
    assert model.optimizer.learning_rate == lr
    assert (model.optimizer._scratch is None) == unbuilt


@pytest.mark.parametrize("weight_decay", [None, 0.05])
@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_the_update_is_the_optimizers_own_step(kind, weight_decay):
    model = network(OPTIMIZERS[kind](weight_decay))
    model.fit(X, Y, epochs=3, verbose=0)  # the state (m, v, velocities) is not zero any more
    before = snapshot(model)
    step = glassnet.explain(model, X[0], Y[0])
    assert_unchanged(model, before)
    assert step.step == 4 and step.optimizer == repr(model.optimizer)
    model.fit(X, Y, epochs=1, verbose=0)
    new = [u.new for u in step.updates.values()]
    np.testing.assert_allclose(new, explain_order(model, model.params), rtol=1e-12, atol=1e-15)
    state = model.optimizer.get_state()
    for name in model.optimizer.state:
        written = [u.terms[name] for u in step.updates.values()]
        np.testing.assert_allclose(written, explain_order(model, state[name]), rtol=1e-12,
                                   atol=1e-18)
    plain = kind == "sgd" and weight_decay is None
    assert all(bool(u.lines) != plain for u in step.updates.values())
    assert ("decayed" in step.updates["w1"].terms) == bool(weight_decay)


def test_an_optimizer_that_has_not_stepped_starts_from_zero_state():
    model = network(Adam(0.05))
    before = snapshot(model)
    step = glassnet.explain(model, X[0], Y[0])
    assert_unchanged(model, before)
    assert model.optimizer.state == {} and model.optimizer.iterations == 0
    g = step.gradients["w1"].value
    assert step.updates["w1"].terms == pytest.approx({"m": 0.1 * g, "v": 0.001 * g * g},
                                                     rel=1e-12)
    assert "lr_t = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t) = 0.05 * " \
           "sqrt(1 - 0.999^1) / (1 - 0.9^1) = 0.015811388" in " ".join(str(step).split())
    model.fit(X, Y, epochs=1, verbose=0)
    np.testing.assert_allclose([u.new for u in step.updates.values()],
                               explain_order(model, model.params), rtol=1e-12)


def test_learning_rate_override_replaces_the_optimizers_in_the_step():
    model = network(Adam(0.05))
    model.fit(X, Y, epochs=2, verbose=0)
    step = glassnet.explain(model, X[0], Y[0], learning_rate=0.02)
    assert model.optimizer.learning_rate == 0.05
    assert step.learning_rate == 0.02 and "Adam(learning_rate=0.02," in str(step)
    model.optimizer.learning_rate = 0.02
    model.fit(X, Y, epochs=1, verbose=0)
    np.testing.assert_allclose([u.new for u in step.updates.values()],
                               explain_order(model, model.params), rtol=1e-12)


def adam_by_hand():
    """One linear neuron, w = (0.5, -0.3), b = 0.1, on x = (1, 2), y = 1: out = 0, so
    dE/dw1 = -2 * (1 - 0) * 1 = -2, dE/dw2 = -4, dE/db = -2; Adam's state after two steps."""
    model = glassnet.Sequential([Dense(1, input_shape=(2,), name="hand_o")], dtype="float64")
    model.set_weights([np.array([[0.5], [-0.3]]), np.array([0.1])])
    model.compile(Adam(0.1), "mse")
    model.optimizer.set_state({"m": np.array([0.5, 0.1, -0.2]), "v": np.array([0.25, 0.01, 0.04]),
                               "iterations": np.array(2)}, model.params)
    return model


def test_adam_text_is_the_formula_with_its_numbers():
    model = adam_by_hand()
    before = snapshot(model)
    step = glassnet.explain(model, [1.0, 2.0], [1.0])
    assert_unchanged(model, before)
    lr_t = 0.1 * math.sqrt(1 - 0.999**3) / (1 - 0.9**3)  # t = 3: the third step
    m = 0.9 * 0.5 + 0.1 * -2  # 0.25
    v = 0.999 * 0.25 + 0.001 * 4  # 0.25375
    w1 = 0.5 - lr_t * m / (math.sqrt(v) + 1e-7)
    assert (lr_t, m, v, w1) == pytest.approx((0.02020106, 0.25, 0.25375, 0.489974384), abs=5e-9)
    update = step.updates["w1"]
    assert update.terms == pytest.approx({"m": m, "v": v}, rel=1e-15)
    assert update.new == pytest.approx(w1, rel=1e-15)
    text = str(step)
    assert max(len(line) for line in text.splitlines()) <= 100
    text = " ".join(text.split())  # the lines unwrapped
    assert ("Update: Adam(learning_rate=0.1, beta_1=0.9, beta_2=0.999, "
            "epsilon=1e-07, amsgrad=False), step t = 3") in text
    assert ("lr_t = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t) = 0.1 * "
            "sqrt(1 - 0.999^3) / (1 - 0.9^3) = 0.02020106 ") in text
    assert ("m_w1 = beta_1 * m_w1 + (1 - beta_1) * dE/dw1 = 0.9 * 0.5 + 0.1 * (-2) = 0.25 "
            "v_w1 = beta_2 * v_w1 + (1 - beta_2) * (dE/dw1)^2 = 0.999 * 0.25 + 0.001 * (-2)^2 "
            "= 0.25375 "
            "w1 = w1 - lr_t * m_w1 / (sqrt(v_w1) + epsilon) = 0.5 - 0.02020106 * 0.25 / "
            "(sqrt(0.25375) + 1e-07) = 0.489974384 ") in text
    assert ("m_b_o1 = beta_1 * m_b_o1 + (1 - beta_1) * dE/db_o1 = 0.9 * (-0.2) + 0.1 * (-2) "
            "= -0.38") in text
    md = step.to_markdown()
    assert "| parameter | before | dE/dparameter | m | v | after | how |" in md
    assert "| w2 | -0.3 | -4 | -0.31 | 0.02599 | -0.26115524 | `m_w2 = " in md


def test_weight_decay_is_decoupled_in_the_text_as_in_keras_3():
    model = glassnet.Sequential([Dense(1, activation="sigmoid", input_shape=(2,), name="wd_o")],
                                dtype="float64")
    model.set_weights([np.array([[0.4], [0.5]]), np.array([0.6])])
    model.compile(SGD(0.5, weight_decay=0.1), "mse")
    text = str(glassnet.explain(model, [0.5, 1.0], [1.0]))
    # dE/dw1 = -0.036043622 (the plain-SGD doctest of glassnet.explain); w1 decays first
    assert ("  w1 = w1 - learning_rate * weight_decay * w1 = 0.4 - 0.5 * 0.1 * 0.4 = 0.38\n"
            "  w1 = w1 - learning_rate * dE/dw1 = 0.38 - 0.5 * (-0.036043622) = 0.398021811\n"
            ) in text


def test_float32_models_step_in_their_precision():
    model = network(RMSprop(0.01, momentum=0.5), dtype="float32")
    model.fit(X, Y, epochs=2, verbose=0)
    step = glassnet.explain(model, X[0], Y[0])
    model.fit(X, Y, epochs=1, verbose=0)
    np.testing.assert_allclose([u.new for u in step.updates.values()],
                               explain_order(model, model.params), rtol=1e-5, atol=1e-7)


class _Halving(Adam):
    """An Adam whose real step is half the one its formulas say."""

    def _update(self, impl, params, grads, lr, decay):
        old = params.copy()
        super()._update(impl, params, grads, lr, decay)
        params += (old - params) / 2


class _Mine(Optimizer):
    def _update(self, impl, params, grads, lr, decay):
        params -= grads


def test_a_written_step_the_engine_does_not_take_is_refused_and_changes_nothing():
    model = network(_Halving(0.05))
    model.fit(X, Y, epochs=2, verbose=0)
    before = snapshot(model)
    with pytest.raises(GradientCheckError, match=r"explain: the _Halving update of w1 gives "
                                                 r"new value .* by its formula but the "
                                                 r"optimizer's own step gives"):
        glassnet.explain(model, X[0], Y[0])
    assert_unchanged(model, before)


def test_optimizers_it_cannot_write_are_refused_and_change_nothing():
    model = network(_Mine(0.1))
    model.fit(X, Y, epochs=1, verbose=0)
    before = snapshot(model)
    with pytest.raises(ConfigError, match=r"explain writes the updates of SGD, Adam and RMSprop; "
                                          r"the model's optimizer is _Mine"):
        glassnet.explain(model, X[0], Y[0])
    assert_unchanged(model, before)
