"""Property-based fuzzing of the host-side grading steps (issue 25): a valid submission of the
tiny fixture assignment, its JSON and nbgrader metadata mutated at random (cells deleted,
duplicated, moved, retyped; nbgrader keys set to any JSON value; foreign cells of nbgrader's
own test notebooks pasted in; sources, outputs, attachments, ids, the notebook's version and
metadata replaced; the file truncated or not UTF-8), always ends recorded exactly once: graded
from a notebook that nbformat and nbgrader accept, with the assignment's graded cells each
present once and its locked cells as the gradebook holds them, or scored 0 as not graded
normally with a reason. The student's file is never changed.

``test_fuzz_host_steps`` runs the host's steps (find, sanitise, score with made-up outputs,
record) on :data:`HOST_EXAMPLES` mutated submissions, without a sandbox;
``test_fuzz_graded_end_to_end`` grades :data:`RUN_EXAMPLES` of them in one real run on two
workers. Both are derandomized (the same examples every run) with no deadline.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator

import nbformat
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from nbformat.notebooknode import NotebookNode

from autograder import instructor
from autograder.distributed import GradingRun, _finish, grade_assignment
from autograder.sandbox import SandboxResult
from autograder.submissions import find_submissions, read_record, sanitise
from grading.foreign import completed, nbgrader_notebook
from grading.helpers import ASSIGNMENT, TEST_LIMITS, Course, make_course, needs_sandbox

pytestmark = pytest.mark.xdist_group("grading")

HOST_EXAMPLES = 60
RUN_EXAMPLES = 8

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
IDS = st.sampled_from(["add", "test_add", "square", "test_square", "setup", "squares", "", "cell-1"])
NBGRADER_KEYS = st.sampled_from(
    [
        "grade",
        "solution",
        "locked",
        "task",
        "points",
        "grade_id",
        "schema_version",
        "checksum",
        "cell_type",
        "extra",
    ]
)
VALUES = st.one_of(IDS, st.booleans(), st.integers(0, 4), JSON)
CELL_TYPES = st.sampled_from(["code", "markdown", "raw", "heading", None, 3])
FOREIGN_NOTEBOOKS = [
    "submitted-cheat-attempt.ipynb",
    "test-v0.ipynb",
    "too-new.ipynb",
    "autotest-multi.ipynb",
]
OPERATIONS = [
    "delete",
    "duplicate",
    "move",
    "cell_type",
    "set_key",
    "drop_key",
    "replace_nbgrader",
    "drop_nbgrader",
    "cell_metadata",
    "source",
    "outputs",
    "attachments",
    "execution_count",
    "cell_id",
    "foreign_cell",
    "top_level",
    "whole_document",
]
OUTPUTS = st.one_of(
    st.just({"output_type": "stream", "name": "stdout", "text": "ok\n"}),
    st.just({"output_type": "stream", "name": "stderr", "text": "Traceback\n"}),
    st.just({"output_type": "error", "ename": "AssertionError", "evalue": "", "traceback": []}),
    st.builds(
        lambda value: {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/plain": value},
        },
        st.one_of(st.sampled_from(["1", "99", "-1", "x"]), JSON),
    ),
    st.builds(
        lambda data: {"output_type": "display_data", "metadata": {}, "data": data},
        st.dictionaries(st.sampled_from(["text/plain", "text/html", "image/png"]), JSON, max_size=2),
    ),
    st.dictionaries(st.sampled_from(["output_type", "name", "text", "data"]), JSON, max_size=3),
)


def mutate(data: st.DataObject, doc: object) -> object:
    """One random change to a notebook's JSON (a no-op when it does not apply)."""
    operation = data.draw(st.sampled_from(OPERATIONS), label="operation")
    if operation == "whole_document":
        return data.draw(JSON, label="document")
    if not isinstance(doc, dict):
        return doc
    if operation == "top_level":
        key = data.draw(st.sampled_from(["nbformat", "nbformat_minor", "metadata", "cells", "extra"]))
        value = data.draw(st.one_of(st.integers(-1, 6), JSON), label="value")
        if key == "metadata" and data.draw(st.booleans()):
            value = {"kernelspec": value} if isinstance(doc.get("metadata"), dict) else value
        doc[key] = value
        return doc
    cells = doc.get("cells")
    if not isinstance(cells, list):
        return doc
    if operation == "foreign_cell":
        name = data.draw(st.sampled_from(FOREIGN_NOTEBOOKS), label="foreign notebook")
        foreign = json.loads(nbgrader_notebook(name))["cells"]
        cell = foreign[data.draw(st.integers(0, len(foreign) - 1), label="foreign cell")]
        cells.insert(data.draw(st.integers(0, len(cells)), label="at"), cell)
        return doc
    if not cells:
        return doc
    index = data.draw(st.integers(0, len(cells) - 1), label="cell")
    cell = cells[index]
    if operation == "delete":
        del cells[index]
    elif operation == "duplicate":
        cells.insert(data.draw(st.integers(0, len(cells)), label="to"), copy.deepcopy(cell))
    elif operation == "move":
        cells.insert(data.draw(st.integers(0, len(cells) - 1), label="to"), cells.pop(index))
    elif not isinstance(cell, dict):
        return doc
    elif operation == "cell_type":
        cell["cell_type"] = data.draw(CELL_TYPES, label="type")
    elif operation == "cell_metadata":
        cell["metadata"] = data.draw(JSON, label="metadata")
    elif operation == "source":
        cell["source"] = data.draw(
            st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3), JSON), label="source"
        )
    elif operation == "outputs":
        cell["outputs"] = data.draw(st.one_of(st.lists(OUTPUTS, max_size=2), JSON), label="outputs")
    elif operation == "attachments":
        cell["attachments"] = data.draw(st.one_of(st.just({"a.png": {"image/png": "iVBORw0KGgo="}}), JSON))
    elif operation == "execution_count":
        cell["execution_count"] = data.draw(JSON, label="count")
    elif operation == "cell_id":
        cell["id"] = data.draw(st.one_of(st.sampled_from(["x y", "", "dup"]), JSON), label="id")
    else:
        metadata = cell.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            return doc
        meta = metadata.get("nbgrader")
        if operation == "drop_nbgrader":
            metadata.pop("nbgrader", None)
        elif operation == "replace_nbgrader":
            metadata["nbgrader"] = data.draw(JSON, label="nbgrader")
        elif isinstance(meta, dict) and operation == "drop_key":
            meta.pop(data.draw(NBGRADER_KEYS, label="key"), None)
        elif isinstance(meta, dict):
            meta[data.draw(NBGRADER_KEYS, label="key")] = data.draw(VALUES, label="value")
        else:
            metadata["nbgrader"] = {data.draw(NBGRADER_KEYS, label="key"): data.draw(VALUES, label="value")}
    return doc


