"""The seeds' own teaching APIs, with their names and call shapes, on glassnet's engine.

- :class:`MLP` (seed 000): ``forward_propagate``, ``back_propagate``, ``gradient_descent``,
  ``train``.
- :class:`NeuralNetwork` (seed 001): ``train`` and ``query`` with fixed biases.
- :class:`Perceptron` and :class:`TwoLayerPerceptron` (seed 004): logic gates and XOR.
- :class:`ANN` (seed 004): a network built call by call and trained an epoch per ``run``.
- :mod:`~glassnet.classic.rowlist` (seed 002): the row-list network under the seed's names
  (``initialize_network``, ``transfer``, ``activate``, ``feedforward``, ``transfer_derivative``,
  ``backprop_error``, ``update_weights``, ``train_network``, ``predict``, ``load_csv``,
  ``str_to_float``, ``str_to_int``, ``back_propagation``) and its cross-validation helpers
  (``evaluate_algorithm``, ...); the other tutorial's names (``backward_propagate_error``,
  ``str_column_to_float``, ...) stay as aliases.

Example
-------
>>> from glassnet.classic import MLP, NeuralNetwork, Perceptron, ANN, initialize_network
>>> MLP(2, [5], 1, seed=0).weights[0].shape
(2, 5)
"""

from . import rowlist
from ._seed002 import *  # noqa: F403  (seed 002's helper names)
from ._seed002 import __all__ as _seed002_names
from .ann import ANN
from .mlp import MLP
from .perceptron import Perceptron, TwoLayerPerceptron
from .rowlist import *  # noqa: F403  (the seed's function names, listed in rowlist.__all__)
from .worked import NeuralNetwork

__all__ = ["ANN", "MLP", "NeuralNetwork", "Perceptron", "TwoLayerPerceptron", "rowlist",
           *rowlist.__all__, *_seed002_names]
