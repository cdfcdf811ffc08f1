"""Graded parts measure the student's own work.

A graded part asks the student to write something that the course library already does
(``rk4_step``, the 3D-Var cost, a U-Net's forward pass, ...). While the part's test cell runs,
those library implementations are unavailable to the student's code, so that a submission
which only calls the library earns nothing. The pipeline:

1. every library function that answers a graded part calls :func:`guard_answer` first (one
   attribute test when no part is being graded);
2. each assignment has a module ``dlgd_course.assignments.<slug>`` (``02-forecasting`` →
   ``forecasting``) whose ``PARTS`` maps each part (the grade_id of its solution cell) to a
   :class:`Part`: the library functions that answer it and, where a later cell needs the
   part's result, a reference ``fallback`` with the signature the notebook asks for;
3. a test cell runs inside ``with graded_part(assignment, part) as part:``. Inside the block
   every call of one of the part's answers raises :class:`OwnWorkError`, from any caller and
   any thread, also through aliases taken earlier (``from ... import rk4_step as r``), copies
   of the function and other library routes to it; starting processes, installing trace or
   profile functions and replacing code objects are refused as well (an audit hook, active
   only inside the block);
4. the test's own reference values come from ``part.reference(function, *args)``: a function of
   the installed library runs with the part's answers available in this thread only, and
   still refuses them to code of another notebook cell (the student's) running inside it;
5. a later cell that needs an earlier part's result calls :func:`own_or_reference`: the
   student's function when it works, else the part's reference fallback, and says so, so
   that an unsolved part costs only its own points.

This is an in-process barrier against delegation, not a security boundary: the grader's
sandbox (``dlgd-grade``) checks in addition that the submission did not tamper with how cells
run, and flags it.
"""

from __future__ import annotations

import importlib
import re
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType, MappingProxyType
from typing import Any, TypeVar

import numpy as np
import torch

T = TypeVar("T")

ASSIGNMENT_ID = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*$")

# Audit events refused inside a graded part (outside the test's reference calls): new
# processes (a child would import an unlocked library), trace and profile functions (they can
# jump over a test's lines) and replaced code objects.
_REFUSED_EVENTS = {
    "subprocess.Popen": "start a process",
    "os.system": "start a process",
    "os.exec": "start a process",
    "os.posix_spawn": "start a process",
    "os.spawn": "start a process",
    "os.fork": "start a process",
    "os.forkpty": "start a process",
    "sys.settrace": "install a trace function",
    "sys.setprofile": "install a profile function",
    "code.__new__": "create code objects",
}


class OwnWorkError(RuntimeError):
    """Raised when the student's code uses the course library's answer to the part being
    graded, or tries to get around that barrier."""


@dataclass(frozen=True)
class Part:
    """One graded part of an assignment.

    ``answers``: the library functions that do what the part asks (each calls
    :func:`guard_answer`);
    ``fallback``: the reference result for later cells, called with the arguments of the
    student's function, or a mapping from the notebook's function names to such references
    when the part asks for several functions (``None`` when no later cell needs the part);
    ``check(result, *args, **kwargs)``: a reason to reject a student's result for the later
    cells (a module that ignores its input, say), or ``None`` to accept it;
    ``exact``: later cells take the student's result only when it equals the reference's,
    so that a wrong earlier part is replaced like a missing one;
    ``trains``: the part trains a model (its tests check that it was trained).
    """

    answers: tuple[Callable[..., Any], ...] = ()
    fallback: Callable[..., Any] | Mapping[str, Callable[..., Any]] | None = None
    check: Callable[..., str | None] | None = None
    exact: bool = False
    trains: bool = False

    def __post_init__(self) -> None:
        for answer in (*self.answers, *self.fallbacks().values()):
            code = _code_of(answer)
            if "guard_answer" not in code.co_names:
                raise ValueError(f"{code.co_qualname} does not call guard_answer(): it cannot be locked")
        unlocked = [f.__qualname__ for f in self.fallbacks().values() if f not in self.answers]
        if unlocked:
            raise ValueError(
                f"the fallbacks {unlocked} must be answers of the part too: a "
                "reference with the notebook's signature is the part's answer"
            )

    def fallbacks(self) -> dict[str, Callable[..., Any]]:
        """The reference fallbacks by the notebook's function name (``""`` for a single one)."""
        if self.fallback is None:
            return {}
        if isinstance(self.fallback, Mapping):
            return dict(self.fallback)
        return {"": self.fallback}


