"""scikit-learn estimators on glassnet's engine: :class:`MLPClassifier` and :class:`MLPRegressor`.

They take scikit-learn's own parameter names and defaults and follow its algorithm step for
step, so code written for ``sklearn.neural_network`` runs with only its import changed:

- the network is a :class:`glassnet.Sequential` of :class:`~glassnet.layers.Dense` layers,
  trained by glassnet's forward and backward passes and its SGD (momentum, Nesterov) and Adam
  optimizers (``epsilon`` as given, 1e-8 by default);
- weights start as scikit-learn starts them (uniform within sqrt(6 / (fan_in + fan_out)),
  sqrt(2 / ...) for 'logistic', biases too), drawn from ``random_state``;
- the output is softmax with cross-entropy (multiclass), sigmoid with cross-entropy summed over
  outputs (binary, multilabel), identity with half the squared error (regression) or, with
  ``MLPRegressor(loss='poisson')``, exp with half the Poisson deviance; the error signal at the
  output is ``(prediction - target) / batch size`` in every case;
- ``alpha`` is scikit-learn's L2 penalty on the kernels (never the biases): each batch adds
  ``alpha / 2 * sum(W**2) / batch_size`` to the loss and ``alpha * W / batch_size`` to each
  kernel's gradient, between glassnet's backward pass and the optimizer step. (glassnet's
  optimizer ``weight_decay`` would also shrink biases and ignores the batch size, so it is not
  used.)
- ``sample_weight`` (``fit`` and ``partial_fit``) weights the rows as scikit-learn does: each
  batch's loss is the weighted average ``sum(w * loss) / sum(w)``, its output error
  ``w * (prediction - target) / sum(w)``, and ``alpha``'s terms are divided by the batch's
  ``sum(w)`` instead of its size; ``loss_curve_`` still weights each batch's loss by its number
  of rows; with ``early_stopping`` the weights are split with the rows and the validation score
  is weighted. Weights must be finite, >= 0 and not all zero (a number means that weight for
  every row); all-ones weights give the unweighted fit exactly.
- epochs, shuffling, mini-batches ('auto' = min(200, n)), ``tol`` / ``n_iter_no_change``
  stopping, ``early_stopping`` on a held-out ``validation_fraction``, ``warm_start`` and
  ``partial_fit`` behave as in scikit-learn; not converging within ``max_iter`` epochs emits a
  ``ConvergenceWarning``, attributed to the code that called ``fit``.

``solver='lbfgs'`` is scipy's L-BFGS-B over the network's weights, as in scikit-learn; the
``learning_rate`` schedules ('constant', 'invscaling', 'adaptive', with ``power_t``) are
scikit-learn's; ``X`` may be a ``scipy.sparse`` matrix (the first layer multiplies it sparse).
Gradients and the logistic / softmax outputs are computed in scikit-learn's order of
operations, so fits agree with scikit-learn's to the last bit where the data allow (see
``docs/sklearn_and_dask.md``). As there, a diverging loss does not stop training, and weights
that end non-finite raise a ``ValueError`` (:class:`~glassnet.errors.DataError`).

The fitted network is ``estimator.model_``, compiled with glassnet's
nearest loss (categorical or binary cross-entropy, mse) so that glassnet's own ``fit``,
``save`` and ONNX export work on it (a Poisson fit's output layer is glassnet's
'exponential'; glassnet has no Poisson loss, so its own ``fit`` would train that one with mse).
Needs the ``sklearn`` extra.

Example
-------
>>> from sklearn.datasets import load_iris
>>> from glassnet.sklearn import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=500,
...                     random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.9, [c.shape for c in clf.coefs_], clf.out_activation_
(True, [(4, 16), (16, 3)], 'softmax')
"""

from ._estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
