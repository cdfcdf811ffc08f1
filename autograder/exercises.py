"""``make exercises``: regenerate every student version in ``exercises/`` from ``solutions/``.

    python -m autograder.exercises            regenerate exercises/
    python -m autograder.exercises --check    exit 1 when exercises/ is out of sync

Generation is nbgrader's ``GenerateAssignment`` (ClearSolutions, ClearHiddenTests,
ClearOutput, LockCells, checksums) with a throw-away gradebook; the result is deterministic,
so the committed student versions can be compared byte for byte.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograder.course import RELEASE_DIRECTORY
from autograder.grading import generate_all
from autograder.locate import course_root, course_root_option


def _files(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }


def out_of_sync(root: Path | str | None = None) -> list[str]:
    """Files of ``<root>/exercises`` that differ from a fresh generation (missing, extra or
    changed), as ``"<reason>: <path>"``; empty when in sync."""
    root = course_root(root)
    committed = root / RELEASE_DIRECTORY
    with tempfile.TemporaryDirectory(prefix="dlgd-exercises-") as tmp:
        fresh = Path(tmp) / RELEASE_DIRECTORY
        generate_all(root, fresh)
        expected, present = _files(fresh), _files(committed)
        problems = [f"missing: exercises/{p}" for p in sorted(expected - present)]
        problems += [f"not generated from solutions/: exercises/{p}" for p in sorted(present - expected)]
        problems += [
            f"differs from a fresh generation: exercises/{p}"
            for p in sorted(expected & present)
            if not filecmp.cmp(fresh / p, committed / p, shallow=False)
        ]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.exercises", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check that exercises/ is in sync")
    parser.add_argument(
        "--root",
        type=course_root_option,
        default="",
        help="course root (default: $DLGD_COURSE_ROOT, else the course around the current folder)",
    )
    arguments = parser.parse_args(argv)
    root = arguments.root
    if arguments.check:
        problems = out_of_sync(root)
        for problem in problems:
            print(problem)
        if problems:
            print("exercises/ is out of sync with solutions/: run `make exercises`")
        return 1 if problems else 0
    for folder in generate_all(root):
        print(f"generated {folder.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
