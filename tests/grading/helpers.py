"""Helpers of the grading tests: a throw-away course holding the tiny fixture assignment (or
assignment 00), submissions written into it, and one grading run of the adversarial corpus.

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
from autograder.course import course_config
from autograder.sandbox import SandboxLimits
from grading.corpus import Case

#: the repository (the course root of these tests)
REPO_ROOT = Path(__file__).resolve().parents[2]

FIXTURE = REPO_ROOT / "tests" / "pipeline" / "fixtures" / "01-tiny"
ASSIGNMENT = "01-tiny"
ASSIGNMENT_00 = "00-pytorch-lightning"
SOURCE_00 = REPO_ROOT / "solutions" / ASSIGNMENT_00
# Small limits so that the hostile cases end quickly.
TEST_LIMITS = SandboxLimits(
    notebook_seconds=90, cell_seconds=8, memory_bytes=1 << 30, processes=64, output_bytes=1 << 20
)
# Assignment 00 imports torch and Lightning and trains a network (about 30 s alone on 2 cores).
LIMITS_00 = SandboxLimits(notebook_seconds=480, cell_seconds=240, processes=128)


def sandbox_available() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("unshare") is not None


# CI sets DLGD_REQUIRE_SANDBOX=1: there the tests run (and fail) even if the sandbox is missing.
needs_sandbox = pytest.mark.skipif(
    not sandbox_available() and os.environ.get("DLGD_REQUIRE_SANDBOX") != "1",
    reason="the local sandbox needs Linux, root and unshare (CI runs as root)",
)


def graded_cell(source: str, grade_id: str = "test_x") -> nbformat.NotebookNode:
    """A locked nbgrader test cell ("Autograder tests") worth 1 point."""
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "points": 1,
        "locked": True,
        "solution": False,
        "schema_version": 3,
    }
    return cell


@dataclass
class Course:
    root: Path
    data: Path
    config: Config
    listener: Listener | None = None
    assignment: str = ASSIGNMENT
    markers: list[Path] = field(default_factory=list)

    @property
    def release(self) -> Path:
        return self.root / "exercises" / self.assignment / f"{self.assignment}.ipynb"

    @property
    def source(self) -> Path:
        return self.root / "solutions" / self.assignment / f"{self.assignment}.ipynb"

    def submission_folder(self, student: str) -> Path:
        return self.data / "submitted" / student / self.assignment

    def submit(self, student: str, case: Case, **placeholders: object) -> Path:
        """Write ``case`` as ``student``'s collected submission."""
        folder = self.submission_folder(student)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
        path = folder / (case.filename or f"{self.assignment}.ipynb")
        if case.raw is not None:
            if case.raw:
                path.write_bytes(case.raw)
            return folder
        nb = nbformat.read(self.release, as_version=4)
        solutions = {grade_id: code.format(**placeholders) for grade_id, code in case.solutions.items()}
        if case.complete:
            solutions = solution_code(self.source) | solutions
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions:
                cell.source = solutions[grade_id]
        for after, source in case.insert:
            index = next(
                i
                for i, cell in enumerate(nb.cells)
                if cell.metadata.get("nbgrader", {}).get("grade_id") == after
            )
            nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source.format(**placeholders)))
        if case.edit is not None:
            case.edit(nb)
        nbformat.write(nb, path)
        return folder


def solution_code(source: Path) -> dict[str, str]:
    """What a student would have typed in each solution cell of ``source`` (grade id → code):
    the instructor's solution without its markers."""
    nb = nbformat.read(source, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: "\n".join(
            line
            for line in cell.source.splitlines()
            if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
        )
        for cell in nb.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }


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


def grade_args(
    course: Course, report: Path | None, *options: str, assignment: str | None = None
) -> list[str]:
    """The arguments of ``dlgd-grade`` for ``course`` (its assignment unless ``assignment``), the
    course's folders, the report folder (``None``: the default one) and no progress bar, then
    ``options``."""
    return [
        assignment or course.assignment,
        "--course-root",
        str(course.root),
        "--course-data",
        str(course.data),
        *(["--report", str(report)] if report is not None else []),
        "--no-progress",
        *options,
    ]


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


def make_course(name: str, assignment: str = ASSIGNMENT, source: Path = FIXTURE) -> Course:
    root = REPO_ROOT / "test-artifacts" / "grading" / f"{name}-{uuid.uuid4().hex[:8]}"
    shutil.copytree(source, root / "solutions" / assignment)
    data = root / "data"
    config = course_config(root, data)
    instructor.generate(config, assignment)
    for path in (root, *root.rglob("*")):  # world-readable, as a careless setup would leave it
        path.chmod(0o755 if path.is_dir() else 0o644)
    return Course(root, data, config, assignment=assignment)


def host_markers(course: Course) -> list[Path]:
    """Marker files in host folders outside the sandbox's allow-list (the repository beside
    ``dlgd_course/``, the course, ``/root`` beside the Python install, the host's ``/tmp`` and
    ``/var/tmp``): a submission must not find them. Removed by :func:`remove_markers`."""
    name = f"dlgd-marker-{uuid.uuid4().hex[:8]}"
    folders = [REPO_ROOT / "test-artifacts", course.root, Path("/root"), Path("/tmp"), Path("/var/tmp")]
    markers = []
    for folder in folders:
        if folder.is_dir() and os.access(folder, os.W_OK):
            marker = folder / name
            marker.write_text("host file\n")
            marker.chmod(0o644)
            markers.append(marker)
    course.markers = markers
    return markers


def remove_markers(course: Course) -> None:
    for marker in course.markers:
        marker.unlink(missing_ok=True)
