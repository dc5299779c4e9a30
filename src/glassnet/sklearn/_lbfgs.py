"""scikit-learn's ``solver='lbfgs'`` on glassnet's engine.

``scipy.optimize.minimize(method='L-BFGS-B')`` runs over the network's weights in scikit-learn's
packing (all kernels, then all biases), so its iterations see the same vector as scikit-learn's:
each evaluation scatters the point into the model's flat ``params``, runs glassnet's forward and
backward passes over the whole data (:func:`._helpers.backprop`) and gathers ``grads`` back.
``max_iter`` bounds the iterations, ``max_fun`` the evaluations, ``tol`` is ``gtol``; as in
scikit-learn there is no ``loss_curve_``, and a run that stops unconverged warns with scikit-learn's
``ConvergenceWarning`` text.
"""

from __future__ import annotations

import numpy as np
import scipy
from sklearn.exceptions import ConvergenceWarning

from ._helpers import backprop, warn_at_caller


def loss_and_grad(est, engine, packed, X, Y, weights):
    """The loss at ``packed`` (scikit-learn's order) and its gradient, in that order too."""
    engine.set_packed(packed)
    loss = backprop(est, engine, X, Y, weights)
    return loss, engine.packed_grads()


def fit_lbfgs(est, engine, X, Y, weights) -> None:
    """Minimise the loss over all of ``X`` with L-BFGS-B; sets ``n_iter_`` and ``loss_``."""
    from scipy.optimize import minimize

    options = {"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol}
    if _scipy_takes_iprint():
        options["iprint"] = 1 if est.verbose is True or est.verbose >= 1 else -1
    with engine.training(X.shape[0]):
        result = minimize(lambda packed: loss_and_grad(est, engine, packed, X, Y, weights),
                          engine.packed().astype(np.float64), method="L-BFGS-B", jac=True,
                          options=options)
    est.n_iter_ = _check_result(result, est.max_iter)
    est.loss_ = result.fun
    engine.set_packed(result.x)


def _scipy_takes_iprint() -> bool:
    major, minor = (int(part) for part in scipy.__version__.split(".")[:2])
    return (major, minor) < (1, 15)


def _check_result(result, max_iter: int) -> int:
    """scikit-learn's ``_check_optimize_result('lbfgs', ...)``: the iterations, and its warning
    when L-BFGS-B stopped without converging."""
    n_iter = min(result.nit, max_iter)
    if result.status != 0:
        message = (f"lbfgs failed to converge after {n_iter} iteration(s) "
                   f"(status={result.status}):\n{result.message}\n")
        if n_iter == max_iter:
            message += ("\nIncrease the number of iterations to improve the convergence "
                        f"(max_iter={max_iter}).")
        message += ("\nYou might also want to scale the data as shown in:\n"
                    "    https://scikit-learn.org/stable/modules/preprocessing.html")
        warn_at_caller(message, ConvergenceWarning)
    return n_iter
