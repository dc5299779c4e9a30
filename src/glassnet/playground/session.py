"""One run of the playground: its data, its glassnet model, the batches, and what the page draws.

Example
-------
>>> run = Run({"data": "xor", "hidden": [3], "seed": 1})
>>> run.train(5)["step"], run.layer_names
(5, ['h1', 'output'])
>>> chain = run.explain(weight="h1/kernel[0, 2]")
>>> chain["quantity"], chain["batch_rows"] == len(run.next_rows)
('h1/kernel[0, 2]', True)
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

import numpy as np

from .. import regularizers
from ..errors import ConfigError, GlassnetError, TrainingDivergedError
from . import data as pgdata
from .config import normalize, task_of

__all__ = ["Points", "Run", "Trainer", "build_model", "output_of"]

GRID = 32  # each neuron's picture, GRID x GRID
OUT_GRID = 64  # the output's heatmap; neurons' pictures are its 2x2 means
HISTORY = 2000  # loss points kept; older ones are thinned


@dataclass(frozen=True)
class Points:
    """A 2-D data set: points ``X`` (n, 2), targets ``y`` and the class names (None: regression)."""

    X: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...] | None
    names: tuple[str, str] = ("x1", "x2")
    target: str = "label"


def output_of(task: str, classes: int, loss: str) -> tuple[int, str, str]:
    """(units, activation, loss) of the output layer for a task and the loss asked for."""
    if task == "regression":
        return 1, "linear", "mse"
    if task == "multiclass":
        return classes, "softmax", "sparse_categorical_crossentropy"
    return 1, "sigmoid", "mse" if loss == "mse" else "binary_crossentropy"


def _regularizer(c):
    if c["reg"] == "none" or c["reg_rate"] == 0:
        return {}
    return {"kernel_regularizer": getattr(regularizers, c["reg"].upper())(c["reg_rate"])}


def build_model(c: dict, n_inputs: int, units: int, activation: str, loss: str):
    """The run's compiled model, its weights drawn from ``set_random_seed(c['seed'])``."""
    import glassnet
    from glassnet.layers import Dense

    glassnet.utils.set_random_seed(c["seed"])
    extra = _regularizer(c)
    layers = [Dense(n, activation=c["activation"], kernel_initializer=c["init"], name=f"h{i + 1}",
                    **({"input_shape": (n_inputs,)} if i == 0 else {}), **extra)
              for i, n in enumerate(c["hidden"])]
    layers.append(Dense(units, activation=activation, kernel_initializer=c["init"], name="output",
                        **({} if c["hidden"] else {"input_shape": (n_inputs,)}), **extra))
    model = glassnet.Sequential(layers, name="playground", dtype="float64")
    optimizer = {"sgd": glassnet.optimizers.SGD, "adam": glassnet.optimizers.Adam,
                 "rmsprop": glassnet.optimizers.RMSprop}[c["optimizer"]]
    model.compile(optimizer(learning_rate=c["lr"]), loss)
    return model


def _finite(values: np.ndarray) -> np.ndarray:
    """What the page can draw of values that may have overflowed: NaN as 0, inf as +-1e300."""
    values = np.asarray(values)
    if values.size == 0 or (np.isfinite(values.min()) and np.isfinite(values.max())):
        return values  # min and max carry NaN and inf through: two passes, no temporary
    return np.nan_to_num(values, nan=0.0, posinf=1e300, neginf=-1e300)


def _bytes(values: np.ndarray) -> str:
    """Values in [-1, 1] as base64 bytes 0..255 (the page's colour scale)."""
    return base64.b64encode(np.clip(np.rint((_finite(values) + 1) * 127.5), 0, 255)
                            .astype(np.uint8).tobytes()).decode("ascii")


def _grid(bounds, n: int) -> np.ndarray:
    """Pixel centres, row by row from the top (x2 high) and left to right (x1 low to high)."""
    x1 = bounds[0] + (np.arange(n) + 0.5) / n * (bounds[1] - bounds[0])
    x2 = bounds[3] - (np.arange(n) + 0.5) / n * (bounds[3] - bounds[2])
    a, b = np.meshgrid(x1, x2)
    return np.column_stack([a.ravel(), b.ravel()])


