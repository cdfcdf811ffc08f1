"""Links from the graded notebooks to the book resolve (issue 17, "links both ways").

Every relative link in a markdown cell of a source notebook (`solutions/*/*.ipynb`) must name an
existing file of the repository and, with an anchor (`file.md#heading`), a heading of that file,
slugged as the book's MyST parser slugs it (`myst_parser`'s default: lower case, spaces to hyphens,
punctuation dropped; a repeated heading gets `-1`, `-2`, ...). Each notebook's first markdown cell
links to at least one book page, the chapter or project sections it practises.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from myst_parser.mdit_to_docutils.base import default_slugify

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
# [text](target) with a target that is not a web address; images ![..](..) are links too
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
MARKDOWN = MarkdownIt("commonmark")


def heading_slugs(markdown: str) -> set[str]:
    """Anchors of the headings of a markdown text (fenced code, e.g. code cells, is skipped)."""
    slugs: list[str] = []
    if markdown.startswith("---\n"):  # YAML front matter (the executed chapters' file_format, kernel)
        markdown = markdown.split("\n---\n", 1)[-1]
    tokens = MARKDOWN.parse(markdown)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "heading_open":
            continue
        words = "".join(
            child.content for child in inline.children or [] if child.type in ("text", "code_inline")
        )
        slug = base = default_slugify(words)
        repeat = 0
        while slug in slugs:
            repeat += 1
            slug = f"{base}-{repeat}"
        slugs.append(slug)
    return set(slugs)


def markdown_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text())["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]


def anchors_of(target: Path) -> set[str]:
    if target.suffix == ".ipynb":
        return heading_slugs("\n\n".join(markdown_cells(target)))
    return heading_slugs(target.read_text())


def relative_links(markdown: str) -> list[str]:
    return [link for link in LINK.findall(markdown) if not EXTERNAL.match(link)]


def test_the_slug_is_the_books() -> None:
    text = (
        "---\nfile_format: mystnb\n---\n\n# Deep learning\n\n```python\n# a comment, not a heading\n```\n\n"
        "## The `adjoint` method, *by hand*\n"
    )
    assert heading_slugs(text + "\n## Deep learning\n") == {
        "deep-learning",
        "the-adjoint-method-by-hand",
        "deep-learning-1",
    }


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 7, f"expected the seven theme notebooks at least, found {len(NOTEBOOKS)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_relative_links_resolve(notebook: Path) -> None:
    cells = markdown_cells(notebook)
    broken = []
    for cell in cells:
        for link in relative_links(cell):
            path, _, anchor = link.partition("#")
            target = (notebook.parent / path).resolve() if path else notebook
            if not target.is_file():
                broken.append(
                    f"{link}: no file {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                )
            elif anchor and anchor not in anchors_of(target):
                broken.append(f"{link}: no heading with anchor #{anchor} in {target.name}")
    assert not broken, f"{notebook.name} has broken links:\n" + "\n".join(broken)
    book_links = [link for link in relative_links(cells[0]) if "/book/" in f"/{link}"]
    assert book_links, (
        f"the first markdown cell of {notebook.name} should link to the book sections it practises"
    )
