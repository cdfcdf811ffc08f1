"""Executes one sanitised notebook inside a sandbox; started by :mod:`autograder.sandbox`.

Runs as ``python -m autograder.sandbox_runner`` with a JSON *spec* on stdin (the notebook,
the limits, the isolation to set up) and writes JSON lines on stdout, one per executed cell,
so that a notebook killed half-way (whole-notebook time limit, memory) still yields the
cells it finished. The pipeline:

1. read the spec from stdin (nothing on disk: the sanitised notebook holds hidden tests);
2. ``isolation == "namespaces"`` (root inside fresh network, mount and PID namespaces): bring
   up the loopback interface and build a new root on a ``tmpfs`` from an allow-list
   (:func:`enter_new_root`): the Python environment and the course library's code bound
   read-only at their own paths, ``/usr``, ``/lib*``, ``/bin``, ``/sbin`` read-only, a minimal
   ``/etc`` (the loader's cache; ``passwd``, ``group``, ``hosts`` written for the sandbox), a
   ``/dev`` of device nodes (GPU nodes included) with a fresh ``/dev/shm``, the namespace's
   own ``/proc``, ``/sys`` read-only, fresh ``/tmp`` and ``/var/tmp``, the submission's work
   folder at ``/tmp/submission`` — nothing else of the host (instructor paths that fall
   inside an allowed folder are hidden under empty mounts); then ``pivot_root`` into it, the
   old root detached and no descriptor left pointing outside;
3. start the kernel through :class:`SandboxKernelManager`: resource limits (``prlimit``),
   and in namespaces an unprivileged uid (``setpriv``, ``no_new_privs``), stdout/stderr to a
   log file, so student code can write neither to this process's stdout nor to its files;
4. install the grader's check in the kernel (:mod:`autograder.kernel_guard`) through the
   ``user_expressions`` of an empty execute request, before any cell of the notebook runs;
5. execute cell by cell with nbclient, set as nbgrader's ``Execute`` is (per-cell timeout,
   a reply whose traceback was suppressed still records an error); before and after every
   graded test cell the check runs again as a user expression (never transformed, never in
   the history) with a fresh random nonce — after the cell in the cell's own execute
   request, or in an empty one when the cell failed. A check that finds a change to how
   cells run, fails, does not answer, or whose answer is not signed with this run's key
   stops the notebook: that cell and every later graded cell score 0 and the submission is
   flagged for review with the reason (sticky: nothing the submission does later counts);
   outputs beyond ``max_output_bytes`` are dropped; a dead kernel ends execution.

Events written (one JSON object per line): ``{"event": "cell", "index", "cell"}``,
``{"event": "violation", "index", "reason", "first", "executed"}`` (``first``: the cell
where a check failed; ``executed``: its outputs came in a ``cell`` event before, the
violation is added to them), ``{"event": "kernel_died", "index"}``,
``{"event": "done", "seconds", "checks", "check_seconds"}``, ``{"event": "error", "reason"}``.
"""

from __future__ import annotations

import ast
import ctypes
import fcntl
import glob
import hashlib
import hmac
import json
import os
import platform
import secrets
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SUBMISSION_DIR = "/tmp/submission"
# Read at import, before the runner leaves the host's file system.
GUARD_SOURCE = Path(__file__).with_name("kernel_guard.py").read_text(encoding="utf-8")
GUARD_PREFIX = "_dlgd_check_"
CHECK_EXPRESSION = "dlgd_check"
CHECK_TIMEOUT_S = 30
# replaces an output message nbformat rejects (same text as autograder.submissions.INVALID_OUTPUT)
INVALID_OUTPUT = "[grader: an output that is not a valid notebook output was removed]\n"

