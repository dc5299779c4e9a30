"""layers.Lambda over glassnet.ops: shapes, gradients (gradcheck in Sequential and functional
models, shared), configs as Keras writes them, saving, and the refusals."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet
from glassnet import ops
from glassnet.errors import ConfigError, ShapeError
from glassnet.layers import Dense, Flatten, Input, Lambda

rng = np.random.default_rng(0)
X = rng.normal(size=(12, 3))
Y = rng.normal(size=(12, 2))


def scaled_softplus(x, scale=1.0):
    return scale * ops.softplus(x)


def sequential(*middle, dtype="float64"):
    glassnet.utils.set_random_seed(2)
    model = glassnet.Sequential([Dense(4, activation="tanh", input_shape=(3,)), *middle,
                                 Dense(2)], dtype=dtype)
    model.compile("adam", "mse")
    return model


@pytest.mark.parametrize("layer", [
    lambda: Lambda(lambda x: ops.square(x) * 0.5 + ops.sin(x)),
    lambda: Lambda(scaled_softplus, arguments={"scale": 3.0}),
    lambda: Lambda(lambda x: ops.concatenate([x, ops.max(x, axis=-1, keepdims=True)], axis=-1)),
    lambda: Lambda(lambda x: x[:, 1:] / (1.0 + ops.abs(x[:, :1]))),
])
def test_sequential_lambda_gradients_check(layer):
    model = sequential(layer())
    model.fit(X, Y, epochs=2, verbose=0, seed=0)
    worst = glassnet.gradcheck(model, X[:5], Y[:5])
    assert max(worst.values()) < 1e-6


def test_lambda_that_adds_an_axis_then_flatten():
    model = sequential(Lambda(lambda x: ops.stack([x, -x], axis=1)), Flatten())
    assert model.layers[1].output_shape == (2, 4)
    assert max(glassnet.gradcheck(model, X[:4], Y[:4]).values()) < 1e-6


def test_functional_lambda_with_two_inputs_shared_twice():
    a, b = Input((3,)), Input((3,))
    mix = Lambda(lambda t: ops.concatenate([t[0] * t[1], ops.tanh(t[0] - t[1])], axis=-1))
    first = mix([Dense(3)(a), b])
    out = Dense(2)(mix([Dense(3)(first), a]))  # the same Lambda called a second time
    model = glassnet.Model([a, b], out, dtype="float64")
    model.compile("sgd", "mse")
    model.fit([X, X + 1], Y, epochs=1, verbose=0)
    worst = glassnet.gradcheck(model, [X[:4], X[:4] + 1], Y[:4])
    assert max(worst.values()) < 1e-6


def test_forward_equals_the_function_and_training_argument():
    seen = []

    def noisy(x, training=None):
        seen.append(training)
        return x * 2.0 if training else x

    layer = Lambda(noisy, name="noisy")
    x = np.ones((2, 3), dtype=np.float32)
    assert layer(x).tolist() == x.tolist()
    assert layer(x, training=True).tolist() == (2 * x).tolist()
    assert seen[-2:] == [False, True]


def test_output_shape_given_or_inferred():
    assert Lambda(lambda x: x[:, :2], output_shape=(2,)).build((5,)) == (2,)
    assert Lambda(lambda x: x[:, :2], output_shape=lambda s: (s[0], 2)).build((5,)) == (2,)
    assert Lambda(lambda x: ops.reshape(x, (-1, 2, 3))).build((6,)) == (2, 3)
    with pytest.raises(ShapeError, match="returned shape \\(3,\\) for a batch of 2"):
        Lambda(lambda x: ops.mean(x, axis=0), name="collapse").build((3,))
    wrong = Lambda(lambda x: x, output_shape=(4,), name="liar")
    with pytest.raises(ShapeError, match=r"'liar'.*returned \(None, 3\).*\(None, 4\)"):
        wrong(np.ones((2, 3)))
    with pytest.raises(ConfigError, match="one tensor"):
        Lambda(lambda x: [x, x], name="two").build((3,))
    with pytest.raises(ConfigError, match="callable"):
        Lambda("square")
    with pytest.raises(ConfigError, match="masking"):
        Lambda(lambda x: x, mask=lambda x, m: m)


def test_numpy_in_a_lambda_is_fine_until_a_gradient_must_cross_it():
    front = glassnet.Sequential([Lambda(lambda x: np.log1p(np.abs(x)), input_shape=(3,)),
                                 Dense(2)])
    front.compile("sgd", "mse")
    front.fit(X, Y, epochs=2, verbose=0)  # nothing trainable before it: no gradient needed
    middle = sequential(Lambda(lambda x: np.tanh(x), name="np_tanh"))
    with pytest.raises(ops.NumpyOnTensorError,
                       match=r"'np_tanh' needs a gradient.*test_lambda.py:\d+.*ops\.tanh"):
        middle.fit(X, Y, epochs=1, verbose=0)


def test_config_is_keras_s_and_round_trips_in_process():
    model = sequential(Lambda(lambda x: ops.relu(x) + 1.0, name="shift"),
                       Lambda(scaled_softplus, output_shape=(4,), arguments={"scale": 2.0},
                              name="named"))
    configs = {layer.name: layer.get_config() for layer in model.layers}
    assert configs["shift"]["function"]["class_name"] == "__lambda__"
    assert set(configs["shift"]["function"]["config"]) == {"code", "defaults", "closure"}
    assert configs["named"]["function"] == {"module": __name__, "class_name": "function",
                                            "config": "scaled_softplus",
                                            "registered_name": "function"}
    assert configs["named"]["output_shape"] == [4] and configs["named"]["arguments"] == {
        "scale": 2.0}
    clone = glassnet.models.clone_model(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))


def test_lambda_code_is_what_keras_writes():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")

    def fn(x):
        return x * 2

    for function in (lambda x: ops.square(x) + 1, fn):
        ours = Lambda(function).get_config()
        theirs = keras.layers.Lambda(function).get_config()
        assert ours["function"]["class_name"] == theirs["function"]["class_name"]
        assert ours["function"]["config"] == theirs["function"]["config"]
        assert ours["arguments"] == theirs["arguments"] == {}


SCRIPT = """
import sys, numpy as np, glassnet
from glassnet.layers import lambda_layer
if sys.argv[2] == "unsafe":
    lambda_layer.enable_unsafe_deserialization()
