"""The graph engine: functional models with branches, merges, several inputs and outputs,
shared layers, nested and subclassed models, frozen layers; values against NumPy by hand."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError, DataError, ShapeError

rng = np.random.default_rng(0)


def _wide_and_deep(dtype="float64"):
    wide, deep = glassnet.Input((3,), name="wide", dtype=dtype), glassnet.Input((4,), name="deep",
                                                                              dtype=dtype)
    h = layers.Dense(5, activation="relu", name="h1")(deep)
    h = layers.Dense(3, activation="tanh", name="h2")(h)
    out = layers.Dense(1, activation="sigmoid", name="out")(layers.concatenate([wide, h]))
    return glassnet.Model([wide, deep], out)


def _np_wide_and_deep(model, xw, xd):
    w1, b1, w2, b2, w3, b3 = model.get_weights()
    h = np.tanh(np.maximum(xd @ w1 + b1, 0) @ w2 + b2)
    return 1 / (1 + np.exp(-(np.concatenate([xw, h], axis=1) @ w3 + b3)))


def test_wide_and_deep_forward_equals_numpy_and_its_gradients_check():
    model = _wide_and_deep()
    xw, xd = rng.normal(size=(6, 3)), rng.normal(size=(6, 4))
    np.testing.assert_allclose(model.predict([xw, xd]), _np_wide_and_deep(model, xw, xd),
                               rtol=1e-12)
    np.testing.assert_allclose(model.predict({"deep": xd, "wide": xw}),
                               _np_wide_and_deep(model, xw, xd), rtol=1e-12)
    model.compile("sgd", "binary_crossentropy")
    y = (rng.random(6) > 0.5).astype(float)
    worst = glassnet.gradcheck(model, [xw, xd], y)
    assert set(worst) == {"h1", "h2", "out"} and max(worst.values()) < 1e-6


def test_a_training_step_on_a_residual_mlp_equals_the_hand_written_chain_rule():
    x_in = glassnet.Input((3,), dtype="float64")
    h = layers.Dense(3, activation="tanh", name="a")(x_in)
    h = layers.Add(name="skip")([h, x_in])
    out = layers.Dense(2, name="head")(h)
    model = glassnet.Model(x_in, out)
    model.compile(glassnet.optimizers.SGD(0.1), "mse")
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    wa, ba, wh, bh = model.get_weights()
    # by hand: forward, dL/dout = 2 (out - y) / (n * outputs), back through the skip
    z = x @ wa + ba
    h = np.tanh(z) + x
    out = h @ wh + bh
    d_out = 2 * (out - y) / out.size
    d_h = d_out @ wh.T
    d_z = d_h * (1 - np.tanh(z) ** 2)
    expected = [wa - 0.1 * x.T @ d_z, ba - 0.1 * d_z.sum(0), wh - 0.1 * h.T @ d_out,
                bh - 0.1 * d_out.sum(0)]
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(np.mean((out - y) ** 2), rel=1e-12)
    for got, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("merge", [layers.Add, layers.Subtract, layers.Multiply, layers.Average,
                                   layers.Maximum, layers.Minimum, layers.Concatenate])
def test_every_merge_layer_checks_against_finite_differences(merge):
    a, b = glassnet.Input((3,), dtype="float64"), glassnet.Input((3,), dtype="float64")
    ha = layers.Dense(3, activation="tanh")(a)
    hb = layers.Dense(3, activation="tanh")(b)
    out = layers.Dense(2)(merge()([ha, hb]))
    model = glassnet.Model([a, b], out)
    model.compile("sgd", "mse")
    xs = [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))]
    assert max(glassnet.gradcheck(model, xs, rng.normal(size=(5, 2))).values()) < 1e-6


def test_merge_values():
    a, b, c = (np.array([[1.0, -2.0, 3.0]]), np.array([[0.5, 4.0, -1.0]]),
               np.array([[2.0, 0.0, 3.0]]))
    assert layers.Add()([a, b, c]).tolist() == [[3.5, 2.0, 5.0]]
    assert layers.Multiply()([a, b, c]).tolist() == [[1.0, -0.0, -9.0]]
    assert layers.Average()([a, b]).tolist() == [[0.75, 1.0, 1.0]]
    assert layers.Maximum()([a, b, c]).tolist() == [[2.0, 4.0, 3.0]]
    assert layers.Minimum()([a, b, c]).tolist() == [[0.5, -2.0, -1.0]]
    assert layers.Concatenate(axis=1)([a, b]).shape == (1, 6)
    with pytest.raises(ShapeError, match="exactly 2 inputs"):
        layers.Subtract()([a, b, c])
    with pytest.raises(ShapeError, match="inputs of one shape"):
        layers.Add()([a, np.ones((1, 2))])


def test_two_inputs_two_outputs_with_loss_weights_and_metrics_per_output():
    a, b = glassnet.Input((2,), name="a"), glassnet.Input((3,), name="b")
    h = layers.Dense(8, activation="relu")(layers.concatenate([a, b]))
    kind = layers.Dense(3, activation="softmax", name="kind")(h)
    size = layers.Dense(1, name="size")(h)
    model = glassnet.Model({"a": a, "b": b}, {"kind": kind, "size": size})
    model.compile("adam", {"kind": "sparse_categorical_crossentropy", "size": "mse"},
                  loss_weights={"kind": 1.0, "size": 0.25}, metrics={"kind": ["accuracy"]})
    xa, xb = rng.normal(size=(64, 2)), rng.normal(size=(64, 3))
    yk, ys = rng.integers(0, 3, 64), rng.normal(size=(64, 1))
    history = model.fit({"a": xa, "b": xb}, {"kind": yk, "size": ys}, epochs=2, verbose=0,
                        batch_size=16, seed=0)
    assert list(history.history) == ["loss", "kind_loss", "size_loss", "kind_accuracy"]
    logs = model.evaluate({"a": xa, "b": xb}, {"kind": yk, "size": ys}, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["kind_loss"] + 0.25 * logs["size_loss"], rel=1e-6)
    out = model.predict({"a": xa, "b": xb})
    assert set(out) == {"kind", "size"} and out["kind"].shape == (64, 3)
    probs = out["kind"]
    expected = -np.mean(np.log(np.clip(probs[np.arange(64), yk], 1e-7, 1)))
    assert logs["kind_loss"] == pytest.approx(expected, rel=1e-5)
    assert logs["kind_accuracy"] == pytest.approx(np.mean(probs.argmax(1) == yk))


def test_a_shared_layer_adds_the_gradients_of_its_calls():
    x1, x2 = glassnet.Input((3,), dtype="float64"), glassnet.Input((3,), dtype="float64")
    shared = layers.Dense(2, activation="tanh", name="shared")
    out = layers.Dense(1, name="out")(layers.concatenate([shared(x1), shared(x2)]))
    model = glassnet.Model([x1, x2], out)
    assert model.count_params() == 3 * 2 + 2 + 4 + 1
    model.compile("sgd", "mse")
    xs, y = [rng.normal(size=(5, 3)), rng.normal(size=(5, 3))], rng.normal(size=(5, 1))
    assert max(glassnet.gradcheck(model, xs, y).values()) < 1e-6
    w, b, w_out, _ = model.get_weights()
    h1, h2 = np.tanh(xs[0] @ w + b), np.tanh(xs[1] @ w + b)
    np.testing.assert_allclose(model.predict(xs), np.concatenate([h1, h2], 1) @ w_out,
                               rtol=1e-12, atol=1e-15)


def test_a_nested_model_called_twice_shares_its_weights():
    encoder_in = glassnet.Input((4,), dtype="float64")
    encoder = glassnet.Model(encoder_in, layers.Dense(2, activation="tanh", name="enc")(encoder_in),
                             name="encoder")
    a, b = glassnet.Input((4,), dtype="float64"), glassnet.Input((4,), dtype="float64")
    distance = layers.Subtract()([encoder(a), encoder(b)])
    model = glassnet.Model([a, b], layers.Dense(1, name="score")(distance))
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer", "InputLayer", "Model", "Subtract", "Dense"]
    assert model.count_params() == 4 * 2 + 2 + 2 + 1
    model.compile("sgd", "mse")
    xs, y = [rng.normal(size=(6, 4)), rng.normal(size=(6, 4))], rng.normal(size=(6, 1))
    assert max(glassnet.gradcheck(model, xs, y).values()) < 1e-6
    model.fit(xs, y, epochs=3, verbose=0)
    w, bias = encoder.get_weights()  # the encoder's own view follows the outer training
    np.testing.assert_allclose(encoder.predict(xs[0]), np.tanh(xs[0] @ w + bias), rtol=1e-12)


def test_frozen_layers_stay_bitwise_unchanged_and_count_as_non_trainable():
    model = glassnet.Sequential([layers.Dense(8, activation="relu", input_shape=(4,),
                                              name="base"), layers.Dense(1, name="top")])
    model.layers[0].trainable = False
    model.compile("adam", "mse")
    before = model.layers[0].get_weights()
    top_before = model.layers[1].get_weights()
    model.fit(rng.normal(size=(64, 4)), rng.normal(size=(64, 1)), epochs=3, verbose=0)
    for got, want in zip(model.layers[0].get_weights(), before, strict=True):
        assert got.tobytes() == want.tobytes()
    assert not np.array_equal(model.layers[1].get_weights()[0], top_before[0])
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (2, 2)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Trainable params: 9" in lines and "Non-trainable params: 40" in lines
    model.layers[0].trainable = True  # unfreezing takes effect at the next fit
    model.fit(rng.normal(size=(64, 4)), rng.normal(size=(64, 1)), epochs=1, verbose=0)
    assert not np.array_equal(model.layers[0].get_weights()[0], before[0])


def test_feature_extraction_and_get_layer():
    model = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(3, name="h"),
                                 layers.Dense(1, name="o")])
    features = glassnet.Model(model.inputs, model.get_layer("h").output)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    w, b = model.get_layer("h").get_weights()
    np.testing.assert_allclose(features.predict(x), x @ w + b, rtol=1e-6)
    assert model.get_layer(index=1).name == "o"
    with pytest.raises(ConfigError, match=r"no layer named 'nope'.*'h', 'o'"):
        model.get_layer("nope")
    head = glassnet.Sequential(model.layers[:-1])
    assert head.output_shape == (3,)


def test_a_subclassed_model_is_traced_from_its_call():
    class TwoTowers(glassnet.Model):
        def __init__(self):
            super().__init__()
            self.left = layers.Dense(4, activation="relu")
            self.right = layers.Dense(4, activation="tanh")
            self.head = layers.Dense(1)

        def call(self, inputs, training=None):
            return self.head(layers.add([self.left(inputs), self.right(inputs)]))

    model = TwoTowers()
    model.compile("adam", "mse")
    x, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    model.fit(x, y, epochs=2, verbose=0)
    assert model.name == "two_towers" and model.count_params() == 16 + 16 + 5
    wl, bl, wr, br, wh, bh = model.get_weights()
    expected = (np.maximum(x @ wl + bl, 0) + np.tanh(x @ wr + br)) @ wh + bh
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_a_call_the_tracer_cannot_follow_names_the_line():
    class Branchy(glassnet.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs, training=None):
            if inputs > 0:
                return self.dense(inputs)
            return inputs

    with pytest.raises(ConfigError, match=r"the operator > .*test_graph\.py:\d+.*if inputs > 0"):
        Branchy().predict(np.ones((1, 2)))


def test_eager_calls_and_training_flag():
    layer = layers.Dense(3, kernel_initializer="ones", name="eager")
    assert layer(np.ones((2, 4))).tolist() == [[4.0] * 3] * 2
    model = glassnet.Sequential([layers.Dropout(0.5, input_shape=(1000,))])
    x = np.ones((1, 1000), np.float32)
    assert model(x).tolist() == x.tolist()
    dropped = model(x, training=True)
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_sequential_pop_and_configs_round_trip():
    model = glassnet.Sequential([glassnet.Input((3,)), layers.Dense(4, name="a"),
                                 layers.Dense(2, name="b")])
    assert model.pop().name == "b" and model.output_shape == (4,)
    x = glassnet.Input((3,))
    y = layers.Add()([layers.Dense(2, name="p")(x), layers.Dense(2, name="q")(x)])
    functional = glassnet.Model(x, y)
    clone = glassnet.models.model_from_json(functional.to_json())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in functional.layers]
    clone.set_weights(functional.get_weights())
    z = rng.normal(size=(3, 3)).astype(np.float32)
    np.testing.assert_array_equal(clone.predict(z), functional.predict(z))
    cloned = glassnet.models.clone_model(functional)
    assert cloned.count_params() == functional.count_params() and cloned is not functional


def test_a_graph_model_saves_and_loads_bitwise(tmp_path):
    model = _wide_and_deep("float32")
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    xs = [rng.normal(size=(16, 3)), rng.normal(size=(16, 4))]
    model.fit(xs, (rng.random(16) > 0.5).astype(float), epochs=2, verbose=0)
    model.save(tmp_path / "m.safetensors")
    loaded = glassnet.models.load_model(tmp_path / "m.safetensors")
    assert loaded.predict(xs).tobytes() == model.predict(xs).tobytes()
    assert loaded.metrics_names == ["loss", "accuracy"]


def test_training_api_extras():
    model = glassnet.Sequential([layers.Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = rng.normal(size=(40, 3)), rng.integers(0, 2, 40)
    seen = []

    class Recorder(glassnet.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            seen.append(("test", batch, sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            seen.append(("epoch", epoch, sorted(logs)))

    history = model.fit(x, y, epochs=4, batch_size=10, steps_per_epoch=2, validation_data=(x, y),
                        validation_freq=2, validation_batch_size=20, callbacks=[Recorder()],
                        verbose=0)
    assert "val_loss" not in [k for e in seen if e[:2] == ("epoch", 0) for k in e[2]]
    assert ("test", 1, ["accuracy", "loss"]) in seen and len(history.history["loss"]) == 4
    assert len([e for e in seen if e[0] == "test"]) == 4  # 2 validations x 2 batches of 20
    assert isinstance(model.test_on_batch(x, y), list)
    assert model.predict_on_batch(x).shape == (40, 2)


def test_explain_refuses_a_graph_with_a_clear_message():
    model = _wide_and_deep("float32")
    model.compile("sgd", "binary_crossentropy")
    with pytest.raises(ConfigError, match=r"explain follows a chain of layers.*gradcheck"):
        glassnet.explain(model, [np.zeros((1, 3)), np.zeros((1, 4))], np.zeros(1),
                         weight="out/kernel[0, 0]")


def test_evaluate_and_predict_call_their_callbacks_with_logs():
    model = glassnet.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    calls = []

    class Recorder(glassnet.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            calls.append(("test", batch, sorted(logs)))

        def on_predict_batch_end(self, batch, logs=None):
            calls.append(("predict", batch, logs["outputs"][0].shape))

        def on_test_end(self, logs=None):
            calls.append(("test_end", sorted(logs)))

    x = rng.normal(size=(10, 2))
    model.evaluate(x, x[:, :1], batch_size=4, callbacks=[Recorder()])
    model.predict(x, batch_size=5, callbacks=[Recorder()])
    assert calls == [("test", 0, ["loss"]), ("test", 1, ["loss"]), ("test", 2, ["loss"]),
                     ("test_end", ["loss"]), ("predict", 0, (5, 1)), ("predict", 1, (5, 1))]


def test_a_failed_add_leaves_the_model_working_with_its_weights():
    model = glassnet.Sequential([layers.Dense(3, input_shape=(2,), name="keep")])
    before = model.get_weights()
    with pytest.raises(ConfigError, match=r"more than this machine's .* layer 'huge' kernel"):
        model.add(layers.Dense(10**12, name="huge"))
    with pytest.raises(ShapeError):
        model.add(layers.Concatenate())
    assert [layer.name for layer in model.layers] == ["keep"]
    for a, b in zip(model.get_weights(), before, strict=True):
        assert a.tobytes() == b.tobytes()
    assert model.predict(np.ones((1, 2))).shape == (1, 3)
    assert len(model.layers[0]._inbound_nodes) == 1


def test_looking_at_a_nested_model_does_not_reset_the_outer_training():
    inner_in = glassnet.Input((3,))
    inner = glassnet.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in))
    x = glassnet.Input((3,))
    outer = glassnet.Model(x, layers.Dense(1, name="head")(inner(x)))
    outer.compile("adam", "mse")
    data = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    outer.fit(*data, epochs=1, verbose=0)
    storage = outer._storage_
    inner.summary(print_fn=lambda line: None)
    assert inner.count_params() == 8 and len(inner.weights) == 2
    outer.fit(*data, epochs=1, verbose=0)
    assert outer._storage_ is storage and outer.optimizer.iterations == 2


def test_a_nested_model_called_with_a_dict_takes_its_inputs_by_name():
    p, q = glassnet.Input((2,), name="p", dtype="float64"), glassnet.Input((3,), name="q",
                                                                          dtype="float64")
    inner = glassnet.Model([p, q], layers.Dense(2, name="mix")(layers.concatenate([p, q])))
    u, v = glassnet.Input((3,), dtype="float64"), glassnet.Input((2,), dtype="float64")
    pre = layers.Dense(3, activation="tanh", name="pre")  # its gradient comes back through q
    model = glassnet.Model([u, v], inner({"q": pre(u), "p": v}))
    xs, y = [rng.normal(size=(5, 3)), rng.normal(size=(5, 2))], rng.normal(size=(5, 2))
    w, b = inner.get_weights()
    np.testing.assert_allclose(model.predict(xs), np.concatenate([xs[1], pre(xs[0])], 1) @ w + b,
                               rtol=1e-12)
    model.compile("sgd", "mse")
    assert max(glassnet.gradcheck(model, xs, y).values()) < 1e-6
    with pytest.raises(ConfigError, match=r"keyed \['q', 'x'\]; its input names are \['p', 'q'\]"):
        inner({"q": u, "x": v})


def test_a_one_input_model_takes_a_list_of_one_array_as_keras_does():
    model = glassnet.Sequential([layers.Dense(2, input_shape=(3,))])
    x = rng.normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_array_equal(model.predict([x]), model.predict(x))
    assert model.predict([[0.5, 1.0, 2.0]]).shape == (1, 2)  # a list of rows is still data


def test_operators_on_symbolic_tensors_become_merge_layers():
    x = glassnet.Input((3,), dtype="float64")
    h = layers.Dense(3, activation="tanh")(x)
    out = layers.Dense(1)((h + x) * h - x)
    model = glassnet.Model(x, out)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Dense", "Add", "Multiply", "Subtract", "Dense"]
    model.compile("sgd", "mse")
    data = rng.normal(size=(5, 3))
    assert max(glassnet.gradcheck(model, data, rng.normal(size=(5, 1))).values()) < 1e-6
    doubled = x * 2.0  # Keras 3: a number operand is an op node (glassnet.ops.multiply)
    assert doubled.node.layer.op == "multiply" and doubled.shape == (None, 3)
    with pytest.raises(ConfigError, match=r"the operator \* with str .*test_graph\.py"):
        x * "2"


def test_a_call_that_branches_on_training_is_refused_and_one_that_passes_it_on_works():
    class Branches(glassnet.Model):
        def __init__(self):
            super().__init__()
            self.dense, self.drop, self.out = layers.Dense(8), layers.Dropout(0.5), layers.Dense(1)

        def call(self, inputs, training=False):
            x = self.dense(inputs)
            if training:
                x = self.drop(x)
            return self.out(x)

    class PassesItOn(Branches):
        def call(self, inputs, training=False):
            return self.out(self.drop(self.dense(inputs), training=training))

    with pytest.raises(ConfigError, match=r"different path with training=True .*training=training"):
        Branches().predict(np.ones((2, 3)))
    model = PassesItOn()
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dropout",
                                                                "Dense"]
    assert all(len(layer._inbound_nodes) == 1 for layer in model.layers[1:])


def test_graph_building_and_data_mistakes_are_named():
    x = glassnet.Input((3,))
    y = layers.Dense(2, name="only")(x)
    with pytest.raises(ConfigError, match="same tensor is given twice among the inputs"):
        glassnet.Model([x, x], y)
    with pytest.raises(ConfigError, match=r"twice among the outputs.*Activation"):
        glassnet.Model(x, [y, y])
    model = glassnet.Model(x, y)
    with pytest.raises(DataError, match=r"one input \('input_layer.*'\), got a list of 2 arrays"):
        model.predict([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(DataError, match=r"dict lacks .* unknown keys \['nope'\]"):
        model.predict({"nope": np.ones((2, 3))})
