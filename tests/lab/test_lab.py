"""Students and instructors in JupyterLab, end to end in headless Chromium (issue 12).

Two JupyterLab servers started by :mod:`autograder.lab` on free localhost ports, with a
temporary HOME, Jupyter folders and course data, on a copy of the course holding the real
assignment 00 (released with :mod:`autograder.instructor`). One round trip, step by step:

- student: the Assignments panel lists the release → Fetch → Validate of the untouched
  notebook fails → the student completes it (the solution's code, plus a wrapper that prints a
  ``UserWarning`` whenever a test calls it) → opens it → *Validate* shows the course's verdict,
  success (nbgrader's own validator fails a test cell with a warning on stderr) → Submit;
- instructor: the formgrader lists the assignment → Collect → the submission → Autograde →
  full marks on the autograded cells, the written answers not graded yet (e.g. 20 / 22: the
  points come from the source notebook);
- instructor: the submission's manual-grading page typesets its equations (no request leaves
  the machine: the course's MathJax is inline); the instructor grades the written answers
  there (score and comment), the submission's total in the formgrader becomes the full
  total (22 / 22) → generate and release feedback;
- student: Fetch Feedback → view feedback → the report shows the total, the instructor's
  comment and no hidden test, no model answer; once trusted (*Trust HTML*), its equations
  are typeset offline.

Written answers: the real notebook 00 is used (its autograding takes about ten seconds alone);
when the course's copy of it has no written answer, one is added to that copy (never to
``solutions/``), so that manual grading is driven with or without the notebooks' own.

Also: each role's server has only its own nbgrader extensions, and the student's validate
handler disagrees with nbgrader's own one exactly where the course filters stderr warnings.
Screenshots of the key pages go to test-artifacts/lab/. Chromium missing: skipped, or failed
with DLGD_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from browser_helpers import chromium, formgrader_result, open_local_page, wait_until_serving
from nbgrader.validator import Validator

from autograder import instructor, lab
from autograder.course import COURSE_ID, course_config
from autograder.grading import course_validator, graded_cells
from autograder.mutants import insert_written_answer, student_written_answer
from autograder.submissions import gradebook

#: the repository (the course root of these tests)
REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("lab")]

ASSIGNMENT = "00-pytorch-lightning"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "lab"
SERVER_START_S = 60
# a test cell's work (validate, autograde) runs the whole notebook: ~10 s alone, slower when
# the machine is shared
NOTEBOOK_RUN_MS = 180_000
WARNING_TEXT = "standardize is wrapped by the student"


@dataclass
class Course:
    root: Path
    data: Path
    home: Path
    workspace: Path
    student_id: str
    autograded_points: float
    written_points: dict[str, float]
    servers: dict[str, lab.LabServer] = field(default_factory=dict)

    @property
    def points(self) -> float:
        return self.autograded_points + sum(self.written_points.values())

    @property
    def fetched(self) -> Path:
        return self.workspace / COURSE_ID / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _wait_until_up(server: lab.LabServer, process: subprocess.Popen, log: Path) -> None:
    status = server.url.replace("/lab?", "/api/status?", 1)
    wait_until_serving(status, process, log, f"{server.role} server", SERVER_START_S)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory, course_mathjax: Path) -> Iterator[Course]:
    """A copy of the course with assignment 00 released, and both servers running on it."""
    from nbgrader.utils import get_username

    base = tmp_path_factory.mktemp("lab")
    root, data, home = base / "course", base / "data", base / "home"
    shutil.copytree(REPO_ROOT / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    # as at the root of the course (the repository): nbgrader's apps, the formgrader included,
    # load it last, over their own settings (the formgrader's template folders among them)
    (root / "nbgrader_config.py").write_text(
        "from autograder.course import course_config\n"
        f"get_config().merge(course_config({str(root)!r}, {str(data)!r}))\n"
    )
    config = course_config(root, data)
    source = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    if not graded_cells(source, written=True):
        insert_written_answer(
            source,
            "written_flow_map",
            2,
            "One-step errors of the learned flow map grow at the leading Lyapunov exponent, about "
            "0.9 per time unit, so a forecast loses its skill after a few time units.",
            ["errors grow exponentially (chaos)", "quotes the Lyapunov exponent or time scale"],
        )
    instructor.generate(config, ASSIGNMENT)
    instructor.release(config, ASSIGNMENT)
    state = Course(
        root,
        data,
        home,
        home / "dlgd-course",
        get_username(),
        sum(graded_cells(source, written=False).values()),
        graded_cells(source, written=True),
    )
    env = os.environ | {
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local" / "share" / "jupyter" / "runtime"),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.pop("JUPYTER_CONFIG_PATH", None)
    processes = []
    try:
        for role in lab.ROLES:
            server = lab.prepare(
                role,
                workspace=state.workspace,
                root=root,
                data=data,
                config_dir=base / f"jupyter-{role}",
                environ=env,
            )
            log = base / f"{role}.log"
            with open(log, "w") as out:
                process = subprocess.Popen(
                    server.argv,
                    env=server.env,
                    cwd=server.root_dir,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            processes.append(process)
            state.servers[role] = server
        for process, role in zip(processes, lab.ROLES, strict=True):
            _wait_until_up(state.servers[role], process, base / f"{role}.log")
        yield state
    finally:
        for process in processes:  # each server is the leader of its own process group
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as instance:
        yield instance


def _open_lab(browser, server: lab.LabServer):
    """JupyterLab of ``server`` in a new workspace (no tabs restored), fully started.

    (``?reset`` would not do: JupyterLab resets the workspace again whenever the page's URL
    changes, e.g. when the Assignments panel opens a ``#...`` link.)"""
    url = server.url.replace("/lab?", f"/lab/workspaces/test-{uuid.uuid4().hex[:8]}?", 1)
    page = open_local_page(browser, url, width=1400, height=900)
    page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=60_000)
    return page


