"""Callbacks that watch a logged quantity: EarlyStopping and ReduceLROnPlateau (ModelCheckpoint,
in :mod:`glassnet._callbacks_checkpoint`, uses the same rules).

They follow Keras 3's ``MonitorCallback`` rules: ``mode='auto'`` minimises losses and errors and
maximises accuracies; an improvement must beat the best value by more than ``min_delta``.
Import them from :mod:`glassnet.callbacks`.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ._checks import boolean, number_in, positive_int
from .callbacks import Callback
from .errors import ConfigError

_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1")
_LOWER_IS_BETTER = ("loss", "error", "crossentropy", "mse", "mae")


class _MonitorCallback(Callback):
    """Shared by the callbacks that watch ``monitor`` and ask whether it improved."""

    def __init__(self, monitor: str, mode: str, min_delta: float):
        super().__init__()
        if not isinstance(mode, str) or mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode {mode!r} is unknown, fallback to auto "
                          "mode.", stacklevel=3)
            mode = "auto"
        kind = type(self).__name__
        if not isinstance(monitor, str):
            raise ConfigError(f"{kind}: monitor must be the name of a logged value such as "
                              f"'val_loss', got {monitor!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) \
                or not math.isfinite(min_delta):
            raise ConfigError(f"{kind}: min_delta must be a finite number, got {min_delta!r}")
        self.monitor, self.mode = monitor, mode
        self.min_delta = abs(min_delta)
        self.best = None
        self._higher_is_better: bool | None = None

    def _direction(self) -> bool:
        """True when larger values of ``monitor`` are better (Keras's ``mode='auto'`` rule)."""
        if self.mode != "auto":
            return self.mode == "max"
        name = self.monitor.removeprefix("val_")
        if name == "loss" or any(k in name for k in _LOWER_IS_BETTER):
            return False
        if any(k in name for k in _HIGHER_IS_BETTER):
            return True
        raise ConfigError(f"{type(self).__name__}: cannot tell whether monitor="
                          f"{self.monitor!r} should go up or down; pass mode='max' or mode='min'")

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if self._higher_is_better is None:
            self._higher_is_better = self._direction()
        if reference is None:
            return True
        if self._higher_is_better:
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def _current(self, logs, what: str) -> float | None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs or {})}",
                          stacklevel=3)
        return value


class EarlyStopping(_MonitorCallback):
    """Stop training when ``monitor`` has stopped improving, exactly as Keras 3 does.

    ``wait`` counts epochs since the last improvement (by more than ``min_delta``); training
    stops once ``wait >= patience`` (never after the first epoch). With
    ``restore_best_weights=True`` the model ends with the weights of ``best_epoch``, whether
    or not training stopped early. Epochs before ``start_from_epoch`` are ignored; with a
    ``baseline``, ``wait`` is reset only by values that also beat the baseline.

    Example
    -------
    >>> import numpy as np, glassnet
    >>> from glassnet.layers import Dense
    >>> model = glassnet.Sequential([Dense(1, input_shape=(2,), name="es_dense")])
    >>> model.compile(glassnet.optimizers.SGD(1e-9), "mse")
    >>> stop = EarlyStopping(monitor="loss", patience=2)
    >>> history = model.fit(np.ones((4, 2)), np.ones(4), epochs=50, callbacks=[stop], verbose=0)
    >>> stop.stopped_epoch < 49
    True
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__(monitor, mode, min_delta)
        positive_int(patience, "EarlyStopping: patience", minimum=0)
        positive_int(start_from_epoch, "EarlyStopping: start_from_epoch", minimum=0)
        _verbosity(verbose, "EarlyStopping")
        boolean(restore_best_weights, "EarlyStopping: restore_best_weights")
        if baseline is not None:
            number_in(baseline, "EarlyStopping: baseline", -math.inf)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best = self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = self._current(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(_MonitorCallback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    After a reduction, ``cooldown`` epochs pass before waiting starts again; the rate never
    goes below ``min_lr``. Logs the current ``learning_rate`` each epoch (Keras's behaviour).

    Example
    -------
    >>> cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
    >>> cb.factor, cb.min_delta
    (0.5, 0.0001)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        if "epsilon" in kwargs:  # Keras 2's name for min_delta (Keras 3 ignores it)
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise ConfigError(f"ReduceLROnPlateau: unknown arguments {sorted(kwargs)}")
        super().__init__(monitor, mode, min_delta)
        positive_int(patience, "ReduceLROnPlateau: patience", minimum=0)
        positive_int(cooldown, "ReduceLROnPlateau: cooldown", minimum=0)
        _verbosity(verbose, "ReduceLROnPlateau")
        number_in(min_lr, "ReduceLROnPlateau: min_lr", 0)
        if isinstance(factor, numbers.Real) and not isinstance(factor, bool) and factor >= 1.0:
            raise ConfigError(f"ReduceLROnPlateau: factor must be below 1.0, got {factor!r}")
        number_in(factor, "ReduceLROnPlateau: factor", 0, 1, low_open=min_lr == 0,
                  high_open=True)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self.cooldown_counter = self.wait = 0

    def on_train_begin(self, logs=None):
        self.best, self.cooldown_counter, self.wait = None, 0, 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self._current(logs, "Learning rate reduction")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch) -> bool:
        optimizer = self.model.optimizer
        old = float(optimizer.learning_rate)
        if old <= self.min_lr:
            return False
        optimizer.learning_rate = max(old * self.factor, self.min_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                  f"{optimizer.learning_rate}.")
        return True


def _verbosity(verbose, kind: str) -> None:
    if isinstance(verbose, bool) or not isinstance(verbose, numbers.Integral):
        raise ConfigError(f"{kind}: verbose must be 0 or 1, got {verbose!r}")
