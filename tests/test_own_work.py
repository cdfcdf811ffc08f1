"""The barrier that keeps the library's answers out of a graded part (dlgd_course.own_work).

A "student cell" is simulated by compiling code under a file name outside the installed
library, as IPython does for notebook cells (``/tmp/ipykernel_<pid>/<hash>.py``).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
import types

import pytest
import torch

from dlgd_course import dynamics
from dlgd_course.own_work import (
    OwnWorkError,
    Part,
    assignment_parts,
    get_part,
    graded_part,
    guard_answer,
    mismatch,
    own_or_reference,
)

ASSIGNMENT = "00-pytorch-lightning"


def student_cell(source: str) -> dict:
    """Execute ``source`` as a notebook cell would be (its own file name); return its namespace."""
    namespace = {"dynamics": dynamics, "torch": torch}
    exec(compile(source, "/tmp/ipykernel_4242/1234567.py", "exec"), namespace)
    return namespace


def decay(x: torch.Tensor) -> torch.Tensor:
    return -x


def test_answers_work_outside_a_graded_part() -> None:
    out = dynamics.rk4_step(decay, torch.ones(2), 0.1)
    assert torch.allclose(out, torch.full((2,), 1 - 0.1 + 0.1**2 / 2 - 0.1**3 / 6 + 0.1**4 / 24))


def test_direct_alias_copy_and_library_routes_are_refused() -> None:
    alias = dynamics.rk4_step  # captured before the part is graded
    copy = types.FunctionType(alias.__code__, alias.__globals__, "my_step")
    cell = student_cell("def rk4(f, x, dt):\n    return dynamics.rk4_step(f, x, dt)\n")
    with graded_part(ASSIGNMENT, "rk4_step"):
        for attempt in (
            lambda: cell["rk4"](decay, torch.ones(2), 0.1),
            lambda: alias(decay, torch.ones(2), 0.1),
            lambda: copy(decay, torch.ones(2), 0.1),
            lambda: dynamics.Lorenz63().integrate(torch.ones(3), 0.01, 2),
            lambda: dynamics.Lorenz63().step(torch.ones(3), 0.01),
        ):
            with pytest.raises(OwnWorkError, match="must be written in this notebook"):
                attempt()
        # what the part does not ask for stays available
        assert dynamics.Lorenz63().tendency(torch.ones(3)).shape == (3,)
    # released at the end of the block
    assert cell["rk4"](decay, torch.ones(2), 0.1).shape == (2,)


def test_reloaded_module_is_refused_too() -> None:
    module = importlib.import_module("dlgd_course.dynamics.integrate")
    reloaded = importlib.reload(module).rk4_step
    with graded_part(ASSIGNMENT, "rk4_step"), pytest.raises(OwnWorkError):
        reloaded(decay, torch.ones(2), 0.1)


def test_other_threads_are_refused() -> None:
    errors: list[BaseException] = []

    def call() -> None:
        try:
            dynamics.lorenz63_tendency(torch.ones(3), 10.0, 28.0, 8 / 3)
        except BaseException as error:  # noqa: BLE001 (collected for the assertion)
            errors.append(error)

    with graded_part(ASSIGNMENT, "lorenz63_tendency") as part:
        thread = threading.Thread(target=call)
        thread.start()
        thread.join()
        # the test's own reference call, in this thread, is allowed meanwhile
        expected = part.reference(dynamics.lorenz63_tendency, torch.ones(3), 10.0, 28.0, 8 / 3)
    assert len(errors) == 1 and isinstance(errors[0], OwnWorkError)
    assert torch.allclose(expected, torch.tensor([0.0, 26.0, 1 - 8 / 3]))


def test_reference_refuses_notebook_code_running_inside_it() -> None:
    cell = student_cell("def sneaky(x):\n    return dynamics.lorenz63_tendency(x, 10.0, 28.0, 8/3)\n")
    with graded_part(ASSIGNMENT, "rk4_step") as part:
        # the student's tendency may run inside the reference: it calls nothing this part locks
        assert part.reference(dynamics.rk4_step, cell["sneaky"], torch.ones(3), 0.01).shape == (3,)
    # in this part the tendency is locked as well: the student's code may not reach it
    with graded_part(ASSIGNMENT, "flow_map") as part, pytest.raises(OwnWorkError, match="ran inside"):
        part.reference(dynamics.rk4_step, cell["sneaky"], torch.ones(3), 0.01)


def test_reference_accepts_only_library_functions() -> None:
    fake = student_cell("def rk4_step(f, x, dt):\n    return x\n")["rk4_step"]
    with graded_part(ASSIGNMENT, "rk4_step") as part:
        with pytest.raises(OwnWorkError, match="not a function of the course library"):
            part.reference(fake, decay, torch.ones(2), 0.1)
        with pytest.raises(OwnWorkError, match="not a function of the course library"):
            part.reference(decay, torch.ones(2))
        # any library function, methods included, serves (data for hidden tests)
        trajectory = part.reference(dynamics.Lorenz63().integrate, torch.ones(3), 0.01, 2)
        assert trajectory.shape == (3, 3)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=False),
        lambda: sys.settrace(None),
        lambda: sys.setprofile(None),
        lambda: setattr(decay, "__code__", decay.__code__),
        lambda: decay.__code__.replace(co_qualname="renamed"),
    ],
    ids=["process", "settrace", "setprofile", "set_code", "new_code"],
)
def test_ways_around_the_barrier_are_refused(attempt) -> None:
    with graded_part(ASSIGNMENT, "rk4_step"), pytest.raises(OwnWorkError, match="may not"):
        attempt()
    attempt()  # allowed again outside


def test_lock_is_released_on_failure_and_not_nested() -> None:
    with pytest.raises(AssertionError), graded_part(ASSIGNMENT, "rk4_step"):
        raise AssertionError("a failing test")
    dynamics.rk4_step(decay, torch.ones(1), 0.1)
    with graded_part(ASSIGNMENT, "rk4_step"), pytest.raises(RuntimeError, match="nested"):
        with graded_part(ASSIGNMENT, "standardize"):
            pass


def test_a_cleared_lock_fails_the_part() -> None:
    import types as module_types

    import dlgd_course.own_work as own_work

    assert not hasattr(own_work._STATE.locked, "clear"), "the lock is read-only"
    changed = pytest.raises(OwnWorkError, match="lock of part .* was changed")
    try:
        with changed, graded_part(ASSIGNMENT, "rk4_step"):
            own_work._STATE.locked = module_types.MappingProxyType({})
            dynamics.rk4_step(decay, torch.ones(1), 0.1)
        assert own_work._STATE.tampered, "recorded for the grader's sandbox"
    finally:
        own_work._STATE.tampered.clear()
    dynamics.rk4_step(decay, torch.ones(1), 0.1)  # released


def test_modified_library_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry resolved after the submission rebound a library function gets the student's
    function, which is refused even if it calls the guard."""
    registry = importlib.import_module("dlgd_course.assignments.pytorch_lightning")
    fake = student_cell(
        "from dlgd_course.own_work import guard_answer\n"
        "def rk4_step(f, x, dt):\n    guard_answer()\n    return x\n"
    )["rk4_step"]
    monkeypatch.setitem(registry.PARTS, "rk4_step", Part(answers=(fake,)))
    with pytest.raises(OwnWorkError, match="modified by the submission"), graded_part(ASSIGNMENT, "rk4_step"):
        pass


