"""Data for the ``glassnet`` command: bundled MNIST, Zoo and Seeds, or a CSV file, split and
scaled; and the ``data.json`` record saved beside a model so later commands scale alike.

Example
-------
>>> data = load("zoo", seed=0)
>>> data.x_train.shape, data.x_test.shape, data.classes[:2]
((75, 16), (26, 16), ('mammal', 'bird'))
>>> float(data.x_train.min()), float(data.x_train.max())
(0.0, 1.0)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import within_range
from ._files import atomic_write, read_bounded
from .data import MinMaxScaler, load_csv, train_test_split
from .errors import ConfigError, DataError, FileFormatError, ShapeError

__all__ = ["DataSet", "Scaling", "load", "load_features", "read_record", "write_record"]

BUNDLED = ("mnist", "zoo", "seeds")
RECORD_NAME = "data.json"
MAX_CLASSES = 100


class UsageError(ConfigError):
    """A command-line argument that cannot be used (exit status 2)."""


@dataclass
class Scaling:
    """How raw features become model inputs: ``(x - low) / span``."""

    low: np.ndarray | float = 0.0
    span: np.ndarray | float = 1.0

    def apply(self, x: np.ndarray, where: str = "the data") -> np.ndarray:
        """The model's float32 inputs; a value beyond float32's range is a DataError."""
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (x - self.low) / self.span
        within_range(scaled, f"{where}: the scaled features", np.float32)
        if not np.isfinite(scaled).all():
            raise DataError(f"{where}: the scaled features overflow; the values are far "
                            "outside those the model was trained on")
        return scaled.astype(np.float32)

    def to_json(self) -> dict:
        return {"low": np.asarray(self.low).tolist(), "span": np.asarray(self.span).tolist()}

    @classmethod
    def from_json(cls, record: dict) -> Scaling:
        return cls(np.asarray(record["low"], np.float64), np.asarray(record["span"], np.float64))


@dataclass
class DataSet:
    """Train and test parts, ready for the model, and what is needed to repeat the scaling."""

    name: str  # mnist, zoo, seeds or the file's name
    source: str  # what --data said (a CSV file as an absolute path)
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    target: str | None
    scaling: Scaling = field(default_factory=Scaling)
    images: bool = False

    @property
    def tabular(self) -> bool:
        return not self.images


def load(source: str, target: str | None = None, seed: int | None = 0) -> DataSet:
    """``mnist``, ``zoo``, ``seeds`` or a CSV path; tables are split 75/25, stratified, and
    min-max scaled with the training part's ranges."""
    if source == "mnist":
        from .datasets import mnist

        (x_train, y_train), (x_test, y_test) = mnist.load_data()
        return DataSet("mnist", "mnist", x_train.astype(np.float32) / 255, y_train.astype(np.int64),
                       x_test.astype(np.float32) / 255, y_test.astype(np.int64),
                       tuple(str(d) for d in range(10)), (), None, Scaling(0.0, 255.0), True)
    X, y, classes, features, target = _table(source, target)
    x_train, x_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        seed=seed)
    scaler = MinMaxScaler().fit(x_train)
    scaling = Scaling(scaler.offset_, scaler.scale_)
    bundled = source in BUNDLED
    return DataSet(source if bundled else Path(source).name,
                   source if bundled else str(Path(source).resolve()),
                   scaling.apply(x_train), y_train, scaling.apply(x_test), y_test, classes,
                   features, target, scaling)


def _table(source: str, target: str | None):
    if source in ("zoo", "seeds"):
        if target is not None:
            raise UsageError(f"--target applies to CSV files; {source} has its own target")
        from .datasets import uci

        data = uci.load_zoo() if source == "zoo" else uci.load_seeds()
        return data.data, data.target, data.target_names, data.feature_names, "class"
    _require_file(source)
    column = -1 if target is None else (int(target) if target.lstrip("-").isdigit() else target)
    table = load_csv(source, target=column, categorical=True)
    if len(table.classes) > MAX_CLASSES or len(table.classes) > len(table.y) // 2:
        raise DataError(f"{source}: target column {table.target_name!r} has "
                        f"{len(table.classes)} different values in {len(table.y)} rows; "
                        "glassnet train classifies, so the target must hold a few classes "
                        "(choose another with --target)")
    if len(table.classes) < 2:
        raise DataError(f"{source}: target column {table.target_name!r} holds one class only")
    return table.X, table.y, table.classes, table.feature_names, table.target_name


def _require_file(path: str, hint: str = "--data takes mnist, zoo, seeds or a CSV file") -> None:
    if not os.path.isfile(path):
        what = "a directory" if os.path.isdir(path) else "no such file"
        raise UsageError(f"{path}: {what}; {hint}")


