"""PyTorch as in :mod:`peers.torch_peer`, on ONE thread (``torch.set_num_threads(1)``).

glassnet trains these sizes on one BLAS thread; PyTorch's default takes every core, and on a
machine whose cores other processes share, its OpenMP threads wait on each other (an epoch
10-200x slower). This row says what PyTorch does on one core, beside the default one: on a
busy machine it is the comparison that still means something.
"""

from __future__ import annotations

from peers import torch_peer

NAME = "torch_1t"
NOTE = "set_num_threads(1)"


def import_framework():
    version = torch_peer.import_framework()
    torch_peer.torch.set_num_threads(1)
    return version


run_train = torch_peer.relabelled(torch_peer.run_train, NAME, NOTE)
run_predict_batch = torch_peer.relabelled(torch_peer.run_predict_batch, NAME, NOTE)
run_predict_one = torch_peer.relabelled(torch_peer.run_predict_one, NAME, NOTE)
