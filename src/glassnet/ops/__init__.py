"""``glassnet.ops``: the NumPy-like functions of Keras 3's ``keras.ops``, with gradients.

Write custom losses, metrics and ``Lambda`` layers as Keras 3 code (``from glassnet import
ops`` in place of ``from keras import ops``). On NumPy arrays each function is NumPy: arrays
in, arrays out (NumPy's warnings too), nothing recorded. When glassnet needs a gradient (a
loss in ``fit``, a ``Lambda`` layer training) it passes a :class:`Tensor`, and every op
records itself with its backward (the vector-Jacobian product, written op by op in
:mod:`.elementwise`, :mod:`.reductions`, :mod:`.arrays`, :mod:`.nn`, :mod:`.extras`);
:func:`tensor.gradients` runs the record backwards. Comparisons, ``argmax``, ``one_hot``,
rounding have no gradient (they return NumPy arrays).

Example
-------
>>> import numpy as np
>>> from glassnet import ops
>>> def my_loss(y_true, y_pred):
...     return ops.mean(ops.square(y_true - y_pred), axis=-1)
>>> my_loss(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])).tolist()
[0.25]
>>> value, (grad,) = ops.tensor.value_and_grad(lambda p: my_loss(np.array([[1.0, 0.0]]), p),
...                                            np.array([[0.5, 0.5]]))
>>> grad.tolist()
[[-0.5, 0.5]]
"""

from __future__ import annotations

import sys

from . import arrays, elementwise, extras, nn, reductions, tensor
from .arrays import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .extras import *  # noqa: F403
from .nn import *  # noqa: F403
from .reductions import *  # noqa: F403
from .tensor import NumpyOnTensorError, Tensor

tensor._ops = sys.modules[__name__]

__all__ = ["NumpyOnTensorError", "Tensor", "arrays", "elementwise", "extras", "nn", "reductions",
           "tensor"]
__all__ += arrays.__all__
__all__ += elementwise.__all__
__all__ += extras.__all__
__all__ += nn.__all__
__all__ += reductions.__all__


def _wrap_for_graphs() -> None:
    """Every public op also takes symbolic tensors (a node of a functional model)."""
    from .functional import symbolic_aware

    namespace = globals()
    for name in __all__:
        value = namespace[name]
        if callable(value) and not isinstance(value, type) and \
                getattr(value, "__module__", "").startswith(__name__ + "."):
            namespace[name] = symbolic_aware(value)


_wrap_for_graphs()

