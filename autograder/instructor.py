"""The instructor's and the students' nbgrader steps as Python calls (no CLI start-up).

Each function takes the course ``Config`` (from :func:`autograder.course.course_config`)
and runs one nbgrader step in-process:

    generate → release → fetch (student) → validate (student) → submit (student) → collect
    → autograde → generate feedback → release feedback → fetch feedback (student) → export CSV
"""

from __future__ import annotations

import csv
from pathlib import Path

from traitlets.config import Config

from autograder.course import ensure_state_directories
from autograder.grading import _quiet, _run_converter, ensure_tools_on_path


def _exchange(cls: type, config: Config, assignment_id: str, student_id: str | None = None,
              assignment_dir: Path | str | None = None) -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory

    ensure_tools_on_path()
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


def generate_feedback(config: Config, assignment_id: str, student_id: str = "*") -> None:
    """``nbgrader generate_feedback``: HTML with the hidden tests stripped."""
    from nbgrader.converters import GenerateFeedback

    _run_converter(GenerateFeedback, config, assignment_id, student_id)


def release_feedback(config: Config, assignment_id: str) -> None:
    """``nbgrader release_feedback``: feedback → exchange."""
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    _exchange(ExchangeReleaseFeedback, config, assignment_id, "*")


def fetch_feedback(config: Config, assignment_id: str, student_id: str,
                   workspace: Path | str) -> list[Path]:
    """``nbgrader fetch_feedback`` as ``student_id``; returns the HTML files fetched."""
    from nbgrader.exchange.default import ExchangeFetchFeedback

    _exchange(ExchangeFetchFeedback, config, assignment_id, student_id, workspace)
    folder = Path(workspace) / config.CourseDirectory.course_id / assignment_id / "feedback"
    return sorted(folder.rglob("*.html"))


def export_csv(config: Config, path: Path | str) -> list[dict[str, str]]:
    """``nbgrader export`` to CSV at ``path``; returns its rows."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    ensure_tools_on_path()
    plugin = CsvExportPlugin(config=config)
    plugin.to = str(path)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        plugin.export(gb)
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
