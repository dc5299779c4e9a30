"""Seed 001: MNIST with Flatten(28, 28), Dense(128, relu), Dense(10, softmax), Adam, 5 epochs.

The seed's Keras program on glassnet: pixels scaled to 0..1, sparse categorical cross-entropy,
batch size 32 (Keras's default), the training log per epoch, then the test loss and accuracy
(the seed's run printed 0.9782).
"""

from __future__ import annotations

import glassnet
from glassnet.course import example_args as parse
from glassnet.datasets import mnist
from glassnet.layers import Dense, Flatten

SEED = 0


def main(argv=None) -> dict:
    args = parse(__doc__, argv, "train 1 epoch instead of 5")
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0
    glassnet.utils.set_random_seed(SEED)
    model = glassnet.Sequential([Flatten(input_shape=(28, 28)),
                                 Dense(128, activation="relu"),
                                 Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    epochs = 1 if args.quick else 5
    history = model.fit(x_train, y_train, epochs=epochs, verbose=2, seed=SEED)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=2)
    print([loss, accuracy])
    return {"history": history.history, "test_loss": loss, "test_accuracy": accuracy}


if __name__ == "__main__":
    main()
