"""Student self-check: ``dlgd check PATH.ipynb``.

Executes a notebook anywhere on disk (in its own folder, in a fresh kernel, the file itself
untouched), then reports every graded test cell of the notebook as one part: passed when
the cell ran without error and wrote nothing to stderr (nbgrader's rule; known warnings are
ignored as the course autograder does). A student version holds only the visible tests, so
a pass here is necessary, not sufficient, for full marks.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CELL_TIMEOUT_S = 600

# stderr chunks matching this are dropped before scoring, here and by the course's autograder
# (nbgrader's IgnorePattern): Python warnings (any category, formatted by warnings.showwarning
# as "<file>:<line>: <Category>Warning: ..."), and the INFO banners Lightning prints when a
# Trainer starts.
IGNORED_STDERR = (
    r"(?m)(\w*Warning: )"
    r"|(^(GPU|TPU|HPU|IPU) available: )"
    r"|(LOCAL_RANK: \d+ - CUDA_VISIBLE_DEVICES)"
    r"|(`Trainer\.fit` stopped: )"
)
# IPython's traceback entry of a notebook cell: "Cell In[5], line 3, in rk4(tendency, state, dt)"
_CELL_FRAME = re.compile(r"Cell In\[\d+\], line \d+, in (\w+)\(")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class PartResult:
    """Outcome of one graded test cell."""

    grade_id: str
    points: float
    passed: bool
    message: str

    @property
    def part(self) -> str:
        return self.grade_id.removeprefix("test_")


def _nbgrader(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


def _unwritten_function(output: Any) -> str | None:
    """The notebook function that raised, from an error output's traceback."""
    frames = _CELL_FRAME.findall(_ANSI.sub("", "\n".join(output.get("traceback", []))))
    return frames[-1] if frames else None


def _failure(cell: Any, ignored_stderr: str) -> str | None:
    """Why a graded cell failed, or None when it passed."""
    if cell.get("execution_count") is None and not cell.get("outputs"):
        return "not executed (an earlier cell stopped the run)"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "NotImplementedError":
                function = _unwritten_function(output)
                where = f"`{function}`" if function else "this part (or a function it uses)"
                return f"NotImplementedError: {where} is not written yet"
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = output.get("text", "")
            if not re.search(ignored_stderr, text):
                first = text.strip().splitlines()[0] if text.strip() else ""
                return f"wrote to stderr: {first}"
    return None


def check_notebook(
    path: Path | str, cell_timeout: int = DEFAULT_CELL_TIMEOUT_S, kernel_name: str | None = None
) -> list[PartResult]:
    """Execute the notebook at ``path`` and return one result per graded test cell.

    Raises ``ValueError`` when the file is missing, not a notebook, or has no graded cells.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ValueError(f"no such notebook: {path}")
    if cell_timeout <= 0:
        raise ValueError(f"cell_timeout must be positive seconds, got {cell_timeout!r}")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types on bad input
        raise ValueError(f"{path} is not a readable Jupyter notebook: {error}") from None
    graded = [c for c in nb.cells if c.cell_type == "code" and _nbgrader(c).get("grade")]
    if not graded:
        raise ValueError(f"{path.name} has no graded test cells (nbgrader metadata missing?)")
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name=kernel_name or nb.metadata.get("kernelspec", {}).get("name", "python3"),
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The kernel's own stderr (ipykernel's start-up notices) would clutter the report.
    client.execute(stderr=subprocess.DEVNULL)
    results = []
    for cell in graded:
        meta = _nbgrader(cell)
        failure = _failure(cell, IGNORED_STDERR)
        results.append(
            PartResult(
                grade_id=str(meta.get("grade_id", "?")),
                points=float(meta.get("points", 0)),
                passed=failure is None,
                message=failure or "",
            )
        )
    return results


def format_table(results: list[PartResult], width: int = 100) -> str:
    """Plain-text report: one row per part (points, PASS/FAIL), each failure's whole message
    wrapped below its row, and the points the visible tests would give."""
    name_width = max(len("part"), *(len(r.part) for r in results))
    header = f"{'part':<{name_width}}  {'points':>7}  result"
    lines = [header, "-" * max(len(header), 40)]
    for r in results:
        earned = r.points if r.passed else 0.0
        lines.append(f"{r.part:<{name_width}}  {earned:>3g}/{r.points:<3g}  {'PASS' if r.passed else 'FAIL'}")
        for paragraph in r.message.splitlines():
            lines += textwrap.wrap(
                paragraph, width=width, initial_indent="    ", subsequent_indent="    "
            ) or [""]
    earned = sum(r.points for r in results if r.passed)
    total = sum(r.points for r in results)
    lines.append("-" * max(len(header), 40))
    lines.append(
        f"visible tests: {earned:g}/{total:g} points, the total you get if the hidden tests "
        "(run at grading only) pass as well"
    )
    return "\n".join(lines)


def run_check(arguments: Any) -> int:
    """``dlgd check``: print the table; exit status 0 when every part passed, else 1
    (2 when the notebook tools are not installed)."""
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as error:
        print(
            f"dlgd check needs Jupyter's notebook tools ({error.name} is missing): "
            "pip install 'dlgd-course[grading]'",
            file=sys.stderr,
        )
        return 2
    results = check_notebook(arguments.notebook, cell_timeout=arguments.timeout)
    print(f"{Path(arguments.notebook).name}")
    print(format_table(results))
    return 0 if all(r.passed for r in results) else 1


def register_check(subparsers: Any) -> None:
    """Add the ``check`` subcommand to the ``dlgd`` command line."""
    parser = subparsers.add_parser(
        "check",
        help="run an exercise notebook and its visible tests, print a pass/fail table",
        description="Execute a notebook (anywhere on disk; the file is not modified), run its "
        "visible tests and print a per-part table. Exit status 1 when a part fails.",
    )
    parser.add_argument("notebook", type=Path, help="path of the .ipynb file")
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_CELL_TIMEOUT_S,
        help=f"seconds allowed per cell (default {DEFAULT_CELL_TIMEOUT_S})",
    )
    parser.set_defaults(handler=run_check)