def _nbgrader_menu(page, item: str | None = None) -> list[str]:
    """Open the Nbgrader menu; click ``item`` if given, else close it. Returns its items."""
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    menu = page.locator(".lm-MenuBar-menu")
    menu.wait_for()
    items = [text for text in menu.locator(".lm-Menu-itemLabel").all_inner_texts() if text]
    if item is None:
        page.keyboard.press("Escape")
    else:
        menu.locator(f".lm-Menu-itemLabel:text-is('{item}')").click()
    return items


def _validation_dialog(page) -> str:
    dialog = page.locator(".jp-Dialog:has-text('Validation Results')")
    dialog.wait_for(timeout=NOTEBOOK_RUN_MS)
    return dialog.inner_text()


def _close_dialog(page) -> None:
    page.click(".jp-Dialog button:has-text('Ok')")
    page.locator(".jp-Dialog").wait_for(state="detached")


def _expand(page) -> object:
    """Show the notebooks of the fetched assignment (the list may be redrawn after a fetch, which
    folds it again); returns the notebook's row."""
    nested = page.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT} .nested_list_item", has_text=ASSIGNMENT)
    for _ in range(10):
        if not nested.is_visible():
            page.locator("#fetched_assignments_list a.assignment-notebooks-link", has_text=ASSIGNMENT).click()
        page.wait_for_timeout(1_000)
        if nested.is_visible():
            return nested
    pytest.fail("the notebooks of the fetched assignment could not be shown")


