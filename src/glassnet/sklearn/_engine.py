"""The one place :mod:`glassnet.sklearn` reaches into glassnet's engine.

Everything the estimators need from a network goes through :class:`Engine`: a training
forward pass, the backward pass from the output's error signal (with scikit-learn's L2 term),
an optimizer step, prediction, and the permutation between the model's flat ``params`` and
scikit-learn's packing (all kernels, then all biases). It uses the layers' ``forward`` /
``backward`` (and a Dense layer's ``kernel`` / ``bias`` / ``activation`` / ``grads``),
``needs_input_grad``, ``params`` / ``grads``, ``optimizer.step`` and
``_blas.training_threads``; when the engine changes, this module is the one to re-point.

Sparse input (``scipy.sparse``, kept as CSR) is multiplied sparse in the first layer, here: its
forward is ``x @ kernel`` by scipy, its kernel gradient ``x.T @ delta`` is computed on the
batch's non-zero columns only and written into the gradient buffer.

Example
-------
>>> import numpy as np, scipy.sparse as sp
>>> from glassnet.sklearn._base import network
>>> model = network([3, 2, 1], "tanh", "linear", "float64")
>>> engine = Engine(model)
>>> x = np.array([[1., 0, 2], [0, 0, 3]])
>>> bool(np.allclose(engine.predict(sp.csr_matrix(x)), model.predict(x)))
True
>>> model.set_weights([np.ones((3, 2)), np.zeros(2), np.full((2, 1), 2.), np.array([3.])])
>>> engine.packed()  # kernels first, then biases, as scikit-learn packs them
array([1., 1., 1., 1., 1., 1., 2., 2., 0., 0., 3.])
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from .. import activations
from .._blas import training_threads

#: Rows per block when predicting from a sparse matrix.
PREDICT_BATCH = 1024


class Engine:
    """A glassnet Sequential of Dense layers seen as scikit-learn's MLP sees its network."""

    def __init__(self, model):
        self.model = model
        self.layers = model.layers
        self._first = None  # (x, net, out) of the first layer's sparse forward
        self._scratch = {}
        self._order = None

    @property
    def order(self) -> np.ndarray:
        """Indices into ``model.params`` in scikit-learn's packing order."""
        if self._order is None:
            self._order = np.concatenate(
                [self._offsets(layer, "kernel") for layer in self.layers]
                + [self._offsets(layer, "bias") for layer in self.layers])
        return self._order

    def _offsets(self, layer, name) -> np.ndarray:
        view = layer.arrays[name]
        start = (view.__array_interface__["data"][0]
                 - self.model.params.__array_interface__["data"][0]) // view.itemsize
        return np.arange(start, start + view.size)

    # -- scikit-learn's packing --------------------------------------------------------------
    def packed(self) -> np.ndarray:
        """The weights in scikit-learn's order (a copy): kernels, then biases."""
        return self.model.params[self.order]

    def set_packed(self, packed) -> None:
        self.model.params[self.order] = packed

    def packed_grads(self) -> np.ndarray:
        return self.model.grads[self.order]

    def kernels(self) -> list[np.ndarray]:
        return [layer.kernel for layer in self.layers]

    # -- passes ------------------------------------------------------------------------------
    def forward(self, x) -> np.ndarray:
        """The training forward pass (each layer keeps what its backward needs)."""
        rest = self.layers
        if sp.issparse(x):
            x, rest = self._sparse_forward(self.layers[0], x), self.layers[1:]
        for layer in rest:
            x = layer.forward(x, True)
        return x

    def _sparse_forward(self, layer, x) -> np.ndarray:
        net = np.asarray(x @ layer.kernel)
        out = layer.activation.bias_forward(net, layer.bias, np.empty_like(net))
        self._first = (x, net, out)
        return out

    def backward(self, delta: np.ndarray, alpha: float, total: float) -> None:
        """Gradients into ``model.grads`` from ``delta`` = dL/dz at the output (times
        ``total``): each kernel's is ``(x.T @ delta + alpha * kernel) / total``, each bias's
        ``delta.sum(0) / total``, in scikit-learn's order of operations."""
        layers, sparse = self.layers, self._first is not None
        grad = delta
        if not (sparse and len(layers) == 1):
            for i, layer in enumerate(layers):  # the first layer's input needs no gradient
                layer.needs_input_grad = i > 0
            grad = layers[-1].backward(delta, preactivation_grad=True)
            for layer in layers[-2::-1]:
                if sparse and layer is layers[0]:
                    break
                grad = layer.backward(grad)
        if sparse:
            self._sparse_backward(layers[0], grad, alpha, total, len(layers) == 1)
        for layer in layers[1:] if sparse else layers:
            kernel_grad = layer.grads["kernel"]
            if alpha:
                kernel_grad += np.multiply(layer.kernel, alpha,
                                           out=self._scratch_like(layer.kernel))
            kernel_grad /= total
            layer.grads["bias"] /= total

    def _sparse_backward(self, layer, grad, alpha, total, preactivation) -> None:
        """The first layer's gradients from a sparse batch: the product on the columns the
        batch uses (in scikit-learn's order there), ``alpha / total * kernel`` elsewhere (one
        pass over the kernel; within an ulp of ``(alpha * kernel) / total``)."""
        x, net, out = self._first
        self._first = None
        delta = grad if preactivation else layer.activation.backward(grad, net, out,
                                                                     np.empty_like(grad))
        kernel_grad, kernel = layer.grads["kernel"], layer.kernel
        if alpha:
            np.multiply(kernel, alpha / total, out=kernel_grad)
        else:
            kernel_grad.fill(0)
        columns, compact = np.unique(x.indices, return_inverse=True)
        x_used = sp.csr_matrix((x.data, compact.ravel(), x.indptr),
                               shape=(x.shape[0], len(columns)))
        used = x_used.T @ delta
        if alpha:
            used += alpha * kernel[columns]
        used /= total
        kernel_grad[columns] = used
        np.add.reduce(delta, axis=0, out=layer.grads["bias"])
        layer.grads["bias"] /= total

    def _scratch_like(self, array) -> np.ndarray:
        buf = self._scratch.get(array.shape)
        if buf is None or buf.dtype != array.dtype:
            buf = self._scratch[array.shape] = np.empty_like(array)
        return buf

    def buffer(self, key: str, shape: tuple) -> np.ndarray:
        """A reusable array of the model's dtype (grows, never shrinks)."""
        buf = self._scratch.get(key)
        if buf is None or buf.shape[0] < shape[0] or buf.shape[1:] != shape[1:]:
            buf = self._scratch[key] = np.empty(shape, self.model.dtype)
        return buf[:shape[0]]

    def training(self, batch: int):
        """The context to train in: glassnet's BLAS thread policy for ``batch`` rows."""
        return training_threads(self.model, batch)

    def step(self) -> None:
        """One update of ``model.params`` by the model's optimizer."""
        self.model.optimizer.step(self.model.params, self.model.grads)

    def predict(self, x) -> np.ndarray:
        """The network's outputs for dense or sparse ``x``, ``PREDICT_BATCH`` rows at a time
        (sparse: the first layer's product sparse)."""
        x = x.tocsr() if sp.issparse(x) else x
        x = x.astype(self.model.dtype, copy=False)
        result = np.empty((x.shape[0], self.layers[-1].units), self.model.dtype)
        for lo in range(0, x.shape[0], PREDICT_BATCH):
            out, rest = x[lo:lo + PREDICT_BATCH], self.layers
            if sp.issparse(out):
                out, rest = self._sparse_forward(self.layers[0], out), self.layers[1:]
            for layer in rest:
                out = layer.forward(out, False)
            result[lo:lo + len(out)] = out
            self._first = None
        return result


class SklearnLogistic(activations.Sigmoid):
    """glassnet's sigmoid computed as scikit-learn computes it (``expit``; the derivative as
    ``grad * a * (1 - a)``), so that L-BFGS, which amplifies the last bit over hundreds of
    iterations, follows scikit-learn's path. Saves and exports as 'sigmoid'."""

    def forward(self, z, out):
        return expit(z, out=out)

    def backward(self, grad, z, a, out):
        np.multiply(grad, a, out=out)
        out *= 1 - a
        return out


class SklearnSoftmax(activations.Softmax):
    """glassnet's softmax always by its NumPy formula (scikit-learn's: ``exp(z - max) / sum``),
    never the fused kernel, for the same reason. Saves and exports as 'softmax'."""

    bias_forward = activations.ActivationFunction.bias_forward


def activation(name: str):
    """The activation a glassnet.sklearn network uses for glassnet's ``name``."""
    return {"sigmoid": SklearnLogistic, "softmax": SklearnSoftmax}.get(name, lambda: name)()
