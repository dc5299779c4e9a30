"""The shared scalar checks in glassnet._checks, through the public arguments that use them."""

import math

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers
from glassnet._checks import number_in, positive_int
from glassnet.classic import ANN, MLP, Perceptron
from glassnet.errors import ConfigError

BAD_NUMBERS = [True, "0.1", None, float("nan"), float("inf"), -float("inf"), np.bool_(True)]

# (make the object, the name the message must carry, an out-of-range value)
NUMBER_ARGUMENTS = [
    (lambda v: optimizers.SGD(learning_rate=v), "learning_rate", -0.5),
    (lambda v: optimizers.SGD(momentum=v), "momentum", 1.5),
    (lambda v: optimizers.Adam(beta_1=v), "beta_1", 1.0),
    (lambda v: optimizers.Adam(epsilon=v), "epsilon", 0),
    (lambda v: optimizers.RMSprop(rho=v), "rho", -0.1),
    (lambda v: layers.Dropout(v), "Dropout: rate", 1.0),
    (lambda v: Perceptron([[0, 0], [1, 1]], [0, 1], lr=v), "lr", -0.5),
    (lambda v: ANN(lr=v), "lr", 0),
]


@pytest.mark.parametrize("make, name, out_of_range", NUMBER_ARGUMENTS)
@pytest.mark.parametrize("index", range(len(BAD_NUMBERS) + 1))
def test_every_bad_number_is_a_config_error_naming_the_argument(make, name, out_of_range, index):
    value = ([*BAD_NUMBERS, out_of_range])[index]
    with pytest.raises(ConfigError) as caught:
        make(value)
    assert str(caught.value).startswith(f"{name} must be a number in ")
    assert str(caught.value).endswith(f", got {value!r}")


# (make the object, read the flag back, the name the message must carry)
FLAG_ARGUMENTS = [
    (lambda v: layers.Dense(2, use_bias=v), lambda o: o.use_bias, "Dense: use_bias"),
    (lambda v: optimizers.SGD(nesterov=v), lambda o: o.nesterov, "SGD: nesterov"),
    (lambda v: glassnet.losses.CategoricalCrossentropy(from_logits=v), lambda o: o.from_logits,
     "CategoricalCrossentropy: from_logits"),
]


@pytest.mark.parametrize("make, read, name", FLAG_ARGUMENTS)
def test_every_flag_takes_a_real_bool_only(make, read, name):
    assert read(make(np.bool_(False))) is False  # NumPy's bool is kept, as a Python bool
    assert read(make(True)) is True
    for value in ("no", 1, None):
        with pytest.raises(ConfigError) as caught:
            make(value)
        assert str(caught.value) == f"{name} must be True or False, got {value!r}"


def test_fit_with_a_non_bool_shuffle_trains_nothing():
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,), name="flag_lin")])
    model.compile("sgd", "mse")
    before = model.params.copy()
    with pytest.raises(ConfigError, match=r"^shuffle must be True or False, got 1$"):
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0, shuffle=1)
    np.testing.assert_array_equal(model.params, before)
    assert model.optimizer.iterations == 0


def test_number_in_states_the_interval_it_wants():
    assert number_in(np.float32(0.5), "r", 0, 1) == 0.5
    assert type(number_in(3, "r", 0)) is float
    cases = [
        (dict(low=0, low_open=True), 0, "r must be a number in (0, inf), got 0"),
        (dict(low=0, high=1, high_open=True), 1, "r must be a number in [0, 1), got 1"),
        (dict(low=0.0, high=1.0), 1.5, "r must be a number in [0, 1], got 1.5"),
        (dict(low=0), math.inf, "r must be a number in [0, inf), got inf"),
    ]
    for bounds, value, message in cases:
        with pytest.raises(ConfigError) as caught:
            number_in(value, "r", **bounds)
        assert str(caught.value) == message


def test_integer_checks_say_positive_for_one_and_the_minimum_otherwise():
    with pytest.raises(ConfigError, match=r"^Dense: units must be a positive integer, got 2\.0$"):
        layers.Dense(2.0)
    with pytest.raises(ConfigError, match=r"^k must be an integer >= 2, got 1$"):
        positive_int(1, "k", minimum=2)
    assert positive_int(None, "k", allow_none=True) is None


def test_a_rejected_rate_changes_nothing():
    opt = optimizers.Adam(0.01)
    with pytest.raises(ConfigError, match="learning_rate"):
        opt.learning_rate = float("inf")
    assert opt.learning_rate == 0.01

    mlp = MLP(2, [2], 1, seed=0)
    mlp.forward_propagate([[0.5, 0.1]])
    mlp.back_propagate([[1.0]])
    before = mlp.model.params.copy()
    with pytest.raises(ConfigError, match=r"learning_rate must be a number in \(0, inf\), got nan"):
        mlp.gradient_descent(float("nan"))
    np.testing.assert_array_equal(mlp.model.params, before)


def test_gradcheck_and_explain_refuse_infinite_steps():
    model = glassnet.Sequential([layers.Dense(1, input_shape=(1,), name="chk_lin")],
                                dtype="float64")
    model.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=r"gradcheck: step must be a number in \(0, inf\)"):
        glassnet.gradcheck(model, [[1.0]], [[2.0]], step=float("inf"))
    with pytest.raises(ConfigError, match=r"explain: learning_rate must be a number in \(0, inf\)"):
        glassnet.explain(model, [1.0], [2.0], learning_rate=float("inf"))


@pytest.mark.parametrize("make", [optimizers.SGD, optimizers.Adam, optimizers.RMSprop])
def test_weight_decay_is_a_number_or_none_never_a_bool(make):
    # `weight_decay or 0.0` read False (and '' or np.False_) as no decay
    for value in (False, np.bool_(False), True, "", "0.1", float("nan"), -0.1):
        with pytest.raises(ConfigError) as caught:
            make(0.1, weight_decay=value)
        assert str(caught.value) == f"weight_decay must be a number in [0, inf), got {value!r}"
    assert make(0.1).weight_decay is None  # Keras keeps None: no decay
    assert make(0.1, weight_decay=0).weight_decay == 0.0
    assert make(0.1, weight_decay=np.float32(0.5)).get_config()["weight_decay"] == 0.5


def test_compile_with_a_bool_weight_decay_keeps_the_old_optimizer():
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,), name="wd_lin")])
    model.compile(optimizers.SGD(0.1), "mse")
    before = model.optimizer
    with pytest.raises(ConfigError, match=r"^weight_decay must be a number in \[0, inf\), got "
                                          r"False$"):
        model.compile({"name": "sgd", "weight_decay": False}, "mae")
    assert model.optimizer is before and model.loss.name == "mean_squared_error"
