"""The playground's second view: a small network on MNIST digits.

The first ``samples`` training images and the first 1,000 test images of the bundled MNIST,
pixels scaled to [0, 1]; the page shows the first layer's weights as 28x28 images and a grid of
test digits with the network's predictions.

Example
-------
>>> run = MnistRun({"data": "mnist", "hidden": [8], "samples": 64, "batch_size": 32})
>>> frame = run.train(2) | run.frame()
>>> frame["step"], len(frame["predictions"]), 0 <= frame["accuracy"] <= 1
(2, 32, True)
"""

from __future__ import annotations

import numpy as np

from .config import normalize
from .session import Trainer, _bytes, _finite, build_model

__all__ = ["DIGITS", "FILTERS", "TEST_IMAGES", "MnistRun", "mnist_arrays"]

TEST_IMAGES = 1000  # the test set the losses are measured on
DIGITS = 32  # test digits drawn with their predictions
FILTERS = 16  # first-layer units drawn as images
_CACHE: dict = {}


def mnist_arrays(samples: int):
    """``(f_train, y_train), (f_test, y_test)``: the first ``samples`` training images and the
    first 1,000 test images, flattened to 784 pixels in [0, 1] (float64), labels int64."""
    if "mnist" not in _CACHE:
        from ..datasets import mnist

        _CACHE["mnist"] = mnist.load_data()
    (x_train, y_train), (x_test, y_test) = _CACHE["mnist"]
    n = min(samples, len(x_train))
    return ((x_train[:n].reshape(n, 784) / 255.0, y_train[:n].astype(np.int64)),
            (x_test[:TEST_IMAGES].reshape(-1, 784) / 255.0,
             y_test[:TEST_IMAGES].astype(np.int64)))


class MnistRun(Trainer):
    """A run on MNIST: ``hidden`` Dense layers and a softmax of 10 units."""

    task = "images"

    def __init__(self, config: dict, uploads: dict | None = None):
        c = normalize(config)
        c["loss"] = "sparse_categorical_crossentropy"
        if c["batch"] == "stochastic":
            c["batch_size"] = 1
        self.config = c
        (self.f_train, self.y_train), (self.f_test, self.y_test) = mnist_arrays(c["samples"])
        n = len(self.f_train)
        self.batch_size = n if c["batch"] == "full" else min(c["batch_size"], n)
        self.model = build_model(c, 784, 10, "softmax", c["loss"])
        self._begin(c["seed"], c["step"])

    def meta(self) -> dict:
        digits = (self.f_test[:DIGITS] * 255).round().astype(np.uint8)
        import base64

        return {"config": self.config, "task": self.task, "classes": [str(d) for d in range(10)],
                "layers": [{"name": layer.name, "units": layer.units,
                            "activation": layer.activation.name} for layer in self.model.layers],
                "loss": self.config["loss"], "steps_per_epoch": self.steps_per_epoch,
                "batch_size": self.batch_size, "features": [],
                "digits": base64.b64encode(digits.tobytes()).decode("ascii"),
                "labels": self.y_test[:DIGITS].tolist(), "train_images": len(self.f_train),
                "test_images": len(self.f_test)}

    def frame(self, since: int = 0) -> dict:
        """The state, the first layer's weights as images, predictions and test accuracy."""
        first = self.model.layers[0]
        kernel = _finite(first.kernel[:, :FILTERS])
        scale = np.maximum(np.abs(kernel).max(axis=0), 1e-12)
        with np.errstate(all="ignore"):
            p = _finite(self.model.predict(self.f_test, batch_size=len(self.f_test), verbose=0))
        guess = p.argmax(axis=1)
        return {**self.state(), "history": self.history[since:],
                "history_size": len(self.history), "filter_layer": first.name,
                "filters": _bytes((kernel / scale).T.ravel()), "filter_scales": scale.tolist(),
                "accuracy": float((guess == self.y_test).mean()),
                "predictions": [[int(g), float(p[i, g])] for i, g in enumerate(guess[:DIGITS])]}
