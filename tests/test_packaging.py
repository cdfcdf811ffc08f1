"""Building and installing the package (issues 27 and 20).

Building prints no warning of the build backend (issue 27).

setuptools warns, on every install, about deprecated configuration (``license = { text = ... }``,
whose builds stop being supported on 2027-02-18) and about the import hook of an editable
install of a flat layout. The PEP 517 hooks that pip calls — ``build_wheel`` and
``build_editable`` — run here in a subprocess, on a fresh clone of the working tree, with the
setuptools of the test environment (offline: no build isolation, nothing downloaded; the dev
extra requires ``setuptools>=77``, the project's build requirement) and every warning shown;
any Python warning in their output fails the test. The wheel also carries the licence (SPDX
``License-Expression`` and the ``LICENSE`` file) and the course's nbgrader templates.

Installed from that wheel, the grading tools find the course from where they are run or from
``$DLGD_COURSE_ROOT``, never from where their code lies (issue 20): the wheel goes into a fresh
virtual environment that sees the test environment's packages (offline, nothing downloaded)
but not the repository, and nbgrader and ``dlgd-grade`` run there on a copy of a course
outside the repository. The library never imports the autograder: every ``dlgd_course`` module
imports with ``autograder`` unimportable.
"""

from __future__ import annotations

import os
import pkgutil
import re
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

HOOKS = """
import sys
from setuptools import build_meta as backend
print("built", backend.build_wheel(sys.argv[1]))
print("built", backend.build_editable(sys.argv[1]))
"""
# how Python prints a warning: "<file>:<line>: <Category>: <message>"
WARNING_LINE = re.compile(r"^\S+:\d+: (\w+): (.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def built(fresh_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Output of the two build hooks run on a copy of the fresh clone, and the dist folder."""
    base = tmp_path_factory.mktemp("packaging")
    project, dist = base / "project", base / "dist"
    shutil.copytree(fresh_clone, project)
    dist.mkdir()
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", HOOKS, str(dist)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the build failed:\n{output[-4000:]}"
    return output, dist


def test_building_prints_no_backend_warning(built: tuple[str, Path]) -> None:
    output, _ = built
    warnings = [f"{category}: {message}" for category, message in WARNING_LINE.findall(output)]
    assert not warnings, "the build backend warned:\n" + "\n".join(warnings)
    deprecated = [line for line in output.splitlines() if "deprecat" in line.lower()]
    assert not deprecated, "the build printed deprecations:\n" + "\n".join(deprecated)


def test_wheel_carries_the_licence_and_the_templates(built: tuple[str, Path]) -> None:
    _, dist = built
    (wheel,) = [p for p in dist.glob("*.whl") if "editable" not in p.name]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "License-File: LICENSE" in metadata.splitlines()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    assert "autograder/templates/classic/mathjax.html.j2" in names
    assert "autograder/offline_math.py" in names


REPO = Path(__file__).resolve().parent.parent
TINY_COURSE = REPO / "tests" / "pipeline" / "fixtures" / "01-tiny"


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_tools_installed_from_the_wheel_find_the_course_outside_the_repository(
    built: tuple[str, Path], tmp_path: Path
) -> None:
    _, dist = built
    (wheel,) = [p for p in dist.glob("*.whl") if "editable" not in p.name]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python, dlgd_grade = str(venv / "bin" / "python"), str(venv / "bin" / "dlgd-grade")
    # the test environment's packages, after the venv's own; plain path lines, so the .pth files
    # there (the editable install of the repository among them) are not read
    (site_packages,) = venv.glob("lib/python*/site-packages")
    (site_packages / "test-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # nothing of the repository on the path: the wheel's copy of the code is the one imported
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DLGD_COURSE_ROOT"}}
    install = [python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q"]
    installed = _run([*install, str(wheel)], tmp_path, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    where = _run([python, "-c", "import autograder; print(autograder.__file__)"], tmp_path, env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    course, data = tmp_path / "course", tmp_path / "data"
    shutil.copytree(TINY_COURSE, course / "solutions" / TINY_COURSE.name)
    shutil.copy2(REPO / "nbgrader_config.py", course)
    data.mkdir()  # nbgrader's CLI does not create the gradebook's folder
    env["DLGD_COURSE_DATA"] = str(data)
    # nbgrader runs the test environment's `alembic` command
    env["PATH"] = os.pathsep.join([str(venv / "bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    # nbgrader, run in the course, reads its nbgrader_config.py, which finds the course it sits in
    nbgrader = [python, "-c", "from nbgrader.apps.nbgraderapp import main; main()"]
    generated = _run([*nbgrader, "generate_assignment", TINY_COURSE.name], course, env)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (course / "exercises" / TINY_COURSE.name / f"{TINY_COURSE.name}.ipynb").is_file()
    assert (data / "gradebook.db").is_file()
    # dlgd-grade finds it too (nothing is collected yet: nothing to grade, an empty report) ...
    grade = [dlgd_grade, TINY_COURSE.name, "--no-progress", "--sandbox", "none"]
    graded = _run(grade, course, env)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert f"{TINY_COURSE.name}: 0 graded" in graded.stdout
    assert (data / "reports" / f"{TINY_COURSE.name}-grades.csv").is_file()
    # ... from anywhere with $DLGD_COURSE_ROOT, and says what to set when there is no course
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    configured = _run(grade, elsewhere, env | {"DLGD_COURSE_ROOT": str(course)})
    assert configured.returncode == 0, configured.stdout + configured.stderr
    lost = _run(grade, elsewhere, env)
    assert lost.returncode == 2 and "no course found" in lost.stderr, lost.stderr
    assert "--course-root" in lost.stderr and "DLGD_COURSE_ROOT" in lost.stderr, lost.stderr


IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
class NoAutograder:
    def find_spec(self, name, path=None, target=None):
        if name == "autograder" or name.startswith("autograder."):
            raise ImportError(f"the library imported {name}")
sys.meta_path.insert(0, NoAutograder())
import dlgd_course
for module in pkgutil.walk_packages(dlgd_course.__path__, "dlgd_course."):
    importlib.import_module(module.name)
    print(module.name)
"""


def test_the_library_never_imports_the_autograder() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"MPLBACKEND": "Agg"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    imported = set(result.stdout.split())
    expected = {m.name for m in pkgutil.walk_packages([str(REPO / "dlgd_course")], "dlgd_course.")}
    assert imported == expected and "dlgd_course.selfcheck" in imported, expected ^ imported
