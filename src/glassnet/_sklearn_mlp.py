"""The machinery behind :mod:`glassnet.sklearn`: parameters, initialisation, the epoch loop.

scikit-learn's stochastic solver, step for step, with each step run by glassnet's engine
(``forward`` through the layers, each layer's ``backward``, a glassnet optimizer's ``step``).
See :mod:`glassnet.sklearn`.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
from scipy.special import xlogy
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches, shuffle
from sklearn.utils.validation import _num_samples, check_is_fitted

from . import optimizers
from ._blas import training_threads
from ._checks import boolean, number_in, positive_int
from .errors import ConfigError, DataError, TrainingDivergedError
from .layers import Dense
from .models import Sequential

#: scikit-learn's activation names -> glassnet's.
ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


_OUTPUT_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "softmax": "softmax",
                       "exp": "exponential"}


#: The glassnet loss ``model_`` is compiled with, for users who go on with glassnet's ``fit``
#: (glassnet has no Poisson loss, so 'exp' gets mse; see glassnet.sklearn's notes).
_GLASSNET_LOSSES = {"identity": "mse", "softmax": "categorical_crossentropy",
                    "logistic": "binary_crossentropy", "exp": "mse"}


def output_loss(out_activation: str, p: np.ndarray, y: np.ndarray,
                weights: np.ndarray | None = None) -> float:
    """scikit-learn's loss for its output: half squared error, half Poisson deviance (output
    'exp'), log loss, or binary log loss.

    The log losses clip probabilities to [eps, 1 - eps] and sum over the outputs, as does the
    Poisson deviance ``y log(y / p) - y + p``; all are averaged over the samples, weighted by
    ``weights`` if given (``np.average``, as scikit-learn does). In each case dL/dz at the
    output is ``w * (p - y) / sum(w)``.
    """
    if out_activation == "exp":
        deviance = xlogy(y, y / p) - y + p
        return float(np.average(deviance, weights=weights, axis=0).sum())
    if out_activation == "identity":
        squares = np.square(y - p)
        if weights is None:
            return float(squares.mean() / 2)
        return float(np.average(squares, weights=weights, axis=0).mean() / 2)
    eps = np.finfo(p.dtype).eps
    q = np.clip(p, eps, 1 - eps)
    terms = y * np.log(q)
    if out_activation == "logistic":
        terms += (1 - y) * np.log(1 - q)
    if weights is None:
        return float(-terms.sum() / len(p))
    return float(-np.average(terms, weights=weights, axis=0).sum())


def sample_weights(sample_weight, X) -> np.ndarray | None:
    """``sample_weight`` checked against ``X``: None, or one finite weight >= 0 per row.

    A number is the same weight for every row, as in scikit-learn. All-ones weights are the
    unweighted fit, so they return None and give it exactly.
    """
    if sample_weight is None:
        return None
    n = _num_samples(X)
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"sample_weight must be numbers, one per row of X; {exc}") from None
    if weights.ndim == 0:
        weights = np.full(n, weights)
    if weights.shape != (n,):
        raise DataError(f"sample_weight has shape {weights.shape} but X has {n} rows; "
                        f"pass a 1-d array of {n} weights")
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if len(bad):
        raise DataError(f"sample_weight[{bad[0]}] is {weights[bad[0]]}; every weight must be "
                        "a finite number >= 0")
    if not weights.any():
        raise DataError("sample_weight is all zero; at least one weight must be non-zero")
    return None if (weights == 1).all() else weights


def _validate_data(estimator, X, y="no_validation", reset=True, **kwargs):
    """scikit-learn's ``validate_data`` (1.6+), or the estimator method it replaced."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        return estimator._validate_data(X, y, reset=reset, **kwargs)
    return validate_data(estimator, X, y, reset=reset, **kwargs)


