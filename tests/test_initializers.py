"""Initializers: Keras 3's names, defaults and distributions (moments, bounds, truncation), seeds,
configs, and the same configs read and written in Keras files."""

import math
import os

import numpy as np
import pytest

from glassnet import initializers as init
from glassnet.errors import ConfigError

SHAPE = (400, 300)  # fan_in 400, fan_out 300
FANS = {"fan_in": 400, "fan_out": 300, "fan_avg": 350}


def _draw(initializer, shape=SHAPE):
    return initializer(shape, "float64", np.random.default_rng(0))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("scale", [1.0, 2.0, 0.3])
def test_variance_scaling_truncated_normal(mode, scale):
    w = _draw(init.VarianceScaling(scale, mode, "truncated_normal"))
    stddev = math.sqrt(scale / FANS[mode])
    assert abs(w.std() / stddev - 1) < 0.01 and abs(w.mean()) < 0.01 * stddev
    bound = 2 * stddev / 0.87962566103423978  # cut at two stddevs of the untruncated normal
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_untruncated_and_uniform(mode):
    stddev = math.sqrt(2.0 / FANS[mode])
    normal = _draw(init.VarianceScaling(2.0, mode, "untruncated_normal"))
    assert abs(normal.std() / stddev - 1) < 0.01 and np.abs(normal).max() > 3.5 * stddev
    uniform = _draw(init.VarianceScaling(2.0, mode, "uniform"))
    limit = math.sqrt(3 * 2.0 / FANS[mode])
    assert np.abs(uniform).max() <= limit and np.abs(uniform).max() > 0.999 * limit
    assert abs(uniform.std() / stddev - 1) < 0.01


@pytest.mark.parametrize(("name", "scale", "mode", "uniform"), [
    ("glorot_uniform", 1.0, "fan_avg", True), ("glorot_normal", 1.0, "fan_avg", False),
    ("he_uniform", 2.0, "fan_in", True), ("he_normal", 2.0, "fan_in", False),
    ("lecun_uniform", 1.0, "fan_in", True), ("lecun_normal", 1.0, "fan_in", False),
])
def test_named_variance_scalings(name, scale, mode, uniform):
    w = _draw(init.get(name))
    stddev = math.sqrt(scale / FANS[mode])
    assert abs(w.std() / stddev - 1) < 0.01
    bound = math.sqrt(3) * stddev if uniform else 2 * stddev / 0.87962566103423978
    assert np.abs(w).max() <= bound
    camel = "".join(p.capitalize() for p in name.split("_"))
    assert type(init.get(camel)) is type(init.get(name)) is getattr(init, camel)


def test_random_normal_uniform_truncated_defaults_are_keras():
    normal = _draw(init.RandomNormal())
    assert abs(normal.std() - 0.05) < 5e-4 and abs(normal.mean()) < 5e-4
    uniform = _draw(init.get("random_uniform"))
    assert uniform.min() >= -0.05 and uniform.max() < 0.05 and uniform.min() < -0.0499
    truncated = _draw(init.TruncatedNormal(mean=1.0, stddev=0.1))
    assert abs(truncated.mean() - 1) < 1e-3 and np.abs(truncated - 1).max() <= 0.2
    assert abs(truncated.std() - 0.1 * 0.87962566103423978) < 1e-3  # Keras cuts, no rescale
    assert type(init.get("normal")) is init.RandomNormal


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 5)])
def test_orthogonal(shape):
    w = _draw(init.Orthogonal(gain=2.0), shape)
    flat = w.reshape(-1, shape[-1])
    small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(small, 4 * np.eye(len(small)), atol=1e-12)
    with pytest.raises(ConfigError, match="at least 2 dimensions"):
        init.Orthogonal()((3,))


