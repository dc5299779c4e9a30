"""load_csv: exact round trips of random tables, and every bad file named at file:line:column."""

import re
import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet.data import load_csv
from glassnet.errors import ConfigError, FileFormatError


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
class_names = st.text(string.ascii_letters, min_size=1, max_size=8).filter(
    lambda s: not _is_number(s)
)


@st.composite
def tables(draw):
    """A random numeric table, its text class column, and how to write it."""
    n_rows = draw(st.integers(1, 12))
    n_features = draw(st.integers(1, 5))
    X = np.array(draw(st.lists(floats, min_size=n_rows * n_features, max_size=n_rows * n_features)))
    labels = draw(st.lists(class_names, min_size=n_rows, max_size=n_rows))
    layout = {
        "delimiter": draw(st.sampled_from([",", ";", "\t", " "])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "header": draw(st.booleans()),
        "pad": draw(st.sampled_from(["", " ", "  "])),
        "blank_after": draw(st.sets(st.integers(0, n_rows))),
        "bom": draw(st.booleans()),
        "quote": draw(st.booleans()),
    }
    return X.reshape(n_rows, n_features), labels, layout


def write_table(path, X, labels, layout):
    d, pad = layout["delimiter"], layout["pad"]
    if d == " ":  # whitespace-separated: irregular runs of spaces and tabs instead of padding
        d, pad = " \t ", ""
    names = [f"f{j}" for j in range(X.shape[1])] + ["label"]
    rows = [[repr(float(v)) for v in row] for row in X]
    rows = [[*r, f'"{c}"' if layout["quote"] else c] for r, c in zip(rows, labels, strict=True)]
    lines = [d.join(f"{pad}{cell}{pad}" for cell in names)] if layout["header"] else []
    for i, row in enumerate(rows):
        if i in layout["blank_after"]:
            lines.append(" " if i % 2 else "")
        lines.append(d.join(f"{pad}{cell}{pad}" for cell in row))
    text = layout["newline"].join(lines) + layout["newline"]
    path.write_bytes((("\ufeff" if layout["bom"] else "") + text).encode("utf-8"))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tables())
def test_round_trip_is_exact(tmp_path, table):
    X, labels, layout = table
    path = tmp_path / "table.csv"
    write_table(path, X, labels, layout)
    data = load_csv(path)
    assert data.X.dtype == np.float64
    np.testing.assert_array_equal(data.X, X)
    assert [data.classes[code] for code in data.y] == labels
    assert data.classes == tuple(sorted(set(labels)))
    assert data.lookup == {c: i for i, c in enumerate(data.classes)}
    if layout["header"]:
        assert data.feature_names == tuple(f"f{j}" for j in range(X.shape[1]))
        assert data.target_name == "label"
    else:
        assert data.feature_names == tuple(f"column_{j}" for j in range(X.shape[1]))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(floats, min_size=3, max_size=3), min_size=1, max_size=10))
def test_numeric_target_round_trips_as_floats(tmp_path, rows):
    path = tmp_path / "numbers.csv"
    path.write_text("".join(",".join(map(repr, row)) + "\n" for row in rows))
    X, y = load_csv(path, header=False)
    table = np.array(rows)
    np.testing.assert_array_equal(X, table[:, :2])
    np.testing.assert_array_equal(y, table[:, 2])
    assert load_csv(path, header=False).classes is None


