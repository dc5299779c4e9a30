"""Generated command lines, run in-process: every run ends with an exit status and, when it
fails, one line naming the problem; never a traceback; the model file and its data.json are
never changed by evaluate / predict / summary, whatever --output says."""

import itertools

import numpy as np
import pytest
from conftest import COUNTS, examples
from hostile_strategies import texts
from hypothesis import given
from hypothesis import strategies as st

from glassnet import cli
from glassnet.errors import GlassnetError

pytest.importorskip("safetensors")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A trained run (model + data.json), CSV tables good and bad, a folder and a FIFO."""
    import os

    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    table = root / "t.csv"
    rows = [f"{a:.3f},{b:.3f},{'ab'[int(a > 0)]}" for a, b in rng.normal(size=(24, 2))]
    table.write_text("x,y,kind\n" + "\n".join(rows) + "\n")
    (root / "one.csv").write_text("1\n2\n3\n")
    (root / "text.csv").write_text("x,y,kind\n1,cat,a\n2,dog,b\n")
    (root / "huge.csv").write_text("x,y,kind\n1e300,-1e300,a\n3e38,1,b\n")
    (root / "nums.csv").write_text("1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    os.mkfifo(root / "fifo.csv")
    (root / "folder").mkdir()
    code = cli.main(["train", "--data", str(table), "--target", "kind", "--epochs", "2",
                     "--hidden", "4", "--out", str(root / "run"), "--quiet"])
    assert code == 0
    return root


def _paths(root):
    names = ["t.csv", "one.csv", "text.csv", "huge.csv", "nums.csv", "fifo.csv", "folder",
             "missing.csv", "run/model.safetensors", "run/data.json", "run"]
    return st.sampled_from([str(root / n) for n in names])


def _command(root):
    path = _paths(root)
    value = st.one_of(path, texts, st.sampled_from(["1", "0", "-1", "2", "nan", "inf", "1e9",
                                                    "4,4", "4,x", "", "zoo", "seeds", "relu",
                                                    "softmax", "bogus", "kind", "x"]))
    option = st.sampled_from(["--data", "--target", "--hidden", "--activation", "--epochs",
                              "--batch-size", "--optimizer", "--lr", "--seed", "--out", "--cv",
                              "--output", "--markdown", "--quiet", "--debug", "--bogus"])
    words = st.lists(st.one_of(st.tuples(option, value).map(list), value.map(lambda v: [v])),
                     max_size=4).map(lambda ws: [w for pair in ws for w in pair])
    model = st.one_of(st.just(str(root / "run/model.safetensors")), path, value)
    heads = st.one_of(
        st.tuples(st.just("train"), st.just("--data"), path | st.sampled_from(["zoo", "seeds"]),
                  st.just("--epochs"), st.sampled_from(["1", "2", "0", "-1", "x"])),
        st.tuples(st.just("evaluate"), model),
        st.tuples(st.just("predict"), model, path),
        st.tuples(st.just("summary"), model),
        st.tuples(st.just("demo"), st.sampled_from(["xor", "gates", "worked-example"]) | value),
        st.tuples(st.sampled_from(["explain", "help", ""])))
    pairs = st.lists(st.tuples(option, value).map(list), max_size=2).map(
        lambda ws: [w for pair in ws for w in pair])
    tails = st.integers(0, 4).flatmap(lambda k: {0: words, 1: pairs}.get(k, st.just([])))
    return st.tuples(heads, tails).map(lambda hw: [*hw[0], *hw[1]])


def _fast(argv) -> bool:
    """Leave out runs that only take long (mnist, huge epochs or layers): not hostile, slow.
    Layers above a million units are the model core's size check (tests/test_reliability)."""
    for flag, value in itertools.pairwise(argv):
        if flag in ("--epochs", "--hidden", "--cv") and any(
                len(part.strip()) > 3 for part in value.split(",")):
            return False
    return "mnist" not in argv and (argv[0] != "train" or "--data" in argv)


@examples(80)
@given(data=st.data())
def test_command_lines_end_with_a_status_and_one_line(workspace, data, capsys, monkeypatch):
    argv = data.draw(_command(workspace).filter(_fast))
    model = workspace / "run" / "model.safetensors"
    record = workspace / "run" / "data.json"
    before = model.read_bytes(), record.read_bytes()
    caught = []
    one_line = cli._one_line
    monkeypatch.setattr(cli, "_one_line", lambda exc: caught.append(exc) or one_line(exc))
    monkeypatch.chdir(workspace / "folder")
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse: usage errors (2) and --help (0)
        code = exit_.code
    _out, err = capsys.readouterr()
    COUNTS["calls"] += 1
    COUNTS["results" if code == 0 else "refused"] += 1
    COUNTS[f"{'result' if code == 0 else 'refused'} cli {argv[0] or '(none)'} (exit {code})"] += 1
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err or "--debug" in argv, err
    for exc in caught:
        assert isinstance(exc, (GlassnetError, OSError)), (argv, repr(exc))
    if code:
        assert "error:" in err and err.strip(), (argv, err)
    if argv[0] != "train" or "--out" not in argv:
        assert (model.read_bytes(), record.read_bytes()) == before, argv
