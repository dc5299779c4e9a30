"""The playground's requests: start a run, train it, explain a weight, show code, downloads.

Each function takes the server (its lock, runs and uploads) and the request's arguments, and
returns what the page gets back; errors are glassnet errors, answered with their message.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np

from ..errors import ConfigError, FileFormatError, GlassnetError
from . import code
from .config import DEFAULTS, MAX_LAYERS, MAX_UNITS, OPTIONS
from .mnist import MnistRun
from .session import Points, Run

__all__ = ["get", "post", "upload"]

MAX_STEPS = 100_000  # batches one request may train


def _sid(args) -> str:
    sid = args.get("sid")
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9_-]{4,64}", sid):
        raise ConfigError("playground: the request needs the page's sid (4-64 letters or digits)")
    return sid


def _steps(args) -> int:
    steps = args.get("steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise ConfigError(f"playground: steps must be a whole number from 0 to {MAX_STEPS}, got "
                          f"{steps!r}")
    return steps


def post(server, name: str, args: dict) -> dict:
    """``run`` (new settings), ``step`` (train), ``frame`` (redraw) or ``explain``."""
    sid = _sid(args)
    with server.lock:
        if name == "run":
            config = args.get("config", {})
            if not isinstance(config, dict):
                raise ConfigError("playground: config must be a JSON object of settings")
            kind = MnistRun if config.get("data") == "mnist" else Run
            run = kind(config, server.uploads)
            server.keep(sid, run)
            return {"meta": run.meta(), "frame": run.frame()}
        run = server.run_of(sid)
        since = args.get("since", 0)
        since = since if isinstance(since, int) and since >= 0 else 0
        if name in ("step", "frame"):
            if name == "step":
                run.train_epoch() if args.get("epoch") else run.train(_steps(args))
            frame = run.frame(since)
            if isinstance(args.get("explain"), dict):
                frame["explain"] = _explain(run, args["explain"])
            return frame
        if name == "explain":
            return _explain(run, args)
    raise ConfigError(f"playground: no such request {name!r}")


def _explain(run, args: dict) -> dict:
    return run.explain(weight=args.get("weight"), neuron=args.get("neuron"))


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def data_csv(run) -> str:
    """Every point of the run's data set as CSV (x1, x2, target), in the order it was made."""
    if run.task == "images":
        raise ConfigError("playground: the MNIST view's data is glassnet.datasets.mnist."
                          "load_data() (see show code), not a CSV download")
    p, out = run.points, io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*p.names, p.target])
    labels = [p.classes[int(v)] for v in p.y] if p.classes is not None else \
        [repr(float(v)) for v in p.y]
    for (a, b), label in zip(p.X.tolist(), labels, strict=True):
        writer.writerow([repr(a), repr(b), label])
    return out.getvalue()


def _model_bytes(server, run) -> bytes:
    path = Path(server.folder.name) / "playground.safetensors"
    run.model.save(path)
    return path.read_bytes()


def get(server, name: str, args: dict) -> tuple[bytes, str, dict]:
    """``options``; ``code``, ``model`` and ``data`` of a page's run."""
    if name == "options":
        body = {**OPTIONS, "defaults": DEFAULTS, "max_units": MAX_UNITS,
                "max_layers": MAX_LAYERS, "max_upload": server.max_upload}
        return json.dumps(body).encode(), "application/json", {}
    with server.lock:
        run = server.run_of(_sid(args))
        if name == "code":
            return code.python_script(run).encode(), "text/x-python; charset=utf-8", \
                _attachment("playground_run.py")
        if name == "model":
            return _model_bytes(server, run), "application/octet-stream", \
                _attachment("playground.safetensors")
        if name == "data":
            return data_csv(run).encode(), "text/csv; charset=utf-8", _attachment("data.csv")
    raise ConfigError(f"playground: no such request {name!r}")


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]", "_", Path(str(name)).name)[:80].lstrip(".")
    return base or "upload.csv"


def _integer_classes(y: np.ndarray) -> bool:
    return bool(np.all(y == np.round(y))) and len(np.unique(y)) <= 10


def upload(server, name: str, body: bytes) -> dict:
    """Read an uploaded CSV with :func:`glassnet.data.load_csv`: two feature columns and a
    class (text, or at most 10 whole numbers) or numeric target column."""
    key = hashlib.sha256(body).hexdigest()[:16]
    folder = Path(server.folder.name) / key
    folder.mkdir(exist_ok=True)
    path = folder / _safe_name(name)
    path.write_bytes(body)
    try:
        table = _read_table(path)
    except GlassnetError as exc:  # name the file as the user knows it, not its temporary path
        raise type(exc)(str(exc).replace(str(path), path.name)) from None
    points = Points(table.X, table.y, table.classes, tuple(table.feature_names),
                    table.target_name)
    with server.lock:
        server.uploads[key] = points
    classes = table.classes
    return {"data": f"csv:{key}", "name": path.name, "rows": len(table.X),
            "classes": None if classes is None else list(classes)}


def _read_table(path: Path):
    from ..data import load_csv

    table = load_csv(path)
    if table.X.shape[1] != 2:
        raise FileFormatError(f"{path.name}: the playground draws two features, x1 and x2, "
                              f"and this file has {table.X.shape[1]} feature column(s) "
                              f"({', '.join(table.feature_names)}) besides the target "
                              f"{table.target_name!r}; keep two and the target (last)")
    if table.classes is None and _integer_classes(table.y):
        table = load_csv(path, categorical=True)
    classes = table.classes
    if classes is not None and len(classes) < 2:
        raise FileFormatError(f"{path.name}: the target {table.target_name!r} has one class "
                              f"({classes[0]!r}); a classifier needs two or more")
    return table
