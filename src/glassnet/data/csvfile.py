"""Load a numeric CSV table into features ``X`` and a target ``y``, with exact error locations.

Parsing is the standard library's :mod:`csv`; this module adds what the seeds' ``load_csv`` /
``str_to_float`` / ``str_to_int`` leave out: delimiter sniffing (comma, semicolon, tab or runs of
whitespace), header detection, and an error naming ``file:line:column`` for every cell it cannot
use. Blank lines, spaces around cells, quoted fields, CRLF line ends and a UTF-8 BOM are handled.

Example
-------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "toy.csv")
>>> _ = open(path, "w").write("x1,x2,label\\n2.78,2.55,cat\\n7.63,2.76,dog\\n1.47,2.36,cat\\n")
>>> X, y = load_csv(path)
>>> X.tolist(), y.tolist()
([[2.78, 2.55], [7.63, 2.76], [1.47, 2.36]], [0, 1, 0])
>>> load_csv(path).classes
('cat', 'dog')
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from .._checks import boolean
from .._files import file_path
from ..errors import ConfigError, FileFormatError
from ._csvtext import Record, read_records, read_text

__all__ = ["CSVData", "load_csv"]

Column = int | str


@dataclass(frozen=True, eq=False)
class CSVData:
    """What :func:`load_csv` returns; unpacks as ``X, y = load_csv(...)``.

    Attributes
    ----------
    X : numpy.ndarray
        Features, float64, shape (rows, features).
    y : numpy.ndarray or None
        The target: float64 values, or int64 class codes when the column is categorical;
        None when ``target=None``.
    feature_names : tuple of str
        One name per column of ``X`` (from the header, else ``column_<i>`` by file position).
    target_name : str or None
        The target column's name.
    classes : tuple of str or None
        For a categorical target, ``classes[code]`` is the text the code stands for (sorted:
        numerically when every class is a number, else as text). None for a numeric target.
    ids : tuple of str or None
        The text of ``id_column`` per row (e.g. the animal names of Zoo), else None.
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: tuple[str, ...]
    target_name: str | None
    classes: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None

    def __iter__(self) -> Iterator[np.ndarray | None]:
        return iter((self.X, self.y))

    @property
    def lookup(self) -> dict[str, int] | None:
        """Class text -> code, like the dict the seeds' ``str_to_int`` returns (None if numeric)."""
        return None if self.classes is None else {c: i for i, c in enumerate(self.classes)}


