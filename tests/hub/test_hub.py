"""The course on a real JupyterHub (``autograder.hub``, what ``make hub`` runs), in headless Chromium.

One instructor and three students are Unix users of this machine; every server runs as its
user. The round trip, each step as the person who does it:

1. the instructor logs in, generates and releases assignment 00 in the formgrader;
2. three students log in, fetch it, complete it (one fully, one with a part left blank, one not
   at all), validate and submit it from the *Assignments* panel, each as their own user;
3. the instructor collects in the formgrader; ``autograder.hub.grade`` runs ``dlgd-grade
   --workers 2`` (sandboxed) as root and gives the course data back; the instructor generates
   and releases the feedback in the formgrader;
4. each student fetches their own feedback, which shows their own score.

Also checked, by file permissions (commands run as a student) and by the hub's URLs (requests
with a student's login): a student cannot read another student's work, the exchange's inbound
folder, the gradebook, or the course's ``solutions/``; a student's server has no formgrader and
the hub's user list is not theirs to read.

Needs root (Unix users), Chromium and configurable-http-proxy (``make hub-deps``): skipped
without them, or failed when ``DLGD_REQUIRE_BROWSER=1`` (CI). The users it creates are
removed at the end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from browser_helpers import chromium, formgrader_result, unavailable, wait_until_serving

from autograder import hub
from autograder.course import COURSE_ID
from autograder.mutants import fill_solutions

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("hub")]

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "00-pytorch-lightning"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
PREFIX = "dlgdhub"
INSTRUCTOR = f"{PREFIX}-teacher"
#: the three students: what each hands in
STUDENTS = {f"{PREFIX}-full": "full", f"{PREFIX}-partial": "partial", f"{PREFIX}-blank": "blank"}
#: the part the partial student leaves blank
BLANK_PART = "rk4_step"
START_MS = 180_000
NOTEBOOK_RUN_MS = 240_000
ARTIFACTS = REPO / "test-artifacts" / "hub"


@dataclass
class Hub:
    layout: hub.HubLayout
    passwords: dict[str, str]
    base: Path
    process: subprocess.Popen | None = None
    log: Path | None = None
    contexts: dict[str, object] = field(default_factory=dict)

    def workspace_notebook(self, user: str) -> Path:
        return self.layout.home(user) / hub.WORKSPACE / COURSE_ID / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _remove_users() -> None:
    for user in (INSTRUCTOR, *STUDENTS):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        subprocess.run(["userdel", "--remove", user], capture_output=True)


def _wait_for_hub(state: Hub) -> None:
    wait_until_serving(state.layout.url + "hub/api", state.process, state.log, "hub", 60)


@pytest.fixture(scope="module")
def running_hub(course_wheel: Path) -> Iterator[Hub]:
    if os.name != "posix" or os.geteuid() != 0:
        unavailable("the hub test creates Unix users: it runs as root")
    try:
        proxy = hub.proxy_command(REPO)
    except hub.HubSetupError as error:
        unavailable(str(error))
    # a folder every user may traverse (pytest's own temporary folders are private to root)
    base = Path(tempfile.mkdtemp(prefix="dlgd-hub-test-", dir="/tmp"))
    base.chmod(0o755)
    layout = hub.HubLayout(
        state=base / "state",
        exchange=base / "exchange",
        instructor=INSTRUCTOR,
        students=tuple(STUDENTS),
        port=_free_port(),
    )
    _remove_users()
    try:
        passwords, config = hub.set_up(layout, course_wheel, REPO)
        assert proxy.is_file()
        state = Hub(layout, passwords, base, log=base / "hub.log")
        with open(state.log, "w") as out:
            state.process = subprocess.Popen(
                hub.hub_command(layout, config),
                cwd=layout.state,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for_hub(state)
        yield state
    finally:
        if (base / "hub.log").is_file():  # the hub's and the servers' log, for a failed run
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy2(base / "hub.log", ARTIFACTS / "hub.log")
        if "state" in locals() and state.process is not None:
            os.killpg(state.process.pid, 15)
            try:
                state.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(state.process.pid, 9)
        _remove_users()
        shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    from autograder.lab import free_port

    return free_port()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as instance:
        yield instance


def _login(browser, state: Hub, user: str):
    """A browser context logged in as ``user`` (its own cookies), on the user's JupyterLab."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(state.layout.url + "hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", state.passwords[user])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=START_MS)
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=START_MS)
    state.contexts[user] = context
    return page


