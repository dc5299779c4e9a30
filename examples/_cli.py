"""The command line every example shares: ``--quick`` for the test suite's shortened run."""

from __future__ import annotations

import argparse


def parse(doc: str, argv, quick: str, figures: bool = False) -> argparse.Namespace:
    """Parse ``argv`` (None: ``sys.argv``); ``quick`` says what ``--quick`` shortens."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    if figures:
        parser.add_argument("--out", default=".", help="directory for the PNG figures")
    return parser.parse_args(argv)