def load_csv(
    path: str | os.PathLike,
    target: Column | None = -1,
    header: bool | Literal["infer"] = "infer",
    delimiter: str | None = None,
    *,
    categorical: bool | None = None,
    id_column: Column | None = None,
    features: Sequence[Column] | None = None,
    encoding: str = "utf-8-sig",
) -> CSVData:
    """Read a CSV file of numbers (and perhaps a text class column) into ``X`` and ``y``.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    target : int, str or None, default -1
        The target column, by position (negative counts from the end; default the last
        column) or by header name. None: every column is a feature and ``y`` is None.
    header : {'infer', True, False}, default 'infer'
        Whether the first non-blank row holds column names. 'infer' says yes when every cell
        of that row is text and some column below it is numeric.
    delimiter : str, optional
        One character, or ``'whitespace'`` for runs of spaces and tabs. None sniffs it from the
        first 50 rows: semicolon, comma, tab, then whitespace; the first that splits every
        row into the same number (> 1) of fields wins.
    categorical : bool, optional
        Whether the target holds classes. None: classes when any target cell is text. True
        turns a numeric column (``1, 2, 3``) into codes too; codes are 0..k-1 in sorted order.
    id_column : int or str, optional
        A column kept as row names (text allowed) in ``ids``, not in ``X``.
    features : sequence of int or str, optional
        The feature columns, in the order ``X`` gets them; other columns are skipped (text
        allowed there). None: every column but the target and the id column.
    encoding : str, default 'utf-8-sig'
        The file's text encoding ('utf-8-sig' reads UTF-8 with or without a BOM).

    Returns
    -------
    CSVData
        ``X``, ``y``, ``feature_names``, ``target_name``, ``classes``, ``ids``; unpacks as
        ``X, y``.

    Raises
    ------
    FileFormatError
        ``file:line:column: problem`` for a missing file, a directory, a binary or undecodable
        file, an empty file, a header without rows, a ragged row, an empty, text, NaN or
        infinite cell where a number is needed. Problems of the whole file point at 1:1.
    ConfigError
        An unknown column name, an out-of-range position, or a bad ``delimiter``.

    Example
    -------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "seeds.txt")
    >>> _ = open(path, "w").write("15.26\\t14.84\\t1\\n14.88\\t\\t14.57\\t2\\n")
    >>> data = load_csv(path, categorical=True)
    >>> data.X.tolist(), data.y.tolist(), data.classes
    ([[15.26, 14.84], [14.88, 14.57]], [0, 1], ('1', '2'))
    """
    _check_arguments(header, delimiter)
    if not isinstance(encoding, str):
        raise ConfigError(f"load_csv: encoding must be a codec name such as 'utf-8', got "
                          f"{encoding!r}")
    categorical = boolean(categorical, "load_csv: categorical", allow_none=True)
    name = os.fspath(file_path(path, "load_csv"))
    records = read_records(read_text(Path(path), encoding), name, delimiter)
    if not records:
        raise FileFormatError(f"{name}:1:1: empty file: no rows; expected a table of numbers")
    width_line = records[0].line
    names, records = _split_header(records, header, name)
    n_cols = len(names)
    _check_rectangular(records, n_cols, width_line, name)
    target_i = _resolve(target, names, "target")
    id_i = _resolve(id_column, names, "id_column")
    if target_i is not None and target_i == id_i:
        raise ConfigError(f"load_csv: target and id_column are the same column ({names[id_i]!r})")
    features = _feature_columns(features, names, (target_i, id_i))
    if not features:
        raise FileFormatError(
            f"{name}:1:1: no feature columns: the file's {n_cols} column(s) are all used as "
            "target or id; a one-column file needs target=None (every column a feature), or "
            "check the delimiter")
    X = np.empty((len(records), len(features)))
    for j, col in enumerate(features):
        X[:, j] = _numbers(records, col, f"feature column {col + 1} ({names[col]!r})", name)
    y, classes = (None, None)
    if target_i is not None:
        y, classes = _target(records, target_i, names[target_i], categorical, name)
    return CSVData(
        X=X,
        y=y,
        feature_names=tuple(names[i] for i in features),
        target_name=None if target_i is None else names[target_i],
        classes=classes,
        ids=None if id_i is None else tuple(r.fields[id_i] for r in records),
    )


def _feature_columns(chosen, names: list[str], others: tuple) -> list[int]:
    if chosen is None:
        return [i for i in range(len(names)) if i not in others]
    if isinstance(chosen, (str, int)):
        raise ConfigError(f"load_csv: features must be a list of columns, got {chosen!r}")
    columns = [_resolve(column, names, "features") for column in chosen]
    clash = [names[i] for i in columns if i in others]
    if clash or len(set(columns)) != len(columns):
        what = f"{clash[0]!r} is also the target or id column" if clash else "a column repeats"
        raise ConfigError(f"load_csv: features: {what}")
    return columns


def _check_arguments(header, delimiter) -> None:
    if not (isinstance(header, (bool, np.bool_))
            or (isinstance(header, str) and header == "infer")):
        raise ConfigError(f"load_csv: header must be 'infer', True or False, got {header!r}")
    if delimiter is None or (isinstance(delimiter, str) and delimiter == "whitespace"):
        return
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise ConfigError(
            "load_csv: delimiter must be one character, 'whitespace' or None (to sniff it), "
            f"got {delimiter!r}"
        )


def _split_header(records: list[Record], header, name: str) -> tuple[list[str], list[Record]]:
    """Column names and the data records."""
    first = records[0]
    if header == "infer":
        header = _looks_like_header(records)
    if not header:
        return [f"column_{i}" for i in range(len(first.fields))], records
    if len(records) == 1:
        raise FileFormatError(
            f"{name}:{first.last_line + 1}:1: header only: line {first.line} names the columns "
            "but no data rows follow"
        )
    return [f or f"column_{i}" for i, f in enumerate(first.fields)], records[1:]


