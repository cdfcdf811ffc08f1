"""Grading through nbgrader's Python API (no CLI start-up cost).

- :func:`generate_assignment` — ``solutions/<id>`` → student version (``make exercises``);
- :func:`autograde_notebook` — score one submission against its source notebook in a
  throw-away course (per graded cell);
- :func:`validate_notebook` — nbgrader's ``Validator`` with a real verdict (the CLI
  ``nbgrader validate`` exits 0 even when tests fail).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from traitlets.config import Config

from autograder.course import (
    CELL_TIMEOUT_S,
    RELEASE_DIRECTORY,
    assignments,
    course_config,
    ensure_state_directories,
)
from autograder.locate import SOURCE_DIRECTORY, course_root

if TYPE_CHECKING:
    from nbgrader.validator import Validator

STUDENT = "student"


WRITTEN_PREFIX = "written_"  # grade_id prefix of the written answers (graded by hand)


@dataclass(frozen=True)
class CellScore:
    """Score of one graded cell (points).

    ``score`` follows nbgrader's rule: the manual score when an instructor gave one, else the
    autograder's (a written answer not graded by hand yet scores 0); ``written``: a written
    answer (markdown, graded by hand); ``needs_manual_grade``: nbgrader's flag (a written
    answer not graded yet, or a cell regraded since an instructor graded it by hand).
    """

    grade_id: str
    score: float
    max_score: float
    written: bool = False
    needs_manual_grade: bool = False

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score

    def entry(self) -> dict[str, float | bool]:
        """The cell's scores as a grading marker holds them
        (:class:`~autograder.submissions.GradingRecord`)."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "written": self.written,
            "needs_manual_grade": self.needs_manual_grade,
        }


@dataclass
class NotebookScore:
    """Scores of the graded cells of one notebook, in notebook order."""

    cells: dict[str, CellScore] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(cell.score for cell in self.cells.values())

    @property
    def max_score(self) -> float:
        return sum(cell.max_score for cell in self.cells.values())

    def autograded(self) -> NotebookScore:
        """The autograded cells only (the written answers left out)."""
        return NotebookScore({k: c for k, c in self.cells.items() if not c.written}, self.seconds)

    @property
    def awaiting_manual_grade(self) -> list[str]:
        """Written answers that no instructor has graded yet."""
        return [k for k, c in self.cells.items() if c.written and c.needs_manual_grade]


def _quiet(app_log: logging.Logger) -> None:
    app_log.setLevel(logging.ERROR)


def prepare_nbgrader() -> None:
    """Make nbgrader's gradebook cheap and runnable from this process.

    - nbgrader 0.9's ``Gradebook`` asks a subprocess, the ``alembic`` executable, for the newest
      revision of its schema each time it creates a database: about 3 s of interpreter start-up
      for a constant, paid by every throw-away course (each :func:`autograde_notebook`). The
      revision is read here once per process from nbgrader's own migration scripts
      (:func:`gradebook_schema_head`), the answer that subprocess gives.
    - This interpreter's ``bin`` folder goes on ``PATH``: nbgrader's ``db upgrade`` still runs
      ``alembic`` (with ``.venv/bin/python`` called directly the venv is not on ``PATH``).
    """
    import nbgrader.api

    nbgrader.api.get_alembic_version = gradebook_schema_head
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir


@functools.cache
def gradebook_schema_head() -> str:
    """The head revision of nbgrader's gradebook schema, from its alembic migration scripts
    (what ``alembic heads`` prints for them), read in this process."""
    import nbgrader
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


@contextmanager
def kernel_threads(threads: int | None) -> Iterator[None]:
    """Limit the CPU threads of kernels started inside the block (``OMP_NUM_THREADS``).

    Two graders on two cores, each kernel running torch with two threads, slow a small
    model's training down a hundredfold (spinning OpenMP threads); graders running in
    parallel should give each kernel one thread. ``None`` leaves the environment alone.
    """
    if threads is None:
        yield
        return
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    names = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(threads) for name in names})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run_converter(cls: type, config: Config, assignment_id: str, student_id: str = ".") -> None:
    """Run an nbgrader converter (GenerateAssignment, Autograde, ...) and raise on failure."""
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy.exc import SAWarning

    prepare_nbgrader()
    ensure_state_directories(config)
    config = Config(config)
    config.CourseDirectory.assignment_id = assignment_id
    if student_id != ".":
        config.CourseDirectory.student_id = student_id
    coursedir = CourseDirectory(config=config)
    converter = cls(coursedir=coursedir, config=config)
    _quiet(converter.log)
    converter.force = True
    with warnings.catch_warnings():
        # nbgrader 0.9.6's gradebook triggers SQLAlchemy autoflush warnings; harmless.
        warnings.simplefilter("ignore", SAWarning)
        converter.start()


