"""Grade every submission of an assignment on a Dask cluster; the host is the single writer.

    host: find → skip graded (unless force) → sanitize ──► Dask worker: run_in_sandbox
    host: ◄── executed notebook ── score → record marker → report (CSV + HTML)

Clusters: a ``LocalCluster`` of ``workers`` processes (default; one thread each, GPUs
advertised as the resource ``GPU`` and pinned by worker number), an existing scheduler
(``scheduler="tcp://host:8786"``), or Slurm through ``dask-jobqueue``
(:func:`slurm_cluster`: one job per worker, ``--gres=gpu:1``). Tasks ask for one ``GPU``
when GPUs are in use and are retried when a worker is lost; the host writes each result
once. An exception inside a task is the infrastructure's, not the student's: the
submission is left ungraded with the reason (a re-run grades it); what student code does
is handled inside the sandbox and scored.

The host-side steps are isolated per submission: whatever a submission's files hold (a
foreign or damaged notebook, an odd folder layout), or an error of the grader on one
submission, ends as that submission recorded with 0 on the affected notebook, the reason,
and the flag *not graded normally* (:attr:`GradingRun.not_graded_normally`); every other
submission is graded. Only an error of the infrastructure
(:func:`autograder.submissions.is_infrastructure_error`: the gradebook, the disk) leaves a
submission ungraded for a re-run.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from autograder import submissions as steps
from autograder.course import data_dir
from autograder.sandbox import (
    DEFAULT_LIMITS,
    SandboxLimits,
    SandboxResult,
    check_backend,
    run_in_sandbox,
)

GPU_RESOURCE = "GPU"
TASK_RETRIES = 2


@dataclass
class GradingRun:
    """Outcome of :func:`grade_assignment`."""

    assignment_id: str
    graded: list[steps.GradingRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_graded: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every submission found is recorded (some may be *not graded normally*)."""
        return not self.not_graded

    @property
    def needs_review(self) -> list[steps.GradingRecord]:
        """Submissions graded in this run that changed how cells run (see the report)."""
        return [record for record in self.graded if record.needs_review]

    @property
    def not_graded_normally(self) -> list[steps.GradingRecord]:
        """Submissions recorded in this run with a notebook the grader could not grade (scored 0,
        with the reason: missing, unreadable, not this assignment's, an error on it)."""
        return [record for record in self.graded if record.not_graded_normally]


def hidden_paths(config: Config) -> list[Path]:
    """What the sandbox must not see: instructor state, sources, tests, the gradebook."""
    root = Path(config.CourseDirectory.root)
    paths = [data_dir(), root / str(config.CourseDirectory.source_directory), root / "tests",
             root / ".git"]
    for name in ("submitted_directory", "autograded_directory", "feedback_directory"):
        value = Path(str(config.CourseDirectory.get(name, "")))
        paths.append(value if value.is_absolute() else root / value)
    exchange = config.get("Exchange", {}).get("root")
    if exchange:
        paths.append(Path(str(exchange)))
    db_url = str(config.CourseDirectory.db_url)
    if db_url.startswith("sqlite:///"):
        paths.append(Path(db_url.removeprefix("sqlite:///")).parent)
    return sorted({path.resolve() for path in paths})


def execute_task(notebook: dict, limits: SandboxLimits, backend: str, hidden: list[str],
                 files: dict[str, bytes], gpus: int, integrity: bool = True) -> SandboxResult:
    """The Dask task: run one notebook in a sandbox on this worker, with this worker's GPU."""
    import nbformat

    gpu = None
    if gpus:
        gpu = os.environ.get("CUDA_VISIBLE_DEVICES") or None
        if gpu is None:
            from distributed import get_worker

            name = get_worker().name
            gpu = str(int(name) % gpus) if str(name).isdigit() else "0"
    return run_in_sandbox(nbformat.from_dict(notebook), limits, backend=backend, hidden_paths=hidden,
                          gpu=gpu, files=files, integrity=integrity)


