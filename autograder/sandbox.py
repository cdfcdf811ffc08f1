"""Execute a sanitised notebook in a sandbox: one fresh process tree per submission.

The grading host never runs student code. A worker (a Dask task, or the host itself with
one worker) calls :func:`run_in_sandbox`, which starts :mod:`autograder.sandbox_runner`
under one of the backends and collects the executed cells it streams back:

``local``
    Linux namespaces on a plain machine, as root: ``unshare`` gives a network namespace
    with only loopback (no route out), a mount namespace and a PID namespace (killing its
    first process kills every process the submission started). In the mount namespace the
    runner builds a new root from an allow-list (:func:`allowed_paths`: the Python
    environment and the course library, plus the system's folders, device nodes, ``/proc``,
    ``/sys`` read-only, fresh ``/tmp``) and ``pivot_root``s into it: nothing else of the host
    (home folders, the repository's solutions and tests, course data, other users' files) is
    there to read. The kernel runs as an unprivileged uid of its own (:data:`UID_BASE` + slot,
    one slot per concurrent sandbox) under ``prlimit`` and ``no_new_privs``: address space,
    processes, file size, no core dumps.
``docker`` / ``apptainer``
    The same runner in the course's container image (``containers/``), network off, the
    work folder bound at ``/tmp/submission``; the container engine enforces memory and
    process limits; one GPU per task through ``--gpus device=N`` / ``--nv``.
``none``
    No isolation, resource limits only: for trusted notebooks (the instructor's own
    solutions, ``make gpu-check``).

Whatever happens inside, the result is a notebook: cells that ran keep their outputs; a
cell that was stopped (dead kernel, whole-notebook time limit) gets an error output naming
the reason, so nbgrader scores it 0 and every other cell normally. In every backend the
runner checks before and after each graded cell that the submission did not change how
cells run (:mod:`autograder.kernel_guard`); a change gives that cell and every later graded
cell an error output, and the result lists the reason in ``review`` ("needs review").
"""

from __future__ import annotations

import ctypes
import fcntl
import importlib.util
import json
import os
import selectors
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.course import CELL_TIMEOUT_S

#: The course library's package folder, and the folder that holds it and ``autograder``
#: (the repository for an editable install, ``site-packages`` for a wheel): where the code
#: that the runner and the kernel import lies, wherever the course itself is.
LIBRARY = Path(str(importlib.util.find_spec("dlgd_course").origin)).resolve().parent
CODE_ROOT = LIBRARY.parent

BACKENDS = ("local", "docker", "apptainer", "none")
DEFAULT_IMAGE = "dlgd-course-grader"
UID_BASE = 61000
UID_SLOTS = 1000
CONTAINER_UID = 65534  # "nobody" in the course image
GRADER_ERROR = "GraderError"
# Errors of a cell that hit a limit, reported by name in the grading report.
CELL_LIMIT_ERRORS = {
    "CellTimeoutError": "exceeded the time limit of one cell",
    "MemoryError": "ran out of memory (the sandbox's memory limit)",
    "BlockingIOError": "could not start more processes (the sandbox's process limit)",
}

_GIB, _MIB = 1 << 30, 1 << 20
_PR_SET_PDEATHSIG = 1


class SandboxUnavailable(RuntimeError):
    """The requested sandbox backend cannot run on this machine (the message says why)."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of one submission's execution.

    ``notebook_seconds``: wall clock of the whole notebook, kernel start included (s);
    ``cell_seconds``: one cell (s); ``memory_bytes``: the kernel's address space (``None``:
    no limit; CUDA reserves address space, so GPU tasks rely on the container's memory
    limit); ``processes``: processes and threads of the sandbox's uid; ``output_bytes``:
    outputs kept in the notebook; ``file_bytes``: the largest file the kernel may write;
    ``tmp_size``: size of the fresh ``/tmp``; ``threads``: ``OMP_NUM_THREADS`` of the kernel.
    """

    notebook_seconds: float = 600.0
    cell_seconds: int = CELL_TIMEOUT_S
    memory_bytes: int | None = 6 * _GIB
    processes: int = 256
    output_bytes: int = 4 * _MIB
    file_bytes: int = 512 * _MIB
    tmp_size: str = "512m"
    threads: int = 1

    def __post_init__(self) -> None:
        for name in (
            "notebook_seconds",
            "cell_seconds",
            "processes",
            "output_bytes",
            "file_bytes",
            "threads",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"SandboxLimits.{name} must be positive, got {getattr(self, name)!r}")
        if self.memory_bytes is not None and self.memory_bytes < 256 * _MIB:
            raise ValueError(f"SandboxLimits.memory_bytes must be >= 256 MiB, got {self.memory_bytes}")


