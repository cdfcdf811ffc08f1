"""Proof that every assignment under solutions/ is graded correctly (present and future).

Pipeline steps checked, per assignment:

1. the source notebook follows the conventions (solutions/README.md): no outputs, set-up
   cell, unique grade ids, point total stated, nothing but the notebook in its folder;
2. ``exercises/`` is what ``make exercises`` generates from ``solutions/`` (byte for byte),
   and no student file (nor the built book) holds solution code or hidden tests;
3. every part (solution cell) has its test cells, which grade it inside
   ``graded_part("<assignment>", "<part>")``, and its entry in ``dlgd_course.assignments``;
   the mutants in ``tests/mutants/<assignment>/`` apply cleanly, the mistakes cover every
   graded cell and the lazy ones every part their strategy applies to (delegating to the
   library: parts with library answers; returning the expected value: every part; skipping
   training: parts that train; faking a result in a cell of its own);
4. the full instructor workflow in a temporary course with a local exchange — generate,
   release, fetch (three students), validate, submit, collect, autograde, generate and
   release feedback, export CSV — gives the complete notebook full marks, the untouched
   one 0 and the partly wrong one (the first mutant) exactly the points of the cells it
   does not break; the feedback holds no hidden test;
5. every other mutant, mistake or lazy, autograded, loses the points of exactly the cells of
   its ``FAILS`` and keeps the others;
6. for every part, the complete notebook with only that part left blank loses exactly that
   part's points (an unsolved part never costs another part's).

Each notebook execution costs seconds to tens of seconds on a 2-core CPU, so none runs twice:
the complete and untouched notebooks are graded once, inside the workflow (4), which also
serves the first mutant; (5) and (6) run one execution per mutant or part, in parallel under
xdist. Every graded student is recorded for the table ``test-artifacts/integrity.md``.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from pipeline_helpers import (
    ASSIGNMENTS,
    FIXTURES,
    KERNEL_THREADS,
    MUTANTS_DIR,
    REPO_ROOT,
    hidden_test_lines,
    mutants_of,
    parts_of,
    public_lines,
    record_outcome,
    release_notebook,
    shows_line,
    solution_lines,
    source_notebook,
    visible_text,
    written_answer_fragments,
)
from traitlets.config import Config

from autograder import instructor
from autograder.course import course_config
from autograder.exercises import out_of_sync
from autograder.grading import (
    NotebookScore,
    autograde_notebook,
    check_source_notebook,
    graded_cells,
    kernel_threads,
    read_scores,
    validate_notebook,
)
from autograder.mutants import (
    LAZY_STRATEGIES,
    Edit,
    Mutant,
    apply_mutant,
    fill_solutions,
    insert_written_answer,
)
from autograder.preprocessors import REDACTED
from autograder.report import write_reports
from autograder.submissions import Submission, record
from dlgd_course.own_work import assignment_parts

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignment under solutions/ yet")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_conventions(assignment: str) -> None:
    source = source_notebook(assignment)
    check_source_notebook(source)
    folder = source.parent
    extra = sorted(p.name for p in folder.iterdir() if p.name != source.name)
    assert not extra, f"solutions/{assignment}/ must hold only the notebook (released!): {extra}"
    nb = nbformat.read(source, as_version=4)
    ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    assert "setup" in ids and "setup_notebook(seed=" in ids["setup"].source, (
        "the notebook needs the set-up cell (grade_id 'setup') calling setup_notebook(seed=...)"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    cells = graded_cells(source)
    assert cells, "an assignment needs graded test cells"
    total = sum(cells.values())
    intro = nb.cells[0].source.lower()
    assert re.search(rf"total[^0-9]{{0,8}}{total:g} points", intro), (
        f"the first cell should state the point total ('total {total:g} points')"
    )
    solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert solutions, "an assignment needs solution cells"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_part_is_graded_as_the_students_own_work(assignment: str) -> None:
    """Each part has test cells that grade it inside graded_part(...), and a registry entry."""
    source = source_notebook(assignment)
    parts = parts_of(source)
    graded = {c for tests in parts.values() for c in tests}
    nb = nbformat.read(source, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    orphans = [
        g
        for g, c in cells.items()
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code" and g not in graded
    ]
    assert not orphans, f"graded cells that belong to no part (test_<part>[_hidden]): {orphans}"
    for part, tests in parts.items():
        assert tests, f"solution cell {part!r} has no graded test cell test_{part}"
        for test in tests:
            opening = f'graded_part("{assignment}", "{part}")'
            assert opening in cells[test].source, f"{test} should grade inside `with {opening} as part:`"
    registry = assignment_parts(assignment)
    assert set(registry) == set(parts), (
        f"dlgd_course.assignments lists parts {sorted(registry)}, the notebook has {sorted(parts)}"
    )


def test_exercises_in_sync_with_solutions() -> None:
    problems = out_of_sync(REPO_ROOT)
    assert not problems, "run `make exercises`:\n" + "\n".join(problems)


def _student_files() -> list[tuple[Path, bool]]:
    """Files students see, each with whether it may legitimately show library code.

    The exercises re-implement library functions (and check against them), so the book's
    rendered library source (``_modules/``) shares lines with the solutions: there only the
    markers and the hidden tests are looked for.
    """
    files = [(p, False) for p in (REPO_ROOT / "exercises").rglob("*") if p.is_file()]
    book_build = REPO_ROOT / "book" / "_build"
    if book_build.is_dir():  # the built book, when there is one, is checked as well
        files += [
            (p, "_modules" in p.parts)
            for p in book_build.rglob("*")
            if p.suffix in (".html", ".ipynb", ".md", ".txt") and ".doctrees" not in p.parts
        ]
    return files


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_or_hidden_test_in_student_files(assignment: str) -> None:
    source = source_notebook(assignment)
    public = public_lines()
    solutions, hidden = solution_lines(source) - public, hidden_test_lines(source) - public
    assert solutions and hidden, "found no solution or hidden test lines to look for"
    written = written_answer_fragments(source, public)
    if graded_cells(source, written=True):
        assert written, "found no model answer or rubric text to look for in the written answers"
    markers = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    leaks = []
    for path, library_source in _student_files():
        text = visible_text(path)
        secrets = hidden if library_source else solutions | hidden
        leaks += [f"{path}: marker {m!r}" for m in markers if m in text]
        leaks += [f"{path}: {line!r}" for line in sorted(secrets) if shows_line(text, line)]
        leaks += [f"{path}: model answer or rubric {piece!r}" for piece in sorted(written) if piece in text]
    assert not leaks, "solution code, hidden tests or model answers in student files:\n" + "\n".join(leaks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mutants_are_valid_and_cover_every_graded_cell(assignment: str, tmp_path: Path) -> None:
    mutants = mutants_of(assignment)
    mistakes = [m for m in mutants if not m.lazy]
    assert 1 <= len(mistakes) <= 5, (
        f"tests/mutants/{assignment}/ should hold 1 to 5 mistakes, found {len(mistakes)}"
    )
    source = source_notebook(assignment)
    cells = graded_cells(source, written=False)  # written answers are graded by hand: no mutant
    for mutant in mutants:
        unknown = set(mutant.fails) - set(cells)
        assert not unknown, f"mutant {mutant.name}: FAILS names unknown or written cells {sorted(unknown)}"
        work = fill_solutions(release_notebook(assignment), source, tmp_path / mutant.name / source.name)
        apply_mutant(work, mutant, work)
    covered = {cell for mutant in mistakes for cell in mutant.fails}
    assert covered == set(cells), f"graded cells no mistake fails: {sorted(set(cells) - covered)}"

    lazy = {m.strategy: m for m in mutants if m.lazy}
    assert set(lazy) == set(LAZY_STRATEGIES), (
        f"one lazy mutant per strategy {sorted(LAZY_STRATEGIES)} expected, found {sorted(lazy)}"
    )
    parts, registry = parts_of(source), assignment_parts(assignment)
    required = {
        "expected_value": list(parts),
        "delegate": [p for p in parts if registry[p].answers],
        "skip_training": [p for p in parts if registry[p].trains],
    }
    for strategy, needed in required.items():
        missing = {t for p in needed for t in parts[p]} - set(lazy[strategy].fails)
        assert not missing, (
            f"lazy mutant {lazy[strategy].name} ({LAZY_STRATEGIES[strategy]}) "
            f"does not cover {sorted(missing)}"
        )


def _mutant_params() -> list:
    """Every mutant but the first mistake of each assignment (the workflow's partly wrong
    student), mistakes and lazy ones."""
    params = []
    for assignment in ASSIGNMENTS:
        if (MUTANTS_DIR / assignment).is_dir():
            params += [
                pytest.param(assignment, m, id=f"{assignment}-{m.name}") for m in mutants_of(assignment)[1:]
            ]
    return params


def _student_name(mutant) -> str:
    return f"lazy:{mutant.strategy}" if mutant.lazy else f"mistake:{mutant.name}"


@pytest.mark.parametrize(("assignment", "mutant"), _mutant_params())
def test_mutant_loses_exactly_its_points(assignment: str, mutant, tmp_path: Path) -> None:
    source = source_notebook(assignment)
    work = fill_solutions(release_notebook(assignment), source, tmp_path / "work" / source.name)
    apply_mutant(work, mutant, work)
    score = autograde_notebook(source, work, threads=KERNEL_THREADS, workdir=tmp_path).autograded()
    record_outcome(
        assignment,
        _student_name(mutant),
        {k: c.score for k, c in score.cells.items()},
        score.max_score,
        mutant.fails,
    )
    kept = [cell for cell in mutant.fails if score.cells[cell].passed]
    assert not kept, (
        f"mutant {mutant.name} ({mutant.description.splitlines()[0]}) keeps full points on "
        f"{kept}: the tests do not catch this"
    )
    lost = [cell for cell, s in score.cells.items() if not s.passed and cell not in mutant.fails]
    assert not lost, (
        f"mutant {mutant.name} also loses {lost}, parts it does not touch: the parts are not "
        f"graded independently"
    )


def _blank_params() -> list:
    return [
        pytest.param(assignment, part, id=f"{assignment}-{part}")
        for assignment in ASSIGNMENTS
        for part in parts_of(source_notebook(assignment))
    ]


@pytest.mark.parametrize(("assignment", "part"), _blank_params())
def test_a_blank_part_costs_only_its_own_points(assignment: str, part: str, tmp_path: Path) -> None:
    source = source_notebook(assignment)
    work = fill_solutions(
        release_notebook(assignment), source, tmp_path / "work" / source.name, blank=(part,)
    )
    score = autograde_notebook(source, work, threads=KERNEL_THREADS, workdir=tmp_path).autograded()
    scores = {k: c.score for k, c in score.cells.items()}
    record_outcome(assignment, f"blank:{part}", scores, score.max_score)
    own = parts_of(source)[part]
    assert not any(scores[cell] for cell in own), f"the blank part {part} keeps points: {scores}"
    lost = [cell for cell, s in score.cells.items() if not s.passed and cell not in own]
    assert not lost, f"leaving only {part} blank also costs {lost}: {scores}"


STUDENTS = ("complete", "partly_wrong", "empty")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_workflow(assignment: str, tmp_path: Path) -> None:
    mutants = mutants_of(assignment)
    assert mutants, f"tests/mutants/{assignment}/ needs mutants (the partly wrong student)"
    check_instructor_workflow(source_notebook(assignment), mutants[0], tmp_path)


def test_instructor_workflow_with_written_answers(tmp_path: Path) -> None:
    """The workflow on the tiny fixture with two written answers added (no torch: seconds),
    so that manual grading is proven whether or not the course's notebooks have written
    answers yet; here a second autograde also shows that it keeps the manual grades."""
    source = tmp_path / "fixture" / "01-tiny" / "01-tiny.ipynb"
    shutil.copytree(FIXTURES / "01-tiny", source.parent)
    insert_written_answer(
        source,
        "written_sum",
        2,
        "Adding two integers in Python gives an int again, exact for integers of any size.",
        ["the result is an int", "exact for integers of any size (no overflow)"],
    )
    insert_written_answer(
        source, "written_square", 1, "Squaring loses the sign of its argument entirely.", ["loses the sign"]
    )
    check_source_notebook(source)
    subtract = Mutant(
        name="subtract",
        description="a - b instead of a + b",
        notebook=source.name,
        edits=(Edit("add", "a + b", "a - b"),),
        fails=("test_add",),
    )
    check_instructor_workflow(source, subtract, tmp_path, regrade=True)


def check_instructor_workflow(
    source: Path, partly_wrong: Mutant, tmp_path: Path, *, regrade: bool = False
) -> None:
    """The whole instructor workflow on the assignment of ``source`` (a source notebook) in a
    temporary course, with three students: complete, ``partly_wrong`` (a mistake mutant) and
    empty (the untouched release). The written answers are graded by hand through nbgrader's
    API (:func:`autograder.instructor.grade_by_hand`) between autograding and feedback.
    ``regrade``: autograde the complete student once more after the manual grading (costs one
    more execution) and check that the manual grades stay. Records the students for the
    integrity table when ``source`` is one of the course's notebooks."""
    assignment = source.parent.name
    root = tmp_path / "course"
    shutil.copytree(source.parent, root / "solutions" / assignment)
    config = course_config(root, tmp_path / "instructor")
    cells = graded_cells(source, written=False)
    written = graded_cells(source, written=True)

    instructor.generate(config, assignment)
    instructor.release(config, assignment)
    workspaces = {s: tmp_path / "students" / s for s in STUDENTS}
    fetched_notebooks = {}
    for student, workspace in workspaces.items():
        fetched = instructor.fetch(config, assignment, student, workspace) / source.name
        fetched_notebooks[student] = fetched
        assert fetched.is_file(), f"{student} did not fetch {source.name}"
        if student in ("complete", "partly_wrong"):
            fill_solutions(fetched, source, fetched)
        if student == "partly_wrong":
            apply_mutant(fetched, partly_wrong, fetched)
    # nbgrader's `validate` CLI exits 0 even here; the Python verdict must say "failed".
    with kernel_threads(KERNEL_THREADS):
        empty_verdict = validate_notebook(fetched_notebooks["empty"], config)
    assert empty_verdict.exit_code == 1, "validating the untouched notebook must fail"
    for student, workspace in workspaces.items():
        instructor.submit(config, assignment, student, workspace)
    instructor.collect(config, assignment)
    with kernel_threads(KERNEL_THREADS):
        instructor.autograde(config, assignment)

    from nbgrader.api import Gradebook

    def gradebook() -> Gradebook:
        return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)

    def read_all() -> dict[str, NotebookScore]:
        return {s: read_scores(gradebook(), assignment, source.stem, s) for s in STUDENTS}

    scores = read_all()
    auto = {s: scores[s].autograded() for s in STUDENTS}
    if source == source_notebook(assignment):
        for student, name in (
            ("complete", "complete"),
            ("empty", "empty"),
            ("partly_wrong", _student_name(partly_wrong)),
        ):
            record_outcome(
                assignment,
                name,
                {k: c.score for k, c in auto[student].cells.items()},
                auto[student].max_score,
                partly_wrong.fails if student == "partly_wrong" else (),
            )
    complete = {k: c.score for k, c in auto["complete"].cells.items()}
    assert complete == cells, f"the solution should get full marks {cells}, got {complete}"
    empty = {k: c.score for k, c in scores["empty"].cells.items()}
    assert not any(empty.values()), f"the untouched student version should score 0, got {empty}"
    wrong = auto["partly_wrong"].cells
    kept = [cell for cell in partly_wrong.fails if wrong[cell].passed]
    assert not kept, f"mutant {partly_wrong.name} keeps full points on {kept}"
    lost = [cell for cell, s in wrong.items() if not s.passed and cell not in partly_wrong.fails]
    assert not lost, f"mutant {partly_wrong.name} also loses {lost}: parts are not independent"

    # Written answers: 0 and "needs manual grade" for those who wrote one (an untouched answer
    # is nbgrader's "no response": 0, nothing to grade); graded by hand, they enter the total.
    for student in ("complete", "partly_wrong"):
        assert scores[student].awaiting_manual_grade == list(written), (
            f"{student}'s written answers {list(written)} should await manual grading, "
            f"awaiting: {scores[student].awaiting_manual_grade}"
        )
        assert not any(scores[student].cells[cell].score for cell in written)
    assert scores["empty"].awaiting_manual_grade == [], "an untouched written answer needs no grading"
    _write_dlgd_grade_markers(config, assignment, source.stem, scores)
    assert write_reports(config, assignment, tmp_path / "reports").awaiting_manual_grade == 2 * len(written)
    manual = {"complete": written, "partly_wrong": {cell: points / 2 for cell, points in written.items()}}
    comments = {
        (student, cell): f"Graded by hand: {student} earns {points:g} on {cell}."
        for student, given in manual.items()
        for cell, points in given.items()
    }
    for (student, cell), comment in comments.items():
        given = manual[student][cell]
        instructor.grade_by_hand(config, assignment, source.stem, student, cell, given, comment)
    if regrade:  # nbgrader keeps a manual grade when autograding again, flagged for review
        with kernel_threads(KERNEL_THREADS):
            instructor.autograde(config, assignment, "complete")
        # autograding replaced the submission's folder, marker included: write it again, as a
        # regrading dlgd-grade does
        complete_now = read_scores(gradebook(), assignment, source.stem, "complete")
        _write_dlgd_grade_markers(config, assignment, source.stem, {"complete": complete_now})
    totals = {s: auto[s].score + sum(manual.get(s, {}).values()) for s in STUDENTS}
    graded = read_all()
    for student in STUDENTS:
        assert graded[student].score == pytest.approx(totals[student]), (
            f"{student}'s total should be the autograded {auto[student].score:g} plus the manual "
            f"{sum(manual.get(student, {}).values()):g}, got {graded[student].score:g}"
        )
        assert graded[student].autograded().cells == auto[student].cells, "autograded cells changed"
    assert graded["complete"].score == sum(cells.values()) + sum(written.values())
    regraded = graded["complete"].cells
    assert all(regraded[cell].needs_manual_grade == regrade for cell in written), (
        "after manual grading a written answer needs no more grading, unless autograded again "
        f"(then nbgrader flags it for review): {regraded}"
    )

    feedback = instructor.generate_feedback(config, assignment)
    assert feedback.ok and not feedback.simplified, feedback
    instructor.release_feedback(config, assignment)

    rows = instructor.export_csv(config, tmp_path / "grades.csv")
    by_student = {row["student_id"]: float(row["score"]) for row in rows}
    assert by_student == pytest.approx(totals), f"nbgrader's CSV should hold {totals}, got {by_student}"
    assert 0 < by_student["partly_wrong"] < sum(cells.values()) + sum(written.values())
    reports = write_reports(config, assignment, tmp_path / "reports")
    assert reports.awaiting_manual_grade == (len(written) if regrade else 0), reports
    with open(reports.csv, newline="") as stream:
        report_rows = list(csv.DictReader(stream))
    report_totals = {s: sum(float(r["score"]) for r in report_rows if r["student_id"] == s) for s in STUDENTS}
    assert report_totals == pytest.approx(totals), f"dlgd-grade's report lacks manual grades: {report_totals}"

    hidden = hidden_test_lines(source)
    model_answers = written_answer_fragments(source, public_lines())
    if written:
        assert model_answers, "no model answer text to look for in the feedback"
    visible_tests = {
        line.strip()
        for c in nbformat.read(source, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
        for line in c.source.split("### BEGIN HIDDEN TESTS")[0].splitlines()
        if len(line.strip()) >= 10
    }
    for student, workspace in workspaces.items():
        pages = instructor.fetch_feedback(config, assignment, student, workspace)
        assert pages, f"{student} got no feedback"
        text = "\n".join(visible_text(page) for page in pages)
        assert any(shows_line(text, line) for line in visible_tests), "feedback lacks the tests"
        shown = sorted(line for line in hidden if shows_line(text, line))
        assert not shown, f"feedback of {student} shows hidden tests: {shown}"
        # and redaction keeps the messages that teach (expected/got values of visible tests)
        assert REDACTED.strip() not in text, f"feedback of {student} lost a test's message to redaction"
        missing = [c for (s, _), c in comments.items() if s == student and c not in text]
        assert not missing, f"feedback of {student} lacks the instructor's comments {missing}"
        leaked = sorted(piece for piece in model_answers if piece in text)
        assert not leaked, f"feedback of {student} shows the model answer or rubric: {leaked}"


def _write_dlgd_grade_markers(
    config: Config, assignment: str, notebook_id: str, scores: dict[str, NotebookScore]
) -> None:
    """The grading markers dlgd-grade writes beside each graded submission, with the scores of
    the autograding (its reports are built from them, brought up to date by the gradebook)."""
    for student, score in scores.items():
        submission = Submission(student, assignment, Path(config.CourseDirectory.root), "workflow")
        record(config, submission, {notebook_id: score}, [], score.seconds, score.seconds)
