"""Mutants: a student's plausible mistake, or lazy strategy, applied to a notebook by text edits.

A mutant is a module ``tests/mutants/<assignment>/<name>.py`` whose docstring describes the
mistake and which defines (as literals, read without executing the file):

- ``NOTEBOOK``: the notebook's file name;
- either ``CELL`` (grade_id of a solution cell), ``FIND`` (text occurring exactly once in it)
  and ``REPLACE``, or ``EDITS``: a list of ``(cell, find, replace)`` triples, where ``cell`` is a
  solution cell's grade_id, or ``"after:<grade_id>"`` to insert a free code cell whose source is
  ``replace`` after that cell (``find`` empty), as a student may add cells anywhere;
- ``FAILS``: the grade_ids of the graded cells that must lose their points;
- ``STRATEGY`` (lazy mutants only): one of :data:`LAZY_STRATEGIES`.

Mistake mutants (no ``STRATEGY``) show that tests catch plausible errors; lazy mutants show that
points cannot be had without the work. See ``solutions/README.md``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

REQUIRED = ("NOTEBOOK", "FAILS")
SINGLE_EDIT = ("CELL", "FIND", "REPLACE")
INSERT_PREFIX = "after:"

#: Lazy strategies, each shown to lose the points of every part it applies to.
LAZY_STRATEGIES = {
    "delegate": "calls the course library's implementation of the part",
    "expected_value": "returns the visible test's expected value or a constant",
    "skip_training": "skips training or returns an untrained model",
    "fake_result": "overwrites a graded result in a cell of its own",
}


@dataclass(frozen=True)
class Edit:
    """Replace ``find`` by ``replace`` in solution cell ``cell``, or insert a free code cell
    (``cell`` = ``"after:<grade_id>"``)."""

    cell: str
    find: str
    replace: str

    @property
    def inserts(self) -> bool:
        return self.cell.startswith(INSERT_PREFIX)


@dataclass(frozen=True)
class Mutant:
    """One mutant of an assignment's solution notebook."""

    name: str
    description: str
    notebook: str
    edits: tuple[Edit, ...]
    fails: tuple[str, ...]
    strategy: str | None = None

    @property
    def lazy(self) -> bool:
        return self.strategy is not None


def load_mutant(path: Path | str) -> Mutant:
    """Read a mutant file without executing it (its constants must be literals)."""
    path = Path(path)
    tree = ast.parse(path.read_text(), filename=str(path))
    description = ast.get_docstring(tree) or ""
    if not description.strip():
        raise ValueError(f"mutant {path} needs a docstring describing the mistake")
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in (*REQUIRED, *SINGLE_EDIT, "EDITS", "STRATEGY"):
                values[target.id] = ast.literal_eval(node.value)
    missing = [name for name in REQUIRED if name not in values]
    has_single = [name for name in SINGLE_EDIT if name in values]
    if "EDITS" not in values and len(has_single) < len(SINGLE_EDIT):
        missing += [name for name in SINGLE_EDIT if name not in values]
    if missing:
        raise ValueError(f"mutant {path} lacks {', '.join(missing)}")
    if "EDITS" in values and has_single:
        raise ValueError(f"mutant {path}: give EDITS or CELL/FIND/REPLACE, not both")
    raw_edits = values.get("EDITS") or [tuple(values[name] for name in SINGLE_EDIT)]
    if not isinstance(raw_edits, list | tuple) or not raw_edits:
        raise ValueError(f"mutant {path}: EDITS must be a non-empty list of (cell, find, replace)")
    edits = []
    for raw in raw_edits:
        if not (isinstance(raw, list | tuple) and len(raw) == 3 and all(isinstance(v, str) for v in raw)):
            raise ValueError(f"mutant {path}: each edit must be three strings (cell, find, replace)")
        edit = Edit(*raw)
        if edit.inserts == bool(edit.find):
            raise ValueError(
                f"mutant {path}: edit of {edit.cell!r} needs a FIND text, and an "
                "inserted cell ('after:<grade_id>') an empty one"
            )
        edits.append(edit)
    fails = values["FAILS"]
    if not isinstance(fails, list | tuple) or not fails:
        raise ValueError(f"mutant {path}: FAILS must be a non-empty list of grade_ids")
    if not isinstance(values["NOTEBOOK"], str):
        raise ValueError(f"mutant {path}: NOTEBOOK must be a string")
    strategy = values.get("STRATEGY")
    if strategy is not None and strategy not in LAZY_STRATEGIES:
        raise ValueError(
            f"mutant {path}: STRATEGY must be one of {', '.join(LAZY_STRATEGIES)}, got {strategy!r}"
        )
    return Mutant(
        name=path.stem,
        description=description,
        notebook=str(values["NOTEBOOK"]),
        edits=tuple(edits),
        fails=tuple(str(f) for f in fails),  # type: ignore[union-attr]
        strategy=strategy,  # type: ignore[arg-type]
    )


