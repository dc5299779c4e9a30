"""Run the course's notebooks with nbclient (the tests and the documentation site use this).

``GLASSNET_COURSE_QUICK=1`` in the environment shortens the two MNIST trainings to one epoch
(:func:`glassnet.course.epochs`); the test suite uses it for the students' notebooks.
"""

from __future__ import annotations

import os
from pathlib import Path

QUICK_VARIABLE = "GLASSNET_COURSE_QUICK"


def epochs(full: int) -> int:
    """``full``, or 1 when ``GLASSNET_COURSE_QUICK`` is set (a shortened run for tests)."""
    return 1 if os.environ.get(QUICK_VARIABLE, "") not in ("", "0") else full


def execute(nb: dict, cwd=None, quick: bool = False, timeout: int = 600) -> dict:
    """``nb`` (nbformat JSON) executed in a fresh Python kernel; returns the executed notebook."""
    import json

    import nbclient
    import nbformat

    node = nbformat.reads(json.dumps(nb), as_version=4)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # the kernel's own inline backend
    env[QUICK_VARIABLE] = "1" if quick else "0"
    # The kernel imports the glassnet that runs it (a source tree may shadow an installed one).
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([here, *filter(None, [env.get("PYTHONPATH")])])
    client = nbclient.NotebookClient(node, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd or os.getcwd())}})
    client.execute(env=env)  # the kernel's environment; this process's is left alone
    return node