@dataclass
class _State:
    """Which library functions are locked (by code qualname → part label, read-only), the
    reference windows open in each thread, and why a lock was found tampered with (kept for
    the grader's sandbox, which flags the submission for review)."""

    locked: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    windows: threading.local = field(default_factory=threading.local)
    hook_installed: bool = False
    tampered: list[str] = field(default_factory=list)


# Kept across importlib.reload: the locks of a running test must survive a reload of this module.
_STATE: _State = globals().get("_STATE") or _State()


def _code_of(function: Callable[..., Any]) -> CodeType:
    code = getattr(function, "__code__", None)
    if not isinstance(code, CodeType):
        raise ValueError(f"{function!r} is not a Python function: it cannot be locked")
    return code


def guard_answer() -> None:
    """First statement of every library function that answers a graded part: raise
    :class:`OwnWorkError` when the calling function is locked by :func:`graded_part`."""
    if not _STATE.locked:
        return
    code = sys._getframe(1).f_code
    label = _STATE.locked.get(code.co_qualname)
    if label is None:
        return
    window = getattr(_STATE.windows, "current", None)
    if window is None:
        raise OwnWorkError(
            f"part {label} must be written in this notebook: the course library's "
            f"`{code.co_qualname}` is not available to your code while the part is graded"
        )
    window.check(sys._getframe(2), code.co_qualname)


# --- the reference window -------------------------------------------------------------------


def _trusted_roots() -> tuple[str, ...]:
    paths = {sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parent)}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(name)
        if path:
            paths.add(path)
    return tuple(sorted(str(Path(path).resolve()) + "/" for path in paths))


_TRUSTED_ROOTS = _trusted_roots()
_TRUSTED_FILES: dict[str, bool] = {}


def _is_library_file(filename: str) -> bool:
    """Installed code (the environment, the standard library, this package), by file name."""
    known = _TRUSTED_FILES.get(filename)
    if known is None:
        resolved = str(Path(filename).resolve()) if filename.startswith("/") else filename
        known = filename.startswith("<frozen ") or resolved.startswith(_TRUSTED_ROOTS)
        _TRUSTED_FILES[filename] = known
    return known


@dataclass
class _Window:
    """A test's reference call in progress: code of the test's own cell and installed code
    may run inside it, nothing else."""

    test_file: str
    stop: FrameType

    def check(self, frame: FrameType | None, qualname: str) -> None:
        while frame is not None and frame is not self.stop:
            filename = frame.f_code.co_filename
            if filename != self.test_file and not _is_library_file(filename):
                raise OwnWorkError(
                    f"code of {filename!r} ran inside the test's reference call to "
                    f"`{qualname}`: the part's answers stay unavailable to it"
                )
            frame = frame.f_back


# --- the lock ---------------------------------------------------------------------------------


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _STATE.locked or getattr(_STATE.windows, "current", None) is not None:
        return
    action = _REFUSED_EVENTS.get(event)
    if action is None and event == "object.__setattr__" and args[1] == "__code__":
        action = "replace the code of a function"
    if action is not None:
        parts = ", ".join(sorted(set(_STATE.locked.values())))
        raise OwnWorkError(f"while part {parts} is graded, the notebook may not {action}")


def assignment_parts(assignment: str) -> Mapping[str, Part]:
    """``PARTS`` of ``dlgd_course.assignments.<slug>`` for an assignment id ``NN-slug``."""
    if not isinstance(assignment, str) or not ASSIGNMENT_ID.match(assignment):
        raise ValueError(f"assignment must be an id like '02-forecasting', got {assignment!r}")
    module_name = "dlgd_course.assignments." + assignment[3:].replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        raise ValueError(
            f"no graded parts are registered for assignment {assignment!r} (module {module_name} is missing)"
        ) from None
    return module.PARTS


