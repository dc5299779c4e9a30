"""scikit-learn's stochastic solvers ('sgd', 'adam'), epoch for epoch, on glassnet's engine.

The epoch loop, the early-stopping split, the no-improvement count and the learning-rate
schedules ('constant', 'invscaling', 'adaptive' with ``power_t``) follow scikit-learn's
``_fit_stochastic`` and ``SGDOptimizer``; each step is :func:`._helpers.backprop` then the
glassnet optimizer's update. A loss that turns non-finite does not stop training (scikit-learn
goes on too); ``fit`` checks the weights at the end.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import gen_batches, shuffle

from ..errors import ConfigError
from ._helpers import backprop, warn_at_caller


def iteration_ends(est, optimizer) -> None:
    """'invscaling': the rate for the next epoch is ``learning_rate_init / (t_ + 1)**power_t``
    (scikit-learn's ``SGDOptimizer.iteration_ends``; SGD only, as there)."""
    if est.solver == "sgd" and est.learning_rate == "invscaling":
        optimizer.learning_rate = float(est.learning_rate_init) / (est.t_ + 1) ** est.power_t


def trigger_stopping(est, optimizer, message: str) -> bool:
    """scikit-learn's ``trigger_stopping``: stop, unless 'adaptive' SGD can divide its rate by
    5 (it stops once the rate is at most 1e-6)."""
    if est.solver != "sgd" or est.learning_rate != "adaptive":
        verdict = " Stopping."
    elif optimizer.learning_rate <= 1e-6:
        verdict = " Learning rate too small. Stopping."
    else:
        optimizer.learning_rate /= 5.0
        verdict = None
    if est.verbose:
        print(message + (verdict or f" Setting learning rate to {optimizer.learning_rate:f}"))
    return verdict is not None


class Epochs:
    """scikit-learn's stochastic solver loop, each step run by glassnet's engine."""

    def __init__(self, est, engine, data, incremental):
        """``data`` is ``(X, Y, weights)``, ``weights`` None or one per row."""
        self.est, self.engine, self.incremental = est, engine, incremental
        self.X, self.Y, self.W = data
        self.X_val = self.y_val = self.w_val = None
        if est.early_stopping:
            self._hold_out(data)
        self.batch = est._batch_size(self.X.shape[0])

    def _hold_out(self, data) -> None:
        """scikit-learn's early-stopping split (stratified by the binarized labels, as bools,
        for single-output classifiers); the weights (if any) are split with the rows."""
        est, Y = self.est, self.Y
        stratify = (Y.astype(bool) if isinstance(est, ClassifierMixin) and Y.shape[1] == 1
                    else None)
        parts = train_test_split(*data[:2 if self.W is None else 3],
                                 random_state=est._random_state,
                                 test_size=est.validation_fraction, stratify=stratify)
        self.X, self.X_val, self.Y, Y_val = parts[:4]
        if self.W is not None:
            self.W, self.w_val = parts[4:]
        if self.X_val.shape[0] < 2:
            raise ConfigError("The validation set is too small. Increase "
                              "'validation_fraction' or the size of your dataset.")
        self.y_val = est._decode(Y_val)

    def run(self) -> None:
        self.est.n_iter_ = 0
        with self.engine.training(self.batch):
            self._epochs(np.arange(self.X.shape[0]))
        if self.est.early_stopping:
            self.engine.model.set_weights(self.est._best_weights)

    def _epochs(self, order: np.ndarray) -> None:
        est, n = self.est, self.X.shape[0]
        optimizer = self.engine.model.optimizer
        try:
            for _ in range(est.max_iter):
                if est.shuffle:
                    order = shuffle(order, random_state=est._random_state)
                total = np.float64(0.0)  # loss_ and loss_curve_ are np.float64 there
                for part in gen_batches(n, self.batch):
                    rows = order[part] if est.shuffle else part
                    weights = None if self.W is None else self.W[rows]
                    loss = backprop(est, self.engine, self.X[rows], self.Y[rows], weights)
                    self.engine.step()
                    total += loss * (part.stop - part.start)
                est.n_iter_ += 1
                est.loss_ = total / n
                est.t_ += n
                est.loss_curve_.append(est.loss_)
                if est.verbose:
                    print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
                self.count_no_improvement()
                iteration_ends(est, optimizer)
                if est._no_improvement_count > est.n_iter_no_change:
                    if trigger_stopping(est, optimizer, self._stall_message()):
                        break
                    est._no_improvement_count = 0
                if self.incremental:
                    break
                if est.n_iter_ == est.max_iter:
                    warn_at_caller(f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                                   "reached and the optimization hasn't converged yet.",
                                   ConvergenceWarning)
        except KeyboardInterrupt:
            warn_at_caller("Training interrupted by user.")

    def _stall_message(self) -> str:
        est = self.est
        what = "Validation score" if est.early_stopping else "Training loss"
        return (f"{what} did not improve more than tol={est.tol:f} for "
                f"{est.n_iter_no_change:.0f} consecutive epochs.")

    def count_no_improvement(self) -> None:
        """scikit-learn's ``_update_no_improvement_count``, comparisons as written there (a
        NaN score or loss resets the count)."""
        est = self.est
        if est.early_stopping:
            score = est._score_decoded(self.X_val, self.y_val, self.w_val)
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:f}")
            if score < est.best_validation_score_ + est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_weights = self.engine.model.get_weights()
        else:
            loss = est.loss_curve_[-1]
            if loss > est.best_loss_ - est.tol:
                est._no_improvement_count += 1
            else:
                est._no_improvement_count = 0
            if loss < est.best_loss_:
                est.best_loss_ = loss