def _complete(notebook: Path, solution: Path) -> None:
    """What a student who solved everything submits: the solution's code in every answer cell
    (without the solution markers), their own words in the written answers, and
    ``standardize`` wrapped so that each call from a test cell prints a UserWarning on stderr."""
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in nbformat.read(solution, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    answers |= {
        grade_id: student_written_answer(grade_id) for grade_id in graded_cells(solution, written=True)
    }
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        lines = [
            line
            for line in answers[grade_id].splitlines()
            if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
        ]
        if grade_id == "standardize":
            lines += [
                "",
                "import warnings",
                "",
                "_standardize = standardize",
                "",
                "def standardize(x):",
                f"    warnings.warn({WARNING_TEXT!r}, UserWarning, stacklevel=2)",
                "    return _standardize(x)",
            ]
        cell.source = "\n".join(lines)
    nbformat.write(nb, notebook)


def test_roles_get_only_their_nbgrader_extensions(browser, course: Course) -> None:
    student = _open_lab(browser, course.servers["student"])
    items = _nbgrader_menu(student)
    assert "Assignment List" in items and "Formgrader" not in items, f"student's Nbgrader menu: {items}"
    assert student.request.get(course.servers["student"].formgrader_url).status == 404, (
        "the student's server serves the formgrader"
    )
    student.close()
    teacher = _open_lab(browser, course.servers["instructor"])
    items = _nbgrader_menu(teacher)
    assert "Formgrader" in items and "Assignment List" not in items, f"instructor's Nbgrader menu: {items}"
    assignments = course.servers["instructor"].url.replace("/lab?", "/assignments?", 1)
    assert teacher.request.get(assignments).status == 404, "the instructor's server lists assignments"
    teacher.close()


def _student_fetches_validates_and_submits(browser, course: Course) -> None:
    page = _open_lab(browser, course.servers["student"])
    _nbgrader_menu(page, "Assignment List")
    released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    released.wait_for(timeout=30_000)
    assert COURSE_ID in released.inner_text()
    page.screenshot(path=str(ARTIFACTS / "student-assignments.png"))

    released.locator("button:text-is('Fetch')").click()
    page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=30_000)
    # the lists are redrawn once the fetch is done: the release is no longer offered
    page.locator("#released_assignments_list_placeholder").wait_for(timeout=30_000)
    assert course.fetched.is_file(), f"fetch did not write {course.fetched}"

    # validate the untouched release: the exercises are not solved yet
    _expand(page).locator("button:text-is('Validate')").click()
    verdict = _validation_dialog(page)
    page.screenshot(path=str(ARTIFACTS / "student-validate-unsolved.png"))
    assert "NotImplementedError" in verdict and "Success!" not in verdict, verdict
    _close_dialog(page)

    _complete(course.fetched, course.root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    _expand(page).locator(f"a:text-is('{ASSIGNMENT}')").click()
    notebook = page.locator(".jp-NotebookPanel")
    notebook.wait_for(timeout=30_000)
    page.locator(".jp-Cell", has_text=WARNING_TEXT).first.wait_for(timeout=30_000)
    page.click(".jp-NotebookPanel-toolbar .validate-button")
    verdict = _validation_dialog(page)
    page.screenshot(path=str(ARTIFACTS / "student-validate.png"))
    assert "Success! Your notebook passes all the tests." in verdict, verdict
    _close_dialog(page)

    page.click(".lm-DockPanel-tabBar .lm-TabBar-tabLabel:text-is('Assignments')")
    page.locator("#fetched_assignments_list button:text-is('Submit')").click()
    submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
    submitted.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "student-submitted.png"))
    inbound = course.data / "exchange" / COURSE_ID / "inbound"
    assert [p.name for p in inbound.iterdir() if p.name.startswith(f"{course.student_id}+{ASSIGNMENT}+")], (
        f"no submission of {course.student_id} in {inbound}"
    )
    assert not page.outside_requests, f"requests left the local server: {page.outside_requests}"
    page.close()


def _formgrader_frame(page):
    page.wait_for_selector("iframe", timeout=30_000)
    return page.frame_locator("iframe").first


def _modal_result(frame) -> str:
    return formgrader_result(frame, NOTEBOOK_RUN_MS)


def _instructor_collects_and_autogrades(browser, course: Course) -> None:
    page = _open_lab(browser, course.servers["instructor"])
    _nbgrader_menu(page, "Formgrader")
    frame = _formgrader_frame(page)
    row = frame.locator("tbody tr", has_text=ASSIGNMENT)
    row.wait_for(timeout=30_000)
    assert "released" in row.locator("td.status").inner_text()
    page.screenshot(path=str(ARTIFACTS / "formgrader-assignments.png"))

    row.locator("td.collect a").click()
    assert "Successfully collected" in _modal_result(frame)
    count = row.locator("td.num-submissions a")
    count.wait_for(timeout=30_000)
    assert count.inner_text().strip() == "1"
    count.click()

    submission = frame.locator("#main-table tr", has_text=course.student_id)
    submission.wait_for(timeout=30_000)
    assert "needs autograding" in submission.locator("td.status").inner_text()
    submission.locator("td.autograde a").click()
    assert "Successfully autograded" in _modal_result(frame)
    score = submission.locator("td.score")
    frame.locator("#main-table td.score:not(:empty)").wait_for(timeout=30_000)
    # full marks on the autograded cells; the written answers await manual grading
    expected = f"{course.autograded_points:g} / {course.points:g}"
    assert score.inner_text().strip() == expected, f"score shown {score.inner_text()!r}, expected {expected}"
    page.screenshot(path=str(ARTIFACTS / "formgrader-score.png"))
    assert not page.outside_requests, f"requests left the local server: {page.outside_requests}"
    page.close()


