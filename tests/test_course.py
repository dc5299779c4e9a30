"""glassnet.course: the checker (right answers pass, each kind of slip gets its own hint), the
language and font setup, copying the notebooks, and the ``glassnet course`` command."""

import numpy as np
import pytest

from glassnet import course
from glassnet.classic import MLP, NeuralNetwork
from glassnet.errors import ConfigError


@pytest.fixture(autouse=True)
def english():
    course.setup("en")
    yield
    course.setup("en")


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


# -- right answers, computed by hand the way the notebooks' solutions do -----------------------

I1, I2, B1, B2 = 0.05, 0.10, 0.35, 0.60
W = dict(zip(["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"],
             [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55], strict=True))
NET_H1 = W["w1"] * I1 + W["w2"] * I2 + B1
OUT_H1, OUT_H2 = sigmoid(NET_H1), sigmoid(W["w3"] * I1 + W["w4"] * I2 + B1)
NET_O1 = W["w5"] * OUT_H1 + W["w6"] * OUT_H2 + B2
OUT_O1, OUT_O2 = sigmoid(NET_O1), sigmoid(W["w7"] * OUT_H1 + W["w8"] * OUT_H2 + B2)
D_OUT, D_ACT = OUT_O1 - 0.01, OUT_O1 * (1 - OUT_O1)
DE_DW5 = D_OUT * D_ACT * OUT_H1
DELTA_O1, DELTA_O2 = D_OUT * D_ACT, (OUT_O2 - 0.99) * OUT_O2 * (1 - OUT_O2)
DE_DOUT_H1 = DELTA_O1 * W["w5"] + DELTA_O2 * W["w7"]
DE_DW1 = DE_DOUT_H1 * OUT_H1 * (1 - OUT_H1) * I1


def right_answers():
    mlp = MLP(3, [3, 3], 2, seed=0)
    x = np.array([0.1, 0.5, 0.9])
    h1 = sigmoid(x @ mlp.weights[0])
    h2 = sigmoid(h1 @ mlp.weights[1])
    z = np.array([2.0, 1.0, 0.1])
    s = np.exp(z) / np.exp(z).sum()
    lights = np.array([[1.0, 0, 1]])
    rng = np.random.RandomState(1)
    w01, w12 = 2 * rng.random_sample((3, 4)) - 1, 2 * rng.random_sample((4, 1)) - 1
    l1 = np.maximum(lights @ w01, 0)
    d1 = ((l1 @ w12 - 1) @ w12.T) * (l1 > 0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    from glassnet.classic import Perceptron

    gate = Perceptron(X, np.array([0, 0, 0, 1.0]), lr=0.1, iteration=1, seed=0)
    alpha = sigmoid(X @ gate.weight + gate.bias)
    logits = np.array([1.0, 2.0, 0.5])
    p = np.exp(logits) / np.exp(logits).sum()
    return {
        "000.forward": sigmoid(h2 @ mlp.weights[2]),
        "001.out_o1": OUT_O1,
        "001.E_total": 0.5 * (0.01 - OUT_O1) ** 2 + 0.5 * (0.99 - OUT_O2) ** 2,
        "001.dE_dw5": DE_DW5,
        "001.w5_new": W["w5"] - 0.5 * DE_DW5,
        "001.dE_dw1": DE_DW1,
        "002.signals": sigmoid(np.array([[0.9, 0.3], [0.2, 0.8]]) @ [1.0, 0.5]),
        "002.momentum": 1.0 - 0.05 - (0.9 * 0.05 + 0.03),
        "002.softmax_grad": np.diag(s) - np.outer(s, s),
        "002.kfold": [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]],
        "003.weights_0_1": w01 - 0.2 * lights.T @ d1,
        "004.dw": X.T @ (alpha - [0, 0, 0, 1]),
        "004.dz": p - [0, 1, 0],
    }


def test_every_exercise_has_a_right_answer_here():
    assert sorted(right_answers()) == sorted(course.EXERCISES)


@pytest.mark.parametrize("key", sorted(course.EXERCISES))
def test_right_answers_pass(key):
    result = course.check(key, right_answers()[key])
    assert result and result.kind == "right" and repr(result) == f"{key}: right ✓"


def test_the_checker_agrees_with_the_engine_not_with_a_table():
    """The worked example's expected gradient is glassnet's backward pass, not a constant."""
    d_ih, d_ho = NeuralNetwork([[0.15, 0.20], [0.25, 0.30]],
                               [[0.40, 0.45], [0.50, 0.55]]).gradients([0.05, 0.10], [0.01, 0.99])
    assert course.spec("001.dE_dw5").value == pytest.approx(d_ho[0, 0], rel=1e-15)
    assert course.spec("001.dE_dw1").value == pytest.approx(d_ih[0, 0], rel=1e-15)
    factors = [p.value for p in course.spec("001.dE_dw5").parts]
    assert factors == pytest.approx([D_OUT, D_ACT, OUT_H1], rel=1e-12)


