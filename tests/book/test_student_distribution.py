"""The student's distribution (issue 21): the course's wheel and a notebook downloaded from the
built book, without the repository.

Students never get the repository, which holds ``solutions/``, the hidden tests and the
mutants. They install the library from the wheel (README, *For students*) and download their
notebooks from the book or fetch them on the hub. Checked here:

1. the wheel holds no notebook, no file of ``solutions/`` or ``tests/``, and no line of a
   hidden test of any source notebook (lines of 30 characters or more, the leak check of
   ``tests/pipeline``). The library's own reference answers are in it by design: they are
   locked while a part is graded (``dlgd_course.own_work``);
2. installed into a fresh virtual environment, with nothing of the repository on the path, and
   run in a folder outside it: ``dlgd check`` on the exercise 00 notebook downloaded from the
   built book reports the unsolved parts; once the parts are written, it passes and so does the
   course's *Validate* (``autograder.grading.validate_notebook``, what the button runs).
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.mutants import fill_solutions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "00-pytorch-lightning"
MIN_LINE = 30


def _hidden_test_lines() -> set[str]:
    """Hidden-test lines of every source notebook (stripped, >= MIN_LINE characters, imports
    excepted)."""
    sys.path.insert(0, str(REPO / "tests" / "pipeline"))
    from pipeline_helpers import hidden_test_lines

    lines = set()
    for source in sorted((REPO / "solutions").glob("*/*.ipynb")):
        lines |= hidden_test_lines(source)
    # import lines name the library's public modules: not secret
    return {
        line.strip()
        for line in lines
        if len(line.strip()) >= MIN_LINE and not line.strip().startswith(("from ", "import "))
    }


def test_the_wheel_holds_no_solution_notebook_and_no_hidden_test(course_wheel: Path) -> None:
    secrets = _hidden_test_lines()
    assert secrets, "no hidden-test line found in solutions/: the check would be empty"
    with zipfile.ZipFile(course_wheel) as archive:
        names = archive.namelist()
        bad_names = [n for n in names if n.endswith(".ipynb") or n.startswith(("solutions/", "tests/"))]
        assert not bad_names, f"the wheel carries {bad_names[:5]}"
        shown = {
            (name, line)
            for name in names
            for text in [archive.read(name).decode("utf-8", errors="replace")]
            for line in secrets
            if line in text
        }
    assert not shown, f"the wheel shows hidden-test lines: {sorted(shown)[:5]}"


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_a_student_checks_a_notebook_from_the_book_with_the_wheel(
    built_html: Path, course_wheel: Path, tmp_path: Path
) -> None:
    (downloaded,) = [p for p in built_html.rglob(f"_downloads/*/{ASSIGNMENT}.ipynb")]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    (site_packages,) = venv.glob("lib/python*/site-packages")
    # the packages the wheel depends on come from the test environment (plain path lines: the
    # repository's editable install there is not read)
    (site_packages / "test-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DLGD_COURSE_ROOT"}}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    python = str(venv / "bin" / "python")
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed"]
    installed = _run([*install, str(course_wheel)], tmp_path, env)
    assert installed.returncode == 0, installed.stderr
    where = _run([python, "-c", "import dlgd_course, autograder; print(dlgd_course.__file__)"], tmp_path, env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    student = tmp_path / "student"
    student.mkdir()
    notebook = student / f"{ASSIGNMENT}.ipynb"
    shutil.copy2(downloaded, notebook)
    unsolved = _run([str(venv / "bin" / "dlgd"), "check", notebook.name], student, env)
    assert unsolved.returncode == 1, unsolved.stdout + unsolved.stderr
    assert "NotImplementedError" in unsolved.stdout or "not written" in unsolved.stdout, unsolved.stdout

    fill_solutions(notebook, REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", notebook)
    solved = _run([str(venv / "bin" / "dlgd"), "check", notebook.name], student, env)
    assert solved.returncode == 0, solved.stdout[-3000:] + solved.stderr[-3000:]
    # the course's Validate with the settings a student's server has without the course
    validate = (
        "import sys; from autograder.course import execution_settings; "
        "from autograder.grading import validate_notebook; "
        "verdict = validate_notebook(sys.argv[1], execution_settings()); "
        "print(verdict); sys.exit(0 if verdict.ok else 1)"
    )
    validated = _run([python, "-c", validate, notebook.name], student, env)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