def _nbgrader_menu(page, item: str) -> list[str]:
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    menu = page.locator(".lm-MenuBar-menu")
    menu.wait_for()
    items = [text for text in menu.locator(".lm-Menu-itemLabel").all_inner_texts() if text]
    menu.locator(f".lm-Menu-itemLabel:text-is('{item}')").click()
    return items


def _modal_result(frame) -> str:
    return formgrader_result(frame, NOTEBOOK_RUN_MS)


def _formgrader(page):
    _nbgrader_menu(page, "Formgrader")
    page.wait_for_selector("iframe", timeout=60_000)
    frame = page.frame_locator("iframe").first
    row = frame.locator("tbody tr", has_text=ASSIGNMENT)
    try:
        row.wait_for(timeout=60_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "formgrader-failed.png"))
        raise
    return frame, row


def _as(user: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *argv], capture_output=True, text=True, timeout=60)


def _hand_in(state: Hub, user: str, kind: str) -> None:
    """What the student typed into the fetched notebook: every answer, all but one, or none."""
    notebook = state.workspace_notebook(user)
    if kind == "blank":
        return
    blank = (BLANK_PART,) if kind == "partial" else ()
    fill_solutions(notebook, SOURCE, notebook, blank=blank)
    entry = pwd.getpwnam(user)
    os.chown(notebook, entry.pw_uid, entry.pw_gid)


def _student_fetches_validates_submits(browser, state: Hub, user: str, kind: str) -> None:
    page = _login(browser, state, user)
    items = _nbgrader_menu(page, "Assignment List")
    assert "Formgrader" not in items and "Course List" not in items, f"{user}'s Nbgrader menu: {items}"
    released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    released.wait_for(timeout=60_000)
    released.locator("button:text-is('Fetch')").click()
    page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
    notebook = state.workspace_notebook(user)
    assert notebook.is_file(), f"{user}'s fetch did not write {notebook}"
    assert notebook.stat().st_uid == pwd.getpwnam(user).pw_uid, "the fetched notebook is not the student's"
    _hand_in(state, user, kind)
    nested = page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT} .nested_list_item", has_text=ASSIGNMENT)
    for _ in range(10):
        if nested.is_visible():
            break
        page.locator("#fetched_assignments_list a.assignment-notebooks-link", has_text=ASSIGNMENT).click()
        page.wait_for_timeout(1_000)
    nested.locator("button:text-is('Validate')").click()
    dialog = page.locator(".jp-Dialog:has-text('Validation Results')")
    dialog.wait_for(timeout=NOTEBOOK_RUN_MS)
    verdict = dialog.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"{kind}-validate.png"))
    page.click(".jp-Dialog button:has-text('Ok')")
    if kind == "full":
        assert "Success! Your notebook passes all the tests." in verdict, verdict
    else:
        assert "Success!" not in verdict and "NotImplementedError" in verdict, verdict
    page.locator("#fetched_assignments_list button:text-is('Submit')").click()
    page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)