# Builtins a test relies on, and those that compile or run code; ipykernel itself replaces
# input/getpass per request, so those are not watched.
WATCHED_BUILTINS = (
    "abs all any bool dict float getattr hasattr int isinstance issubclass len list map max min "
    "print range repr round set sorted str sum tuple type zip AssertionError Exception "
    "TypeError ValueError compile exec eval __import__ __build_class__"
).split()
WATCHED_HELPERS = {"math": ("isclose",)}
# Functions of packages the notebook may import later (checked by where their code comes from,
# once imported: importing NumPy's testing module up front would cost 0.1 s per notebook).
LATE_HELPERS = {
    "numpy": ("allclose", "isclose", "array_equal"),
    "numpy.testing": (
        "assert_allclose",
        "assert_array_equal",
        "assert_array_almost_equal",
        "assert_equal",
    ),
    "torch": ("allclose", "isclose", "equal"),
    "torch.testing": ("assert_close",),
}
GUARD_CONFIG = {
    "builtins": WATCHED_BUILTINS,
    "helpers": WATCHED_HELPERS,
    "late_helpers": LATE_HELPERS,
    "own_work": "dlgd_course.own_work",
    "assignments": "dlgd_course.assignments",
}
NO_ANSWER = "the grader's check did not run (no answer came back)"
FORGED = (
    "the grader's check was not answered by the grader (its channel, the kernel's "
    "user_expressions, was intercepted, or the check was replaced)"
)

# Linux ioctl, mount(2) and umount2(2) constants.
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
_MNT_DETACH = 0x2
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217}


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


# --- isolation inside the namespaces -----------------------------------------------------


