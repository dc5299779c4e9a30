"""A Keras MLP on scikit-learn's digits, as tutorials pair the two: scaling, one-hot labels,
a validation split, ReduceLROnPlateau, ModelCheckpoint every 10 batches, CSVLogger,
TerminateOnNaN, BackupAndRestore, and scikit-learn's classification report.

Source: the pattern of keras.io's callbacks API pages (https://keras.io/api/callbacks/
ModelCheckpoint, ReduceLROnPlateau, CSVLogger, TerminateOnNaN, BackupAndRestore examples)
on scikit-learn's digits (https://scikit-learn.org/stable/auto_examples/classification/plot_digits_classification.html)
Changed: nothing but the RESULT lines (the data ships with scikit-learn).
"""

import csv
import os
import tempfile

import keras
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import train_test_split

digits = load_digits()
X = digits.data / 16.0
y = keras.utils.to_categorical(digits.target, 10)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

folder = tempfile.mkdtemp()
callbacks = [
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=3, min_lr=1e-5),
    keras.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt.keras"), save_freq=10),
    keras.callbacks.CSVLogger(os.path.join(folder, "training.csv")),
    keras.callbacks.TerminateOnNaN(),
    keras.callbacks.BackupAndRestore(backup_dir=os.path.join(folder, "backup")),
]
keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input(shape=(64,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=40, batch_size=32, validation_split=0.2,
                    callbacks=callbacks, verbose=2)
y_pred = model.predict(X_test).argmax(axis=1)
print(classification_report(y_test.argmax(axis=1), y_pred))
with open(os.path.join(folder, "training.csv")) as f:
    rows = list(csv.DictReader(f))
reloaded = keras.models.load_model(os.path.join(folder, "ckpt.keras"))
print("RESULT test_accuracy", round(accuracy_score(y_test.argmax(axis=1), y_pred), 2))
print("RESULT csv_rows", len(rows))
print("RESULT csv_columns", ",".join(sorted(rows[0])))
print("RESULT lr_reduced", float(np.array(model.optimizer.learning_rate)) < 0.01)
print("RESULT checkpoint_loads", reloaded.count_params() == model.count_params())
print("RESULT history_has_learning_rate", "learning_rate" in history.history)
