"""scikit-learn's own MLP tests, run on glassnet's estimators.

The installed scikit-learn's ``sklearn/neural_network/tests/test_mlp.py`` is copied at test
time with one change, the estimators' import, and run by pytest in a subprocess (with
scikit-learn's conftest as a plugin for its ``global_random_seed`` fixture), so this follows
whatever scikit-learn version is installed.
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sklearn = pytest.importorskip("sklearn")

import glassnet  # noqa: E402

THEIRS = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
OURS = "from glassnet.sklearn import MLPClassifier, MLPRegressor\n"


def _altered_copy(folder: Path) -> Path:
    source = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    if not source.exists():
        pytest.skip(f"this scikit-learn ships without its tests ({source})")
    text = source.read_text()
    assert text.count(THEIRS) == 1, "test_mlp.py no longer imports the estimators in one line"
    target = folder / "test_mlp_on_glassnet.py"
    target.write_text(text.replace(THEIRS, OURS))
    (folder / "pytest.ini").write_text("[pytest]\n")  # not glassnet's settings
    return target


def test_scikit_learns_own_mlp_tests_pass_on_glassnet(tmp_path):
    script = _altered_copy(tmp_path)
    report = tmp_path / "report.xml"
    src = str(Path(glassnet.__file__).parents[1])  # this glassnet, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])]), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "sklearn.conftest",
         f"--junitxml={report}", str(script)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {key: int(suite.get(key)) for key in ("tests", "failures", "errors", "skipped")}
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    assert counts["failures"] == counts["errors"] == 0, done.stdout[-4000:]
    assert passed >= 57 and counts["tests"] >= 59, (counts, done.stdout[-2000:])
