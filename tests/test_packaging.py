"""Building the package prints no warning of the build backend (issue 27).

setuptools warns, on every install, about deprecated configuration (``license = { text = ... }``,
whose builds stop being supported on 2027-02-18) and about the import hook of an editable
install of a flat layout. The PEP 517 hooks that pip calls — ``build_wheel`` and
``build_editable`` — run here in a subprocess, on a fresh clone of the working tree, with the
setuptools of the test environment (offline: no build isolation, nothing downloaded; the dev
extra requires ``setuptools>=77``, the project's build requirement) and every warning shown;
any Python warning in their output fails the test. The wheel also carries the licence (SPDX
``License-Expression`` and the ``LICENSE`` file) and the course's nbgrader templates.
"""

from __future__ import annotations

import re
import shutil
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
