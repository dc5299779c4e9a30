"""Keras's optimizer API as its reference pages use it: a LearningRateSchedule subclass, cosine
decay with warmup under AdamW, Lion, gradient clipping by global norm, EMA of the weights,
SGD with a learning rate of 0 under a scheduler, and the optimizer's config.

Source: https://keras.io/api/optimizers/ (the "Usage", "Core Optimizer API" and
learning_rate_schedules pages; the CustomSchedule pattern of
https://www.tensorflow.org/text/tutorials/transformer#set_up_the_optimizer)
Changed: each optimizer trains the same small MLP for 2 epochs on 10,000 MNIST images; RESULT lines.
"""

import keras
import numpy as np

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784)[:10000].astype("float32") / 255
y_train = y_train[:10000]
x_test = x_test.reshape(-1, 784).astype("float32") / 255


class MyLRSchedule(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, initial_learning_rate):
        self.initial_learning_rate = initial_learning_rate

    def __call__(self, step):
        return self.initial_learning_rate / (step + 1) ** 0.25

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate}


def train(optimizer, callbacks=()):
    keras.utils.set_random_seed(7)
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=2, verbose=0, callbacks=list(callbacks))
    return model, model.evaluate(x_test, y_test, verbose=0)[1]


steps = 2 * int(np.ceil(len(x_train) / 64))
runs = {
    "custom_schedule_adam": keras.optimizers.Adam(learning_rate=MyLRSchedule(0.01)),
    "adamw_cosine_warmup": keras.optimizers.AdamW(
        learning_rate=keras.optimizers.schedules.CosineDecay(
            0.0, steps - 50, warmup_target=3e-3, warmup_steps=50),
        weight_decay=0.004),
    "lion": keras.optimizers.Lion(learning_rate=1e-4),
    "adam_global_clipnorm": keras.optimizers.Adam(global_clipnorm=1.0),
    "adam_amsgrad": keras.optimizers.Adam(amsgrad=True),
    "adam_ema": keras.optimizers.Adam(use_ema=True, ema_momentum=0.99),
    "adadelta": keras.optimizers.Adadelta(learning_rate=1.0),
    "sgd_weight_decay": keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, weight_decay=1e-4),
}
for name, optimizer in runs.items():
    model, accuracy = train(optimizer)
    print("RESULT", name, round(float(accuracy), 2))

model, accuracy = train(keras.optimizers.SGD(learning_rate=0.0),
                        [keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (1 + epoch))])
print("RESULT sgd_zero_then_scheduled", round(float(accuracy), 2))
print("RESULT scheduled_lr_after", round(float(np.array(model.optimizer.learning_rate)), 4))

config = keras.optimizers.AdamW(learning_rate=MyLRSchedule(0.01), weight_decay=0.01).get_config()
print("RESULT adamw_config_keys", ",".join(k for k in sorted(config) if k in (
    "amsgrad", "beta_1", "beta_2", "clipnorm", "epsilon", "learning_rate", "name",
    "use_ema", "weight_decay")))
optimizer = keras.optimizers.SGD(learning_rate=0.5)
optimizer.learning_rate = 0.25
print("RESULT assigned_learning_rate", float(np.array(optimizer.learning_rate)))
