"""Executes one sanitized notebook inside a sandbox; started by :mod:`autograder.sandbox`.

Runs as ``python -m autograder.sandbox_runner`` with a JSON *spec* on stdin (the notebook,
the limits, the isolation to set up) and writes JSON lines on stdout, one per executed cell,
so that a notebook killed half-way (whole-notebook time limit, memory) still yields the
cells it finished. The pipeline:

1. read the spec from stdin (nothing on disk: the sanitized notebook holds hidden tests);
2. ``isolation == "namespaces"`` (root inside fresh network, mount and PID namespaces):
   bring up the loopback interface, mount fresh ``tmpfs`` over ``/tmp``, ``/var/tmp`` and
   ``/dev/shm`` (the Python environment and the course's code, if under them, bound back
   read-only), hide the instructor's paths (gradebook, course data, sources) under empty
   read-only mounts, bind the submission's work folder at ``/tmp/submission``;
3. start the kernel through :class:`SandboxKernelManager`: resource limits (``prlimit``),
   and in namespaces an unprivileged uid (``setpriv``), stdout/stderr to a log file, so
   student code can write neither to this process's stdout nor to its files;
4. execute cell by cell with nbclient, set as nbgrader's ``Execute`` is (per-cell timeout,
   a reply whose traceback was suppressed still records an error); before every graded test cell a guard
   checks that builtins, ``IPython``'s traceback display and the assert helpers of NumPy
   and PyTorch are the originals; outputs beyond ``max_output_bytes`` are dropped; a dead
   kernel ends execution and is reported.

Events written (one JSON object per line): ``{"event": "cell", "index", "cell"}``,
``{"event": "violation", "index", "reason"}``, ``{"event": "kernel_died", "index"}``,
``{"event": "done", "seconds"}``, ``{"event": "error", "reason"}``.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import secrets
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SUBMISSION_DIR = "/tmp/submission"
GUARD_PREFIX = "_dlgd_guard_"

# Builtins a test relies on; ipykernel itself replaces input/getpass per request, so those
# are not watched.
WATCHED_BUILTINS = (
    "abs all any bool dict float getattr hasattr int isinstance issubclass len list map max min "
    "print range repr round set sorted str sum tuple type zip AssertionError Exception "
    "TypeError ValueError"
).split()
WATCHED_HELPERS = {
    "math": ("isclose",),
    "numpy": ("allclose", "isclose", "array_equal"),
    "numpy.testing": (
        "assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal",
    ),
}
# Functions of packages the notebook may import later: a replacement defined in the
# notebook has another __module__.
LATE_HELPERS = {"torch": ("allclose", "isclose", "equal"), "torch.testing": ("assert_close",)}

_GUARD_SOURCE = '''
def {name}(_originals=None):
    import builtins, importlib, sys
    if _originals is None:
        originals = {{("builtins", n): getattr(builtins, n) for n in {builtins!r}}}
        shell = get_ipython()
        display = {{n: getattr(shell, n).__func__ for n in ("showtraceback", "_showtraceback")}}
        for module_name, names in {helpers!r}.items():
            module = importlib.import_module(module_name)
            originals.update({{(module_name, n): getattr(module, n) for n in names}})
        def check(_originals=originals, _display=display):
            for (module_name, attr), original in _originals.items():
                module = builtins if module_name == "builtins" else sys.modules[module_name]
                if getattr(module, attr, None) is not original:
                    raise RuntimeError(f"{{module_name}}.{{attr}} was replaced by the submission")
            for module_name, names in {late!r}.items():
                module = sys.modules.get(module_name)
                for attr in names if module is not None else ():
                    found = getattr(module, attr, None)
                    if str(getattr(found, "__module__", "")).split(".")[0] != "torch":
                        raise RuntimeError(f"{{module_name}}.{{attr}} was replaced by the submission")
            shell = get_ipython()
            for attr, original in _display.items():
                if getattr(getattr(shell, attr, None), "__func__", None) is not original:
                    raise RuntimeError("IPython's traceback display was replaced by the submission")
        globals()["{name}"] = check
'''

# Linux ioctl and mount(2) constants.
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_MS_RDONLY, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x1, 0x20, 0x1000, 0x4000, 0x40000


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


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    args = [None if value is None else value.encode() for value in (source, target, fstype, data)]
    if libc.mount(args[0], args[1], args[2], ctypes.c_ulong(flags), args[3]) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def isolate_filesystem(workdir: str, hidden_paths: list[str], kept_paths: list[str], tmp_size: str,
                       uid: int) -> None:
    """Private mounts: fresh tmpfs scratch folders (``kept_paths`` under them, the Python
    environment and the course's code, bound back read-only), instructor paths hidden, the
    work folder at :data:`SUBMISSION_DIR`."""
    _mount("none", "/", None, _MS_REC | _MS_PRIVATE, None)
    work_fd = os.open(workdir, os.O_PATH | os.O_DIRECTORY)
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in kept_paths
            if os.path.isdir(path) and any(Path(path).is_relative_to(d) for d in SCRATCH_DIRS)}
    for scratch in SCRATCH_DIRS:
        if os.path.isdir(scratch):
            _mount("tmpfs", scratch, "tmpfs", 0, f"size={tmp_size},mode=1777")
    for path, handle in sorted(kept.items()):
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{handle}", path, None, _MS_BIND | _MS_REC, None)
        _mount("none", path, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY, None)
        os.close(handle)
    for hidden in hidden_paths:
        if os.path.isdir(hidden):
            _mount("tmpfs", hidden, "tmpfs", _MS_RDONLY, "size=4k,mode=000")
        elif os.path.exists(hidden):
            _mount("/dev/null", hidden, None, _MS_BIND, None)
    os.mkdir(SUBMISSION_DIR)
    _mount(f"/proc/self/fd/{work_fd}", SUBMISSION_DIR, None, _MS_BIND, None)
    os.close(work_fd)
    os.chown(SUBMISSION_DIR, uid, uid)


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
    wrapper = ["prlimit", f"--as={limits['memory_bytes']}" if limits.get("memory_bytes") else None,
               f"--fsize={limits['file_bytes']}", "--core=0"]
    if uid is not None:
        wrapper += [f"--nproc={limits['processes']}", "--",
                    "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                    "--no-new-privs"]
    return [arg for arg in wrapper if arg is not None] + ["--"]


def _execute_hidden(client: Any, cell: Any) -> None:
    """Run a grader cell in the kernel without history; nbclient writes a cell back into the
    notebook at its index, so it is appended for the call and removed after."""
    client.nb.cells.append(cell)
    try:
        client.execute_cell(cell, len(client.nb.cells) - 1, store_history=False)
    finally:
        client.nb.cells.pop()


def execute(spec: dict[str, Any]) -> None:
    """Execute ``spec["notebook"]`` cell by cell, emitting events (see the module doc)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    notebook = nbformat.from_dict(spec["notebook"])
    limits = spec["limits"]
    uid = spec.get("uid")
    workdir = spec["workdir"]
    max_output = int(limits["output_bytes"])
    log_path = os.path.join(workdir, ".kernel.log")
    Path(log_path).touch()
    if uid is not None:
        os.chown(log_path, uid, uid)
    manager = kernel_manager_class(_limit_wrapper(limits, uid), uid, log_path)

    class SandboxClient(NotebookClient):
        """nbclient with nbgrader's execution settings, an output budget, and an error
        recorded for a failed reply whose traceback never reached the outputs."""

        output_bytes = 0

        def output(self, outs: list, msg: dict, display_id: Any, cell_index: int) -> Any:
            size = len(json.dumps(msg.get("content", {})))
            if self.output_bytes + size > max_output:
                if self.output_bytes <= max_output:
                    self.output_bytes = max_output + 1
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"[grader: output beyond {max_output} bytes was dropped]\n"))
                return None
            self.output_bytes += size
            return super().output(outs, msg, display_id, cell_index)

    def record_failed_reply(cell: Any, cell_index: int, execute_reply: dict) -> None:
        content = execute_reply["content"]
        if content["status"] == "error" and not any(
            out.output_type == "error" and out.ename == content["ename"] for out in cell.outputs
        ):
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=content["ename"], evalue=content["evalue"],
                traceback=content["traceback"] or ["an error was raised while tracebacks were hidden"]))

    guard = GUARD_PREFIX + secrets.token_hex(8)
    client = SandboxClient(
        notebook,
        timeout=int(limits["cell_seconds"]),
        interrupt_on_timeout=True,
        allow_errors=True,
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "",
                          "traceback": ["CellTimeoutError: No reply from kernel before timeout"]},
        kernel_manager_class=manager,
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        resources={"metadata": {"path": workdir}},
        on_cell_executed=record_failed_reply,
    )
    start = time.perf_counter()
    with client.setup_kernel():
        setup = nbformat.v4.new_code_cell(_GUARD_SOURCE.format(
            name=guard, builtins=WATCHED_BUILTINS, helpers=WATCHED_HELPERS, late=LATE_HELPERS,
        ) + f"\n{guard}()")
        _execute_hidden(client, setup)
        if any(out.output_type == "error" for out in setup.outputs):
            raise RuntimeError(f"the grader's guard failed to start: {setup.outputs}")
        for index, cell in list(enumerate(notebook.cells)):
            if cell.cell_type != "code":
                continue
            if cell.metadata.get("nbgrader", {}).get("grade"):
                check = nbformat.v4.new_code_cell(f"{guard}()")
                try:
                    _execute_hidden(client, check)
                except DeadKernelError:
                    _emit({"event": "kernel_died", "index": index})
                    return
                errors = [out for out in check.outputs if out.output_type == "error"]
                if errors:
                    reason = f"{errors[0].ename}: {errors[0].evalue}"
                    if errors[0].ename == "NameError":
                        reason = "the grader's guard was deleted by the submission"
                    elif errors[0].ename == "CellTimeoutError":
                        reason = "the submission broke the kernel: the grader's check got no reply"
                    _emit({"event": "violation", "index": index, "reason": reason})
                    continue
            try:
                client.execute_cell(cell, index, store_history=True)
            except DeadKernelError:
                _emit({"event": "kernel_died", "index": index})
                return
            _emit({"event": "cell", "index": index, "cell": cell})
        # before the kernel's shutdown: the sandbox is killed as soon as this is read
        _emit({"event": "done", "seconds": time.perf_counter() - start})


def main() -> None:
    # nbformat imports jsonschema, whose optional IRI format checker (rfc3987_syntax) builds a
    # grammar at import: 0.7 s of every sandbox's start here. The runner validates no IRI.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    spec = json.load(sys.stdin)
    try:
        if spec.get("isolation") == "namespaces":
            _loopback_up()
            isolate_filesystem(spec["workdir"], spec.get("hidden_paths", []), spec.get("kept_paths", []),
                               spec["limits"]["tmp_size"], spec["uid"])
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
