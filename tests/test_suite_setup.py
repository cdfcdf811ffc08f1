"""The test suite's own set-up: ``make test`` runs ``pytest -n auto --dist loadgroup`` and
relies on every test of one ``xdist_group`` running on the same worker (the built book, the
graded corpus and the JupyterLab servers are shared fixtures). pytest 9 with pytest-xdist
3.8 silently spreads a group over workers; this catches such an upgrade."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TEST_FILE = """
import os
import pytest

@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("index", range(6))
def test_member(index):
    with open(os.environ["WORKER_LOG"], "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_loadgroup_keeps_a_group_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_group.py").write_text(TEST_FILE)
    log = tmp_path / "workers.log"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_group.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"WORKER_LOG": str(log), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workers = log.read_text().split()
    assert len(workers) == 6 and len(set(workers)) == 1, f"group spread over workers: {workers}"
