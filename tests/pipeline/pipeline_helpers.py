"""Helpers of the pipeline tests (a plain module, not a conftest: tests/conftest.py exists): the
assignments, their mutants, notebook text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.course import assignments
from autograder.mutants import INSERT_PREFIX, Mutant, apply_mutant, fill_solutions, load_mutants
from dlgd_course.selfcheck import is_report

#: the repository (the course root of these tests)
REPO_ROOT = Path(__file__).resolve().parents[2]

_FOLDERS = assignments(REPO_ROOT)
#: the session-5 reports (``3T-<theme>-report``): graded by hand only, no part, no mutant
REPORTS = [a for a in _FOLDERS if is_report(nbformat.read(REPO_ROOT / "solutions" / a / f"{a}.ipynb", 4))]
#: the graded notebooks with autograded parts
ASSIGNMENTS = [a for a in _FOLDERS if a not in REPORTS]
MUTANTS_DIR = REPO_ROOT / "tests" / "mutants"
FIXTURES = Path(__file__).parent / "fixtures"
# Kernels started by the pipeline tests get one CPU thread each: xdist runs two graders on
# two cores, and two torch kernels with two threads each slow training down a hundredfold.
KERNEL_THREADS = 1


def source_notebook(assignment: str, root: Path = REPO_ROOT) -> Path:
    return root / "solutions" / assignment / f"{assignment}.ipynb"


def release_notebook(assignment: str, root: Path = REPO_ROOT) -> Path:
    return root / "exercises" / assignment / f"{assignment}.ipynb"


def mutants_of(assignment: str) -> list[Mutant]:
    return load_mutants(MUTANTS_DIR / assignment)


def _regions(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """Lines inside and outside the ``begin``/``end`` regions of one cell source."""
    inside, outside, active = [], [], False
    for line in source.splitlines():
        if begin in line:
            active = True
        elif end in line:
            active = False
        else:
            (inside if active else outside).append(line.strip())
    return inside, outside


def secret_lines(notebook: Path, begin: str, end: str, min_length: int = 10) -> set[str]:
    """Stripped lines of the ``begin``/``end`` regions of a source notebook that occur nowhere
    else in it (so finding one in a student file means it leaked); short lines are skipped."""
    nb = nbformat.read(notebook, as_version=4)
    inside: set[str] = set()
    elsewhere: set[str] = set()
    for cell in nb.cells:
        cell_inside, cell_outside = _regions(cell.source, begin, end)
        inside.update(cell_inside)
        elsewhere.update(cell_outside)
    return {line for line in inside - elsewhere if len(line) >= min_length}


SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def public_lines(root: Path = REPO_ROOT) -> set[str]:
    """Stripped lines that students see anyway, so finding one in a student file proves nothing:
    everything outside the solution and hidden-test regions of every source notebook, the
    book's own sources and the library's code (``loss.backward()`` is no secret)."""
    public: set[str] = set()
    for notebook in sorted((root / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            _, outside_solution = _regions(cell.source, *SOLUTION_MARKERS)
            _, outside_both = _regions("\n".join(outside_solution), *HIDDEN_MARKERS)
            public.update(outside_both)
    for pattern in ("book/**/*.md", "dlgd_course/**/*.py"):
        for path in root.glob(pattern):
            if "_build" not in path.parts:
                public.update(line.strip() for line in path.read_text(errors="replace").splitlines())
    return public


def solution_lines(notebook: Path) -> set[str]:
    return secret_lines(notebook, *SOLUTION_MARKERS)


def hidden_test_lines(notebook: Path) -> set[str]:
    return secret_lines(notebook, *HIDDEN_MARKERS)


# Markdown markup and math delimiters: a rendered page shows the text between them, not them
_MARKUP = re.compile(r"\*+|_+|`+|\$+|[\[\]()#>|]|^\s*(?:[-+]|\d+\.)\s+")


def written_answer_fragments(notebook: Path, public: set[str], min_length: int = 30) -> set[str]:
    """The model answers and rubrics of a source notebook's written answers as plain-text
    fragments: each line of their solution regions split at the markdown markup (a rendered
    page shows ``**Model answer.** the mean`` as "Model answer. the mean"), fragments of
    ``min_length`` characters at least (the length of :func:`shows_line`, so that a generic
    phrase does not count), not inside any of the ``public`` lines (:func:`public_lines`)."""
    from autograder.grading import is_written_answer

    nb = nbformat.read(notebook, as_version=4)
    public_text = "\n".join(public)
    fragments = set()
    for cell in nb.cells:
        if is_written_answer(cell):
            inside, _ = _regions(cell.source, *SOLUTION_MARKERS)
            for line in inside:
                for piece in _MARKUP.split(line):
                    piece = " ".join(piece.split())
                    if len(piece) >= min_length and piece not in public_text:
                        fragments.add(piece)
    return fragments


def visible_text(path: Path) -> str:
    """What a reader of ``path`` sees: cell sources of a notebook, tag-free text of HTML."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return "\n".join(line.strip() for c in nb.cells for line in c.source.splitlines())
    text = path.read_text(errors="replace")
    if path.suffix in (".html", ".htm"):
        import html

        # scripts and styles are not shown (the feedback inlines MathJax: 2 MB of JavaScript)
        text = re.sub(r"<(script|style)\b.*?</\1\s*>", "", text, flags=re.DOTALL | re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(line.strip() for line in text.splitlines())


def shows_line(text: str, line: str) -> bool:
    """Whether ``text`` (from :func:`visible_text`) shows ``line``: as a whole line, or inside
    a line when it is long enough (30 characters) not to occur by chance."""
    return line in text.splitlines() or (len(line) >= 30 and line in text)


def parts_of(notebook: Path) -> dict[str, list[str]]:
    """Autograded parts of a source notebook: solution code cell grade_id → its graded test
    cells (``test_<part>`` and ``test_<part>_hidden``), in notebook order."""
    nb = nbformat.read(notebook, as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    parts = [
        m["grade_id"]
        for c, m in zip(nb.cells, meta, strict=True)
        if c.cell_type == "code" and m.get("solution")
    ]
    graded = [m["grade_id"] for m in meta if m.get("grade") and not m.get("solution")]
    return {part: [g for g in graded if g in (f"test_{part}", f"test_{part}_hidden")] for part in parts}


def touched_parts(mutant: Mutant, parts: dict[str, list[str]]) -> set[str]:
    """The parts (:func:`parts_of`) a mistake mutant touches: those of the cells it edits (or
    inserts a cell after) and those of the cells it must fail; every part when it touches a
    cell of no part (it cannot share an execution then)."""
    part_of = {cell: part for part, tests in parts.items() for cell in (part, *tests)}
    cells = [edit.cell.removeprefix(INSERT_PREFIX) for edit in mutant.edits] + list(mutant.fails)
    if any(cell not in part_of for cell in cells):
        return set(parts)
    return {part_of[cell] for cell in cells}


def member_name(mutant: Mutant) -> str:
    """A mutant's name in a :class:`Batch` and the integrity table: ``lazy:<strategy>`` or
    ``mistake:<name>``."""
    return f"lazy:{mutant.strategy}" if mutant.lazy else f"mistake:{mutant.name}"


@dataclass(frozen=True)
class Batch:
    """Checks that share one execution: mistake mutants and parts left blank, touching
    pairwise different parts (:func:`pack_batches`), or one lazy mutant alone. ``losses``:
    each member (``mistake:<name>``, ``lazy:<strategy>``, ``blank:<part>``, as in the integrity
    table) → the graded cells it must lose; all other cells keep theirs."""

    mutants: tuple[Mutant, ...]
    blanks: tuple[str, ...]
    losses: dict[str, tuple[str, ...]]

    @property
    def label(self) -> str:
        return "+".join(self.losses)

    def student_work(self, release_nb: Path, source_nb: Path, output_nb: Path) -> Path:
        """The student's work with every member applied: mutants edited in, blank parts left
        as released."""
        fill_solutions(release_nb, source_nb, output_nb, blank=self.blanks)
        for mutant in self.mutants:
            apply_mutant(output_nb, mutant, output_nb)
        return output_nb


def part_readers(notebook: Path, parts: dict[str, list[str]]) -> dict[str, set[str]]:
    """Part → the other parts that may read its result: those whose code cells (from the
    part's solution cell to the next part's) name something the part's solution cell defines
    at top level (a function, class or variable). Conservative: a solution cell that does not
    parse is read by every part."""
    import ast

    nb = nbformat.read(notebook, as_version=4)
    starts = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") in parts]
    blocks = {
        nb.cells[start].metadata["nbgrader"]["grade_id"]: "\n".join(
            c.source for c in nb.cells[start:end] if c.cell_type == "code"
        )
        for start, end in zip(starts, [*starts[1:], len(nb.cells)], strict=True)
    }
    readers: dict[str, set[str]] = {}
    for part, start in zip(blocks, starts, strict=True):
        try:
            tree = ast.parse(nb.cells[start].source)
        except SyntaxError:
            readers[part] = set(parts) - {part}
            continue
        names = {
            target.id if isinstance(target, ast.Name) else getattr(target, "name", "")
            for node in tree.body
            for target in (node.targets if isinstance(node, ast.Assign) else [node])
        } - {""}
        readers[part] = {
            other
            for other, text in blocks.items()
            if other != part and any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)
        }
    return readers


def pack_batches(mistakes: list[Mutant], notebook: Path) -> list[Batch]:
    """Every mistake and every part left blank of the source ``notebook``, packed first-fit
    into batches whose members touch pairwise different parts (:func:`touched_parts`; a blank
    part touches itself) none of which reads another's result (:func:`part_readers`), so that
    a member's cascade into another part stays visible; mistakes first, in the order given:
    the first batch holds the first mistake."""
    parts = parts_of(notebook)
    readers = part_readers(notebook, parts)
    members: list[tuple[str, set[str], Mutant | None, tuple[str, ...]]] = [
        (member_name(m), touched_parts(m, parts), m, m.fails) for m in mistakes
    ]
    members += [(f"blank:{part}", {part}, None, tuple(tests)) for part, tests in parts.items()]
    packed: list[tuple[set[str], list]] = []
    for member in members:
        reach = member[1] | {r for part in member[1] for r in readers[part]}
        free = next(
            (
                batch
                for batch in packed
                if not batch[0] & reach and not any(readers[part] & member[1] for part in batch[0])
            ),
            None,
        )
        if free is None:
            free = (set(), [])
            packed.append(free)
        free[0].update(member[1])
        free[1].append(member)
    return [
        Batch(
            mutants=tuple(m[2] for m in batch if m[2] is not None),
            blanks=tuple(m[0].removeprefix("blank:") for m in batch if m[2] is None),
            losses={m[0]: m[3] for m in batch},
        )
        for _, batch in packed
    ]


INTEGRITY_DIR = REPO_ROOT / "test-artifacts" / "integrity"  # read by tests/conftest.py


def record_outcome(
    assignment: str, student: str, scores: dict[str, float], total: float, at_stake: tuple[str, ...] = ()
) -> None:
    """Keep one graded student of the pipeline tests for the integrity table
    (``test-artifacts/integrity.md``, written at the end of the session); ``at_stake``: the cells
    a mutant must lose."""
    import json

    INTEGRITY_DIR.mkdir(parents=True, exist_ok=True)
    record = {
        "assignment": assignment,
        "student": student,
        "scores": scores,
        "score": sum(scores.values()),
        "total": total,
        "at_stake": list(at_stake),
    }
    (INTEGRITY_DIR / f"{assignment}--{student}.json").write_text(json.dumps(record))
