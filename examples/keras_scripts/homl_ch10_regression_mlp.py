"""Hands-On Machine Learning (3rd ed.), chapter 10: a regression MLP with a Normalization layer.

Source: A. Géron, Hands-On Machine Learning, 3rd ed., ch. 10, "Building a Regression MLP Using
the Sequential API" (github.com/ageron/handson-ml3, 10_neural_nets_with_keras.ipynb)
Changed: scikit-learn's diabetes data in place of California housing (which needs the
network); ``tf.keras`` spelled ``keras``; RESULT lines added.
"""

import keras
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

diabetes = load_diabetes()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    diabetes.data, diabetes.target / 100.0, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(X_train_full, y_train_full,
                                                      random_state=42)

keras.utils.set_random_seed(42)
norm_layer = keras.layers.Normalization(input_shape=X_train.shape[1:])
model = keras.Sequential([
    norm_layer,
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(1),
])
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
norm_layer.adapt(X_train)
history = model.fit(X_train, y_train, epochs=20, validation_data=(X_valid, y_valid))
mse_test, rmse_test = model.evaluate(X_test, y_test)
X_new = X_test[:3]
y_pred = model.predict(X_new)
print(y_pred, y_test[:3])
print("RESULT test_rmse", round(float(rmse_test), 3))
print("RESULT metric_key", [k for k in history.history if "root" in k.lower()][0])
