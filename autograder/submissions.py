"""Host-side steps of grading one submission: find, sanitize, score, record.

nbgrader's ``autograde`` sanitizes, executes and scores in one process with the
instructor's rights. Here the steps that need the gradebook stay on the host, with
nbgrader's own preprocessors, and execution moves to a sandbox (:mod:`autograder.sandbox`):

1. :func:`find_submissions` — ``submitted/<student>/<assignment>/`` folders, each with a
   SHA-256 digest of its notebooks;
2. :func:`sanitize` — the gradebook's locked and hidden cells restored (deleted test cells
   re-added), outputs cleared, the course's kernelspec set; a missing, misnamed or invalid
   notebook is reported, never executed;
3. (a worker executes the sanitized notebook in a sandbox);
4. :func:`score` — nbgrader's scoring preprocessors on the executed notebook (stderr
   warnings ignored, outputs limited, grades saved), written to ``autograded/``;
5. :func:`record` — a marker ``autograded/<student>/<assignment>/.dlgd-grading.json``
   (digest, scores, problems, reasons for review, timings), written last and atomically: a submission is
   graded when its marker matches its digest, so an interrupted run resumes and a re-run
   skips it unless forced.

The host is the gradebook's only writer (SQLite or PostgreSQL through ``db_url``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from traitlets.config import Config

from autograder.grading import NotebookScore, ensure_tools_on_path

MARKER = ".dlgd-grading.json"


@dataclass(frozen=True)
class Submission:
    """One student's submitted assignment folder and the digest of its notebooks."""

    student_id: str
    assignment_id: str
    folder: Path
    digest: str

    @property
    def key(self) -> str:
        return f"{self.assignment_id}/{self.student_id}"


@dataclass
class SanitizedSubmission:
    """Notebooks ready to execute (``notebook_id`` → notebook) and the problems found."""

    submission: Submission
    notebooks: dict[str, NotebookNode]
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class GradingRecord:
    """What :func:`record` writes for one graded submission.

    ``needs_review``: why an instructor should look at it (the submission changed how cells
    run, see :mod:`autograder.kernel_guard`); empty when nothing is suspect. Markers written
    before it existed read as empty.
    """

    student_id: str
    assignment_id: str
    digest: str
    scores: dict[str, dict[str, dict[str, float]]]
    problems: list[str]
    execution_seconds: float
    wall_seconds: float
    needs_review: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(cell["score"] for cells in self.scores.values() for cell in cells.values())

    @property
    def max_score(self) -> float:
        return sum(cell["max_score"] for cells in self.scores.values() for cell in cells.values())


def _coursedir(config: Config, assignment_id: str = "", student_id: str = "*") -> object:
    from nbgrader.coursedir import CourseDirectory

    config = Config(config)
    if assignment_id:
        config.CourseDirectory.assignment_id = assignment_id
    config.CourseDirectory.student_id = student_id
    return CourseDirectory(config=config)


def _gradebook(config: Config) -> object:
    from nbgrader.api import Gradebook

    ensure_tools_on_path()
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)


def expected_notebooks(config: Config, assignment_id: str) -> list[str]:
    """Notebook ids of ``assignment_id`` in the gradebook; ``ValueError`` when it is not there."""
    from nbgrader.api import MissingEntry

    with _gradebook(config) as gb:  # type: ignore[attr-defined]
        try:
            return [notebook.name for notebook in gb.find_assignment(assignment_id).notebooks]
        except MissingEntry:
            raise ValueError(
                f"assignment {assignment_id!r} is not in the gradebook "
                f"{config.CourseDirectory.db_url}: generate it first (nbgrader generate_assignment)"
            ) from None


