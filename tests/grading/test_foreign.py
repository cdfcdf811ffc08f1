"""The foreign-notebook corpus (issue 25) graded in one ``dlgd-grade`` run on two workers: every
odd submission (nbgrader's own test notebooks, damaged copies of the assignment's notebook, odd
folder layouts) is recorded exactly once with its expected score and reason, the ones the grader
cannot grade are flagged *not graded normally* (exit status 3, summary line, report), every
other submission is graded, the submitted files are untouched, and feedback is written for
every graded notebook without hidden tests."""

from __future__ import annotations

import contextlib
import copy
import errno
import io
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from autograder import distributed, instructor, submissions
from autograder.cli import main
from autograder.distributed import GradingRun
from autograder.report import load_records, write_reports
from autograder.sandbox import SandboxResult
from autograder.submissions import GradingRecord, Submission, find_submissions, read_record, sanitise
from grading.foreign import CASES, FEEDBACK_CASES, NBGRADER_CASES, NOTEBOOK, SIZE_LIMIT, Foreign, files, full
from grading.helpers import ASSIGNMENT, TEST_LIMITS, Course, grade_args, make_course, needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.xdist_group("grading")]


@dataclass
class Graded:
    course: Course
    exit_status: int
    out: str
    err: str
    records: dict[str, GradingRecord]
    tree_before: dict[str, tuple]
    report: Path