def _loopback_up() -> None:
    """Bring ``lo`` up in the fresh network namespace (the kernel talks ZMQ on 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | _IFF_UP))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    args = [None if value is None else value.encode() for value in (source, target, fstype, data)]
    if _libc().mount(args[0], args[1], args[2], ctypes.c_ulong(flags), args[3]) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


# The system's own folders, visible read-only (a symbolic link such as /bin -> usr/bin is
# recreated as a link).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Of /etc, only what the dynamic loader, the C library, fontconfig (matplotlib runs fc-list)
# and MIME/time-zone lookups read, and the system's font cache; passwd, group, hosts and
# nsswitch.conf are written for the sandbox (no account of the host is listed).
ETC_PATHS = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/alternatives",
    "/etc/fonts",
    "/etc/mime.types",
    "/var/cache/fontconfig",
)
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
GPU_DEVICES = ("/dev/nvidia*", "/dev/nvidia-caps", "/dev/dri")


def _sandbox_etc(uid: int) -> dict[str, str]:
    return {
        "passwd": (
            f"root:x:0:0:root:/root:/usr/sbin/nologin\nstudent:x:{uid}:{uid}:sandbox:/tmp:"
            "/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        ),
        "group": f"root:x:0:\nstudent:x:{uid}:\nnogroup:x:65534:\n",
        "hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
        "hostname": "sandbox\n",
    }


def _nested(path: str, parents: list[str]) -> bool:
    return any(path == parent or path.startswith(parent.rstrip("/") + "/") for parent in parents)


def enter_new_root(
    workdir: str, allowed: list[str], hidden_paths: list[str], tmp_size: str, uid: int, base: str = "/tmp"
) -> None:
    """Build the sandbox's root from its allow-list and ``pivot_root`` into it (see the
    module doc). ``allowed``: folders bound read-only at their own path (the Python
    environment, the course library); ``workdir`` becomes :data:`SUBMISSION_DIR`; ``base``:
    where the new root's tmpfs is mounted first (hidden from the host: a private namespace).
    """
    _mount("none", "/", None, _MS_REC | _MS_PRIVATE, None)
    # Handles on every source, opened before any mount hides one (a venv under /tmp).
    binds: list[tuple[str, int, bool]] = []  # (target, O_PATH handle, read-only)
    links: dict[str, str] = {}
    for path in (*SYSTEM_PATHS, *ETC_PATHS):
        if os.path.islink(path):
            links[path] = os.readlink(path)
        elif os.path.exists(path):
            binds.append((path, os.open(path, os.O_PATH | os.O_CLOEXEC), True))
    system = [path for path, _, _ in binds]
    # each allowed folder at its real path and at the path it was given (through a link)
    targets = {os.path.abspath(p): os.path.realpath(p) for p in allowed if os.path.isdir(p)}
    targets |= {real: real for real in targets.values()}
    kept = sorted(t for t in targets if not _nested(t, system))
    kept = [t for t in kept if not _nested(t, [q for q in kept if q != t])]
    binds += [(target, os.open(targets[target], os.O_PATH | os.O_CLOEXEC), True) for target in kept]
    devices = [f"/dev/{name}" for name in DEVICES if os.path.exists(f"/dev/{name}")]
    devices += sorted(path for pattern in GPU_DEVICES for path in glob.glob(pattern))
    device_handles = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in devices]
    work = os.open(workdir, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)

    root = base.rstrip("/")
    _mount("tmpfs", root, "tmpfs", _MS_NOSUID, "size=8m,mode=755")

    def inside(path: str) -> str:
        return root + path

    def mountpoint(path: str, directory: bool) -> str:
        target = inside(path)
        os.makedirs(target if directory else os.path.dirname(target), mode=0o755, exist_ok=True)
        if not directory and not os.path.exists(target):
            Path(target).touch(mode=0o644)
        return target

    def bind(handle: int, path: str, read_only: bool, recursive: bool = True) -> None:
        source = f"/proc/self/fd/{handle}"
        target = mountpoint(path, os.path.isdir(source))
        _mount(source, target, None, _MS_BIND | (_MS_REC if recursive else 0), None)
        if read_only:
            _mount(None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID, None)

    for scratch in ("/tmp", "/var/tmp"):
        _mount(
            "tmpfs", mountpoint(scratch, True), "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={tmp_size},mode=1777"
        )
    for path, handle, read_only in sorted(binds):
        bind(handle, path, read_only)
        os.close(handle)
    for link, target in sorted(links.items()):
        os.makedirs(os.path.dirname(inside(link)), mode=0o755, exist_ok=True)
        if not os.path.lexists(inside(link)):
            os.symlink(target, inside(link))
    etc = mountpoint("/etc", True)
    for name, text in _sandbox_etc(uid).items():
        Path(etc, name).write_text(text)
    # /dev: the device nodes alone, links to /proc, a fresh /dev/shm
    dev = mountpoint("/dev", True)
    _mount("tmpfs", dev, "tmpfs", _MS_NOSUID, "size=64k,mode=755")
    for path, handle in device_handles:
        bind(handle, path, read_only=False)
        os.close(handle)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, os.path.join(dev, name))
    _mount(
        "tmpfs", mountpoint("/dev/shm", True), "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={tmp_size},mode=1777"
    )
    _mount("proc", mountpoint("/proc", True), "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)
    try:
        _mount(
            "sysfs", mountpoint("/sys", True), "sysfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None
        )
    except OSError:  # not allowed here: the host's, read-only
        handle = os.open("/sys", os.O_PATH | os.O_CLOEXEC)
        bind(handle, "/sys", read_only=True, recursive=False)
        os.close(handle)
    for hidden in hidden_paths:
        target = inside(hidden)
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", _MS_RDONLY, "size=4k,mode=000")
        elif os.path.exists(target):
            _mount(inside("/dev/null"), target, None, _MS_BIND, None)
    submission = mountpoint(SUBMISSION_DIR, True)
    _mount(f"/proc/self/fd/{work}", submission, None, _MS_BIND, None)
    os.close(work)
    os.chown(submission, uid, uid)
    _mount(None, root, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID, "size=8m,mode=755")
    _pivot_root(root)


def _pivot_root(root: str) -> None:
    """Make ``root`` the process's ``/`` and detach the old root (``chroot`` where the
    architecture's ``pivot_root`` number is unknown or the call is refused)."""
    os.chdir(root)
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    libc = _libc()
    if number is not None and libc.syscall(number, b".", b".") == 0:
        if libc.umount2(b".", _MNT_DETACH) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"detaching the old root: {os.strerror(errno)}")
    else:
        os.chroot(".")
    os.chdir("/")