def test_identity_ones_zeros_constant():
    np.testing.assert_array_equal(init.Identity(gain=3.0)((2, 3)), 3 * np.eye(2, 3))
    assert init.get("one")((2,)).tolist() == [1, 1] and init.get("zero")((1,)).tolist() == [0]
    table = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(init.Constant(table)((2, 3), "float64"), table)
    np.testing.assert_array_equal(init.get(table)((2, 3), "float64"), table)
    assert init.Constant(2.5)((2,)).tolist() == [2.5, 2.5]
    with pytest.raises(ConfigError, match="cannot fill a weight of shape"):
        init.Constant([1.0, 2.0])((3, 3))
    again = init.get(init.Constant(table).get_config())
    np.testing.assert_array_equal(again((2, 3), "float64"), table)


@pytest.mark.parametrize("cls", [init.VarianceScaling, init.GlorotNormal, init.LecunNormal,
                                 init.LecunUniform, init.TruncatedNormal, init.Orthogonal,
                                 init.RandomNormal, init.HeNormal])
def test_a_seed_draws_the_same_weights_every_time(cls):
    seeded = cls(seed=3)
    np.testing.assert_array_equal(seeded((5, 4)), seeded((5, 4)))
    assert not np.array_equal(cls(seed=4)((5, 4)), seeded((5, 4)))
    clone = init.get(seeded.get_config())
    np.testing.assert_array_equal(clone((5, 4)), seeded((5, 4)))


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ConfigError, match="mode must be"):
        init.VarianceScaling(mode="fan_middle")
    with pytest.raises(ConfigError, match="distribution must be"):
        init.VarianceScaling(distribution="cauchy")
    with pytest.raises(ConfigError, match="scale must be a finite number > 0"):
        init.VarianceScaling(scale=0)
    with pytest.raises(ConfigError, match="seed must be an int"):
        init.GlorotNormal(seed="x")
    assert init.VarianceScaling(distribution="normal").distribution == "truncated_normal"


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


KERAS_CASES = [("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}),
               ("GlorotNormal", {}), ("LecunNormal", {}), ("LecunUniform", {}),
               ("HeNormal", {}), ("TruncatedNormal", {"stddev": 0.2}), ("Orthogonal", {}),
               ("Identity", {"gain": 2.0}), ("RandomUniform", {}), ("RandomNormal", {})]


@pytest.mark.parametrize(("name", "kwargs"), KERAS_CASES, ids=[n for n, _ in KERAS_CASES])
def test_distributions_match_keras(name, kwargs):
    keras = _keras()
    ours = getattr(init, name)(**kwargs)((200, 150), "float64", np.random.default_rng(1))
    theirs = np.asarray(getattr(keras.initializers, name)(**kwargs, **(
        {"seed": 1} if name != "Identity" else {}))((200, 150)))
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)
    noise = 5 * theirs.std() / math.sqrt(theirs.size)
    assert abs(ours.mean() - theirs.mean()) < 2 * noise + 1e-12
    if name not in ("RandomNormal", "Orthogonal"):  # bounded draws: the same bound
        assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)


@pytest.mark.parametrize(("name", "kwargs"), KERAS_CASES, ids=[n for n, _ in KERAS_CASES])
def test_keras_files_carry_the_initializers_both_ways(tmp_path, name, kwargs):
    keras = _keras()
    import glassnet

    layer = keras.layers.Dense(3, kernel_initializer=getattr(keras.initializers, name)(**kwargs))
    keras.Sequential([keras.Input((3,)), layer]).save(tmp_path / "k.keras")
    model = glassnet.models.load_model(tmp_path / "k.keras")
    ours = model.layers[0].kernel_initializer
    assert type(ours).__name__ == name
    model.save(tmp_path / "m.keras")
    back = keras.saving.load_model(tmp_path / "m.keras").layers[0].kernel_initializer
    assert type(back).__name__ == name
    mine = {k: v for k, v in ours.get_config().items() if k != "name"}
    if name == "Identity":  # Keras's Identity.get_config() is {}: its files lose the gain
        assert mine == {"gain": 1.0} and back.get_config() == {}
    else:
        assert mine.items() <= back.get_config().items()
