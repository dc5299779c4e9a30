"""Keras guide "Writing your own callbacks": a callback on every hook, logs printed per batch
and epoch, early stopping at the minimum loss with get/set_weights, and a learning-rate
schedule set on the optimizer from a callback.

Source: https://keras.io/guides/writing_your_own_callbacks/
Changed: RESULT lines added; the per-hook printing callback keeps its keys in a list instead of
printing every batch.
"""

import keras
import numpy as np


def get_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0
x_train = x_train[:1000]
y_train = y_train[:1000]
x_test = x_test[:1000]
y_test = y_test[:1000]

seen = []


class CustomCallback(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        seen.append(("on_train_begin", sorted(logs or {})))

    def on_train_end(self, logs=None):
        seen.append(("on_train_end", sorted(logs)))

    def on_epoch_begin(self, epoch, logs=None):
        seen.append(("on_epoch_begin", sorted(logs or {})))

    def on_epoch_end(self, epoch, logs=None):
        seen.append(("on_epoch_end", sorted(logs)))

    def on_test_begin(self, logs=None):
        seen.append(("on_test_begin", sorted(logs or {})))

    def on_test_end(self, logs=None):
        seen.append(("on_test_end", sorted(logs)))

    def on_predict_begin(self, logs=None):
        seen.append(("on_predict_begin", sorted(logs or {})))

    def on_predict_end(self, logs=None):
        seen.append(("on_predict_end", sorted(logs or {})))

    def on_train_batch_begin(self, batch, logs=None):
        seen.append(("on_train_batch_begin", sorted(logs or {})))

    def on_train_batch_end(self, batch, logs=None):
        seen.append(("on_train_batch_end", sorted(logs)))


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=1, verbose=0,
          validation_split=0.5, callbacks=[CustomCallback()])
res = model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])
res = model.predict(x_test, batch_size=128, callbacks=[CustomCallback()])
hooks = sorted({name for name, _ in seen})
epoch_end_keys = [keys for name, keys in seen if name == "on_epoch_end"][0]


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print(f"Up to batch {batch}, the average loss is {logs['loss']:7.2f}.")

    def on_test_batch_end(self, batch, logs=None):
        print(f"Up to batch {batch}, the average loss is {logs['loss']:7.2f}.")

    def on_epoch_end(self, epoch, logs=None):
        print(f"The average loss for epoch {epoch} is {logs['loss']:7.2f} "
              f"and mean absolute error is {logs['mean_absolute_error']:7.2f}.")


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0,
          callbacks=[LossAndErrorPrintingCallback()])
res = model.evaluate(x_test, y_test, batch_size=128, verbose=0,
                     callbacks=[LossAndErrorPrintingCallback()])


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


model = get_model()
stopper = EarlyStoppingAtMinLoss()
model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0,
          callbacks=[LossAndErrorPrintingCallback(), stopper])


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        lr = self.model.optimizer.learning_rate
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr)):6.4f}.")


LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005), (12, 0.001)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


model = get_model()
model.fit(x_train, y_train, batch_size=64, epochs=15, verbose=0,
          callbacks=[LossAndErrorPrintingCallback(), CustomLearningRateScheduler(lr_schedule)])
final_lr = float(np.array(model.optimizer.learning_rate))
print("RESULT hooks", ",".join(hooks))
print("RESULT epoch_end_keys", ",".join(epoch_end_keys))
print("RESULT early_stopped", stopper.stopped_epoch > 0)
print("RESULT final_learning_rate", round(final_lr, 4))
