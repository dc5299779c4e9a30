"""Deep Learning with Python (2nd ed.), chapter 2: "A first look at a neural network".

Source: F. Chollet, Deep Learning with Python, 2nd ed. (Manning 2021), ch. 2; notebook
chapter02_mathematical-building-blocks.ipynb in github.com/fchollet/deep-learning-with-python-notebooks
Changed: ``from tensorflow import keras`` spelled ``import keras``; RESULT lines added.
"""

import keras
from keras import layers
from keras.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()
print(train_images.shape, len(train_labels), test_images.shape)

model = keras.Sequential([
    layers.Dense(512, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="rmsprop",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

train_images = train_images.reshape((60000, 28 * 28))
train_images = train_images.astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28))
test_images = test_images.astype("float32") / 255

model.fit(train_images, train_labels, epochs=5, batch_size=128)

test_digits = test_images[0:10]
predictions = model.predict(test_digits)
print(predictions[0])
print(predictions[0].argmax(), predictions[0][7], test_labels[0])

test_loss, test_acc = model.evaluate(test_images, test_labels)
print(f"test_acc: {test_acc}")
print("RESULT test_accuracy", round(float(test_acc), 4))
print("RESULT first_digit", int(predictions[0].argmax()))
