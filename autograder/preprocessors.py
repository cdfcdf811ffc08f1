"""nbgrader preprocessors of the course.

- :class:`RestoreAssignmentCells` (grading): makes a submitted notebook's nbgrader metadata this
  assignment's again, from the gradebook, before nbgrader's own sanitising preprocessors run
  (they crash on foreign or damaged metadata);
- :class:`StripHiddenTests` (feedback): removes hidden tests and the outputs that quote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Integer

REDACTED = "[grader: output removed, it quotes a hidden test]\n"
CELL_TYPES = ("code", "markdown", "raw")


class UnrepairableNotebook(ValueError):
    """A submitted notebook the grader cannot make gradable; the message says why, in words a
    student and an instructor understand (it is recorded as the reason of the 0)."""


class RestoreAssignmentCells(NbGraderPreprocessor):
    """Make the nbgrader metadata of a submitted notebook this assignment's, from the gradebook.

    nbgrader's ``OverwriteCells``, ``DeduplicateIds`` and ``CheckCellMetadata`` expect the
    metadata they wrote; a student's notebook can carry anything (cells of another assignment,
    an old or a newer metadata schema, no ``grade_id``, duplicated ids, a changed cell type, a
    deleted test cell). Run before them, this preprocessor:

    - removes the nbgrader metadata of cells that are not this notebook's (another
      assignment's ids, no ``grade_id``, metadata that is not an object): they run as ordinary
      cells, as any cell a student added;
    - keeps the last copy of a duplicated cell (as ``DeduplicateIds`` does);
    - rewrites the metadata of this notebook's cells from the gradebook (grade, solution,
      locked, points, schema 3) and gives them back their cell type;
    - puts back the graded and locked cells that are missing, with the gradebook's source,
      after the cell that precedes them in the released notebook (``resources
      ["dlgd_cell_order"]``, else the gradebook's order);

    and appends what it did, in words, to ``resources["dlgd_repairs"]``. A notebook with none
    of this notebook's cells is not this assignment's: :class:`UnrepairableNotebook`.
    Cells are numbered from 1, as a student counts them.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            try:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
            except MissingEntry:
                raise UnrepairableNotebook(
                    f"notebook {info['notebook']!r} is not part of assignment "
                    f"{info['assignment']!r} in the gradebook"
                ) from None
            sources = {cell.name: cell for cell in notebook.source_cells}
            sources = {
                name: NotebookNode(
                    cell_type=cell.cell_type, locked=bool(cell.locked), source=cell.source or ""
                )
                for name, cell in sources.items()
            }
            grades = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            tasks = {cell.name: float(cell.max_score) for cell in notebook.task_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
        order = [name for name in resources.get("dlgd_cell_order", []) if name in sources]
        order += [name for name in sources if name not in order]
        repairs: list[str] = resources.setdefault("dlgd_repairs", [])

        def canonical(name: str) -> dict[str, Any]:
            meta: dict[str, Any] = {
                "grade": name in grades,
                "grade_id": name,
                "locked": sources[name].locked,
                "schema_version": 3,
                "solution": name in solutions,
            }
            if name in grades:
                meta["points"] = grades[name]
            if name in tasks:
                meta["task"] = True
                meta["points"] = tasks[name]
            return meta

        foreign = _Foreign()
        last: dict[str, int] = {}
        for index, cell in enumerate(nb.cells):
            if "nbgrader" not in cell.metadata:
                continue
            meta = cell.metadata["nbgrader"]
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(meta, dict):
                foreign.add("not an object", index)
            elif not isinstance(grade_id, str) or not grade_id:
                if any(meta.get(key) for key in ("grade", "solution", "locked", "task")):
                    foreign.add("no grade_id", index)
                else:  # says nothing (an old schema's plain cell): dropped silently
                    foreign.silent.append(index)
            elif grade_id not in sources:
                foreign.add("other", index, grade_id)
            else:
                if grade_id in last:
                    foreign.add("copy", last[grade_id], grade_id)
                last[grade_id] = index
        if not last:
            raise UnrepairableNotebook(_not_this_assignment(order, grades, foreign))
        for index in foreign.indices():
            del nb.cells[index].metadata["nbgrader"]
        if foreign.groups:
            repairs.append(f"nbgrader metadata removed (they run as ordinary cells): {foreign}")
        changed: dict[str, list[str]] = {}
        for grade_id, index in last.items():
            cell = nb.cells[index]
            old = cell.metadata["nbgrader"]
            new = canonical(grade_id)
            keys = [
                key
                for key in ("grade", "solution", "locked", "task", "points")
                if _flag(old, key) != _flag(new, key)
            ]
            if keys:
                changed.setdefault(", ".join(keys), []).append(grade_id)
            if old.get("schema_version") != 3 and not keys:
                changed.setdefault(f"schema version {old.get('schema_version', 0)!r}", []).append(grade_id)
            cell.metadata["nbgrader"] = new
            wanted = sources[grade_id].cell_type
            if cell.cell_type != wanted and wanted in CELL_TYPES:
                repairs.append(
                    f"cell {grade_id!r} was turned into a {cell.cell_type} cell: made a {wanted} cell again"
                )
                set_cell_type(cell, wanted)
        for keys, names in changed.items():
            repairs.append(
                f"nbgrader metadata of {_names(names)} changed ({keys}): restored from the gradebook"
            )
        restored, absent = [], []
        for position, name in enumerate(order):
            if name in last:
                continue
            if name in grades or name in tasks or sources[name].locked:
                cell = _new_cell(sources[name], canonical(name))
                _insert(nb, cell, order[:position], order[position + 1 :])
                last[name] = -1
                restored.append(name)
            elif name in solutions:
                absent.append(name)
        if restored:
            repairs.append(f"{_names(restored)} missing from the submission: put back from the gradebook")
        if absent:
            repairs.append(
                f"solution {_names(absent)} missing from the submission (not put back: "
                "the code may be elsewhere)"
            )
        return nb, resources


def set_cell_type(cell: NotebookNode, cell_type: str) -> None:
    """Give ``cell`` another type, with the keys that type needs (no outputs outside code)."""
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.pop("attachments", None)
        cell.outputs = []
        cell.execution_count = None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _flag(meta: dict[str, Any], key: str) -> object:
    value = meta.get(key, False if key != "points" else None)
    if key == "points" and value is not None:
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return bool(value) if key != "points" else value


def _new_cell(source: NotebookNode, meta: dict[str, Any]) -> NotebookNode:
    import nbformat

    make = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }.get(source.cell_type, nbformat.v4.new_raw_cell)
    cell = make(source.source)
    cell.metadata["nbgrader"] = meta
    if meta["locked"]:
        cell.metadata.update(deletable=False, editable=False)
    return cell


def _insert(nb: NotebookNode, cell: NotebookNode, before: list[str], after: list[str]) -> None:
    """Insert ``cell`` after the nearest cell of ``before`` in ``nb`` (or before the nearest of
    ``after``; else at the end)."""
    positions = {}
    for index, existing in enumerate(nb.cells):
        meta = existing.metadata.get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            positions[meta["grade_id"]] = index
    for name in reversed(before):
        if name in positions:
            nb.cells.insert(positions[name] + 1, cell)
            return
    for name in after:
        if name in positions:
            nb.cells.insert(positions[name], cell)
            return
    nb.cells.append(cell)


def _cells(indices: Iterable[int]) -> str:
    numbers = [str(index + 1) for index in indices]
    shown = ", ".join(numbers[:8]) + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")
    return f"cell{'s' if len(numbers) > 1 else ''} {shown}"


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:8])
    if len(names) > 8:
        shown += f" and {len(names) - 8} more"
    return f"cell{'s' if len(names) > 1 else ''} {shown}"


