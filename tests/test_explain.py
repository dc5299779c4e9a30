"""explain: seed 001's worked example to its published digits, other activations and losses."""

import numpy as np
import pytest

import glassnet
from glassnet.errors import ConfigError, NotCompiledError
from glassnet.layers import Dense, Dropout, Input

X = [0.05, 0.10]
Y = [0.01, 0.99]

PUBLISHED = {  # seed 001: every partial derivative of the worked example
    "w1": 0.000438568, "w2": 0.000877136, "w3": 0.000497713, "w4": 0.000995425,
    "w5": 0.082167041, "w6": 0.082667628, "w7": -0.022602540, "w8": -0.022740242,
}
UPDATED = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
           "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}


@pytest.fixture
def worked_model():
    inputs = Input((2,))
    hidden = Dense(2, activation="sigmoid")(inputs)
    outputs = Dense(2, activation="sigmoid")(hidden)
    model = glassnet.Model(inputs, outputs, dtype="float64", name="worked_example")
    model.set_weights([np.array([[0.15, 0.25], [0.20, 0.30]]), np.full(2, 0.35),
                       np.array([[0.40, 0.50], [0.45, 0.55]]), np.full(2, 0.60)])
    model.compile(glassnet.optimizers.SGD(learning_rate=0.5), "mse")
    return model


def test_every_published_partial_derivative_to_1e_9(worked_model):
    step = glassnet.explain(worked_model, X, Y)
    for name, value in PUBLISHED.items():
        assert step.gradients[name].value == pytest.approx(value, abs=1e-9), name
        assert step.gradients[name].product == pytest.approx(value, abs=1e-9), name
    assert step.total_error == pytest.approx(0.298371109, abs=1e-9)
    assert step.errors["E_o1"].value == pytest.approx(0.274811083, abs=1e-9)
    assert step.errors["E_o2"].value == pytest.approx(0.023560026, abs=1e-9)


def test_neurons_deltas_and_updates_match_the_seed(worked_model):
    step = worked_model.explain(X, Y)
    assert list(step.neurons) == ["h1", "h2", "o1", "o2"]
    assert step.neurons["h1"].net == pytest.approx(0.3775, abs=1e-12)
    assert step.neurons["h1"].out == pytest.approx(0.593269992, abs=1e-9)
    assert step.neurons["o2"].out == pytest.approx(0.772928465, abs=1e-9)
    assert list(step.deltas) == ["o1", "o2", "h1", "h2"]
    assert [d.rule for d in step.deltas.values()] == ["BP1", "BP1", "BP2", "BP2"]
    o1 = step.deltas["o1"]
    assert (o1.d_out, o1.d_act) == pytest.approx((0.74136507, 0.186815602), abs=1e-9)
    assert step.deltas["h1"].d_out == pytest.approx(0.036350306, abs=1e-9)
    assert step.deltas["h1"].d_act == pytest.approx(0.241300709, abs=1e-9)
    for name, value in UPDATED.items():
        assert step.updates[name].new == pytest.approx(value, abs=1e-8), name
    w5 = step.gradients["w5"]
    assert [f.name for f in w5.factors] == ["dE/dout_o1", "dout_o1/dnet_o1", "dnet_o1/dw5"]
    assert [f.value for f in w5.factors] == pytest.approx([0.74136507, 0.186815602,
                                                           0.593269992], abs=1e-9)
    assert step.gradients["b_o1"].factors[-1].value == 1.0


def test_the_text_reads_like_the_seed(worked_model):
    before = worked_model.get_weights()
    text = str(glassnet.explain(worked_model, X, Y))
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "+ -" not in text and "* -" not in text
    text = " ".join(text.split())  # the wrapped lines joined again
    assert ("dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 * "
            "0.593269992 = 0.082167041") in text
    assert "net_h1 = w1 * i1 + w2 * i2 + b_h1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775" in text
    assert "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109" in text
    assert "dE/dout_o1 = -(target_o1 - out_o1) = -(0.01 - 0.75136507) = 0.74136507" in text
    assert ("dE/dout_h1 = dE/dnet_o1 * dnet_o1/dout_h1 + dE/dnet_o2 * dnet_o2/dout_h1 = "
            "delta_o1 * w5 + delta_o2 * w7 = 0.138498562 * 0.4 + (-0.038098237) * 0.5 = "
            "0.036350306") in text
    assert "w5 = 0.4 - 0.5 * 0.082167041 = 0.35891648" in text
    for got, want in zip(worked_model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, want)  # explain does not train


