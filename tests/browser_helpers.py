"""Headless Chromium for the browser tests (tests/book, tests/lab): Debian's ``chromium`` driven
by the ``playwright`` Python package.

Without them the tests are skipped, except when DLGD_REQUIRE_BROWSER=1 (set by CI), where they
fail.  Pages opened with :func:`open_local_page` may only load from the server they were opened
on: any other request is aborted and recorded in ``page.outside_requests``.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("DLGD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when the browser is required (DLGD_REQUIRE_BROWSER=1)."""
    if os.environ.get("DLGD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (DLGD_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (a Playwright ``Browser``), closed on exit."""
    if not CHROMIUM.exists():
        unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def open_local_page(browser, url: str, width: int = 1280, height: int = 900):
    """A new page at url, recording every request that did not go to the local server."""
    page = browser.new_page(viewport={"width": width, "height": height})
    host = urlsplit(url).netloc
    page.outside_requests = []  # type: ignore[attr-defined]

    def guard(route) -> None:
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            page.outside_requests.append(route.request.url)  # type: ignore[attr-defined]
            route.abort()

    page.route("**/*", guard)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return page


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, what: str, seconds: float) -> None:
    """Wait until ``url`` answers 200; fail with the end of ``log`` when ``process`` (the server,
    named ``what`` in the message) exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the {what} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the {what} did not answer in {seconds:g} s:\n{log.read_text()[-3000:]}")


def formgrader_result(frame, timeout_ms: float) -> str:
    """Text of the formgrader's result dialog of the last action (in its ``frame``), which is
    then closed."""
    modal = frame.locator(".modal-dialog:visible", has=frame.locator(".modal-title"))
    modal.wait_for(timeout=timeout_ms)
    text = modal.inner_text()
    modal.locator("button.btn-primary").click()
    modal.wait_for(state="hidden")
    return text
