"""PyTorch as in :mod:`peers.torch_peer`, on ONE thread (``torch.set_num_threads(1)``).

glassnet trains these sizes on one BLAS thread; PyTorch's default takes every core, and on a
machine whose cores other processes share, its OpenMP threads wait on each other (an epoch
10-200x slower). This row says what PyTorch does on one core, beside the default one: on a
busy machine it is the comparison that still means something.
"""

from __future__ import annotations

from peers import torch_peer

NAME = "torch_1t"


def import_framework():
    version = torch_peer.import_framework()
    torch_peer.torch.set_num_threads(1)
    return version


def _relabelled(run):
    def run_as_torch_1t(cfg, data, *rest):
        rows = run(cfg, data, *rest)
        for row in rows:
            row["framework"] = NAME
            row["note"] = "set_num_threads(1); " + row.get("note", "")
        return rows

    return run_as_torch_1t


run_train = _relabelled(torch_peer.run_train)
run_predict_batch = _relabelled(torch_peer.run_predict_batch)
run_predict_one = _relabelled(torch_peer.run_predict_one)