def _looks_like_header(records: list[Record]) -> bool:
    """The first row names columns when all its cells are text and the second row has a
    number, or when one of its cells is text over a column that is numeric in every row below
    (``1,2,species`` over ``5.1,3.5,setosa`` is data: a header of numbers alone cannot be told
    from data, pass ``header=True``)."""
    first, rest = records[0].fields, records[1:]
    if not any(_is_number(f) for f in first):
        return not rest or any(_is_number(f) for f in rest[0].fields)
    return any(not _looks_numeric(cell) and cell
               and all(len(r.fields) > j and _is_number(r.fields[j]) for r in rest)
               for j, cell in enumerate(first)) and bool(rest)


def _number(cell: str) -> float:
    """``cell`` as a float, accepting what a CSV writer writes: ASCII digits, sign, point,
    exponent, nan/inf; Python's extras (``1_000``, other scripts' digits) are refused."""
    if "_" in cell or not cell.isascii():
        raise ValueError(cell)
    return float(cell)


def _looks_numeric(cell: str) -> bool:
    """What Python's float reads (``1_000`` too): such a cell is a bad number, not a name."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_number(cell: str) -> bool:
    try:
        _number(cell)
    except ValueError:
        return False
    return True


def _check_rectangular(records: list[Record], n_cols: int, width_line: int, name: str) -> None:
    for record in records:
        if len(record.fields) != n_cols:
            line, col = record.position(min(len(record.fields), n_cols))
            raise FileFormatError(
                f"{name}:{line}:{col}: ragged row: {len(record.fields)} fields, but line "
                f"{width_line} has {n_cols}; every row needs the same number of fields"
            )


def _resolve(column: Column | None, names: list[str], what: str) -> int | None:
    """A column position from a position or a header name."""
    if column is None:
        return None
    if isinstance(column, str):
        if column in names:
            return names.index(column)
        raise ConfigError(f"load_csv: {what}={column!r} is not a column; the columns are {names}")
    if isinstance(column, (int, np.integer)) and not isinstance(column, bool):
        if -len(names) <= column < len(names):
            return int(column) % len(names)
        raise ConfigError(
            f"load_csv: {what}={column} is out of range for a table of {len(names)} columns"
        )
    raise ConfigError(f"load_csv: {what} must be a column position or name, got {column!r}")


def _numbers(records: list[Record], col: int, what: str, name: str) -> np.ndarray:
    """Column ``col`` as finite floats, or an error at the first cell that is not one."""
    cells = [r.fields[col] for r in records]
    try:
        values = np.array([_number(c) for c in cells], dtype=np.float64)
        if np.isfinite(values).all():
            return values
    except ValueError:
        pass
    row = next(i for i, c in enumerate(cells) if not (_is_number(c) and math.isfinite(_number(c))))
    cell = cells[row]
    if not cell:
        problem = f"empty cell in {what}; fill it in or drop the row"
    elif _is_number(cell):
        problem = (
            f"{cell!r} in {what}; NaN and infinite values are not allowed, impute or drop them"
        )
    else:
        problem = f"text {cell!r} in {what}; it must hold numbers"
        if records[row].line == 1:
            problem += " (if line 1 is a header, pass header=True)"
    line, column = records[row].position(col)
    raise FileFormatError(f"{name}:{line}:{column}: {problem}")


def _target(records, col: int, column_name: str, categorical: bool | None, name: str):
    """The target as floats, or as class codes with the sorted class texts."""
    cells = [r.fields[col] for r in records]
    what = f"target column {col + 1} ({column_name!r})"
    numeric = all(_is_number(c) for c in cells)
    if categorical is False or numeric:
        values = _numbers(records, col, what, name)  # raises at a cell that is not a number
        if not categorical:
            return values, None
    if "" in cells:
        line, column = records[cells.index("")].position(col)
        raise FileFormatError(f"{name}:{line}:{column}: empty cell in {what}; fill it in")
    if numeric:  # classes by value: '1' and '1.0' are one class, named as first written
        values = np.array([_number(c) for c in cells])
        first = {}
        for v, c in zip(values.tolist(), cells, strict=True):
            first.setdefault(v, c)
        order = sorted(first)
        codes = {v: i for i, v in enumerate(order)}
        return np.array([codes[v] for v in values.tolist()], dtype=np.int64), tuple(
            first[v] for v in order)
    classes = tuple(sorted(set(cells)))
    codes = {c: i for i, c in enumerate(classes)}
    return np.array([codes[c] for c in cells], dtype=np.int64), classes
