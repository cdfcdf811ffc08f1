"""Feedback typesets its equations offline, with the course's own MathJax (issue 27).

A course holding the tiny fixture assignment, with the Lorenz-63 equations of exercise 00
(display math), an ``align`` environment and inline math added to its text and an equation
printed by a cell (``IPython.display.Math``), goes through generate → release → fetch → submit
→ collect → autograde → generate feedback → release feedback → fetch feedback. Then:

- the fetched HTML file loads nothing from the network and carries the course's MathJax inline;
- opened from disk (``file://``) in headless Chromium with every other request blocked,
  MathJax typesets every equation (``mjx-container``, no ``mjx-merror``) and no TeX delimiter
  is left in the text; a screenshot goes to ``test-artifacts/feedback/``;
- the formgrader's manual-grading page (template ``formgrade``, configured the way nbgrader's
  server extension configures it) inlines the same MathJax.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from pipeline_helpers import FIXTURES, KERNEL_THREADS, REPO_ROOT

from autograder import instructor
from autograder.course import course_config
from autograder.grading import kernel_threads
from autograder.mutants import fill_solutions
from autograder.offline_math import MATHJAX_SCRIPT

ASSIGNMENT = "01-tiny"
STUDENT = "ada"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "feedback"
LORENZ = r"$$\dot x = \sigma (y - x), \qquad \dot y = x(\rho - z) - y, \qquad \dot z = x y - \beta z,$$"
MATH_MARKDOWN = (
    "## The equations\n\nThe Lorenz-63 system\n\n" + LORENZ + "\n\n"
    "with $\\sigma = 10$, $\\rho = 28$ and $\\beta = 8/3$; its Jacobian is "
    "$J = \\partial f / \\partial \\mathbf x$, and\n\n"
    "\\begin{align}\n\\mathcal L(\\theta) &= \\frac{1}{N} \\sum_{n=1}^N \\lVert x_n - "
    "\\hat x_n(\\theta) \\rVert^2 \\label{eq:loss}\\\\\n"
    "\\boldsymbol\\theta^\\star &= \\arg\\min_\\theta \\mathcal L(\\theta)\n\\end{align}\n"
)
PRINTED_MATH = "from IPython.display import Math\nMath(r'\\int_0^T \\lVert \\dot x \\rVert^2 \\, dt')"
# display: Lorenz, align, printed; inline: σ, ρ, β, J, the fixture's $a + b$ and $x^2$
N_EQUATIONS = 9


@dataclass
class Released:
    config: object
    html: Path  # the feedback as fetched into the student's workspace


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, course_mathjax: Path) -> Iterator[Released]:
    base = tmp_path_factory.mktemp("feedback-math")
    root = base / "course"
    source = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    shutil.copytree(FIXTURES / ASSIGNMENT, source.parent)
    nb = nbformat.read(source, as_version=4)
    nb.cells[1:1] = [nbformat.v4.new_markdown_cell(MATH_MARKDOWN), nbformat.v4.new_code_cell(PRINTED_MATH)]
    nbformat.write(nb, source)
    config = course_config(root, base / "instructor")
    instructor.generate(config, ASSIGNMENT)
    instructor.release(config, ASSIGNMENT)
    workspace = base / "student"
    fetched = instructor.fetch(config, ASSIGNMENT, STUDENT, workspace) / source.name
    fill_solutions(fetched, source, fetched)
    instructor.submit(config, ASSIGNMENT, STUDENT, workspace)
    instructor.collect(config, ASSIGNMENT)
    with kernel_threads(KERNEL_THREADS):
        instructor.autograde(config, ASSIGNMENT)
    instructor.generate_feedback(config, ASSIGNMENT)
    instructor.release_feedback(config, ASSIGNMENT)
    pages = instructor.fetch_feedback(config, ASSIGNMENT, STUDENT, workspace)
    assert len(pages) == 1, f"expected one feedback page, fetched {pages}"
    yield Released(config, pages[0])
    shutil.rmtree(base, ignore_errors=True)


def _script_sources(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", html, flags=re.IGNORECASE)


def test_feedback_carries_the_course_mathjax_inline(released: Released, course_mathjax: Path) -> None:
    html = released.html.read_text(encoding="utf-8")
    assert "cdnjs.cloudflare.com" not in html and "text/x-mathjax-config" not in html, (
        "the feedback still loads nbgrader's MathJax 2 from a CDN"
    )
    remote = [src for src in _script_sources(html) if re.match(r"(https?:)?//", src)]
    assert not remote, f"the feedback loads scripts from the network: {remote}"
    assert "window.MathJax = " in html
    # the whole component, inline (a fixed excerpt of it, from its middle)
    component = course_mathjax.read_text(encoding="utf-8")
    excerpt = component[len(component) // 2 : len(component) // 2 + 200]
    assert "</script" not in excerpt and "<!--" not in excerpt
    assert excerpt in html, f"{MATHJAX_SCRIPT} is not inlined whole in the feedback"
    assert LORENZ in html, "the equations should reach the page as TeX, for MathJax to typeset"


@pytest.mark.browser
def test_released_feedback_typesets_equations_without_network(released: Released) -> None:
    from browser_helpers import chromium

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        outside: list[str] = []

        def block(route) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", block)
        page.goto(released.html.as_uri(), wait_until="load")
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000
        )
        page.evaluate("() => MathJax.startup.promise")
        typeset = page.locator("mjx-container").count()
        errors = page.locator("mjx-merror").count()
        text = page.evaluate("() => document.body.innerText")
        # the text of the markdown cells and outputs (code cells show TeX as code, rightly)
        prose = page.evaluate(
            "() => Array.from(document.querySelectorAll("
            "'.text_cell_render, .output_subarea')).map(e => e.innerText).join('\\n')"
        )
        page.screenshot(path=str(ARTIFACTS / "feedback-math.png"), full_page=True)
        page.close()
    assert typeset >= N_EQUATIONS, f"MathJax typeset {typeset} equations, expected {N_EQUATIONS}"
    assert errors == 0, f"{errors} TeX errors rendered"
    assert "Lorenz-63 system" in prose and "Write" in prose
    left = [tex for tex in ("$", "\\dot x", "\\begin{align}", "\\partial", "\\lVert") if tex in prose]
    assert not left, f"raw TeX left in the page: {left}"
    assert "Score" in text, "the feedback page lost its content"
    assert not outside, f"the feedback page asked the network for {outside}"


def test_formgrader_page_inlines_the_course_mathjax(released: Released) -> None:
    """The instructor's manual-grading page, rendered with the exporter configuration of
    nbgrader's formgrader (its template settings first, then the course's configuration)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    config.merge(released.config)
    autograded = (
        Path(released.config.CourseDirectory.autograded_directory)
        / STUDENT
        / ASSIGNMENT
        / f"{ASSIGNMENT}.ipynb"
    )
    resources = {
        "assignment_id": ASSIGNMENT,
        "notebook_id": ASSIGNMENT,
        "submission_id": "x",
        "index": 0,
        "total": 1,
        "base_url": "/",
        "student": STUDENT,
        "last_name": None,
        "first_name": None,
        "notebook_path": "course/autograded/ada/01-tiny/01-tiny.ipynb",
    }
    html, _ = HTMLExporter(config=config).from_filename(str(autograded), resources=resources)
    assert "formgrade" in html.lower() and "window.MathJax = " in html
    assert "cdnjs.cloudflare.com" not in html and "text/x-mathjax-config" not in html


def test_feedback_without_the_course_mathjax_stops_with_how_to_install_it(
    released: Released, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the course's MathJax the whole step stops with the install command (an
    install problem of the grader, not a student's), rather than release raw TeX or fail
    each student's feedback one by one."""
    from autograder.offline_math import MATHJAX_ENV_VAR, MathJaxMissing

    monkeypatch.setenv(MATHJAX_ENV_VAR, str(tmp_path))  # a folder without tex-svg-full.js
    feedback = Path(released.config.CourseDirectory.feedback_directory)
    for page in feedback.rglob("*.html"):
        page.unlink()  # nbgrader skips feedback that is newer than its notebook
    with pytest.raises(MathJaxMissing, match="make mathjax"):
        instructor.generate_feedback(released.config, ASSIGNMENT)
