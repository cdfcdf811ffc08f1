"""Student self-check: ``dlgd check PATH.ipynb``.

Executes a notebook anywhere on disk (in its own folder, in a fresh kernel, the file itself
untouched), then reports every graded test cell of the notebook as one part: passed when
the cell ran without error and wrote nothing to stderr (nbgrader's rule; known warnings are
ignored as the course autograder does). A student version holds only the visible tests, so
a pass here is necessary, not sufficient, for full marks.

A report (a session-5 ``3T-<theme>-report`` notebook, graded by hand only: see
:func:`is_report`) has no test to pass: ``dlgd check`` runs it from top to bottom and says
whether it ran end to end (else the first cell that raised) and which written sections are
still as released.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
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
# nbgrader's text in place of a written answer's model answer in the student version
UNWRITTEN = "YOUR ANSWER HERE"
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


def _read(path: Path | str) -> tuple[Path, Any]:
    """The resolved path and the notebook at ``path``; ``ValueError`` when it is missing or
    not a notebook."""
    import nbformat

    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ValueError(f"no such notebook: {path}")
    try:
        return path, nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several unrelated types on bad input
        raise ValueError(f"{path} is not a readable Jupyter notebook: {error}") from None


def _execute(nb: Any, path: Path, cell_timeout: int, kernel_name: str | None) -> None:
    """Run every cell of ``nb`` (read from ``path``) in a fresh kernel started in the
    notebook's folder, errors kept as outputs; ``nb`` receives the outputs, the file is left
    untouched."""
    from nbclient import NotebookClient

    if cell_timeout <= 0:
        raise ValueError(f"cell_timeout must be positive seconds, got {cell_timeout!r}")
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name=kernel_name or nb.metadata.get("kernelspec", {}).get("name", "python3"),
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The kernel's own stderr (ipykernel's start-up notices) would clutter the report.
    client.execute(stderr=subprocess.DEVNULL)


def is_report(nb: Any) -> bool:
    """Whether ``nb`` is a report (a ``3T-<theme>-report`` notebook): graded by hand only, at
    least one written answer (graded markdown cell) and no graded code cell."""
    graded = [c for c in nb.cells if _nbgrader(c).get("grade")]
    return bool(graded) and all(c.cell_type == "markdown" for c in graded)


def check_notebook(
    path: Path | str, cell_timeout: int = DEFAULT_CELL_TIMEOUT_S, kernel_name: str | None = None
) -> list[PartResult]:
    """Execute the notebook at ``path`` and return one result per graded test cell.

    Raises ``ValueError`` when the file is missing, not a notebook, or has no graded cells.
    """
    path, nb = _read(path)
    graded = [c for c in nb.cells if c.cell_type == "code" and _nbgrader(c).get("grade")]
    if not graded:
        raise ValueError(f"{path.name} has no graded test cells (nbgrader metadata missing?)")
    _execute(nb, path, cell_timeout, kernel_name)
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


@dataclass(frozen=True)
class ReportRun:
    """Outcome of running a report end to end (:func:`check_report`).

    ``failure`` names the first code cell that raised (``None``: the report ran end to end);
    ``unwritten`` lists the grade ids of the written sections still as released, out of
    ``written``; ``notebook`` is the executed notebook (its outputs; the file is untouched).
    """

    code_cells: int
    failure: str | None
    unwritten: tuple[str, ...]
    written: int
    notebook: Any = field(repr=False, compare=False)


def check_report(
    path: Path | str, cell_timeout: int = DEFAULT_CELL_TIMEOUT_S, kernel_name: str | None = None
) -> ReportRun:
    """Execute the report at ``path`` from top to bottom, as a grader re-running it from a clean
    checkout would, and say whether it ran end to end and which written sections are unwritten.

    Raises ``ValueError`` when the file is missing, not a notebook, or not a report
    (:func:`is_report`).
    """
    path, nb = _read(path)
    if not is_report(nb):
        raise ValueError(f"{path.name} is not a report (written answers only, no graded test cell)")
    _execute(nb, path, cell_timeout, kernel_name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    failure = None
    for index, cell in enumerate(code, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            error = f"{errors[0].get('ename', 'Error')}: {errors[0].get('evalue', '')}".strip()
            failure = f"code cell {index} of {len(code)} (`{first_line.strip()}`) raised {error}"
            break
    written = [c for c in nb.cells if c.cell_type == "markdown" and _nbgrader(c).get("grade")]
    unwritten = tuple(str(_nbgrader(c).get("grade_id", "?")) for c in written if UNWRITTEN in c.source)
    return ReportRun(
        code_cells=len(code), failure=failure, unwritten=unwritten, written=len(written), notebook=nb
    )


def format_report(run: ReportRun) -> str:
    """Plain-text verdict of :func:`check_report`."""
    if run.failure is None:
        lines = [f"runs end to end: yes ({run.code_cells} code cells)"]
    else:
        lines = ["runs end to end: NO", f"    {run.failure}"]
    if run.unwritten:
        lines.append(
            f"written sections still to write: {len(run.unwritten)} of {run.written} "
            f"({', '.join(run.unwritten)})"
        )
    else:
        lines.append(f"written sections: all {run.written} written (graded by hand)")
    return "\n".join(lines)


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
    """``dlgd check``: print the table (a report: whether it ran end to end); exit status 0
    when every part passed (a report: when it ran end to end), else 1 (2 when the notebook
    tools are not installed)."""
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
    _, nb = _read(arguments.notebook)
    print(f"{Path(arguments.notebook).name}")
    if is_report(nb):
        run = check_report(arguments.notebook, cell_timeout=arguments.timeout)
        print(format_report(run))
        return 0 if run.failure is None else 1
    results = check_notebook(arguments.notebook, cell_timeout=arguments.timeout)
    print(format_table(results))
    return 0 if all(r.passed for r in results) else 1


def register_check(subparsers: Any) -> None:
    """Add the ``check`` subcommand to the ``dlgd`` command line."""
    parser = subparsers.add_parser(
        "check",
        help="run an exercise notebook and its visible tests, print a pass/fail table",
        description="Execute a notebook (anywhere on disk; the file is not modified), run its "
        "visible tests and print a per-part table. Exit status 1 when a part fails. A report "
        "(written answers only) is run end to end: exit status 1 when a cell raises.",
    )
    parser.add_argument("notebook", type=Path, help="path of the .ipynb file")
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_CELL_TIMEOUT_S,
        help=f"seconds allowed per cell (default {DEFAULT_CELL_TIMEOUT_S})",
    )
    parser.set_defaults(handler=run_check)
