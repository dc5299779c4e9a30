"""PyTorch as in :mod:`peers.torch_peer`, with ``torch.set_flush_denormal(True)``.

glassnet's numba optimizer kernels run with subnormal floats flushed to zero (as TensorFlow's
kernels do); PyTorch keeps IEEE subnormals unless asked. On CPUs that take ~100 cycles per
operation on a subnormal (Intel's), that one setting moves PyTorch's MNIST epoch a lot, so the
table shows PyTorch both ways: the goals use the default, this row says what it is worth.
"""

from __future__ import annotations

from peers import torch_peer

NAME = "torch_ftz"
NOTE = "set_flush_denormal(True)"


def import_framework():
    version = torch_peer.import_framework()
    if not torch_peer.torch.set_flush_denormal(True):
        raise RuntimeError("torch.set_flush_denormal(True) is not supported on this CPU")
    return version


run_train = torch_peer.relabelled(torch_peer.run_train, NAME, NOTE)
run_predict_batch = torch_peer.relabelled(torch_peer.run_predict_batch, NAME, NOTE)
run_predict_one = torch_peer.relabelled(torch_peer.run_predict_one, NAME, NOTE)
