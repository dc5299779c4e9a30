"""glassnet: neural networks from scratch on NumPy, every backpropagation step visible and checked.

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> glassnet.utils.set_random_seed(1)
>>> model = glassnet.Sequential([Dense(4, activation="tanh", input_shape=(2,)),
...                              Dense(1, activation="sigmoid")])
>>> model.compile(glassnet.optimizers.SGD(0.5, momentum=0.9), "binary_crossentropy")
>>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([0, 1, 1, 0])
>>> history = model.fit(x, y, epochs=300, batch_size=4, verbose=0, seed=1)
>>> model.predict(x).round().ravel().tolist()
[0.0, 1.0, 1.0, 0.0]
"""

from . import (
    activations,
    backend,
    callbacks,
    errors,
    initializers,
    kernels,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    utils,
)
from .explain import explain
from .gradcheck import gradcheck
from .kernels import set_kernels
from .layers import Input
from .models import Model, Sequential

__version__ = "0.1.0"

# Imported on first use, as Keras makes keras.datasets available after `import keras`: plot
# needs matplotlib only when it is touched, and `import glassnet` stays fast.
_LAZY = ("classic", "constraints", "data", "datasets", "ops", "playground", "plot",
         "regularizers")

# Keras 3's top-level classes (keras.Layer, keras.Loss, ...), found in their module on first use.
_LAZY_CLASSES = {"Constraint": "constraints", "Initializer": "initializers", "Layer": "layers",
                 "Loss": "losses", "Metric": "metrics", "Optimizer": "optimizers",
                 "Regularizer": "regularizers"}


def __getattr__(name: str):
    import importlib

    if name in _LAZY_CLASSES:
        return getattr(importlib.import_module(f".{_LAZY_CLASSES[name]}", __name__), name)
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_LAZY_CLASSES})


__all__ = [
    "Input",
    "Model",
    "Sequential",
    *_LAZY_CLASSES,
    "activations",
    "backend",
    "callbacks",
    "classic",
    "constraints",
    "data",
    "datasets",
    "errors",
    "explain",
    "gradcheck",
    "initializers",
    "kernels",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "playground",
    "plot",
    "regularizers",
    "set_kernels",
    "utils",
]
