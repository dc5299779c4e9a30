"""``plot.watch(model, (x, y))``: a callback that redraws the decision boundary and the loss
while ``fit`` runs, live in a notebook, and writes the run as a GIF (Pillow) or MP4 (ffmpeg).

Example
-------
>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> glassnet.utils.set_random_seed(0)
>>> m = glassnet.Sequential([Dense(4, activation="tanh", input_shape=(2,), name="w_h"),
...                          Dense(1, activation="sigmoid", name="w_o")])
>>> m.compile(glassnet.optimizers.SGD(0.5), "binary_crossentropy")
>>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([0, 1, 1, 0])
>>> w = watch(m, (x, y), every=5, resolution=20)
>>> m.fit(x, y, epochs=10, batch_size=4, verbose=0, callbacks=[w]) and w.frames
2
"""

from __future__ import annotations

from .._checks import positive_int
from ..callbacks import Callback
from ..errors import ConfigError
from ._curves import draw_history
from ._figure import _kernel_shell, file_path, finish, new_axes
from ._models import _points, draw_boundary

__all__ = ["Watch", "watch"]


class Watch(Callback):
    """The callback :func:`watch` returns; ``fig`` is its figure, ``frames`` the frames drawn."""

    def __init__(self, model, data, every: int = 1, path=None, fps: int = 5,
                 resolution: int = 60, figsize=None, dpi=None, font=None, live=None):
        super().__init__()
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ConfigError("watch: data must be (x, y), the two-input points to draw")
        self.watched, self.x, self.y = model, _points(data[0]), data[1]
        self.every = positive_int(every, "watch: every")
        self.fps = positive_int(fps, "watch: fps")
        self.resolution = positive_int(resolution, "watch: resolution", minimum=2)
        self.path = None if path is None else file_path(path, "watch")
        if self.path is not None and self.path.suffix.lower() not in (".gif", ".mp4"):
            raise ConfigError(f"watch: path {self.path} must end in .gif (Pillow) or .mp4 "
                              "(ffmpeg)")
        self.dpi, self.font, self.live = dpi, font, live
        self.fig, (self.board, self.curve) = new_axes(None, 2, (0.7, 0.8), figsize, track=False,
                                                      where="watch")
        self.fig.glassnet_shown = True  # shown (and updated) by the callback itself
        self.frames, self.losses, self._writer, self._handle = 0, {}, None, None

    def on_train_begin(self, logs=None):
        if self.path is not None:
            from matplotlib import animation

            writer = animation.PillowWriter if self.path.suffix.lower() == ".gif" else \
                animation.FFMpegWriter
            if not writer.isAvailable():
                raise ConfigError(f"watch: cannot write {self.path}: {writer.__name__} is not "
                                  "available (GIF needs Pillow, MP4 needs ffmpeg)")
            self._writer = writer(fps=self.fps)
            self._writer.setup(self.fig, str(self.path), dpi=self.dpi or self.fig.dpi)
        live = _kernel_shell() is not None if self.live is None else self.live
        if live:
            from IPython.display import display

            self._handle = display(self.fig, display_id=True)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if key == "loss" or key == "val_loss":
                self.losses.setdefault(key, []).append(float(value))
        if (epoch + 1) % self.every == 0:
            self.draw(epoch + 1)

    def draw(self, epoch: int) -> None:
        """Redraw both panels for ``epoch`` and hand the frame on."""
        self.board.clear()
        for extra in self.fig.axes[2:]:  # a colorbar of an earlier frame
            extra.remove()
        draw_boundary(self.board, self.watched, self.x, self.y, self.resolution, colorbar=False)
        self.board.set_title(f"{self.watched.name}, epoch {epoch}")
        if self.losses:
            draw_history([self.curve], self.losses, ["loss"])
        finish(self.fig, font=self.font, where="watch")
        self.frames += 1
        if self._writer is not None:
            self._writer.grab_frame()
        if self._handle is not None:
            self._handle.update(self.fig)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.finish()
            self._writer = None


def watch(model, data, every: int = 1, path=None, **options) -> Watch:
    """A callback for ``fit(callbacks=[...])`` that redraws the decision boundary and the
    loss every ``every`` epochs: live in a Jupyter notebook, and into ``path`` (``.gif`` with
    Pillow, ``.mp4`` with ffmpeg) at ``fps`` frames a second. ``resolution``, ``figsize``,
    ``dpi``, ``font`` and ``live`` (force or stop the notebook display) are options.
    """
    return Watch(model, data, every, path, **options)