def require_model_file(path: str) -> None:
    """A UsageError unless ``path`` is a file that starts as a safetensors file does (an 8-byte
    header length that fits the file, then a JSON object): a CSV table passed where the model
    goes is named as such, not parsed as a model."""
    _require_file(path, "expected a model file saved by glassnet train")
    with open(path, "rb") as f:
        head = f.read(9)
    length = int.from_bytes(head[:8], "little")
    if len(head) < 9 or head[8:9] != b"{" or length > os.path.getsize(path) - 8:
        table = "; a CSV table goes after the model (glassnet predict MODEL FILE.csv) or to " \
                "--data" if path.lower().endswith((".csv", ".txt")) else ""
        raise UsageError(f"{path}: not a glassnet model file; pass the model.safetensors that "
                         "glassnet train saved in its output folder (by default "
                         f"glassnet-runs/<timestamp>/model.safetensors){table}")


def load_features(path: str, record: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """Scaled features (and the target, when the file has the model's target column)."""
    _require_file(path, "expected a CSV file with the model's feature columns")
    target = record.get("target")
    table = _read_table(path, target, list(record["feature_names"]))
    if table.y is None:
        X, y = table.X, None
    else:
        classes = list(record["classes"])
        unknown = sorted(set(table.classes) - set(classes))
        if unknown:
            raise DataError(f"{path}: column {target!r} holds classes {unknown} that the "
                            f"model does not know ({', '.join(classes)})")
        X = table.X
        y = np.array([classes.index(table.classes[c]) for c in table.y], dtype=np.int64)
    expected = len(record["feature_names"])
    if X.shape[1] != expected:
        raise ShapeError(f"{path}: has {X.shape[1]} feature columns but the model takes "
                         f"{expected} ({', '.join(record['feature_names'])})")
    scaled = Scaling.from_json(record["scaling"]).apply(X, path)
    return scaled, y


def _read_table(path: str, target: str | None, feature_names: list[str]):
    """The model's columns: by header name when the file has them (other columns, such as a
    text name column, are skipped), else by position; with the target when the file has it."""
    error = None
    for column in dict.fromkeys([target, None]):
        for features in (feature_names, None):
            try:
                return load_csv(path, target=column, categorical=column is not None or None,
                                features=features)
            except ConfigError as exc:  # no such target or feature names: the next reading
                error = exc
    raise error


def write_record(folder: Path, data: DataSet, seed) -> Path:
    """Save how the data was prepared, for ``evaluate`` and ``predict``."""
    path = folder / RECORD_NAME
    atomic_write(path, json.dumps({
        "source": data.source, "target": data.target, "classes": list(data.classes),
        "feature_names": list(data.feature_names), "images": data.images, "seed": seed,
        "scaling": data.scaling.to_json()}, indent=1).encode(), "the data record")
    return path


def record_path(model_path: str) -> Path:
    return Path(model_path).parent / RECORD_NAME


def refuse_overwrite(output: Path, keep: dict[str, str | Path]) -> None:
    """A UsageError when ``output`` is one of the files in ``keep`` (what: path)."""
    for what, path in keep.items():
        same = os.path.exists(output) and os.path.exists(path) and os.path.samefile(output, path)
        if same or Path(os.path.abspath(output)) == Path(os.path.abspath(path)):
            raise UsageError(f"--output {output} is {what}; writing there would destroy it. "
                             "Give another file name")


def read_record(model_path: str) -> dict | None:
    """The ``data.json`` beside a model file, if there is one."""
    path = record_path(model_path)
    if not path.is_file():
        return None
    try:
        record = json.loads(read_bounded(path, "glassnet", 2**24).decode("utf-8"))
        _check_record(record)
    except (ValueError, TypeError, KeyError) as exc:  # JSON, UTF-8 or a field of the wrong kind
        raise FileFormatError(f"{path}: not a data.json written by glassnet train ({exc}); "
                              "remove it, or train again") from None
    return record


def _check_record(record) -> None:
    """Every field ``evaluate`` and ``predict`` use, of the kind ``write_record`` writes."""
    texts = (record["source"], *record["classes"], *record["feature_names"])
    if not all(isinstance(t, str) for t in texts) or not isinstance(record["images"], bool):
        raise ValueError("source, classes and feature_names must be text, images a bool")
    if record["target"] is not None and not isinstance(record["target"], str):
        raise ValueError("target must be text or null")
    if not record["classes"]:
        raise ValueError("no classes")
    scaling = Scaling.from_json(record["scaling"])
    for part in (scaling.low, scaling.span):
        if part.ndim > 1 or (part.ndim == 1 and len(part) != len(record["feature_names"])) \
                or not np.isfinite(part).all() or (part is scaling.span and (part <= 0).any()):
            raise ValueError("the scaling does not fit the feature columns")


def labelled_data(args, record, missing_target: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(x, y, source) for a saved model's command: ``--data`` or the data.json's source, with the
    targets (``missing_target`` ends the error when the file has no target column)."""
    source = args.data or (record or {}).get("source")
    if source is None:
        raise UsageError(f"{args.model}: no data.json beside it; pass --data")
    if record is not None and source not in BUNDLED:
        x, y = load_features(source, record)
        if y is None:
            raise UsageError(f"{source}: has no column {record['target']!r}{missing_target}")
        return x, y, source
    data = load(source, args.target, (record or {}).get("seed", 0))
    return data.x_test, data.y_test, source
