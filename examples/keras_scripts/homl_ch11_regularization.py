"""Hands-On Machine Learning (3rd ed.), chapter 11: l2 regularisation through functools.partial,
dropout, Monte Carlo dropout and max-norm.

Source: A. Géron, Hands-On Machine Learning, 3rd ed., ch. 11, "Avoiding Overfitting Through
Regularization" (github.com/ageron/handson-ml3, 11_training_deep_neural_networks.ipynb)
Changed: MNIST (first 10,000 images) in place of Fashion-MNIST; ``tf.keras`` spelled ``keras``;
3 epochs; 20 Monte Carlo samples instead of 100; RESULT lines added.
"""

from functools import partial

import keras
import numpy as np

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.mnist.load_data()
X_train, y_train = X_train_full[:10000] / 255.0, y_train_full[:10000]
X_valid, y_valid = X_train_full[-5000:] / 255.0, y_train_full[-5000:]
X_test = X_test / 255.0

layer = keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal",
                           kernel_regularizer=keras.regularizers.l2(0.01))

keras.utils.set_random_seed(42)
RegularizedDense = partial(keras.layers.Dense, activation="relu",
                           kernel_initializer="he_normal",
                           kernel_regularizer=keras.regularizers.l2(0.01))
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    RegularizedDense(100),
    RegularizedDense(100),
    RegularizedDense(10, activation="softmax"),
])
optimizer = keras.optimizers.SGD(learning_rate=0.02)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
l2_loss, l2_accuracy = model.evaluate(X_test, y_test)

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(10, activation="softmax"),
])
optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
dropout_loss, dropout_accuracy = model.evaluate(X_test, y_test)

y_probas = np.stack([keras.ops.convert_to_numpy(model(X_test, training=True))
                     for sample in range(20)])
y_proba = y_probas.mean(axis=0)
mc_accuracy = (y_proba.argmax(axis=1) == y_test).mean()
print(model.predict(X_test[:1]).round(3), y_proba[0].round(3))

dense = keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal",
                           kernel_constraint=keras.constraints.max_norm(1.))
keras.utils.set_random_seed(42)
MaxNormDense = partial(keras.layers.Dense, activation="relu", kernel_initializer="he_normal",
                       kernel_constraint=keras.constraints.max_norm(1.))
model = keras.Sequential([
    keras.layers.Flatten(input_shape=[28, 28]),
    MaxNormDense(100),
    MaxNormDense(100),
    keras.layers.Dense(10, activation="softmax"),
])
optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
maxnorm_loss, maxnorm_accuracy = model.evaluate(X_test, y_test)
column_norms = np.linalg.norm(model.layers[1].get_weights()[0], axis=0)

print("RESULT l2_accuracy", round(float(l2_accuracy), 3))
print("RESULT dropout_accuracy", round(float(dropout_accuracy), 3))
print("RESULT mc_dropout_accuracy", round(float(mc_accuracy), 3))
print("RESULT maxnorm_accuracy", round(float(maxnorm_accuracy), 3))
print("RESULT max_column_norm_le_1", bool(column_norms.max() <= 1 + 1e-6))
