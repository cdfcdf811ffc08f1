"""The foreign-notebook corpus (issue 25): odd files submitted for the tiny fixture assignment
(``add`` tested by ``test_add``, 2 points; ``square`` tested by ``test_square``, 3 points), each
with the score it must get, a phrase of the reason the report must give, and whether it is
*not graded normally* (a notebook scored 0 without being run).

- :data:`NBGRADER_CASES`: every notebook of nbgrader's own test suite, taken from the installed
  package at test time (``nbgrader/tests/apps/files/``, never copied here), handed in as the
  assignment's notebook: another assignment's notebook, an old-schema copy, a newer schema,
  no metadata at all;
- :data:`REPAIR_CASES`: this assignment's notebook damaged the ways a student's editor or hand
  can (nbgrader's cells pasted in, an old or newer metadata schema, a newer nbformat, cell types
  changed, outputs and attachments left in, duplicated or missing ``grade_id``, huge cells);
- :data:`LAYOUT_CASES`: what ``nbgrader collect`` (or an unpacked archive) can leave in
  ``submitted/<student>/<assignment>/``: no ``timestamp.txt``, extra files, nested folders, a
  notebook under another name, links and folders where the notebook should be.

``before``: what the grader of the previous commit did with the case (measured with
``tests/grading/foreign.py`` on that commit, one submission per run): a crash of the whole run
(nobody graded), a hang, or a wrong score.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from grading.corpus import ADD, FULL, SQUARE, ZERO

NBGRADER_FILES = resources.files("nbgrader.tests.apps.files")
NOTEBOOK = "01-tiny.ipynb"
TIMESTAMP = "2026-11-28 10:00:00.000000 UTC"
# The grader's notebook size limit during the corpus run (``huge_cell`` is under it,
# ``too_big`` over it).
SIZE_LIMIT = 4 * 2**20
CRASH = "crash: {} (the run stopped, nobody graded)"


def nbgrader_notebook(name: str) -> bytes:
    """A notebook of nbgrader's test suite, read from the installed package."""
    return (NBGRADER_FILES / name).read_bytes()


def nbgrader_notebooks() -> list[str]:
    return sorted(entry.name for entry in NBGRADER_FILES.iterdir() if entry.name.endswith(".ipynb"))


@dataclass(frozen=True)
class Foreign:
    """One odd submission: ``write(folder, release)`` fills the submitted folder (``release``:
    the assignment's released notebook)."""

    name: str
    expected: dict[str, float]
    write: Callable[[Path, NotebookNode], None]
    reason: str | None = None  # a phrase of the problems the report must give
    not_normal: bool = False  # scored 0 without being run (not graded normally)
    review: str | None = None  # a phrase of the "needs review" reason (None: not flagged)
    before: str = ""  # the previous grader's outcome, where it differs


# --- building blocks ----------------------------------------------------------------------------


def completed(release: NotebookNode, **solutions: str) -> NotebookNode:
    """The released notebook with the solution cells filled in (``add``, ``square`` by default)."""
    nb = copy.deepcopy(release)
    code = {"add": ADD, "square": SQUARE} | solutions
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in code:
            cell.source = code[grade_id]
    return nb


def _dump(nb: NotebookNode | dict) -> bytes:
    return json.dumps(nb, indent=1).encode()


def files(
    *entries: tuple[str, bytes | Callable[[NotebookNode], bytes]], timestamp: str | None = TIMESTAMP
) -> Callable[[Path, NotebookNode], None]:
    """A writer of plain files (path relative to the folder, bytes or a function of the
    release), and ``timestamp.txt`` unless ``timestamp`` is None."""

    def write(folder: Path, release: NotebookNode) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if timestamp is not None:
            (folder / "timestamp.txt").write_text(timestamp)
        for relative, content in entries:
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content(release) if callable(content) else content)

    return write


Edit = Callable[[NotebookNode], NotebookNode | dict | bytes]


