"""Helpers of the grading tests: a throw-away course holding the tiny fixture assignment,
submissions written into it, and one grading run of the adversarial corpus.

The course lives under ``test-artifacts/grading/`` (world-readable, outside ``/tmp``), so
that a sandbox that failed to hide the instructor's folders would let the submission read
them: the snooping case can fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from autograder import instructor
from autograder.course import REPO_ROOT, course_config
from autograder.sandbox import SandboxLimits
from grading.corpus import Case

FIXTURE = REPO_ROOT / "tests" / "pipeline" / "fixtures" / "01-tiny"
ASSIGNMENT = "01-tiny"
# Small limits so that the hostile cases end quickly.
TEST_LIMITS = SandboxLimits(notebook_seconds=90, cell_seconds=8, memory_bytes=1 << 30, processes=64,
                            output_bytes=1 << 20)


def sandbox_available() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("unshare") is not None


# CI sets DLGD_REQUIRE_SANDBOX=1: there the tests run (and fail) even if the sandbox is missing.
needs_sandbox = pytest.mark.skipif(
    not sandbox_available() and os.environ.get("DLGD_REQUIRE_SANDBOX") != "1",
    reason="the local sandbox needs Linux, root and unshare (CI runs as root)",
)


@dataclass
class Course:
    root: Path
    data: Path
    config: Config
    listener: Listener | None = None

    @property
    def release(self) -> Path:
        return self.root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    def submission_folder(self, student: str) -> Path:
        return self.data / "submitted" / student / ASSIGNMENT

    def submit(self, student: str, case: Case, **placeholders: object) -> Path:
        """Write ``case`` as ``student``'s collected submission."""
        folder = self.submission_folder(student)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
        path = folder / (case.filename or f"{ASSIGNMENT}.ipynb")
        if case.raw is not None:
            if case.raw:
                path.write_bytes(case.raw)
            return folder
        nb = nbformat.read(self.release, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in case.solutions:
                cell.source = case.solutions[grade_id].format(**placeholders)
        if case.edit is not None:
            case.edit(nb)
        nbformat.write(nb, path)
        return folder


@dataclass
class Listener:
    """A TCP server on the host that records every connection (the network case)."""

    server: socket.socket
    connections: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.getsockname()[1]

    def serve(self) -> None:
        while True:
            try:
                connection, address = self.server.accept()
            except OSError:
                return
            self.connections.append(address[0])
            connection.close()


def sandbox_processes(slots: int = 16) -> list[str]:
    """Live processes of the sandbox uids (zombies, dead and waiting to be reaped by the
    machine's init, are not counted)."""
    from autograder.sandbox import UID_BASE

    uids = ",".join(str(UID_BASE + slot) for slot in range(slots))
    listing = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-u", uids], capture_output=True, text=True)
    return [line for line in listing.stdout.splitlines() if line.split()[1][0] != "Z"]


def host_addresses() -> list[str]:
    addresses = ["127.0.0.1"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: picks the outgoing address
            addresses.append(probe.getsockname()[0])
        except OSError:
            pass
    return addresses


def make_course(name: str) -> Course:
    root = REPO_ROOT / "test-artifacts" / "grading" / f"{name}-{uuid.uuid4().hex[:8]}"
    shutil.copytree(FIXTURE, root / "solutions" / ASSIGNMENT)
    data = root / "data"
    config = course_config(root, data)
    instructor.generate(config, ASSIGNMENT)
    for path in (root, *root.rglob("*")):  # world-readable, as a careless setup would leave it
        path.chmod(0o755 if path.is_dir() else 0o644)
    return Course(root, data, config)
