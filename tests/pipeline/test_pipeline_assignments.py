"""Proof that every assignment under solutions/ is graded correctly (present and future).

Pipeline steps checked, per assignment:

1. the source notebook follows the conventions (solutions/README.md): no outputs, set-up
   cell, unique grade ids, point total stated (written answers included), nothing but the
   notebook in its folder;
2. ``exercises/`` is what ``make exercises`` generates from ``solutions/`` (byte for byte),
   and no student file (nor the built book) holds solution code, hidden tests, or the model
   answer or rubric of a written answer;
3. every part (solution code cell) has its test cells, which grade it inside
   ``graded_part("<assignment>", "<part>")``, and its entry in ``dlgd_course.assignments``;
   written answers (markdown, graded by hand) are no parts; the mutants in
   ``tests/mutants/<assignment>/`` apply cleanly, the mistakes cover every autograded cell and
   the lazy ones every part their strategy applies to (delegating to the library: parts with
   library answers; returning the expected value: every part; skipping training: parts that
   train; faking a result in a cell of its own);
4. the full instructor workflow in a temporary course with a local exchange — generate,
   release, fetch (three students), validate, submit, collect, autograde, grade the written
   answers by hand, generate and release feedback, export CSV, dlgd-grade's report — gives
   the complete notebook full marks on the autograded cells, the untouched one 0 and the
   partly wrong one (the first batch, see below) exactly the points of the cells it does not
   break; the totals add the manual grades; the feedback holds no hidden test and no model
   answer, and shows the grader's comments;
5. every mistake mutant loses the points of exactly the cells of its ``FAILS``, every lazy
   mutant too, and every part left blank exactly that part's points (an unsolved part never
   costs another part's), while all other cells keep theirs.

Each notebook execution costs seconds to tens of seconds on a 2-core CPU, so executions are
shared. The complete and untouched notebooks are graded once, inside the workflow (4). The
mistakes and the blank parts of (5) are packed into batches
(:func:`pipeline_helpers.pack_batches`), one execution each: the members of a batch touch
pairwise different parts (a mistake: the parts of the cells it edits and of its ``FAILS``; a
blank part: itself), and no member's part reads another member's part (its code cells name
nothing that the other part's solution cell defines, :func:`pipeline_helpers.part_readers`).
A batch must lose exactly the union of its members' cells and keep every other one; the first
batch is the workflow's partly wrong student. Lazy mutants touch every part: one execution
each. With the seven themes this takes 72 executions instead of 112 (one per mutant and blank
part), in parallel under xdist. Every member is recorded for ``test-artifacts/integrity.md``
(its row leaves out the cells the other members of its batch must lose).

What a batch cannot see: a cascade from one member into a cell that another member of the
same batch must lose anyway (that cell fails either way). The packing keeps apart the parts
that name each other's results, so such a cascade would have to go through something no part
names: the shared data cells changed in place, the random state, the kernel's state after an
error. Parts are independent by construction (a later part gets an earlier result through
``own_or_reference``, with the reference as fallback; training cells seed themselves), the
cascades through names are the ones the packing keeps visible, and each lazy mutant, which
breaks every part at once, still runs alone.
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
    REPO_ROOT,
    REPORTS,
    Batch,
    hidden_test_lines,
    member_name,
    mutants_of,
    pack_batches,
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


@pytest.mark.parametrize("assignment", ASSIGNMENTS + REPORTS)
def test_no_solution_or_hidden_test_in_student_files(assignment: str) -> None:
    """No solution line, hidden test or model answer of a graded notebook or a report (whose
    solutions are its written answers' model answers and rubrics) in what students see."""
    source = source_notebook(assignment)
    public = public_lines()
    solutions, hidden = solution_lines(source) - public, hidden_test_lines(source) - public
    assert solutions and (hidden or assignment in REPORTS), (
        "found no solution or hidden test lines to look for"
    )
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


def batches_of(assignment: str) -> list[Batch]:
    """The executions of the mutant and blank-part checks of an assignment: the mistakes and
    the parts left blank packed into batches (:func:`pipeline_helpers.pack_batches`; the first
    is the workflow's partly wrong student), then one per lazy mutant (each touches every
    part)."""
    mutants = mutants_of(assignment)
    batches = pack_batches([m for m in mutants if not m.lazy], source_notebook(assignment))
    return batches + [Batch((m,), (), {member_name(m): m.fails}) for m in mutants if m.lazy]


def _batch_params() -> list:
    """Every execution of :func:`batches_of` but the workflow's (the first), per assignment."""
    return [
        pytest.param(assignment, batch, id=f"{assignment}-{batch.label}")
        for assignment in ASSIGNMENTS
        for batch in batches_of(assignment)[1:]
    ]


@pytest.mark.parametrize(("assignment", "batch"), _batch_params())
def test_batch_loses_exactly_its_points(assignment: str, batch: Batch, tmp_path: Path) -> None:
    """One execution: every member (mistake, blank part, lazy mutant) loses exactly its cells."""
    source = source_notebook(assignment)
    work = batch.student_work(release_notebook(assignment), source, tmp_path / "work" / source.name)
    score = autograde_notebook(source, work, threads=KERNEL_THREADS, workdir=tmp_path)
    check_batch(assignment, batch, score.autograded(), record=True)


def check_batch(assignment: str, batch: Batch, score: NotebookScore, *, record: bool) -> None:
    """Each member of ``batch`` lost exactly its cells in the autograded ``score``: a mistake
    or lazy mutant its ``FAILS`` (not full points), a blank part its test cells (0 points);
    every other cell kept its full points. ``record``: keep each member for the integrity
    table, with the cells the other members must lose left out of its scores."""
    scores = {k: c.score for k, c in score.cells.items()}
    at_stake = {cell for cells in batch.losses.values() for cell in cells}
    mutants = {member_name(m): m for m in batch.mutants}
    for member, cells in batch.losses.items():
        if record:
            own = {k: v for k, v in scores.items() if k in cells or k not in at_stake}
            total = sum(score.cells[k].max_score for k in own)
            record_outcome(assignment, member, own, total, cells)
        if member in mutants:
            mutant = mutants[member]
            kept = [cell for cell in cells if score.cells[cell].passed]
            assert not kept, (
                f"mutant {mutant.name} ({mutant.description.splitlines()[0]}) keeps full points on "
                f"{kept}: the tests do not catch this"
            )
        else:
            kept = [cell for cell in cells if scores[cell]]
            assert not kept, (
                f"the blank part {member.removeprefix('blank:')} keeps points on {kept}: {scores}"
            )
    lost = [cell for cell, s in score.cells.items() if not s.passed and cell not in at_stake]
    together = f" (sharing one execution: {', '.join(batch.losses)})" if len(batch.losses) > 1 else ""
    assert not lost, (
        f"{', '.join(batch.losses)} also lose {lost}, cells none of them touches: the parts are not "
        f"graded independently{together}: {scores}"
    )


STUDENTS = ("complete", "partly_wrong", "empty")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_workflow(assignment: str, tmp_path: Path) -> None:
    assert mutants_of(assignment), f"tests/mutants/{assignment}/ needs mutants (the partly wrong student)"
    check_instructor_workflow(source_notebook(assignment), batches_of(assignment)[0], tmp_path)


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
    partly_wrong = pack_batches([subtract], source)[0]
    assert set(partly_wrong.losses) == {"mistake:subtract", "blank:square"}, partly_wrong.losses
    check_instructor_workflow(source, partly_wrong, tmp_path, regrade=True)


def check_instructor_workflow(
    source: Path, partly_wrong: Batch, tmp_path: Path, *, regrade: bool = False
) -> None:
    """The whole instructor workflow on the assignment of ``source`` (a source notebook) in a
    temporary course, with three students: complete, ``partly_wrong`` (a batch of mistakes and
    blank parts, checked as :func:`check_batch` does) and
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
        if student == "complete":
            fill_solutions(fetched, source, fetched)
        if student == "partly_wrong":
            partly_wrong.student_work(fetched, source, fetched)
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
    course_notebook = source == source_notebook(assignment)
    if course_notebook:
        for student in ("complete", "empty"):
            scored = {k: c.score for k, c in auto[student].cells.items()}
            record_outcome(assignment, student, scored, auto[student].max_score)
    complete = {k: c.score for k, c in auto["complete"].cells.items()}
    assert complete == cells, f"the solution should get full marks {cells}, got {complete}"
    empty = {k: c.score for k, c in scores["empty"].cells.items()}
    assert not any(empty.values()), f"the untouched student version should score 0, got {empty}"
    check_batch(assignment, partly_wrong, auto["partly_wrong"], record=course_notebook)

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
    # (the first batch may break every part: then the partly wrong student scores 0 as well)
    assert by_student["partly_wrong"] < by_student["complete"]
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
