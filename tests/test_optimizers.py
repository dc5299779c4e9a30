"""Each optimizer against Keras's update equations, written out step by step."""

import math

import numpy as np
import pytest

from glassnet import optimizers


def _run(optimizer, steps=3):
    rng = np.random.default_rng(0)
    params = rng.normal(size=7)
    grads = [rng.normal(size=7) for _ in range(steps)]
    for g in grads:
        optimizer.step(params, g.copy())
    return rng, params, grads


def _start():
    return np.random.default_rng(0).normal(size=7)


def test_keras_defaults():
    assert optimizers.get("sgd").learning_rate == 0.01
    adam = optimizers.get("adam")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    rms = optimizers.get("rmsprop")
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon) == (0.001, 0.9, 0.0, 1e-7)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum(nesterov):
    _, params, grads = _run(optimizers.SGD(0.1, momentum=0.9, nesterov=nesterov))
    p, v = _start(), np.zeros(7)
    for g in grads:
        v = 0.9 * v - 0.1 * g
        p = p + (0.9 * v - 0.1 * g if nesterov else v)
    np.testing.assert_allclose(params, p, rtol=1e-12)


def test_adam():
    _, params, grads = _run(optimizers.Adam(0.01))
    p, m, v = _start(), np.zeros(7), np.zeros(7)
    for t, g in enumerate(grads, 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        lr_t = 0.01 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        p = p - lr_t * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(params, p, rtol=1e-12)


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop(momentum):
    _, params, grads = _run(optimizers.RMSprop(0.01, momentum=momentum))
    p, v, mom = _start(), np.zeros(7), np.zeros(7)
    for g in grads:
        v = 0.9 * v + 0.1 * g * g
        step = 0.01 * g / np.sqrt(v + 1e-7)  # Keras 3: epsilon inside the root
        mom = momentum * mom + step
        p = p - mom
    np.testing.assert_allclose(params, p, rtol=1e-12)


def test_weight_decay_is_decoupled_as_in_keras_3():
    _, params, grads = _run(optimizers.SGD(0.1, weight_decay=0.01), steps=2)
    p = _start()
    for g in grads:
        p = p - p * 0.01 * 0.1 - 0.1 * g
    np.testing.assert_allclose(params, p, rtol=1e-12)


def test_state_is_flat_and_round_trips():
    adam = optimizers.Adam()
    _run(adam)
    assert set(adam.state) == {"m", "v"} and adam.state["m"].shape == (7,)
    state = adam.get_state()
    clone = optimizers.get(adam.get_config())
    clone.set_state(state, np.zeros(7))
    np.testing.assert_array_equal(clone.state["v"], adam.state["v"])
    assert clone.iterations == 3 and clone.get_config() == adam.get_config()


def test_nesterov_must_be_a_bool():
    # bool("no") is True: a string would silently turn Nesterov momentum on
    from glassnet.errors import ConfigError

    with pytest.raises(ConfigError, match="SGD: nesterov must be True or False, got 'no'"):
        optimizers.SGD(0.1, momentum=0.9, nesterov="no")


def test_get_with_unknown_keyword_is_a_config_error():
    from glassnet.errors import ConfigError

    with pytest.raises(ConfigError, match="the learning rate is called learning_rate, not lr"):
        optimizers.get("sgd", lr=0.1)
    with pytest.raises(ConfigError, match=r"optimizer 'adam': .*unexpected keyword .* 'beta'"):
        optimizers.get("adam", beta=0.9)


def test_a_subclass_written_before_schedules_still_steps():
    class Halving(optimizers.Optimizer):  # the old three-argument _update
        def _update(self, impl, params, grads):
            params -= self.learning_rate * grads

    opt = Halving(0.5)
    params = np.ones(2)
    opt.step(params, np.array([1.0, 2.0]))
    np.testing.assert_allclose(params, [0.5, 0.0])
