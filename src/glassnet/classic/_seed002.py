"""Seed 002's small helpers, under the seed's names: one neuron's ``transfer`` and
``activate``, ``transfer_derivative``, and the Animals quest's ``load_csv``, ``str_to_float``
and ``str_to_int`` for row lists (the table as read, a list of rows of strings).

Example
-------
>>> transfer([0.5, -1.0, 0.25], [2.0, 1.0])   # bias last: 0.25 + 0.5 * 2 - 1 * 1
0.25
>>> round(activate(0.0), 3), transfer_derivative(0.5)
(0.5, 0.25)
>>> data = [["1.5", " cat"], ["2", "dog"], ["0.5", "cat"]]
>>> str_to_float(data, 0); str_to_int(data, 1), [row[1] for row in data]
({'cat': 0, 'dog': 1}, [0, 1, 0])
"""

from __future__ import annotations

import csv
import math
import os

from ..errors import DataError, FileFormatError
from .rowlist import str_column_to_float, str_column_to_int

__all__ = ["activate", "load_csv", "str_to_float", "str_to_int", "transfer",
           "transfer_derivative"]


def transfer(weights, inputs) -> float:
    """A neuron's net input: ``weights[-1]`` (its bias) plus ``sum(weights[i] * inputs[i])``."""
    if len(weights) < 1 or len(inputs) < len(weights) - 1:
        raise DataError(f"transfer: {len(weights)} weights (the last one the bias) need at "
                        f"least {len(weights) - 1} inputs, got {len(inputs)}")
    return float(weights[-1]) + math.fsum(float(w) * float(x)
                                          for w, x in zip(weights[:-1], inputs, strict=False))


def activate(transferred: float) -> float:
    """The sigmoid 1 / (1 + e^-x), stable for any x."""
    x = float(transferred)
    return 0.5 * (1.0 + math.tanh(0.5 * x))


def transfer_derivative(output: float) -> float:
    """The sigmoid's derivative from its output: ``output * (1 - output)``."""
    return float(output) * (1.0 - float(output))


def load_csv(filename) -> list[list[str]]:
    """Every non-empty row of a CSV file, as lists of strings (the seed's reader)."""
    if not os.path.isfile(filename):
        raise FileFormatError(f"load_csv: {filename}: no such file")
    try:
        with open(filename, newline="", encoding="utf-8") as file:
            return [row for row in csv.reader(file) if row]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileFormatError(f"load_csv: {filename} is not a readable CSV text file "
                              f"({exc})") from None


def str_to_float(dataset, column: int) -> None:
    """Convert column ``column`` from text to float, in place (stripping spaces)."""
    str_column_to_float(dataset, column)


def str_to_int(dataset, column: int) -> dict:
    """Replace each value of column ``column`` by an integer code; return value -> code.

    Values are stripped of spaces first; codes follow the sorted values, so runs agree.
    """
    for row in dataset if isinstance(dataset, list) else ():
        if isinstance(row, list) and -len(row) <= column < len(row) and \
                isinstance(row[column], str):
            row[column] = row[column].strip()
    return str_column_to_int(dataset, column)