def is_written_answer(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is a written answer: a markdown cell that nbgrader grades and whose
    answer the student writes (graded by hand in the formgrader)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "markdown" and bool(meta.get("grade")) and bool(meta.get("solution"))


def check_source_notebook(path: Path | str) -> None:
    """Raise ``ValueError`` when a source notebook breaks the course conventions.

    Checked: no outputs or execution counts, unique grade ids, every graded cell is either a
    code test cell (``test_`` grade id) or a written answer (markdown solution cell,
    ``written_`` grade id), with positive points; a ``written_`` grade id marks only a written
    answer; solution cells carry both solution markers (a written answer's model answer and
    rubric lie between them, so that the student version does not show them).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        where = f"{path.name}, cell {index}"
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            raise ValueError(f"{where} has outputs: commit source notebooks without outputs")
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        grade_id = meta.get("grade_id", "")
        if grade_id in seen:
            raise ValueError(f"{where}: grade_id {grade_id!r} is used twice")
        seen.add(grade_id)
        written = is_written_answer(cell)
        if grade_id.startswith(WRITTEN_PREFIX) and not written:
            raise ValueError(
                f"{where}: {grade_id!r} has the {WRITTEN_PREFIX} prefix of written answers but is not one "
                "(a markdown cell with grade and solution set)"
            )
        if meta.get("grade"):
            if not written and (cell.cell_type != "code" or meta.get("solution")):
                raise ValueError(
                    f"{where}: graded cell {grade_id!r} must be a code test cell or a written answer "
                    "(markdown): a graded code solution cell would give full marks for any edit"
                )
            prefix = WRITTEN_PREFIX if written else "test_"
            if not grade_id.startswith(prefix) or float(meta.get("points", 0)) <= 0:
                raise ValueError(
                    f"{where}: graded cell {grade_id!r} needs a {prefix} grade_id and points > 0"
                )
        elif meta.get("solution") and cell.cell_type == "markdown":
            raise ValueError(
                f"{where}: markdown solution cell {grade_id!r} is not graded: a written answer needs "
                f"grade true, points > 0 and a {WRITTEN_PREFIX} grade_id"
            )
        if meta.get("solution"):
            if "### BEGIN SOLUTION" not in cell.source or "### END SOLUTION" not in cell.source:
                raise ValueError(f"{where}: solution cell {grade_id!r} lacks solution markers")


def generate_assignment(
    assignment_id: str,
    root: Path | str | None = None,
    release_directory: Path | str | None = None,
) -> Path:
    """Generate the student version of ``<root>/solutions/<assignment_id>`` (``root``: the
    course root, default :func:`~autograder.locate.course_root`).

    Written to ``release_directory/<assignment_id>`` (default ``<root>/exercises``), which is
    replaced. Uses a throw-away gradebook. Returns the assignment's release folder.
    """
    from nbgrader.converters import GenerateAssignment

    root = course_root(root)
    source = root / SOURCE_DIRECTORY / assignment_id / f"{assignment_id}.ipynb"
    if not source.is_file():
        raise ValueError(f"no source notebook {source}")
    check_source_notebook(source)
    release = Path(release_directory).resolve() if release_directory else root / RELEASE_DIRECTORY
    with tempfile.TemporaryDirectory(prefix="dlgd-generate-") as tmp:
        config = course_config(root, tmp, release_directory=str(release))
        _run_converter(GenerateAssignment, config, assignment_id)
    return release / assignment_id


def generate_all(root: Path | str | None = None, release_directory: Path | str | None = None) -> list[Path]:
    """Regenerate every assignment of the course root ``root`` (default
    :func:`~autograder.locate.course_root`); remove release folders whose source is gone."""
    root = course_root(root)
    release = Path(release_directory).resolve() if release_directory else root / RELEASE_DIRECTORY
    ids = assignments(root)
    if release.is_dir():
        for stale in release.iterdir():
            if stale.is_dir() and stale.name not in ids:
                shutil.rmtree(stale)
    return [generate_assignment(aid, root, release) for aid in ids]


def autograde_notebook(
    source_nb: Path | str,
    submission_nb: Path | str,
    *,
    cell_timeout: int = CELL_TIMEOUT_S,
    workdir: Path | str | None = None,
    threads: int | None = None,
) -> NotebookScore:
    """Autograde ``submission_nb`` against the source notebook ``source_nb``.

    Builds a throw-away course (in ``workdir`` or a temporary folder): generate the assignment
    from the source (gradebook entry with the locked and hidden test cells), submit, then
    nbgrader's ``Autograde`` (restore locked cells, execute, score). The assignment id is the
    source notebook's folder name; ``threads`` limits the kernel's CPU threads
    (see :func:`kernel_threads`). Returns the score of every graded cell.
    """
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateAssignment

    source_nb, submission_nb = Path(source_nb).resolve(), Path(submission_nb).resolve()
    for path in (source_nb, submission_nb):
        if not path.is_file():
            raise ValueError(f"no notebook {path}")
    assignment_id, notebook_id = source_nb.parent.name, source_nb.stem
    with tempfile.TemporaryDirectory(prefix="dlgd-autograde-", dir=workdir) as tmp:
        course = Path(tmp)
        source_dir = course / SOURCE_DIRECTORY / assignment_id
        source_dir.mkdir(parents=True)
        for item in source_nb.parent.iterdir():
            if item.is_file() and item.suffix != ".ipynb":
                shutil.copy(item, source_dir / item.name)
        shutil.copy(source_nb, source_dir / source_nb.name)
        submitted = course / "data" / "submitted" / STUDENT / assignment_id
        submitted.mkdir(parents=True)
        shutil.copy(submission_nb, submitted / f"{notebook_id}.ipynb")
        config = course_config(course, course / "data", cell_timeout=cell_timeout)
        _run_converter(GenerateAssignment, config, assignment_id)
        start = time.perf_counter()
        with kernel_threads(threads):
            _run_converter(Autograde, config, assignment_id, STUDENT)
        seconds = time.perf_counter() - start
        return read_scores(
            Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id),
            assignment_id,
            notebook_id,
            STUDENT,
            seconds,
        )


def read_scores(
    gradebook: object, assignment_id: str, notebook_id: str, student_id: str, seconds: float = 0
) -> NotebookScore:
    """Per-cell scores of one submitted notebook from an nbgrader ``Gradebook`` (closed after)."""
    with gradebook as gb:  # type: ignore[attr-defined]
        return submission_scores(gb, assignment_id, notebook_id, student_id, seconds)


def submission_scores(
    gb: object, assignment_id: str, notebook_id: str, student_id: str, seconds: float = 0
) -> NotebookScore:
    """Per-cell scores of one submitted notebook from an open nbgrader ``Gradebook`` ``gb``,
    by nbgrader's rule: the manual score when given (plus extra credit), else the autograder's.
    """
    notebook = gb.find_submission_notebook(notebook_id, assignment_id, student_id)  # type: ignore[attr-defined]
    order = {cell.name: i for i, cell in enumerate(notebook.notebook.grade_cells)}
    cells = {}
    for grade in sorted(notebook.grades, key=lambda g: order.get(g.name, 0)):
        given = grade.auto_score if grade.manual_score is None else grade.manual_score
        cells[grade.name] = CellScore(
            grade.name,
            float(given or 0.0) + float(grade.extra_credit or 0.0),
            float(grade.max_score),
            written=grade.cell.cell_type == "markdown",
            needs_manual_grade=bool(grade.needs_manual_grade),
        )
    return NotebookScore(cells=cells, seconds=seconds)


@dataclass(frozen=True)
class ValidationResult:
    """Verdict of nbgrader's ``Validator`` on a notebook: ``ok`` and the failures."""

    ok: bool
    failed: list[str]
    changed: list[str]
    type_changed: list[str]

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def course_validator(config: Config | None = None) -> Validator:
    """nbgrader's ``Validator`` with the course's stderr filter (``IgnorePattern``) added, as in
    autograding; ``config`` defaults to :func:`~autograder.course.course_config`."""
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute, IgnorePattern
    from nbgrader.validator import Validator

    validator = Validator(config=config or course_config())
    # Validator.preprocessors is not configurable and lacks IgnorePattern: a warning on stderr
    # would fail validation of a correct notebook.
    validator.preprocessors = [CheckCellMetadata, ClearOutput, Execute, IgnorePattern]
    return validator


def validate_notebook(path: Path | str, config: Config | None = None) -> ValidationResult:
    """Run nbgrader's ``Validator`` on ``path`` (executes it, stderr warnings filtered as in
    autograding) and return a verdict with an exit code."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ValueError(f"no notebook {path}")
    validator = course_validator(config)
    _quiet(validator.log)
    results = validator.validate(str(path))
    failed = [item.get("raw_error", "") for item in results.get("failed", [])]
    changed = [item["source"] for item in results.get("changed", [])]
    type_changed = [item["source"] for item in results.get("type_changed", [])]
    return ValidationResult(
        ok=not (failed or changed or type_changed),
        failed=failed,
        changed=changed,
        type_changed=type_changed,
    )


def graded_cells(notebook: Path | str, written: bool | None = None) -> dict[str, float]:
    """grade_id → points of the graded cells of a notebook, in order: all of them, or with
    ``written`` True the written answers only (graded by hand), False the autograded ones."""
    nb = nbformat.read(Path(notebook), as_version=4)
    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and written in (None, is_written_answer(cell)):
            cells[meta["grade_id"]] = float(meta.get("points", 0))
    return cells