def _comment(grade_id: str) -> str:
    return f"Well argued ({grade_id}): you quote the right figures."


def _instructor_grades_by_hand_and_releases_feedback(browser, course: Course) -> None:
    """On the submission's manual-grading page the instructor gives each written answer its
    points and a comment; the formgrader's submissions page then shows the full total, and the
    feedback is generated and released from there."""
    page = _submission_page(browser, course)
    refused: list[str] = []  # the page's failed requests and errors, for the message below
    page.on(
        "response",
        lambda r: refused.append(f"{r.request.method} {r.url}: {r.status}") if r.status >= 400 else None,
    )
    page.on("console", lambda m: refused.append(f"console: {m.text}") if m.type == "error" else None)
    for grade_id, points in course.written_points.items():
        page.fill(f"input.score#{grade_id}", f"{points:g}")
        page.fill(f"textarea#{grade_id}-comment", _comment(grade_id))
        page.keyboard.press("Tab")  # the formgrader saves on "change"
    config = course_config(course.root, course.data)

    def saved() -> bool:
        with gradebook(config) as gb:
            notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, course.student_id)
            grades = {g.name: g.manual_score for g in notebook.grades}
            comments = {c.name: c.manual_comment for c in notebook.comments}
        return all(
            grades[g] == points and comments[g] == _comment(g) for g, points in course.written_points.items()
        )

    deadline = time.monotonic() + 30
    while not saved():
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / "formgrader-manual-grade-not-saved.png"))
            pytest.fail(f"the formgrader did not save the manual grades; failed requests, errors: {refused}")
        page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "formgrader-manual-grade.png"))
    assert not page.outside_requests, f"the formgrader's page asked the internet for {page.outside_requests}"
    page.close()

    page = _open_lab(browser, course.servers["instructor"])
    _nbgrader_menu(page, "Formgrader")
    frame = _formgrader_frame(page)
    frame.locator("tbody tr", has_text=ASSIGNMENT).locator("td.num-submissions a").click()
    submission = frame.locator("#main-table tr", has_text=course.student_id)
    submission.wait_for(timeout=30_000)
    expected = f"{course.points:g} / {course.points:g}"
    frame.locator(f"#main-table td.score:text-is('{expected}')").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "formgrader-score-after-manual-grading.png"))
    submission.locator("td.generate-feedback a").click()
    assert "Successfully generated feedback" in _modal_result(frame)
    submission.locator("td.release-feedback a").click()
    assert "Successfully released feedback" in _modal_result(frame)
    page.screenshot(path=str(ARTIFACTS / "formgrader-feedback-released.png"))
    feedback = course.data / "exchange" / COURSE_ID / "feedback"
    assert list(feedback.glob("*.html")), f"no feedback released into {feedback}"
    assert not page.outside_requests, f"requests left the local server: {page.outside_requests}"
    page.close()


def _student_fetches_feedback(browser, course: Course) -> None:
    page = _open_lab(browser, course.servers["student"])
    _nbgrader_menu(page, "Assignment List")
    submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
    submitted.wait_for(timeout=30_000)
    submitted.locator("button:text-is('Fetch Feedback')").click()
    link = page.locator("#submitted_assignments_list a:has-text('view feedback')").first
    link.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "student-feedback-fetched.png"))
    files = sorted((course.workspace / COURSE_ID / ASSIGNMENT / "feedback").rglob("*.html"))
    assert files, "fetch feedback wrote no HTML into the student's workspace"
    score = f"Score: {course.points:.1f} / {course.points:.1f}"  # how nbgrader's feedback writes it
    assert not page.outside_requests, f"requests left the local server: {page.outside_requests}"
    link.click()  # the file browser goes to the feedback folder; the student opens the report
    page.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html").dblclick()
    report = page.frame_locator(".jp-HTMLViewer iframe").locator("body")
    report.locator("text=Score").first.wait_for(timeout=30_000)
    text = report.inner_text()
    page.screenshot(path=str(ARTIFACTS / "student-feedback.png"))
    assert score in text, f"the feedback page does not show {score!r}: {text[:300]!r}"
    assert "BEGIN HIDDEN TESTS" not in text, "the feedback shows the hidden tests"
    for grade_id in course.written_points:
        assert _comment(grade_id) in text, f"the feedback lacks the instructor's comment on {grade_id}"
        assert student_written_answer(grade_id) in text, f"the feedback lacks the student's answer {grade_id}"
    assert "Model answer" not in text and "Rubric" not in text, "the feedback shows the model answer"
    # JupyterLab's viewer runs a page's scripts once the student trusts it: then the course's
    # MathJax, inline in the page, typesets the equations with nothing from the internet
    page.locator(".jp-ToolbarButtonComponent:has-text('Trust HTML')").click()
    report.locator("mjx-container").first.wait_for(timeout=60_000)
    prose = "\n".join(report.locator(".text_cell_render").all_inner_texts())
    page.screenshot(path=str(ARTIFACTS / "student-feedback-trusted.png"))
    assert report.locator("mjx-merror").count() == 0, "TeX errors in the feedback"
    assert "$$" not in prose and "\\dot x" not in prose, f"raw TeX left in the feedback: {prose[:500]!r}"
    assert not page.outside_requests, f"the feedback page asked the internet for {page.outside_requests}"
    page.close()