DEFAULT_LIMITS = SandboxLimits()


@dataclass
class SandboxResult:
    """The executed notebook and what went wrong, if anything.

    ``problems`` are reasons for an instructor's report (empty when every cell ran);
    ``review``: why the submission needs review (it changed how cells run; those reasons
    are in ``problems`` too); ``seconds`` is the runner's execution time (kernel start to
    last cell), ``wall_seconds`` the whole call (sandbox start and clean-up included);
    ``checks``/``check_seconds``: the grader's integrity checks run and their total time (the
    install of the check in the kernel included).
    """

    notebook: NotebookNode
    seconds: float
    wall_seconds: float
    problems: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    checks: int = 0
    check_seconds: float = 0.0


@contextmanager
def _uid_slot() -> Iterator[int]:
    """A uid no other sandbox on this machine uses right now (an ``flock`` per uid)."""
    lock_dir = Path(tempfile.gettempdir()) / "dlgd-sandbox-uids"
    lock_dir.mkdir(mode=0o700, exist_ok=True)
    for slot in range(UID_SLOTS):
        handle = open(lock_dir / str(UID_BASE + slot), "w")  # noqa: SIM115  (held while in use)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield UID_BASE + slot
        finally:
            handle.close()
        return
    raise SandboxUnavailable(f"all {UID_SLOTS} sandbox uids are in use")


def check_backend(backend: str) -> None:
    """Raise :class:`SandboxUnavailable` (or ``ValueError``) unless ``backend`` can run here."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown sandbox backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "local":
        if sys.platform != "linux" or os.geteuid() != 0:
            raise SandboxUnavailable(
                "the local sandbox needs Linux and root (namespaces, one unprivileged uid per "
                "submission): run the grader as root on the runner, or use --sandbox docker or "
                "apptainer; --sandbox none runs without isolation (trusted notebooks only)"
            )
    for tool in {
        "local": ("unshare", "prlimit", "setpriv"),
        "none": ("prlimit",),
        "docker": ("docker",),
        "apptainer": ("apptainer",),
    }[backend]:
        if shutil.which(tool) is None:
            raise SandboxUnavailable(f"the {backend} sandbox needs {tool!r} on PATH")


def allowed_paths() -> list[str]:
    """Folders of the host that the ``local`` sandbox shows the kernel (read-only), besides
    the system's own (``/usr``, ``/lib*``, ``/bin``, ``/sbin``, a minimal ``/etc``, ``/dev``,
    ``/proc``, ``/sys``): the Python environment (prefixes, standard library, site
    folders, wherever they live) and the course library's code (``dlgd_course/``; not the
    rest of the repository)."""
    paths = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        *site.getsitepackages(),
        *sysconfig.get_paths().values(),
        str(LIBRARY),
    }
    return sorted(path for path in paths if path and os.path.isdir(path))


def kernel_environment(limits: SandboxLimits, gpu: str | None, backend: str = "local") -> dict[str, str]:
    """The environment of the runner and the kernel: nothing of the grader's own (in a
    container, the image's ``PATH`` is kept)."""
    env = {
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "NBGRADER_EXECUTION": "autograde",
        "OMP_NUM_THREADS": str(limits.threads),
        "MKL_NUM_THREADS": str(limits.threads),
        "CUDA_VISIBLE_DEVICES": gpu if gpu is not None else "",
    }
    if backend in ("local", "none"):
        env["PATH"] = os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        )
        env["PYTHONPATH"] = str(CODE_ROOT)
    return env


