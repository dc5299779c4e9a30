"""Every seed example runs (shortened with --quick where the full run is long) and prints the
seeds' figures."""

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    """Import examples/<name>.py afresh, as a file: it may import only installed packages."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name, *argv):
    """Run an example's main(argv); return its result dict."""
    return load(name).main(list(argv))


def test_examples_import_nothing_from_the_examples_folder():
    """The examples run as installed code: no helper module beside them."""
    assert not [p.name for p in EXAMPLES.glob("*.py")
                if not p.name.startswith("seed")], "a helper module in examples/"
    for path in EXAMPLES.glob("seed*.py"):
        text = path.read_text()
        assert not re.search(r"(?m)^(from _[^_]|import _)", text), path.name
        assert "sys.path" not in text, path.name


def test_an_example_runs_as_a_script_from_anywhere(tmp_path):
    """``python examples/seed003_streetlights.py`` from another folder, with glassnet as
    installed (here: the tested source on PYTHONPATH) and nothing else."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    out = subprocess.run([sys.executable, str(EXAMPLES / "seed003_streetlights.py")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Error:1.5055622665134859e-05" in out.stdout


def test_every_example_has_main_and_quick():
    scripts = sorted(p.stem for p in EXAMPLES.glob("seed*.py"))
    assert scripts == [
        "seed000_sum", "seed001_keras_mnist", "seed001_keras_xor", "seed001_worked_example",
        "seed002_animals_quest", "seed002_digits", "seed002_linear_classifier",
        "seed002_toy_backprop", "seed003_streetlights", "seed004_ann_mnist",
        "seed004_logic_gates",
    ]
    for name in scripts:
        text = (EXAMPLES / f"{name}.py").read_text()
        assert "def main(argv=None)" in text and 'if __name__ == "__main__":' in text


def test_seed000_adds_two_numbers(capsys):
    result = run("seed000_sum", "--quick")
    out = capsys.readouterr().out
    assert abs(result["prediction"] - 0.4) < 0.05
    assert f"Our network believes that 0.3 + 0.1 is equal to {result['prediction']}" in out
    assert "Error: " in out and "at epoch 25" in out and "Training complete!" in out
    assert result["errors"][-1] < result["errors"][0] / 5


def test_seed001_worked_example_figures(capsys):
    result = run("seed001_worked_example")
    out = capsys.readouterr().out
    f = result["forward"]
    assert f["out_h1"] == pytest.approx(0.593269992, abs=1e-9)
    assert f["out_h2"] == pytest.approx(0.596884378, abs=1e-9)
    assert f["out_o1"] == pytest.approx(0.75136507, abs=1e-9)
    assert f["out_o2"] == pytest.approx(0.772928465, abs=1e-9)
    assert result["e_total"] == pytest.approx(0.298371109, abs=1e-9)
    assert "E_total = 0.298371109" in out
    np.testing.assert_allclose(result["partials"], [
        0.000438568, 0.000877136, 0.000497713, 0.000995425,
        0.082167041, 0.082667628, -0.022602540, -0.022740242], atol=1e-9)
    np.testing.assert_allclose(result["updated"], [
        0.149780716, 0.19956143, 0.24975114, 0.29950229,
        0.35891648, 0.408666186, 0.511301270, 0.561370121], atol=1e-8)
    assert result["steps"] == 10000
    assert result["final_error"] == pytest.approx(3.5102e-05, rel=1e-3)
    np.testing.assert_allclose(result["outputs"], [0.015914, 0.984064], atol=1e-5)
    assert "E_total = 3.5102e-05, outputs = 0.015914 0.984064" in out


def test_seed001_keras_xor_all_three_models_learn_xor(capsys):
    result = run("seed001_keras_xor")
    assert set(result) == {"functional", "sequential", "functional_4_inputs"}
    for outputs in result.values():
        assert np.round(outputs).astype(int).tolist() == [0, 1, 1, 0]
        assert max(outputs[0], outputs[3]) < 0.15 and min(outputs[1], outputs[2]) > 0.85
    out = capsys.readouterr().out
    assert out.count("rounded: [0, 1, 1, 0]") == 3 and "Total params: 13" in out


def test_seed001_keras_mnist_five_epochs(capsys):
    result = run("seed001_keras_mnist")  # about 5 s: the full run, as the seed
    assert result["test_accuracy"] >= 0.975  # the seed: 0.9782
    assert len(result["history"]["loss"]) == 5
    assert result["history"]["accuracy"][-1] > result["history"]["accuracy"][0]
    assert "Epoch 5/5" in capsys.readouterr().out


def test_seed002_linear_classifier_steps(capsys):
    result = run("seed002_linear_classifier")
    rows = [(step["y"], step["E"], step["dA"], step["A"])
            for step in result["whole"] + result["moderated"]]
    np.testing.assert_allclose(rows, [
        (0.75, 0.35, 0.1167, 0.3667), (0.3667, 2.5333, 2.5333, 2.9),  # dA = E / x
        (0.75, 0.35, 0.0583, 0.3083), (0.3083, 2.5917, 1.2958, 1.6042),  # dA = 0.5 E / x
    ], atol=5e-5)
    out = capsys.readouterr().out
    assert "x = 1, t = 2.9: y = 0.3667, E = 2.5333, dA = 2.5333, A = 2.9000" in out
    assert "x = 1, t = 2.9: y = 0.3083, E = 2.5917, dA = 1.2958, A = 1.6042" in out


def test_seed002_toy_backprop_predicts_every_row(capsys):
    result = run("seed002_toy_backprop")
    assert result["predictions"] == result["expected"] == [0] * 5 + [1] * 5
    assert len(result["errors"]) == 20 and result["errors"][-1] < result["errors"][0]
    out = capsys.readouterr().out
    assert ">epoch=0, lrate=0.500, error=6.350" in out
    assert out.count("Expected=0, Got=0") == 5 and out.count("Expected=1, Got=1") == 5


def test_seed002_digits_reaches_095():
    pytest.importorskip("sklearn")
    result = run("seed002_digits")  # the seed's full setting, about 8 s
    assert result["train_size"] == 1617 and result["iterations"] <= 2000
    assert result["score"] >= 0.95


def test_seed002_digits_says_why_when_sklearn_is_missing(monkeypatch, capsys):
    module = load("seed002_digits")
    monkeypatch.setattr(module, "load_digits", lambda: None)
    result = module.main([])
    assert "scikit-learn is not installed" in result["skipped"]
    assert "skipped: scikit-learn is not installed" in capsys.readouterr().out


def test_seed002_animals_quest_table(capsys):
    result = run("seed002_animals_quest", "--quick")
    table = result["table"]
    assert [row["mode"] for row in table] == ["mini-batch", "batch", "batch"]
    assert all(len(row["scores"]) == row["n_folds"] for row in table)
    assert result["best"]["mean"] >= 0.93
    assert table[1]["mean"] < result["best"]["mean"]  # too few batch steps underfit
    out = capsys.readouterr().out
    assert "'mammal': 5" in out and "best: mini-batch" in out


def test_seed003_streetlights_reproduces_every_printed_error(capsys):
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    result = run("seed003_streetlights")
    seed_errors = [0.6342311598444467, 0.35838407676317513, 0.0830183113303298,
                   0.006467054957103705, 0.0003292669000750734, 1.5055622665134859e-05]
    np.testing.assert_allclose(result["errors"], seed_errors, rtol=1e-9, atol=0)
    assert np.round(result["predictions"]).tolist() == [1, 1, 0, 0]
    assert capsys.readouterr().out.count("Error:") == 6
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002 (untouched)


def test_seed004_logic_gates_truth_tables_and_figure(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    result = run("seed004_logic_gates", "--quick", "--out", str(tmp_path))
    assert result["tables"] == {"and": [0, 0, 0, 1], "nand": [1, 1, 1, 0], "or": [0, 1, 1, 1],
                                "nor": [1, 0, 0, 0], "xor": [0, 1, 1, 0]}
    figure = tmp_path / "seed004_logic_gates_loss.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and figure.stat().st_size > 5000
    assert all(loss < 0.2 for loss in result["final_losses"].values())
    assert "--- XOR ---" in capsys.readouterr().out


def test_seed004_ann_mnist_five_epochs(tmp_path):
    pytest.importorskip("matplotlib")
    result = run("seed004_ann_mnist", "--out", str(tmp_path))  # the full run, about 5 s
    assert result["accuracy"] >= 0.97
    assert len(result["minimum"]) == 5 and result["mean"][-1] < result["mean"][0]
    assert sum(result["test_counts"]) == 10000
    # stratified: each digit keeps its share of all 70,000 images to within one image
    from glassnet.datasets import mnist

    (_, y_train), (_, y_test) = mnist.load_data()
    share = np.bincount(np.concatenate([y_train, y_test])) / 7
    assert np.all(np.abs(np.array(result["test_counts"]) - share) <= 1)
    assert result["minimum"][0] < result["mean"][0]
    for name in ("seed004_mnist_grid.png", "seed004_mnist_loss.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