class _BaseMLP(BaseEstimator):
    """Parameters, validation and the training loop shared by both estimators."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate_init=0.001, max_iter=200,
                 shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change

    # -- fitted attributes read from the network ---------------------------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """The kernels, views of the network's weights: ``coefs_[i]`` has shape (in, out)."""
        return [layer.kernel for layer in self._fitted_model().layers]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The biases, views of the network's weights."""
        return [layer.bias for layer in self._fitted_model().layers]

    def _fitted_model(self) -> Sequential:
        model = self.__dict__.get("model_")
        if model is None:
            raise AttributeError(f"this {type(self).__name__} is not fitted yet; call fit first")
        return model

    def __sklearn_is_fitted__(self) -> bool:
        return "model_" in self.__dict__

    # -- parameters --------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        for size in sizes:
            positive_int(size, "parameter hidden_layer_sizes (each)")
        return [int(s) for s in sizes]

    def _check_params(self) -> None:
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            raise ConfigError(f"parameter activation must be one of {sorted(ACTIVATIONS)}, "
                              f"got {self.activation!r}")
        if not isinstance(self.solver, str) or self.solver not in ("sgd", "adam"):
            raise ConfigError(f"parameter solver must be 'sgd' or 'adam', got {self.solver!r}"
                              + ("; 'lbfgs' is not supported" if self.solver == "lbfgs" else ""))
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            positive_int(self.batch_size, "parameter batch_size")
        for name, low, high, low_open, high_open in (
                ("alpha", 0, math.inf, False, False),
                ("learning_rate_init", 0, math.inf, True, False),
                ("tol", 0, math.inf, False, False), ("momentum", 0, 1, False, False),
                ("validation_fraction", 0, 1, True, True), ("beta_1", 0, 1, False, True),
                ("beta_2", 0, 1, False, True), ("epsilon", 0, math.inf, True, False)):
            number_in(getattr(self, name), f"parameter {name}", low, high, low_open=low_open,
                      high_open=high_open)
        positive_int(self.max_iter, "parameter max_iter")
        positive_int(self.n_iter_no_change, "parameter n_iter_no_change")
        for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            boolean(getattr(self, name), f"parameter {name}")  # bool('no') is True

    def _make_optimizer(self) -> optimizers.Optimizer:
        if self.solver == "sgd":
            return optimizers.SGD(self.learning_rate_init, momentum=self.momentum,
                                  nesterov=bool(self.nesterovs_momentum and self.momentum))
        return optimizers.Adam(self.learning_rate_init, beta_1=self.beta_1, beta_2=self.beta_2,
                               epsilon=self.epsilon)

    # -- fitting -----------------------------------------------------------------------------
    def _fit(self, X, y, sample_weight, incremental: bool):
        self._check_params()
        sizes = self._hidden_sizes()
        first = "model_" not in self.__dict__ or not (self.warm_start or incremental)
        if self.early_stopping and incremental:
            raise ConfigError("partial_fit does not support early_stopping=True")
        weights = sample_weights(sample_weight, X)
        X, Y = self._validate_input(X, y, incremental, reset=first)
        self._random_state = check_random_state(self.random_state)
        if first:
            self._initialize(Y.shape[1], [X.shape[1], *sizes, Y.shape[1]], X.dtype)
        model = self.model_
        if not incremental or model.optimizer is None:
            model.compile(self._make_optimizer(), _GLASSNET_LOSSES[self.out_activation_])
        X = np.ascontiguousarray(X, dtype=model.dtype)
        _Epochs(self, model, (X, Y.astype(model.dtype), weights), incremental).run()
        return self

    def _initialize(self, n_outputs: int, units: list[int], dtype) -> None:
        self.n_iter_, self.t_, self.n_outputs_, self.n_layers_ = 0, 0, n_outputs, len(units)
        self.out_activation_ = self._output_activation()
        weights = []
        factor = 2.0 if self.activation == "logistic" else 6.0
        for fan_in, fan_out in itertools.pairwise(units):
            bound = np.sqrt(factor / (fan_in + fan_out))
            weights.append(self._random_state.uniform(-bound, bound, (fan_in, fan_out)))
            weights.append(self._random_state.uniform(-bound, bound, fan_out))
        self.model_ = _network(units, ACTIVATIONS[self.activation],
                               _OUTPUT_ACTIVATIONS[self.out_activation_], dtype)
        self.model_.set_weights(weights)
        self.loss_curve_, self._no_improvement_count = [], 0
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self._best_weights = self.model_.get_weights() if self.early_stopping else None

    def _batch_size(self, n: int) -> int:
        if self.batch_size == "auto":
            return min(200, n)
        if self.batch_size > n:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going "
                          "to be clipped", stacklevel=4)
        return int(np.clip(self.batch_size, 1, n))

    def _forward(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.model_.predict(X)

    # -- pickling: the network travels as weights and optimizer state ------------------------
    def __getstate__(self):
        state = dict(super().__getstate__())
        model = state.pop("model_", None)
        if model is not None:
            state["model_"] = {
                "units": [*model.input_shape, *(layer.units for layer in model.layers)],
                "activation": model.layers[0].activation.name, "dtype": model.dtype.name,
                "weights": model.get_weights(),
                "optimizer": None if model.optimizer is None else model.optimizer.get_config(),
                "optimizer_state": None if model.optimizer is None else
                model.optimizer.get_state()}
        return state

    def __setstate__(self, state):
        snapshot = state.pop("model_", None)
        super().__setstate__(state)
        if snapshot is not None:
            model = _network(snapshot["units"], snapshot["activation"],
                             _OUTPUT_ACTIVATIONS[self.out_activation_], snapshot["dtype"])
            model.set_weights(snapshot["weights"])
            if snapshot["optimizer"] is not None:
                model.compile(snapshot["optimizer"], _GLASSNET_LOSSES[self.out_activation_])
                model.optimizer.set_state(snapshot["optimizer_state"], model.params)
            self.model_ = model


def _network(units, activation: str, out_activation: str, dtype) -> Sequential:
    """Dense layers of ``units`` (inputs first); zero-initialised, the caller sets weights."""
    layer_list = [Dense(n, activation=activation if i < len(units) - 2 else out_activation,
                        kernel_initializer="zeros", input_shape=(units[0],) if i == 0 else None)
                  for i, n in enumerate(units[1:])]
    return Sequential(layer_list, dtype=dtype)


class _Epochs:
    """scikit-learn's stochastic solver loop, each step run by glassnet's engine."""

    def __init__(self, est, model, data, incremental):
        """``data`` is ``(X, Y, weights)``, ``weights`` None or one per row."""
        self.est, self.model, self.incremental = est, model, incremental
        self.X, self.Y, self.W = data
        self.X_val = self.y_val = self.w_val = None
        if est.early_stopping:
            self._hold_out(data)
        self.batch = est._batch_size(len(self.X))
        self.grad_buffer = np.empty((self.batch, self.Y.shape[1]), model.dtype)
        self.out_activation = est.out_activation_
        self.kernels = [(layer.kernel, layer.grads["kernel"]) for layer in model.layers]

    def _hold_out(self, data) -> None:
        """scikit-learn's early-stopping split; the weights (if any) are split with the rows."""
        est, Y = self.est, self.Y
        stratify = Y if isinstance(est, ClassifierMixin) and Y.shape[1] == 1 else None
        parts = train_test_split(*data[:2 if self.W is None else 3],
                                 random_state=est._random_state,
                                 test_size=est.validation_fraction, stratify=stratify)
        self.X, self.X_val, self.Y, Y_val = parts[:4]
        if self.W is not None:
            self.W, self.w_val = parts[4:]
        if len(self.X_val) < 2:
            raise ConfigError("The validation set is too small. Increase "
                              "'validation_fraction' or the size of your dataset.")
        self.y_val = est._decode(Y_val)

    def run(self) -> None:
        self.est.n_iter_ = 0
        with training_threads(self.model, self.batch):  # fit's BLAS policy, for the same reason
            self._epochs(np.arange(len(self.X)))
        if self.est.early_stopping:
            self.model.set_weights(self.est._best_weights)

    def _epochs(self, order: np.ndarray) -> None:
        est, n = self.est, len(self.X)
        try:
            for _ in range(est.max_iter):
                if est.shuffle:
                    order = shuffle(order, random_state=est._random_state)
                total = 0.0
                for part in gen_batches(n, self.batch):
                    rows = order[part] if est.shuffle else part
                    weights = None if self.W is None else self.W[rows]
                    total += (self.step(self.X[rows], self.Y[rows], weights)
                              * (part.stop - part.start))
                est.n_iter_ += 1
                est.loss_ = total / n
                est.t_ += n
                est.loss_curve_.append(est.loss_)
                if est.verbose:
                    print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
                if self.stalled() or self.incremental:
                    break
                if est.n_iter_ == est.max_iter:
                    warnings.warn(f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
                                  "reached and the optimization hasn't converged yet.",
                                  ConvergenceWarning, stacklevel=6)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=5)

    def step(self, xb, yb, wb) -> float:
        """One batch: glassnet's forward pass, the output error ``w * (p - y) / sum(w)``
        (``(p - y) / n`` unweighted) taken back through glassnet's layers, the L2 penalty
        (over ``sum(w)``, or n), one optimizer step."""
        model, n, alpha = self.model, len(xb), self.est.alpha
        total = n if wb is None else float(wb.sum())
        if not total:
            raise DataError(f"{type(self.est).__name__}: a batch of {n} rows at iteration "
                            f"{self.est.n_iter_ + 1} has only zero sample weights, so its "
                            "loss is undefined; use fewer zero weights or a larger batch_size")
        out = xb
        for layer in model.layers:
            out = layer.forward(out, True)
        loss = output_loss(self.out_activation, out, yb, wb)
        delta = np.subtract(out, yb, out=self.grad_buffer[:n])
        if wb is not None:
            delta *= wb[:, None]
        delta /= total
        grad = model.layers[-1].backward(delta, preactivation_grad=True)
        for layer in model._backward_chain:
            grad = layer.backward(grad)
        if alpha:
            squares = 0.0
            for kernel, grad in self.kernels:
                squares += float(np.vdot(kernel, kernel))
                grad += (alpha / total) * kernel
            loss += 0.5 * alpha * squares / total
        if not math.isfinite(loss):
            raise TrainingDivergedError(
                f"{type(self.est).__name__}: the loss became {loss} at iteration "
                f"{self.est.n_iter_ + 1}; scale the inputs or lower learning_rate_init")
        model.optimizer.step(model.params, model.grads)
        return loss

    def stalled(self) -> bool:
        """Update the no-improvement count as scikit-learn does; True when it says stop."""
        est = self.est
        if est.early_stopping:
            score = est._score_decoded(self.X_val, self.y_val, self.w_val)
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:f}")
            improved = score >= est.best_validation_score_ + est.tol
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_weights = self.model.get_weights()
        else:
            improved = est.loss_curve_[-1] <= est.best_loss_ - est.tol
            est.best_loss_ = min(est.best_loss_, est.loss_curve_[-1])
        est._no_improvement_count = 0 if improved else est._no_improvement_count + 1
        if est._no_improvement_count > est.n_iter_no_change:
            if est.verbose:
                what = "Validation score" if est.early_stopping else "Training loss"
                print(f"{what} did not improve more than tol={est.tol:f} for "
                      f"{est.n_iter_no_change} consecutive epochs. Stopping.")
            return True
        return False
