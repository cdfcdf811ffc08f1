"""The instructor's and the students' nbgrader steps as Python calls (no CLI start-up).

Each function takes the course ``Config`` (from :func:`autograder.course.course_config`)
and runs one nbgrader step in-process:

    generate → release → fetch (student) → validate (student) → submit (student) → collect
    → autograde → grade by hand (written answers) → generate feedback → release feedback
    → fetch feedback (student) → export CSV
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets.config import Config

from autograder.course import ensure_state_directories
from autograder.grading import _quiet, _run_converter, prepare_nbgrader


def _exchange(
    cls: type,
    config: Config,
    assignment_id: str,
    student_id: str | None = None,
    assignment_dir: Path | str | None = None,
) -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    prepare_nbgrader()
    ensure_state_directories(config)
    config = Config(config)
    config.CourseDirectory.assignment_id = assignment_id
    if student_id is not None:
        config.CourseDirectory.student_id = student_id
    if assignment_dir is not None:
        config.Exchange.assignment_dir = str(assignment_dir)
    coursedir = CourseDirectory(config=config)
    authenticator = Authenticator(config=config)
    step = cls(coursedir=coursedir, authenticator=authenticator, config=config)
    _quiet(step.log)
    step.start()


def generate(config: Config, assignment_id: str) -> None:
    """``nbgrader generate_assignment``: source → release folder, gradebook entry."""
    from nbgrader.converters import GenerateAssignment

    _run_converter(GenerateAssignment, config, assignment_id)


def release(config: Config, assignment_id: str) -> None:
    """``nbgrader release_assignment``: release folder → exchange outbound."""
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    _exchange(ExchangeReleaseAssignment, config, assignment_id)


def fetch(config: Config, assignment_id: str, student_id: str, workspace: Path | str) -> Path:
    """``nbgrader fetch_assignment`` as ``student_id`` into ``workspace``; returns the folder."""
    from nbgrader.exchange.default import ExchangeFetchAssignment

    _exchange(ExchangeFetchAssignment, config, assignment_id, student_id, workspace)
    return Path(workspace) / config.CourseDirectory.course_id / assignment_id


def submit(config: Config, assignment_id: str, student_id: str, workspace: Path | str) -> None:
    """``nbgrader submit`` of ``workspace/<course>/<assignment>`` as ``student_id``."""
    from nbgrader.exchange.default import ExchangeSubmit

    _exchange(ExchangeSubmit, config, assignment_id, student_id, workspace)


def collect(config: Config, assignment_id: str) -> None:
    """``nbgrader collect``: exchange inbound → ``submitted/``."""
    from nbgrader.exchange.default import ExchangeCollect

    _exchange(ExchangeCollect, config, assignment_id, "*")


def autograde(config: Config, assignment_id: str, student_id: str = "*") -> None:
    """``nbgrader autograde`` of the collected submissions (all students by default)."""
    from nbgrader.converters import Autograde

    _run_converter(Autograde, config, assignment_id, student_id)


def grade_by_hand(
    config: Config,
    assignment_id: str,
    notebook_id: str,
    student_id: str,
    grade_id: str,
    score: float,
    comment: str | None = None,
) -> None:
    """The formgrader's manual grading of one cell: ``score`` points (between 0 and the cell's
    maximum) and an optional ``comment`` for the student's feedback.

    As the formgrader does: the manual score replaces the autograder's in the total
    (nbgrader's rule) and clears the cell's "needs manual grade" flag; a later autograde keeps
    it (and flags the cell again for review).
    """
    from autograder.submissions import gradebook

    with gradebook(config) as gb:  # type: ignore[attr-defined]
        grade = gb.find_grade(grade_id, notebook_id, assignment_id, student_id)
        if not 0 <= score <= grade.max_score:
            raise ValueError(
                f"the score of {grade_id!r} must lie between 0 and {grade.max_score:g}, got {score!r}"
            )
        grade.manual_score = float(score)
        grade.needs_manual_grade = False
        if comment is not None:
            gb.find_comment(grade_id, notebook_id, assignment_id, student_id).manual_comment = comment
        gb.db.commit()


@dataclass
class FeedbackRun:
    """Outcome of :func:`generate_feedback`, keyed ``student/notebook``.

    ``simplified``: feedback written with text outputs only (the HTML exporter failed on a rich
    output), and why; ``failed``: no feedback written, and why.
    """

    simplified: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every notebook got its feedback (some perhaps with text outputs only)."""
        return not self.failed


def _feedback_converter(outcome: FeedbackRun) -> type:
    """nbgrader's ``GenerateFeedback``, one notebook failing at a time, into ``outcome``.

    nbgrader stops on some errors (an nbgrader metadata schema it does not know) and removes a
    student's feedback on others, then raises for the class. Here a notebook that fails is
    rendered again with its outputs reduced to text
    (:func:`~autograder.preprocessors.plain_outputs`; hidden tests are still stripped), and
    one that fails again is reported; an error of the infrastructure (the gradebook's
    database, a full disk, the course's offline MathJax not installed) still stops the step.
    """
    from nbgrader.converters import GenerateFeedback

    from autograder.preprocessors import plain_outputs
    from autograder.submissions import describe, is_infrastructure_error

    class PerNotebookFeedback(GenerateFeedback):
        def convert_single_notebook(self, notebook_filename: str) -> None:
            path = Path(notebook_filename)
            key = f"{path.parent.parent.name}/{path.stem}"
            try:
                super().convert_single_notebook(notebook_filename)
                return
            except Exception as error:
                if is_infrastructure_error(error):
                    raise
                first = describe(error)
            try:
                nb = plain_outputs(nbformat.read(path, as_version=4))
                with tempfile.TemporaryDirectory() as folder:
                    plain = Path(folder) / path.name
                    nbformat.write(nb, plain)
                    resources = self.init_single_notebook_resources(notebook_filename)
                    output, resources = self.exporter.from_filename(str(plain), resources=resources)
                self.write_single_notebook(output, resources)
                outcome.simplified[key] = f"rendered with text outputs only ({first})"
            except Exception as error:
                if is_infrastructure_error(error):
                    raise
                outcome.failed[key] = f"{first}; with text outputs only: {describe(error)}"

    return PerNotebookFeedback


def generate_feedback(config: Config, assignment_id: str, student_id: str = "*") -> FeedbackRun:
    """``nbgrader generate_feedback``: HTML with the hidden tests stripped, per notebook.

    A notebook whose feedback cannot be rendered does not stop the others: see
    :class:`FeedbackRun` for what is returned. Without the course's offline MathJax nothing
    is rendered: :class:`~autograder.offline_math.MathJaxMissing` says how to install it.
    """
    from autograder.offline_math import mathjax_script

    mathjax_script(config.CourseDirectory.root)  # every page inlines it: check once, before any page
    outcome = FeedbackRun()
    _run_converter(_feedback_converter(outcome), config, assignment_id, student_id)
    return outcome


def release_feedback(config: Config, assignment_id: str) -> None:
    """``nbgrader release_feedback``: feedback → exchange."""
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    _exchange(ExchangeReleaseFeedback, config, assignment_id, "*")


def fetch_feedback(config: Config, assignment_id: str, student_id: str, workspace: Path | str) -> list[Path]:
    """``nbgrader fetch_feedback`` as ``student_id``; returns the HTML files fetched."""
    from nbgrader.exchange.default import ExchangeFetchFeedback

    _exchange(ExchangeFetchFeedback, config, assignment_id, student_id, workspace)
    folder = Path(workspace) / config.CourseDirectory.course_id / assignment_id / "feedback"
    return sorted(folder.rglob("*.html"))


def export_csv(config: Config, path: Path | str) -> list[dict[str, str]]:
    """``nbgrader export`` to CSV at ``path``; returns its rows."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    prepare_nbgrader()
    plugin = CsvExportPlugin(config=config)
    plugin.to = str(path)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        plugin.export(gb)
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
