"""scikit-learn's gallery examples for its MLPs, run as scripts with only the import changed.

The examples are not part of the installed scikit-learn, and glassnet does not ship copies, so
this runs when ``GLASSNET_SKLEARN_EXAMPLES`` names a folder holding them (scikit-learn's
``examples/neural_networks`` from a source checkout); otherwise it is skipped. Both versions
run (scikit-learn's and the altered copy), with matplotlib's Agg backend; what they print must
agree (the training-curves example prints every fit's score and loss to 6 decimals).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

import glassnet

THEIRS = "from sklearn.neural_network import MLPClassifier\n"
OURS = "from glassnet.sklearn import MLPClassifier\n"


def _run(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    src = str(Path(glassnet.__file__).parents[1])
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["plot_mlp_training_curves", "plot_mlp_alpha"])
def test_gallery_example_runs_with_only_the_import_changed(name, tmp_path):
    folder = os.environ.get("GLASSNET_SKLEARN_EXAMPLES")
    if not folder:
        pytest.skip("set GLASSNET_SKLEARN_EXAMPLES to scikit-learn's examples/neural_networks")
    original = Path(folder) / f"{name}.py"
    text = original.read_text()
    assert text.count(THEIRS) == 1, f"{original} no longer imports MLPClassifier in one line"
    altered = tmp_path / f"{name}_on_glassnet.py"
    altered.write_text(text.replace(THEIRS, OURS))
    theirs, ours = _run(original, tmp_path), _run(altered, tmp_path)
    assert theirs.returncode == 0, theirs.stderr[-2000:]
    assert ours.returncode == 0, ours.stderr[-2000:]
    assert ours.stdout == theirs.stdout
