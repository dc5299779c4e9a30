"""Pictures of training: the loss curve, a grid of digits, decision boundaries, a confusion
matrix, the network itself, and ``watch`` to see a decision boundary move while ``fit`` runs.

Every function returns a matplotlib Figure that Jupyter shows by itself, in the cell that made
it, whether or not it is assigned to a name (no ``%matplotlib`` magic); scripts stay headless.
Each takes ``ax=`` (draw into your own axes), ``title``, ``figsize`` and, with ``path``, saves by
the file's extension (png, svg, pdf...; ``dpi`` for bitmaps). Sizes and text follow matplotlib's
rcParams and style sheets. ``font='NanumGothic'`` (or any installed family) draws Korean labels;
without one, labels a font cannot draw raise a warning that names the font and what to install.
matplotlib is imported only when a function is called (``pip install "glassnet[plot]"``).

Example
-------
>>> from glassnet import plot
>>> fig = plot.plot_history({"loss": [0.9, 0.5, 0.3], "val_loss": [1.0, 0.7, 0.6]})
>>> [ax.get_title() for ax in fig.axes], [line.get_label() for line in fig.axes[0].lines]
(['loss'], ['train', 'validation'])
"""

from __future__ import annotations

from ._curves import image_grid, plot_history
from ._figure import cjk_fonts
from ._models import NEGATIVE, POSITIVE, confusion_matrix, decision_boundary, plot_network
from ._watch import Watch, watch

__all__ = ["NEGATIVE", "POSITIVE", "Watch", "cjk_fonts", "confusion_matrix", "decision_boundary",
           "image_grid", "plot_history", "plot_network", "watch"]