def source_files(config: Config, assignment_id: str) -> dict[str, bytes]:
    """Files of the assignment's source folder other than notebooks (data shipped with it)."""
    folder = Path(config.CourseDirectory.root) / str(config.CourseDirectory.source_directory) / assignment_id
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())
            if path.is_file() and path.suffix != ".ipynb"}


def slurm_cluster(*, cores: int = 4, memory: str = "16GB", walltime: str = "02:00:00",
                  gpus_per_job: int = 1, queue: str | None = None, account: str | None = None,
                  python: str | None = None, extra_directives: Sequence[str] = ()) -> object:
    """A ``dask_jobqueue.SLURMCluster``: one worker per job, ``gpus_per_job`` GPUs per job
    (``#SBATCH --gres=gpu:N``) advertised to Dask as the resource ``GPU``."""
    from dask_jobqueue import SLURMCluster

    directives = list(extra_directives)
    worker_extra = ["--nthreads", "1"]
    if gpus_per_job:
        directives.append(f"--gres=gpu:{gpus_per_job}")
        worker_extra += ["--resources", f"{GPU_RESOURCE}={gpus_per_job}"]
    return SLURMCluster(
        cores=cores, processes=1, memory=memory, walltime=walltime, queue=queue, account=account,
        python=python, job_extra_directives=directives, worker_extra_args=worker_extra,
    )


def _client(
    workers: int, scheduler: str | None, cluster: object | None, gpus: int
) -> tuple[object, object | None]:
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    if cluster is not None:
        cluster.scale(workers)  # type: ignore[attr-defined]
        return Client(cluster), None
    local = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        resources={GPU_RESOURCE: 1} if gpus else None, silence_logs=logging.ERROR,
        local_directory=tempfile.gettempdir(),
    )
    return Client(local), local


def grade_assignment(
    config: Config,
    assignment_id: str,
    *,
    students: list[str] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    cluster: object | None = None,
    gpus: int = 0,
    force: bool = False,
    backend: str = "local",
    limits: SandboxLimits = DEFAULT_LIMITS,
    progress: Callable[[int, int, str], None] | None = None,
    integrity: bool = True,
) -> GradingRun:
    """Grade the submissions of ``assignment_id``; see the module doc.

    ``progress(done, total, key)`` is called after each submission is recorded;
    ``integrity=False`` skips the checks of how cells run (benchmarks only).
    """
    from distributed import as_completed

    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if gpus < 0:
        raise ValueError(f"gpus must be >= 0, got {gpus}")
    check_backend(backend)
    steps.expected_notebooks(config, assignment_id)  # ValueError unless it is in the gradebook
    start = time.perf_counter()
    run = GradingRun(assignment_id)
    pending = []
    for submission in steps.find_submissions(config, assignment_id, students):
        if not force and steps.is_graded(config, submission):
            run.skipped.append(submission.key)
        else:
            pending.append(submission)
    if not pending:
        run.seconds = time.perf_counter() - start
        return run
    hidden = [str(path) for path in hidden_paths(config)]
    files = source_files(config, assignment_id)
    client, local = _client(workers, scheduler, cluster, gpus)
    try:
        jobs: dict[object, tuple[steps.SanitizedSubmission, str]] = {}
        for submission in pending:
            sanitized = _sanitize(config, run, submission)
            if sanitized is None:
                continue
            for notebook_id, nb in sanitized.notebooks.items():
                future = client.submit(  # type: ignore[attr-defined]
                    execute_task, nb, limits, backend, hidden, files, gpus, integrity,
                    key=f"execute-{submission.key}-{notebook_id}-{submission.digest[:12]}",
                    resources={GPU_RESOURCE: 1} if gpus else None, retries=TASK_RETRIES, pure=False,
                )
                jobs[future] = (sanitized, notebook_id)
            if not sanitized.notebooks:
                _finish(config, run, sanitized, {}, progress, len(pending))
        results: dict[str, dict[str, SandboxResult]] = {}
        for future in as_completed(list(jobs)):
            sanitized, notebook_id = jobs.pop(future)
            key = sanitized.submission.key
            if key in run.not_graded:
                continue
            try:
                result = future.result()
            except Exception as error:
                run.not_graded[key] = f"grading infrastructure failed: {type(error).__name__}: {error}"
                continue
            results.setdefault(key, {})[notebook_id] = result
            if len(results[key]) == len(sanitized.notebooks):
                _finish(config, run, sanitized, results.pop(key), progress, len(pending))
    finally:
        client.close()  # type: ignore[attr-defined]
        if local is not None:
            local.close()  # type: ignore[attr-defined]
    run.seconds = time.perf_counter() - start
    return run


