"""Fixtures of the book tests: one build of the book per session, shared by every test.

The build is the one `make book` runs (HTML, execution with the jupyter-cache in
book/_build/.jupyter_cache, `-W --keep-going`), into the standard book/_build so that an
unchanged chapter is not executed again.  The offline MathJax copy is installed first with
`make mathjax` when it is missing (an install step, like pip).

DLGD_BOOK_PREBUILT=1 tests the HTML already in book/_build/html (e.g. right after
`make book`) instead of building again; the build test itself is then skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
HTML = BOOK / "_build" / "html"
MATHJAX = BOOK / "_mathjax" / "mathjax" / "es5" / "tex-mml-chtml.js"
ARTIFACTS = REPO / "test-artifacts" / "book"  # build log and screenshots (git-ignored)


@dataclass(frozen=True)
class BookBuild:
    returncode: int
    log: str
    seconds: float
    html: Path


def _jupyter_book() -> str:
    candidate = Path(sys.executable).with_name("jupyter-book")
    return str(candidate) if candidate.exists() else "jupyter-book"


@pytest.fixture(scope="session")
def book_build() -> BookBuild:
    if os.environ.get("DLGD_BOOK_PREBUILT") == "1":
        if not (HTML / "intro.html").exists():
            pytest.fail("DLGD_BOOK_PREBUILT=1 but book/_build/html has no built book", pytrace=False)
        return BookBuild(0, "prebuilt (DLGD_BOOK_PREBUILT=1)", 0.0, HTML)
    if not MATHJAX.exists():
        subprocess.run(["make", "-C", str(REPO), "mathjax"], check=True)
    start = time.perf_counter()
    result = subprocess.run(
        [_jupyter_book(), "build", str(BOOK), "--builder", "html", "-W", "--keep-going"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=os.environ | {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    )
    log = result.stdout + result.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.log").write_text(log, encoding="utf-8")
    return BookBuild(result.returncode, log, time.perf_counter() - start, HTML)


@pytest.fixture(scope="session")
def built_html(book_build: BookBuild) -> Path:
    """The HTML folder of a successful build (tests that need it fail if the build failed)."""
    if book_build.returncode != 0:
        pytest.fail("the book build failed; see test_book_builds for the log", pytrace=False)
    return book_build.html
