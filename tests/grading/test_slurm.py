"""``dlgd-grade --slurm`` on a real one-node Slurm cluster (Debian's ``slurm-wlm`` and
``munge``, installed by ``.ci/run``): the fixture writes a ``slurm.conf`` for localhost with
one partition of 2 CPUs into a temporary folder, starts ``munged``, ``slurmctld`` and
``slurmd`` in the foreground and stops them at the end.

The jobs run as root (the submitting user), so the workers use the same ``local`` sandbox
as the host would (namespaces need root; ``proctrack/linuxproc`` and ``task/none`` leave
them alone). Skipped where Slurm cannot run (binaries missing, not root); required
(failing instead) with ``DLGD_REQUIRE_SLURM=1``, which CI sets.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.sandbox import UID_BASE, UID_SLOTS
from autograder.submissions import MARKER
from grading.corpus import ADD, CASES, SQUARE, Case
from grading.helpers import ASSIGNMENT, TEST_LIMITS, Course, grade_args, make_course, sandbox_available

# Sandboxes use the uids UID_BASE + slot; tests that look for leftover processes of those
# uids must not run beside another grading test (one xdist group, one worker).
pytestmark = pytest.mark.xdist_group("grading")

BY_NAME = {case.name: case for case in CASES}
DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scancel", "sinfo")
NODE = "dlgd-node"
PARTITION = "grading"
# Each notebook of the tiny assignment runs in a job of 1 CPU and 1 GiB + 2 GiB headroom.
LIMIT_ARGS = [
    "--memory-gb",
    str(TEST_LIMITS.memory_bytes / 2**30),
    "--cell-timeout",
    str(TEST_LIMITS.cell_seconds),
    "--timeout",
    str(TEST_LIMITS.notebook_seconds),
]
SLOW = Case("slow", {}, {"add": "import time\ntime.sleep(3)\n" + ADD, "square": SQUARE})


@dataclass
class Slurm:
    folder: Path
    conf: Path

    def jobs(self, *options: str) -> list[str]:
        """Job ids that squeue lists (with ``options``, e.g. ``-t RUNNING``)."""
        listing = subprocess.run(
            ["squeue", "-h", "-o", "%i", *options], capture_output=True, text=True, check=True
        )
        return listing.stdout.split()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(folder: Path, munge_socket: Path) -> str:
    host = socket.gethostname().split(".")[0]
    return f"""\
