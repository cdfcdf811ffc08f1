"""Grade every submission of an assignment on a Dask cluster; the host is the single writer.

    host: find → skip graded (unless force) → sanitise ──► Dask worker: run_in_sandbox
    host: ◄── executed notebook ── score → record marker → report (CSV + HTML)

Clusters: a ``LocalCluster`` of ``workers`` processes (default; one thread each, GPUs
advertised as the resource ``GPU`` and pinned by worker number), an existing scheduler
(``scheduler="tcp://host:8786"``), or Slurm through ``dask-jobqueue``
(:func:`slurm_cluster`: one job per worker, by default the shape of one notebook: 1 CPU,
the kernel's memory limit plus :data:`JOB_MEMORY_HEADROOM`, ``--gres=gpu:N`` when asked).
With ``start_timeout`` the host waits that long for the first worker and otherwise raises
:class:`WorkersDidNotStart` saying why (for Slurm: each job's state and pending reason from
``squeue``) before any submission is sent. A job of a cluster that ends early (cancelled,
out of time) is replaced. Tasks ask for one ``GPU`` when GPUs are in use and are retried
when a worker is lost; the host writes each result once. An exception inside a task is the
infrastructure's, not the student's: the submission is left ungraded with the reason (a
re-run grades it); what student code does is handled inside the sandbox and scored.

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
import math
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distributed.deploy.adaptive import Adaptive
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
# Memory of a Slurm job beyond the kernel's limit: the Dask worker and its nanny, the sandbox
# runner, nbformat/nbclient on the worker (bytes).
JOB_MEMORY_HEADROOM = 2 << 30
# How often the host looks at the cluster while waiting for its first worker (s).
WORKER_POLL_SECONDS = 2.0
# Slurm's pending reasons that waiting does not resolve: the job can never start as asked.
HOPELESS_REASONS = frozenset(
    {
        "PartitionConfig",
        "PartitionNodeLimit",
        "PartitionTimeLimit",
        "InvalidAccount",
        "InvalidQOS",
        "BadConstraints",
    }
)
# What Slurm's pending reasons (squeue's %r) mean for a grading job, in a sentence.
PENDING_REASONS = {
    "PartitionConfig": "it asks for more than the partition's nodes have or its limits allow "
    "(CPUs, memory, GPUs or time): it will never start",
    "PartitionNodeLimit": "it asks for more nodes than the partition allows: it will never start",
    "PartitionTimeLimit": "its wall time is longer than the partition's time limit: it will never start",
    "InvalidAccount": "the account does not exist or may not use the partition: it will never start",
    "InvalidQOS": "the QOS does not exist or may not be used by the account: it will never start",
    "BadConstraints": "no node of the partition has the requested features: it will never start",
    "Resources": "the CPUs, memory or GPUs it asks for are in use by other jobs; it starts when they "
    "are free",
    "Priority": "jobs of higher priority are ahead of it in the queue",
    "ReqNodeNotAvail": "the nodes it could run on are down, drained or reserved",
    "PartitionDown": "the partition is down",
    "PartitionInactive": "the partition is inactive",
    "JobHeldUser": "the job is held (scontrol release JOBID)",
    "JobHeldAdmin": "the job is held by an administrator",
    "BeginTime": "its start time is in the future",
    "None": "the scheduler has not looked at it yet",
}


class WorkersDidNotStart(RuntimeError):
    """No worker joined the cluster within the start timeout; the message says why."""


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
    paths = [data_dir(), root / str(config.CourseDirectory.source_directory), root / "tests", root / ".git"]
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


def execute_task(
    notebook: dict,
    limits: SandboxLimits,
    backend: str,
    hidden: list[str],
    files: dict[str, bytes],
    gpus: int,
    integrity: bool = True,
) -> SandboxResult:
    """The Dask task: run one notebook in a sandbox on this worker, with this worker's GPU."""
    import nbformat

    gpu = None
    if gpus:
        gpu = os.environ.get("CUDA_VISIBLE_DEVICES") or None
        if gpu is None:
            from distributed import get_worker

            name = get_worker().name
            gpu = str(int(name) % gpus) if str(name).isdigit() else "0"
    return run_in_sandbox(
        nbformat.from_dict(notebook),
        limits,
        backend=backend,
        hidden_paths=hidden,
        gpu=gpu,
        files=files,
        integrity=integrity,
    )


def source_files(config: Config, assignment_id: str) -> dict[str, bytes]:
    """Files of the assignment's source folder other than notebooks (data shipped with it)."""
    folder = Path(config.CourseDirectory.root) / str(config.CourseDirectory.source_directory) / assignment_id
    return {
        path.name: path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix != ".ipynb"
    }


