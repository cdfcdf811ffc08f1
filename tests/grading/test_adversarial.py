"""The adversarial corpus graded in one run on two workers (issue 11): every hostile or
broken submission gets its expected score and reason, the grader survives, every other
submission is graded correctly, nothing is lost, and feedback never shows hidden tests.
Submissions that change how cells run score 0 from there on and are flagged for review, on
the fixture and on assignment 00's real notebook (issue 16); honest ones are not flagged.
Notebooks of another assignment handed in for assignment 00 are recorded with 0 and flagged
*not graded normally* (issue 25; ``test_foreign.py`` has the whole foreign corpus)."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
from dataclasses import dataclass

import nbformat
import pytest

from autograder import instructor
from autograder.cli import main
from autograder.distributed import GradingRun, grade_assignment
from autograder.grading import WRITTEN_PREFIX
from autograder.report import load_records
from autograder.sandbox import run_in_sandbox
from autograder.submissions import find_submissions, read_record, sanitise
from grading.corpus import CASES, CASES_00, Case
from grading.helpers import (
    ASSIGNMENT,
    ASSIGNMENT_00,
    LIMITS_00,
    REPO_ROOT,
    TEST_LIMITS,
    Course,
    grade_args,
    graded_cell,
    needs_sandbox,
    sandbox_processes,
)

pytestmark = [needs_sandbox, pytest.mark.xdist_group("grading")]


@pytest.fixture(scope="module")
def graded(corpus_course: Course) -> GradingRun:
    return grade_assignment(corpus_course.config, ASSIGNMENT, workers=2, limits=TEST_LIMITS)


@dataclass
class CliRun:
    """What ``dlgd-grade`` returned and printed."""

    status: int
    out: str
    err: str


@pytest.fixture(scope="module")
def cli_00(corpus_course_00: Course) -> CliRun:
    """``dlgd-grade 00-pytorch-lightning --workers 2`` on the corpus of assignment 00: the
    command of issue 25, with its twelve nbgrader test notebooks handed in."""
    course = corpus_course_00
    args = grade_args(
        course,
        course.root / "reports",
        "--workers",
        "2",
        "--timeout",
        str(LIMITS_00.notebook_seconds),
        "--cell-timeout",
        str(LIMITS_00.cell_seconds),
        assignment=ASSIGNMENT_00,
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return CliRun(status, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def graded_00(cli_00: CliRun, corpus_course_00: Course) -> GradingRun:
    """The records of that run, read back from the markers it wrote."""
    return GradingRun(ASSIGNMENT_00, graded=load_records(corpus_course_00.config, ASSIGNMENT_00))


def test_foreign_notebooks_00_do_not_stop_the_class(cli_00: CliRun, graded_00: GradingRun) -> None:
    """Issue 25: before, the first foreign notebook crashed the run (``KeyError: 'grade_id'`` in
    nbgrader's ``OverwriteCells``, exit status 1) and nobody was graded. Now every student is
    recorded, the twelve are scored 0 and flagged, and the exit status is 3."""
    foreign = sorted(case.name for case in CASES_00 if case.not_normal)
    assert len(foreign) == 12
    assert cli_00.status == 3, cli_00.err
    assert (
        f"{len(CASES_00)} graded, 0 already graded (kept), 0 not graded, 12 not graded normally" in cli_00.out
    ), cli_00.out
    assert sorted(r.student_id for r in graded_00.graded) == sorted(case.name for case in CASES_00)
    assert sorted(r.student_id for r in graded_00.not_graded_normally) == foreign
    for name in foreign:
        assert (
            f"not graded normally {ASSIGNMENT_00}/{name}: {ASSIGNMENT_00}.ipynb: not this assignment"
            in cli_00.err
        ), cli_00.err


def test_every_submission_is_graded_once(graded: GradingRun) -> None:
    assert graded.ok, graded.not_graded
    students = sorted(record.student_id for record in graded.graded)
    assert students == sorted(case.name for case in CASES), "each submission graded exactly once"


def _autograded(scores: dict[str, float]) -> dict[str, float]:
    """The scores of the autograded cells (the corpus' expectations), written answers left out."""
    return {grade_id: score for grade_id, score in scores.items() if not grade_id.startswith(WRITTEN_PREFIX)}


def _check_case(case: Case, run: GradingRun, course: Course) -> None:
    record = {r.student_id: r for r in run.graded}[case.name]
    cells = record.scores[course.assignment]
    scores = {grade_id: cell["score"] for grade_id, cell in cells.items()}
    assert _autograded(scores) == case.expected, record.problems
    # written answers wait for the instructor: the grader gives them nothing
    assert not any(score for grade_id, score in scores.items() if grade_id.startswith(WRITTEN_PREFIX))
    if case.reason:
        assert any(case.reason in problem for problem in record.problems), record.problems
    assert bool(record.not_graded_normally) == case.not_normal, record.not_graded_normally
    if case.review:
        assert record.needs_review and case.review in record.needs_review[0], record.needs_review
    else:
        assert record.needs_review == [], f"false positive: {record.needs_review}"
    # the gradebook holds the same scores as the marker, and the marker records the review
    with instructor_gradebook(course) as gb:
        notebook = gb.find_submission_notebook(course.assignment, course.assignment, case.name)
        assert _autograded({g.name: float(g.auto_score or 0) for g in notebook.grades}) == case.expected
    submission = find_submissions(course.config, course.assignment, [case.name])[0]
    assert read_record(course.config, submission).needs_review == record.needs_review  # type: ignore[union-attr]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_scores_and_reason(case: Case, graded: GradingRun, corpus_course: Course) -> None:
    _check_case(case, graded, corpus_course)


@pytest.mark.parametrize("case", CASES_00, ids=[case.name for case in CASES_00])
def test_case_00_scores_and_reason(case: Case, graded_00: GradingRun, corpus_course_00: Course) -> None:
    _check_case(case, graded_00, corpus_course_00)


def test_each_defence_is_needed() -> None:
    """Every flagged case scored full marks before execution integrity was checked (measured
    with the grader of the previous commit; see the corpus' ``before``), or is flagged for a
    reason that costs nothing but the review (sys.excepthook, a broken kernel, a removed
    check)."""
    for case in CASES + CASES_00:
        if case.before is not None:
            assert case.review and sum(case.before.values()) > sum(case.expected.values()), case.name


def instructor_gradebook(course: Course):  # noqa: ANN201  (nbgrader's Gradebook)
    from nbgrader.api import Gradebook

    return Gradebook(course.config.CourseDirectory.db_url, course.config.CourseDirectory.course_id)


def _outputs(course: Course, student: str) -> str:
    path = course.data / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "\n".join(str(output) for cell in nb.cells for output in cell.get("outputs", []))


def test_network_is_unreachable(graded: GradingRun, corpus_course: Course) -> None:
    assert corpus_course.listener is not None and corpus_course.listener.connections == []
    text = _outputs(corpus_course, "network")
    assert "blocked" in text and "CONNECTED" not in text


def test_instructor_files_are_hidden(graded: GradingRun, corpus_course: Course) -> None:
    text = _outputs(corpus_course, "snoops")
    assert "SEEN" not in text and text.count("hidden") == 3, text


def test_filesystem_is_an_allow_list(graded: GradingRun, corpus_course: Course) -> None:
    """A submission walking / finds none of the host's marker files (outside the allow-list)
    and sees only the sandbox's own top-level folders."""
    text = _outputs(corpus_course, "walks_filesystem")
    assert "MARKERS []" in text and "READ" not in text, text
    assert text.count("unreadable") == len(corpus_course.markers) >= 4, text
    root = ast.literal_eval(re.search(r"ROOT (\[[^\]]*\])", text).group(1))  # type: ignore[union-attr]
    allowed = {
        "bin",
        "dev",
        "etc",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "proc",
        "sbin",
        "sys",
        "tmp",
        "usr",
        "var",
    }
    for path in (sys.prefix, sys.base_prefix, str(REPO_ROOT)):  # where the environment lives
        allowed.add(path.strip("/").split("/")[0])
    assert set(root) <= allowed, set(root) - allowed
    assert not {"home", "srv", "opt", "mnt", "media", "boot", "run"} & set(root) - allowed


def test_output_flood_is_capped(graded: GradingRun, corpus_course: Course) -> None:
    path = corpus_course.data / "autograded" / "output_flood" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 2 * TEST_LIMITS.output_bytes
    assert "output beyond" in _outputs(corpus_course, "output_flood")


def test_no_process_outlives_its_sandbox(graded: GradingRun) -> None:
    assert sandbox_processes() == [], "sandbox processes still running"


def test_rerun_keeps_grades_and_regrades_only_changes(graded: GradingRun, corpus_course: Course) -> None:
    again = grade_assignment(
        corpus_course.config, ASSIGNMENT, workers=1, limits=TEST_LIMITS, students=["blank", "partial"]
    )
    assert again.graded == [] and sorted(again.skipped) == [f"{ASSIGNMENT}/blank", f"{ASSIGNMENT}/partial"]
    corpus_course.submit("blank", next(c for c in CASES if c.name == "full"))  # resubmitted, complete
    again = grade_assignment(
        corpus_course.config, ASSIGNMENT, workers=1, limits=TEST_LIMITS, students=["blank", "partial"]
    )
    assert [r.student_id for r in again.graded] == ["blank"] and again.graded[0].score == 5.0
    partial = find_submissions(corpus_course.config, ASSIGNMENT, ["partial"])[0]
    assert read_record(corpus_course.config, partial).score == 2.0  # type: ignore[union-attr]


def test_feedback_never_shows_hidden_tests(graded: GradingRun, corpus_course: Course) -> None:
    # "prints_history" prints every cell executed so far, the hidden tests of test_add included
    assert "SECRET_HIDDEN_ADD" in _outputs(corpus_course, "prints_history")
    instructor.generate_feedback(corpus_course.config, ASSIGNMENT, "prints_history")
    feedback = corpus_course.data / "feedback" / "prints_history" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    html = feedback.read_text()
    assert "SECRET_HIDDEN" not in html
    assert "output removed, it quotes a hidden test" in html


@pytest.mark.parametrize(
    "patch, replaced",
    [
        ("import builtins\nbuiltins.abs = lambda value: 0", "builtins.abs"),
        (
            "import numpy.testing\nnumpy.testing.assert_allclose = lambda *args, **kwargs: None",
            "numpy.testing.assert_allclose",
        ),
        # replaced and put back within the cell: nothing to see after it
        ("import builtins\n_abs = builtins.abs\nbuiltins.abs = lambda value: 0\nbuiltins.abs = _abs", None),
    ],
)
def test_guard_stops_tests_after_tampering(patch: str, replaced: str | None) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            graded_cell("assert abs(-2) == 2", "test_before"),
            nbformat.v4.new_code_cell(patch),
            graded_cell("import numpy.testing\nnumpy.testing.assert_allclose(abs(-3), 3)", "test_after"),
            nbformat.v4.new_code_cell("import builtins\nbuiltins.abs = lambda value: 0"),
            graded_cell("print('later')", "test_later"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result = run_in_sandbox(nb, TEST_LIMITS)
    before, _, after, _, later = result.notebook.cells
    assert not any(o.output_type == "error" for o in before.outputs)
    assert result.checks >= 3 and result.check_seconds > 0
    if replaced is None:
        assert not any(o.output_type == "error" for o in after.outputs), after.outputs
        assert later.outputs[-1].ename == "GraderError" and "builtins.abs" in result.review[0]
        return
    reason = f"the submission changed how cells run: {replaced} was replaced"
    assert after.outputs[0].ename == "GraderError" and reason in after.outputs[0].evalue
    assert "earlier check failed" in later.outputs[0].evalue  # sticky: no further check
    assert result.review == [f"cell test_after: {reason}"]
    assert result.problems == [
        f"cell test_after: {reason} (needs review; it and the 1 graded cell(s) after it score 0)"
    ]


def test_check_after_the_cell_voids_it() -> None:
    """A test cell that installs something while it runs (a student function it calls) loses
    its own points too: the check after it fails."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "def helper():\n    get_ipython().ast_transformers.append(object())\n    return 1"
            ),
            graded_cell("assert helper() == 1\nprint('passed')", "test_x"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result = run_in_sandbox(nb, TEST_LIMITS)
    outputs = result.notebook.cells[1].outputs
    assert outputs[0].text == "passed\n" and outputs[-1].ename == "GraderError"
    assert "AST transformer" in result.review[0]


def test_whole_notebook_limit_keeps_finished_cells(course: Course) -> None:
    case = Case(
        "slow",
        {},
        {
            "add": "import time\ntime.sleep(3)\n" + "def add(a, b):\n    return a + b\n",
            "square": "time.sleep(30)\n",
        },
    )
    course.submit("slow", case)
    submission = find_submissions(course.config, ASSIGNMENT)[0]
    notebook = sanitise(course.config, submission).notebooks[ASSIGNMENT]
    limits = type(TEST_LIMITS)(notebook_seconds=12, cell_seconds=60, memory_bytes=1 << 30)
    result = run_in_sandbox(notebook, limits)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in result.notebook.cells}
    assert not any(o.output_type == "error" for o in by_id["test_add"].outputs), "finished cell kept"
    assert "time limit of 12 s" in by_id["test_square"].outputs[0].evalue
    assert any("time limit of 12 s" in problem for problem in result.problems)
    assert result.wall_seconds < 30
