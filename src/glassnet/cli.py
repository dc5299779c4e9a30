"""The ``glassnet`` command: train, evaluate, predict, summary, explain and demo.

``glassnet train`` with no arguments trains the seeds' MNIST model (784-128 relu-10 softmax,
Adam, batch 32, 5 epochs) on the bundled MNIST, prints the test accuracy and a per-class
report, and saves the model, the history plot and a confusion-matrix plot in
``./glassnet-runs/<timestamp>/``. Errors print one line on stderr: exit status 2 for a
usage error (a bad option, a missing file, an unknown column), 1 for a failure (data that does
not fit the model, a malformed file); ``--debug`` shows the traceback instead.

Example
-------
>>> main(["explain"])  # doctest: +ELLIPSIS
One training step of model 'worked' (loss half_sum_squared_error, learning rate 0.5)
...
0
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import traceback
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np

from . import _cli_data, _cli_explain
from ._files import atomic_write
from .course import _cli as course_cli
from .errors import ConfigError, DataError, GlassnetError

__all__ = ["main"]

DEMOS = ("xor", "gates", "streetlights", "worked-example")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    top = _Parser(prog="glassnet", description="Neural networks you can see through.")
    top.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    common = _Parser(add_help=False)  # --debug also after the command, left unset if absent
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks of errors")
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = sub.add_parser("train", parents=[common],
                           help="train a model and save it with its plots")
    _data_option(train)
    train.add_argument("--hidden", default=None, help="hidden layer sizes, e.g. 128,64 "
                       "(default 128 for mnist, 16 for tables)")
    train.add_argument("--activation", default="relu", help="hidden activation (relu)")
    train.add_argument("--epochs", type=int, help="default 5 for mnist, 100 for tables")
    train.add_argument("--batch-size", type=int, help="default 32 for mnist, 16 for tables")
    train.add_argument("--optimizer", default="adam", choices=("adam", "sgd", "rmsprop"))
    train.add_argument("--lr", type=float, help="learning rate (default: the optimizer's for "
                       "mnist, 0.01 for tables)")
    train.add_argument("--seed", type=int, default=0, help="for weights, split, shuffling")
    train.add_argument("--out", help="output folder (default ./glassnet-runs/<timestamp>)")
    train.add_argument("--cv", type=int, metavar="K", help="k-fold cross-validation on a table "
                       "instead of one split")
    train.add_argument("--quiet", action="store_true", help="no progress bar or report")
    evaluate = sub.add_parser("evaluate", parents=[common],
                              help="accuracy and report of a saved model")
    evaluate.add_argument("model", help="a model file saved by glassnet train")
    _data_option(evaluate, default=None)
    predict = sub.add_parser("predict", parents=[common], help="predict the rows of a CSV file")
    predict.add_argument("model")
    predict.add_argument("file", help="a CSV file with the model's feature columns")
    predict.add_argument("--output", help="default: FILE's name + .predictions.csv")
    summary = sub.add_parser("summary", parents=[common],
                             help="layers and parameters of a saved model")
    summary.add_argument("model")
    _cli_explain.add_parser(sub, common)
    demo = sub.add_parser("demo", parents=[common], help="the seeds' small examples")
    demo.add_argument("name", choices=DEMOS)
    course_cli.add_parser(sub, common)
    playground = sub.add_parser("playground", parents=[common],
                                help="train and watch a network in the browser")
    playground.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: "
                            "a free one)")
    playground.add_argument("--no-browser", action="store_true", help="only print the URL")
    return top


def _data_option(parser, default="mnist") -> None:
    parser.add_argument("--data", default=default, help="mnist, zoo, seeds or FILE.csv"
                        + (" (default mnist)" if default else " (default: as trained)"))
    parser.add_argument("--target", help="the CSV column to predict (default the last)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args = _parser().parse_args(argv)
    command = {"train": _train, "evaluate": _evaluate, "predict": _predict,
               "summary": _summary, "explain": _explain, "demo": _demo,
               "course": course_cli.run, "playground": _playground}[args.command]
    try:
        command(args)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except (GlassnetError, OSError, ValueError, ImportError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"glassnet {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, (_cli_data.UsageError, ConfigError)) else 1
    return 0


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror.lower()}; check the path and its permissions"
    return " ".join(str(exc).split()) or type(exc).__name__


def _playground(args) -> None:
    from . import playground

    playground.serve(port=args.port, open_browser=not args.no_browser)


# -- train -----------------------------------------------------------------------------------
def _build(data, args):
    from . import Sequential, optimizers
    from .layers import Dense, Flatten

    hidden = args.hidden or ("128" if data.images else "16")
    try:
        sizes = [int(h) for h in hidden.split(",") if h.strip()]
    except ValueError:
        raise _cli_data.UsageError(f"--hidden takes sizes like 128,64, got {hidden!r}") from None
    layers = [Flatten(input_shape=data.x_train.shape[1:])] if data.images else []
    layers += [Dense(n, activation=args.activation) for n in sizes]
    model = Sequential([*layers, Dense(len(data.classes), activation="softmax")],
                       name=f"{data.name.replace('.', '_')}_classifier")
    if not data.images:
        model.build(data.x_train.shape[1:])
    lr = args.lr if args.lr is not None else (None if data.images else 0.01)
    optimizer = optimizers.get(args.optimizer, **({} if lr is None else {"learning_rate": lr}))
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit_options(data, args) -> dict:
    defaults = (5, 32) if data.images else (100, 16)
    return {"epochs": defaults[0] if args.epochs is None else args.epochs,
            "batch_size": defaults[1] if args.batch_size is None else args.batch_size}


def _train(args) -> None:
    from .utils import set_random_seed

    data = _cli_data.load(args.data, args.target, args.seed)
    set_random_seed(args.seed)
    if args.cv:
        _cross_validate(data, args)
        return
    from . import io  # noqa: F401  (fails now, not after training, without safetensors)
    with _run_folder(args.out) as out:  # likewise an output folder that cannot be made
        _train_into(out, data, args)


def _train_into(out: Path, data, args) -> None:
    model = _build(data, args)
    options = _fit_options(data, args)
    if not args.quiet:
        print(f"Training {model.name} on {data.name}: {len(data.x_train)} training and "
              f"{len(data.x_test)} test samples, layers {_widths(model)}, {args.optimizer}, "
              f"{options['epochs']} epochs, batch {options['batch_size']}", flush=True)
    bar = sys.stdout.isatty() and data.images  # a live bar on terminals, else a line per epoch
    history = model.fit(data.x_train, data.y_train, **options, seed=args.seed,
                        verbose=0 if args.quiet else (1 if bar else 2))
    loss, accuracy = model.evaluate(data.x_test, data.y_test)
    print(f"Test accuracy: {accuracy:.4f} (loss {loss:.4f}) on {len(data.x_test)} samples")
    predicted = model.predict(data.x_test)
    if not args.quiet:
        from .metrics.classification import classification_report

        print(classification_report(data.y_test, predicted, labels=range(len(data.classes)),
                                    target_names=list(data.classes), digits=3))
    saved = _save_run(out, model, data, history, predicted, args.seed)
    print(f"Saved in {out}/: " + ", ".join(saved))


def _widths(model) -> str:
    return "-".join(str(d) for d in (int(np.prod(model.input_shape)),
                                     *(layer.units for layer in model._leaf_layers()
                                       if hasattr(layer, "units"))))


def _cross_validate(data, args) -> None:
    from .model_selection import cross_validate

    if data.images:
        raise _cli_data.UsageError("--cv works on tables (zoo, seeds or a CSV file), not mnist")
    X = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    result = cross_validate(lambda: _build(data, args), X, y, n_folds=args.cv,
                            fit_kwargs=_fit_options(data, args), seed=args.seed, stratify=True)
    for k, score in enumerate(result.scores, 1):
        print(f"fold {k}: accuracy {score:.4f}")
    print(f"{args.cv}-fold cross-validation accuracy: {result.mean:.4f} +- {result.std:.4f}")


@contextlib.contextmanager
def _run_folder(out: str | None) -> Iterator[Path]:
    """The output folder, made before training; removed again if the run fails before saving."""
    folder = Path(out) if out else Path("glassnet-runs") / datetime.now().strftime(
        "%Y%m%d-%H%M%S")
    base, k = folder, 2
    while out is None and folder.exists():
        folder, k = Path(f"{base}-{k}"), k + 1
    created = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    except BaseException:
        for path in created:
            with contextlib.suppress(OSError):
                path.rmdir()  # only while empty: files already saved stay
        raise


def _save_run(folder: Path, model, data, history, predicted, seed) -> list[str]:
    """The model, how its inputs are scaled, and the plots (when matplotlib is there)."""
    model.save(folder / "model.safetensors")
    _cli_data.write_record(folder, data, seed)
    saved = ["model.safetensors", "data.json"]
    try:
        from . import plot

        plot.plot_history(history, path=folder / "history.png")
        plot.confusion_matrix(data.y_test, predicted, labels=range(len(data.classes)),
                              class_names=data.classes, path=folder / "confusion.png")
        saved += ["history.png", "confusion.png"]
        if data.images:  # the seed's 4x4 grid: the first test images, mistakes in red
            plot.image_grid(data.x_test, data.y_test, predicted, path=folder / "samples.png")
            saved.append("samples.png")
    except ImportError:
        saved.append("(no plots: pip install matplotlib)")
    return saved


# -- using a saved model ---------------------------------------------------------------------
def _load(path: str):
    from .models import load_model

    _cli_data.require_model_file(path)
    return load_model(path), _cli_data.read_record(path)


def _evaluate(args) -> None:
    from .metrics.classification import classification_report

    model, record = _load(args.model)
    x, y, source = _cli_data.labelled_data(args, record, " to compare with; use glassnet predict")
    loss, accuracy = model.evaluate(x, y)
    print(f"Accuracy: {accuracy:.4f} (loss {loss:.4f}) on {len(x)} samples of {source}")
    names = list(record["classes"]) if record else None
    print(classification_report(y, model.predict(x), labels=range(model.output_shape[-1]),
                                target_names=names, digits=3))


def _predict(args) -> None:
    import csv

    model, record = _load(args.model)
    if record is None or record.get("images"):
        raise _cli_data.UsageError(f"{args.model}: predict reads CSV tables for models "
                                   "trained on tables (it needs the data.json beside them)")
    output = Path(args.output or Path(args.file).with_suffix(".predictions.csv"))
    _cli_data.refuse_overwrite(output, {"the model": args.model, "the input FILE": args.file,
                                        "the model's data.json": _cli_data.record_path(
                                            args.model)})
    x, _ = _cli_data.load_features(args.file, record)
    probabilities = model.predict(x)
    classes = record["classes"]
    if probabilities.shape[1:] != (len(classes),):
        raise _cli_data.UsageError(f"{args.model}: the model has {probabilities.shape[1:]} "
                                   f"outputs but its data.json lists {len(classes)} classes")
    text, unscored = io.StringIO(), []
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["row", "predicted", *(f"p_{c}" for c in classes)])
    for i, p in enumerate(probabilities):
        if not np.isfinite(p).all():  # no class can be read from NaN or inf outputs
            unscored.append(i + 1)
            writer.writerow([i + 1, "NA", *("NA" for _ in p)])
            continue
        writer.writerow([i + 1, classes[int(np.argmax(p))], *(f"{v:.6f}" for v in p)])
    atomic_write(output, text.getvalue().encode("utf-8"), "the predictions")
    print(f"Wrote {len(x)} predictions to {output}")
    if unscored:
        shown = ", ".join(map(str, unscored[:10])) + (" ..." if len(unscored) > 10 else "")
        raise DataError(f"{len(unscored)} row(s) have no prediction (written as NA): the "
                        f"model's outputs overflowed on them (rows {shown}); their values are "
                        "far outside the training data")


def _summary(args) -> None:
    model, record = _load(args.model)
    model.summary()
    if record:
        print(f"Trained on {record['source']}; classes: {', '.join(record['classes'])}")


def _explain(args) -> None:
    _cli_explain.run(args)


def _demo(args) -> None:
    from . import _cli_demos

    _cli_demos.run(args.name)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
