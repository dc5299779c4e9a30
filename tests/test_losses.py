"""Loss values against their formulas, Keras's reductions, and stability of the fused paths."""

import numpy as np
import pytest

from glassnet import activations, losses
from glassnet.errors import ConfigError


def test_mse_means_over_outputs_then_batch():
    y, p = np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[0.5, 1.0], [0.0, 0.0]])
    assert losses.get("mse")(y, p) == pytest.approx(((0.25 + 0) / 2 + (1 + 1) / 2) / 2)


def test_cross_entropies_match_their_formulas():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    labels = np.array([0, 2])
    expected = -(np.log(0.7) + np.log(0.8)) / 2
    assert losses.get("sparse_categorical_crossentropy")(labels, p) == pytest.approx(expected)
    assert losses.get("categorical_crossentropy")(np.eye(3)[labels], p) == pytest.approx(expected)
    q, t = np.array([[0.9], [0.3]]), np.array([[1.0], [0.0]])
    bce = -(np.log(0.9) + np.log(0.7)) / 2
    assert losses.get("binary_crossentropy")(t, q) == pytest.approx(bce)


@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy",
                                  "binary_crossentropy"])
def test_from_logits_equals_the_activation_then_the_loss(name):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, 6)
    y = {"categorical_crossentropy": np.eye(4)[labels], "sparse_categorical_crossentropy": labels,
         "binary_crossentropy": (rng.random((6, 4)) > 0.5).astype(float)}[name]
    loss = losses.get(name)
    probs = activations.get(loss.paired_activation)(z)
    with_logits = losses.get({"name": name, "from_logits": True})
    assert with_logits(y, z) == pytest.approx(loss(y, probs), rel=1e-9)


@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy",
                                  "binary_crossentropy"])
def test_fused_gradient_stays_finite_for_huge_logits(name):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]])
    labels = np.array([1, 0])
    y = {"categorical_crossentropy": np.eye(3)[labels], "sparse_categorical_crossentropy": labels,
         "binary_crossentropy": np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])}[name]
    loss = losses.get(name)
    value = loss.logits_loss(y, z, None)
    probs = activations.get(loss.paired_activation).forward(z, np.empty_like(z))
    grad = loss.logits_grad(y, probs, None, np.empty_like(z))
    assert np.isfinite(value) and value > 1e3
    assert np.isfinite(grad).all() and np.abs(grad).max() <= 1.0


def test_sample_weights_reduce_over_the_batch_size():
    y, p = np.array([[1.0], [0.0]]), np.array([[0.0], [0.0]])
    assert losses.get("mse")(y, p, sample_weight=[2.0, 5.0]) == pytest.approx(2 * 1 / 2)


def test_losses_rebuild_from_config():
    loss = losses.get({"name": "categorical_crossentropy", "from_logits": True})
    assert losses.get(loss.get_config()).from_logits
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)


def test_from_logits_must_be_a_bool():
    # bool("no") is True: a string would silently switch the loss to logits
    with pytest.raises(ConfigError, match="BinaryCrossentropy: from_logits must be True or False, "
                                          "got 'no'"):
        losses.BinaryCrossentropy(from_logits="no")


def test_activation_functions_reject_non_numbers():
    # relu(None) used to return nan, relu('a') raised NumPy's conversion ValueError
    from glassnet.errors import DataError

    assert activations.relu([1.0, -2.0]).tolist() == [1.0, 0.0]
    with pytest.raises(DataError, match="activation relu: needs numbers, got object values"):
        activations.relu(None)
    with pytest.raises(DataError, match="activation sigmoid: needs numbers, got <U1 values"):
        activations.sigmoid(["a"])
