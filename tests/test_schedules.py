"""Learning-rate schedules: Keras's values at many steps, configs, and use by the optimizers."""

import os

import numpy as np
import pytest

from glassnet import optimizers
from glassnet.errors import ConfigError
from glassnet.optimizers import schedules

CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5,
                          "staircase": True}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.2, "decay_steps": 5, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.2, "decay_steps": 5, "decay_rate": 0.5,
                          "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [10, 25, 40], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "power": 2.0,
                         "end_learning_rate": 0.01, "cycle": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 40, "warmup_target": 0.1,
                     "warmup_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 8,
                             "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.05}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 7,
                             "t_mul": 1.5, "m_mul": 0.8}),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
STEPS = range(0, 120)


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_values_equal_keras_at_many_steps(name, kwargs):
    keras = _keras()
    ours = getattr(schedules, name)(**kwargs)
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    values = [ours(step) for step in STEPS]
    expected = [float(theirs(step)) for step in STEPS]
    np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-7)
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_config_round_trips(name, kwargs):
    schedule = getattr(schedules, name)(**kwargs)
    again = schedules.deserialize(schedules.serialize(schedule))
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(s) for s in STEPS] == [schedule(s) for s in STEPS]


def test_formulas_without_keras():
    assert schedules.ExponentialDecay(1.0, 10, 0.5)(20) == pytest.approx(0.25)
    assert schedules.InverseTimeDecay(1.0, 10, 1.0)(30) == pytest.approx(0.25)
    piecewise = schedules.PiecewiseConstantDecay([5], [1.0, 0.1])
    assert (piecewise(5), piecewise(6)) == (1.0, 0.1)
    assert schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5) == pytest.approx(0.5)
    assert schedules.CosineDecay(1.0, 10)(5) == pytest.approx(0.5)
    warm = schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4)
    assert (warm(2), warm(4), warm(9)) == (pytest.approx(0.5), 1.0, pytest.approx(0.5))


class Halving(schedules.LearningRateSchedule):
    """A user's schedule: halves every ``every`` steps."""

    def __init__(self, start, every):
        self.start, self.every = start, every

    def __call__(self, step):
        return self.start * 0.5 ** (step // self.every)

    def get_config(self):
        return {"start": self.start, "every": self.every}


def test_a_users_schedule_drives_the_optimizer_and_is_saved():
    opt = optimizers.SGD(learning_rate=Halving(0.4, 2))
    params, rates = np.zeros(1), []
    for _ in range(5):
        rates.append(opt.learning_rate)
        opt.step(params, np.ones(1))
    assert rates == [0.4, 0.4, 0.2, 0.2, 0.1]
    assert params[0] == pytest.approx(-1.3)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "Halving"
    with pytest.raises(ConfigError, match="register your own class"):
        optimizers.get(config)
    schedules.register(Halving)
    again = optimizers.get(config)
    assert isinstance(again._schedule, Halving) and again.learning_rate == 0.4


def test_a_schedule_fixes_the_rate_and_a_number_may_be_zero():
    opt = optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(ConfigError, match="not settable"):
        opt.learning_rate = 0.5
    frozen = optimizers.SGD(learning_rate=0.0, momentum=0.9)
    params = np.ones(3)
    frozen.step(params, np.ones(3))
    np.testing.assert_array_equal(params, np.ones(3))
    with pytest.raises(ConfigError, match="learning_rate"):
        optimizers.SGD(learning_rate=-0.1)


@pytest.mark.parametrize("bad", [
    lambda: schedules.ExponentialDecay(0.1, 0, 0.5),
    lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]),
    lambda: schedules.CosineDecayRestarts(0.1, -1),
    lambda: schedules.PolynomialDecay(0.1, 10, cycle="yes"),
])
def test_bad_arguments_are_config_errors(bad):
    with pytest.raises(ConfigError):
        bad()
