"""``glassnet course [FOLDER]``: copy the course's notebooks into a folder and say how to open
them."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub, common) -> None:
    """Add the ``course`` command to the ``glassnet`` parser."""
    course = sub.add_parser("course", parents=[common],
                            help="copy the seeds' course notebooks (Korean and English) into a "
                                 "folder")
    course.add_argument("folder", nargs="?", default="glassnet-course",
                        help="where to put them (default ./glassnet-course)")
    course.add_argument("--lang", choices=("en", "ko", "both"), default="both",
                        help="which language (default both)")
    course.add_argument("--teacher", action="store_true",
                        help="the teacher's version, with the exercises' solutions")
    course.add_argument("--overwrite", action="store_true",
                        help="replace notebooks already in the folder (default: keep them)")


def run(args) -> None:
    """Copy the notebooks and print what was copied and how to open them."""
    from . import copy_to

    langs = ("en", "ko") if args.lang == "both" else (args.lang,)
    folder = Path(args.folder)
    copied, kept = copy_to(folder, langs, teacher=args.teacher, overwrite=args.overwrite)
    version = "teacher's notebooks (with solutions)" if args.teacher else "notebooks"
    print(f"copied {len(copied)} {version} into {folder.resolve()}"
          + (f"; kept {len(kept)} already there (--overwrite replaces them)" if kept else ""))
    for path in copied + kept:
        print(f"  {path}")
    print("open them with Jupyter:")
    print("  pip install jupyterlab   # once, if Jupyter is not installed")
    print(f"  jupyter lab {folder}")
    print("(or open the .ipynb files in VS Code / PyCharm; they run offline on bundled data)")