# --- the kernel ----------------------------------------------------------------------------


def kernel_manager_class(wrapper: list[str], uid: int | None, log_path: str) -> type:
    """An ``AsyncKernelManager`` whose kernel starts under ``wrapper`` (limits, uid), with its
    stdout/stderr in ``log_path`` and its connection file readable by ``uid``."""
    from jupyter_client.manager import AsyncKernelManager

    class SandboxKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if uid is not None:
                os.chown(self.connection_file, uid, uid)
            log = open(log_path, "ab")  # noqa: SIM115  (kept open for the kernel's life)
            kw.update(stdout=log, stderr=log)
            await super()._async_launch_kernel([*wrapper, *kernel_cmd], **kw)

    return SandboxKernelManager


def _limit_wrapper(limits: dict[str, int], uid: int | None) -> list[str]:
    wrapper = [
        "prlimit",
        f"--as={limits['memory_bytes']}" if limits.get("memory_bytes") else None,
        f"--fsize={limits['file_bytes']}",
        "--core=0",
    ]
    if uid is not None:
        wrapper += [
            f"--nproc={limits['processes']}",
            "--",
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--no-new-privs",
        ]
    return [arg for arg in wrapper if arg is not None] + ["--"]


def _sign(key: bytes, nonce: str, verdict: str) -> str:
    return hashlib.blake2b(f"{nonce}|{verdict}".encode(), key=key, digest_size=16).hexdigest()


def verify_answer(entry: dict[str, Any] | None, key: bytes, nonce: str) -> str | None:
    """``None`` when the check's answer (a user expression's result) is this run's signed
    ``ok`` for ``nonce``; else the reason of the violation."""
    if not isinstance(entry, dict):
        return NO_ANSWER
    if entry.get("status") != "ok":
        return (
            f"the grader's check did not run ({entry.get('ename')}: {str(entry.get('evalue'))[:200]}): "
            "the submission removed or broke it"
        )
    try:
        answer = ast.literal_eval(entry.get("data", {}).get("text/plain", ""))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return FORGED
    if not isinstance(answer, str) or "|" not in answer:
        return FORGED
    digest, _, verdict = answer.partition("|")
    if not hmac.compare_digest(digest, _sign(key, nonce, verdict)):
        return FORGED
    return None if verdict == "ok" else verdict


