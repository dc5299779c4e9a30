"""glassnet from another source tree (``run.py --before-src DIR``), used as :mod:`glassnet_peer`.

run.py puts DIR first on this child's ``PYTHONPATH`` instead of the checkout's ``src/``, so the
same benchmark code measures the engine before (or after) a change, in the same run and paired
round by round with the checkout's glassnet row. The note names the tree it imported.
"""

from __future__ import annotations

import os

from peers import glassnet_peer

NAME = "glassnet_before"


def import_framework():
    version = glassnet_peer.import_framework()
    glassnet_peer.NAME = NAME
    return version


def _relabelled(run):
    def run_as_before(cfg, data, *rest):
        rows = run(cfg, data, *rest)
        where = os.path.dirname(os.path.dirname(glassnet_peer.glassnet.__file__))
        for row in rows:
            row["framework"] = NAME
            row["note"] = f"glassnet from {where}; " + row.get("note", "")
        return rows

    return run_as_before


run_train = _relabelled(glassnet_peer.run_train)
run_predict_batch = _relabelled(glassnet_peer.run_predict_batch)
run_predict_one = _relabelled(glassnet_peer.run_predict_one)
