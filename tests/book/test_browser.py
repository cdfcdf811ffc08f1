"""The built book in a real headless Chromium, served by a local HTTP server (issue 4).

Checks on the home page and on a lecture page: MathJax typeset the equations (mjx-container
elements, no TeX errors), figures loaded with a non-zero natural size, navigation links
lead to built pages, no request left the local server; a screenshot of each page is saved
in test-artifacts/book/.

Needs Debian's `chromium` and the `playwright` Python package.  Without them the tests are
skipped, except when DLGD_REQUIRE_BROWSER=1 (set by CI), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import chromium, open_local_page

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("book")]

ARTIFACTS = REPO / "test-artifacts" / "book"


@pytest.fixture(scope="module")
def server(built_html: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_html))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that closes a connection early (it often does) is not an error."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as instance:
        yield instance


def _check_mathjax(page, name: str) -> int:
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
        " && document.querySelectorAll('mjx-container').length > 0",
        timeout=30_000,
    )
    page.evaluate("() => MathJax.startup.promise")
    count = page.locator("mjx-container").count()
    errors = page.locator("mjx-merror").count()
    raw = page.evaluate(
        "() => Array.from(document.querySelectorAll('div.math, span.math'))"
        ".filter(e => !e.querySelector('mjx-container')).length"
    )
    assert count > 0, f"{name}: MathJax typeset nothing"
    assert errors == 0, f"{name}: {errors} TeX errors rendered by MathJax"
    assert raw == 0, f"{name}: {raw} math elements were left untypeset"
    return count


def _check_images(page, name: str) -> int:
    page.evaluate("() => Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)))")
    sizes = page.evaluate(
        "() => Array.from(document.querySelectorAll('article img, .bd-article img'))"
        ".map(img => [img.getAttribute('src'), img.naturalWidth, img.naturalHeight])"
    )
    broken = [src for src, width, height in sizes if width == 0 or height == 0]
    assert not broken, f"{name}: images not loaded: {broken}"
    return len(sizes)


def test_home_page_renders_math_and_navigates(browser, server: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = open_local_page(browser, f"{server}/intro.html")
    assert "Deep Learning and Geophysical Dynamics" in page.title()
    _check_images(page, "home page")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    # every link of the navigation sidebar leads to a built page
    hrefs = page.eval_on_selector_all(
        "nav.bd-docs-nav a.reference.internal", "links => links.map(a => a.href)"
    )
    assert len(hrefs) >= 15, f"navigation has only {len(hrefs)} internal links"
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok, f"navigation link {href} answered {response.status}"

    # clicking a lecture in the sidebar opens it, and the 'next' button walks on
    page.click("nav.bd-docs-nav a:has-text('Deep learning and optimisation')")
    page.wait_for_load_state("load")
    assert page.url.endswith("lectures/02-optimisation.html"), page.url
    assert page.locator("h1").first.inner_text().startswith("Deep learning and optimisation")
    page.click("a.right-next")
    page.wait_for_load_state("load")
    assert page.url.endswith("lectures/03-generative-models.html"), page.url
    assert not page.outside_requests, f"requests left the local server: {page.outside_requests}"
    page.close()


def test_lecture_page_typesets_equations_and_shows_figures(browser, server: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = open_local_page(browser, f"{server}/lectures/01-differentiable-physics.html")
    n_math = _check_mathjax(page, "lecture 1")
    n_images = _check_images(page, "lecture 1")
    assert n_math >= 10, f"lecture 1: only {n_math} typeset equations"
    assert n_images >= 3, f"lecture 1: only {n_images} figures"
    page.screenshot(path=str(ARTIFACTS / "lecture-01.png"), full_page=True)
    assert (ARTIFACTS / "lecture-01.png").stat().st_size > 10_000
    # a citation link jumps to the bibliography page
    page.click("a:has-text('Raissi')")
    page.wait_for_load_state("load")
    assert "bibliography.html" in page.url, page.url
    assert not page.outside_requests, f"requests left the local server: {page.outside_requests}"
    page.close()


def test_notation_page_math_is_typeset(browser, server: str) -> None:
    page = open_local_page(browser, f"{server}/notation.html")
    assert _check_mathjax(page, "notation") >= 20
    page.screenshot(path=str(ARTIFACTS / "notation.png"), full_page=True)
    page.close()
