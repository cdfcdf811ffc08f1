"""``dlgd-grade``: grade every collected submission of an assignment, in sandboxes, in parallel.

    dlgd-grade 00-pytorch-lightning                      # LocalCluster, 1 worker, local sandbox
    dlgd-grade 00-pytorch-lightning --workers 2 --force  # regrade everything on 2 workers
    dlgd-grade 03-data-assimilation --scheduler tcp://10.0.0.5:8786 --gpus 1
    dlgd-grade 03-data-assimilation --slurm --workers 8 --gpus 1 --slurm-partition gpu
    dlgd-grade 00-pytorch-lightning --db-url postgresql+psycopg://grader@db/dlgd

The gradebook must hold the assignment (``nbgrader generate_assignment``) and the
submissions must be collected (``nbgrader collect``). Grades already recorded for an
unchanged submission are kept unless ``--force``. At the end the CSV and the HTML report
are written to ``--report`` (default ``<course data>/reports``); the summary line counts the
submissions not graded normally (a notebook missing, unreadable or not this assignment's:
scored 0 with the reason) and those that need review (they changed how cells run); both are
listed in the report.

With --slurm every worker is a Slurm job shaped for one notebook (default 1 CPU, the
kernel's memory limit plus 2 GiB, 02:00:00, no GPU); its logs go to <report>/slurm-logs.
When no worker has started after --start-timeout seconds (or at once when Slurm says the
jobs can never start, or they ended without a worker), dlgd-grade prints each job's pending
reason, cancels its jobs and stops before sending any submission. Jobs that end early are
replaced.

Exit status: 0 when every submission is graded normally, 1 when some could not be graded
(the infrastructure failed, or no worker started: re-run to resume), 2 on bad input, 3 when
every submission is recorded but some were not graded normally (look at them).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from autograder.course import course_config, data_dir
from autograder.sandbox import BACKENDS, DEFAULT_IMAGE, SandboxLimits, SandboxUnavailable


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlgd-grade",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("assignment", help="assignment id, e.g. 00-pytorch-lightning")
    parser.add_argument("--students", help="comma-separated student ids (default: all)")
    parser.add_argument("--workers", type=int, default=1, help="parallel sandboxes (default 1)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of an existing Dask scheduler")
    where.add_argument("--slurm", action="store_true", help="start workers as Slurm jobs")
    parser.add_argument("--slurm-partition", "--slurm-queue", help="Slurm partition (default: the cluster's)")
    parser.add_argument("--slurm-account", help="Slurm account")
    parser.add_argument("--slurm-cores", type=int, default=1, help="CPUs per Slurm job (default 1)")
    parser.add_argument(
        "--slurm-memory", help="memory per Slurm job, e.g. 8GiB (default: --memory-gb plus 2 GiB)"
    )
    parser.add_argument("--slurm-walltime", default="02:00:00", help="wall time per Slurm job")
    parser.add_argument(
        "--slurm-python",
        metavar="PATH",
        help="Python of the Slurm jobs, with dlgd-course[grading] (default: this one)",
    )
    parser.add_argument(
        "--slurm-directive",
        action="append",
        default=[],
        metavar="OPTION",
        help="extra #SBATCH option (repeatable), as --slurm-directive=--constraint=a100",
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for the first worker of --slurm or --scheduler (default 600)",
    )
    parser.add_argument(
        "--gpus",
        type=int,
        default=0,
        help="GPUs per machine (local) or per job (Slurm, --gres=gpu:N); each task takes one",
    )
    parser.add_argument("--force", action="store_true", help="regrade submissions already graded")
    parser.add_argument("--sandbox", choices=BACKENDS, default="local", help="execution backend")
    parser.add_argument("--image", default=DEFAULT_IMAGE, help="container image (docker, apptainer)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=SandboxLimits.notebook_seconds,
        help="wall-clock limit of a whole notebook (s)",
    )
    parser.add_argument(
        "--cell-timeout", type=int, default=SandboxLimits.cell_seconds, help="limit of one cell (s)"
    )
    parser.add_argument(
        "--memory-gb",
        type=float,
        default=SandboxLimits.memory_bytes / 2**30,
        help="memory (address space) of a kernel, GiB",
    )
    parser.add_argument("--threads", type=int, default=SandboxLimits.threads, help="CPU threads per kernel")
    parser.add_argument("--db-url", help="gradebook URL (default: SQLite in the course data folder)")
    parser.add_argument("--course-data", type=Path, help="instructor data folder (default $DLGD_COURSE_DATA)")
    parser.add_argument(
        "--course-root",
        type=Path,
        help="the course folder (default: $DLGD_COURSE_ROOT, else the current folder or the nearest "
        "one above it that holds nbgrader_config.py and solutions/)",
    )
    parser.add_argument("--report", type=Path, help="folder of the CSV and HTML report")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    from autograder.distributed import (
        WorkersDidNotStart,
        grade_assignment,
        job_memory,
        job_memory_bytes,
        slurm_cluster,
    )
    from autograder.report import write_reports

    args = _parser().parse_args(argv)
    cluster = None
    sigterm = None
    try:
        limits = SandboxLimits(
            notebook_seconds=args.timeout,
            cell_seconds=args.cell_timeout,
            memory_bytes=int(args.memory_gb * 2**30),
            threads=args.threads,
        )
        if args.start_timeout <= 0:
            raise ValueError(f"--start-timeout must be positive, got {args.start_timeout:g}")
        data = args.course_data or data_dir()
        config = course_config(args.course_root, data, db_url=args.db_url)
        report = args.report or Path(data) / "reports"
        if args.slurm:
            memory = args.slurm_memory or job_memory(limits)
            if job_memory_bytes(memory) < int(args.memory_gb * 2**30):
                raise ValueError(
                    f"--slurm-memory {memory} is less than the kernel's memory limit "
                    f"(--memory-gb {args.memory_gb:g}): Slurm would kill the job first"
                )
            cluster = slurm_cluster(
                cores=args.slurm_cores,
                memory=memory,
                walltime=args.slurm_walltime,
                gpus_per_job=args.gpus,
                queue=args.slurm_partition,
                account=args.slurm_account,
                extra_directives=args.slurm_directive,
                log_directory=report / "slurm-logs",
                python=args.slurm_python,
            )
            sigterm = _cancel_jobs_on_sigterm()
        students = [s.strip() for s in args.students.split(",")] if args.students else None
        bar = None
        if not args.no_progress:
            from tqdm import tqdm

            bar = tqdm(unit="submission", desc=args.assignment)

        def progress(done: int, total: int, key: str) -> None:
            if bar is not None:
                bar.total = total
                bar.set_postfix_str(key.split("/")[-1])
                bar.update(1)

        run = grade_assignment(
            config,
            args.assignment,
            students=students,
            workers=args.workers,
            scheduler=args.scheduler,
            cluster=cluster,
            gpus=0 if args.slurm and not args.gpus else args.gpus,
            force=args.force,
            backend=args.sandbox,
            limits=limits,
            progress=progress,
            start_timeout=args.start_timeout if args.slurm or args.scheduler else None,
        )
        if bar is not None:
            bar.close()
    except (ValueError, SandboxUnavailable) as error:
        print(f"dlgd-grade: {error}", file=sys.stderr)
        return 2
    except WorkersDidNotStart as error:
        print(
            f"dlgd-grade: {error}\nNothing was sent to grade; submissions graded before are kept "
            f"and a re-run resumes.",
            file=sys.stderr,
        )
        return 1
    finally:
        if cluster is not None:
            cluster.close()  # type: ignore[attr-defined]  # cancels the jobs (scancel)
        if sigterm is not None:
            signal.signal(signal.SIGTERM, sigterm)
    reports = write_reports(config, args.assignment, report)
    abnormal = run.not_graded_normally
    print(
        f"{args.assignment}: {len(run.graded)} graded, {len(run.skipped)} already graded (kept), "
        f"{len(run.not_graded)} not graded, {len(abnormal)} not graded normally, "
        f"{len(run.needs_review)} need review, {run.seconds:.1f} s"
    )
    for key, reason in run.not_graded.items():
        print(f"  not graded {key}: {reason}", file=sys.stderr)
    for record in abnormal:
        print(
            f"  not graded normally {record.assignment_id}/{record.student_id}: "
            f"{record.not_graded_normally[0]}",
            file=sys.stderr,
        )
    for record in run.needs_review:
        print(
            f"  needs review {record.assignment_id}/{record.student_id}: {record.needs_review[0]}",
            file=sys.stderr,
        )
    if reports.awaiting_manual_grade:
        print(
            f"{reports.awaiting_manual_grade} written answers await manual grading (formgrader); "
            f"their points count once given"
        )
    print(f"grades: {reports.csv}\nreport: {reports.html}")
    if not run.ok:
        return 1
    return 3 if abnormal else 0


def _cancel_jobs_on_sigterm() -> signal.Handlers | Callable | None:
    """Turn SIGTERM (``kill``, or ``scancel`` of a job running ``dlgd-grade``) into ``SystemExit``,
    so that :func:`main` closes the cluster and its jobs are cancelled. Returns the handler
    to put back (``None`` outside the main thread, where signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


if __name__ == "__main__":
    raise SystemExit(main())
