"""Hands-On Machine Learning (3rd ed.), chapter 10: Wide & Deep with the subclassing API, saving
and restoring, and callbacks (ModelCheckpoint, EarlyStopping, a custom callback).

Source: A. Géron, Hands-On Machine Learning, 3rd ed., ch. 10, "Using the Subclassing API to Build
Dynamic Models", "Saving and Restoring a Model", "Using Callbacks" (github.com/ageron/handson-ml3)
Changed: scikit-learn's diabetes data in place of California housing; ``tf.keras`` spelled
``keras``; ``loss=("mse", "mse")`` for the book's ``loss="mse"`` (Keras 3 wants
one loss per output); the files go to a temporary folder; 30 epochs with early stopping; RESULT lines.
"""

import os
import tempfile

import keras
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

diabetes = load_diabetes()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    diabetes.data, diabetes.target / 100.0, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full,
                                                      random_state=42)


class WideAndDeepModel(keras.Model):
    def __init__(self, units=30, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.norm_layer_wide = keras.layers.Normalization()
        self.norm_layer_deep = keras.layers.Normalization()
        self.hidden1 = keras.layers.Dense(units, activation=activation)
        self.hidden2 = keras.layers.Dense(units, activation=activation)
        self.main_output = keras.layers.Dense(1)
        self.aux_output = keras.layers.Dense(1)

    def call(self, inputs):
        input_wide, input_deep = inputs
        norm_wide = self.norm_layer_wide(input_wide)
        norm_deep = self.norm_layer_deep(input_deep)
        hidden1 = self.hidden1(norm_deep)
        hidden2 = self.hidden2(hidden1)
        concat = keras.layers.concatenate([norm_wide, hidden2])
        output = self.main_output(concat)
        aux_output = self.aux_output(hidden2)
        return output, aux_output


class PrintValTrainRatioCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        ratio = logs["val_loss"] / logs["loss"]
        print(f"Epoch={epoch}, val/train={ratio:.2f}")


keras.utils.set_random_seed(42)
model = WideAndDeepModel(30, activation="relu", name="my_cool_model")
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss=("mse", "mse"), loss_weights=[0.9, 0.1], optimizer=optimizer,
              metrics=["RootMeanSquaredError", "RootMeanSquaredError"])
X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
model.norm_layer_wide.adapt(X_train_wide)
model.norm_layer_deep.adapt(X_train_deep)

folder = tempfile.mkdtemp()
checkpoint_path = os.path.join(folder, "my_checkpoints.weights.h5")
checkpoint_cb = keras.callbacks.ModelCheckpoint(checkpoint_path, save_weights_only=True,
                                                save_best_only=True)
early_stopping_cb = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
history = model.fit(
    (X_train_wide, X_train_deep), (y_train, y_train), epochs=30,
    validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)),
    callbacks=[checkpoint_cb, early_stopping_cb, PrintValTrainRatioCallback()])
eval_results = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test))

model_path = os.path.join(folder, "my_keras_model.keras")
model.save_weights(os.path.join(folder, "my_weights.weights.h5"))
before = model.predict((X_test_wide[:3], X_test_deep[:3]))[0]
model.load_weights(os.path.join(folder, "my_weights.weights.h5"))
after = model.predict((X_test_wide[:3], X_test_deep[:3]))[0]
print(model_path, os.path.exists(checkpoint_path))
print("RESULT test_loss", round(float(eval_results[0]), 3))
print("RESULT checkpoint_written", os.path.exists(checkpoint_path))
print("RESULT reload_equal", bool(np.allclose(before, after)))
