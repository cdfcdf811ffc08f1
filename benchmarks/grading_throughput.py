"""Grading throughput: ``dlgd-grade`` on 1 and 2 workers against plain ``nbgrader autograde``.

Synthetic submissions of exercise 00 (a third complete, a third with the first half of the
solution cells filled in, a third blank), graded in the same run by

- plain ``nbgrader autograde`` (serial, no sandbox: the baseline),
- :func:`autograder.distributed.grade_assignment` with 1 worker and with 2 workers (local
  sandbox, one kernel thread each),
- the same with 1 worker and the grader's checks of how cells run turned off
  (``integrity=False``: what the checks cost, measured in the same run),

each into its own copy of the course. Reported: submissions per minute, the per-submission
overhead beyond the notebook's own execution (wall time of the run per submission and
worker minus the mean execution time measured inside the sandbox in that run; for nbgrader,
its serial time per submission minus the 1-worker execution time), the speed-up of 2
workers over 1, the cost of the integrity checks (time per submission with/without them),
and that all of them give the same scores.

    .venv/bin/python benchmarks/grading_throughput.py                 # 40 submissions (~20 min)
    .venv/bin/python benchmarks/grading_throughput.py --submissions 6
    .venv/bin/python benchmarks/grading_throughput.py --quick   # 2 submissions of the tiny fixture

``--quick`` grades 2 submissions of the 2-cell fixture assignment ``tests/pipeline/fixtures/01-tiny``
(no torch import): a smoke run of the whole benchmark whose numbers mean nothing. The courses are
made in a temporary folder (``--workdir``, default the system's, created if missing) and removed.

Needs root (the local sandbox). Measured on the idle 2-core machine (40 submissions, one kernel
thread each): nbgrader 267 s (9.0 per minute, 2.0 s per submission beyond its execution);
dlgd-grade 1 worker 195 s (12.3 per minute, 0.73x nbgrader's time, 0.24 s overhead per
submission of which 0.19 s sandbox start/stop), 2 workers 109 s (22.1 per minute, 1.80x over
1 worker, 0.38 s overhead); the same scores from all three.

Integrity checks (issue 16; 9 submissions on the shared 2-core machine, same run): 1 worker
with/without the checks 71.3 s / 72.3 s (ratio 0.99: below the run-to-run noise); inside the
sandbox the install and the 10 checks of an exercise-00 notebook take 0.05-0.06 s (0.7 % of its
7.5 s). Against the previous commit's grader, alternated in one session: wall time per notebook
x1.01 for exercise 00, x1.03 (+0.03 s) for the 2-cell fixture; sandbox start/stop with the new
allow-listed root unchanged (0.25 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import instructor
from autograder.course import course_config
from autograder.distributed import grade_assignment
from autograder.grading import read_scores
from autograder.sandbox import SandboxLimits

from _quick import parse_args

#: the repository, whose solutions and test fixtures this benchmark grades
REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "00-pytorch-lightning"
QUICK_SOURCE = REPO_ROOT / "tests" / "pipeline" / "fixtures" / "01-tiny"


def _solution_code(source: str) -> str:
    """What a student would have typed: the solution region without its markers."""
    return "\n".join(
        line
        for line in source.splitlines()
        if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
    )


def make_course(folder: Path, submissions: int, source_folder: Path) -> tuple[Path, Path]:
    """A course at ``folder`` holding the assignment of ``source_folder`` (``<id>/<id>.ipynb``)
    and ``submissions`` collected submissions: complete, half done and blank in turn."""
    assignment = source_folder.name
    root, data = folder / "course", folder / "data"
    shutil.copytree(source_folder, root / "solutions" / assignment)
    config = course_config(root, data)
    instructor.generate(config, assignment)
    source = nbformat.read(root / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: _solution_code(c.source)
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    }
    first_half = list(answers)[: len(answers) // 2]
    for index in range(submissions):
        kind = ("full", "partial", "blank")[index % 3]
        nb = nbformat.read(root / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers and (kind == "full" or (kind == "partial" and grade_id in first_half)):
                cell.source = answers[grade_id]
        folder_out = data / "submitted" / f"student-{index:02d}-{kind}" / assignment
        folder_out.mkdir(parents=True)
        nbformat.write(nb, folder_out / f"{assignment}.ipynb")
        (folder_out / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
    (root / "nbgrader_config.py").write_text(
        "from autograder.course import course_config\n"
        f"get_config().merge(course_config({str(root)!r}, {str(data)!r}))\n"
    )
    return root, data


def copy_course(folder: Path, name: str) -> tuple[Path, Path]:
    shutil.copytree(folder / "template", folder / name)
    root, data = folder / name / "course", folder / name / "data"
    (root / "nbgrader_config.py").write_text(
        "from autograder.course import course_config\n"
        f"get_config().merge(course_config({str(root)!r}, {str(data)!r}))\n"
    )
    return root, data


def scores(root: Path, data: Path, assignment: str, students: list[str]) -> dict[str, float]:
    from nbgrader.api import Gradebook

    config = course_config(root, data)
    return {
        s: read_scores(Gradebook(config.CourseDirectory.db_url, "dlgd"), assignment, assignment, s).score
        for s in students
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument(
        "--source",
        type=Path,
        default=REPO_ROOT / "solutions" / ASSIGNMENT,
        help="folder <id> holding the source notebook <id>.ipynb of the graded assignment",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the temporary courses are made (default: the system's temporary folder)",
    )
    args = parse_args(parser, {"submissions": 2, "source": QUICK_SOURCE})
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"
    source = args.source.resolve()
    assignment = source.name
    if not (source / f"{assignment}.ipynb").is_file():
        parser.error(f"--source {source} holds no {assignment}.ipynb")
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlgd-bench-grading-", dir=args.workdir) as tmp:
        folder = Path(tmp)
        make_course(folder / "template", args.submissions, source)
        students = sorted(p.name for p in (folder / "template" / "data" / "submitted").iterdir())
        rows, results = [], {}

        root, data = copy_course(folder, "nbgrader")
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", assignment, "--log-level=ERROR"],
            cwd=root,
            check=True,
            env=os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
        )
        baseline = time.perf_counter() - start
        results["nbgrader autograde (serial)"] = scores(root, data, assignment, students)

        executions: dict[int, list[float]] = {}
        for workers, integrity in ((1, False), (1, True), (2, True)):
            name = f"dlgd-grade, {workers} worker(s)" + ("" if integrity else ", no checks")
            root, data = copy_course(folder, name.replace(", ", "-").replace(" ", "-"))
            config = course_config(root, data)
            run = grade_assignment(
                config, assignment, workers=workers, limits=SandboxLimits(threads=1), integrity=integrity
            )
            assert run.ok, run.not_graded
            assert not run.needs_review, [r.needs_review for r in run.needs_review]
            if integrity:
                executions[workers] = [r.execution_seconds for r in run.graded]
            results[name] = scores(root, data, assignment, students)
            rows.append((name, run.seconds, run))
        execution = statistics.fmean(executions[1])
        n = args.submissions
        print(
            f"{n} submissions of {assignment}; mean execution in the sandbox {execution:.2f} s with 1 "
            f"worker, {statistics.fmean(executions[2]):.2f} s with 2 (kernel start included)"
        )
        print(f"{'grader':32s} {'total s':>8s} {'subm/min':>9s} {'s/subm':>7s} {'overhead s/subm':>16s}")
        print(
            f"{'nbgrader autograde (serial)':32s} {baseline:8.1f} {60 * n / baseline:9.2f} "
            f"{baseline / n:7.2f} {baseline / n - execution:16.2f}"
        )
        for name, seconds, run in rows:
            workers = 1 if "1 worker" in name else 2
            overhead = seconds * workers / n - statistics.fmean(executions[workers])
            sandbox = statistics.fmean(r.wall_seconds - r.execution_seconds for r in run.graded)
            print(
                f"{name:32s} {seconds:8.1f} {60 * n / seconds:9.2f} {seconds / n:7.2f} {overhead:16.2f}"
                f"   (sandbox start/stop {sandbox:.2f} s)"
            )
        unchecked, checked, two = (seconds for _, seconds, _ in rows)
        executed = {name: statistics.fmean(r.execution_seconds for r in run.graded) for name, _, run in rows}
        print(
            f"speed-up of 2 workers over 1: {checked / two:.2f}x; "
            f"dlgd-grade 1 worker / nbgrader time: {checked / baseline:.2f}"
        )
        print(
            f"integrity checks, 1 worker: run time with/without {checked / unchecked:.3f}; execution in "
            f"the sandbox with/without {executed[rows[1][0]] / executed[rows[0][0]]:.3f} "
            f"({(checked - unchecked) / n:+.2f} s per submission)"
        )
        reference = results["nbgrader autograde (serial)"]
        same = all(result == reference for result in results.values())
        print(f"same scores from all of them: {same}; totals {sorted(set(reference.values()))}")


if __name__ == "__main__":
    main()