def find_submissions(
    config: Config, assignment_id: str, students: list[str] | None = None
) -> list[Submission]:
    """Submitted folders of ``assignment_id`` (all students, or those named), sorted by student."""
    root = Path(config.CourseDirectory.submitted_directory)
    if not root.is_absolute():
        root = Path(config.CourseDirectory.root) / root
    found = []
    for folder in sorted(root.glob(f"*/{assignment_id}")):
        student_id = folder.parent.name
        if students is not None and student_id not in students:
            continue
        digest = hashlib.sha256()
        for path in sorted(folder.glob("*.ipynb")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        found.append(Submission(student_id, assignment_id, folder, digest.hexdigest()))
    if students is not None:
        unknown = sorted(set(students) - {s.student_id for s in found})
        if unknown:
            raise ValueError(f"no submission of {assignment_id} from: {', '.join(unknown)}")
    return found


def autograded_folder(config: Config, submission: Submission) -> Path:
    coursedir = _coursedir(config)
    return Path(coursedir.format_path(  # type: ignore[attr-defined]
        config.CourseDirectory.autograded_directory, submission.student_id, submission.assignment_id))


def read_record(config: Config, submission: Submission) -> GradingRecord | None:
    """The marker of a submission's last grading, or ``None`` (never graded, or unreadable)."""
    path = autograded_folder(config, submission) / MARKER
    try:
        return GradingRecord(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def is_graded(config: Config, submission: Submission) -> bool:
    record = read_record(config, submission)
    return record is not None and record.digest == submission.digest


def _resources(config: Config, submission: Submission, notebook_id: str) -> dict:
    return {"unique_key": notebook_id, "output_files_dir": f"{notebook_id}_files",
            "nbgrader": {"student": submission.student_id, "assignment": submission.assignment_id,
                         "notebook": notebook_id, "db_url": config.CourseDirectory.db_url}}


def _apply(preprocessors: list, config: Config, nb: NotebookNode, resources: dict) -> NotebookNode:
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's gradebook autoflush warnings
        for cls in preprocessors:
            preprocessor = cls(config=config)
            preprocessor.log.setLevel("ERROR")
            nb, resources = preprocessor(nb, resources)  # a disabled one returns nb unchanged
    return nb


def sanitize(config: Config, submission: Submission) -> SanitizedSubmission:
    """Register the submission in the gradebook and sanitize its notebooks (see module doc)."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteCells,
        OverwriteKernelspec,
    )

    expected = expected_notebooks(config, submission.assignment_id)
    coursedir = _coursedir(config, submission.assignment_id, submission.student_id)
    timestamp = coursedir.get_existing_timestamp(str(submission.folder))  # type: ignore[attr-defined]
    with _gradebook(config) as gb:  # type: ignore[attr-defined]
        gb.update_or_create_student(submission.student_id)
        gb.update_or_create_submission(submission.assignment_id, submission.student_id,
                                       **({"timestamp": timestamp} if timestamp else {}))
    result = SanitizedSubmission(submission, {})
    present = sorted(path.name for path in submission.folder.glob("*.ipynb"))
    config = Config(config)
    config.OverwriteCells.add_missing_cells = True
    for notebook_id in expected:
        path = submission.folder / f"{notebook_id}.ipynb"
        if not path.is_file():
            others = [name for name in present if name != path.name]
            found = f"found {', '.join(others)}" if others else "no notebook at all"
            result.problems.append(f"{notebook_id}.ipynb: missing from the submission ({found}); scored 0")
            result.missing.append(notebook_id)
            continue
        try:
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
        except Exception as error:  # any unreadable file: JSON, schema, encoding
            result.problems.append(f"{notebook_id}.ipynb: not a valid notebook "
                                   f"({type(error).__name__}: {str(error).splitlines()[0][:200]}); scored 0")
            result.missing.append(notebook_id)
            continue
        kernel = nb.metadata.get("kernelspec", {}).get("name")
        nb = _apply([ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata],
                    config, nb, _resources(config, submission, notebook_id))
        if kernel != nb.metadata.get("kernelspec", {}).get("name"):
            result.problems.append(f"{notebook_id}.ipynb: kernel {kernel!r} replaced by the course's "
                                   f"{nb.metadata['kernelspec']['name']!r}")
        result.notebooks[notebook_id] = nb
    return result


def score(config: Config, submission: Submission, notebook_id: str, executed: NotebookNode) -> NotebookScore:
    """Score an executed notebook with nbgrader's preprocessors; save it to ``autograded/``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from autograder.grading import read_scores

    resources = _resources(config, submission, notebook_id)
    nb = _apply([IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                 AssignLatePenalties, CheckCellMetadata], config, executed, resources)
    folder = autograded_folder(config, submission)
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / f"{notebook_id}.ipynb", nbformat.writes(nb))
    return read_scores(_gradebook(config), submission.assignment_id, notebook_id, submission.student_id)


def score_missing(config: Config, submission: Submission, notebook_id: str) -> NotebookScore:
    """Zero every graded cell of a notebook that could not be executed."""
    from autograder.grading import read_scores

    with _gradebook(config) as gb:  # type: ignore[attr-defined]
        notebook = gb.find_submission_notebook(notebook_id, submission.assignment_id, submission.student_id)
        for grade in notebook.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gb.db.commit()
    return read_scores(_gradebook(config), submission.assignment_id, notebook_id, submission.student_id)


def record(config: Config, submission: Submission, scores: dict[str, NotebookScore],
           problems: list[str], execution_seconds: float, wall_seconds: float,
           needs_review: list[str] | None = None) -> GradingRecord:
    """Write the submission's marker (last step of its grading)."""
    entry = GradingRecord(
        student_id=submission.student_id,
        assignment_id=submission.assignment_id,
        digest=submission.digest,
        scores={nb: {cell.grade_id: {"score": cell.score, "max_score": cell.max_score}
                     for cell in s.cells.values()} for nb, s in scores.items()},
        problems=problems,
        execution_seconds=execution_seconds,
        wall_seconds=wall_seconds,
        needs_review=list(needs_review or []),
    )
    folder = autograded_folder(config, submission)
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / MARKER, json.dumps(asdict(entry), indent=1))
    return entry


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)