def notebook(edit: Edit) -> Callable[[Path, NotebookNode], None]:
    """A writer of ``01-tiny.ipynb`` made by ``edit`` from the completed notebook."""

    def content(release: NotebookNode) -> bytes:
        made = edit(completed(release))
        return made if isinstance(made, bytes) else _dump(made)

    return files((NOTEBOOK, content))


def full(release: NotebookNode) -> bytes:
    return _dump(completed(release))


def _cells_of(name: str) -> list[dict]:
    return json.loads(nbgrader_notebook(name))["cells"]


def _by_id(nb: NotebookNode | dict, grade_id: str) -> dict:
    return next(
        cell
        for cell in nb["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
    )


# --- repairs ---------------------------------------------------------------------------------------


def pasted_after(nb: NotebookNode) -> NotebookNode:
    """nbgrader's "submitted-changed" cells pasted after this assignment's cells."""
    nb.cells += [nbformat.from_dict(cell) for cell in _cells_of("submitted-changed.ipynb")]
    return nb


def pasted_before(nb: NotebookNode) -> NotebookNode:
    """nbgrader's cheat attempt (``showtraceback`` replaced) pasted before this assignment's
    cells: it runs as an ordinary cell, and the grader's integrity check still catches it."""
    nb.cells[:0] = [nbformat.from_dict(cell) for cell in _cells_of("submitted-cheat-attempt.ipynb")]
    return nb


def old_schema(version: int) -> Callable[[NotebookNode], NotebookNode]:
    """This notebook's nbgrader metadata written in nbgrader's schema ``version`` (the shape of
    each kind of cell taken from nbgrader's own ``test-v<version>.ipynb``)."""

    def edit(nb: NotebookNode) -> NotebookNode:
        shapes = {}
        for cell in _cells_of(f"test-v{version}.ipynb"):
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] != "code" or "grade_id" not in meta:
                continue
            kind = "grade" if meta.get("grade") else "solution" if meta.get("solution") else "locked"
            shapes.setdefault(kind, meta)
        shapes.setdefault("locked", {"grade": False, "grade_id": "", "locked": True, "solution": False})
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if not meta:
                continue
            kind = "grade" if meta.get("grade") else "solution" if meta.get("solution") else "locked"
            new = copy.deepcopy(shapes[kind]) | {"grade_id": meta["grade_id"]}
            if "points" in new:
                new["points"] = str(meta["points"]) if isinstance(new["points"], str) else meta["points"]
            cell.metadata["nbgrader"] = new
        return nb

    return edit


def too_new_schema(nb: NotebookNode) -> NotebookNode:
    """Every nbgrader cell with the schema of nbgrader's ``too-new.ipynb`` (version 10)."""
    version = _cells_of("too-new.ipynb")[0]["metadata"]["nbgrader"]["schema_version"]
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader["schema_version"] = version
    return nb


def nbformat_version(major: int, minor: int) -> Callable[[NotebookNode], dict]:
    def edit(nb: NotebookNode) -> dict:
        made = json.loads(json.dumps(nb))
        made["nbformat"], made["nbformat_minor"] = major, minor
        return made

    return edit


def nbformat_3(nb: NotebookNode) -> NotebookNode:
    return nbformat.convert(nb, 3)


def types_changed(nb: NotebookNode) -> dict:
    """The solution ``add`` and the locked ``setup`` made markdown cells, the test ``test_square``
    a raw cell with attachments (as a notebook editor changes a cell's type)."""
    made = json.loads(json.dumps(nb))
    _by_id(made, "add")["cell_type"] = "markdown"
    _by_id(made, "test_square")["cell_type"] = "raw"
    _by_id(made, "setup").update(cell_type="markdown")
    for cell in made["cells"]:
        if cell["cell_type"] != "code":
            cell.pop("execution_count", None)
            cell.pop("outputs", None)
    _by_id(made, "test_square")["attachments"] = {}
    return made