ClusterName=dlgd-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={folder / "state"}
SlurmdSpoolDir={folder / "spool"}
SlurmctldPidFile={folder / "slurmctld.pid"}
SlurmdPidFile={folder / "slurmd.pid"}
SlurmctldLogFile={folder / "log" / "slurmctld.log"}
SlurmdLogFile={folder / "log" / "slurmd.log"}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
NodeName={NODE} NodeHostname={host} NodeAddr=127.0.0.1 CPUs=2 RealMemory=8192 State=UNKNOWN
PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
"""


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def slurm() -> Iterator[Slurm]:
    missing = [
        name
        for name in DAEMONS + CLIENTS
        if shutil.which(name) is None and not Path("/usr/sbin", name).exists()
    ]
    if missing or os.geteuid() != 0:
        reason = f"missing {', '.join(missing)}" if missing else "not root"
        if os.environ.get("DLGD_REQUIRE_SLURM") == "1":
            pytest.fail(f"DLGD_REQUIRE_SLURM=1 but Slurm cannot run here: {reason}")
        pytest.skip(f"needs Slurm's daemons and root (apt-get install slurm-wlm munge): {reason}")
    folder = Path(tempfile.mkdtemp(prefix="dlgd-slurm-"))
    for name in ("state", "spool", "log"):
        (folder / name).mkdir()
    key = folder / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    munge_socket = folder / "munge.socket"
    conf = folder / "slurm.conf"
    conf.write_text(_config(folder, munge_socket))
    sbin = {name: shutil.which(name) or f"/usr/sbin/{name}" for name in DAEMONS}
    log = (folder / "log" / "daemons.log").open("w")
    started: list[subprocess.Popen] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLURM_CONF", str(conf))
        try:
            started.append(
                subprocess.Popen(
                    [
                        sbin["munged"],
                        "--foreground",
                        "--force",
                        f"--key-file={key}",
                        f"--socket={munge_socket}",
                        f"--pid-file={folder / 'munged.pid'}",
                        f"--log-file={folder / 'log' / 'munged.log'}",
                        f"--seed-file={folder / 'munged.seed'}",
                    ],
                    stdout=log,
                    stderr=log,
                )
            )
            deadline = time.monotonic() + 30
            while not munge_socket.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            started.append(
                subprocess.Popen([sbin["slurmctld"], "-D", "-i", "-f", str(conf)], stdout=log, stderr=log)
            )
            started.append(
                subprocess.Popen([sbin["slurmd"], "-D", "-N", NODE, "-f", str(conf)], stdout=log, stderr=log)
            )
            deadline = time.monotonic() + 60
            state = ""
            while time.monotonic() < deadline and state != "idle":
                time.sleep(0.5)
                state = subprocess.run(
                    ["sinfo", "-h", "-n", NODE, "-o", "%T"], capture_output=True, text=True
                ).stdout.strip()
            logs = "".join(path.read_text()[-2000:] for path in sorted((folder / "log").iterdir()))
            assert state == "idle", f"the Slurm node is {state!r}; the daemons' logs end with:\n{logs}"
            yield Slurm(folder, conf)
        finally:
            if started[1:]:  # slurmctld runs: cancel what is left and let the jobs end
                subprocess.run(["scancel", "--user", "root"], capture_output=True)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and Slurm(folder, conf).jobs():
                    time.sleep(0.5)
            for process in reversed(started):
                _stop(process)
            log.close()
            shutil.rmtree(folder, ignore_errors=True)


def _grade(course: Course, report: Path, *options: str) -> list[str]:
    return grade_args(course, report, *LIMIT_ARGS, *options)


def _scores(report: Path) -> dict[tuple[str, str], float]:
    with open(report / f"{ASSIGNMENT}-grades.csv", newline="") as stream:
        return {(row["student_id"], row["grade_id"]): float(row["score"]) for row in csv.DictReader(stream)}


def _markers(course: Course) -> dict[str, int]:
    """Student → modification time (ns) of the marker of a graded submission."""
    return {
        path.parent.parent.name: path.stat().st_mtime_ns
        for path in (course.data / "autograded").glob(f"*/{ASSIGNMENT}/{MARKER}")
    }


def _runs_a_sandbox(job: str) -> bool:
    """Whether a process of Slurm job ``job`` has a sandboxed kernel (a sandbox uid) below it."""
    import psutil

    sandbox_uids = range(UID_BASE, UID_BASE + UID_SLOTS)
    for process in psutil.process_iter():
        try:
            if process.environ().get("SLURM_JOB_ID") != job:
                continue
            if any(child.uids().real in sandbox_uids for child in process.children(recursive=True)):
                return True
        except psutil.Error:  # ended meanwhile
            continue
    return False


def _sandboxes_outside_pytest() -> list[str]:
    """Live processes of the sandbox uids that are not below a pytest process: left by a
    Slurm job (its processes are below ``slurmstepd``) or orphaned. Other grading runs'
    sandboxes (a parallel pytest on a developer's machine) do not count."""
    import psutil

    sandbox_uids = range(UID_BASE, UID_BASE + UID_SLOTS)
    found = []
    for process in psutil.process_iter(["uids", "status", "cmdline"]):
        try:
            if (
                process.info["uids"].real not in sandbox_uids
                or process.info["status"] == psutil.STATUS_ZOMBIE
            ):
                continue
            if not any("pytest" in " ".join(parent.cmdline()) for parent in process.parents()):
                found.append(f"{process.pid} {' '.join(process.info['cmdline'])}")
        except psutil.Error:  # ended meanwhile
            continue
    return found


@pytest.fixture
def courses() -> Iterator[list[Course]]:
    made: list[Course] = []
    yield made
    for course in made:
        shutil.rmtree(course.root, ignore_errors=True)


def _class(courses: list[Course], name: str, cases: dict[str, Case]) -> Course:
    course = make_course(name)
    courses.append(course)
    for student, case in cases.items():
        course.submit(student, case)
    return course


def test_slurm_grades_a_class_like_a_local_cluster(
    slurm: Slurm, courses: list[Course], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sandbox_available(), "the Slurm jobs run the local sandbox (root, unshare)"
    cases = {
        "full-1": BY_NAME["full"],
        "full-2": BY_NAME["full"],
        "partial": BY_NAME["partial"],
        "invalid_json": BY_NAME["invalid_json"],
    }
    on_slurm, local = _class(courses, "slurm", cases), _class(courses, "slurm-local", cases)
    start = time.perf_counter()
    # exit status 3: every submission recorded, the invalid notebook not graded normally
    assert main(_grade(on_slurm, tmp_path / "slurm", "--slurm", "--workers", "2")) == 3
    slurm_seconds = time.perf_counter() - start
    assert "4 graded, 0 already graded (kept), 0 not graded, 1 not graded normally" in capsys.readouterr().out
    start = time.perf_counter()
    assert main(_grade(local, tmp_path / "local", "--workers", "2")) == 3
    local_seconds = time.perf_counter() - start
    expected = {
        ("full-1", "test_add"): 2,
        ("full-1", "test_square"): 3,
        ("full-2", "test_add"): 2,
        ("full-2", "test_square"): 3,
        ("partial", "test_add"): 2,
        ("partial", "test_square"): 0,
        ("invalid_json", "test_add"): 0,
        ("invalid_json", "test_square"): 0,
    }
    assert _scores(tmp_path / "slurm") == expected == _scores(tmp_path / "local")
    logs = sorted(path.name for path in (tmp_path / "slurm" / "slurm-logs").iterdir())
    assert len(logs) == 4 and all(name.startswith("dask-worker-") for name in logs), logs  # 2 jobs
    assert slurm.jobs() == [], "the jobs were cancelled at the end"
    with capsys.disabled():
        print(
            f"\n4 submissions on 2 workers: Slurm {slurm_seconds:.1f} s, LocalCluster {local_seconds:.1f} s, "
            f"ratio {slurm_seconds / local_seconds:.2f}"
        )


def test_a_cancelled_job_is_replaced_without_losing_or_regrading(
    slurm: Slurm, courses: list[Course], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import dask

    students = [f"student-{index}" for index in range(4)]
    course = _class(courses, "slurm-cancel", dict.fromkeys(students, SLOW))
    cancelled: list[str] = []

    def cancel_a_busy_job() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = slurm.jobs("-t", "RUNNING")
            if len(running) == 2 and all(_runs_a_sandbox(job) for job in running):
                time.sleep(1)  # both workers hold a notebook
                subprocess.run(["scancel", running[0]], check=True)
                cancelled.append(running[0])
                return
            time.sleep(0.2)

    canceller = threading.Thread(target=cancel_a_busy_job)
    canceller.start()
    # The cluster closes a lost worker's job after this delay and then starts a new one (15 s by default).
    with dask.config.set({"distributed.deploy.lost-worker-timeout": "1s"}):
        status = main(_grade(course, tmp_path, "--slurm", "--workers", "2"))
    canceller.join()
    assert cancelled, "a running job was cancelled"
    assert status == 0
    assert "4 graded, 0 already graded (kept), 0 not graded" in capsys.readouterr().out
    jobs = {path.stem.removeprefix("dask-worker-") for path in (tmp_path / "slurm-logs").glob("*.err")}
    assert cancelled[0] in jobs and len(jobs) == 3, jobs  # two jobs, then one replacing the cancelled one
    assert sorted(_markers(course)) == students
    from nbgrader.api import Gradebook

    with Gradebook(course.config.CourseDirectory.db_url, "dlgd") as gb:
        submissions = gb.assignment_submissions(ASSIGNMENT)
        assert sorted(s.student.id for s in submissions) == students  # one each, none lost
        assert all(s.score == 5.0 for s in submissions)
    assert slurm.jobs() == []
    deadline = time.monotonic() + 10  # killed processes may take a moment to go
    while _sandboxes_outside_pytest() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _sandboxes_outside_pytest() == [], "a sandbox outlived its job"


def test_jobs_that_cannot_start_are_explained_and_cancelled(
    slurm: Slurm, courses: list[Course], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    course = _class(courses, "slurm-pending", {"done": BY_NAME["full"], "waiting": BY_NAME["partial"]})
    assert main(_grade(course, tmp_path, "--students", "done")) == 0
    graded = _markers(course)
    assert list(graded) == ["done"]
    capsys.readouterr()

    # 4 CPUs per job on a partition of 2: Slurm keeps the jobs pending (PartitionConfig) for ever.
    start = time.perf_counter()
    assert main(_grade(course, tmp_path, "--slurm", "--slurm-cores", "4", "--start-timeout", "120")) == 1
    pending_seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert "no Slurm job can start as asked" in err and "reason PartitionConfig" in err, err
    assert "asks for more than the partition's nodes have" in err and "--cpus-per-task=4" in err, err
    assert f"partition {PARTITION} has nodes with 2 CPUs" in err, err
    assert "Nothing was sent to grade" in err and slurm.jobs() == []
    with capsys.disabled():
        print(f"\nPartitionConfig reported and jobs cancelled after {pending_seconds:.1f} s")

    # Held jobs could start some day: dlgd-grade waits --start-timeout, then says why it stopped.
    assert main(_grade(course, tmp_path, "--slurm", "--slurm-directive=--hold", "--start-timeout", "5")) == 1
    err = capsys.readouterr().err
    assert "no Slurm worker started within 5 s" in err and "reason JobHeldUser: the job is held" in err, err
    assert slurm.jobs() == []

    # Jobs whose worker cannot start (here: no Python) end at once; dlgd-grade does not wait.
    assert (
        main(_grade(course, tmp_path, "--slurm", "--slurm-python", "/bin/false", "--start-timeout", "120"))
        == 1
    )
    err = capsys.readouterr().err
    assert "no Slurm job can start as asked" in err and "has ended without its worker joining" in err, err
    assert f"see its log in {tmp_path / 'slurm-logs'}" in err, err

    # SIGTERM (kill, or scancel of a grading job) cancels the jobs too.
    command = [
        sys.executable,
        "-m",
        "autograder.cli",
        *_grade(course, tmp_path, "--slurm", "--slurm-directive=--hold", "--start-timeout", "300"),
    ]
    grader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not slurm.jobs():
            time.sleep(0.2)
        assert slurm.jobs(), "the grader submitted its jobs"
        grader.send_signal(signal.SIGTERM)
        assert grader.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        grader.kill()
    assert slurm.jobs() == []

    assert _markers(course) == graded, "the failed runs left the graded submission alone"
    assert main(_grade(course, tmp_path, "--slurm")) == 0
    assert "1 graded, 1 already graded (kept), 0 not graded" in capsys.readouterr().out
    assert _scores(tmp_path) == {
        ("done", "test_add"): 2,
        ("done", "test_square"): 3,
        ("waiting", "test_add"): 2,
        ("waiting", "test_square"): 0,
    }


def test_bad_job_shapes_are_rejected(course: Course, capsys: pytest.CaptureFixture[str]) -> None:
    common = grade_args(course, None, "--slurm")
    for options, message in [
        (["--slurm-cores", "0"], "Slurm cores must be >= 1, got 0"),
        (["--slurm-memory", "lots"], "Slurm memory must be a positive size such as 8GiB, got 'lots'"),
        (["--slurm-memory", "2GiB", "--memory-gb", "6"], "--slurm-memory 2GiB is less than the kernel's"),
        (["--slurm-walltime", "2h"], "Slurm wall time must be MM, MM:SS, HH:MM:SS"),
        (["--slurm-directive", "constraint=a100"], "a Slurm directive is one sbatch option"),
        (["--gpus", "-1"], "Slurm GPUs per job must be >= 0, got -1"),
        (["--start-timeout", "0"], "--start-timeout must be positive, got 0"),
    ]:
        assert main(common + options) == 2, options
        assert message in capsys.readouterr().err, options


def test_the_default_job_fits_one_notebook(tmp_path: Path) -> None:
    from autograder.distributed import job_memory, slurm_cluster
    from autograder.sandbox import DEFAULT_LIMITS

    assert job_memory(DEFAULT_LIMITS) == "8GiB" and job_memory(TEST_LIMITS) == "3GiB"
    cluster = slurm_cluster(
        log_directory=tmp_path / "logs",
        extra_directives=["#SBATCH --constraint=a100"],
        python="/opt/venv/bin/python",
    )
    try:
        script = cluster.job_script()  # type: ignore[attr-defined]
    finally:
        cluster.close()  # type: ignore[attr-defined]
    for line in (
        "--cpus-per-task=1",
        "--mem=8G",
        "-t 02:00:00",
        "--constraint=a100",
        f"-e {tmp_path / 'logs'}/dask-worker-%J.err",
        f"-o {tmp_path / 'logs'}/dask-worker-%J.out",
    ):
        assert f"#SBATCH {line}" in script, line
    assert "--gres" not in script and "--nthreads 1" in script and (tmp_path / "logs").is_dir()
    assert "/opt/venv/bin/python -m distributed.cli.dask_worker" in script