def sandbox_command(
    backend: str, workdir: Path, limits: SandboxLimits, gpu: str | None, image: str = DEFAULT_IMAGE
) -> list[str]:
    """The command line that starts the runner under ``backend``."""
    runner = ["python", "-m", "autograder.sandbox_runner"]
    if backend == "local":
        return [
            "unshare",
            "--net",
            "--mount",
            "--pid",
            "--fork",
            "--mount-proc",
            "--kill-child",
            "--",
            sys.executable,
            "-m",
            "autograder.sandbox_runner",
        ]
    if backend == "none":
        return [sys.executable, "-m", "autograder.sandbox_runner"]
    if backend == "docker":
        # The runner is root inside the container only to start the kernel as nobody.
        command = [
            "docker",
            "run",
            "--rm",
            "-i",
            "--network",
            "none",
            "--read-only",
            "--user",
            "0:0",
            "--cap-drop",
            "ALL",
            "--cap-add",
            "SETUID",
            "--cap-add",
            "SETGID",
            "--cap-add",
            "CHOWN",
            "--pids-limit",
            str(limits.processes),
            "--cpus",
            str(limits.threads),
            "--tmpfs",
            f"/tmp:size={limits.tmp_size}",
            "--volume",
            f"{workdir}:/tmp/submission",
            "--workdir",
            "/tmp/submission",
        ]
        if limits.memory_bytes is not None:
            command += ["--memory", str(limits.memory_bytes)]
        if gpu is not None:
            command += ["--gpus", f"device={gpu}"]
        return [*command, image, *runner]
    if backend == "apptainer":
        command = [
            "apptainer",
            "exec",
            "--containall",
            "--no-home",
            "--cleanenv",
            "--net",
            "--network",
            "none",
            "--bind",
            f"{workdir}:/tmp/submission",
            "--pwd",
            "/tmp/submission",
        ]
        if gpu is not None:
            command += ["--nv", "--env", f"CUDA_VISIBLE_DEVICES={gpu}"]
        return [*command, image, *runner]
    raise ValueError(f"unknown sandbox backend {backend!r}")


def _error_output(message: str) -> NotebookNode:
    return nbformat.v4.new_output(
        "error", ename=GRADER_ERROR, evalue=message, traceback=[f"{GRADER_ERROR}: {message}"]
    )


def assemble(
    notebook: NotebookNode, events: Sequence[dict], stopped: str | None
) -> tuple[NotebookNode, list[str], list[str]]:
    """Merge the runner's events into a copy of ``notebook``.

    A code cell without a ``cell`` event gets an error output: the check's reason, the dead
    kernel, or ``stopped`` (why the runner ended early); a graded cell whose check failed gets
    one added to its outputs. Returns the notebook, the problems and the reasons for review.
    """
    result = nbformat.from_dict(json.loads(json.dumps(notebook)))
    problems: list[str] = []
    review: list[str] = []
    executed: set[int] = set()
    interruption = stopped
    later = 0
    for event in events:
        kind = event.get("event")
        if kind == "cell":
            result.cells[event["index"]] = nbformat.from_dict(event["cell"])
            executed.add(event["index"])
        elif kind == "violation":
            cell = result.cells[event["index"]]
            error = _error_output(f"not graded: {event['reason']}")
            cell.outputs = [*cell.get("outputs", []), error] if event.get("executed") else [error]
            executed.add(event["index"])
            if event.get("first", True):
                review.append(f"cell {_cell_name(cell, event['index'])}: {event['reason']}")
            else:
                later += 1
        elif kind == "kernel_died":
            cell = result.cells[event["index"]]
            cell.outputs = [
                _error_output(
                    "the kernel died while running this cell (a crash, os._exit, or the memory limit)"
                )
            ]
            executed.add(event["index"])
            interruption = f"the kernel died in cell {_cell_name(cell, event['index'])}"
        elif kind == "error":
            interruption = f"the sandbox failed: {event['reason']}"
    for index in sorted(executed):
        cell = result.cells[index]
        for output in cell.get("outputs", []):
            if output.get("ename") in CELL_LIMIT_ERRORS:
                problems.append(f"cell {_cell_name(cell, index)}: {CELL_LIMIT_ERRORS[output.ename]}")
    if review:
        problems.append(f"{review[0]} (needs review; it and the {later} graded cell(s) after it score 0)")
    if interruption:
        problems.append(interruption)
        for index, cell in enumerate(result.cells):
            if cell.cell_type == "code" and index not in executed:
                cell.outputs = [_error_output(f"not executed: {interruption}")]
    return result, problems, review


def _cell_name(cell: NotebookNode, index: int) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"#{index}"


