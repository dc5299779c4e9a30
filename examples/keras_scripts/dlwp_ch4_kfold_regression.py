"""Deep Learning with Python (2nd ed.), chapter 4: regression with K-fold validation
("Predicting house prices"): feature-wise normalisation by hand, a 64-64-1 network, MSE loss
and MAE metric, and the per-epoch validation MAE averaged over the folds.

Source: F. Chollet, Deep Learning with Python, 2nd ed., ch. 4.3; notebook
chapter04_getting-started-with-neural-networks.ipynb in github.com/fchollet/deep-learning-with-python-notebooks
Changed: scikit-learn's diabetes data (442 rows, 10 features; target in hundreds) in place of
Boston housing (needs the network); 40 epochs instead of 500; ``from tensorflow import
keras`` spelled ``import keras``; RESULT lines.
"""

import keras
import numpy as np
from keras import layers
from sklearn.datasets import load_diabetes

data = load_diabetes()
order = np.random.RandomState(113).permutation(len(data.target))
x, y = data.data[order], data.target[order] / 100.0
split = int(0.8 * len(y))
train_data, test_data = x[:split], x[split:]
train_targets, test_targets = y[:split], y[split:]

mean = train_data.mean(axis=0)
train_data -= mean
std = train_data.std(axis=0)
train_data /= std
test_data -= mean
test_data /= std


def build_model():
    model = keras.Sequential([
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


k = 4
num_val_samples = len(train_data) // k
num_epochs = 40
all_mae_histories = []
for i in range(k):
    print(f"Processing fold #{i}")
    val_data = train_data[i * num_val_samples: (i + 1) * num_val_samples]
    val_targets = train_targets[i * num_val_samples: (i + 1) * num_val_samples]
    partial_train_data = np.concatenate(
        [train_data[:i * num_val_samples], train_data[(i + 1) * num_val_samples:]], axis=0)
    partial_train_targets = np.concatenate(
        [train_targets[:i * num_val_samples], train_targets[(i + 1) * num_val_samples:]], axis=0)
    model = build_model()
    history = model.fit(partial_train_data, partial_train_targets,
                        validation_data=(val_data, val_targets),
                        epochs=num_epochs, batch_size=16, verbose=0)
    mae_history = history.history["val_mae"]
    all_mae_histories.append(mae_history)

average_mae_history = [np.mean([x[i] for x in all_mae_histories]) for i in range(num_epochs)]
model = build_model()
model.fit(train_data, train_targets, epochs=30, batch_size=16, verbose=0)
test_mse_score, test_mae_score = model.evaluate(test_data, test_targets)
predictions = model.predict(test_data)
print(predictions[0])
print("RESULT best_epoch_val_mae", round(float(min(average_mae_history)), 3))
print("RESULT test_mae", round(float(test_mae_score), 3))