def get_part(assignment: str, part: str) -> Part:
    """The registered :class:`Part` ``part`` of ``assignment`` (``ValueError`` if unknown)."""
    parts = assignment_parts(assignment)
    if part not in parts:
        raise ValueError(
            f"assignment {assignment!r} has no part {part!r}; its parts are {', '.join(sorted(parts))}"
        )
    return parts[part]


class GradedPart:
    """The handle of a part being graded (``with graded_part(...) as part``)."""

    def __init__(self, assignment: str, name: str, spec: Part) -> None:
        self.assignment, self.name, self.spec = assignment, name, spec
        self.label = f"`{name}` ({assignment})"
        self._qualnames = {_code_of(answer).co_qualname: answer for answer in spec.answers}

    def reference(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` with the part's library answers available, for the
        test's own reference values. ``function`` must be a function of the installed library
        (a notebook cannot pass its own off as the reference); code of another notebook cell
        that runs inside the call is still refused the answers."""
        code = getattr(getattr(function, "__func__", function), "__code__", None)
        if not isinstance(code, CodeType) or not _is_library_file(code.co_filename):
            raise OwnWorkError(
                f"{function!r} is not a function of the course library: it cannot "
                f"serve as the reference of part {self.label}"
            )
        if getattr(_STATE.windows, "current", None) is not None:
            raise RuntimeError("part.reference calls cannot be nested")
        caller = sys._getframe(1)
        _STATE.windows.current = _Window(test_file=caller.f_code.co_filename, stop=caller)
        try:
            return function(*args, **kwargs)
        finally:
            _STATE.windows.current = None

    def _verify_library(self) -> None:
        """The answers must still be the library's (a submission may rebind module attributes)."""
        for qualname, answer in self._qualnames.items():
            code = _code_of(answer)
            if "guard_answer" not in code.co_names or not _is_library_file(code.co_filename):
                raise OwnWorkError(f"the course library's `{qualname}` was modified by the submission")


@contextmanager
def graded_part(assignment: str, part: str) -> Iterator[GradedPart]:
    """Grade ``part`` of ``assignment``: inside the block the part's library answers are
    unavailable to the student's code (see the module's documentation)."""
    handle = GradedPart(assignment, part, get_part(assignment, part))
    handle._verify_library()
    if _STATE.locked:
        raise RuntimeError(f"graded parts cannot be nested (inside {set(_STATE.locked.values())})")
    if not _STATE.hook_installed:
        sys.addaudithook(_audit)
        _STATE.hook_installed = True
    locked = MappingProxyType(dict.fromkeys(handle._qualnames, handle.label))
    _STATE.locked = locked
    try:
        yield handle
    finally:
        tampered = _STATE.locked is not locked or getattr(_STATE.windows, "current", None) is not None
        _STATE.locked = MappingProxyType({})
        _STATE.windows.current = None
    if tampered:
        reason = f"the lock of part {handle.label} was changed while the part was graded"
        _STATE.tampered.append(reason)
        raise OwnWorkError(reason)


# --- independence of the parts ----------------------------------------------------------------


def own_or_reference(
    assignment: str,
    part: str,
    function: Callable[..., T],
    *args: Any,
    validate: Callable[[T], str | None] | None = None,
    **kwargs: Any,
) -> T:
    """``function(*args, **kwargs)``, the student's own function of ``part``, when it works;
    else the part's reference fallback called with the same arguments, with a notice.

    The student's result is rejected when the function raises, when ``validate(result)`` or
    the part's registered ``check`` returns a reason (a wrong shape, say), and, for an
    ``exact`` part, when it differs from the reference's result. Cells that need an earlier
    part's result use this, so that an unsolved part costs only its own points.
    """
    spec = get_part(assignment, part)
    fallbacks = spec.fallbacks()
    fallback = fallbacks.get(getattr(function, "__name__", ""), fallbacks.get(""))
    if fallback is None:
        raise ValueError(
            f"part {part!r} of {assignment!r} has no reference fallback for "
            f"{getattr(function, '__name__', function)!r}"
        )
    expected: Any = _NOT_COMPUTED
    try:
        result = function(*args, **kwargs)
        reason = validate(result) if validate is not None else None
        if reason is None and spec.check is not None:
            reason = spec.check(result, *args, **kwargs)
        if reason is None and spec.exact:
            expected = fallback(*args, **kwargs)
            reason = mismatch(result, expected)
            if reason is not None:
                reason = f"its result differs from the reference: {reason}"
    except Exception as error:  # any failure of the student's code: fall back
        message = str(error).strip().splitlines()
        reason = type(error).__name__ + (f": {message[0]}" if message else "")
    if reason is None:
        return result
    print(
        f"[grader] part `{part}` is not solved yet ({reason}); the cells below use the "
        "course's reference result instead, so that the other parts can still be graded."
    )
    return fallback(*args, **kwargs) if expected is _NOT_COMPUTED else expected


_NOT_COMPUTED = object()


def _as_float64(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def mismatch(result: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6) -> str | None:
    """Why ``result`` differs from ``expected`` (tensors, arrays, numbers, and tuples, lists
    and dicts of them, compared numerically), or ``None`` when they agree."""
    if isinstance(expected, Mapping):
        if not isinstance(result, Mapping) or any(key not in result for key in expected):
            return f"expected a dict with the keys {list(expected)}"
        pairs = [(f"[{key!r}]", result[key], expected[key]) for key in expected]
    elif isinstance(expected, tuple | list):
        if not isinstance(result, tuple | list) or len(result) != len(expected):
            return f"expected a {type(expected).__name__} of {len(expected)} items"
        pairs = [
            (f"[{index}]", got, want) for index, (got, want) in enumerate(zip(result, expected, strict=True))
        ]
    else:
        try:
            got = _as_float64(result)
        except (TypeError, ValueError):
            return f"expected numbers, got {type(result).__name__}"
        want = _as_float64(expected)
        if got.shape != want.shape:
            return f"shape {got.shape} instead of {want.shape}"
        if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
            return "values differ"
        return None
    for where, got, want in pairs:
        reason = mismatch(got, want, rtol=rtol, atol=atol)
        if reason is not None:
            return f"{where}: {reason}"
    return None


# --- "trained" means trained --------------------------------------------------------------------


def parameter_snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Detached copies of ``module``'s parameters, by name (take it before training)."""
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def check_trained(
    module: torch.nn.Module,
    initial: Mapping[str, torch.Tensor],
    predict: Callable[[torch.nn.Module], torch.Tensor],
    *,
    min_change: float = 1e-3,
) -> None:
    """Raise ``AssertionError`` unless ``module`` was trained from ``initial`` and its output
    depends on its parameters.

    ``initial``: :func:`parameter_snapshot` taken before training; ``predict(module)``: the
    module's output on a probe input. Checked: the parameters moved (relative change of the
    whole parameter vector > ``min_change``), and perturbing them by 10 % changes the output.
    """
    params = dict(module.named_parameters())
    assert params, "the model has no trainable parameters: nothing was learned"
    assert set(params) == set(initial), (
        f"the model's parameters are not the ones it started training with: "
        f"{sorted(set(params) ^ set(initial))[:5]}"
    )
    with torch.no_grad():
        moved = sum(float((p.detach().cpu() - initial[n].cpu()).square().sum()) for n, p in params.items())
        size = sum(float(initial[n].square().sum()) for n in params)
        change = (moved / max(size, 1e-30)) ** 0.5
        assert change > min_change, (
            f"the model's parameters moved by {change:.1e} (relative) from their initial values: "
            f"it was not trained"
        )
        before = predict(module).detach().clone()
        saved = {n: p.detach().clone() for n, p in params.items()}
        generator = torch.Generator().manual_seed(0)
        try:
            for p in params.values():
                noise = torch.randn(p.shape, generator=generator, dtype=p.dtype).to(p.device)
                p.mul_(1 + 0.1 * noise).add_(0.01 * noise)
            after = predict(module).detach()
        finally:
            for n, p in params.items():
                p.copy_(saved[n])
        difference = float((after - before).abs().max())
        assert difference > 1e-6 * (1 + float(before.abs().max())), (
            "perturbing the model's parameters does not change its output: its predictions do "
            "not come from the trained network"
        )