def _submission_page(browser, course: Course):
    """The formgrader's manual-grading page of the student's submission, set up, opened from
    the instructor's JupyterLab (whose page sets the XSRF cookie the formgrader sends when it
    saves a grade)."""
    config = course_config(course.root, course.data)
    with gradebook(config) as gb:
        submission = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, course.student_id).id
    page = _open_lab(browser, course.servers["instructor"])
    page.goto(course.servers["instructor"].url.replace("/lab?", f"/formgrader/submissions/{submission}/?", 1))
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000
    )
    page.evaluate("() => MathJax.startup.promise")
    # the page's own script (MathJax 2's startup signal awaited) finished setting the page up
    page.wait_for_function("() => MathJax.loaded === true && formgrader.loaded === true", timeout=30_000)
    return page


def _instructor_opens_the_submission(browser, course: Course) -> None:
    """The formgrader's manual-grading page of the submission typesets its equations offline."""
    page = _submission_page(browser, course)
    page.screenshot(path=str(ARTIFACTS / "formgrader-submission.png"))
    assert page.locator("mjx-container").count() > 0, "the formgrader's page typeset no equation"
    assert page.locator("mjx-merror").count() == 0
    assert not page.outside_requests, f"the formgrader's page asked the internet for {page.outside_requests}"
    page.close()


def test_assignment_round_trip_in_jupyterlab(browser, course: Course) -> None:
    """Release → fetch → validate → submit → collect → autograde → grade the written answers
    by hand → feedback → fetch feedback, each step through the pages of JupyterLab (one test:
    the steps depend on each other)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _student_fetches_validates_and_submits(browser, course)
    _instructor_collects_and_autogrades(browser, course)
    _instructor_opens_the_submission(browser, course)
    _instructor_grades_by_hand_and_releases_feedback(browser, course)
    _student_fetches_feedback(browser, course)


def test_validate_handler_gives_the_course_verdict_not_nbgrader_s(course: Course) -> None:
    """The student's server answers the lab's validate request with the course's validator: a
    test cell that passes but prints a warning passes, where nbgrader's own validator fails it."""
    notebook = course.workspace / "scratch" / "warns.ipynb"
    notebook.parent.mkdir(parents=True, exist_ok=True)
    cell = nbformat.v4.new_code_cell(
        "import warnings\nwarnings.warn('slow convergence', UserWarning)\nassert 1 + 1 == 2",
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": False,
                "locked": True,
                "points": 1,
                "grade_id": "test_warns",
                "schema_version": 3,
            }
        },
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    server = course.servers["student"]
    request = urllib.request.Request(
        server.url.split("/lab?")[0] + "/assignments/validate",
        data=b"path=scratch/warns.ipynb",
        headers={"Authorization": "token " + server.url.split("token=")[1]},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=NOTEBOOK_RUN_MS / 1000) as response:
        answer = json.loads(response.read())
    assert answer == {"success": True, "value": {}}, f"the course's validate answered {answer}"
    # the same verdict in-process, and nbgrader's own validator disagreeing
    config = course_config(course.root, course.data)
    assert course_validator(config).validate(str(notebook)) == {}
    failed = Validator(config=config).validate(str(notebook)).get("failed", [])
    assert failed and "UserWarning: slow convergence" in failed[0]["raw_error"], failed