def test_registry_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="assignment must be an id"):
        get_part("pytorch", "rk4_step")
    with pytest.raises(ValueError, match="no graded parts are registered"):
        get_part("99-nothing-here", "x")
    with pytest.raises(ValueError, match="has no part 'rk5'"):
        get_part(ASSIGNMENT, "rk5")
    with pytest.raises(ValueError, match="does not call guard_answer"):
        Part(answers=(decay,))
    with pytest.raises(ValueError, match="must be answers of the part too"):
        Part(answers=(dynamics.lorenz63_tendency,), fallback=dynamics.rk4_step)
    assert set(assignment_parts(ASSIGNMENT)) >= {"rk4_step", "flow_map"}


def test_guard_costs_nothing_when_no_part_is_graded() -> None:
    guard_answer()  # a no-op outside a graded part


def test_own_or_reference_falls_back_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    registry = {"windows": Part(answers=(dynamics.rk4_step,), fallback=dynamics.rk4_step)}
    module = types.ModuleType("dlgd_course.assignments.fixture_only")
    module.PARTS = registry
    sys.modules[module.__name__] = module
    try:
        unsolved = student_cell("def step(f, x, dt):\n    raise NotImplementedError()\n")["step"]
        out = own_or_reference("98-fixture-only", "windows", unsolved, decay, torch.ones(2), 0.1)
        assert torch.allclose(out, dynamics.rk4_step(decay, torch.ones(2), 0.1))
        assert "part `windows` is not solved yet (NotImplementedError)" in capsys.readouterr().out
        wrong_shape = student_cell("def step(f, x, dt):\n    return x[:1]\n")["step"]
        out = own_or_reference(
            "98-fixture-only",
            "windows",
            wrong_shape,
            decay,
            torch.ones(2),
            0.1,
            validate=lambda r: None if r.shape == (2,) else f"shape {tuple(r.shape)}",
        )
        assert out.shape == (2,) and "shape (1,)" in capsys.readouterr().out
        own = own_or_reference("98-fixture-only", "windows", wrong_shape, decay, torch.ones(2), 0.1)
        assert own.shape == (1,) and capsys.readouterr().out == ""
    finally:
        del sys.modules[module.__name__]


