"""TensorFlow tutorial "Basic regression: predict fuel efficiency": a Normalization layer
adapted to the data, linear models with one and many inputs, and a DNN, trained on mean
absolute error.

Source: https://www.tensorflow.org/tutorials/keras/regression
Changed: scikit-learn's diabetes data (target in hundreds, 'bmi' as the single feature) in place
of Auto MPG (needs the network); ``tf.keras`` spelled ``keras``; no plots; RESULT lines.
"""

import keras
import numpy as np
import pandas as pd
from keras import layers
from sklearn.datasets import load_diabetes

frame = load_diabetes(as_frame=True).frame
frame["target"] = frame["target"] / 100.0
train_dataset = frame.sample(frac=0.8, random_state=0)
test_dataset = frame.drop(train_dataset.index)
print(train_dataset.describe().transpose()[["mean", "std"]])

train_features = train_dataset.copy()
test_features = test_dataset.copy()
train_labels = train_features.pop("target")
test_labels = test_features.pop("target")

normalizer = keras.layers.Normalization(axis=-1)
normalizer.adapt(np.array(train_features))
print(np.asarray(normalizer.mean))
first = np.array(train_features[:1])
print("First example:", first)
print("Normalized:", keras.ops.convert_to_numpy(normalizer(first)))

bmi = np.array(train_features["bmi"])
bmi_normalizer = layers.Normalization(input_shape=[1], axis=None)
bmi_normalizer.adapt(bmi)
keras.utils.set_random_seed(0)
bmi_model = keras.Sequential([bmi_normalizer, layers.Dense(units=1)])
bmi_model.summary()
bmi_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                  loss="mean_absolute_error")
history = bmi_model.fit(train_features["bmi"], train_labels, epochs=100, verbose=0,
                        validation_split=0.2)
hist = pd.DataFrame(history.history)
hist["epoch"] = history.epoch
print(hist.tail())
test_results = {}
test_results["bmi_model"] = bmi_model.evaluate(test_features["bmi"], test_labels, verbose=0)

linear_model = keras.Sequential([normalizer, layers.Dense(units=1)])
linear_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1),
                     loss="mean_absolute_error")
linear_model.fit(train_features, train_labels, epochs=100, verbose=0, validation_split=0.2)
test_results["linear_model"] = linear_model.evaluate(test_features, test_labels, verbose=0)


def build_and_compile_model(norm):
    model = keras.Sequential([
        norm,
        layers.Dense(64, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(1),
    ])
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    return model


dnn_model = build_and_compile_model(normalizer)
dnn_model.summary()
dnn_model.fit(train_features, train_labels, validation_split=0.2, verbose=0, epochs=100)
test_results["dnn_model"] = dnn_model.evaluate(test_features, test_labels, verbose=0)
print(pd.DataFrame(test_results, index=["Mean absolute error [target]"]).T)
test_predictions = dnn_model.predict(test_features).flatten()
for name, value in test_results.items():
    print("RESULT", f"{name}_mae", round(float(value), 3))
print("RESULT predictions", test_predictions.shape[0])
