"""The text layer of :func:`glassnet.data.load_csv`: read, sniff, split, and locate cells.

Each record remembers its raw text and first line, so an error about field ``k`` can name the
exact ``line:column`` where that field starts.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .._files import read_bounded
from ..errors import ConfigError, FileFormatError

__all__ = ["Record", "read_records", "read_text", "sniff"]

WHITESPACE = "whitespace"
_CANDIDATES = (";", ",", "\t", WHITESPACE)  # ";" first: "1,5;2,5" has decimal commas
_SNIFF_ROWS = 50
MAX_BYTES = 2**31  # the largest CSV file load_csv reads (it holds the text and the numbers)


@dataclass(frozen=True)
class Record:
    """One CSV record: its fields (stripped), first line number and raw text."""

    fields: list[str]
    line: int
    text: str
    delimiter: str

    @property
    def last_line(self) -> int:
        return self.line + self.text.count("\n")

    def position(self, field: int) -> tuple[int, int]:
        """(line, column), 1-based, where field number ``field`` starts (past the end if absent)."""
        starts = _field_starts(self.text, self.delimiter)
        offset = starts[field] if field < len(starts) else len(self.text)
        line_start = self.text.rfind("\n", 0, offset) + 1
        return self.line + self.text.count("\n", 0, offset), offset - line_start + 1


def _field_starts(text: str, delimiter: str) -> list[int]:
    """Offsets of the first non-space character of each field (quotes respected)."""
    spaces = " \t" if delimiter == WHITESPACE else " \t".replace(delimiter, "")
    starts: list[int] = []
    pending, quoted = True, False
    for i, ch in enumerate(text):
        if quoted:
            quoted = ch != '"'
            continue
        if pending and ch not in spaces:
            starts.append(i)
            pending = False
        if ch == '"':
            quoted = True
        elif ch == delimiter or (delimiter == WHITESPACE and ch in " \t"):
            pending = True
    if pending and delimiter != WHITESPACE:
        starts.append(len(text))
    return starts


def read_text(path: Path, encoding: str) -> str:
    """The file's text, or a FileFormatError at ``file:line:column`` saying why it is not text."""
    data = read_bounded(path, "load_csv", MAX_BYTES)
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ConfigError(f"load_csv: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line, col = _locate(data[: exc.start].decode(encoding, errors="replace"))
        raise FileFormatError(
            f"{path}:{line}:{col}: byte 0x{data[exc.start]:02X} is not {encoding} text; a binary "
            "file? For text in another encoding pass encoding= (e.g. 'latin-1')"
        ) from None
    if "\0" in text:
        line, col = _locate(text[: text.index("\0")])
        raise FileFormatError(f"{path}:{line}:{col}: binary file (a NUL byte), not CSV text")
    return text


def _locate(prefix: str) -> tuple[int, int]:
    """(line, column) of the character that follows ``prefix``."""
    return prefix.count("\n") + 1, len(prefix) - prefix.rfind("\n")


def _prepared(lines: list[str], delimiter: str) -> list[str]:
    """Whitespace-separated lines become single-space separated for the csv module."""
    if delimiter != WHITESPACE:
        return lines
    return [" ".join(line.split()) for line in lines]


def _reader(lines: list[str], delimiter: str):
    sep = " " if delimiter == WHITESPACE else delimiter
    return csv.reader(_prepared(lines, delimiter), delimiter=sep, skipinitialspace=True)


def sniff(lines: list[str]) -> str:
    """The candidate delimiter that splits the first rows most consistently into > 1 fields.

    Semicolon, comma, tab, whitespace are tried in that order; the first that gives every
    sampled row the same number of fields (more than one) wins, else the one that agrees on
    the most rows, else comma (a one-column file).
    """
    sample = [line for line in lines if line.strip()][:_SNIFF_ROWS]
    best, best_agree = ",", 0
    for delimiter in _CANDIDATES:
        counts = Counter(len(row) for row in _reader(sample, delimiter) if row)
        width, agree = counts.most_common(1)[0] if counts else (0, 0)
        if width > 1 and agree == len(sample):
            return delimiter
        if width > 1 and agree > best_agree:
            best, best_agree = delimiter, agree
    return best


def read_records(text: str, name: str, delimiter: str | None) -> list[Record]:
    """The non-blank records of ``text``, split by ``delimiter`` (sniffed when None)."""
    lines = list(io.StringIO(text, newline=""))
    delimiter = delimiter or sniff(lines)
    reader = _reader(lines, delimiter)
    records, done = [], 0
    try:
        for fields in reader:
            raw = "".join(lines[done : reader.line_num]).rstrip("\r\n")
            if raw.strip():
                stripped = [f.strip() for f in fields]
                records.append(Record(stripped, done + 1, raw, delimiter))
            done = reader.line_num
    except csv.Error as exc:
        raise FileFormatError(f"{name}:{done + 1}:1: {exc}") from None
    return records
