"""Proof that every assignment under solutions/ is graded correctly (present and future).

Pipeline steps checked, per assignment:

1. the source notebook follows the conventions (solutions/README.md): no outputs, set-up
   cell, unique grade ids, point total stated, nothing but the notebook in its folder;
2. ``exercises/`` is what ``make exercises`` generates from ``solutions/`` (byte for byte),
   and no student file (nor the built book) holds solution code or hidden tests;
3. the mutants in ``tests/mutants/<assignment>/`` apply cleanly and cover every graded cell;
4. the full instructor workflow in a temporary course with a local exchange — generate,
   release, fetch (three students), validate, submit, collect, autograde, generate and
   release feedback, export CSV — gives the complete notebook full marks, the untouched
   one 0 and the partly wrong one (the first mutant) exactly the points of the cells it
   does not break; the feedback holds no hidden test;
5. every other mutant, autograded, loses points on every cell of its ``FAILS``.

Each notebook execution costs tens of seconds on a 2-core CPU, so none runs twice: the
complete and untouched notebooks are graded once, inside the workflow (4), which also serves
the first mutant; (5) runs one execution per remaining mutant, in parallel under xdist.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from pipeline_helpers import (
    ASSIGNMENTS,
    KERNEL_THREADS,
    MUTANTS_DIR,
    hidden_test_lines,
    mutants_of,
    public_lines,
    release_notebook,
    shows_line,
    solution_lines,
    source_notebook,
    visible_text,
)

from autograder import instructor
from autograder.course import REPO_ROOT, course_config
from autograder.exercises import out_of_sync
from autograder.grading import (
    autograde_notebook,
    check_source_notebook,
    graded_cells,
    kernel_threads,
    read_scores,
    validate_notebook,
)
from autograder.mutants import apply_mutant, fill_solutions

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
        "the notebook needs the set-up cell (grade_id 'setup') calling setup_notebook(seed=...)")
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    cells = graded_cells(source)
    assert cells, "an assignment needs graded test cells"
    total = sum(cells.values())
    intro = nb.cells[0].source.lower()
    assert re.search(rf"total[^0-9]{{0,8}}{total:g} points", intro), (
        f"the first cell should state the point total ('total {total:g} points')")
    solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert solutions, "an assignment needs solution cells"


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
    markers = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    leaks = []
    for path, library_source in _student_files():
        text = visible_text(path)
        secrets = hidden if library_source else solutions | hidden
        leaks += [f"{path}: marker {m!r}" for m in markers if m in text]
        leaks += [f"{path}: {line!r}" for line in sorted(secrets) if shows_line(text, line)]
    assert not leaks, "solution code or hidden tests in student files:\n" + "\n".join(leaks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mutants_are_valid_and_cover_every_graded_cell(assignment: str, tmp_path: Path) -> None:
    mutants = mutants_of(assignment)
    assert 1 <= len(mutants) <= 5, (
        f"tests/mutants/{assignment}/ should hold 1 to 5 mutants, found {len(mutants)}")
    cells = graded_cells(source_notebook(assignment))
    for mutant in mutants:
        unknown = set(mutant.fails) - set(cells)
        assert not unknown, f"mutant {mutant.name}: FAILS names unknown cells {sorted(unknown)}"
        apply_mutant(source_notebook(assignment), mutant, tmp_path / mutant.name / "nb.ipynb")
    covered = {cell for mutant in mutants for cell in mutant.fails}
    assert covered == set(cells), f"graded cells no mutant fails: {sorted(set(cells) - covered)}"


def _mutant_params() -> list:
    """Every mutant but the first of each assignment (the workflow's partly wrong student)."""
    params = []
    for assignment in ASSIGNMENTS:
        if (MUTANTS_DIR / assignment).is_dir():
            params += [pytest.param(assignment, m, id=f"{assignment}-{m.name}")
                       for m in mutants_of(assignment)[1:]]
    return params


def _student_work(assignment: str, answers: Path, output: Path) -> Path:
    return fill_solutions(release_notebook(assignment), answers, output)


@pytest.mark.parametrize(("assignment", "mutant"), _mutant_params())
def test_mutant_loses_points(assignment: str, mutant, tmp_path: Path) -> None:
    source = source_notebook(assignment)
    mutated = apply_mutant(source, mutant, tmp_path / "mutated" / source.name)
    work = _student_work(assignment, mutated, tmp_path / "work" / source.name)
    score = autograde_notebook(source, work, threads=KERNEL_THREADS, workdir=tmp_path)
    kept = [cell for cell in mutant.fails if score.cells[cell].passed]
    assert not kept, (
        f"mutant {mutant.name} ({mutant.description.splitlines()[0]}) keeps full points on "
        f"{kept}: the tests do not catch this mistake")


STUDENTS = ("complete", "partly_wrong", "empty")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_workflow(assignment: str, tmp_path: Path) -> None:
    source = source_notebook(assignment)
    root = tmp_path / "course"
    shutil.copytree(source.parent, root / "solutions" / assignment)
    config = course_config(root, tmp_path / "instructor")
    cells = graded_cells(source)
    mutants = mutants_of(assignment)
    assert mutants, f"tests/mutants/{assignment}/ needs mutants (the partly wrong student)"
    partly_wrong = mutants[0]

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
        elif student == "partly_wrong":
            mutated = apply_mutant(source, partly_wrong, tmp_path / "mutant" / source.name)
            fill_solutions(fetched, mutated, fetched)
    # nbgrader's `validate` CLI exits 0 even here; the Python verdict must say "failed".
    with kernel_threads(KERNEL_THREADS):
        empty_verdict = validate_notebook(fetched_notebooks["empty"], config)
    assert empty_verdict.exit_code == 1, "validating the untouched notebook must fail"
    for student, workspace in workspaces.items():
        instructor.submit(config, assignment, student, workspace)
    instructor.collect(config, assignment)
    with kernel_threads(KERNEL_THREADS):
        instructor.autograde(config, assignment)
    instructor.generate_feedback(config, assignment)
    instructor.release_feedback(config, assignment)

    from nbgrader.api import Gradebook

    def gradebook() -> Gradebook:
        return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)

    scores = {s: read_scores(gradebook(), assignment, source.stem, s) for s in STUDENTS}
    complete = {k: c.score for k, c in scores["complete"].cells.items()}
    assert complete == cells, f"the solution should get full marks {cells}, got {complete}"
    empty = {k: c.score for k, c in scores["empty"].cells.items()}
    assert not any(empty.values()), f"the untouched student version should score 0, got {empty}"
    wrong = scores["partly_wrong"].cells
    kept = [cell for cell in partly_wrong.fails if wrong[cell].passed]
    assert not kept, f"mutant {partly_wrong.name} keeps full points on {kept}"

    rows = instructor.export_csv(config, tmp_path / "grades.csv")
    by_student = {row["student_id"]: float(row["score"]) for row in rows}
    assert by_student["complete"] == sum(cells.values())
    assert by_student["empty"] == 0.0
    assert by_student["partly_wrong"] == pytest.approx(scores["partly_wrong"].score)
    assert 0 < by_student["partly_wrong"] < sum(cells.values())

    hidden = hidden_test_lines(source)
    visible_tests = {
        line.strip()
        for c in nbformat.read(source, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade")
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
