"""Seed 001's chain rule worked by hand: a 2-2-2 sigmoid network, one SGD step."""

import numpy as np
import pytest

import glassnet
from glassnet.layers import Dense, Input

X = np.array([[0.05, 0.10]])
Y = np.array([[0.01, 0.99]])


@pytest.fixture
def worked_model():
    inputs = Input((2,))
    hidden = Dense(2, activation="sigmoid", bias_initializer=0.35)(inputs)
    outputs = Dense(2, activation="sigmoid", bias_initializer=0.60)(hidden)
    model = glassnet.Model(inputs, outputs, dtype="float64")
    # w1 and w2 feed hidden unit 1, so they form the kernel's first column (kernel is (in, out)).
    model.set_weights([
        np.array([[0.15, 0.25], [0.20, 0.30]]), np.full(2, 0.35),
        np.array([[0.40, 0.50], [0.45, 0.55]]), np.full(2, 0.60),
    ])
    model.compile(glassnet.optimizers.SGD(learning_rate=0.5), "mse")
    return model


def test_forward_values_and_total_error(worked_model):
    out = worked_model.predict(X)
    np.testing.assert_allclose(out, [[0.75136507, 0.772928465]], atol=1e-9)
    hidden = worked_model.layers[1].out
    np.testing.assert_allclose(hidden, [[0.593269992, 0.596884378]], atol=1e-9)
    assert worked_model.evaluate(X, Y) == pytest.approx(0.298371109, abs=1e-9)


def test_one_step_updates_match_the_published_weights(worked_model):
    history = worked_model.fit(X, Y, epochs=1, batch_size=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(0.298371109, abs=1e-9)
    w_hidden, _, w_out, _ = worked_model.get_weights()
    w5_to_w8 = w_out.T.ravel()
    w1_to_w4 = w_hidden.T.ravel()
    np.testing.assert_allclose(w5_to_w8, [0.35891648, 0.408666186, 0.511301270, 0.561370121],
                               atol=1e-8)
    np.testing.assert_allclose(w1_to_w4, [0.149780716, 0.19956143, 0.24975114, 0.29950229],
                               atol=1e-8)


def test_partial_derivatives_are_in_the_gradient_buffer(worked_model):
    from glassnet.models import training as _training

    out = _training.forward(worked_model, X, True)
    _training.backward(worked_model, Y, out, None, False, np.empty((1, 2)))
    d_hidden, _, d_out, _ = [g.copy() for g in
                             (worked_model.layers[1].grads["kernel"],
                              worked_model.layers[1].grads["bias"],
                              worked_model.layers[2].grads["kernel"],
                              worked_model.layers[2].grads["bias"])]
    # dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 * 0.593269992
    assert d_out[0, 0] == pytest.approx(0.082167041, abs=1e-9)
    np.testing.assert_allclose(d_out.T.ravel(), [0.082167041, 0.082667628, -0.022602540,
                                                 -0.022740242], atol=1e-9)
    np.testing.assert_allclose(d_hidden.T.ravel(), [0.000438568, 0.000877136, 0.000497713,
                                                    0.000995425], atol=1e-9)
