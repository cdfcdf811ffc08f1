"""A class through the hub's exchange: N students submit at once, each as their own Unix user,
then the instructor collects and ``dlgd-grade`` grades on 2 workers (issue 21).

Each student is a Unix user with a private home, as ``make hub`` makes them. In parallel threads,
as the hub's users would, each one fetches the released assignment into ``~/dlgd-course`` and
submits it with nbgrader's exchange, in a process running as that user. Their work (complete,
half done or blank, in turn) is written between the two steps. Then the collect runs, and
``dlgd-grade`` grades with 2 workers in local sandboxes. The run reports:

- the submissions per minute from the first fetch to the last grade;
- the time to submit the whole class, to collect it and to grade it;
- that every student is in ``inbound`` once, collected once and graded once, with nothing lost
  and nothing graded twice.

    sudo .venv/bin/python benchmarks/hub_load.py                  # 100 students, tiny assignment
    sudo .venv/bin/python benchmarks/hub_load.py --students 30 --source solutions/00-pytorch-lightning
    sudo .venv/bin/python benchmarks/hub_load.py --quick          # 4 students

The default assignment is the 2-cell fixture ``tests/pipeline/fixtures/01-tiny``, which measures
the exchange and the grader's own costs. ``--source`` names a course assignment instead. Needs
root, to create the users and for the sandbox. The users (``dlgdload-NNN``) and the course (in a
temporary folder) are removed at the end.

Measured on the 2-core machine while eight other jobs ran on it (load average 15 to 25, this
script at nice 19), 100 students, the tiny assignment: fetch and submit of the whole class
1459 s (14.6 s per student: each step starts a Python process that imports nbgrader as that
user), collect 0.1 s, dlgd-grade on 2 workers 96.8 s (62 submissions per minute), 3.9
submissions per minute end to end; 100 in inbound, 100 collected, 100 graded, none lost or
graded twice. The exchange and collect cost nothing next to starting the students' processes.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from autograder import instructor
from autograder.course import EXCHANGE_ENV_VAR, course_config
from autograder.distributed import grade_assignment
from autograder.hub import interpreter_paths, make_reachable
from autograder.mutants import fill_solutions
from autograder.sandbox import SandboxLimits

from _quick import parse_args

REPO_ROOT = Path(__file__).resolve().parent.parent
TINY = REPO_ROOT / "tests" / "pipeline" / "fixtures" / "01-tiny"
USER_PREFIX = "dlgdload-"
WORKSPACE = "dlgd-course"

# what a student's process runs as that user: nbgrader's fetch or submit with the hub's
# literal student settings (course id, exchange, workspace), never the course's configuration
STUDENT_STEP = """
import sys
from pathlib import Path
from traitlets.config import Config
from autograder import instructor
step, assignment, student, exchange, workspace = sys.argv[1:]
c = Config()
c.CourseDirectory.course_id = "dlgd"
c.Exchange.root = exchange
c.Exchange.path_includes_course = True
getattr(instructor, step)(c, assignment, student, Path(workspace))
"""


def create_students(count: int) -> list[str]:
    names = [f"{USER_PREFIX}{index:03d}" for index in range(1, count + 1)]
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", name], check=True, capture_output=True)
        home = Path(pwd.getpwnam(name).pw_dir)
        home.chmod(0o700)
    return names


def remove_students(names: list[str]) -> None:
    for name in names:
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def as_student(student: str, step: str, assignment: str, exchange: Path) -> None:
    workspace = Path(pwd.getpwnam(student).pw_dir) / WORKSPACE
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/sbin:/usr/bin:/sbin:/bin",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "HOME": str(workspace.parent),
    }
    result = subprocess.run(
        ["runuser", "-u", student, "--", sys.executable, "-c", STUDENT_STEP, step, assignment, student]
        + [str(exchange), str(workspace)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{step} as {student} failed: {result.stderr[-2000:]}")


def student_round(student: str, index: int, assignment: str, exchange: Path, source: Path) -> None:
    """Fetch as the student, write their work (complete, half, blank in turn), submit as them."""
    as_student(student, "fetch", assignment, exchange)
    notebook = Path(pwd.getpwnam(student).pw_dir) / WORKSPACE / "dlgd" / assignment / f"{assignment}.ipynb"
    parts = [
        c.metadata["nbgrader"]["grade_id"]
        for c in nbformat.read(source, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    ]
    kind = index % 3
    if kind != 2:
        fill_solutions(notebook, source, notebook, blank=tuple(parts[len(parts) // 2 :]) if kind else ())
        entry = pwd.getpwnam(student)
        os.chown(notebook, entry.pw_uid, entry.pw_gid)
    as_student(student, "submit", assignment, exchange)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--source", type=Path, default=TINY, help="folder <id> with <id>.ipynb")
    parser.add_argument("--workers", type=int, default=2, help="dlgd-grade workers")
    parser.add_argument("--concurrency", type=int, default=16, help="students submitting at once")
    args = parse_args(parser, {"students": 4})
    if os.geteuid() != 0:
        sys.exit("hub_load.py creates Unix users and grades in the local sandbox: run it as root")
    assignment = args.source.resolve().name
    base = Path(tempfile.mkdtemp(prefix="dlgd-hub-load-"))
    base.chmod(0o755)
    root, data, exchange = base / "course", base / "data", base / "exchange"
    shutil.copytree(args.source, root / "solutions" / assignment)
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    os.environ[EXCHANGE_ENV_VAR] = str(exchange)
    config = course_config(root, data)
    source = root / "solutions" / assignment / f"{assignment}.ipynb"
    students = create_students(args.students)
    # the students' processes run this Python and import the course's code from where it lies
    make_reachable([*interpreter_paths(), Path(instructor.__file__).resolve().parent])
    try:
        instructor.generate(config, assignment)
        instructor.release(config, assignment)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(
                pool.map(
                    lambda item: student_round(item[1], item[0], assignment, exchange, source),
                    enumerate(students),
                )
            )
        submitted = time.perf_counter()
        inbound = [p.name.split("+")[0] for p in (exchange / "dlgd" / "inbound").iterdir()]
        instructor.collect(config, assignment)
        collected = time.perf_counter()
        run = grade_assignment(config, assignment, workers=args.workers, limits=SandboxLimits(threads=1))
        graded = time.perf_counter()
        on_disk = sorted(p.name for p in (data / "submitted").iterdir())
        graded_ids = sorted(r.student_id for r in run.graded)
        total = graded - start
        print("| step | seconds | per student (s) |\n| --- | --- | --- |")
        for name, seconds in (
            ("fetch + submit (all students, concurrent)", submitted - start),
            ("collect", collected - submitted),
            (f"dlgd-grade, {args.workers} workers", graded - collected),
            ("end to end", total),
        ):
            print(f"| {name} | {seconds:.1f} | {seconds / len(students):.2f} |")
        print(
            f"submissions per minute end to end: {60 * len(students) / total:.1f} ({len(students)} students)"
        )
        lost = sorted(set(students) - set(graded_ids))
        twice = sorted(
            {s for s in [*inbound, *graded_ids] if inbound.count(s) > 1 or graded_ids.count(s) > 1}
        )
        print(f"in inbound: {len(inbound)}, collected: {len(on_disk)}, graded: {len(graded_ids)}")
        print(f"lost: {lost or 'none'}; submitted or graded twice: {twice or 'none'}")
        if lost or twice or on_disk != sorted(students) or not run.ok:
            sys.exit(f"the exchange or the grader lost or doubled submissions: {run.not_graded}")
    finally:
        remove_students(students)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
