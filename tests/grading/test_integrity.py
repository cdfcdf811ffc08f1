"""The grader's integrity check (issue 16) piece by piece: the signed answer, how violations
become outputs, problems and reasons for review, the report's "needs review", the sandbox's
allow-list, and the check in a kernel without the sandbox (``--sandbox none``: no root
needed). The corpus (``test_adversarial.py``) grades the real cases end to end."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.report import write_csv, write_html
from autograder.sandbox import SandboxLimits, allowed_paths, assemble, run_in_sandbox
from autograder.sandbox_runner import FORGED, NO_ANSWER, _sign, verify_answer
from autograder.submissions import GradingRecord
from grading.corpus import AST_TRANSFORMER, INPUT_TRANSFORMER, PLOTS, RUN_CELL
from grading.helpers import REPO_ROOT, graded_cell, needs_sandbox

# Sandboxes use the uids UID_BASE + slot; tests that look for leftover processes of those
# uids must not run beside another grading test (one xdist group, one worker).
pytestmark = pytest.mark.xdist_group("grading")

KEY = b"k" * 32


def _answer(text: str, status: str = "ok") -> dict:
    return {"status": status, "data": {"text/plain": repr(text)}, "metadata": {}}


def test_answer_must_be_signed_for_this_nonce() -> None:
    assert verify_answer(_answer(f"{_sign(KEY, 'n1', 'ok')}|ok"), KEY, "n1") is None
    assert verify_answer(_answer(f"{_sign(KEY, 'n1', 'ok')}|ok"), KEY, "n2") == FORGED  # replayed
    assert verify_answer(_answer(f"{_sign(b'x' * 32, 'n1', 'ok')}|ok"), KEY, "n1") == FORGED
    assert verify_answer(_answer("ok"), KEY, "n1") == FORGED
    reason = "the submission changed how cells run: x"
    assert verify_answer(_answer(f"{_sign(KEY, 'n1', reason)}|{reason}"), KEY, "n1") == reason
    assert verify_answer(None, KEY, "n1") == NO_ANSWER
    removed = verify_answer({"status": "error", "ename": "NameError", "evalue": "gone"}, KEY, "n1")
    assert removed is not None and removed.startswith("the grader's check did not run (NameError")


def _notebook(*cells: tuple[str, str | None]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for source, grade_id in cells:
        nb.cells.append(graded_cell(source, grade_id) if grade_id else nbformat.v4.new_code_cell(source))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_violations_become_outputs_problems_and_review() -> None:
    nb = _notebook(
        ("x = 1", None),
        ("assert x", "test_a"),
        ("y = 2", None),
        ("assert y", "test_b"),
        ("assert 1", "test_c"),
    )
    ran = nbformat.from_dict(json.loads(json.dumps(nb.cells[1])))
    ran.outputs = [nbformat.v4.new_output("stream", name="stdout", text="printed\n")]
    events = [
        {"event": "cell", "index": 0, "cell": nb.cells[0]},
        {"event": "cell", "index": 1, "cell": ran},
        {"event": "violation", "index": 1, "reason": "R", "first": True, "executed": True},
        {"event": "violation", "index": 3, "reason": "earlier", "first": False, "executed": False},
        {"event": "violation", "index": 4, "reason": "earlier", "first": False, "executed": False},
        {"event": "done", "seconds": 1.0},
    ]
    result, problems, review = assemble(nb, events, None)
    assert result.cells[1].outputs[0].text == "printed\n"  # kept for the review
    assert result.cells[1].outputs[1].ename == "GraderError"
    assert result.cells[3].outputs[0].evalue == "not graded: earlier"
    assert result.cells[2].outputs == []  # a free cell after the violation: not run, no score
    assert review == ["cell test_a: R"]
    assert problems == ["cell test_a: R (needs review; it and the 2 graded cell(s) after it score 0)"]


def _record(student: str, review: list[str]) -> GradingRecord:
    return GradingRecord(
        student,
        "01-tiny",
        "d",
        {"01-tiny": {"test_add": {"score": 0.0, "max_score": 2.0}}},
        [f"cell test_add: {r}" for r in review],
        1.0,
        2.0,
        review,
    )


def test_report_lists_submissions_that_need_review(tmp_path: Path) -> None:
    records = [_record("honest", []), _record("cheat", ["an input transformer was added"])]
    with open(write_csv(records, tmp_path / "grades.csv"), newline="") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream)}
    assert rows["honest"]["needs_review"] == ""
    assert rows["cheat"]["needs_review"] == "an input transformer was added"
    html = write_html(records, tmp_path / "report.html", "01-tiny").read_text()
    assert "1 need review" in html and "Needs review" in html
    section = html.split("id='needs-review'")[1].split("<h2>")[0]
    assert "cheat" in section and "honest" not in section and "an input transformer was added" in section
    # a marker written before the field existed reads as "nothing to review"
    old = {k: v for k, v in vars(_record("old", [])).items() if k != "needs_review"}
    assert GradingRecord(**old).needs_review == []


def test_allow_list_shows_the_environment_and_the_library_only() -> None:
    allowed = allowed_paths()
    assert sys.prefix in allowed and sys.base_prefix in allowed
    assert str(REPO_ROOT / "dlgd_course") in allowed
    for hidden in ("", "solutions", "tests", "exercises", ".git", "autograder"):
        assert str(REPO_ROOT / hidden).rstrip("/") not in allowed, hidden
    assert not any(path in ("/", "/root", "/home", "/work", "/srv", "/var") for path in allowed)


LIMITS = SandboxLimits(notebook_seconds=120, cell_seconds=30, memory_bytes=2 << 30)


@pytest.mark.parametrize(
    "source, review",
    [
        (
            PLOTS
            + "from __future__ import annotations\nimport numpy as np\nnp.testing.assert_allclose(1, 1)",
            None,
        ),
        (INPUT_TRANSFORMER, "input transformer"),
        (AST_TRANSFORMER, "AST transformer"),
        (RUN_CELL, "`run_cell` was replaced"),
    ],
)
def test_check_without_the_sandbox(source: str, review: str | None) -> None:
    """The check runs in every backend: here a kernel without isolation."""
    nb = _notebook(("assert 1 + 1 == 2", "test_before"), (source, None), ("assert 2 + 2 == 5", "test_after"))
    result = run_in_sandbox(nb, LIMITS, backend="none")
    assert not any(o.output_type == "error" for o in result.notebook.cells[0].outputs)
    after = result.notebook.cells[2].outputs
    if review is None:
        assert result.review == [] and after[-1].ename == "AssertionError", (result.review, after)
    else:
        assert review in result.review[0] and after[0].ename == "GraderError", result.review


REGISTRY = """
from dlgd_course.own_work import Part, guard_answer


