"""A user's Layer subclass with call() over glassnet.ops and add_weight (Keras 3's way), trained
through the ops tape; add_loss; symbolic tensors with numbers."""

import numpy as np
import pytest
from layer_checks import check_layer

import glassnet
from glassnet import io as glassnet_io
from glassnet import layers, ops
from glassnet.errors import ConfigError


class Linear(layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                 trainable=True, name="w")
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True, name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.w.shape[1], "input_dim": self.w.shape[0]}


layers.register(Linear)  # so glassnet's files can rebuild it (Keras: custom_objects)


class LazyLinear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class Block(layers.Layer):
    """Nested user layers and a built-in activation, with a nonlinear scale of its own."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.linear_1 = LazyLinear(4)
        self.linear_2 = LazyLinear(2)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")

    def call(self, inputs):
        h = glassnet.activations.tanh(self.linear_1(inputs))
        return ops.sin(self.linear_2(h)) * self.scale


class ActivityRegularization(layers.Layer):
    def __init__(self, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(ops.sum(ops.square(inputs)) * self.rate)
        return inputs


def test_eager_call_weights_are_the_variables_and_ops_accept_them():
    layer = Linear(4, 2, name="lin")
    out = layer(ops.ones((2, 2)))
    assert out.shape == (2, 4)
    np.testing.assert_allclose(out, np.ones((2, 2)) @ layer.w.numpy() + layer.b.numpy(),
                               rtol=1e-6)
    assert layer.weights == [layer.w, layer.b]
    assert [w.path for w in layer.weights] == ["lin/w", "lin/b"]
    np.testing.assert_allclose(ops.matmul(np.eye(2), layer.w), layer.w.numpy())
    np.testing.assert_allclose(layer.w * 2.0, 2 * layer.w.numpy())


def test_nested_layers_are_tracked_and_their_weights_listed():
    block = Block(name="block")
    out = block(np.ones((3, 5)))
    assert out.shape == (3, 2)
    assert len(block.weights) == 5 and len(block.trainable_weights) == 5
    assert block.weights[0] is block.scale and block.weights[1] is block.linear_1.w
    assert block.weights[4] is block.linear_2.b
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == 5


def test_weight_and_input_gradients_match_finite_differences_in_float64():
    glassnet.utils.set_random_seed(3)
    block = Block(dtype="float64")
    x = np.random.default_rng(0).normal(size=(4, 3))
    analytic = check_layer(block, x)  # every weight of the nested layers, and dL/dx
    assert sorted(analytic) == sorted(["x", *(n for n, _, _ in block.param_specs())])
    assert len(analytic) == 6
    np.testing.assert_allclose(block.forward(x, training=True), block(x), rtol=1e-12)


def _train_alike(dense, user, x, y, optimizer, rate, **fit):
    """Both models from the same weights, trained alike, end at the same weights."""
    user.set_weights(dense.get_weights())
    for model in (dense, user):
        model.compile(optimizer(rate), "mse")
        model.fit(x, y, shuffle=False, verbose=0, **fit)
    for a, b in zip(dense.get_weights(), user.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)


def test_a_user_linear_trains_to_the_same_weights_as_dense():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(64, 5)), rng.normal(size=(64, 3))
    dense = glassnet.Sequential([glassnet.Input((5,), dtype="float64"), layers.Dense(3)],
                                dtype="float64")
    user = glassnet.Sequential([glassnet.Input((5,), dtype="float64"), Linear(3, 5)],
                               dtype="float64")
    _train_alike(dense, user, x, y, glassnet.optimizers.Adam, 0.01, batch_size=16, epochs=3)
    assert user.evaluate(x, y, verbose=0) == pytest.approx(dense.evaluate(x, y, verbose=0),
                                                         abs=1e-12)


def test_a_layer_before_a_user_layer_gets_its_gradient_through_it():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    inp = glassnet.Input((3,), dtype="float64")
    hidden, block = layers.Dense(4, activation="tanh", name="before"), Block()
    model = glassnet.Model(inp, block(hidden(inp)), dtype="float64")
    out = model._graph.forward([x], True)[0]
    glassnet.models.training.backprop(model, 2 * (out - y) / out.size)
    h = np.tanh(x @ hidden.arrays["kernel"] + hidden.arrays["bias"])
    block.forward(h, training=True)
    dh = block.backward(2 * (out - y) / out.size)  # checked against differences above
    np.testing.assert_allclose(hidden.grads["kernel"], x.T @ (dh * (1 - h ** 2)), rtol=1e-12)


def test_add_loss_value_and_gradient_match_a_hand_computation():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    w0 = rng.normal(size=(3, 2))
    inp = glassnet.Input((3,), dtype="float64")
    h = layers.Dense(2, use_bias=False, name="d")(inp)
    model = glassnet.Model(inp, ActivityRegularization(0.1)(h), dtype="float64")
    model.set_weights([w0])
    model.compile(glassnet.optimizers.SGD(0.05), "mse")
    hand_h = x @ w0
    hand_loss = np.mean((hand_h - y) ** 2) + 0.1 * np.sum(hand_h ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(hand_loss, rel=1e-12)
    assert model.losses == [pytest.approx(0.1 * np.sum(hand_h ** 2), rel=1e-12)]
    history = model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(hand_loss, rel=1e-12)
    hand_grad = x.T @ (2 * (hand_h - y) / hand_h.size + 0.2 * hand_h)
    np.testing.assert_allclose(model.get_weights()[0], w0 - 0.05 * hand_grad, rtol=1e-12)


def test_subclassed_model_sequential_trainable_and_weights_round_trip(tmp_path):
    class Net(glassnet.Model):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = layers.Dense(1)

        def call(self, inputs):
            return self.head(self.block(inputs))

    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1))
    net = Net()
    net.compile("adam", "mse")
    before = net.evaluate(x, y, verbose=0)
    net.fit(x, y, epochs=5, verbose=0)
    assert net.evaluate(x, y, verbose=0) < before
    assert net.predict(x, verbose=0).shape == (32, 1)

    frozen = glassnet.Sequential([glassnet.Input((3,)), Linear(2, 3, trainable=False),
                                  layers.Dense(1)])
    frozen.compile("sgd", "mse")
    kept = frozen.layers[0].get_weights()
    frozen.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(kept, frozen.layers[0].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)

    path = tmp_path / "net.safetensors"
    glassnet_io.save_model(frozen, path)
    again = glassnet.Sequential([glassnet.Input((3,)), Linear(2, 3, trainable=False),
                                 layers.Dense(1)])
    again.load_weights(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), frozen.predict(x, verbose=0))
    loaded = glassnet_io.load_model(path)
    assert isinstance(loaded.layers[0], Linear) and not loaded.layers[0].trainable
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), frozen.predict(x, verbose=0))
    again.set_weights([np.zeros_like(w) for w in frozen.get_weights()])
    assert np.all(again.predict(x, verbose=0) == 0)


def test_symbolic_tensors_with_numbers_are_op_nodes_that_train():
    rng = np.random.default_rng(5)
    x = glassnet.Input((3,), dtype="float64")
    out = layers.Dense(2)(1 - x / 255) * 2.0 + 0.5
    model = glassnet.Model(x, -out, dtype="float64")
    assert [layer.op for layer in model.layers if hasattr(layer, "op")] == \
        ["divide", "subtract", "multiply", "add", "negative"]
    data = rng.normal(size=(4, 3))
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.predict(data, verbose=0),
                               -(((1 - data / 255) @ kernel + bias) * 2.0 + 0.5), rtol=1e-12)
    model.compile("sgd", "mse")
    assert max(glassnet.gradcheck(model, data, rng.normal(size=(4, 2))).values()) < 1e-6


def test_numpy_in_call_names_the_layer_and_line():
    class UsesNumpy(layers.Layer):
        def call(self, inputs):
            return np.tanh(inputs)  # NumPy cannot follow the gradient

    x = np.ones((4, 3))
    layer = UsesNumpy(name="uses_numpy")
    np.testing.assert_allclose(layer(x), np.tanh(x))  # inference is fine
    with pytest.raises(ops.NumpyOnTensorError,
                       match=r"layer 'uses_numpy' \(UsesNumpy\).*test_custom_layers\.py:\d+"):
        layer.forward(x, training=True)


@pytest.mark.parametrize("shape", [(0, 3), (2.5,), "3", (-1,)])
def test_add_weight_with_a_bad_shape_is_refused(shape):
    class Bad(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=shape)

        def call(self, inputs):
            return inputs * self.w

    with pytest.raises(ConfigError, match=r"layer 'bad\w*': add_weight: shape must be a tuple "
                                          r"of positive integers"):
        Bad()(np.ones((2, 3)))


def test_built_in_layers_inside_a_user_layer_get_their_gradients_from_the_tape():
    class Residual(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(3, activation="tanh", dtype="float64", name="inner")
            self.drop = layers.Dropout(0.0, dtype="float64")

        def call(self, inputs, training=False):
            h = self.dense(inputs)
            return self.drop(self.dense(h * inputs), training=training) + h

    glassnet.utils.set_random_seed(5)
    layer = Residual(dtype="float64")
    check_layer(layer, np.random.default_rng(6).normal(size=(4, 3)))
    assert [w.path for w in layer.weights] == ["inner/kernel", "inner/bias"]


class TwoLinear(layers.Layer):
    def __init__(self, builtin=False, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(4, dtype="float64") if builtin else Linear(4, 5)
        self.second = Linear(3, 4)

    def call(self, inputs):
        return self.second(ops.relu(self.first(inputs)))


@pytest.mark.parametrize("builtin", [False, True])
def test_nested_layers_as_a_models_first_layer_train_as_dense_layers(builtin):
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(48, 5)), rng.normal(size=(48, 3))
    dense = glassnet.Sequential([glassnet.Input((5,), dtype="float64"),
                                 layers.Dense(4, activation="relu"), layers.Dense(3)],
                                dtype="float64")
    user = glassnet.Sequential([glassnet.Input((5,), dtype="float64"), TwoLinear(builtin)],
                               dtype="float64")
    assert len(user.weights) == 4
    _train_alike(dense, user, x, y, glassnet.optimizers.SGD, 0.1, batch_size=8, epochs=2)