# -- each kind of wrong answer gets its own hint ---------------------------------------------

WRONG = [
    # (key, value, parts, kind, words in the hint)
    ("001.dE_dw5", -DE_DW5, {}, "mistake:sign", "sign"),
    ("001.dE_dw5", D_OUT * OUT_H1, {}, "left-out:dout_o1_dnet_o1", "derivative"),
    ("001.dE_dw5", D_ACT * OUT_H1, {}, "left-out:dE_dout_o1", "out - target"),
    ("001.dE_dw5", D_OUT * D_ACT, {}, "left-out:dnet_o1_dw5", "input"),
    ("001.dE_dw5", D_OUT * NET_O1 * (1 - NET_O1) * OUT_H1, {}, "mistake:net-derivative",
     "not of net"),
    ("001.dE_dw5", D_OUT * D_ACT * OUT_H2, {}, "mistake:wrong-input", "out_h1"),
    ("001.dE_dw5", 0.1, {"dE_dout_o1": D_OUT, "dout_o1_dnet_o1": 0.2},
     "part:dout_o1_dnet_o1", "out (1 - out)"),
    ("001.dE_dw5", 0.1, {"dE_dout_o1": 0.01 - OUT_O1}, "part:dE_dout_o1", "out - target"),
    ("001.dE_dw5", round(DE_DW5, 3), {}, "rounding", "digits"),
    ("001.dE_dw5", 0.5, {}, "wrong", "dE/dout_o1 * dout_o1/dnet_o1"),
    ("001.dE_dw5", ..., {}, "missing", "not answered"),
    ("001.dE_dw1", DELTA_O1 * W["w5"] * OUT_H1 * (1 - OUT_H1) * I1, {}, "mistake:one-path",
     "both outputs"),
    ("001.w5_new", W["w5"] + 0.5 * DE_DW5, {}, "mistake:uphill", "uphill"),
    ("001.w5_new", W["w5"] - DE_DW5, {}, "mistake:no-eta", "learning rate"),
    ("001.out_o1", NET_O1, {}, "mistake:no-sigmoid", "sigmoid"),
    ("001.out_o1", sigmoid(NET_O1 - B2), {}, "mistake:no-bias", "bias"),
    ("001.out_o1", 0.7, {"net_h1": NET_H1 - B1}, "part:net_h1", "0.35"),
    ("001.E_total", (0.01 - OUT_O1) ** 2 + (0.99 - OUT_O2) ** 2, {}, "mistake:no-half", "1/2"),
    ("002.signals", sigmoid(np.array([1.0, 0.5]) @ np.array([[0.9, 0.3], [0.2, 0.8]])), {},
     "mistake:order", "I W"),
    ("002.momentum", 1.0 - 0.1 * (0.5 + 0.3), {}, "mistake:no-momentum", "gamma * v1"),
    ("002.momentum", 1.0 + 0.05 + 0.075, {}, "mistake:uphill", "theta - v"),
    ("002.momentum", 0.8, {"v1": 0.05, "v2": 0.03}, "part:v2", "gamma * v1"),
    ("002.kfold", [[0, 1, 2], [3, 4, 5], [6, 7, 8]], {}, "mistake:dropped", "left out"),
    ("002.kfold", [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]], {}, "mistake:last-fold", "last fold"),
    ("004.dz", np.array([0.0, 1.0, 0.0]) - np.exp([1.0, 2.0, 0.5]) / np.exp([1.0, 2.0, 0.5]).sum(),
     {}, "mistake:sign", "p - y"),
    ("004.dz", np.exp([1.0, 2.0, 0.5]) / np.exp([1.0, 2.0, 0.5]).sum(), {}, "mistake:no-target",
     "subtract"),
    ("002.softmax_grad", np.ones((3, 2)), {}, "shape", "expected (3, 3)"),
]


@pytest.mark.parametrize(("key", "value", "parts", "kind", "words"), WRONG,
                         ids=[f"{w[0]}-{w[3]}" for w in WRONG])
def test_each_wrong_answer_gets_its_hint(key, value, parts, kind, words):
    result = course.check(key, value, **parts)
    assert not result
    assert result.kind == kind, result.message
    assert words in result.message and result.message.startswith(key)


