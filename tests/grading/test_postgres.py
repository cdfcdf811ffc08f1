"""A PostgreSQL gradebook (``db_url``): the test starts a real server (Debian's ``postgresql``,
installed by ``.ci/run``) in a temporary folder, generates the assignment into it, grades
two submissions and reads the scores back from PostgreSQL."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder import instructor
from autograder.course import course_config
from autograder.distributed import grade_assignment
from grading.corpus import CASES
from grading.helpers import ASSIGNMENT, TEST_LIMITS, make_course, sandbox_available

# Sandboxes use the uids UID_BASE + slot; tests that look for leftover processes of those
# uids must not run beside another grading test (one xdist group, one worker).
pytestmark = pytest.mark.xdist_group("grading")


def _postgres_binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    binaries = _postgres_binaries()
    if binaries is None or os.geteuid() != 0:
        if os.environ.get("DLGD_REQUIRE_POSTGRES") == "1":
            pytest.fail("DLGD_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries (or not root)")
        pytest.skip("needs PostgreSQL's server binaries and root (apt-get install postgresql)")
    user = pwd.getpwnam("postgres")
    folder = Path(tempfile.mkdtemp(prefix="dlgd-postgres-"))
    os.chown(folder, user.pw_uid, user.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def as_postgres(*command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)

    as_postgres(str(binaries / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres")
    as_postgres(
        str(binaries / "pg_ctl"),
        "-D",
        str(folder / "data"),
        "-l",
        str(folder / "log"),
        "-w",
        "-o",
        f"-k {folder} -p {port} -c listen_addresses=''",
        "start",
    )
    try:
        import psycopg

        with psycopg.connect(
            host=str(folder), port=port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE dlgd")
        yield f"postgresql+psycopg://postgres@/dlgd?host={folder}&port={port}"
    finally:
        as_postgres(str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_grades_land_in_postgresql(postgres_url: str) -> None:
    course = make_course("postgres")
    try:
        config = course_config(course.root, course.data, db_url=postgres_url)
        instructor.generate(config, ASSIGNMENT)
        by_name = {case.name: case for case in CASES}
        for name in ("full", "partial"):
            course.submit(name, by_name[name])
        sqlite_before = (course.data / "gradebook.db").read_bytes()  # written by make_course
        backend = "local" if sandbox_available() else "none"
        run = grade_assignment(config, ASSIGNMENT, limits=TEST_LIMITS, backend=backend)
        assert run.ok and sorted(r.student_id for r in run.graded) == ["full", "partial"]
        assert (course.data / "gradebook.db").read_bytes() == sqlite_before, "SQLite left alone"
        import psycopg

        url = postgres_url.removeprefix("postgresql+psycopg://postgres@/dlgd?")
        params = dict(item.split("=") for item in url.split("&"))
        with psycopg.connect(
            host=params["host"], port=int(params["port"]), user="postgres", dbname="dlgd"
        ) as connection:
            rows = connection.execute(
                "SELECT student.id, base_cell.name, grade.auto_score FROM grade "
                "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
                "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
                "JOIN student ON submitted_assignment.student_id = student.id "
                "JOIN base_cell ON grade.cell_id = base_cell.id ORDER BY 1, 2"
            ).fetchall()
        assert rows == [
            ("full", "test_add", 2.0),
            ("full", "test_square", 3.0),
            ("partial", "test_add", 2.0),
            ("partial", "test_square", 0.0),
        ]
    finally:
        shutil.rmtree(course.root, ignore_errors=True)