def run_in_sandbox(
    notebook: NotebookNode,
    limits: SandboxLimits = DEFAULT_LIMITS,
    *,
    backend: str = "local",
    hidden_paths: Sequence[Path | str] = (),
    gpu: str | None = None,
    image: str = DEFAULT_IMAGE,
    scratch_root: Path | str | None = None,
    files: dict[str, bytes] | None = None,
    integrity: bool = True,
) -> SandboxResult:
    """Execute ``notebook`` (already sanitised) in a fresh sandbox; see the module doc.

    ``hidden_paths`` are made empty inside the ``local`` sandbox where they fall inside an
    allowed folder (:func:`allowed_paths`; nothing else of the host is there anyway);
    ``gpu`` pins ``CUDA_VISIBLE_DEVICES``; ``scratch_root`` holds the per-submission
    work folders (default: the system's temporary folder); ``files`` (name → bytes) are put
    beside the notebook (data shipped with the assignment); ``integrity=False`` skips the
    grader's checks of how cells run (only to measure their cost: ``benchmarks/``).
    """
    check_backend(backend)
    needed = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), CODE_ROOT]
    for hidden in map(Path, hidden_paths):
        if any(path == hidden.resolve() or hidden.resolve() in path.parents for path in needed):
            raise ValueError(
                f"cannot hide {hidden}: the sandbox needs the Python environment "
                f"and the course's code ({', '.join(map(str, needed))}) inside it"
            )
    start = time.perf_counter()
    scratch = Path(scratch_root or tempfile.gettempdir())
    scratch.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="dlgd-sandbox-", dir=scratch))
    try:
        with _uid_slot() if backend == "local" else _no_uid() as uid:
            if backend == "docker":
                uid = CONTAINER_UID  # the runner is root in the container, the kernel nobody
            for name, content in (files or {}).items():
                if Path(name).name != name or name.startswith("."):
                    raise ValueError(f"file name {name!r} must be a plain name")
                (workdir / name).write_bytes(content)
                if uid is not None:
                    os.chown(workdir / name, uid, uid)
            if uid is not None:
                os.chown(workdir, uid, uid)
            limits_spec = asdict(limits)
            if gpu is not None and backend in ("local", "none"):
                limits_spec["memory_bytes"] = None
            spec = {
                "notebook": notebook,
                "limits": limits_spec
                | {"cell_seconds": min(limits.cell_seconds, int(limits.notebook_seconds))},
                "uid": uid,
                "workdir": str(workdir) if backend in ("local", "none") else "/tmp/submission",
                "isolation": {"local": "namespaces", "none": "none"}.get(backend, "container"),
                "hidden_paths": [str(Path(p).resolve()) for p in hidden_paths],
                "allowed_paths": allowed_paths(),
                "env": kernel_environment(limits, gpu, backend),
                "integrity": integrity,
            }
            events, stopped, seconds = _run_runner(
                sandbox_command(backend, workdir, limits, gpu, image), spec, limits.notebook_seconds
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    executed, problems, review = assemble(notebook, events, stopped)
    done = next((event for event in events if event.get("event") == "done"), {})
    return SandboxResult(
        executed,
        seconds,
        time.perf_counter() - start,
        problems,
        review,
        int(done.get("checks", 0)),
        float(done.get("check_seconds", 0.0)),
    )


@contextmanager
def _no_uid() -> Iterator[None]:
    yield None


def _die_with_parent() -> None:
    """In the runner's process, before exec: SIGKILL it when the grader dies (a killed
    worker or an interrupted run leaves no sandbox behind; ``--kill-child`` passes it on)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _run_runner(
    command: list[str], spec: dict, notebook_seconds: float
) -> tuple[list[dict], str | None, float]:
    """Start the runner, feed it ``spec`` and read its events as they come; kill the whole
    process tree once it reports the end (no waiting for a polite kernel shutdown) or at the
    whole-notebook deadline."""
    events: list[dict] = []
    stopped, seconds, finished, pending = None, 0.0, False, b""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
            cwd=CODE_ROOT,
            env=os.environ | spec["env"],
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + notebook_seconds
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(spec).encode())
            process.stdin.close()
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                while not finished:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        stopped = f"the notebook exceeded its time limit of {notebook_seconds:g} s"
                        break
                    if not selector.select(remaining):
                        continue
                    chunk = os.read(process.stdout.fileno(), 1 << 16)
                    if not chunk:
                        break
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        try:
                            event = json.loads(line)
                        except ValueError:
                            continue
                        events.append(event)
                        finished = finished or event.get("event") in ("done", "error", "kernel_died")
                        if event.get("event") == "done":
                            seconds = float(event["seconds"])
        except BrokenPipeError:
            pass  # the runner died before reading its spec: reported below
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        if stopped is None and not finished:
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-3:]
            stopped = f"the sandbox ended unexpectedly (exit {process.returncode}): {' | '.join(tail)}"
    return events, stopped, seconds
