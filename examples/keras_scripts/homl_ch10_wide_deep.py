"""Hands-On Machine Learning (3rd ed.), chapter 10: Wide & Deep with the functional API, two
inputs, and an auxiliary output.

Source: A. Géron, Hands-On Machine Learning, 3rd ed., ch. 10, "Building Complex Models Using the
Functional API" (github.com/ageron/handson-ml3, 10_neural_nets_with_keras.ipynb)
Changed: scikit-learn's diabetes data (10 features) in place of California housing (8), so the
wide path takes features 0-4 and the deep path 2-9; ``tf.keras`` spelled ``keras``; RESULT lines.
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
input_wide = keras.layers.Input(shape=[5])
input_deep = keras.layers.Input(shape=[8])
norm_layer_wide = keras.layers.Normalization()
norm_layer_deep = keras.layers.Normalization()
norm_wide = norm_layer_wide(input_wide)
norm_deep = norm_layer_deep(input_deep)
hidden1 = keras.layers.Dense(30, activation="relu")(norm_deep)
hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
concat = keras.layers.concatenate([norm_wide, hidden2])
output = keras.layers.Dense(1)(concat)
aux_output = keras.layers.Dense(1)(hidden2)
model = keras.Model(inputs=[input_wide, input_deep], outputs=[output, aux_output])

optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1), optimizer=optimizer,
              metrics=["RootMeanSquaredError", "RootMeanSquaredError"])

X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]

norm_layer_wide.adapt(X_train_wide)
norm_layer_deep.adapt(X_train_deep)
history = model.fit(
    (X_train_wide, X_train_deep), (y_train, y_train), epochs=20,
    validation_data=((X_valid_wide, X_valid_deep), (y_valid, y_valid)))
eval_results = model.evaluate((X_test_wide, X_test_deep), (y_test, y_test))
weighted_sum_of_losses, main_loss, aux_loss, main_rmse, aux_rmse = eval_results
y_pred_main, y_pred_aux = model.predict((X_new_wide, X_new_deep))
y_pred_tuple = model.predict((X_new_wide, X_new_deep))
y_pred = dict(zip(model.output_names, y_pred_tuple))
print(y_pred_main.ravel(), y_pred_aux.ravel(), sorted(y_pred))
print("RESULT main_rmse", round(float(main_rmse), 3))
print("RESULT aux_rmse", round(float(aux_rmse), 3))
print("RESULT n_eval_values", len(eval_results))