class _Foreign:
    """Cells whose nbgrader metadata is not this notebook's, by kind (see :meth:`__str__`)."""

    KINDS = {
        "other": "nbgrader metadata of another assignment",
        "no grade_id": "nbgrader metadata of another assignment: no grade_id",
        "not an object": "nbgrader metadata that is not an object",
        "copy": "an earlier copy of {cells} (the last copy is graded)",
    }

    def __init__(self) -> None:
        self.groups: dict[str, list[tuple[int, str]]] = {}
        self.silent: list[int] = []

    def add(self, kind: str, index: int, grade_id: str = "") -> None:
        self.groups.setdefault(kind, []).append((index, grade_id))

    def indices(self) -> list[int]:
        return sorted(self.silent + [index for entries in self.groups.values() for index, _ in entries])

    def __str__(self) -> str:
        parts = []
        for kind, text in self.KINDS.items():
            entries = sorted(self.groups.get(kind, []))
            if not entries:
                continue
            ids = list(dict.fromkeys(grade_id for _, grade_id in entries if grade_id))
            one = len(entries) == 1
            if kind == "copy":
                verb, text, shown = ("is" if one else "are"), text.format(cells=_names(ids)), ""
            else:
                verb, shown = ("has" if one else "have"), f" (grade_id {_shown(ids)})" if ids else ""
            parts.append(f"{_cells(index for index, _ in entries)} {verb} {text}{shown}")
        return "; ".join(parts)


def _shown(names: list[str], limit: int = 6) -> str:
    return ", ".join(repr(name) for name in names[:limit]) + (
        f" and {len(names) - limit} more" if len(names) > limit else ""
    )


def _not_this_assignment(order: list[str], grades: dict[str, float], foreign: _Foreign) -> str:
    graded = [name for name in order if name in grades] or order
    found = str(foreign) or "it has no nbgrader metadata at all (it was not made from the released notebook)"
    return f"not this assignment's notebook: none of its graded cells ({_shown(graded)}) is in it; {found}"


