"""MLPClassifier and MLPRegressor: scikit-learn's parameters, fitted attributes and methods
(see :mod:`glassnet.sklearn`)."""

from __future__ import annotations

import inspect

import numpy as np

try:
    from sklearn.base import ClassifierMixin, RegressorMixin
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import type_of_target, unique_labels
    from sklearn.utils.validation import column_or_1d
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("glassnet.sklearn needs scikit-learn: pip install 'glassnet[sklearn]'"
                      ) from exc

from ..errors import ConfigError, DataError
from ._base import SPARSE_FORMATS, _BaseMLP
from ._engine import Engine
from ._helpers import sample_weights, validate_data

__all__ = ["MLPClassifier", "MLPRegressor"]

#: MLPRegressor's loss -> its output activation, as in scikit-learn.
_LOSSES = {"squared_error": "identity", "poisson": "exp"}

_PARAMETERS = """
    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Units of each hidden layer.
    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        The hidden layers' activation.
    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        'lbfgs': scipy's L-BFGS-B on the whole data set (no ``partial_fit``, no
        ``loss_curve_``); 'sgd' and 'adam': mini-batch steps.
    alpha : float, default=0.0001
        Strength of the L2 penalty on the kernels (see the module's notes).
    batch_size : int or 'auto', default='auto'
        Samples per step; 'auto' is min(200, n_samples).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        SGD's schedule: 'invscaling' is ``learning_rate_init / (t_ + 1) ** power_t``,
        'adaptive' divides the rate by 5 whenever training stalls (see ``n_iter_no_change``).
    learning_rate_init : float, default=0.001
    power_t : float, default=0.5
        The exponent of 'invscaling'.
    max_iter : int, default=200
        Epochs at most ('lbfgs': iterations at most).
    shuffle : bool, default=True
        Shuffle the samples each epoch.
    random_state : int, RandomState or None, default=None
        Seeds the initial weights, the shuffling and the early-stopping split.
    tol : float, default=1e-4
        Improvement of the loss (or validation score) that counts as progress.
    verbose : bool, default=False
        Print the loss after each epoch.
    warm_start : bool, default=False
        ``fit`` continues from the previous weights.
    momentum : float, default=0.9
        SGD only.
    nesterovs_momentum : bool, default=True
        SGD only.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score stalls.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam only.
    n_iter_no_change : int or np.inf, default=10
        Epochs without a ``tol`` improvement before stopping (np.inf: never).
    max_fun : int, default=15000
        'lbfgs' only: loss evaluations at most.
"""


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer perceptron classifier; scikit-learn's ``MLPClassifier`` on glassnet.
    {parameters}
    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_, loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, n_iter_, t_, n_layers_, n_outputs_, out_activation_,
    n_features_in_
        As in scikit-learn. ``coefs_`` and ``intercepts_`` are views of ``model_``'s weights.
    model_ : glassnet.Sequential
        The trained network (save it, export it to ONNX, inspect it).

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]] * 10)
    >>> y = np.array(["no", "yes", "yes", "no"] * 10)
    >>> clf = MLPClassifier((8,), activation="tanh", learning_rate_init=0.05, max_iter=500,
    ...                     random_state=1).fit(X, y)
    >>> clf.predict([[0, 1], [1, 1]]).tolist(), clf.predict_proba([[0, 1]]).shape
    (['yes', 'no'], (1, 2))
    """

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True,
                             accept_sparse=SPARSE_FORMATS,
                              dtype=(np.float64, np.float32))
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if "classes_" not in self.__dict__ or not (self.warm_start or incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and set(classes) != set(self.classes_):
                raise DataError("warm_start can only be used where `y` has the same classes "
                                f"as in the previous call to fit. Previously got "
                                f"{self.classes_}, `y` has {classes}")
            if not self.warm_start and len(np.setdiff1d(classes, self.classes_)):
                raise DataError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                f"{self.classes_}. 'y' has {classes}.")
        return X, self._label_binarizer.transform(y)

    def fit(self, X, y, sample_weight=None):
        """Train on ``X`` (n_samples, n_features; dense or scipy.sparse) and labels ``y``;
        returns ``self``.

        ``sample_weight`` (one finite weight >= 0 per row, not all zero) weights each row's
        loss as scikit-learn does; see the module's notes.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_BaseMLP._check_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``X, y`` (weighted as in ``fit``); the first call needs ``classes``
        (all labels to expect)."""
        if classes is None and "classes_" not in self.__dict__:
            raise ConfigError("classes must be passed on the first call to partial_fit.")
        sample_weight = sample_weights(sample_weight, X)  # before classes_ is set
        if classes is not None:
            classes = unique_labels(classes)
            if "classes_" in self.__dict__ and not np.array_equal(self.classes_, classes):
                raise ConfigError(f"`classes={classes!r}` is not the same as on last call to "
                                  f"partial_fit, was: {self.classes_!r}")
            if "classes_" not in self.__dict__:
                self._label_binarizer = LabelBinarizer().fit(
                    y if type_of_target(y).startswith("multilabel") else classes)
                self.classes_ = self._label_binarizer.classes_
        return self._fit(X, y, sample_weight, incremental=True)

    def _decode(self, Y: np.ndarray) -> np.ndarray:
        return self._label_binarizer.inverse_transform(Y.ravel() if Y.shape[1] == 1 else Y)

    def _score_decoded(self, X, y, sample_weight) -> float:
        return accuracy_score(y, self._decode(Engine(self.model_).predict(X)),
                              sample_weight=sample_weight)

    def predict(self, X) -> np.ndarray:
        """The predicted labels, shape (n_samples,) (or (n_samples, n_labels) if multilabel)."""
        return self._decode(self._forward(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns ordered as ``classes_``."""
        proba = self._forward(X)
        if self.n_outputs_ == 1:
            return np.hstack([1 - proba, proba])
        return proba

    def predict_log_proba(self, X) -> np.ndarray:
        """``log(predict_proba(X))``."""
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"multilabel": True}


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer perceptron regressor; scikit-learn's ``MLPRegressor`` on glassnet.

    Parameters
    ----------
    loss : {'squared_error', 'poisson'}, default='squared_error'
        'squared_error': an identity output and half the squared error. 'poisson': an
        exponential output (``out_activation_`` 'exp') and half the Poisson deviance
        ``y log(y / p) - y + p``, for counts and rates; the targets must be >= 0.
    {parameters}
    Attributes
    ----------
    Those of :class:`MLPClassifier` but ``classes_``; ``out_activation_`` is 'identity'
    ('exp' with ``loss='poisson'``).

    Example
    -------
    >>> import numpy as np
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", learning_rate_init=0.01,
    ...                    max_iter=400, random_state=0).fit(X, 2 * X.ravel() + 1)
    >>> round(reg.score(X, 2 * X.ravel() + 1), 2), reg.out_activation_
    (1.0, 'identity')
    >>> counts = MLPRegressor("poisson", (8,), learning_rate_init=0.01, max_iter=300,
    ...                       random_state=0).fit(X, np.round(np.exp(X.ravel() + 1)))
    >>> counts.out_activation_, bool(counts.predict(X).min() > 0)
    ('exp', True)
    """

    def __init__(self, loss="squared_error", hidden_layer_sizes=(100,), activation="relu",
                 **params):
        super().__init__(hidden_layer_sizes, activation, **params)
        self.loss = loss

    def _check_params(self) -> None:
        if not isinstance(self.loss, str) or self.loss not in _LOSSES:
            hint = ("" if isinstance(self.loss, str) else "; loss is the first positional "
                    "parameter, as in scikit-learn, so pass hidden_layer_sizes by name")
            raise ConfigError(f"parameter loss must be one of {sorted(_LOSSES)}, "
                              f"got {self.loss!r}{hint}")
        super()._check_params()

    def _output_activation(self) -> str:
        return _LOSSES[self.loss]

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True,
                             accept_sparse=SPARSE_FORMATS, y_numeric=True,
                              dtype=(np.float64, np.float32))
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            where = np.argwhere(y < 0)[0]
            raise DataError(f"loss='poisson' needs targets y >= 0 (counts, rates), but "
                            f"y[{', '.join(map(str, where))}] is {y[tuple(where)]}; use "
                            "loss='squared_error' for targets that can be negative")
        fitted = self.__dict__.get("out_activation_")
        if not reset and fitted not in (None, self._output_activation()):
            raise ConfigError(f"this MLPRegressor was fitted with out_activation_ {fitted!r}, "
                              f"which loss={self.loss!r} does not use; warm_start and "
                              "partial_fit go on with the same loss, so set loss back or "
                              "refit with warm_start=False")
        return X, y.reshape(len(y), -1)

    def fit(self, X, y, sample_weight=None):
        """Train on ``X`` (n_samples, n_features) and targets ``y``; returns ``self``.

        ``sample_weight`` as in :meth:`MLPClassifier.fit`.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_BaseMLP._check_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``X, y`` (weighted as in ``fit``), continuing from the current
        weights."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _decode(self, Y: np.ndarray) -> np.ndarray:
        return Y.ravel() if Y.shape[1] == 1 else Y

    def _score_decoded(self, X, y, sample_weight) -> float:
        prediction = Engine(self.model_).predict(X)
        if not np.isfinite(prediction).all():  # exp can overflow; scikit-learn scores nan
            return np.nan
        return r2_score(y, self._decode(prediction), sample_weight=sample_weight)

    def predict(self, X) -> np.ndarray:
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        return self._decode(self._forward(X))


def _with_loss_first(base_init, init):
    """``init``'s signature for scikit-learn's ``get_params``: ``self, loss``, then the
    shared parameters of ``base_init`` in their order, as scikit-learn's own signature."""
    base = list(inspect.signature(base_init).parameters.values())
    loss = inspect.signature(init).parameters["loss"]
    init.__signature__ = inspect.signature(base_init).replace(
        parameters=[base[0], loss, *base[1:]])


_with_loss_first(_BaseMLP.__init__, MLPRegressor.__init__)
MLPClassifier.__doc__ = MLPClassifier.__doc__.replace("{parameters}", _PARAMETERS)
MLPRegressor.__doc__ = MLPRegressor.__doc__.replace(  # its Parameters section opens with loss
    "    {parameters}", _PARAMETERS.split("----------\n", 1)[1])
