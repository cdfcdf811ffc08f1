"""``dlgd-grade`` end to end (CSV and HTML report, resume, bad input), a lost worker, the
Slurm job script, and the container command lines."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.distributed import grade_assignment, slurm_cluster
from autograder.sandbox import SandboxLimits, sandbox_command
from autograder.submissions import MARKER
from grading.corpus import ADD, CASES, SQUARE, Case
from grading.helpers import ASSIGNMENT, TEST_LIMITS, Course, grade_args, needs_sandbox, sandbox_processes

BY_NAME = {case.name: case for case in CASES}

# Sandboxes use the uids UID_BASE + slot; tests that look for leftover processes of those
# uids must not run beside another grading test (one xdist group, one worker).
pytestmark = pytest.mark.xdist_group("grading")


@needs_sandbox
def test_cli_grades_reports_and_resumes(
    course: Course, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("full", "partial", "invalid_json"):
        course.submit(name, BY_NAME[name])
    args = grade_args(course, tmp_path, "--workers", "2", "--cell-timeout", "30")
    assert main(args) == 3  # recorded, one not graded normally (issue 25; 0 before)
    out, err = capsys.readouterr()
    assert "3 graded, 0 already graded" in out and "1 not graded normally, 0 need review" in out
    assert "not graded normally 01-tiny/invalid_json: 01-tiny.ipynb: not a valid notebook" in err
    with open(tmp_path / f"{ASSIGNMENT}-grades.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert all(row["needs_review"] == "" for row in rows)
    assert {row["student_id"] for row in rows if row["not_graded_normally"]} == {"invalid_json"}
    scores = {(row["student_id"], row["grade_id"]): float(row["score"]) for row in rows}
    assert scores == {
        ("full", "test_add"): 2,
        ("full", "test_square"): 3,
        ("invalid_json", "test_add"): 0,
        ("invalid_json", "test_square"): 0,
        ("partial", "test_add"): 2,
        ("partial", "test_square"): 0,
    }
    html = (tmp_path / f"{ASSIGNMENT}-report.html").read_text()
    assert "3 submissions graded" in html and html.count("<svg") == 3  # total + two questions
    assert "invalid_json" in html and "not a valid notebook" in html and "1 not graded normally" in html
    assert main(args) == 0
    assert "0 graded, 3 already graded (kept)" in capsys.readouterr().out


def test_cli_rejects_bad_input(course: Course, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--course-root", str(course.root), "--course-data", str(course.data), "--no-progress"]
    assert main(["99-unknown", *common]) == 2
    assert "'99-unknown' is not in the gradebook" in capsys.readouterr().err
    assert main([ASSIGNMENT, "--workers", "0", *common]) == 2
    assert "workers must be >= 1" in capsys.readouterr().err
    assert main([ASSIGNMENT, "--timeout", "-5", *common]) == 2
    assert "notebook_seconds must be positive" in capsys.readouterr().err


@needs_sandbox
def test_lost_worker_is_replaced_and_grades_once(course: Course) -> None:
    from distributed import Client, LocalCluster

    slow = Case("slow", {}, {"add": "import time\ntime.sleep(5)\n" + ADD, "square": SQUARE})
    course.submit("slow", slow)
    course.submit("full", BY_NAME["full"])
    killed: list[str] = []
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):

        def kill_busy_worker() -> None:
            deadline = time.time() + 60
            while time.time() < deadline and not killed:
                for address, keys in client.processing().items():
                    if any("slow" in str(key) for key in keys):
                        pid = client.run(os.getpid, workers=[address])[address]
                        time.sleep(2)  # the sandbox is running
                        os.kill(pid, signal.SIGKILL)
                        killed.append(address)
                        return
                time.sleep(0.2)

        killer = threading.Thread(target=kill_busy_worker)
        killer.start()
        run = grade_assignment(
            course.config, ASSIGNMENT, scheduler=cluster.scheduler_address, limits=TEST_LIMITS
        )
        killer.join()
    assert killed, "the worker running the slow submission was killed"
    assert run.ok, run.not_graded
    assert sorted(r.student_id for r in run.graded) == ["full", "slow"]
    assert {r.student_id: r.score for r in run.graded} == {"full": 5.0, "slow": 5.0}


@needs_sandbox
def test_interrupted_run_resumes_without_losing_or_duplicating(course: Course) -> None:
    slow = Case("slow", {}, {"add": "import time\ntime.sleep(4)\n" + ADD, "square": SQUARE})
    students = [f"student-{index}" for index in range(4)]
    for student in students:
        course.submit(student, slow)
    command = [sys.executable, "-m", "autograder.cli", *grade_args(course, None, "--cell-timeout", "30")]
    grader = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    markers = course.data / "autograded"
    deadline = time.time() + 120
    while time.time() < deadline and not list(markers.glob(f"*/{ASSIGNMENT}/{MARKER}")):
        time.sleep(0.2)
    os.killpg(grader.pid, signal.SIGKILL)  # the grader, its Dask workers: everything of it
    grader.wait()
    done_before = {p.parent.parent.name for p in markers.glob(f"*/{ASSIGNMENT}/{MARKER}")}
    assert 1 <= len(done_before) < len(students), done_before
    time.sleep(1)
    assert sandbox_processes() == [], "a sandbox outlived the killed grader"
    resumed = grade_assignment(course.config, ASSIGNMENT, limits=TEST_LIMITS)
    assert sorted(r.student_id for r in resumed.graded) == sorted(set(students) - done_before)
    assert sorted(resumed.skipped) == sorted(f"{ASSIGNMENT}/{s}" for s in done_before)
    from nbgrader.api import Gradebook

    with Gradebook(course.config.CourseDirectory.db_url, "dlgd") as gb:
        submissions = gb.assignment_submissions(ASSIGNMENT)
        assert sorted(s.student.id for s in submissions) == students  # one each, none lost
        assert all(s.score == 5.0 for s in submissions)


def test_slurm_job_script_requests_a_gpu_per_worker() -> None:
    cluster = slurm_cluster(
        cores=4, memory="16GB", gpus_per_job=1, queue="gpu", account="dlgd", walltime="01:00:00"
    )
    try:
        script = cluster.job_script()  # type: ignore[attr-defined]
    finally:
        cluster.close()  # type: ignore[attr-defined]
    assert "#SBATCH --gres=gpu:1" in script
    assert "#SBATCH -p gpu" in script and "#SBATCH -A dlgd" in script and "#SBATCH -t 01:00:00" in script
    assert "--resources GPU=1" in script and "--nthreads 1" in script


def test_container_commands_isolate_and_pin_the_gpu(tmp_path: Path) -> None:
    limits = SandboxLimits(memory_bytes=2 << 30, processes=128, threads=2)
    docker = sandbox_command("docker", tmp_path, limits, gpu="3", image="grader:1")
    assert docker[:3] == ["docker", "run", "--rm"]
    joined = " ".join(docker)
    for expected in (
        "--network none",
        "--read-only",
        "--pids-limit 128",
        f"--memory {2 << 30}",
        "--gpus device=3",
        f"--volume {tmp_path}:/tmp/submission",
        "--cpus 2",
    ):
        assert expected in joined, expected
    assert docker[-4:] == ["grader:1", "python", "-m", "autograder.sandbox_runner"]
    apptainer = " ".join(sandbox_command("apptainer", tmp_path, limits, gpu="1", image="grader.sif"))
    for expected in (
        "--containall",
        "--network none",
        "--nv",
        "CUDA_VISIBLE_DEVICES=1",
        f"--bind {tmp_path}:/tmp/submission",
    ):
        assert expected in apptainer, expected
    assert "--gpus" not in " ".join(sandbox_command("docker", tmp_path, limits, gpu=None))
    assert TEST_LIMITS.processes < SandboxLimits().processes