def test_target_by_name_index_and_negative_index(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6\n")
    by_name = load_csv(path, target="a")
    assert by_name.X.tolist() == [[2, 3], [5, 6]] and by_name.y.tolist() == [1, 4]
    assert by_name.feature_names == ("b", "c") and by_name.target_name == "a"
    assert load_csv(path, target=-2).y.tolist() == [2, 5]
    assert load_csv(path, target=1).feature_names == ("a", "c")
    no_target = load_csv(path, target=None)
    assert no_target.y is None and no_target.X.shape == (2, 3)


def test_categorical_numeric_target_and_id_column(tmp_path):
    path = tmp_path / "zoo.csv"
    path.write_text("name,legs,type\nfrog,4,10\nant,6,2\ncrab,10,10\n")
    data = load_csv(path, id_column="name", categorical=True)
    assert data.ids == ("frog", "ant", "crab")
    assert data.classes == ("2", "10")  # numeric classes sort as numbers
    assert data.y.tolist() == [1, 0, 1] and data.X.tolist() == [[4], [6], [10]]


def test_features_pick_columns_and_skip_the_rest(tmp_path):
    path = tmp_path / "zoo.csv"
    path.write_text("name,legs,hair,type\nfrog,4,0,amphibian\nbear,4,1,mammal\n")
    data = load_csv(path, features=["hair", 1])
    assert data.X.tolist() == [[0, 4], [1, 4]] and data.feature_names == ("hair", "legs")
    assert data.classes == ("amphibian", "mammal") and data.ids is None
    with pytest.raises(ConfigError, match="'type' is also the target"):
        load_csv(path, features=["legs", "type"])
    with pytest.raises(ConfigError, match="a column repeats"):
        load_csv(path, features=["legs", 1])
    with pytest.raises(ConfigError, match="features must be a list"):
        load_csv(path, features="legs")


def test_quoted_fields_spaces_and_semicolons(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('x;"y";class\n 1.5 ; "2" ; "Iris setosa" \n3;4;"a;b"\n')
    data = load_csv(path)
    assert data.X.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert data.classes == ("Iris setosa", "a;b") and data.feature_names == ("x", "y")


def test_explicit_delimiter_and_header_false(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("1|2|3\n4|5|6\n")
    assert load_csv(path, delimiter="|", header=False).X.tolist() == [[1, 2], [4, 5]]
    path.write_text("1 2  3\n4\t5 6\n")
    assert load_csv(path, delimiter="whitespace").y.tolist() == [3, 6]


def _located(path, line, col, problem):
    return re.escape(f"{path}:{line}:{col}: ") + problem


@pytest.mark.parametrize(
    ("content", "line", "col", "problem"),
    [
        ("a,b,c\n1,2,3\n4,5\n", 3, 4, r"ragged row: 2 fields, but line 1 has 3"),
        ("1,2,3\n4,5,6,7\n", 2, 7, r"ragged row: 4 fields, but line 1 has 3"),
        ("1, 2, 0\r\n3, oops, 1\r\n", 2, 4, r"text 'oops' in feature column 2"),
        ('1,"two",0\n', 1, 3, r"text 'two' in feature column 2 .*header=True"),
        ("1 2 3\n4\t5 6\n7  8\n", 3, 5, r"ragged row: 2 fields, but line 1 has 3"),
        ("a\tb\tc\n1\t\t2\n", 2, 3, r"empty cell in feature column 2 \('b'\)"),
        ("1 2 0\n3.5  zz  1\n", 2, 6, r"text 'zz' in feature column 2"),
        ("", 1, 1, r"empty file"),
        ("\n  \n\r\n", 1, 1, r"empty file"),
        ("a,b,c\n\n", 2, 1, r"header only"),
        ("1,nan,0\n", 1, 3, r"'nan' in feature column 2.*NaN and infinite"),
        ("1,2,0\n-inf,2,1\n", 2, 1, r"'-inf' in feature column 1.*NaN and infinite"),
        ("1,,0\n", 1, 3, r"empty cell in feature column 2"),
        ("1,2,\n", 1, 5, r"empty cell in target column 3"),
        ("1,2,a\n3,4, \n", 2, 6, r"empty cell in target column 3"),
        ("1,2,inf\n", 1, 5, r"'inf' in target column 3"),
        ("1,2\n3,\x00\n", 2, 3, r"binary file \(a NUL byte\)"),
    ],
)
def test_bad_csv_names_file_line_column(tmp_path, content, line, col, problem):
    path = tmp_path / "bad.csv"
    path.write_bytes(content.encode())
    with pytest.raises(FileFormatError, match=_located(path, line, col, problem)):
        load_csv(path)


def test_binary_file(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"ab\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(FileFormatError, match=_located(path, 2, 1, "byte 0x89 is not")):
        load_csv(path)


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileFormatError, match=re.escape(f"{missing}: no such file")):
        load_csv(missing)
    with pytest.raises(FileFormatError, match=re.escape(f"{tmp_path}: is a folder")):
        load_csv(tmp_path)


def test_errors_subclass_value_error(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("")
    with pytest.raises(ValueError):
        load_csv(path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "nope"}, r"target='nope' is not a column; the columns are \['a', 'b'\]"),
        ({"target": 2}, "target=2 is out of range for a table of 2 columns"),
        ({"target": -3}, "target=-3 is out of range"),
        ({"target": 0, "id_column": "a"}, "same column"),
        ({"delimiter": ",,"}, "delimiter must be one character"),
        ({"delimiter": 9}, "delimiter must be one character"),
        ({"header": "yes"}, "header must be 'infer', True or False"),
        ({"header": 1}, r"^load_csv: header must be 'infer', True or False, got 1$"),
        ({"categorical": "no"}, r"^load_csv: categorical must be True, False or None, got 'no'$"),
        ({"encoding": "klingon"}, "unknown encoding"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    path = tmp_path / "ok.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ConfigError, match=message):
        load_csv(path, **kwargs)


def test_target_name_without_header(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("1,2\n3,4\n")
    with pytest.raises(ConfigError, match=r"target='b' is not a column.*column_0"):
        load_csv(path, target="b")


def test_path_may_be_str_or_pathlib_but_not_none(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n")
    assert load_csv(str(path)).X.tolist() == load_csv(path).X.tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ConfigError, match=r"load_csv: path must be a file name \(a str or "
                                          r"pathlib.Path\), got NoneType"):
        load_csv(None)


def test_categorical_takes_numpy_bools_as_their_value(tmp_path):
    # np.False_ is not False: it used to be read as None (classes from a text column)
    path = tmp_path / "zoo.csv"
    path.write_text("legs,type\n4,frog\n6,ant\n")
    with pytest.raises(FileFormatError) as as_python:
        load_csv(path, categorical=False)
    with pytest.raises(FileFormatError) as as_numpy:
        load_csv(path, categorical=np.bool_(False))
    assert str(as_numpy.value) == str(as_python.value)
    data = load_csv(path, header=np.bool_(True), categorical=np.bool_(True))
    assert data.classes == ("ant", "frog") and data.y.tolist() == [1, 0]
