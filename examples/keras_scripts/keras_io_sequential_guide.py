"""Keras guide "The Sequential model": building with add and pop, shapes known only after the
first call, Input, summary, feature extraction and freezing layers for transfer learning.

Source: https://keras.io/guides/sequential_model/
Changed: the convolutional parts left out (not an MLP); RESULT lines added.
"""

import keras
import numpy as np
from keras import layers

model = keras.Sequential([
    layers.Dense(2, activation="relu", name="layer1"),
    layers.Dense(3, activation="relu", name="layer2"),
    layers.Dense(4, name="layer3"),
])
x = np.ones((3, 3))
y = model(x)
print(len(model.layers))

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
n_after_pop = len(model.layers)

layer = layers.Dense(3)
n_before_call = len(layer.weights)
x = np.ones((1, 4))
y = layer(x)
n_after_call = len(layer.weights)

model = keras.Sequential([
    layers.Dense(2, activation="relu"),
    layers.Dense(3, activation="relu"),
    layers.Dense(4),
])
x = np.ones((1, 4))
y = model(x)
print("Number of weights after calling the model:", len(model.weights))
n_model_weights = len(model.weights)
model.summary()

model = keras.Sequential()
model.add(keras.Input(shape=(4,)))
model.add(layers.Dense(2, activation="relu"))
model.summary()
n_layers_with_input = len(model.layers)

initial_model = keras.Sequential([
    keras.Input(shape=(250, 250, 3)),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu", name="my_intermediate_layer"),
    layers.Dense(32, activation="relu"),
])
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
x = np.ones((1, 250, 250, 3))
features = feature_extractor(x)
feature_shape = tuple(keras.ops.shape(features))

initial_model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
])
feature_extractor = keras.Model(inputs=initial_model.inputs,
                                outputs=[layer.output for layer in initial_model.layers])
all_features = feature_extractor(np.ones((1, 784)))

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(10),
])
for layer in model.layers[:-1]:
    layer.trainable = False
frozen_before = [w.copy() for w in model.get_weights()]
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
(x_train, y_train), _ = keras.datasets.mnist.load_data()
model.fit(x_train[:2000].reshape(-1, 784) / 255.0, y_train[:2000], epochs=1, verbose=0)
after = model.get_weights()
frozen_equal = all(np.array_equal(a, b) for a, b in zip(frozen_before[:-2], after[:-2]))
head_changed = not np.array_equal(frozen_before[-2], after[-2])

print("RESULT layers_after_pop", n_after_pop)
print("RESULT weights_before_after_call", f"{n_before_call},{n_after_call}")
print("RESULT model_weights", n_model_weights)
print("RESULT layers_with_input", n_layers_with_input)
print("RESULT feature_shape", ",".join(map(str, feature_shape)))
print("RESULT n_features", len(all_features))
print("RESULT frozen_unchanged_head_trained", frozen_equal and head_changed)
print("RESULT trainable_weights", len(model.trainable_weights))
