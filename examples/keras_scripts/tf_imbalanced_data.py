"""TensorFlow tutorial "Classification on imbalanced data": the metrics list (counts, precision,
recall, ROC and PR AUC), an initial output bias, class weights, early stopping on val_prc.

Source: https://www.tensorflow.org/tutorials/structured_data/imbalanced_data
Changed: scikit-learn's breast-cancer data with the malignant class cut to 40 of 252 (about
7 % positives) in place of the credit-card fraud data (needs the network); ``tf.keras``
spelled ``keras``; labels as a column (Keras 3 on torch refuses (n,) labels against
(n, 1) outputs in the BinaryCrossentropy metric); 100 epochs at batch 64 instead of 2048 (the data is small); no plots;
RESULT lines added.
"""

import keras
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

data = load_breast_cancer()
positive = data.target == 0            # malignant
keep = np.flatnonzero(~positive).tolist() + np.flatnonzero(positive)[:40].tolist()
features, labels = data.data[keep], positive[keep].astype("float32").reshape(-1, 1)
neg, pos = np.bincount(labels.astype(int).ravel())
total = neg + pos
print(f"Examples:\n    Total: {total}\n    Positive: {pos} ({100 * pos / total:.2f}% of total)\n")

train_features, test_features, train_labels, test_labels = train_test_split(
    features, labels, test_size=0.2, random_state=0, stratify=labels)
train_features, val_features, train_labels, val_labels = train_test_split(
    train_features, train_labels, test_size=0.2, random_state=0, stratify=train_labels)
scaler = StandardScaler()
train_features = np.clip(scaler.fit_transform(train_features), -5, 5)
val_features = np.clip(scaler.transform(val_features), -5, 5)
test_features = np.clip(scaler.transform(test_features), -5, 5)

METRICS = [
    keras.metrics.BinaryCrossentropy(name="cross entropy"),
    keras.metrics.MeanSquaredError(name="Brier score"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.BinaryAccuracy(name="accuracy"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.AUC(name="auc"),
    keras.metrics.AUC(name="prc", curve="PR"),
]


def make_model(metrics=METRICS, output_bias=None):
    if output_bias is not None:
        output_bias = keras.initializers.Constant(output_bias)
    model = keras.Sequential([
        keras.layers.Dense(16, activation="relu", input_shape=(train_features.shape[-1],)),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid", bias_initializer=output_bias),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=keras.losses.BinaryCrossentropy(), metrics=metrics)
    return model


EPOCHS = 100
BATCH_SIZE = 64
early_stopping = keras.callbacks.EarlyStopping(monitor="val_prc", verbose=1, patience=10,
                                               mode="max", restore_best_weights=True)
keras.utils.set_random_seed(0)
initial_bias = np.log([pos / neg])
model = make_model(output_bias=initial_bias)
print(model.predict(train_features[:10]))
results = model.evaluate(train_features, train_labels, batch_size=BATCH_SIZE, verbose=0)
print(f"Loss: {results[0]:0.4f}")

baseline_history = model.fit(train_features, train_labels, batch_size=BATCH_SIZE, epochs=EPOCHS,
                             callbacks=[early_stopping],
                             validation_data=(val_features, val_labels))
baseline_results = model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE, verbose=0,
                                  return_dict=True)
for name, value in baseline_results.items():
    print(name, ": ", value)

weight_for_0 = (1 / neg) * (total / 2.0)
weight_for_1 = (1 / pos) * (total / 2.0)
class_weight = {0: weight_for_0, 1: weight_for_1}
weighted_model = make_model()
weighted_history = weighted_model.fit(train_features, train_labels, batch_size=BATCH_SIZE,
                                      epochs=EPOCHS, callbacks=[early_stopping],
                                      validation_data=(val_features, val_labels),
                                      class_weight=class_weight)
weighted_results = weighted_model.evaluate(test_features, test_labels, batch_size=BATCH_SIZE,
                                           verbose=0, return_dict=True)
print("RESULT initial_loss", round(float(results[0]), 3))
print("RESULT baseline_auc", round(float(baseline_results["auc"]), 3))
print("RESULT weighted_recall", round(float(weighted_results["recall"]), 3))
print("RESULT weighted_prc", round(float(weighted_results["prc"]), 3))
print("RESULT counts_sum_to_test_size",
      int(sum(weighted_results[k] for k in ("tp", "fp", "tn", "fn"))) == len(test_labels))