def _scaled(values: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Each column divided by max(1, its largest magnitude); the scales."""
    values = _finite(values)
    scale = np.maximum(1.0, np.abs(values).max(axis=0)) if len(values) else np.ones(
        values.shape[1])
    return values / scale, [float(s) for s in scale]


class Trainer:
    """What every run shares: the batch stream, training, losses, history and explain.

    A subclass sets ``model``, ``f_train``/``y_train``/``f_test``/``y_test``, ``batch_size``
    and ``seed`` and then calls :meth:`_begin`.
    """

    def _begin(self, seed: int, steps: int) -> None:
        self.steps_per_epoch = math.ceil(len(self.f_train) / self.batch_size)
        self._stream = pgdata.batches(len(self.f_train), self.batch_size, seed)
        self.next_rows = next(self._stream)
        self.step = 0
        self.diverged = ""
        self.history: list[tuple[int, float | None, float | None]] = []
        self.train(steps, record_every=max(1, steps // 200))

    def train(self, steps: int, record_every: int = 0) -> dict:
        """Train ``steps`` batches (``train_on_batch``); the new state (see :meth:`state`).

        Once a step diverges, the run refuses to go on (its weights may have overflowed)."""
        if self.diverged:
            raise TrainingDivergedError(f"playground: this run diverged ({self.diverged}); "
                                        "lower the learning rate and press reset")
        for i in range(int(steps)):
            rows = self.next_rows
            try:
                self.model.train_on_batch(self.f_train[rows], self.y_train[rows])
            except TrainingDivergedError as exc:
                self.diverged = f"at step {self.step + 1}: {exc}"
                raise
            self.next_rows = next(self._stream)
            self.step += 1
            if record_every and (i + 1) % record_every == 0:
                self._record()
        return self.state()

    def train_epoch(self) -> dict:
        """Train up to the end of this epoch."""
        return self.train(self.steps_per_epoch - self.step % self.steps_per_epoch)

    def losses(self) -> tuple[float | None, float | None]:
        """Training and test loss; None where the model's outputs overflowed."""
        out = []
        for f, y in ((self.f_train, self.y_train), (self.f_test, self.y_test)):
            try:
                value = float(self.model.evaluate(f, y, batch_size=len(f), verbose=0))
            except GlassnetError:
                value = math.inf
            out.append(value if math.isfinite(value) else None)
        return tuple(out)

    def _record(self):
        if self.history and self.history[-1][0] == self.step:
            return self.history[-1][1:]
        train, test = self.losses()
        self.history.append((self.step, train, test))
        if len(self.history) > HISTORY:
            self.history = self.history[::2]
        return train, test

    def state(self) -> dict:
        """Step, epoch and losses (recorded in the history)."""
        train, test = self._record()
        return {"step": self.step, "epoch": self.step // self.steps_per_epoch,
                "train_loss": train, "test_loss": test}

    def explain(self, weight=None, neuron=None) -> dict:
        """``glassnet.explain`` of one weight, bias or neuron on the next batch to train."""
        import glassnet

        rows = self.next_rows
        chain = glassnet.explain(self.model, self.f_train[rows], self.y_train[rows],
                                 weight=weight, neuron=neuron)
        update = None if chain.update is None else {
            "old": chain.update.old, "gradient": chain.update.gradient,
            "new": chain.update.new}
        return {"quantity": chain.quantity, "text": str(chain), "value": chain.value,
                "per_sample": list(chain.per_sample), "update": update, "step": self.step,
                "batch_rows": len(rows)}


class Run(Trainer):
    """One run: ``config`` (see :mod:`.config`) and the uploads it may name (hash -> Points)."""

    def __init__(self, config: dict, uploads: dict | None = None):
        c = normalize(config)
        self.points = self._points(c, uploads or {})
        k = None if self.points.classes is None else len(self.points.classes)
        self.task = task_of(c["data"], k)
        if self.task == "images":
            raise ConfigError("playground: mnist is drawn by the MNIST view")
        units, activation, c["loss"] = output_of(self.task, k or 2, c["loss"])
        if c["batch"] == "stochastic":
            c["batch_size"] = 1
        self.config = c
        (xr, yr), (xt, yt) = pgdata.split(self.points.X, self.points.y, c["train"], c["seed"])
        self.x_train, self.x_test = xr, xt
        self.f_train, self.f_test = (pgdata.features(v, c["features"]) for v in (xr, xt))
        self.y_train, self.y_test = (self._targets(v) for v in (yr, yt))
        self.batch_size = len(xr) if c["batch"] == "full" else min(c["batch_size"], len(xr))
        self.model = build_model(c, len(c["features"]), units, activation, c["loss"])
        self.layer_names = [layer.name for layer in self.model.layers]
        self.bounds = pgdata.domain(c["data"], self.points.X)
        self._grids = {n: pgdata.features(_grid(self.bounds, n), c["features"])
                       for n in (GRID, OUT_GRID)}
        self._begin(c["seed"], c["step"])

    @staticmethod
    def _points(c, uploads) -> Points:
        name = c["data"]
        if name.startswith("csv:"):
            if name[4:] not in uploads:
                raise ConfigError(f"playground: the uploaded file {name[4:]!r} is not on this "
                                  "server (uploads live until it stops); upload it again")
            return uploads[name[4:]]
        X, y = pgdata.make_data(name, c["samples"], c["noise"], c["seed"])
        classes = None if name in pgdata.REGRESS else ("0", "1")
        return Points(X, y, classes)

    def _targets(self, y):
        if self.task == "multiclass":
            return y.astype(np.int64)
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)

    def _activations(self, n: int) -> list[np.ndarray]:
        out, a = [], self._grids[n]
        with np.errstate(all="ignore"):  # a diverged run's pictures are drawn, not refused
            for layer in self.model.layers:
                a = np.asarray(layer(a))
                out.append(a)
        return out

    def frame(self, since: int = 0) -> dict:
        """What the page draws: the state, the history from ``since``, weights and pictures."""
        fine = [_finite(a) for a in self._activations(OUT_GRID)]  # the heatmap and each neuron
        if self.task != "regression":
            fine[-1] = 2 * fine[-1] - 1
        output, out_scales = _scaled(fine[-1]) if self.task == "regression" else (fine[-1], [1.0])
        every = np.hstack(fine).reshape(GRID, 2, GRID, 2, -1).mean(axis=(1, 3))
        pictures, scales = _scaled(every.reshape(GRID * GRID, -1))
        out_scale = out_scales[0]
        weights = [{"kernel": _finite(layer.kernel).tolist(),
                    "bias": _finite(layer.bias).tolist()} for layer in self.model.layers]
        return {**self.state(), "history": self.history[since:], "history_size": len(
            self.history), "weights": weights, "neurons": _bytes(pictures.T.ravel()),
            "scales": scales, "output": _bytes(output.T.ravel()), "output_scale": out_scale}

    def meta(self) -> dict:
        """What stays fixed during the run: settings, layers, points and the input pictures."""
        c, p = self.config, self.points
        inputs, scales = _scaled(self._grids[GRID])

        def points(X, y):
            return np.column_stack([X, np.asarray(y, dtype=np.float64).reshape(len(X), -1)[:, :1]
                                    ]).round(4).tolist()
        return {"config": c, "task": self.task, "classes": p.classes, "bounds": self.bounds,
                "features": c["features"], "input_pictures": _bytes(inputs.T.ravel()),
                "input_scales": scales, "grid": GRID, "out_grid": OUT_GRID,
                "layers": [{"name": layer.name, "units": layer.units,
                            "activation": layer.activation.name} for layer in self.model.layers],
                "loss": c["loss"], "steps_per_epoch": self.steps_per_epoch,
                "batch_size": self.batch_size, "train": points(self.x_train, self.y_train),
                "test": points(self.x_test, self.y_test)}
