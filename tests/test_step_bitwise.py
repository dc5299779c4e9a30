"""The training step's plumbing changes no bit: fit's gather against fancy indexing, and the
graph's backward against the layers' own backward passes called by hand."""

import numpy as np

import glassnet
from glassnet import layers
from glassnet.models import training
from glassnet.models.data import Batch
from glassnet.utils import as_generator


def _residual(seed):
    glassnet.utils.set_random_seed(seed)
    x = glassnet.Input((6,))
    h = layers.Dense(5, activation="relu", name="a")(x)
    s = layers.Add(name="skip")([h, layers.Dense(5, activation="tanh", name="b")(h)])
    model = glassnet.Model(x, layers.Dense(3, activation="softmax", name="c")(s))
    model.compile(glassnet.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    return model


def test_fit_equals_a_loop_over_fancy_indexed_batches_bitwise():
    gen = np.random.default_rng(0)
    x, y = gen.normal(size=(100, 6)).astype("float32"), gen.integers(0, 3, 100)
    fitted, by_hand = _residual(1), _residual(1)
    fitted.fit(x, y, epochs=2, batch_size=32, verbose=0, seed=7)  # 3 full batches and one of 4
    by_hand._prepare_optimizer()
    rng, buffers = as_generator(7), training.grad_buffers(by_hand, 32)
    for _ in range(2):
        order = rng.permutation(100)
        for lo in range(0, 100, 32):
            idx = order[lo:lo + 32]
            training.train_step(by_hand, Batch([x[idx]], [y[idx]], None), buffers)
    assert by_hand.optimizer.iterations == fitted.optimizer.iterations == 8
    np.testing.assert_array_equal(fitted.params, by_hand.params)


def test_graph_backward_equals_the_layers_backward_by_hand_bitwise():
    model = _residual(2)
    a, b, skip, c = (model.get_layer(n) for n in ("a", "b", "skip", "c"))
    x = np.random.default_rng(3).normal(size=(9, 6)).astype("float32")
    dz = np.random.default_rng(4).normal(size=(9, 3)).astype("float32")
    model._graph.forward([x], True)
    model._graph.backward([dz])  # the output step is fused: dz is dL/d(c's pre-activation)
    from_graph = [g.copy() for layer in (a, b, c) for g in layer.grads.values()]
    h = a.forward(x, True)  # the same calls by hand, in the same order
    skip.forward([h, b.forward(h, True)], True)
    c.forward(skip.forward([h, b.out], True), True)
    d_skip = c.backward(dz, preactivation_grad=True)
    d_h, d_r = skip.backward(d_skip)
    d_h = d_h + b.backward(d_r)
    a.needs_input_grad = False
    a.backward(d_h)
    by_hand = [g for layer in (a, b, c) for g in layer.grads.values()]
    for got, expected in zip(from_graph, by_hand, strict=True):
        np.testing.assert_array_equal(got, expected)