def outputs_left_in(nb: NotebookNode) -> dict:
    """Outputs and attachments left where a notebook has them and where it may not."""
    made = json.loads(json.dumps(nb))
    image = {"image/png": "iVBORw0KGgo="}
    for cell in made["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": "old run\n"},
                {"output_type": "error", "ename": "AssertionError", "evalue": "", "traceback": []},
                {"output_type": "display_data", "data": {"text/html": 5}, "metadata": {}},
            ]
            cell["execution_count"] = 7
            cell["attachments"] = {"plot.png": image}
        else:
            cell["outputs"] = []
            cell["attachments"] = {"plot.png": image, "broken.png": "not a bundle"}
    return made


def no_grade_id(nb: NotebookNode) -> NotebookNode:
    """The test cell ``test_add`` without its grade_id (its test edited to pass): nbgrader
    metadata of another assignment; the real test is put back."""
    cell = _by_id(nb, "test_add")
    del cell["metadata"]["nbgrader"]["grade_id"]
    cell["source"] = "pass"
    nb.cells = [c for c in nb.cells if c is not cell] + [cell]
    return nb


def duplicated_test(nb: NotebookNode) -> NotebookNode:
    """``test_add`` duplicated, the first copy edited to ``pass``; ``add`` wrong."""
    test = _by_id(nb, "test_add")
    copy_ = copy.deepcopy(test)
    copy_["source"] = "pass"
    copy_["id"] = "copy-of-test-add"
    index = nb.cells.index(test)
    nb.cells.insert(index, copy_)
    _by_id(nb, "add")["source"] = "def add(a, b):\n    return a - b\n"
    return nb


def metadata_changed(nb: NotebookNode) -> NotebookNode:
    """``test_add`` worth 100 points; ``test_square`` no longer a grade cell, unlocked; extra keys."""
    _by_id(nb, "test_add")["metadata"]["nbgrader"]["points"] = 100
    meta = _by_id(nb, "test_square")["metadata"]["nbgrader"]
    meta.update(grade=False, locked=False, solution=True, favourite="yes")
    _by_id(nb, "test_square")["source"] = "pass"
    return nb


def metadata_not_an_object(nb: NotebookNode) -> NotebookNode:
    nb.cells.insert(1, nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": "squares"}))
    nb.cells.insert(1, nbformat.v4.new_code_cell("y = 2", metadata={"nbgrader": {"grade": True}}))
    return nb


def only_solutions(nb: NotebookNode) -> NotebookNode:
    """Everything deleted but the two solution cells: tests and the setup cell are put back."""
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    return nb


def no_metadata_at_all(nb: NotebookNode) -> NotebookNode:
    """The right code pasted into a fresh notebook: nothing ties it to the assignment."""
    fresh = nbformat.v4.new_notebook()
    fresh.cells = [nbformat.v4.new_code_cell(ADD), nbformat.v4.new_code_cell(SQUARE)]
    return fresh


def huge_cells(nb: NotebookNode) -> NotebookNode:
    """A 2 MiB code cell (one string) and a 1 MiB markdown cell, under the size limit."""
    nb.cells.insert(2, nbformat.v4.new_code_cell("blob = '" + "x" * 2**21 + "'\n"))
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("y " * 2**19))
    return nb


def too_big(nb: NotebookNode) -> NotebookNode:
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("y" * (SIZE_LIMIT + 2**20)))
    return nb


def odd_cells(nb: NotebookNode) -> dict:
    """Cells that are not objects, of an unknown type, with a source that is not text, with
    metadata that is not an object, duplicated cell ids, invalid metadata values."""
    made = json.loads(json.dumps(nb))
    made["cells"][0]["id"] = made["cells"][1]["id"]
    made["cells"][2]["metadata"]["tags"] = "not a list"
    made["cells"] += [
        42,
        {"cell_type": "widget", "source": "?", "metadata": {}},
        {"cell_type": "code", "source": 7, "metadata": []},
    ]
    made["metadata"]["kernelspec"] = "python3"
    return made


def partial_credit(nb: NotebookNode) -> NotebookNode:
    """``add`` writes a result of 99 into the test cell that calls it: nbgrader reads it as 99
    points of partial credit, more than the cell's 2, and raises."""
    _by_id(nb, "add")["source"] = "def add(a, b):\n    get_ipython().displayhook(99)\n    return a + b\n"
    return nb


