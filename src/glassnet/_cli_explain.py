"""``glassnet explain``: one training step written out, for the worked example or a saved model.

Without a model it explains seed 001's worked example (biases fixed, as the seed keeps them).
With one, it reads rows of a data file (``--data``: mnist, zoo, seeds or a CSV table; by default
what the model was trained on) and explains the weight or neuron named by ``--weight`` /
``--neuron`` for those rows (``--rows 0,3`` or ``--rows 0-9``; their batch mean), as text,
Markdown or self-contained HTML (``--format``, ``--output FILE``).

Example
-------
>>> rows("0-2,5")
[0, 1, 2, 5]
"""

from __future__ import annotations

from pathlib import Path

from . import _cli_data

__all__ = ["add_parser", "rows", "run"]


def add_parser(sub, common) -> None:
    explain = sub.add_parser("explain", parents=[common],
                             help="one training step written out: seed 001's worked example, "
                                  "or any weight of a saved model")
    explain.add_argument("model", nargs="?", help="a model file saved by glassnet train "
                         "(default: seed 001's worked example)")
    explain.add_argument("--data", help="mnist, zoo, seeds or FILE.csv (default: as trained)")
    explain.add_argument("--target", help="the CSV column to predict (default the last)")
    explain.add_argument("--rows", default="0", help="rows of the data: 0,3 or 0-9 "
                         "(default 0); their batch mean is explained")
    explain.add_argument("--weight", help='e.g. "dense_1/kernel[3, 7]" or "dense_1/bias[7]"')
    explain.add_argument("--neuron", help='e.g. "dense_1[7]"')
    explain.add_argument("--format", choices=("text", "markdown", "html"), default="text")
    explain.add_argument("--markdown", action="store_true", help="the same as --format markdown")
    explain.add_argument("--output", help="write to FILE instead of printing")


def rows(text: str) -> list[int]:
    """Row numbers from ``0,3,5`` and ranges ``0-9``."""
    picked = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            picked += list(range(int(low), int(high or low) + 1))
    except ValueError:
        raise _cli_data.UsageError(f"--rows {text!r}: write row numbers such as 0,3 or 0-9") \
            from None
    if not picked or min(picked) < 0:
        raise _cli_data.UsageError(f"--rows {text!r}: rows are numbered from 0")
    return picked


def _explanation(args):
    from . import explain
    from ._cli_demos import WORKED_X, WORKED_Y, worked_example

    options = {"weight": args.weight, "neuron": args.neuron}
    if args.model is None:
        return explain(worked_example().model, WORKED_X, WORKED_Y, **options)
    from .models import load_model

    _cli_data.require_model_file(args.model)
    model, record = load_model(args.model), _cli_data.read_record(args.model)
    if args.weight is None and args.neuron is None:
        raise _cli_data.UsageError("explain MODEL: name what to explain, e.g. --weight "
                                   f"\"{model._leaf_layers()[-1].name}/kernel[0, 0]\" or --neuron "
                                   f"\"{model._leaf_layers()[-1].name}[0]\"")
    x, y, _ = _cli_data.labelled_data(args, record, "; explain needs the targets")
    picked = rows(args.rows)
    if max(picked) >= len(x):
        raise _cli_data.UsageError(f"--rows {args.rows}: the data has {len(x)} rows "
                                   f"(0 to {len(x) - 1})")
    return explain(model, x[picked], y[picked], **options)


def run(args) -> None:
    step = _explanation(args)
    form = "markdown" if args.markdown else args.format
    if form == "html":
        text = step.to_html(full=True)
    else:
        text = step.to_markdown() if form == "markdown" else str(step)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"Wrote the explanation to {args.output}")
    else:
        print(text)