def _expected_scores() -> tuple[dict[str, float], float]:
    """The autograded score of each student, and the notebook's total (written answers, graded
    by hand later, included)."""
    graded = [
        (cell.metadata["nbgrader"]["grade_id"], float(cell.metadata["nbgrader"]["points"]), cell.cell_type)
        for cell in nbformat.read(SOURCE, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    ]
    autograded = sum(points for _, points, kind in graded if kind == "code")
    lost = sum(points for name, points, _ in graded if name.startswith(f"test_{BLANK_PART}"))
    return {"full": autograded, "partial": autograded - lost, "blank": 0.0}, sum(p for _, p, _ in graded)


def test_class_round_trip_on_the_hub(browser, running_hub: Hub) -> None:
    state = running_hub
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expected, total = _expected_scores()

    teacher = _login(browser, state, INSTRUCTOR)
    frame, row = _formgrader(teacher)
    row.locator("td.assign a").click()
    assert "Success" in _modal_result(frame)
    row.locator("td.release a").click()
    assert "Success" in _modal_result(frame)
    assert "released" in row.locator("td.status").inner_text()
    teacher.screenshot(path=str(ARTIFACTS / "instructor-released.png"))

    for user, kind in STUDENTS.items():
        _student_fetches_validates_submits(browser, state, user, kind)

    row.locator("td.collect a").click()
    assert "Success" in _modal_result(frame)
    status = hub.grade(state.layout, ASSIGNMENT, workers=2)
    assert status == 0, f"dlgd-grade ended with status {status}"
    data = state.layout.course_data()
    owner = pwd.getpwnam(INSTRUCTOR).pw_uid
    assert all(p.stat().st_uid == owner for p in data.rglob("*")), "course data not given back"
    row.locator("td.generate-feedback a").click()
    assert "Success" in _modal_result(frame)
    row.locator("td.release-feedback a").click()
    assert "Success" in _modal_result(frame)
    teacher.screenshot(path=str(ARTIFACTS / "instructor-feedback-released.png"))

    for user, kind in STUDENTS.items():
        page = state.contexts[user].pages[0]
        page.reload()
        page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=START_MS)
        _nbgrader_menu(page, "Assignment List")
        submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
        submitted.wait_for(timeout=60_000)
        submitted.locator("button:text-is('Fetch Feedback')").click()
        page.locator("#submitted_assignments_list a:has-text('view feedback')").first.wait_for(timeout=60_000)
        folder = state.workspace_notebook(user).parent / "feedback"
        reports = sorted(folder.rglob("*.html"))
        assert len(reports) == 1, f"{user} fetched {reports}"
        score = f"Score: {expected[kind]:.1f} / {total:.1f}"
        assert score in reports[0].read_text(), f"{user}'s feedback does not show {score!r}"
        page.screenshot(path=str(ARTIFACTS / f"{kind}-feedback.png"))

    _students_cannot_reach_what_is_not_theirs(state)


def _students_cannot_reach_what_is_not_theirs(state: Hub) -> None:
    full, partial = list(STUDENTS)[:2]
    inbound = state.layout.exchange / COURSE_ID / "inbound"
    forbidden = {
        "another student's work": state.workspace_notebook(partial),
        "the exchange's inbound folder": inbound,
        "the gradebook": state.layout.course_data() / "gradebook.db",
        "the course's solutions": state.layout.course_root() / "solutions",
    }
    for what, path in forbidden.items():
        assert path.exists(), f"{path} should exist"
        command = ("ls", str(path)) if path.is_dir() else ("cat", str(path))
        result = _as(full, *command)
        assert result.returncode != 0 and "Permission denied" in result.stderr, (
            f"{full} can read {what} ({path}): {result.stdout[:200]!r}"
        )
    # a student may write into inbound (to submit) but not list it
    assert _as(full, "test", "-w", str(inbound)).returncode == 0
    page = state.contexts[full].pages[0]
    url = state.layout.url
    for what, address in {
        "another student's files": f"{url}user/{partial}/api/contents/{hub.WORKSPACE}",
        "the instructor's formgrader": f"{url}user/{INSTRUCTOR}/formgrader",
        "the instructor's files": f"{url}user/{INSTRUCTOR}/api/contents/solutions",
        "the hub's user list": f"{url}hub/api/users",
        "a formgrader on the student's own server": f"{url}user/{full}/formgrader",
    }.items():
        response = page.request.get(address)
        assert response.status in (403, 404), f"{full} gets {what}: {response.status} at {response.url}"
