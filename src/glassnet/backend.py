"""The few ``keras.backend`` functions MLP scripts call: ``clear_session``, ``floatx``,
``epsilon``, ``backend``.

Example
-------
>>> from glassnet import backend, layers
>>> backend.clear_session()
>>> layers.Dense(2).name, backend.floatx(), backend.epsilon(), backend.backend()
('dense', 'float32', 1e-07, 'numpy')
"""

from __future__ import annotations

from .layers import layer as _layer
from .losses import EPSILON

__all__ = ["backend", "clear_session", "epsilon", "floatx"]


def clear_session() -> None:
    """Start layer and model names from scratch ('dense', 'dense_1', ...), as Keras does.

    glassnet keeps no other global graph state: models that exist go on working.
    """
    _layer._name_counters.clear()


def floatx() -> str:
    """The default float type of layers and models: 'float32'."""
    return "float32"


def epsilon() -> float:
    """The fuzz factor the losses clip probabilities with (Keras's 1e-7)."""
    return EPSILON


def backend() -> str:
    """The array library glassnet computes with."""
    return "numpy"
