"""Student self-check: ``dlgd check PATH.ipynb``.

Executes a notebook anywhere on disk (in its own folder, in a fresh kernel, the file itself
untouched), then reports every graded test cell of the notebook as one part: passed when
the cell ran without error and wrote nothing to stderr (nbgrader's rule; known warnings are
ignored as the course autograder does). A student version holds only the visible tests, so
a pass here is necessary, not sufficient, for full marks.

A report (a session-5 ``3T-<theme>-report`` notebook, graded by hand only: see
:func:`is_report`) has no test to pass: ``dlgd check`` runs it from top to bottom, as the
instructor will, in a temporary copy of what the group hands in (:func:`handed_in_files`: the
files of the report's folder that git tracks, or, outside a git repository, those nbgrader
collects), and says whether it ran end to end (else the first cell that raised), which files
of the folder the report uses but does not hand in, and which written sections are still as
released.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tempfile
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
class HandIn:
    """What a group hands in with its report (:func:`handed_in_files`).

    ``files`` and ``left_out`` are paths relative to the report's folder: the files handed in,
    and those of the folder that are not (untracked by git, or skipped by nbgrader's collection);
    ``rule`` says which rule chose them, in words.
    """

    files: tuple[str, ...]
    left_out: tuple[str, ...]
    rule: str


def _git_files(folder: Path, *options: str) -> tuple[str, ...] | None:
    """``git ls-files`` of ``folder`` (relative paths), ``None`` outside a git work tree."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", *options, "--", "."],
            cwd=folder,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return tuple(sorted(name for name in listing.decode().split("\0") if name))


def _collected_by_nbgrader(folder: Path) -> tuple[list[str], list[str]]:
    """Files of ``folder`` nbgrader's collection keeps and skips (its ``CourseDirectory``
    ``ignore`` patterns and ``max_file_size``, in kB), as relative paths."""
    from nbgrader.coursedir import CourseDirectory

    settings = CourseDirectory()
    kept, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        ignored = any(
            fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in settings.ignore
        )
        too_large = path.stat().st_size > settings.max_file_size * 1000
        (skipped if ignored or too_large or ".git" in relative.parts else kept).append(str(relative))
    return kept, skipped


def handed_in_files(notebook: Path | str) -> HandIn:
    """The files a group hands in with the report at ``notebook``: in a git work tree, the
    files of its folder git tracks (what a clean checkout holds; untracked files, ignored ones
    included, are left out); elsewhere, those nbgrader collects from the folder. The report itself always
    counts as handed in."""
    notebook = Path(notebook).expanduser().resolve()
    folder = notebook.parent
    tracked = _git_files(folder)
    if tracked is not None:
        untracked = _git_files(folder, "--others") or ()  # ignored files included
        files = set(tracked) | {notebook.name}
        return HandIn(
            files=tuple(sorted(files)),
            left_out=tuple(name for name in untracked if name not in files),
            rule="the files of its folder git tracks, as a clean checkout holds them",
        )
    kept, skipped = _collected_by_nbgrader(folder)
    return HandIn(
        files=tuple(sorted(set(kept) | {notebook.name})),
        left_out=tuple(skipped),
        rule="the files of its folder nbgrader collects",
    )


def _used_by(code: str, relative: str) -> bool:
    """Whether notebook code ``code`` uses the folder's file ``relative``: imports it as a
    module (``name.py`` or a package ``name/...``) or names the file."""
    path = Path(relative)
    module = path.parts[0] if len(path.parts) > 1 else path.stem if path.suffix == ".py" else None
    if module and re.search(rf"(?m)^\s*(from\s+{re.escape(module)}\b|import\s+{re.escape(module)}\b)", code):
        return True
    return any(re.search(rf"(?<![\w.-]){re.escape(name)}\b", code) for name in {relative, path.name})


@dataclass(frozen=True)
class ReportRun:
    """Outcome of running a report end to end (:func:`check_report`).

    ``failure`` names the first code cell that raised (``None``: the report ran end to end);
    ``hand_in`` the files it ran with; ``used_not_handed_in`` the files of the folder left out
    of the hand-in that the report's code imports or names; ``unwritten`` lists the grade ids of
    the written sections still as released, out of ``written``; ``notebook`` is the executed
    notebook (its outputs; the file is untouched).
    """

    code_cells: int
    failure: str | None
    hand_in: HandIn
    used_not_handed_in: tuple[str, ...]
    unwritten: tuple[str, ...]
    written: int
    notebook: Any = field(repr=False, compare=False)


def check_report(
    path: Path | str, cell_timeout: int = DEFAULT_CELL_TIMEOUT_S, kernel_name: str | None = None
) -> ReportRun:
    """Execute the report at ``path`` from top to bottom, as a grader re-running it from a clean
    checkout would: in a temporary folder holding only :func:`handed_in_files`. Say whether it
    ran end to end, which files it uses without handing them in, and which written sections are
    unwritten.

    Raises ``ValueError`` when the file is missing, not a notebook, or not a report
    (:func:`is_report`).
    """
    path, nb = _read(path)
    if not is_report(nb):
        raise ValueError(f"{path.name} is not a report (written answers only, no graded test cell)")
    hand_in = handed_in_files(path)
    with tempfile.TemporaryDirectory(prefix="dlgd-check-") as clean:
        for relative in hand_in.files:
            target = Path(clean, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path.parent / relative, target)
        _execute(nb, Path(clean, path.name), cell_timeout, kernel_name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    failure = None
    for index, cell in enumerate(code, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
            error = f"{errors[0].get('ename', 'Error')}: {errors[0].get('evalue', '')}".strip()
            failure = f"code cell {index} of {len(code)} (`{first_line.strip()}`) raised {error}"
            break
    source = "\n".join(c.source for c in code)
    written = [c for c in nb.cells if c.cell_type == "markdown" and _nbgrader(c).get("grade")]
    unwritten = tuple(str(_nbgrader(c).get("grade_id", "?")) for c in written if UNWRITTEN in c.source)
    return ReportRun(
        code_cells=len(code),
        failure=failure,
        hand_in=hand_in,
        used_not_handed_in=tuple(name for name in hand_in.left_out if _used_by(source, name)),
        unwritten=unwritten,
        written=len(written),
        notebook=nb,
    )


def format_report(run: ReportRun) -> str:
    """Plain-text verdict of :func:`check_report`."""
    where = f"run with {run.hand_in.rule}: {', '.join(run.hand_in.files)}"
    if run.failure is None:
        lines = [f"runs end to end: yes ({run.code_cells} code cells)", f"    {where}"]
    else:
        lines = ["runs end to end: NO", f"    {run.failure}", f"    {where}"]
    if run.used_not_handed_in:
        lines.append(
            f"used but not handed in: {', '.join(run.used_not_handed_in)} "
            "(the report imports or names them; `git add` them, or move them out of nbgrader's "
            "ignored names)"
        )
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