def mutated_submission(data: st.DataObject, release: NotebookNode) -> bytes:
    """The complete submission's file after 0 to 6 random changes, then maybe damaged bytes."""
    doc: object = json.loads(json.dumps(completed(release)))
    for _ in range(data.draw(st.integers(0, 6), label="changes")):
        doc = mutate(data, doc)
    raw = json.dumps(doc, indent=1).encode()
    damage = data.draw(st.sampled_from(["none"] * 4 + ["truncate", "latin-1"]), label="damage")
    if damage == "truncate":
        raw = raw[: data.draw(st.integers(0, max(0, len(raw) - 1)), label="cut")]
    elif damage == "latin-1":
        raw = raw.replace(b'"', b'"\xe9', 1)
    return raw


def _write(course: Course, student: str, raw: bytes) -> None:
    folder = course.submission_folder(student)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
    (folder / f"{ASSIGNMENT}.ipynb").write_bytes(raw)


def _gradebook_cells(course: Course) -> tuple[set[str], dict[str, str]]:
    """The assignment's graded cells, and the sources of its locked cells."""
    from nbgrader.api import Gradebook

    config = course.config
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_notebook(ASSIGNMENT, ASSIGNMENT)
        return (
            {cell.name for cell in notebook.grade_cells},
            {cell.name: cell.source for cell in notebook.source_cells if cell.locked},
        )


def _check_sanitised(nb: NotebookNode, graded: set[str], locked: dict[str, str]) -> None:
    from nbgrader.nbgraderformat import MetadataValidator

    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)
    ids = [cell.metadata.nbgrader.grade_id for cell in nb.cells if "nbgrader" in cell.metadata]
    assert len(ids) == len(set(ids)), ids
    assert graded <= set(ids) and set(locked) <= set(ids), ids
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in locked:
            assert cell.source == locked[grade_id], grade_id