model = glassnet.models.load_model(sys.argv[1])
print(float(model.predict(np.ones((1, 3)))[0, 0]))
"""


def test_saved_lambda_loads_only_when_unsafe_is_allowed(tmp_path):
    model = sequential(Lambda(lambda x: ops.square(x) + ops.exp(-x)))
    path = str(tmp_path / "with_lambda.glassnet")
    model.save(path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    def run(mode):
        return subprocess.run([sys.executable, "-c", SCRIPT, path, mode], capture_output=True,
                              text=True, env=env, timeout=120)

    refused = run("safe")
    assert refused.returncode != 0 and "safe_mode=False" in refused.stderr
    allowed = run("unsafe")
    assert allowed.returncode == 0, allowed.stderr
    assert float(allowed.stdout) == pytest.approx(float(model.predict(np.ones((1, 3)))[0, 0]),
                                                  rel=1e-12)


def test_onnx_export_refuses_a_lambda(tmp_path):
    model = sequential(Lambda(lambda x: ops.relu(x), name="py_code"), dtype="float32")
    from glassnet import onnx

    with pytest.raises(ConfigError, match=r"'py_code'.*Lambda.*Python code"):
        onnx.export(model, str(tmp_path / "m.onnx"))


def test_float32_model_keeps_float32_through_a_lambda():
    model = sequential(Lambda(lambda x: x * np.float64(2.0)), dtype="float32")
    assert model.predict(X).dtype == np.float32
    model.fit(X, Y, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_keras_loads_a_saved_lambda_with_safe_mode_off(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    pytest.importorskip("h5py")
    model = sequential(Lambda(lambda x: x * 2.0 + 1.0, name="affine"), dtype="float32")
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    theirs = keras.models.load_model(path, safe_mode=False)
    x = X.astype(np.float32)
    np.testing.assert_allclose(theirs.predict(x, verbose=0), model.predict(x), atol=1e-6)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path)
    with pytest.raises(glassnet.errors.FileFormatError, match="never runs from a file"):
        glassnet.models.load_model(path)


def test_explain_refuses_a_lambda_by_name():
    model = sequential(Lambda(lambda x: ops.relu(x), name="opaque"))
    with pytest.raises(ConfigError, match=r"'opaque' is a Lambda.*gradcheck"):
        glassnet.explain(model, X[:2], Y[:2], weight="dense/kernel[0, 0]")


def test_ops_on_symbolic_tensors_make_nodes_that_train_and_rebuild(tmp_path):
    from glassnet.layers import OpLayer

    x = Input((3,))
    h = Dense(4, activation="tanh")(x)
    y = ops.add(ops.multiply(ops.square(h), 2.0), ops.sin(h))
    out = Dense(2)(ops.concatenate([y, x], axis=-1))
    model = glassnet.Model(x, out, dtype="float64")
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=2, verbose=0)
    ops_layers = [layer for layer in model.layers if isinstance(layer, OpLayer)]
    assert [layer.op for layer in ops_layers] == ["square", "multiply", "sin", "add",
                                                  "concatenate"]
    assert ops_layers[1].get_config()["args"] == [{"__tensor__": 0}, 2.0]
    assert max(glassnet.gradcheck(model, X[:4], Y[:4]).values()) < 1e-6
    path = str(tmp_path / "ops_graph.glassnet")
    model.save(path)
    again = glassnet.models.load_model(path)  # no code from the file: ops by name
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    with pytest.raises(ConfigError, match=r"not a glassnet\.ops function"):
        OpLayer("system")


def test_ops_on_symbolic_tensors_keep_array_arguments_in_the_config():
    x = Input((3,))
    model = glassnet.Model(x, Dense(1)(ops.multiply(x, np.array([1.0, 2.0, 3.0]))))
    clone = glassnet.models.clone_model(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))
    scaled = ops.multiply(x, np.float32(0.5))
    assert scaled.node.layer.get_config()["args"] == [{"__tensor__": 0}, 0.5]
