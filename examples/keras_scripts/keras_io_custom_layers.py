"""Keras guide "Making new layers and models via subclassing": a Linear layer with add_weight,
a layer built lazily in build(), layers nested in layers, and an MLP block trained with fit.

Source: https://keras.io/guides/making_new_layers_and_models_via_subclassing/
Changed: the MLPBlock trained on MNIST for one epoch (the guide only calls it); RESULT lines.
"""

import keras
import numpy as np
from keras import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


x = ops.ones((2, 2))
linear_layer = Linear(4, 2)
y = linear_layer(x)
print(y)
assert linear_layer.weights == [linear_layer.w, linear_layer.b]


class LazyLinear(keras.layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = LazyLinear(32)
        self.linear_2 = LazyLinear(32)
        self.linear_3 = LazyLinear(10)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.linear_2(x)
        x = keras.activations.relu(x)
        return self.linear_3(x)


mlp = MLPBlock()
y = mlp(ops.ones(shape=(3, 64)))
print("weights:", len(mlp.weights))
print("trainable weights:", len(mlp.trainable_weights))
n_weights = len(mlp.weights)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32")[:20000] / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255
keras.utils.set_random_seed(0)
inputs = keras.Input(shape=(784,))
outputs = MLPBlock()(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(x_train, y_train[:20000], batch_size=64, epochs=1)
accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
print("RESULT linear_output_shape", ",".join(map(str, ops.shape(linear_layer(x)))))
print("RESULT mlp_block_weights", n_weights)
print("RESULT mlp_block_accuracy", round(float(accuracy), 2))
print("RESULT weights_are_variables", all(hasattr(w, "assign") for w in model.weights))
print("RESULT first_linear_w_mean_small", bool(abs(float(np.mean(
    keras.ops.convert_to_numpy(linear_layer.w)))) < 0.2))