def load_mutants(folder: Path | str) -> list[Mutant]:
    """All mutants of one assignment folder, sorted by name: mistakes first, then lazy ones."""
    mutants = [load_mutant(p) for p in sorted(Path(folder).glob("*.py")) if p.name != "__init__.py"]
    return sorted(mutants, key=lambda m: (m.lazy, m.name))


def _cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    found = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    if len(found) != 1:
        raise ValueError(f"no cell with grade_id {grade_id!r}")
    return found[0]


def apply_mutant(notebook: Path | str, mutant: Mutant, output_nb: Path | str) -> Path:
    """Write ``notebook`` (a source notebook or a student's filled-in copy) with ``mutant``
    applied to ``output_nb``.

    Raises ``ValueError`` when the mutant names another notebook, a cell that is not a
    solution cell, or text that does not occur exactly once in that cell.
    """
    notebook = Path(notebook)
    if notebook.name != mutant.notebook:
        raise ValueError(f"mutant {mutant.name} is for {mutant.notebook}, not {notebook.name}")
    nb = nbformat.read(notebook, as_version=4)
    for edit in mutant.edits:
        if edit.inserts:
            anchor = _cell_index(nb, edit.cell.removeprefix(INSERT_PREFIX))
            nb.cells.insert(anchor + 1, nbformat.v4.new_code_cell(edit.replace))
            continue
        try:
            cell = nb.cells[_cell_index(nb, edit.cell)]
        except ValueError:
            cell = None
        if cell is None or not cell.metadata["nbgrader"].get("solution"):
            raise ValueError(f"mutant {mutant.name}: no solution cell with grade_id {edit.cell!r}")
        count = cell.source.count(edit.find)
        if count != 1:
            raise ValueError(
                f"mutant {mutant.name}: FIND {edit.find[:40]!r} occurs {count} times in cell "
                f"{edit.cell!r}, expected 1"
            )
        cell.source = cell.source.replace(edit.find, edit.replace)
    output_nb = Path(output_nb)
    output_nb.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output_nb)
    return output_nb


def student_written_answer(grade_id: str) -> str:
    """What :func:`fill_solutions` writes into the written answer ``grade_id``: a student's own
    words, never the instructor's model answer (which must not reach the student's feedback)."""
    return f"The student's own answer to {grade_id}, in a few sentences of their own."


def fill_solutions(
    release_nb: Path | str, answers_nb: Path | str, output_nb: Path | str, blank: tuple[str, ...] = ()
) -> Path:
    """A student's work: the released notebook with every solution cell's source taken from
    ``answers_nb`` (a source notebook, possibly mutated), matched by grade_id; the solution
    cells named in ``blank`` are left as released (a part the student did not do). Written
    answers get :func:`student_written_answer` (graded by hand, not from the model answer)."""
    from autograder.grading import is_written_answer

    release = nbformat.read(Path(release_nb), as_version=4)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: (
            student_written_answer(c.metadata["nbgrader"]["grade_id"]) if is_written_answer(c) else c.source
        )
        for c in nbformat.read(Path(answers_nb), as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    unknown = set(blank) - set(answers)
    if unknown:
        raise ValueError(f"no solution cell {sorted(unknown)} to leave blank")
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta["grade_id"] not in blank:
            if meta["grade_id"] not in answers:
                raise ValueError(f"{answers_nb} has no solution cell {meta['grade_id']!r}")
            cell.source = answers[meta["grade_id"]]
    output_nb = Path(output_nb)
    output_nb.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(release, output_nb)
    return output_nb


def insert_written_answer(
    notebook: Path | str, grade_id: str, points: int, model_answer: str, rubric: list[str]
) -> Path:
    """Append a written answer to a source notebook, in place, by the course's convention
    (solutions/README.md): a question cell, then the graded markdown cell holding the model
    answer and the rubric (one line per point) between the solution markers.

    For tests of the tooling on a notebook without one (the real notebooks carry their own).
    """
    from autograder.grading import WRITTEN_PREFIX

    if not grade_id.startswith(WRITTEN_PREFIX) or points < 1 or len(rubric) != points:
        raise ValueError(
            f"a written answer needs a {WRITTEN_PREFIX} grade_id and one rubric line per point, got "
            f"{grade_id!r}, {points} points, {len(rubric)} rubric lines"
        )
    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    question = nbformat.v4.new_markdown_cell(
        f"**Written answer ({points} points).** Explain what your results show. Answer in 3–5 sentences."
    )
    answer = nbformat.v4.new_markdown_cell(
        "### BEGIN SOLUTION\n"
        f"**Model answer.** {model_answer}\n\n"
        f"**Rubric ({points} points).**\n"
        + "".join(f"- 1 point: {line}\n" for line in rubric)
        + "### END SOLUTION",
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": True,
                "locked": False,
                "points": points,
                "grade_id": grade_id,
                "schema_version": 3,
            }
        },
    )
    nb.cells += [question, answer]
    nbformat.write(nb, path)
    return path
