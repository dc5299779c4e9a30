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
# needs matplotlib only when it is touched, and `import glassnet` stays fast. A name whose
# module is not in this tree (yet) is simply not an attribute.
_LAZY = ("classic", "constraints", "data", "datasets", "ops", "plot", "regularizers")


def _lazy_available() -> list[str]:
    import importlib.util

    return [name for name in _LAZY if importlib.util.find_spec(f".{name}", __name__) is not None]


# Keras 3's top-level classes (keras.Layer, keras.Loss, ...): found in their module on first use,
# and missing attributes when this tree does not have them (yet).
_LAZY_CLASSES = {"Constraint": "constraints", "Initializer": "initializers", "Layer": "layers",
                 "Loss": "losses", "Metric": "metrics", "Optimizer": "optimizers",
                 "Regularizer": "regularizers"}


def _lazy_class(name: str):
    import importlib

    try:
        module = importlib.import_module(f".{_LAZY_CLASSES[name]}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{_LAZY_CLASSES[name]}":
            raise
        module = None
    if module is None or not hasattr(module, name):
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    return getattr(module, name)


def __getattr__(name: str):
    if name in _LAZY_CLASSES:
        return _lazy_class(name)
    if name in _LAZY:
        import importlib

        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # the module exists but something it imports does not
            raise AttributeError(f"module 'glassnet' has no attribute {name!r}") from None
        globals()[name] = module
        return module
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_lazy_available()})

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "callbacks",
    "classic",
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
    "optimizers",
    "plot",
    "set_kernels",
    "utils",
]
__all__ += [name for name in _lazy_available() if name not in __all__]