class StripHiddenTests(ClearHiddenTests):
    """Remove hidden tests from a graded notebook, including any output that quotes them.

    nbgrader's feedback shows the autograded notebook, hidden tests and all. This drops every
    ``### BEGIN HIDDEN TESTS`` region (as ``ClearHiddenTests`` does for the release), reduces
    error outputs of test cells to ``<ExceptionName>: <message>`` (a traceback would print the
    failing hidden line; the assert messages are written for students and stay), and replaces
    an output anywhere in the notebook that quotes a hidden test: student code can print the
    kernel's input history (``_ih``), hidden tests included.

    Only *distinctive* quotes count, so that a helpful message with expected and actual values
    survives: a hidden line of at least :attr:`min_line_length` characters that appears nowhere
    outside the hidden regions, or two consecutive hidden lines (any length) together.

    Never raises on what a student wrote: a ``### BEGIN HIDDEN TESTS`` without its end hides the
    rest of its cell, a nested one stays inside the region, delimiters outside graded cells
    are handled the same (``ClearHiddenTests`` raises on all three and stops the feedback).
    """

    min_line_length = Integer(
        30,
        help="A hidden-test line this long (stripped), found in an output, redacts that output; "
        "shorter lines (`dtype=torch.float64)`, `else:`) are too common to prove a leak.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        distinctive, pairs = self._hidden_quotes(nb)
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [_redact(output, distinctive, pairs) for output in cell.get("outputs", [])]
        return nb, resources

    def _hidden_quotes(self, nb: NotebookNode) -> tuple[set[str], set[str]]:
        """Distinctive hidden lines, and consecutive pairs of hidden lines joined by a newline."""
        hidden: set[str] = set()
        public: set[str] = set()
        pairs: set[str] = set()
        for cell in nb.cells:
            inside, previous = False, ""
            for line in str(cell.get("source", "")).splitlines():
                stripped = line.strip()
                if self.begin_test_delimeter in line:
                    inside, previous = True, ""
                elif self.end_test_delimeter in line:
                    inside = False
                elif inside and stripped:
                    hidden.add(stripped)
                    if previous:
                        pairs.add(f"{previous}\n{stripped}")
                    previous = stripped
                elif not inside:
                    public.add(stripped)
        distinctive = {line for line in hidden - public if len(line) >= self.min_line_length}
        return distinctive, pairs

    def _remove_hidden_test_region(self, cell: NotebookNode) -> bool:
        """Drop the hidden regions of ``cell`` (an unterminated one runs to the end of the cell);
        whether one was found."""
        kept, inside, removed = [], False, False
        for line in str(cell.get("source", "")).split("\n"):
            if self.begin_test_delimeter in line:
                inside = removed = True
            elif self.end_test_delimeter in line and inside:
                inside = False
            elif not inside:
                kept.append(line)
        if removed:
            cell.source = "\n".join(kept)
        return removed

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and self.begin_test_delimeter in str(cell.get("source", "")):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.traceback = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        self._remove_hidden_test_region(cell)
        return cell, resources


def plain_outputs(nb: NotebookNode) -> NotebookNode:
    """Reduce every output of ``nb`` to text (``text/plain``, stream text, an error's name,
    message and traceback as strings) and drop attachments: the fallback of the feedback for a
    notebook whose rich outputs the HTML exporter cannot render."""
    for cell in nb.cells:
        cell.pop("attachments", None)
        if cell.get("cell_type") != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            kind = output.get("output_type") if isinstance(output, dict) else None
            if kind == "stream":
                name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
                text = _text(output.get("text", ""))
                outputs.append(NotebookNode(output_type="stream", name=name, text=text))
            elif kind == "error":
                traceback = output.get("traceback", [])
                outputs.append(
                    NotebookNode(
                        output_type="error",
                        ename=_text(output.get("ename", "")),
                        evalue=_text(output.get("evalue", "")),
                        traceback=[_text(line) for line in traceback]
                        if isinstance(traceback, list)
                        else [_text(traceback)],
                    )
                )
            else:
                data = output.get("data", {}) if isinstance(output, dict) else {}
                text = _text(data.get("text/plain", "")) if isinstance(data, dict) else ""
                outputs.append(
                    NotebookNode(
                        output_type="stream",
                        name="stdout",
                        text=(text or "[grader: an output that cannot be shown]") + "\n",
                    )
                )
        cell.outputs = outputs
    return nb


def _text(value: object) -> str:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "".join(value)
    return value if isinstance(value, str) else str(value)


def _redact(output: NotebookNode, distinctive: set[str], pairs: set[str]) -> NotebookNode:
    text = str(output)
    # a printed list of cell sources (``print(_ih)``) shows its newlines escaped
    shown = _output_text(output).replace("\\n", "\n")
    lines = "\n".join(line.strip() for line in shown.splitlines())
    quoted = any(line in text or repr(line)[1:-1] in text for line in distinctive) or any(
        pair in lines for pair in pairs
    )
    return NotebookNode(output_type="stream", name="stderr", text=REDACTED) if quoted else output


def _output_text(output: NotebookNode) -> str:
    """The text an output shows: stream text, error message, or the text of its data."""
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join([str(output.get("evalue", "")), *map(str, output.get("traceback", []))])
    data = output.get("data", {})
    return "\n".join(str(value if isinstance(value, str) else "".join(value)) for value in data.values())
