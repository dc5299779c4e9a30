"""Hands-On Machine Learning (3rd ed.), chapter 10: an image classifier with the Sequential API.

Source: A. Géron, Hands-On Machine Learning with Scikit-Learn, Keras and TensorFlow, 3rd ed.
(O'Reilly 2022), ch. 10, "Building an Image Classifier Using the Sequential API";
notebook 10_neural_nets_with_keras.ipynb in github.com/ageron/handson-ml3
Changed: MNIST in place of Fashion-MNIST (same shapes; Fashion-MNIST needs the network);
``tf.keras`` spelled ``keras``; 10 epochs instead of 30; RESULT lines added.
"""

import keras
import numpy as np

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
X_train, X_valid, X_test = X_train / 255., X_valid / 255., X_test / 255.

keras.utils.set_random_seed(42)
model = keras.Sequential()
model.add(keras.layers.Input(shape=[28, 28]))
model.add(keras.layers.Flatten())
model.add(keras.layers.Dense(300, activation="relu"))
model.add(keras.layers.Dense(100, activation="relu"))
model.add(keras.layers.Dense(10, activation="softmax"))
model.summary()

hidden1 = model.layers[1]
print(hidden1.name, model.get_layer(hidden1.name) is hidden1)
weights, biases = hidden1.get_weights()
print(weights.shape, biases.shape, float(np.abs(biases).max()))

model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=10, validation_data=(X_valid, y_valid))
print(sorted(history.history))

loss, accuracy = model.evaluate(X_test, y_test)
X_new = X_test[:3]
y_proba = model.predict(X_new)
print(y_proba.round(2))
y_pred = y_proba.argmax(axis=-1)
print(y_pred, y_test[:3])
print("RESULT test_accuracy", round(float(accuracy), 4))
print("RESULT history_keys", ",".join(sorted(history.history)))
print("RESULT predicted", "".join(map(str, y_pred)))