def _sanitize(config: Config, run: GradingRun,
              submission: steps.Submission) -> steps.SanitizedSubmission | None:
    """The sanitized submission; one the grader failed on is scored 0 whole (``None``: left
    ungraded for a re-run, the infrastructure failed)."""
    try:
        return steps.sanitize(config, submission)
    except Exception as error:
        if steps.is_infrastructure_error(error):
            run.not_graded[submission.key] = _failure(error)
            return None
        reason = f"the grader failed on this submission ({steps.describe(error)})"
    try:
        return steps.failed_submission(config, submission, reason)
    except Exception as again:
        run.not_graded[submission.key] = _failure(again)
        return None


def _failure(error: Exception) -> str:
    """Why a submission is left ungraded (``GradingRun.not_graded``) after ``error``."""
    if steps.is_infrastructure_error(error):
        return f"grading infrastructure failed: {steps.describe(error)}"
    return f"the grader failed on it: {steps.describe(error)}; re-run to retry"


def _finish(config: Config, run: GradingRun, sanitized: steps.SanitizedSubmission,
            results: dict[str, SandboxResult], progress: Callable[[int, int, str], None] | None,
            total: int) -> None:
    """Score the executed notebooks on the host, zero the missing ones, write the marker.

    A notebook that cannot be scored is zeroed with the reason (not graded normally); another
    error of the grader on the submission records it whole as 0 with the reason; an error of
    the infrastructure leaves it ungraded (``run.not_graded``) for a re-run.
    """
    submission = sanitized.submission
    try:
        scores, abnormal = {}, list(sanitized.not_graded_normally)
        problems = list(sanitized.problems)
        for nb, result in results.items():
            try:
                scores[nb] = steps.score(config, submission, nb, result.notebook, sanitized.notebooks.get(nb))
            except Exception as error:
                if steps.is_infrastructure_error(error):
                    raise
                reason = (f"{nb}.ipynb: the executed notebook could not be scored "
                          f"({steps.describe(error)}); scored 0")
                problems.append(reason)
                abnormal.append(reason)
                scores[nb] = steps.score_missing(config, submission, nb)
        scores |= {nb: steps.score_missing(config, submission, nb) for nb in sanitized.missing}
        problems += [problem for r in results.values() for problem in r.problems]
        review = [f"{nb}: {reason}" if len(results) > 1 else reason
                  for nb, r in results.items() for reason in r.review]
        record = steps.record(
            config, submission, scores, problems,
            execution_seconds=sum(r.seconds for r in results.values()),
            wall_seconds=sum(r.wall_seconds for r in results.values()),
            needs_review=review, not_graded_normally=abnormal,
        )
    except Exception as error:
        if steps.is_infrastructure_error(error):
            run.not_graded[submission.key] = _failure(error)
            return
        reason = f"the grader failed while scoring or recording it ({steps.describe(error)})"
        try:
            failed = steps.failed_submission(config, submission, reason)
            zeros = {nb: steps.score_missing(config, submission, nb) for nb in failed.missing}
            record = steps.record(
                config, submission, zeros, failed.problems, execution_seconds=0.0, wall_seconds=0.0,
                not_graded_normally=failed.not_graded_normally,
            )
        except Exception as again:
            run.not_graded[submission.key] = _failure(again)
            return
    run.graded.append(record)
    if progress is not None:
        try:
            progress(len(run.graded), total, submission.key)
        except Exception:  # a progress bar never stops the grading
            pass
