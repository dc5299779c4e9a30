"""The glassnet command, run as a user runs it: in a subprocess, on small data."""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from glassnet import cli

pytest.importorskip("safetensors")


def run(*args, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "glassnet", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def animals(tmp_path_factory):
    """A small CSV: 4 numeric features, a text class column named 'kind', 60 rows."""
    folder = tmp_path_factory.mktemp("animals")
    rng = np.random.default_rng(0)
    path = folder / "animals.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["weight", "legs", "kind", "height", "speed"])
        for i in range(60):
            kind = ("cat", "dog", "owl")[i % 3]
            base = {"cat": 1.0, "dog": 3.0, "owl": 5.0}[kind]
            w, l_, h, s = base + rng.normal(0, 0.3, 4)
            writer.writerow([f"{w:.3f}", f"{l_:.3f}", kind, f"{h:.3f}", f"{s:.3f}"])
    return path


@pytest.fixture(scope="module")
def trained(animals, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "animals-run"
    code, stdout, stderr = run("train", "--data", str(animals), "--target", "kind",
                               "--epochs", "40", "--seed", "1", "--out", str(out))
    assert code == 0, stderr
    return out, stdout


def test_train_on_a_csv_saves_model_plots_and_record(trained):
    out, stdout = trained
    assert "Training animals_csv_classifier on animals.csv: 45 training and 15 test samples, " \
           "layers 4-16-3, adam, 40 epochs, batch 16" in stdout
    assert "Epoch 40/40" in stdout  # one line per epoch when not on a terminal
    accuracy = float(stdout.split("Test accuracy: ")[1].split()[0])
    assert accuracy >= 0.9
    assert "         owl " in stdout  # the per-class report names the classes
    assert f"Saved in {out}/: model.safetensors, data.json, history.png, confusion.png" in stdout
    for name in ("model.safetensors", "data.json", "history.png", "confusion.png"):
        assert (out / name).stat().st_size > 0
    record = json.loads((out / "data.json").read_text())
    assert record["classes"] == ["cat", "dog", "owl"] and record["target"] == "kind"
    assert record["feature_names"] == ["weight", "legs", "height", "speed"]
    assert len(record["scaling"]["low"]) == 4


def test_evaluate_predict_and_summary_of_the_saved_model(trained, animals, tmp_path):
    out, _ = trained
    model = str(out / "model.safetensors")
    code, stdout, _ = run("evaluate", model)
    assert code == 0 and "on 60 samples of " in stdout and "Accuracy: " in stdout
    assert float(stdout.split("Accuracy: ")[1].split()[0]) >= 0.9
    target = tmp_path / "pred.csv"
    code, stdout, _ = run("predict", model, str(animals), "--output", str(target))
    assert code == 0 and stdout.strip() == f"Wrote 60 predictions to {target}"
    rows = list(csv.reader(target.open()))
    assert rows[0] == ["row", "predicted", "p_cat", "p_dog", "p_owl"]
    assert len(rows) == 61 and rows[1][0] == "1"
    right = sum(r[1] == ("cat", "dog", "owl")[i % 3] for i, r in enumerate(rows[1:]))
    assert right >= 54
    assert all(abs(sum(float(v) for v in r[2:]) - 1) < 1e-4 for r in rows[1:])
    code, stdout, _ = run("summary", model)
    assert code == 0 and 'Model: "animals_csv_classifier"' in stdout
    assert "Total params: 131" in stdout and "classes: cat, dog, owl" in stdout


def test_train_options_on_seeds(tmp_path):
    code, stdout, stderr = run("train", "--data", "seeds", "--hidden", "8,4", "--activation",
                               "tanh", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "2",
                               "--batch-size", "8", "--out", str(tmp_path / "s"))
    assert code == 0, stderr
    assert "layers 7-8-4-3, sgd, 2 epochs, batch 8" in stdout
    assert "Epoch 2/2" in stdout and "Kama" in stdout


def test_quiet_zoo_and_cross_validation(tmp_path):
    code, stdout, _ = run("train", "--data", "zoo", "--epochs", "5", "--quiet", "--out",
                          str(tmp_path / "z"))
    assert code == 0
    lines = stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Test accuracy: ")
    # The published Zoo file, name column and all: the model's columns are picked by name.
    zoo_csv = os.path.join(os.path.dirname(cli.__file__), "datasets", "files", "zoo.csv")
    code, stdout, stderr = run("predict", str(tmp_path / "z" / "model.safetensors"), zoo_csv,
                               "--out", str(tmp_path / "zoo_predictions.csv"))
    assert code == 0, stderr
    with open(tmp_path / "zoo_predictions.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 101 and rows[0]["predicted"] in {"mammal", "bird", "fish", "insect",
                                                          "reptile", "amphibian", "invertebrate"}
    code, stdout, _ = run("train", "--data", "zoo", "--cv", "3", "--epochs", "30", "--quiet")
    assert code == 0
    assert [line.split(":")[0] for line in stdout.splitlines()[:3]] == ["fold 1", "fold 2",
                                                                        "fold 3"]
    assert float(stdout.split("accuracy: ")[-1].split()[0]) > 0.8


def test_train_on_mnist_for_one_epoch_reaches_90_percent(tmp_path):
    code, stdout, stderr = run("train", "--epochs", "1", "--quiet", cwd=tmp_path)
    assert code == 0, stderr
    accuracy = float(stdout.split("Test accuracy: ")[1].split()[0])
    assert accuracy >= 0.90
    runs = list((tmp_path / "glassnet-runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "model.safetensors").exists()
    assert (runs[0] / "confusion.png").exists() and (runs[0] / "samples.png").exists()
    assert "history.png, confusion.png, samples.png" in stdout


def test_the_defaults_are_the_seeds_mnist_model():
    args = cli._parser().parse_args(["train"])
    assert (args.data, args.optimizer, args.activation) == ("mnist", "adam", "relu")

    class Fake:
        images, name, classes = True, "mnist", tuple("0123456789")
        x_train = np.zeros((1, 28, 28), np.float32)

    model = cli._build(Fake, args)
    assert cli._widths(model) == "784-128-10"
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense"]
    assert model.layers[-1].activation.name == "softmax"
    assert type(model.optimizer).__name__ == "Adam" and model.optimizer.learning_rate == 0.001
    assert cli._fit_options(Fake, args) == {"epochs": 5, "batch_size": 32}


def test_explain_prints_the_worked_example_with_its_biases_fixed():
    code, stdout, _ = run("explain")
    assert code == 0 and max(len(line) for line in stdout.splitlines()) <= 100
    flat = " ".join(stdout.split())
    assert ("dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 * "
            "0.593269992 = 0.082167041") in flat
    assert "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109" in flat
    assert "b_o1 stays 0.6 (fixed in this model)" in flat
    code, stdout, _ = run("explain", "--markdown")
    assert code == 0 and "| w1 | 0.15 | 0.000438568 | 0.149780716 |" in stdout
    assert "| b_h1 | 0.35 | 0.008771355 | 0.35 |" in stdout
    code, stdout, _ = run("explain", "--weight", "worked_2/kernel[0, 0]", "--format", "html")
    assert code == 0 and stdout.startswith("<!DOCTYPE html>") and "0.082167041" in stdout


def test_explain_a_saved_model_on_rows_of_its_data(trained, animals, tmp_path):
    out, _ = trained
    model = str(out / "model.safetensors")
    code, stdout, stderr = run("explain", model, "--rows", "0-3", "--weight",
                               "dense_1/kernel[2, 1]")
    assert code == 0, stderr
    assert "4 samples" in stdout and "Batch mean over the 4 samples" in stdout
    assert max(len(line) for line in stdout.splitlines()) <= 100
    page = tmp_path / "w.html"
    code, stdout, _ = run("explain", model, "--data", str(animals), "--rows", "1,5", "--neuron",
                          "dense[0]", "--format", "html", "--output", str(page))
    assert code == 0 and page.read_text().startswith("<!DOCTYPE html>")
    code, _, stderr = run("explain", model)
    assert code == 2 and '--weight "' in stderr
    code, _, stderr = run("explain", model, "--rows", "0-999", "--weight", "dense/bias[0]")
    assert code == 2 and "the data has" in stderr


@pytest.mark.parametrize("name, expected", [
    ("worked-example", "E_total 0.291027774"),
    ("worked-example", "after 10000:     outputs 0.015913620 0.984064274, E_total 3.5102e-05"),
    ("xor", " 1  1 |   0    | 0.0"),
    ("gates", "NOR with one sigmoid neuron"),
    ("streetlights", "       10 | 0.6342311598444467     | 0.6342311598444467"),
])
def test_demos(name, expected):
    code, stdout, _ = run("demo", name)
    assert code == 0 and expected in stdout
    assert "WRONG" not in stdout


@pytest.mark.parametrize("args, status, message", [
    (["train", "--data", "missing.csv"], 2, "missing.csv: no such file"),
    (["train", "--data", "ANIMALS", "--target", "wings"], 2, "wings"),
    (["train", "--data", "mnist", "--cv", "3"], 2, "--cv works on tables"),
    (["train", "--hidden", "12,x"], 2, "--hidden takes sizes like 128,64"),
    (["train", "--epochs", "many"], 2, "argument --epochs: invalid int value: 'many'"),
    (["demo", "mnist"], 2, "invalid choice: 'mnist'"),
    (["train", "--data", "zoo", "--epochs", "0"], 2, "epochs must be"),
    (["train", "--data", "zoo", "--activation", "wiggle"], 2, "wiggle"),
    (["summary", "ANIMALS"], 2, "animals.csv: not a glassnet model file; pass the model"),
    (["evaluate", "missing.safetensors"], 2, "no such file; expected a model file saved by"),
])
def test_errors_are_one_line_with_the_right_status(args, status, message, animals):
    args = [str(animals) if a == "ANIMALS" else a for a in args]
    code, _, stderr = run(*args)
    assert code == status
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def test_data_that_does_not_fit_the_model_fails_with_status_1(trained, tmp_path):
    out, _ = trained
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("a,b,c\n1,2,3\n4,5,6\n")
    code, _, stderr = run("predict", str(out / "model.safetensors"), str(narrow))
    assert code == 1
    assert "has 3 feature columns but the model takes 4 (weight, legs, height, speed)" in stderr
    for debug in (["--debug", "predict"], ["predict", "--debug"]):
        code, _, stderr = run(*debug, str(out / "model.safetensors"), str(narrow))
        assert code == 1 and "Traceback" in stderr


def test_an_output_folder_that_cannot_be_made_fails_before_training(animals, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, stdout, stderr = run("train", "--data", str(animals), "--target", "kind",
                               "--epochs", "2", "--out", str(blocker / "run"))
    assert code == 1 and "Training" not in stdout and "Traceback" not in stderr
    assert stderr.startswith(f"glassnet train: error: {blocker / 'run'}: ")
    assert stderr.rstrip().endswith("check the path and its permissions")


def test_a_failed_run_leaves_no_empty_output_folder(animals, tmp_path):
    code, _, stderr = run("train", "--data", str(animals), "--target", "kind", "--epochs", "0",
                          cwd=tmp_path)
    assert code == 2 and "epochs must be a positive integer, got 0" in stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_model_is_named_as_such(animals, tmp_path):
    hint = ("not a glassnet model file; pass the model.safetensors that glassnet train saved in "
            "its output folder (by default glassnet-runs/<timestamp>/model.safetensors)")
    code, stdout, stderr = run("summary", str(animals))
    assert (code, stdout) == (2, "")
    assert stderr == (f"glassnet summary: error: {animals}: {hint}; a CSV table goes after the "
                      "model (glassnet predict MODEL FILE.csv) or to --data\n")
    for name, content in (("empty.safetensors", b""), ("notes.bin", b"12345678{}"),
                          ("short.safetensors", (2).to_bytes(8, "little") + b"{")):
        path = tmp_path / name
        path.write_bytes(content)
        code, _, stderr = run("evaluate", str(path), "--data", "zoo")
        assert (code, stderr) == (2, f"glassnet evaluate: error: {path}: {hint}\n")
        assert path.read_bytes() == content
    foreign = tmp_path / "foreign.safetensors"  # a safetensors file, but not glassnet's
    foreign.write_bytes((2).to_bytes(8, "little") + b"{}")
    code, _, stderr = run("summary", str(foreign))
    assert code == 1 and "not a glassnet model file (its safetensors metadata has no " \
        "format='glassnet')" in stderr
