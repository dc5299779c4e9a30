"""The MLP parts of Keras's guide "Training & evaluation with the built-in methods"
(keras.io/guides/training_with_built_in_methods), with only the imports changed.

Left out: metric classes, custom losses and metrics written with backend ops, add_loss and
add_metric (glassnet's toolkit issue), tf.data, and the guide's convolutional multi-input
model, whose inputs are here flat vectors so an MLP can take them. Run it as a script.
"""

import numpy as np

import glassnet as keras
from glassnet import layers

inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255
y_train = y_train.astype("float32")
y_test = y_test.astype("float32")
x_val = x_train[-10000:]
y_val = y_train[-10000:]
x_train = x_train[:-10000]
y_train = y_train[:-10000]

model.compile(
    optimizer=keras.optimizers.RMSprop(),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=["sparse_categorical_accuracy"],
)
print("Fit model on training data")
history = model.fit(x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val))
print(history.history)
print("Evaluate on test data")
results = model.evaluate(x_test, y_test, batch_size=128)
print("test loss, test acc:", results)
predictions = model.predict(x_test[:3])
print("predictions shape:", predictions.shape)


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    return model


# -- a validation holdout set --
model = get_compiled_model()
model.fit(x_train, y_train, batch_size=64, validation_split=0.2, epochs=1)


# -- a Sequence (PyDataset) as input --
class MNISTSequence(keras.utils.Sequence):
    def __init__(self, x, y, batch_size):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        rows = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.x[rows], self.y[rows]


model = get_compiled_model()
model.fit(MNISTSequence(x_train, y_train, 64), epochs=1)
result = model.evaluate(MNISTSequence(x_test, y_test, 64))
print(dict(zip(model.metrics_names, result, strict=True)))

# -- class weights and sample weights --
class_weight = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 2.0, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0}
print("Fit with class weight")
model = get_compiled_model()
model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1)

sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train == 5] = 2.0
print("Fit with sample weight")
model = get_compiled_model()
model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1)

# -- multi-input, multi-output models (flat inputs in place of the guide's images) --
image_input = keras.Input(shape=(32 * 32 * 3,), name="img_input")
timeseries_input = keras.Input(shape=(20 * 10,), name="ts_input")
x1 = layers.Dense(3, activation="relu")(image_input)
x2 = layers.Dense(3, activation="relu")(timeseries_input)
x = layers.concatenate([x1, x2])
score_output = layers.Dense(1, name="score_output")(x)
class_output = layers.Dense(5, name="class_output")(x)
model = keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"score_output": keras.losses.MeanSquaredError(),
          "class_output": keras.losses.CategoricalCrossentropy()},
    metrics={"score_output": ["mean_absolute_error"], "class_output": ["categorical_accuracy"]},
    loss_weights={"score_output": 2.0, "class_output": 1.0},
)
img_data = np.random.random_sample(size=(100, 32 * 32 * 3))
ts_data = np.random.random_sample(size=(100, 20 * 10))
score_targets = np.random.random_sample(size=(100, 1))
class_targets = np.random.random_sample(size=(100, 5))
model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1)
model.fit({"img_input": img_data, "ts_input": ts_data},
          {"score_output": score_targets, "class_output": class_targets},
          batch_size=32, epochs=1)

model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss=[None, keras.losses.CategoricalCrossentropy()])
model.fit([img_data, ts_data], [class_targets], batch_size=32, epochs=1)
model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss={"class_output": keras.losses.CategoricalCrossentropy()})
print("Multi-output logs:", model.fit([img_data, ts_data], {"class_output": class_targets},
                                      batch_size=32, epochs=1, verbose=0).history)

# -- callbacks --
model = get_compiled_model()
callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2,
                                           verbose=1)]
model.fit(x_train, y_train, epochs=20, batch_size=64, callbacks=callbacks, validation_split=0.2)
