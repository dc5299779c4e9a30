"""glassnet: neural networks from scratch on NumPy, every backpropagation step visible and checked."""

__version__ = "0.1.0"