def execute(spec: dict[str, Any]) -> None:
    """Execute ``spec["notebook"]`` cell by cell, emitting events (see the module doc)."""
    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbformat.validator import NotebookValidationError

    notebook = nbformat.from_dict(spec["notebook"])
    limits = spec["limits"]
    uid = spec.get("uid")
    workdir = spec["workdir"]
    max_output = int(limits["output_bytes"])
    check_timeout = min(int(limits["cell_seconds"]), CHECK_TIMEOUT_S)
    log_path = os.path.join(workdir, ".kernel.log")
    Path(log_path).touch()
    if uid is not None:
        os.chown(log_path, uid, uid)
    manager = kernel_manager_class(_limit_wrapper(limits, uid), uid, log_path)
    integrity = bool(spec.get("integrity", True))  # off only to measure its cost
    key = secrets.token_bytes(32)
    guard = GUARD_PREFIX + secrets.token_hex(8)

    class SandboxClient(NotebookClient):
        """nbclient with nbgrader's execution settings, an output budget, an error recorded
        for a failed reply whose traceback never reached the outputs, and the grader's check
        (:mod:`autograder.kernel_guard`) added to the execute requests of graded cells."""

        output_bytes = 0
        expressions: dict[str, str] | None = None
        last_reply: dict[str, Any] | None = None
        checks = 0
        check_seconds = 0.0

        def output(self, outs: list, msg: dict, display_id: Any, cell_index: int) -> Any:
            size = len(json.dumps(msg.get("content", {})))
            if self.output_bytes + size > max_output:
                if self.output_bytes <= max_output:
                    self.output_bytes = max_output + 1
                    outs.append(
                        nbformat.v4.new_output(
                            "stream",
                            name="stderr",
                            text=f"[grader: output beyond {max_output} bytes was dropped]\n",
                        )
                    )
                return None
            self.output_bytes += size
            try:
                return super().output(outs, msg, display_id, cell_index)
            except (NotebookValidationError, KeyError, TypeError):
                # a message the student's code made up (data that is not text): nbclient raises,
                # which would end the whole run; the output is replaced instead
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=INVALID_OUTPUT))
                return None

        def _update_display_id(self, display_id: str, msg: dict[str, Any]) -> None:
            try:
                super()._update_display_id(display_id, msg)
            except (NotebookValidationError, KeyError, TypeError):
                pass  # an invalid update: the output keeps what it showed

        def start_checks(self) -> None:
            """Route the kernel client's execute requests through :meth:`_execute`."""
            self._client_execute = self.kc.execute
            self.kc.execute = self._execute

        def _execute(self, code: str, **kwargs: Any) -> str:
            if self.expressions is not None:
                kwargs["user_expressions"] = self.expressions
            return self._client_execute(code, **kwargs)

        async def async_request_check(self, expression: str) -> dict[str, Any] | None:
            """Evaluate ``expression`` as the user expression of an empty, silent execute
            request; its result, or ``None`` when no reply came in time."""
            from queue import Empty

            msg_id = self._client_execute(
                "",
                silent=True,
                store_history=False,
                allow_stdin=False,
                stop_on_error=False,
                user_expressions={CHECK_EXPRESSION: expression},
            )
            deadline = time.monotonic() + check_timeout
            while True:
                try:
                    reply = await self.kc.shell_channel.get_msg(timeout=max(0.0, deadline - time.monotonic()))
                except Empty:
                    if not await self.km.is_alive():
                        raise DeadKernelError("the kernel died during the grader's check") from None
                    return None
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply["content"].get("user_expressions", {}).get(CHECK_EXPRESSION)

        request_check = run_sync(async_request_check)

        def check(self) -> str | None:
            """The grader's check in an empty request: ``None`` when it answers ``ok``."""
            start = time.perf_counter()
            nonce = secrets.token_hex(16)
            entry = self.request_check(f"{guard}({nonce!r})")
            self.checks += 1
            self.check_seconds += time.perf_counter() - start
            if entry is None:
                return (
                    f"the submission broke the kernel: the grader's check got no reply within "
                    f"{check_timeout} s"
                )
            return verify_answer(entry, key, nonce)

    def record_failed_reply(cell: Any, cell_index: int, execute_reply: dict) -> None:
        client.last_reply = execute_reply
        content = execute_reply["content"]
        if content["status"] == "error" and not any(
            out.output_type == "error" and out.ename == content.get("ename") for out in cell.outputs
        ):
            traceback = content.get("traceback")
            if not isinstance(traceback, list) or not all(isinstance(line, str) for line in traceback):
                traceback = []
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename=str(content.get("ename")),
                    evalue=str(content.get("evalue")),
                    traceback=traceback or ["an error was raised while tracebacks were hidden"],
                )
            )

    client = SandboxClient(
        notebook,
        timeout=int(limits["cell_seconds"]),
        interrupt_on_timeout=True,
        allow_errors=True,
        error_on_timeout={
            "ename": "CellTimeoutError",
            "evalue": "",
            "traceback": ["CellTimeoutError: No reply from kernel before timeout"],
        },
        kernel_manager_class=manager,
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        resources={"metadata": {"path": workdir}},
        on_cell_executed=record_failed_reply,
    )
    start = time.perf_counter()
    with client.setup_kernel():
        client.start_checks()
        nonce = secrets.token_hex(16)
        setup = (
            f"(lambda ns: (exec({GUARD_SOURCE!r}, ns), ns['install']({key.hex()!r}, {guard!r}, "
            f"{nonce!r}, {GUARD_CONFIG!r}))[1])({{'__name__': '_dlgd_guard', "
            f"'__builtins__': __import__('builtins')}})"
        )
        installing = time.perf_counter()
        problem = verify_answer(client.request_check(setup), key, nonce) if integrity else None
        if problem is not None:
            raise RuntimeError(f"the grader's check failed to start: {problem}")
        client.check_seconds += time.perf_counter() - installing  # the install counts as a check
        first: tuple[int, str] | None = None  # the cell where a check failed, and why
        checked = False  # nothing ran since the last passed check
        for index, cell in list(enumerate(notebook.cells)):
            if cell.cell_type != "code":
                continue
            graded = integrity and bool(cell.metadata.get("nbgrader", {}).get("grade"))
            if first is not None:
                if graded:
                    _emit(
                        {
                            "event": "violation",
                            "index": index,
                            "first": False,
                            "executed": False,
                            "reason": f"an earlier check failed (cell {_cell_name(notebook, first[0])}: "
                            f"{first[1]})",
                        }
                    )
                continue
            try:
                reason = client.check() if graded and not checked else None  # before the cell
                if reason is not None:
                    _emit(
                        {
                            "event": "violation",
                            "index": index,
                            "reason": reason,
                            "first": True,
                            "executed": False,
                        }
                    )
                    first = (index, reason)
                    continue
                nonce = secrets.token_hex(16)
                client.expressions = {CHECK_EXPRESSION: f"{guard}({nonce!r})"} if graded else None
                client.last_reply = None
                try:
                    client.execute_cell(cell, index, store_history=True)
                finally:
                    client.expressions = None
                if graded:  # after the cell: its own request's answer, else an empty request
                    started = time.perf_counter()
                    content = (client.last_reply or {}).get("content", {})
                    if content.get("status") == "ok":
                        reason = verify_answer(
                            content.get("user_expressions", {}).get(CHECK_EXPRESSION), key, nonce
                        )
                        client.checks += 1
                        client.check_seconds += time.perf_counter() - started
                    else:
                        reason = client.check()
            except DeadKernelError:
                _emit({"event": "kernel_died", "index": index})
                return
            _emit({"event": "cell", "index": index, "cell": cell})
            checked = graded and reason is None
            if reason is not None:
                _emit(
                    {"event": "violation", "index": index, "reason": reason, "first": True, "executed": True}
                )
                first = (index, reason)
        # before the kernel's shutdown: the sandbox is killed as soon as this is read
        _emit(
            {
                "event": "done",
                "seconds": time.perf_counter() - start,
                "checks": client.checks,
                "check_seconds": client.check_seconds,
            }
        )


