"""BLAS threads while training: one while glassnet's kernels run the products, the default for
large ones."""

import pytest

import glassnet
from glassnet import _blas
from glassnet.layers import Dense

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads():
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


def _model(units):
    model = glassnet.Sequential([Dense(units, input_shape=(784,)), Dense(10)])
    model.compile("sgd", "mse")
    return model


def test_small_products_train_on_one_blas_thread():
    model = _model(128)
    assert _blas.largest_product_flops(model, 32) == 2 * 32 * 784 * 128
    before = _blas_threads()
    with _blas.training_threads(model, 32):
        assert set(_blas_threads()) == {1}
    assert _blas_threads() == before


def test_large_products_keep_the_default_threads():
    model = _model(1024)
    assert _blas.largest_product_flops(model, 512) > _blas.OWN_KERNELS_BELOW
    before = _blas_threads()
    with _blas.training_threads(model, 512):
        assert _blas_threads() == before


def test_fit_trains_on_one_thread_and_restores_the_default():
    class Spy(glassnet.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(_blas_threads())

    seen, model, before = [], _model(16), _blas_threads()
    rng = glassnet.utils.global_generator()
    model.fit(rng.random((64, 784)), rng.random((64, 10)), epochs=2, verbose=0, callbacks=[Spy()])
    assert [set(s) for s in seen] == [{1}, {1}]
    assert _blas_threads() == before