# --- layouts -----------------------------------------------------------------------------------


def symlink_to(target: Callable[[Path], Path]) -> Callable[[Path, NotebookNode], None]:
    def write(folder: Path, release: NotebookNode) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text(TIMESTAMP)
        os.symlink(target(folder), folder / NOTEBOOK)

    return write


def solutions_of(folder: Path) -> Path:
    """The instructor's source notebook (solutions and hidden tests in it) of the course."""
    return folder.parents[3] / "solutions" / "01-tiny" / NOTEBOOK


def folder_named_notebook(folder: Path, release: NotebookNode) -> None:
    (folder / NOTEBOOK).mkdir(parents=True)
    (folder / NOTEBOOK / "inside.txt").write_text("a folder, not a notebook")


def file_instead_of_folder(folder: Path, release: NotebookNode) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(full(release))


def two_other_names(folder: Path, release: NotebookNode) -> None:
    files(("draft.ipynb", nbgrader_notebook("test.ipynb")), ("final (1).ipynb", full))(folder, release)


def blank(release: NotebookNode) -> bytes:
    return _dump(release)


# --- the corpus --------------------------------------------------------------------------------

NOT_THIS = "not this assignment's notebook: none of its graded cells ('test_add', 'test_square') is in it"
# The issue's twelve, with their reason; the other notebooks of nbgrader's suite are foreign too.
ISSUE_TWELVE = {
    "submitted-cheat-attempt.ipynb": "cells 1, 2, 3, 4, 5, 6, 7 have nbgrader metadata of another "
    "assignment (grade_id 'set_a', 'foo'",
    "submitted-grade-cell-changed.ipynb": "nbgrader metadata of another assignment (grade_id 'set_a'",
    "submitted-locked-cell-changed.ipynb": "nbgrader metadata of another assignment (grade_id 'set_a'",
    "test-v0-invalid.ipynb": "cell 17 has nbgrader metadata of another assignment: no grade_id",
    "test-v2.ipynb": "nbgrader metadata of another assignment (grade_id 'jupyter', 'squares'",
    "too-new.ipynb": "cell 1 has nbgrader metadata of another assignment (grade_id 'cell-2298c977f4deff2b')",
    "test-with-output.ipynb": "nbgrader metadata of another assignment (grade_id 'jupyter'",
    "side-effects.ipynb": "it has no nbgrader metadata at all",
    "autotest-hidden.ipynb": "cells 2, 3 have nbgrader metadata of another assignment (grade_id 'soln', "
    "'test_hidden')",
    "test-no-metadata.ipynb": "it has no nbgrader metadata at all",
    "infinite-loop.ipynb": "it has no nbgrader metadata at all",
    "validation-zero-points.ipynb": "(grade_id 'squares', 'correct_squares')",
}
# Before: nbgrader's OverwriteCells raised in sanitise (KeyError 'grade_id' when a cell's id is
# not the assignment's, KeyError 'add' when the assignment's first cells are missing).
NBGRADER_CASES = [
    Foreign(
        f"nbgrader_{name.removesuffix('.ipynb').replace('-', '_')}",
        ZERO,
        files((NOTEBOOK, nbgrader_notebook(name))),
        reason=NOT_THIS if name not in ISSUE_TWELVE else ISSUE_TWELVE[name],
        not_normal=True,
        before=CRASH.format("KeyError"),
    )
    for name in nbgrader_notebooks()
]

