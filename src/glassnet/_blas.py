"""Threads while training: products under 300 MFLOP run in glassnet's kernels, shared with a
second core, while BLAS gets one thread; a model with a larger product keeps BLAS's threads.

The limit was measured on two cores (session 6, benchmarks/RESULTS.md): glassnet's kernels on
two threads beat OpenBLAS's two at 784x512 for batches 64-256 (1.2-1.4x an epoch) and tie it at
1024x1024 for batch 128.

Measured on two cores (benchmarks/RESULTS.md): for a training step's products at small sizes
(a batch of 32 through a 784x128 layer) a second OpenBLAS thread saves little even on an idle
machine, and as soon as another process wants the cores, OpenBLAS's spinning threads make each
product 10 to 200 times slower. The products also differ in the last bit between thread counts,
so the choice depends only on the model and the batch size (never on the machine's load) and a
seed stays bit-reproducible. With BLAS on one thread, numba's kernels lead a team of threads
(:mod:`glassnet._team`) that give the bits one thread gives; with BLAS on its own threads they
run alone, so the two never compete for the cores.
The limit goes through threadpoolctl (a dependency of glassnet); where it cannot inspect the
platform's BLAS, BLAS keeps its default.
"""

from __future__ import annotations

import contextlib

import numpy as np

# flops of a training product below which it runs in glassnet's kernels (BLAS above); while a
# model's largest product is below it, BLAS gets one thread and the kernels lead the team. The
# team shares float32 work only: other dtypes keep the one-core limit.
OWN_KERNELS_BELOW = 300e6
ONE_CORE_BELOW = 30e6


def own_kernels_below(dtype) -> float:
    """The product size (flops) under which ``dtype`` products run in glassnet's kernels."""
    return OWN_KERNELS_BELOW if dtype == np.float32 else ONE_CORE_BELOW

def _controller():
    """The BLAS libraries loaded now (scanned each time: scipy or torch may load more later)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    try:
        return ThreadpoolController()
    except Exception:  # a platform threadpoolctl cannot inspect: leave BLAS alone
        return None


def largest_product_flops(model, batch_size: int) -> float:
    """Floating-point operations of the largest (batch, inputs) @ (inputs, units) product."""
    sizes = [w.size for layer in model._leaf_layers() for name, w in layer.arrays.items()
             if name == "kernel"]
    return 2.0 * batch_size * max(sizes, default=0)


@contextlib.contextmanager
def training_threads(model, batch_size: int):
    """A context in which, if this model's products are small, BLAS uses one thread and the
    kernels share their big loops with the other cores (``kernels.get_num_threads()``)."""
    if largest_product_flops(model, batch_size) >= own_kernels_below(model.dtype):
        yield
        return
    from . import kernels

    controller = _controller()
    parallel = getattr(kernels.active(), "parallel", contextlib.nullcontext)
    with (controller.limit(limits=1, user_api="blas") if controller is not None
          else contextlib.nullcontext()), parallel():
        yield
