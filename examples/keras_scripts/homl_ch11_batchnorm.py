"""Hands-On Machine Learning (3rd ed.), chapter 11: batch normalisation, He and variance-scaling
initialisation, LeakyReLU and SELU.

Source: A. Géron, Hands-On Machine Learning, 3rd ed., ch. 11, "Glorot and He Initialization",
"Leaky ReLU", "SELU", "Batch Normalization" (github.com/ageron/handson-ml3,
11_training_deep_neural_networks.ipynb)
Changed: MNIST (the first 10,000 training images) in place of Fashion-MNIST; ``tf.keras``
spelled ``keras``; 3 epochs instead of 2-30 per model; RESULT lines added.
"""

import keras
import numpy as np

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.mnist.load_data()
X_train_full = X_train_full / 255.0
X_train, y_train = X_train_full[:10000], y_train_full[:10000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
X_test = X_test / 255.0

he_avg_init = keras.initializers.VarianceScaling(scale=2., mode="fan_avg",
                                                 distribution="uniform")
dense = keras.layers.Dense(50, activation="sigmoid", kernel_initializer=he_avg_init)

leaky_relu = keras.layers.LeakyReLU(negative_slope=0.2)
dense = keras.layers.Dense(50, activation=leaky_relu, kernel_initializer="he_normal")

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()
print([(var.name, var.trainable) for var in model.layers[1].variables])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
bn_loss, bn_accuracy = model.evaluate(X_test, y_test)
moving_mean = np.asarray(model.layers[1].moving_mean)

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    keras.layers.Dense(300, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
model.fit(X_train, y_train, epochs=3, validation_data=(X_valid, y_valid))
bn_before_loss, bn_before_accuracy = model.evaluate(X_test, y_test)

keras.utils.set_random_seed(42)
model = keras.Sequential()
model.add(keras.layers.Input(shape=[28, 28]))
model.add(keras.layers.Flatten())
for layer in range(20):
    model.add(keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal"))
model.add(keras.layers.Dense(10, activation="softmax"))
model.compile(loss="sparse_categorical_crossentropy",
              optimizer=keras.optimizers.SGD(learning_rate=0.001), metrics=["accuracy"])
pixel_means = X_train.mean(axis=0, keepdims=True)
pixel_stds = X_train.std(axis=0, keepdims=True) + 1e-7
X_train_scaled = (X_train - pixel_means) / pixel_stds
X_test_scaled = (X_test - pixel_means) / pixel_stds
model.fit(X_train_scaled, y_train, epochs=3)
selu_loss, selu_accuracy = model.evaluate(X_test_scaled, y_test)

print("RESULT bn_accuracy", round(float(bn_accuracy), 4))
print("RESULT bn_before_activation_accuracy", round(float(bn_before_accuracy), 4))
print("RESULT selu_20_layers_accuracy", round(float(selu_accuracy), 4))
print("RESULT moving_mean_of_pixels_mean", round(float(moving_mean.mean()), 3))