REPAIR_CASES = [
    Foreign("honest", FULL, files((NOTEBOOK, full))),
    Foreign(
        "pasted_nbgrader_cells",
        FULL,
        notebook(pasted_after),
        reason="nbgrader metadata removed (they run as ordinary cells): cells 9, 10, 11, 12, 13, 14, "
        "15 have nbgrader metadata of another assignment (grade_id 'set_a'",
        before=CRASH.format("KeyError 'grade_id'"),
    ),
    Foreign(
        "pasted_cheat_attempt",
        ZERO,
        notebook(pasted_before),
        reason="showtraceback",
        review="showtraceback",
        before=CRASH.format("KeyError 'grade_id'"),
    ),
    Foreign(
        "schema_v0",
        FULL,
        notebook(old_schema(0)),
        reason="nbgrader metadata of cells 'setup', 'add', 'square' changed (schema version 0): restored",
        before=CRASH.format("SchemaTooOldError"),
    ),
    Foreign(
        "schema_v1",
        FULL,
        notebook(old_schema(1)),
        reason="changed (schema version 1): restored from the gradebook",
        before=CRASH.format("SchemaTooOldError"),
    ),
    Foreign(
        "schema_v2",
        FULL,
        notebook(old_schema(2)),
        reason="changed (schema version 2): restored from the gradebook",
        before=CRASH.format("SchemaTooOldError"),
    ),
    Foreign(
        "schema_too_new",
        FULL,
        notebook(too_new_schema),
        reason="changed (schema version 10)",
        before=CRASH.format("SchemaTooNewError"),
    ),
    # the score was already 0; the reason was "not a valid notebook (NBFormatError ...)"
    Foreign(
        "nbformat_5_99",
        ZERO,
        notebook(nbformat_version(5, 99)),
        reason="nbformat 5.99 is newer than supported (4.x)",
        not_normal=True,
    ),
    Foreign(
        "nbformat_4_99",
        FULL,
        notebook(nbformat_version(4, 99)),
        reason="nbformat 4.99 is newer than this grader's 4.5: read as 4.5",
    ),
    Foreign("nbformat_3", FULL, notebook(nbformat_3), reason="nbformat 3 converted to 4"),
    Foreign(
        "cell_types_changed",
        FULL,
        notebook(types_changed),
        reason="cell 'add' was turned into a markdown cell: made a code cell again",
        before=CRASH.format("NotebookValidationError: 'attachments' was unexpected, in OverwriteCells"),
    ),
    Foreign(
        "outputs_and_attachments",
        FULL,
        notebook(outputs_left_in),
        reason="invalid metadata removed: cell 1 attachments",
        before="0 + 0: not a valid notebook (ValidationError)",
    ),
    Foreign(
        "no_grade_id",
        FULL,
        notebook(no_grade_id),
        reason="nbgrader metadata of another assignment: no grade_id",
        before=CRASH.format("KeyError 'grade_id'"),
    ),
    Foreign(
        "duplicated_test",
        {"test_add": 0.0, "test_square": 3.0},
        notebook(duplicated_test),
        reason="is an earlier copy of cell 'test_add' (the last copy is graded)",
        before=CRASH.format("KeyError 'grade_id'"),
    ),
    Foreign(
        "metadata_changed",
        FULL,
        notebook(metadata_changed),
        reason="nbgrader metadata of cell 'test_square' changed (grade, solution, locked)",
        before=CRASH.format("RuntimeError: Inconsistent checksums for cell test_square"),
    ),
    Foreign(
        "metadata_not_an_object",
        FULL,
        notebook(metadata_not_an_object),
        reason="cell 2 has nbgrader metadata of another assignment: no grade_id; cell 3 has nbgrader "
        "metadata that is not an object",
        before=CRASH.format("AttributeError: 'str' object has no attribute 'get'"),
    ),
    Foreign(
        "only_solution_cells",
        FULL,
        notebook(only_solutions),
        reason="cells 'setup', 'test_add', 'test_square' missing from the submission: put back",
        before="2 + 0: the setup cell was not put back, test_square failed on it",
    ),
    Foreign(
        "no_metadata_at_all",
        ZERO,
        notebook(no_metadata_at_all),
        reason="no nbgrader metadata at all",
        not_normal=True,
        before=CRASH.format("KeyError 'add'"),
    ),
    Foreign(
        "odd_cells",
        FULL,
        notebook(odd_cells),
        reason="cell 10 has an unknown cell type ('widget'): kept as raw (not run)",
        before="0 + 0: not a valid notebook (TypeError)",
    ),
    Foreign("huge_cells", FULL, notebook(huge_cells)),
    Foreign(
        "too_big",
        ZERO,
        notebook(too_big),
        reason="over the grader's limit",
        not_normal=True,
        before="5 of 5: no limit, the whole file was read and sent to the sandbox",
    ),
    Foreign(
        "forges_partial_credit",
        ZERO,
        notebook(partial_credit),
        reason="could not be scored (ValueError: partial credit cannot be greater than maximum points",
        not_normal=True,
        before=CRASH.format("ValueError in nbgrader's SaveAutoGrades"),
    ),
]