def tree(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, mode, size, mtime, and bytes or link target."""
    entries = {}
    for top, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(top) / name
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                content: object = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                content = path.read_bytes()
            else:
                content = None
            entries[str(path.relative_to(folder))] = (
                stat.S_IFMT(info.st_mode),
                info.st_mode,
                info.st_size,
                info.st_mtime_ns,
                content,
            )
    return entries


@pytest.fixture(scope="module")
def graded() -> Iterator[Graded]:
    course = make_course("foreign")
    release = nbformat.read(course.release, as_version=4)
    for case in CASES:
        case.write(course.submission_folder(case.name), release)
    for top, dirs, names in os.walk(course.root):
        for name in dirs + names:
            path = Path(top) / name
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    before = tree(course.data / "submitted")
    reports = course.root / "reports"
    out, err = io.StringIO(), io.StringIO()
    args = grade_args(
        course,
        reports,
        "--workers",
        "2",
        "--timeout",
        str(TEST_LIMITS.notebook_seconds),
        "--cell-timeout",
        str(TEST_LIMITS.cell_seconds),
        "--memory-gb",
        "1",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(submissions, "MAX_NOTEBOOK_BYTES", SIZE_LIMIT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(args)
    records = {record.student_id: record for record in load_records(course.config, ASSIGNMENT)}
    yield Graded(
        course, status, out.getvalue(), err.getvalue(), records, before, reports / f"{ASSIGNMENT}-report.html"
    )
    shutil.rmtree(course.root, ignore_errors=True)


def test_one_run_records_everyone_once(graded: Graded) -> None:
    not_normal = [case.name for case in CASES if case.not_normal]
    assert sorted(graded.records) == sorted(case.name for case in CASES), graded.err
    assert graded.exit_status == 3, graded.err  # every submission recorded, some not graded normally
    assert (
        f"{len(CASES)} graded, 0 already graded (kept), 0 not graded, {len(not_normal)} not graded normally"
    ) in graded.out
    flagged = [r.student_id for r in graded.records.values() if r.not_graded_normally]
    assert sorted(flagged) == sorted(not_normal)
    for name in not_normal:
        assert f"not graded normally {ASSIGNMENT}/{name}: " in graded.err
    from nbgrader.api import Gradebook

    config = graded.course.config
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        students = sorted(s.student.id for s in gb.assignment_submissions(ASSIGNMENT))
    assert students == sorted(case.name for case in CASES)  # each submission once in the gradebook


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Foreign, graded: Graded) -> None:
    record = graded.records[case.name]
    scores = {grade_id: cell["score"] for grade_id, cell in record.scores[ASSIGNMENT].items()}
    assert scores == case.expected, record.problems
    if case.reason:
        assert any(case.reason in problem for problem in record.problems), record.problems
    assert bool(record.not_graded_normally) == case.not_normal, record.not_graded_normally
    if case.not_normal:
        assert record.not_graded_normally[0].endswith("; scored 0")
    if case.review:
        assert record.needs_review and case.review in record.needs_review[0], record.needs_review
    else:
        assert record.needs_review == [], record.needs_review
    from nbgrader.api import Gradebook

    config = graded.course.config
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, case.name)
        assert {g.name: float(g.auto_score or 0) for g in notebook.grades} == case.expected


def test_every_case_changed_something_or_is_a_control() -> None:
    """Each case crashed, hung or was misgraded by the grader before issue 25 (its ``before``),
    but the controls: the honest submission, the nbformat versions nbformat itself reads, a
    repair that was already right, and the layouts that nbgrader handles."""
    controls = {
        "honest",
        "nbformat_4_99",
        "nbformat_3",
        "huge_cells",
        "no_timestamp",
        "extra_files",
        "empty_folder",
        "nbformat_5_99",
        "file_instead_of_folder",
    }
    for case in CASES:
        assert bool(case.before) != (case.name in controls), case.name


def test_submitted_files_are_untouched(graded: Graded) -> None:
    assert tree(graded.course.data / "submitted") == graded.tree_before


def test_report_lists_what_was_not_graded_normally(graded: Graded) -> None:
    html = graded.report.read_text()
    section = html.split("id='not-graded-normally'")[1].split("<h2")[0]
    assert "nbgrader_too_new" in section and "not this assignment&#x27;s notebook" in section
    assert "honest" not in section and "pasted_nbgrader_cells" not in section
    assert f"{sum(case.not_normal for case in CASES)} not graded normally" in html


def test_rerun_keeps_every_record(graded: Graded) -> None:
    """A second run finds every submission graded (its digest unchanged) and keeps it."""
    course = graded.course
    for submission in find_submissions(course.config, ASSIGNMENT):
        assert read_record(course.config, submission).digest == submission.digest, submission.key  # type: ignore[union-attr]


def test_feedback_for_every_graded_notebook(graded: Graded) -> None:
    outcome = instructor.generate_feedback(graded.course.config, ASSIGNMENT)
    assert outcome.ok, outcome.failed
    assert list(outcome.simplified) == ["widget_without_model/01-tiny"], outcome.simplified
    feedback = graded.course.data / "feedback"
    written = {path.parent.parent.name for path in feedback.glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html")}
    executed = {name for name, record in graded.records.items() if not record.not_graded_normally}
    assert written == executed
    for case in FEEDBACK_CASES:
        html = (feedback / case.name / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "SECRET_HIDDEN" not in html, case.name
    html = (feedback / "fake_hidden_delimiter" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "my notes" not in html  # a delimiter the student typed hides the rest of their cell


def test_foreign_notebooks_cover_nbgrader_suite() -> None:
    """The corpus takes every notebook of nbgrader's suite from the installed package."""
    assert len(NBGRADER_CASES) >= 30


def test_sanitise_never_reads_through_a_fifo(course: Course) -> None:
    """A FIFO where the notebook should be: before, ``find_submissions`` blocked reading it
    (the run hung); now it is reported and never opened."""
    folder = course.submission_folder("fifo")
    folder.mkdir(parents=True)
    os.mkfifo(folder / f"{ASSIGNMENT}.ipynb")
    submission = find_submissions(course.config, ASSIGNMENT, ["fifo"])[0]
    result = sanitise(course.config, submission)
    assert result.missing == [ASSIGNMENT]
    assert "is not a regular file: not read" in result.not_graded_normally[0]


def test_a_grader_error_on_one_submission_is_recorded_as_zero(
    course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception of the grader's own code on one submission (injected here into its
    sanitising, then into its recording) scores that submission 0 with the reason and flags it;
    an error of the infrastructure (a full disk) leaves it ungraded for a re-run; the others
    are graded."""
    release = nbformat.read(course.release, as_version=4)
    for name in ("sanitise_fails", "record_fails", "disk_full", "honest"):
        files((NOTEBOOK, full))(course.submission_folder(name), release)
    original_sanitise, original_record = submissions.sanitise, submissions.record
    recorded: list[str] = []

    def sanitise_(config: Config, submission: Submission) -> submissions.SanitisedSubmission:
        if submission.student_id == "sanitise_fails":
            raise RuntimeError("boom in sanitise")
        if submission.student_id == "disk_full":
            raise OSError(errno.ENOSPC, "No space left on device")
        return original_sanitise(config, submission)

    def record_(config: Config, submission: Submission, *args: object, **kwargs: object) -> GradingRecord:
        recorded.append(submission.student_id)
        if recorded.count("record_fails") == 1 and submission.student_id == "record_fails":
            raise TypeError("boom in record")
        return original_record(config, submission, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(submissions, "sanitise", sanitise_)
    monkeypatch.setattr(submissions, "record", record_)
    run = GradingRun(ASSIGNMENT)
    for submission in find_submissions(course.config, ASSIGNMENT):
        sanitised = distributed._sanitise(course.config, run, submission)
        if sanitised is not None:
            results = {
                nb: SandboxResult(copy.deepcopy(executed), 0.0, 0.0)
                for nb, executed in sanitised.notebooks.items()
            }
            distributed._finish(course.config, run, sanitised, results, None, 4)
    assert list(run.not_graded) == [f"{ASSIGNMENT}/disk_full"]
    assert run.not_graded[f"{ASSIGNMENT}/disk_full"].startswith("grading infrastructure failed: OSError")
    records = {record.student_id: record for record in run.graded}
    assert sorted(records) == ["honest", "record_fails", "sanitise_fails"]
    assert records["honest"].score == 5 and not records["honest"].not_graded_normally
    for name, reason in (
        ("sanitise_fails", "the grader failed on this submission (RuntimeError: boom in sanitise); scored 0"),
        (
            "record_fails",
            "the grader failed while scoring or recording it (TypeError: boom in record); scored 0",
        ),
    ):
        assert records[name].score == 0 and records[name].not_graded_normally == [f"{NOTEBOOK}: {reason}"]
        submission = find_submissions(course.config, ASSIGNMENT, [name])[0]
        assert read_record(course.config, submission) == records[name]


def test_report_lists_an_unreadable_marker(tmp_path: Path) -> None:
    """A damaged grading marker is listed at the top of the report instead of stopping it."""
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.autograded_directory = "autograded"
    folder = tmp_path / "autograded" / "alice" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / submissions.MARKER).write_text('{"student_id": ')
    html_path = write_reports(config, ASSIGNMENT, tmp_path / "reports").html
    html = html_path.read_text()
    assert "Unreadable grading markers" in html and "alice: unreadable grading marker" in html
    with pytest.raises(ValueError, match="unreadable grading marker"):
        load_records(config, ASSIGNMENT)