def test_exact_parts_replace_wrong_results_and_checks_reject(capsys: pytest.CaptureFixture[str]) -> None:
    """``exact``: a wrong earlier result is replaced like a missing one; ``check``: a registered
    reason to reject; a mapping of fallbacks serves the notebook's functions by name."""
    cell = student_cell(
        "def step(f, x, dt):\n    return x + dt * f(x)\n"  # Euler: runs, but wrong
        "def half(x):\n    return x / 2\n"
    )
    module = types.ModuleType("dlgd_course.assignments.fixture_exact")
    module.PARTS = {
        "rk4": Part(answers=(dynamics.rk4_step,), fallback=dynamics.rk4_step, exact=True),
        "checked": Part(
            answers=(dynamics.rk4_step,),
            fallback={"half": dynamics.rk4_step},
            check=lambda result, *args: "too small" if float(result.sum()) < 1 else None,
        ),
    }
    sys.modules[module.__name__] = module
    try:
        out = own_or_reference("97-fixture-exact", "rk4", cell["step"], decay, torch.ones(2), 0.1)
        assert torch.allclose(out, dynamics.rk4_step(decay, torch.ones(2), 0.1))
        assert "differs from the reference: values differ" in capsys.readouterr().out
        with pytest.raises(ValueError, match="no reference fallback for 'step'"):
            own_or_reference("97-fixture-exact", "checked", cell["step"], decay, torch.ones(2), 0.1)
        assert own_or_reference("97-fixture-exact", "checked", cell["half"], torch.ones(4)).sum() == 2
        assert capsys.readouterr().out == ""
    finally:
        del sys.modules[module.__name__]


def test_mismatch_compares_nested_results_numerically() -> None:
    import numpy as np

    expected = {"train": (torch.ones(2, 3), torch.zeros(2)), "rmse": 0.5}
    assert mismatch({"train": (np.ones((2, 3)), torch.zeros(2)), "rmse": 0.5, "extra": 1}, expected) is None
    assert mismatch({"train": (torch.ones(3, 2), torch.zeros(2)), "rmse": 0.5}, expected) == (
        "['train']: [0]: shape (3, 2) instead of (2, 3)"
    )
    assert mismatch({"train": (torch.ones(2, 3),), "rmse": 0.5}, expected) == (
        "['train']: expected a tuple of 2 items"
    )
    assert mismatch({"rmse": 0.5}, expected).startswith("expected a dict with the keys")
    assert mismatch("not numbers", 1.0) == "expected numbers, got str"