def test_markdown_has_a_row_per_neuron_and_parameter(worked_model):
    step = glassnet.explain(worked_model, X, Y)
    md = step._repr_markdown_()
    assert md == step.to_markdown()
    assert "| w5 | dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 | 0.74136507 * 0.186815602 * " \
           "0.593269992 | 0.082167041 |" in md
    assert "| w5 | 0.4 | 0.082167041 | 0.35891648 |" in md
    assert md.count("\n| h") == 2 + 2 and "#### Deltas (BP1, BP2)" in md


def test_learning_rate_override(worked_model):
    step = glassnet.explain(worked_model, X, Y, learning_rate=1.0)
    assert step.updates["w5"].new == pytest.approx(0.4 - 0.082167041, abs=1e-9)


@pytest.mark.parametrize("hidden, output, loss, target", [
    ("relu", "softmax", "categorical_crossentropy", [0, 1, 0]),
    ("tanh", "sigmoid", "binary_crossentropy", [1, 0, 1]),
    ("relu", "linear", "mse", [0.5, -1, 2]),
    ("sigmoid", "softmax", "mse", [0, 0, 1]),
    ("leaky_relu", "softmax", "sparse_categorical_crossentropy", 2),
    ("tanh", "tanh", "mse", [0.2, 0.1, -0.3]),
])
def test_other_activations_and_losses_match_the_engine(hidden, output, loss, target):
    model = glassnet.Sequential([Dense(3, activation=hidden, input_shape=(2,)),
                                 Dense(2, activation=hidden), Dense(3, activation=output)],
                                dtype="float64")
    model.compile(glassnet.optimizers.SGD(0.1), loss)
    x = np.array([[0.3, -0.7]])
    step = glassnet.explain(model, x, np.array([target]))
    expected_loss = model.evaluate(x, np.array([target]))
    assert step.total_error == pytest.approx(expected_loss, rel=1e-12)
    assert sum(t.value for t in step.errors.values()) == pytest.approx(expected_loss, rel=1e-6)
    assert list(step.neurons) == ["h1_1", "h1_2", "h1_3", "h2_1", "h2_2", "o1", "o2", "o3"]
    before = model.get_weights()
    model.fit(x, np.array([target]), epochs=1, verbose=0)
    after = model.get_weights()
    w_new = [step.updates[f"w{k}"].new for k in range(1, 7)]
    np.testing.assert_allclose(after[0].T.ravel(), w_new, rtol=1e-10, atol=1e-14)
    for g in step.gradients.values():
        assert g.product == pytest.approx(g.value, rel=1e-9, abs=1e-15)
    assert len(step.gradients) == 6 + 3 + 6 + 2 + 6 + 3
    assert before[0].shape == (2, 3)


def test_float32_models_are_explained_in_their_precision():
    model = glassnet.Sequential([Dense(2, activation="sigmoid", input_shape=(2,)),
                                 Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    step = glassnet.explain(model, [0.3, 0.6], [1.0])
    assert step.inputs == {"i1": 0.3, "i2": 0.6}
    assert "(sigmoid with cross-entropy)" in str(step)
    assert step.deltas["o1"].d_out is None


def test_refuses_networks_too_large_to_read():
    model = glassnet.Sequential([Dense(20, input_shape=(4,)), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=r"too large to read by hand \(100 weights, layer "
                                          r"widths 4-20-1\).*at most 64 weights and 16.*"
                                          r"weight='dense_.*/kernel\[0, 0\]'"):
        glassnet.explain(model, np.zeros(4), [0.0])


def test_refuses_other_layers_batches_and_uncompiled_models():
    model = glassnet.Sequential([Dense(2, input_shape=(2,)), Dropout(0.5), Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=r"layer 'dropout.*' is Dropout"):
        glassnet.explain(model, [1.0, 2.0], [0.0])
    small = glassnet.Sequential([Dense(1, input_shape=(2,))])
    small.compile("sgd", "mse")
    with pytest.raises(ConfigError, match=r"one sample of a small Dense network; got x of shape "
                                          r"\(2, 2\).*weight='dense_.*/kernel\[0, 0\]'"):
        glassnet.explain(small, np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(NotCompiledError):
        glassnet.explain(glassnet.Sequential([Dense(1, input_shape=(2,))]), [1, 2], [0])
    with pytest.raises(glassnet.errors.DataError, match=r"argument x: holds text .*dtype <U1"):
        glassnet.explain(small, ["a", "b"], [0.0])
    with pytest.raises(ConfigError, match=r"explain: learning_rate must be a number in \(0, inf\), "
                                          "got 'fast'"):
        glassnet.explain(small, [1.0, 2.0], [0.0], learning_rate="fast")


def test_html_is_self_contained_tables(worked_model):
    step = glassnet.explain(worked_model, X, Y)
    html = step._repr_html_()
    assert html.count("<table>") == 5 and "<td>0.082167041</td>" in html
    assert "<script" not in html and "http" not in html and "<style>" in html
    page = step.to_html(full=True)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")
