"""The MLP parts of Keras's guide "The Functional API" (keras.io/guides/functional_api), with
only the imports changed: ``import glassnet as keras`` in place of ``import keras``.

What is left out needs layers an MLP library does not have (Conv2D, Embedding, LSTM) or
Keras's plotting (``keras.utils.plot_model``, Graphviz). Run: ``python functional_api.py``.
"""

import os
import tempfile

import numpy as np

import glassnet as keras
import glassnet.datasets
from glassnet import layers

inputs = keras.Input(shape=(784,))
img_inputs = keras.Input(shape=(32, 32, 3))
print(inputs.shape, inputs.dtype)

dense = layers.Dense(64, activation="relu")
x = dense(inputs)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.summary()

# -- training, evaluation and inference --
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_split=0.2)
test_scores = model.evaluate(x_test, y_test, verbose=2)
print("Test loss:", test_scores[0])
print("Test accuracy:", test_scores[1])

# -- save and serialize --
path = os.path.join(tempfile.mkdtemp(), "path_to_my_model.keras")
model.save(path)
predicted = model.predict(x_test[:5])
del model
model = keras.models.load_model(path)
print("Reloaded predictions equal:", bool(np.array_equal(model.predict(x_test[:5]), predicted)))


# -- models are callable, like layers: an ensemble --
def get_model():
    inputs = keras.Input(shape=(128,))
    outputs = layers.Dense(1)(inputs)
    return keras.Model(inputs, outputs)


model1 = get_model()
model2 = get_model()
model3 = get_model()

inputs = keras.Input(shape=(128,))
y1 = model1(inputs)
y2 = model2(inputs)
y3 = model3(inputs)
outputs = layers.average([y1, y2, y3])
ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
probe = np.random.default_rng(0).normal(size=(4, 128)).astype("float32")
mean = (model1.predict(probe) + model2.predict(probe) + model3.predict(probe)) / 3
print("Ensemble averages its members:", bool(np.allclose(ensemble_model.predict(probe), mean,
                                                         atol=1e-6)))

# -- shared layers, and extracting and reusing nodes (on an MLP) --
shared_dense = layers.Dense(16, activation="relu")
text_input_a = keras.Input(shape=(32,))
text_input_b = keras.Input(shape=(32,))
encoded_input_a = shared_dense(text_input_a)
encoded_input_b = shared_dense(text_input_b)

features_list = [layer.output for layer in model.layers]
feat_extraction_model = keras.Model(inputs=model.input, outputs=features_list)
extracted = feat_extraction_model(x_test[:5])
print("Extracted features:", [f.shape for f in extracted])
