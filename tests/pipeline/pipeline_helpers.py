"""Helpers of the pipeline tests (a plain module, not a conftest: tests/conftest.py exists): the
assignments, their mutants, notebook text."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from autograder.course import assignments
from autograder.mutants import Mutant, load_mutants

#: the repository (the course root of these tests)
REPO_ROOT = Path(__file__).resolve().parents[2]

ASSIGNMENTS = assignments(REPO_ROOT)
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