LAYOUT_CASES = [
    Foreign("no_timestamp", FULL, files((NOTEBOOK, full), timestamp=None), reason="no timestamp.txt"),
    Foreign(
        "bad_timestamp",
        FULL,
        files((NOTEBOOK, full), timestamp="the day before the deadline"),
        reason="timestamp.txt unreadable",
        before=CRASH.format("AttributeError: 'CourseDirectory' object has no attribute 'fail'"),
    ),
    Foreign(
        "extra_files",
        FULL,
        files(
            (NOTEBOOK, full),
            ("01-tiny-Copy1.ipynb", blank),
            ("data.csv", b"1,2\n"),
            (".ipynb_checkpoints/01-tiny-checkpoint.ipynb", blank),
        ),
        reason="also submitted, not graded: 01-tiny-Copy1.ipynb",
    ),
    Foreign(
        "nested_folder",
        FULL,
        files(("01-tiny/" + NOTEBOOK, full)),
        reason="graded 01-tiny/01-tiny.ipynb",
        before="0 + 0: missing from the submission",
    ),
    Foreign(
        "other_case",
        FULL,
        files(("01-TINY.ipynb", full)),
        reason="graded 01-TINY.ipynb",
        before="0 + 0: missing from the submission",
    ),
    Foreign(
        "two_other_names",
        FULL,
        two_other_names,
        reason="not found under that name; graded final (1).ipynb instead",
        before="0 + 0: missing from the submission",
    ),
    Foreign(
        "link_to_solutions",
        ZERO,
        symlink_to(solutions_of),
        reason="is a symbolic link",
        not_normal=True,
        before="5 of 5: the link was followed to the instructor's solutions",
    ),
    Foreign(
        "folder_named_notebook",
        ZERO,
        folder_named_notebook,
        reason="is a folder, not a notebook file",
        not_normal=True,
        before=CRASH.format("IsADirectoryError in find_submissions"),
    ),
    # the score was already 0 ("missing from the submission (no notebook at all)")
    Foreign(
        "file_instead_of_folder", ZERO, file_instead_of_folder, reason="is not a folder", not_normal=True
    ),
    Foreign(
        "empty_folder",
        ZERO,
        files(),
        reason="missing from the submission (no notebook at all)",
        not_normal=True,
    ),
]

# Outputs a student's code can make that the feedback step (nbgrader's GenerateFeedback with the
# course's StripHiddenTests) could not render; graded normally, they must get feedback.
FEEDBACK_CASES = [
    Foreign(
        "fake_hidden_delimiter",
        FULL,
        notebook(lambda nb: completed(nb, add=ADD + "# ### BEGIN HIDDEN TESTS (my notes)\n")),
        before="no feedback (RuntimeError 'No end hidden tests statement found'); generate_feedback "
        "raised NbGraderException for the class",
    ),
    Foreign(
        "invalid_display_data",
        FULL,
        notebook(
            lambda nb: completed(nb, add="get_ipython().display_pub.publish(data={'text/html': 5})\n" + ADD)
        ),
        before="0 + 0: nbclient raised NotebookValidationError on the output, 'the sandbox failed'",
    ),
    Foreign(
        "widget_without_model",
        FULL,
        notebook(
            lambda nb: completed(
                nb,
                add="from IPython.display import display\n"
                "display({'application/vnd.jupyter.widget-view+json': {}}, "
                "raw=True)\n" + ADD,
            )
        ),
        before="no feedback (KeyError 'model_id'); generate_feedback raised NbGraderException",
    ),
]

CASES = NBGRADER_CASES + REPAIR_CASES + LAYOUT_CASES + FEEDBACK_CASES
