"""glassnet's one family of exceptions.

Every error glassnet raises on purpose is a :class:`GlassnetError`. Each subclass also derives
from the built-in exception a Python user would expect (``ValueError``, ``TypeError``, ...), so
``except ValueError`` keeps working. A message says where (argument, layer, row, file:line:column),
what was expected, what was found, and what to do.

Example
-------
>>> from glassnet.errors import GlassnetError, DataError
>>> issubclass(DataError, ValueError) and issubclass(DataError, GlassnetError)
True
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "FileFormatError",
    "FileSystemError",
    "GlassnetError",
    "GradientCheckError",
    "NotCompiledError",
    "NotFittedError",
    "ShapeError",
    "TrainingDivergedError",
]


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class ConfigError(GlassnetError, ValueError):
    """An argument or identifier that glassnet cannot use (unknown name, out-of-range value)."""


class DataError(GlassnetError, ValueError):
    """Input data that cannot be used: NaN, wrong labels, empty, mismatched lengths, bad dtype."""


class ShapeError(DataError):
    """An array whose shape does not fit a layer, a loss or another array."""


class NotCompiledError(GlassnetError, RuntimeError):
    """A model used for training or evaluation before ``compile``."""


class NotFittedError(GlassnetError, ValueError, AttributeError):
    """A transformer (a scaler) used before ``fit``; like scikit-learn's ``NotFittedError``."""


class FileFormatError(GlassnetError, ValueError):
    """A file that is missing, malformed or fails an integrity check."""


class FileSystemError(GlassnetError, OSError):
    """The operating system refused a file operation (read-only or full file system, a name too
    long, no permission); the message names the path and what to do. Nothing was half-written."""


class GradientCheckError(GlassnetError, AssertionError):
    """Analytic and finite-difference gradients disagree beyond the tolerance."""


class TrainingDivergedError(GlassnetError, FloatingPointError):
    """The loss became NaN or infinite during training."""


class TrainingStopped(UserWarning):
    """A warning: training ended early, because the loss diverged or it was interrupted."""
