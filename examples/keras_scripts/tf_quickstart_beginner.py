"""TensorFlow 2 quickstart for beginners: a 784-128-10 MLP on MNIST.

Source: https://www.tensorflow.org/tutorials/quickstart/beginner
Changed: ``tf.keras`` spelled ``keras`` and ``tf.nn.softmax(t).numpy()`` spelled
``keras.ops.convert_to_numpy(keras.ops.softmax(t))`` (Keras 3); RESULT lines added.
"""

import keras
import numpy as np

mnist = keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0

model = keras.models.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(10),
])

predictions = keras.ops.convert_to_numpy(model(x_train[:1]))
print(predictions)
print(keras.ops.convert_to_numpy(keras.ops.softmax(predictions)))

loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
print("untrained loss", float(loss_fn(y_train[:1], predictions)))

model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
loss, accuracy = model.evaluate(x_test, y_test, verbose=2)

probability_model = keras.Sequential([model, keras.layers.Softmax()])
probabilities = keras.ops.convert_to_numpy(probability_model(x_test[:5]))
print(probabilities)
print("RESULT test_accuracy", round(float(accuracy), 4))
print("RESULT rows_sum_to_one", bool(np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)))