def reference_double(x):
    guard_answer()
    return 2 * x


PARTS = {"double": Part(answers=(reference_double,), fallback=reference_double)}
"""
LOAD_REGISTRY = f"""
import importlib.util, os, sys, tempfile
path = os.path.join(tempfile.mkdtemp(), "registry_under_test.py")
with open(path, "w") as stream:
    stream.write({REGISTRY!r})
spec = importlib.util.spec_from_file_location("dlgd_course.assignments.registry_under_test", path)
registry = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = registry
spec.loader.exec_module(registry)
"""


@pytest.mark.parametrize(
    "tamper, review",
    [
        ("", None),  # a registry that defines its own fallback is what its source builds
        ("from dlgd_course.own_work import Part\nregistry.PARTS['double'] = Part()", "graded parts"),
        ("object.__setattr__(registry.PARTS['double'], 'answers', ())", "graded parts"),
        ("registry.guard_answer = lambda: None", "guard_answer is not the library's"),
    ],
)
def test_part_registries_stay_as_their_source_builds_them(tamper: str, review: str | None) -> None:
    nb = _notebook(
        (LOAD_REGISTRY, None),
        ("assert registry.PARTS", "test_before"),
        (tamper, None),
        ("assert 1", "test_after"),
    )
    result = run_in_sandbox(nb, LIMITS, backend="none")
    assert not any(o.output_type == "error" for o in result.notebook.cells[1].outputs), result.problems
    if review is None:
        assert result.review == [], result.review
    else:
        assert review in result.review[0] and "test_after" in result.review[0], result.review


UNDER_TMP = """
import json, sys, nbformat
from autograder.sandbox import SandboxLimits, run_in_sandbox
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    "import os, dlgd_course\\nroot = os.path.dirname(os.path.dirname(dlgd_course.__file__))\\n"
    "print(dlgd_course.__file__, sorted(os.listdir(root)))")])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
result = run_in_sandbox(nb, SandboxLimits(notebook_seconds=120, cell_seconds=60))
outputs = result.notebook.cells[0].outputs
print(json.dumps([str(output.get("text", output.get("evalue"))) for output in outputs]))
"""


@needs_sandbox
def test_repository_under_tmp_stays_visible() -> None:
    """The course library under /tmp (where the sandbox mounts a fresh /tmp) is still there,
    alone of its repository (an earlier bug hid it)."""
    folder = Path(tempfile.mkdtemp(prefix="dlgd-repo-under-tmp-", dir="/tmp"))
    try:
        for name in ("autograder", "dlgd_course"):
            shutil.copytree(REPO_ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "solutions").mkdir()
        for path in (folder, *folder.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        done = subprocess.run(
            [sys.executable, "-c", UNDER_TMP],
            capture_output=True,
            text=True,
            timeout=300,
            env=os.environ | {"PYTHONPATH": str(folder)},
            cwd=folder,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        text = json.loads(done.stdout.strip().splitlines()[-1])[0]
        assert text.startswith(f"{folder}/dlgd_course/__init__.py ['dlgd_course']"), text
    finally:
        shutil.rmtree(folder, ignore_errors=True)