def test_mistakes_made_from_the_right_answers():
    """The softmax, perceptron, forward and streetlights slips, built from the right value."""
    answers = right_answers()
    s = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()
    assert course.check("002.softmax_grad", np.diag(s * (1 - s))).kind == "mistake:diagonal-only"
    assert course.check("004.dw", answers["004.dw"] / 4).kind == "mistake:mean"
    assert course.check("004.dw", -answers["004.dw"]).kind == "mistake:sign"
    mlp = MLP(3, [3, 3], 2, seed=0)
    x = np.array([0.1, 0.5, 0.9])
    linear = x @ mlp.weights[0] @ mlp.weights[1] @ mlp.weights[2]
    assert course.check("000.forward", linear).kind == "mistake:no-sigmoid"
    wrong_h1 = np.zeros(3)
    assert course.check("000.forward", np.zeros(2), h1=wrong_h1).kind == "part:h1"
    assert course.check("000.forward", answers["000.forward"].reshape(2, 1)).kind == "shape"
    new = answers["003.weights_0_1"]
    result = course.check("003.weights_0_1", new + 1e-3)
    assert result.kind in ("rounding", "wrong")
    rng = np.random.RandomState(1)
    w01, w12 = 2 * rng.random_sample((3, 4)) - 1, 2 * rng.random_sample((4, 1)) - 1
    lights = np.array([[1.0, 0, 1]])
    l2_delta = np.maximum(lights @ w01, 0) @ w12 - 1
    no_deriv = w01 - 0.2 * lights.T @ (l2_delta @ w12.T)
    assert course.check("003.weights_0_1", no_deriv).kind == "mistake:no-relu2deriv"


def test_korean_messages():
    course.setup("ko")
    assert repr(course.check("001.dE_dw5", DE_DW5)) == "001.dE_dw5: 정답 ✓"
    assert "부호" in course.check("001.dE_dw5", -DE_DW5).message
    assert "아직 답이 없습니다" in course.check("004.dz", ...).message


def test_bad_keys_and_parts_are_refused_with_the_list():
    with pytest.raises(ConfigError, match=r"unknown exercise '001.dE_dw9'.*001.dE_dw5"):
        course.check("001.dE_dw9", 1.0)
    with pytest.raises(ConfigError, match=r"unknown part.*out_h3.*dE_dout_o1"):
        course.check("001.dE_dw5", 0.1, out_h3=1.0)
    with pytest.raises(ConfigError, match="key must be an exercise name"):
        course.check(5, 1.0)
    assert "number" in course.check("001.dE_dw5", "abc").message
    assert "NaN" in course.check("001.dE_dw5", float("nan")).message


# -- language and fonts --------------------------------------------------------------------------

def test_setup_picks_labels_and_a_korean_font():
    pytest.importorskip("matplotlib")
    import matplotlib

    from glassnet.course import _lang

    before = matplotlib.rcParams["font.family"]
    t = course.setup("ko")
    font = _lang.korean_font()
    if font is None:  # falls back to English labels, no missing glyphs
        assert t("반복", "iteration") == "iteration"
        return
    assert t("반복", "iteration") == "반복"
    assert matplotlib.rcParams["font.family"][0] == font
    import warnings

    from glassnet import plot

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # plot warns when a label's glyphs are missing
        fig = plot.plot_history({t("오차", "error"): [1.0, 0.5]}, xlabel=t("반복", "iteration"))
        fig.canvas.draw()
    assert fig.axes[0].xaxis.label.get_fontname() == font
    assert course.setup("en")("반복", "iteration") == "iteration"
    assert matplotlib.rcParams["font.family"] == before


def test_setup_without_a_korean_font_falls_back_to_english(monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    from glassnet.course import _lang

    monkeypatch.setattr(_lang, "korean_font", lambda font=None: None)
    t = course.setup("ko")
    assert t("반복", "iteration") == "iteration"
    assert "fonts-nanum" in capsys.readouterr().out
    with pytest.raises(ConfigError, match="lang must be one of en, ko"):
        course.setup("fr")


# -- shipping and copying ----------------------------------------------------------------------

def test_notebooks_ship_in_the_package():
    for lang in ("en", "ko"):
        for teacher in (False, True):
            paths = course.notebooks(lang, teacher)
            assert [p.name for p in paths] == [
                "000_mlp.ipynb", "001_chain_rule.ipynb", "002_backprop.ipynb",
                "003_streetlights.ipynb", "004_perceptron_ann.ipynb"]
            assert all(p.is_file() for p in paths)


def test_copy_keeps_a_students_work(tmp_path):
    copied, kept = course.copy_to(tmp_path, ("ko",))
    assert len(copied) == 5 and kept == []
    mine = tmp_path / "ko" / "001_chain_rule.ipynb"
    mine.write_text("my work")
    copied, kept = course.copy_to(tmp_path, ("ko",))
    assert copied == [] and len(kept) == 5 and mine.read_text() == "my work"
    course.copy_to(tmp_path, ("ko",), overwrite=True)
    assert mine.read_text() != "my work"


def test_the_course_command(tmp_path, capsys):
    from glassnet.cli import main

    assert main(["course", str(tmp_path / "c"), "--teacher", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "copied 5 teacher's notebooks (with solutions)" in out
    assert f"jupyter lab {tmp_path / 'c'}" in out
    copied = sorted(p.name for p in (tmp_path / "c" / "en").iterdir())
    assert copied[0] == "000_mlp.ipynb" and len(copied) == 5
    assert "# solution" in (tmp_path / "c" / "en" / "001_chain_rule.ipynb").read_text()
    assert main(["course", str(tmp_path / "c"), "--lang", "en"]) == 0
    assert "kept 5 already there" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        main(["course", "--lang", "fr"])
    assert stop.value.code == 2
