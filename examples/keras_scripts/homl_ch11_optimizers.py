"""Hands-On Machine Learning (3rd ed.), chapter 11: faster optimizers, gradient clipping and
learning-rate schedules, each training the same MLP.

Source: A. Géron, Hands-On Machine Learning, 3rd ed., ch. 11, "Faster Optimizers",
"Gradient Clipping", "Learning Rate Scheduling" (github.com/ageron/handson-ml3,
11_training_deep_neural_networks.ipynb)
Changed: MNIST (first 10,000 images) in place of Fashion-MNIST; ``tf.keras`` spelled ``keras``;
2 epochs per optimizer; RESULT lines added.
"""

import math

import keras

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.mnist.load_data()
X_train, y_train = X_train_full[:10000] / 255.0, y_train_full[:10000]
X_test = X_test / 255.0


def build_model(seed=42):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.layers.Input(shape=[28, 28]),
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def build_and_train_model(optimizer, callbacks=()):
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    model.fit(X_train, y_train, epochs=2, verbose=0, callbacks=list(callbacks))
    return model.evaluate(X_test, y_test, verbose=0)[1]


batch_size = 32
n_epochs = 2
n_steps = n_epochs * math.ceil(len(X_train) / batch_size)
optimizers = {
    "sgd_momentum": keras.optimizers.SGD(learning_rate=0.001, momentum=0.9),
    "nesterov": keras.optimizers.SGD(learning_rate=0.001, momentum=0.9, nesterov=True),
    "adagrad": keras.optimizers.Adagrad(learning_rate=0.001),
    "rmsprop": keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
    "adam": keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    "adamax": keras.optimizers.Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    "nadam": keras.optimizers.Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    "adamw": keras.optimizers.AdamW(weight_decay=1e-5, learning_rate=0.001, beta_1=0.9,
                                    beta_2=0.999),
    "clipvalue": keras.optimizers.SGD(learning_rate=0.01, clipvalue=1.0),
    "clipnorm": keras.optimizers.SGD(learning_rate=0.01, clipnorm=1.0),
    "exponential_decay": keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=0.01, decay_steps=n_steps, decay_rate=0.1)),
    "piecewise_constant": keras.optimizers.SGD(
        learning_rate=keras.optimizers.schedules.PiecewiseConstantDecay(
            boundaries=[n_steps // 2, 3 * n_steps // 4], values=[0.01, 0.005, 0.001])),
}
for name, optimizer in optimizers.items():
    print("RESULT", name, round(float(build_and_train_model(optimizer)), 3))


def exponential_decay(lr0, s):
    def exponential_decay_fn(epoch):
        return lr0 * 0.1 ** (epoch / s)
    return exponential_decay_fn


exponential_decay_fn = exponential_decay(lr0=0.01, s=20)
lr_scheduler = keras.callbacks.LearningRateScheduler(exponential_decay_fn)
print("RESULT lr_scheduler_callback",
      round(float(build_and_train_model(keras.optimizers.SGD(learning_rate=0.01),
                                        [lr_scheduler])), 3))
lr_plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=5)
print("RESULT reduce_on_plateau",
      round(float(build_and_train_model(keras.optimizers.SGD(learning_rate=0.01),
                                        [lr_plateau])), 3))