def _check_recorded(
    course: Course, student: str, run: GradingRun, raw: bytes, graded: set[str], executed: bool
) -> None:
    """Recorded once, marker and gradebook agree; 0 with a reason unless executed; file unchanged."""
    from nbgrader.api import Gradebook

    assert run.not_graded == {}, run.not_graded
    assert [record.student_id for record in run.graded] == [student]
    record = run.graded[0]
    submission = find_submissions(course.config, ASSIGNMENT, [student])[0]
    marker = read_record(course.config, submission)
    assert marker is not None and marker.digest == submission.digest and marker == record
    assert set(marker.scores[ASSIGNMENT]) == graded
    if not executed:
        assert record.not_graded_normally and record.not_graded_normally[0].endswith("; scored 0")
    if record.not_graded_normally:
        assert record.score == 0
    config = course.config
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        assert {g.name: float(g.auto_score or 0) for g in notebook.grades} == {
            grade_id: cell["score"] for grade_id, cell in record.scores[ASSIGNMENT].items()
        }
    assert (course.submission_folder(student) / f"{ASSIGNMENT}.ipynb").read_bytes() == raw


@pytest.fixture(scope="module")
def fuzz_course() -> Iterator[Course]:
    made = make_course("fuzz")
    yield made
    shutil.rmtree(made.root, ignore_errors=True)


def test_fuzz_host_steps(fuzz_course: Course) -> None:
    release = nbformat.read(fuzz_course.release, as_version=4)
    graded, locked = _gradebook_cells(fuzz_course)
    counter = iter(range(10**6))
    outcomes = {"executed": 0, "not graded normally": 0}

    @settings(
        max_examples=HOST_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def grade_one(data: st.DataObject) -> None:
        student = f"fuzz-{next(counter)}"
        raw = mutated_submission(data, release)
        _write(fuzz_course, student, raw)
        submission = find_submissions(fuzz_course.config, ASSIGNMENT, [student])[0]
        sanitised = sanitise(fuzz_course.config, submission)
        results = {}
        for notebook_id, nb in sanitised.notebooks.items():
            _check_sanitised(nb, graded, locked)
            executed = copy.deepcopy(nb)
            for cell in executed.cells:
                if cell.cell_type == "code":
                    cell.outputs = [
                        nbformat.from_dict(o) if isinstance(o, dict) else o
                        for o in data.draw(st.lists(OUTPUTS, max_size=2), label="outputs")
                    ]
            results[notebook_id] = SandboxResult(executed, 0.0, 0.0)
        run = GradingRun(ASSIGNMENT)
        _finish(fuzz_course.config, run, sanitised, results, None, 1)
        _check_recorded(fuzz_course, student, run, raw, graded, bool(sanitised.notebooks))
        outcomes["executed" if sanitised.notebooks else "not graded normally"] += 1

    grade_one()
    assert outcomes["executed"] >= HOST_EXAMPLES // 4 and outcomes["not graded normally"] >= 3, outcomes
    feedback = instructor.generate_feedback(fuzz_course.config, ASSIGNMENT)
    assert feedback.ok, feedback.failed


@needs_sandbox
def test_fuzz_graded_end_to_end(course: Course) -> None:
    release = nbformat.read(course.release, as_version=4)
    samples: list[bytes] = []

    @settings(
        max_examples=RUN_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        samples.append(mutated_submission(data, release))

    draw()
    students = [f"fuzz-{index}" for index in range(len(samples))]
    for student, raw in zip(students, samples, strict=True):
        _write(course, student, raw)
    run = grade_assignment(course.config, ASSIGNMENT, workers=2, limits=TEST_LIMITS)
    assert run.ok, run.not_graded
    assert sorted(record.student_id for record in run.graded) == sorted(students)
    graded, _ = _gradebook_cells(course)
    for record in run.graded:
        assert set(record.scores[ASSIGNMENT]) == graded
        assert record.not_graded_normally == [] or record.score == 0
    first = next(record for record in run.graded if record.student_id == "fuzz-0")
    assert first.score == 5.0 and not first.problems, first.problems  # the unchanged submission
    for student, raw in zip(students, samples, strict=True):
        assert (course.submission_folder(student) / f"{ASSIGNMENT}.ipynb").read_bytes() == raw
    feedback = instructor.generate_feedback(course.config, ASSIGNMENT)
    assert feedback.ok, feedback.failed
