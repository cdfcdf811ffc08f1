"""Mutants: plausible student mistakes applied to a solution notebook by text replacement.

A mutant is a module ``tests/mutants/<assignment>/<name>.py`` whose docstring describes the
mistake and which defines ``NOTEBOOK``, ``CELL`` (grade_id of a solution cell), ``FIND``
(text occurring exactly once in that cell), ``REPLACE`` and ``FAILS`` (grade_ids of the
graded cells that must lose points). See ``solutions/README.md``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

REQUIRED = ("NOTEBOOK", "CELL", "FIND", "REPLACE", "FAILS")


@dataclass(frozen=True)
class Mutant:
    """One mutant of an assignment's solution notebook."""

    name: str
    description: str
    notebook: str
    cell: str
    find: str
    replace: str
    fails: tuple[str, ...]


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
            if isinstance(target, ast.Name) and target.id in REQUIRED:
                values[target.id] = ast.literal_eval(node.value)
    missing = [name for name in REQUIRED if name not in values]
    if missing:
        raise ValueError(f"mutant {path} lacks {', '.join(missing)}")
    fails = values["FAILS"]
    if not isinstance(fails, list | tuple) or not fails:
        raise ValueError(f"mutant {path}: FAILS must be a non-empty list of grade_ids")
    for name in ("NOTEBOOK", "CELL", "FIND", "REPLACE"):
        if not isinstance(values[name], str):
            raise ValueError(f"mutant {path}: {name} must be a string")
    if not values["FIND"]:
        raise ValueError(f"mutant {path}: FIND is empty")
    return Mutant(
        name=path.stem,
        description=description,
        notebook=str(values["NOTEBOOK"]),
        cell=str(values["CELL"]),
        find=str(values["FIND"]),
        replace=str(values["REPLACE"]),
        fails=tuple(str(f) for f in fails),  # type: ignore[union-attr]
    )


def load_mutants(folder: Path | str) -> list[Mutant]:
    """All mutants of one assignment folder, sorted by name."""
    return [load_mutant(p) for p in sorted(Path(folder).glob("*.py")) if p.name != "__init__.py"]


def apply_mutant(source_nb: Path | str, mutant: Mutant, output_nb: Path | str) -> Path:
    """Write the source notebook with ``mutant`` applied to ``output_nb``.

    Raises ``ValueError`` when the mutant names another notebook, a cell that is not a
    solution cell, or text that does not occur exactly once in that cell.
    """
    source_nb = Path(source_nb)
    if source_nb.name != mutant.notebook:
        raise ValueError(f"mutant {mutant.name} is for {mutant.notebook}, not {source_nb.name}")
    nb = nbformat.read(source_nb, as_version=4)
    cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == mutant.cell
    ]
    if len(cells) != 1 or not cells[0].metadata["nbgrader"].get("solution"):
        raise ValueError(f"mutant {mutant.name}: no solution cell with grade_id {mutant.cell!r}")
    cell = cells[0]
    count = cell.source.count(mutant.find)
    if count != 1:
        raise ValueError(
            f"mutant {mutant.name}: FIND occurs {count} times in cell {mutant.cell!r}, expected 1"
        )
    cell.source = cell.source.replace(mutant.find, mutant.replace)
    output_nb = Path(output_nb)
    output_nb.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output_nb)
    return output_nb


def fill_solutions(release_nb: Path | str, answers_nb: Path | str, output_nb: Path | str) -> Path:
    """A student's work: the released notebook with every solution cell's source taken from
    ``answers_nb`` (a source notebook, possibly mutated), matched by grade_id."""
    release = nbformat.read(Path(release_nb), as_version=4)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(Path(answers_nb), as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            if meta["grade_id"] not in answers:
                raise ValueError(f"{answers_nb} has no solution cell {meta['grade_id']!r}")
            cell.source = answers[meta["grade_id"]]
    output_nb = Path(output_nb)
    output_nb.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(release, output_nb)
    return output_nb