def job_memory(limits: SandboxLimits) -> str:
    """Memory of a Slurm job that runs one notebook under ``limits``: the kernel's memory
    limit plus :data:`JOB_MEMORY_HEADROOM`, in whole GiB (``"8GiB"`` for the default 6 GiB
    kernel; a kernel without a limit gets the default's)."""
    kernel = limits.memory_bytes if limits.memory_bytes is not None else DEFAULT_LIMITS.memory_bytes or 0
    return f"{math.ceil((kernel + JOB_MEMORY_HEADROOM) / 2**30)}GiB"


def job_memory_bytes(memory: str) -> int:
    """Bytes of a Slurm job's memory given as a size such as ``"8GiB"``; ``ValueError`` if it is not one."""
    from dask.utils import parse_bytes

    try:
        size = parse_bytes(memory)
    except ValueError:
        size = 0
    if size <= 0:
        raise ValueError(f"Slurm memory must be a positive size such as 8GiB, got {memory!r}")
    return size


_WALLTIME = re.compile(r"^(\d+-\d+(:\d+){0,2}|\d+(:\d+){0,2})$")


def slurm_cluster(
    *,
    cores: int = 1,
    memory: str = job_memory(DEFAULT_LIMITS),
    walltime: str = "02:00:00",
    gpus_per_job: int = 0,
    queue: str | None = None,
    account: str | None = None,
    extra_directives: Sequence[str] = (),
    log_directory: Path | None = None,
    python: str | None = None,
) -> object:
    """A ``dask_jobqueue.SLURMCluster``: one worker (one task at a time) per job.

    Each job asks for ``cores`` CPUs, ``memory`` (a size such as ``"8GiB"``), ``walltime``
    (Slurm's formats: ``MM``, ``HH:MM:SS``, ``D-HH:MM`` ...), ``gpus_per_job`` GPUs
    (``#SBATCH --gres=gpu:N``, advertised to Dask as the resource ``GPU``), the partition
    ``queue`` and ``account``, plus ``extra_directives`` (``#SBATCH`` options such as
    ``"--constraint=a100"``; a leading ``#SBATCH`` is dropped). The jobs' stdout and stderr
    go to ``log_directory`` (created; default: the current folder). ``python`` is the
    interpreter the jobs run (default: this one; the nodes must see it at the same path).
    Raises ``ValueError`` for values Slurm cannot take.
    """
    from dask_jobqueue import SLURMCluster

    if cores < 1:
        raise ValueError(f"Slurm cores must be >= 1, got {cores}")
    if gpus_per_job < 0:
        raise ValueError(f"Slurm GPUs per job must be >= 0, got {gpus_per_job}")
    job_memory_bytes(memory)
    if not _WALLTIME.match(walltime):
        raise ValueError(
            f"Slurm wall time must be MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, got {walltime!r}"
        )
    directives = []
    for directive in extra_directives:
        option = directive.strip().removeprefix("#SBATCH").strip()
        if not option.startswith("-") or "\n" in option:
            raise ValueError(
                f"a Slurm directive is one sbatch option such as --constraint=a100, got {directive!r}"
            )
        directives.append(option)
    worker_extra = ["--nthreads", "1"]
    if gpus_per_job:
        directives.append(f"--gres=gpu:{gpus_per_job}")
        worker_extra += ["--resources", f"{GPU_RESOURCE}={gpus_per_job}"]
    return SLURMCluster(
        cores=cores,
        processes=1,
        memory=memory,
        walltime=walltime,
        queue=queue,
        account=account,
        python=python,
        job_extra_directives=directives,
        worker_extra_args=worker_extra,
        log_directory=str(log_directory) if log_directory is not None else None,
    )


class KeepWorkers(Adaptive):
    """Adaptive scaling that holds the cluster at ``maximum`` workers: a worker whose job
    ended (``scancel``, wall time, node failure) is started again once the cluster has
    closed it (``distributed.deploy.lost-worker-timeout`` after it was lost)."""

    async def recommendations(self, target: int) -> dict:
        """Always scale to ``target`` (= minimum = maximum): jobs missing from the cluster are started."""
        return {"status": "up", "n": target}


def wait_for_workers(client: object, cluster: object | None, timeout: float) -> None:
    """Return once a worker has joined ``client``'s scheduler; raise :class:`WorkersDidNotStart`
    after ``timeout`` seconds, or as soon as every job of a Slurm ``cluster`` either is
    pending for a reason that waiting does not resolve (:data:`HOPELESS_REASONS`) or has
    ended without its worker joining. The message gives each Slurm job's state and pending
    reason in words, the jobs' ``#SBATCH`` directives and what the partition's nodes have."""
    from dask_jobqueue import SLURMCluster

    deadline = time.monotonic() + timeout
    slurm = isinstance(cluster, SLURMCluster)
    while not client.scheduler_info()["workers"]:  # type: ignore[attr-defined]
        submitted = _submitted_jobs(cluster) if slurm else []
        states = _slurm_states(submitted)
        hopeless = (
            bool(submitted)
            and states is not None
            and all(job not in states or states[job][1] in HOPELESS_REASONS for job in submitted)
        )
        if hopeless or time.monotonic() >= deadline:
            if not slurm:
                raise WorkersDidNotStart(f"no worker joined the scheduler within {timeout:g} s")
            raise WorkersDidNotStart(_slurm_diagnosis(cluster, submitted, states, timeout, hopeless))
        time.sleep(WORKER_POLL_SECONDS)