def _cell_name(notebook: Any, index: int) -> str:
    return notebook.cells[index].metadata.get("nbgrader", {}).get("grade_id") or f"#{index}"


def main() -> None:
    # nbformat imports jsonschema, whose optional IRI format checker (rfc3987_syntax) builds a
    # grammar at import: 0.7 s of every sandbox's start here. The runner validates no IRI.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    spec = json.load(sys.stdin)
    # stdin (the grader's pipe) is done with: nothing of the host stays open for the kernel
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        if spec.get("isolation") == "namespaces":
            _loopback_up()
            enter_new_root(
                spec["workdir"],
                spec.get("allowed_paths", []),
                spec.get("hidden_paths", []),
                spec["limits"]["tmp_size"],
                spec["uid"],
            )
            spec["workdir"] = SUBMISSION_DIR
        path = os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        os.environ.clear()
        os.environ.update({"PATH": path} | spec["env"])
        # connection files in a folder the kernel's uid can traverse but not list or write
        runtime = tempfile.mkdtemp(prefix="dlgd-runtime-")
        os.chmod(runtime, 0o711)
        os.environ["JUPYTER_RUNTIME_DIR"] = runtime
        execute(spec)
    except Exception as error:  # reported to the grader, which scores 0 with this reason
        _emit({"event": "error", "reason": f"{type(error).__name__}: {error}"})
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
