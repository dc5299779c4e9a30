"""Helpers of :mod:`glassnet.sklearn`: scikit-learn's output losses, sample weights, input
validation, and warnings attributed to the caller.

Example
-------
>>> import numpy as np
>>> round(output_loss("identity", np.array([[1.0]]), np.array([[3.0]])), 3)
2.0
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from scipy.special import xlogy
from sklearn.utils.validation import _num_samples

from ..errors import DataError


def output_loss(out_activation: str, p: np.ndarray, y: np.ndarray,
                weights: np.ndarray | None = None) -> float:
    """scikit-learn's loss for its output, computed as scikit-learn computes it: half squared
    error, half Poisson deviance (output 'exp'), log loss, or binary log loss.

    The log losses clip probabilities to [eps, 1 - eps] and sum over the outputs, as does the
    Poisson deviance ``y log(y / p) - y + p``; all are averaged over the samples, weighted by
    ``weights`` if given (``np.average``). In each case dL/dz at the output is
    ``w * (p - y) / sum(w)``.
    """
    if out_activation == "exp":
        deviance = xlogy(y, y / p) - y + p
        return float(np.average(deviance, weights=weights, axis=0).sum())
    if out_activation == "identity":
        return float(0.5 * np.average((y - p) ** 2, weights=weights, axis=0).mean())
    eps = np.finfo(p.dtype).eps
    q = np.clip(p, eps, 1 - eps)
    terms = xlogy(y, q)
    if out_activation == "logistic":
        terms += xlogy(1 - y, 1 - q)
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


def validate_data(estimator, X, y="no_validation", reset=True, **kwargs):
    """scikit-learn's ``validate_data`` (1.6+), or the estimator method it replaced."""
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        return estimator._validate_data(X, y, reset=reset, **kwargs)
    return validate_data(estimator, X, y, reset=reset, **kwargs)


def backprop(est, engine, x, y: np.ndarray, weights: np.ndarray | None) -> float:
    """scikit-learn's ``_backprop`` on glassnet's engine: the loss of ``x, y`` (weighted by
    ``weights``, plus ``alpha``'s L2 term) and its gradient in ``engine.model.grads``.

    As there, the output error ``w * (p - y)`` goes back through the layers, and each layer's
    gradient is then ``(x.T @ delta + alpha * kernel) / sum(w)`` (``sum(w)`` is n unweighted),
    in that order, so the gradients agree with scikit-learn's to the last bit where the
    activations do.
    """
    n, alpha = x.shape[0], est.alpha
    total = n if weights is None else float(weights.sum())
    if not total:
        raise DataError(f"{type(est).__name__}: a batch of {n} rows at iteration "
                        f"{est.n_iter_ + 1} has only zero sample weights, so its "
                        "loss is undefined; use fewer zero weights or a larger batch_size")
    out = engine.forward(x)
    loss = output_loss(est.out_activation_, out, y, weights)
    delta = np.subtract(out, y, out=engine.buffer("delta", out.shape))
    if weights is not None:
        delta *= weights[:, None]
    engine.backward(delta, alpha, total)
    if alpha:
        squares = sum(float(np.vdot(kernel, kernel)) for kernel in engine.kernels())
        loss += 0.5 * alpha * squares / total
    return loss


def warn_at_caller(message: str, category=UserWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside glassnet (the code that called
    ``fit``), so users' ``filterwarnings(..., module=...)`` filters see their own module."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("glassnet."):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
