"""TensorFlow tutorial "Overfit and underfit": tiny to large models, an InverseTimeDecay schedule,
l2 weight regularisation, dropout, and both combined.

Source: https://www.tensorflow.org/tutorials/keras/overfit_and_underfit
Changed: scikit-learn's breast-cancer data (30 features, standardised) in place of the Higgs
data set (28 features; needs the network), so STEPS_PER_EPOCH and the epochs are smaller
(100 epochs, patience 50); labels as a column (Keras 3 on torch refuses (n,)
labels against (n, 1) outputs in the BinaryCrossentropy metric); ``tf.keras`` spelled ``keras``; no TensorBoard or plots; RESULT lines.
"""

import keras
from keras import layers, regularizers
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

data = load_breast_cancer()
x_train, x_val, y_train, y_val = train_test_split(data.data, data.target, test_size=0.3,
                                                  random_state=0)
scaler = StandardScaler().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
y_train, y_val = y_train.reshape(-1, 1), y_val.reshape(-1, 1)
FEATURES = x_train.shape[1]
N_TRAIN = len(x_train)
BATCH_SIZE = 50
STEPS_PER_EPOCH = N_TRAIN // BATCH_SIZE

lr_schedule = keras.optimizers.schedules.InverseTimeDecay(
    0.001, decay_steps=STEPS_PER_EPOCH * 10, decay_rate=1, staircase=False)


def get_optimizer():
    return keras.optimizers.Adam(lr_schedule)


def get_callbacks(name):
    return [keras.callbacks.EarlyStopping(monitor="val_binary_crossentropy", patience=50)]


def compile_and_fit(model, name, optimizer=None, max_epochs=100):
    if optimizer is None:
        optimizer = get_optimizer()
    model.compile(optimizer=optimizer,
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryCrossentropy(from_logits=True,
                                                            name="binary_crossentropy"),
                           "accuracy"])
    model.summary()
    history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=max_epochs,
                        validation_data=(x_val, y_val), callbacks=get_callbacks(name),
                        verbose=0)
    return history


size_histories = {}
keras.utils.set_random_seed(1)
tiny_model = keras.Sequential([
    layers.Dense(16, activation="elu", input_shape=(FEATURES,)),
    layers.Dense(1),
])
size_histories["Tiny"] = compile_and_fit(tiny_model, "sizes/Tiny")

large_model = keras.Sequential([
    layers.Dense(512, activation="elu", input_shape=(FEATURES,)),
    layers.Dense(512, activation="elu"),
    layers.Dense(512, activation="elu"),
    layers.Dense(512, activation="elu"),
    layers.Dense(1),
])
size_histories["large"] = compile_and_fit(large_model, "sizes/large")

l2_model = keras.Sequential([
    layers.Dense(512, activation="elu", kernel_regularizer=regularizers.l2(0.001),
                 input_shape=(FEATURES,)),
    layers.Dense(512, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(512, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(512, activation="elu", kernel_regularizer=regularizers.l2(0.001)),
    layers.Dense(1),
])
size_histories["l2"] = compile_and_fit(l2_model, "regularizers/l2")
result = l2_model(x_val[:1])
regularization_loss = float(sum(keras.ops.convert_to_numpy(loss) for loss in l2_model.losses))

combined_model = keras.Sequential([
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001), activation="elu",
                 input_shape=(FEATURES,)),
    layers.Dropout(0.5),
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001), activation="elu"),
    layers.Dropout(0.5),
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001), activation="elu"),
    layers.Dropout(0.5),
    layers.Dense(512, kernel_regularizer=regularizers.l2(0.0001), activation="elu"),
    layers.Dropout(0.5),
    layers.Dense(1),
])
size_histories["combined"] = compile_and_fit(combined_model, "regularizers/combined")

for name, history in size_histories.items():
    print("RESULT", f"{name}_val_accuracy", round(history.history["val_accuracy"][-1], 3))
print("RESULT l2_regularization_loss_positive", regularization_loss > 0)
