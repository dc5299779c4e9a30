"""The estimator behind :mod:`glassnet.sklearn`: parameters, initialisation, fitting.

``fit`` validates, builds (or keeps) the network, then hands it to scikit-learn's stochastic
loop (:mod:`._sgd`) or to L-BFGS (:mod:`._lbfgs`); every pass over the network goes through
:class:`._engine.Engine`. See :mod:`glassnet.sklearn`.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .. import optimizers
from .._checks import boolean, number_in, positive_int
from ..errors import ConfigError, DataError, ShapeError
from ..layers import Dense
from ..models import Sequential
from . import _engine, _lbfgs
from ._engine import Engine
from ._helpers import sample_weights, validate_data, warn_at_caller
from ._sgd import Epochs

#: scikit-learn's activation names -> glassnet's.
ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}

_OUTPUT_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "softmax": "softmax",
                       "exp": "exponential"}

#: The glassnet loss ``model_`` is compiled with, for users who go on with glassnet's ``fit``
#: (glassnet has no Poisson loss, so 'exp' gets mse; see glassnet.sklearn's notes).
_GLASSNET_LOSSES = {"identity": "mse", "softmax": "categorical_crossentropy",
                    "logistic": "binary_crossentropy", "exp": "mse"}

_SOLVERS = ("lbfgs", "sgd", "adam")
_SCHEDULES = ("constant", "invscaling", "adaptive")

#: Input formats accepted as they are; other sparse formats are converted to CSR.
SPARSE_FORMATS = ["csr", "csc"]


class _WeightList(list):
    """``coefs_`` / ``intercepts_``: a list of views of the network's weights; assigning an
    item (``coefs_[0] = array``) writes into the network."""

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            raise ConfigError("assign coefs_ / intercepts_ one array at a time, or as a whole")
        view = self[index]
        value = np.asarray(value)
        if value.shape != view.shape:
            raise ShapeError(f"weights [{index}] have shape {view.shape}, got an array of shape "
                             f"{value.shape}; refit to change the network's sizes")
        view[...] = value


class _BaseMLP(BaseEstimator):
    """Parameters, validation and the training loop shared by both estimators."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=0.0001, batch_size="auto", learning_rate="constant",
                 learning_rate_init=0.001, power_t=0.5, max_iter=200, shuffle=True,
                 random_state=None, tol=1e-4, verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
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
        self.max_fun = max_fun

    # -- fitted attributes read from (and written into) the network --------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """The kernels, views of the network's weights: ``coefs_[i]`` has shape (in, out)."""
        return self._weights("kernel", "_coefs")

    @coefs_.setter
    def coefs_(self, arrays) -> None:
        self._set_weights("kernel", "_coefs", arrays)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The biases, views of the network's weights."""
        return self._weights("bias", "_intercepts")

    @intercepts_.setter
    def intercepts_(self, arrays) -> None:
        self._set_weights("bias", "_intercepts", arrays)

    def _weights(self, name: str, pending: str) -> list:
        model = self.__dict__.get("model_")
        if model is not None:
            return _WeightList(layer.arrays[name] for layer in model.layers)
        if pending in self.__dict__:  # assigned before fitting, as scikit-learn allows
            return self.__dict__[pending]
        raise AttributeError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def _set_weights(self, name: str, pending: str, arrays) -> None:
        if "model_" not in self.__dict__:
            self.__dict__[pending] = arrays if isinstance(arrays, list) else list(arrays)
            return
        views = self._weights(name, pending)
        if len(arrays) != len(views):
            raise ShapeError(f"the network has {len(views)} layers, got {len(arrays)} arrays")
        for i, array in enumerate(arrays):
            views[i] = array

    @property
    def _optimizer(self):
        """The glassnet optimizer training ``model_`` (``learning_rate`` as scikit-learn's)."""
        return self.model_.optimizer

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return "model_" in self.__dict__

    def _check_solver(self) -> bool:
        """``partial_fit`` exists for the stochastic solvers only, as in scikit-learn."""
        if not isinstance(self.solver, str) or self.solver not in ("sgd", "adam"):
            raise AttributeError("partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")
        return True

    # -- parameters --------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        for size in sizes:
            positive_int(size, "parameter hidden_layer_sizes (each)")
        return [int(s) for s in sizes]

    def _check_params(self) -> None:
        for name, options in (("activation", ACTIVATIONS), ("solver", _SOLVERS),
                              ("learning_rate", _SCHEDULES)):
            value = getattr(self, name)
            if not isinstance(value, str) or value not in options:
                raise ConfigError(f"parameter {name} must be one of {sorted(options)}, "
                                  f"got {getattr(self, name)!r}")
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            positive_int(self.batch_size, "parameter batch_size")
        for name, low, high, low_open, high_open in (
                ("alpha", 0, math.inf, False, False),
                ("learning_rate_init", 0, math.inf, True, False),
                ("power_t", 0, math.inf, False, False),
                ("tol", 0, math.inf, False, False), ("momentum", 0, 1, False, False),
                ("validation_fraction", 0, 1, True, True), ("beta_1", 0, 1, False, True),
                ("beta_2", 0, 1, False, True), ("epsilon", 0, math.inf, True, False)):
            number_in(getattr(self, name), f"parameter {name}", low, high, low_open=low_open,
                      high_open=high_open)
        positive_int(self.max_iter, "parameter max_iter")
        positive_int(self.max_fun, "parameter max_fun")
        if not (isinstance(self.n_iter_no_change, numbers.Real)
                and self.n_iter_no_change == math.inf):
            positive_int(self.n_iter_no_change, "parameter n_iter_no_change (or np.inf)")
        for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            boolean(getattr(self, name), f"parameter {name}")  # bool('no') is True

    def _make_optimizer(self) -> optimizers.Optimizer:
        if self.solver == "adam":
            return optimizers.Adam(self.learning_rate_init, beta_1=self.beta_1,
                                   beta_2=self.beta_2, epsilon=self.epsilon)
        # SGD; also the placeholder that leaves an lbfgs model_ ready for glassnet's fit
        return optimizers.SGD(self.learning_rate_init, momentum=self.momentum,
                              nesterov=bool(self.nesterovs_momentum and self.momentum))

    # -- fitting -----------------------------------------------------------------------------
    def _fit(self, X, y, sample_weight, incremental: bool):
        self._check_params()
        sizes = self._hidden_sizes()
        first = not (self.__sklearn_is_fitted__() or "_coefs" in self.__dict__) or not (
            self.warm_start or incremental)
        if self.early_stopping and incremental:
            raise ConfigError("partial_fit does not support early_stopping=True")
        weights = sample_weights(sample_weight, X)
        X, Y = self._validate_input(X, y, incremental, reset=first)
        self._random_state = check_random_state(self.random_state)
        if first:
            self._initialize(Y.shape[1], [X.shape[1], *sizes, Y.shape[1]], X.dtype)
        elif not self.__sklearn_is_fitted__():
            self._adopt_assigned_weights(X.dtype)
        model = self.model_
        if not incremental or model.optimizer is None:
            model.compile(self._make_optimizer(), _GLASSNET_LOSSES[self.out_activation_])
        X = (X.tocsr().astype(model.dtype, copy=False) if hasattr(X, "tocsr")
             else np.ascontiguousarray(X, dtype=model.dtype))
        data = (X, Y.astype(model.dtype), weights)
        if self.solver == "lbfgs":
            _lbfgs.fit_lbfgs(self, Engine(model), *data)
        else:
            if "loss_curve_" not in self.__dict__:
                self._start_stochastic()
            Epochs(self, Engine(model), data, incremental).run()
        if not np.isfinite(model.params).all():
            raise DataError("Solver produced non-finite parameter weights. The input data may "
                            "contain large values and need to be preprocessed.")
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
        self.model_ = network(units, ACTIVATIONS[self.activation],
                              _OUTPUT_ACTIVATIONS[self.out_activation_], dtype)
        self.model_.set_weights(weights)
        for name in ("loss_curve_", "best_loss_", "validation_scores_", "_coefs", "_intercepts",
                     "best_validation_score_", "_no_improvement_count", "_best_weights"):
            self.__dict__.pop(name, None)  # lbfgs has none of them, as in scikit-learn
        if self.solver != "lbfgs":
            self._start_stochastic()

    def _start_stochastic(self) -> None:
        """The stochastic solvers' bookkeeping, fresh (also when a warm start leaves lbfgs)."""
        self.loss_curve_, self._no_improvement_count = [], 0
        self.best_loss_ = None if self.early_stopping else np.inf
        self.validation_scores_ = [] if self.early_stopping else None
        self.best_validation_score_ = -np.inf if self.early_stopping else None
        self._best_weights = self.model_.get_weights() if self.early_stopping else None

    def _adopt_assigned_weights(self, dtype) -> None:
        """The network from ``coefs_`` / ``intercepts_`` assigned before any fit."""
        coefs, intercepts = self.__dict__.pop("_coefs"), self.__dict__.pop("_intercepts", None)
        if intercepts is None or len(intercepts) != len(coefs):
            raise ConfigError("assign both coefs_ and intercepts_ (one array per layer) "
                              "before fitting from them")
        coefs = [np.asarray(c, dtype) for c in coefs]
        units = [coefs[0].shape[0], *(c.shape[1] for c in coefs)]
        self.model_ = network(units, ACTIVATIONS[self.activation],
                              _OUTPUT_ACTIVATIONS[self.out_activation_], dtype)
        self.model_.set_weights([w for pair in zip(coefs, intercepts, strict=True)
                                 for w in (pair[0], np.asarray(pair[1], dtype).reshape(-1))])

    def _batch_size(self, n: int) -> int:
        if self.batch_size == "auto":
            return min(200, n)
        if self.batch_size > n:
            warn_at_caller("Got `batch_size` less than 1 or larger than sample size. It is "
                           "going to be clipped")
        return int(np.clip(self.batch_size, 1, n))

    def _loss_grad_lbfgs(self, packed, X, y, sample_weight=None, *_buffers):
        """scikit-learn's method of that name: the loss at ``packed`` (kernels then biases,
        flat) and its gradient, packed the same way. The weights become ``packed``."""
        dtype = self.model_.dtype
        X = X if hasattr(X, "tocsr") else np.asarray(X, dtype)
        return _lbfgs.loss_and_grad(self, Engine(self.model_), packed, X,
                                    np.asarray(y).reshape(X.shape[0], -1).astype(dtype),
                                    sample_weights(sample_weight, X))

    def _forward(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse=SPARSE_FORMATS,
                          dtype=(np.float64, np.float32))
        return Engine(self.model_).predict(X)

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
            model = network(snapshot["units"], snapshot["activation"],
                            _OUTPUT_ACTIVATIONS[self.out_activation_], snapshot["dtype"])
            model.set_weights(snapshot["weights"])
            if snapshot["optimizer"] is not None:
                model.compile(snapshot["optimizer"], _GLASSNET_LOSSES[self.out_activation_])
                model.optimizer.set_state(snapshot["optimizer_state"], model.params)
            self.model_ = model


def network(units, activation: str, out_activation: str, dtype) -> Sequential:
    """Dense layers of ``units`` (inputs first); zero-initialised, the caller sets weights."""
    layer_list = [Dense(n, activation=_engine.activation(activation if i < len(units) - 2
                                                         else out_activation),
                        kernel_initializer="zeros", input_shape=(units[0],) if i == 0 else None)
                  for i, n in enumerate(units[1:])]
    return Sequential(layer_list, dtype=dtype)