def _submitted_jobs(cluster: object) -> list[str]:
    """Ids of the cluster's jobs that sbatch accepted."""
    return [str(job.job_id) for job in list(cluster.workers.values()) if job.job_id]  # type: ignore[attr-defined]


def _slurm_states(jobs: list[str]) -> dict[str, tuple[str, str, str]] | None:
    """squeue's view of ``jobs`` still in the queue: job id → (state, reason, partition);
    ``None`` when squeue fails (no answer from the controller)."""
    if not jobs:
        return {}
    listing = subprocess.run(
        ["squeue", "-h", "-o", "%i|%T|%r|%P", "-u", str(os.getuid())],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        return None
    states = {}
    for line in listing.stdout.splitlines():
        job_id, state, reason, partition = line.split("|")
        if job_id in jobs:
            states[job_id] = (state, reason, partition)
    return states


def _slurm_diagnosis(
    cluster: object,
    submitted: list[str],
    states: dict[str, tuple[str, str, str]] | None,
    timeout: float,
    hopeless: bool,
) -> str:
    """Why no Slurm worker started: each job's state and reason, what the jobs ask for and
    what the partition's nodes have; a job that sbatch refused gets ``sbatch --test-only``'s answer."""
    script = cluster.job_script()  # type: ignore[attr-defined]
    asks = " ".join(
        line.removeprefix("#SBATCH ")
        for line in script.splitlines()
        if line.startswith("#SBATCH") and not line.startswith(("#SBATCH -J", "#SBATCH -e", "#SBATCH -o"))
    )
    lines = [
        "no Slurm job can start as asked" if hopeless else f"no Slurm worker started within {timeout:g} s"
    ]
    partitions = set()
    if states is None:
        lines.append("  squeue did not answer: is the Slurm controller reachable from here?")
    ordered = sorted((states or {}).items(), key=lambda item: (len(item[0]), item[0]))  # job ids as numbers
    for job_id, (state, reason, partition) in ordered:
        meaning = PENDING_REASONS.get(reason, f"`scontrol show job {job_id}` shows the job's details")
        lines.append(f"  job {job_id} ({partition}): {state}, reason {reason}: {meaning}")
        partitions.add(partition)
    logs = [
        str(Path(line.removeprefix("#SBATCH -e ")).parent)
        for line in script.splitlines()
        if line.startswith("#SBATCH -e ")
    ]
    for job_id in submitted:
        if states is not None and job_id not in states:
            lines.append(
                f"  job {job_id} has ended without its worker joining: see its log in "
                f"{logs[0] if logs else 'the current folder'}"
            )
    if not submitted:
        with tempfile.NamedTemporaryFile("w", suffix=".sh") as file:
            file.write(script)
            file.flush()
            test = subprocess.run(
                ["sbatch", "--test-only", file.name], capture_output=True, text=True, check=False
            )
        answer = (test.stderr or test.stdout).strip() or "no answer"
        lines.append(f"  sbatch did not accept the job (sbatch --test-only: {answer})")
    lines.append(f"  each job asks for: {asks}")
    listing = subprocess.run(
        ["sinfo", "-h", "-o", "%P|%c|%m|%G|%l"], capture_output=True, text=True, check=False
    ).stdout.split()
    for row in sorted(set(listing)):
        partition, cpus, memory_mb, gres, limit = row.split("|")
        if partition.rstrip("*") in partitions or not partitions:
            gpus = "none" if gres == "(null)" else gres
            lines.append(
                f"  partition {partition.rstrip('*')} has nodes with {cpus} CPUs, {memory_mb} MB "
                f"memory, GPUs {gpus}, time limit {limit}"
            )
    return "\n".join(lines)


def _client(
    workers: int, scheduler: str | None, cluster: object | None, gpus: int, start_timeout: float | None
) -> tuple[object, object | None]:
    from distributed import Client, LocalCluster

    local = None
    if scheduler:
        client = Client(scheduler)
    elif cluster is not None:
        cluster.scale(workers)  # type: ignore[attr-defined]
        cluster.adapt(Adaptive=KeepWorkers, minimum=workers, maximum=workers)  # type: ignore[attr-defined]
        client = Client(cluster)
    else:
        local = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            resources={GPU_RESOURCE: 1} if gpus else None,
            silence_logs=logging.ERROR,
            local_directory=tempfile.gettempdir(),
        )
        return Client(local), local
    if start_timeout is not None:
        try:
            wait_for_workers(client, cluster, start_timeout)
        except WorkersDidNotStart:
            client.close()
            raise
    return client, local


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
    start_timeout: float | None = None,
) -> GradingRun:
    """Grade the submissions of ``assignment_id``; see the module doc.

    ``progress(done, total, key)`` is called after each submission is recorded;
    ``integrity=False`` skips the checks of how cells run (benchmarks only);
    ``start_timeout``: seconds to wait for the first worker of ``scheduler`` or ``cluster``
    (``None``: no limit) before raising :class:`WorkersDidNotStart`, when no submission has
    been sent yet.
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
    client, local = _client(workers, scheduler, cluster, gpus, start_timeout)
    try:
        jobs: dict[object, tuple[steps.SanitisedSubmission, str]] = {}
        for submission in pending:
            sanitised = _sanitise(config, run, submission)
            if sanitised is None:
                continue
            for notebook_id, nb in sanitised.notebooks.items():
                future = client.submit(  # type: ignore[attr-defined]
                    execute_task,
                    nb,
                    limits,
                    backend,
                    hidden,
                    files,
                    gpus,
                    integrity,
                    key=f"execute-{submission.key}-{notebook_id}-{submission.digest[:12]}",
                    resources={GPU_RESOURCE: 1} if gpus else None,
                    retries=TASK_RETRIES,
                    pure=False,
                )
                jobs[future] = (sanitised, notebook_id)
            if not sanitised.notebooks:
                _finish(config, run, sanitised, {}, progress, len(pending))
        results: dict[str, dict[str, SandboxResult]] = {}
        for future in as_completed(list(jobs)):
            sanitised, notebook_id = jobs.pop(future)
            key = sanitised.submission.key
            if key in run.not_graded:
                continue
            try:
                result = future.result()
            except Exception as error:
                run.not_graded[key] = f"grading infrastructure failed: {type(error).__name__}: {error}"
                continue
            results.setdefault(key, {})[notebook_id] = result
            if len(results[key]) == len(sanitised.notebooks):
                _finish(config, run, sanitised, results.pop(key), progress, len(pending))
    finally:
        client.close()  # type: ignore[attr-defined]
        if local is not None:
            local.close()  # type: ignore[attr-defined]
    run.seconds = time.perf_counter() - start
    return run


def _sanitise(
    config: Config, run: GradingRun, submission: steps.Submission
) -> steps.SanitisedSubmission | None:
    """The sanitised submission; one the grader failed on is scored 0 whole (``None``: left
    ungraded for a re-run, the infrastructure failed)."""
    try:
        return steps.sanitise(config, submission)
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


def _finish(
    config: Config,
    run: GradingRun,
    sanitised: steps.SanitisedSubmission,
    results: dict[str, SandboxResult],
    progress: Callable[[int, int, str], None] | None,
    total: int,
) -> None:
    """Score the executed notebooks on the host, zero the missing ones, write the marker.

    A notebook that cannot be scored is zeroed with the reason (not graded normally); another
    error of the grader on the submission records it whole as 0 with the reason; an error of
    the infrastructure leaves it ungraded (``run.not_graded``) for a re-run.
    """
    submission = sanitised.submission
    try:
        scores, abnormal = {}, list(sanitised.not_graded_normally)
        problems = list(sanitised.problems)
        for nb, result in results.items():
            try:
                scores[nb] = steps.score(config, submission, nb, result.notebook, sanitised.notebooks.get(nb))
            except Exception as error:
                if steps.is_infrastructure_error(error):
                    raise
                reason = (
                    f"{nb}.ipynb: the executed notebook could not be scored "
                    f"({steps.describe(error)}); scored 0"
                )
                problems.append(reason)
                abnormal.append(reason)
                scores[nb] = steps.score_missing(config, submission, nb)
        scores |= {nb: steps.score_missing(config, submission, nb) for nb in sanitised.missing}
        problems += [problem for r in results.values() for problem in r.problems]
        review = [
            f"{nb}: {reason}" if len(results) > 1 else reason
            for nb, r in results.items()
            for reason in r.review
        ]
        record = steps.record(
            config,
            submission,
            scores,
            problems,
            execution_seconds=sum(r.seconds for r in results.values()),
            wall_seconds=sum(r.wall_seconds for r in results.values()),
            needs_review=review,
            not_graded_normally=abnormal,
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
                config,
                submission,
                zeros,
                failed.problems,
                execution_seconds=0.0,
                wall_seconds=0.0,
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
