"""Time steppers and the integrator, kept apart from the tendencies.

A *tendency* is a function ``f(state) -> d state / dt`` acting on tensors of shape
``(..., *state_shape)``; every operation is batched over the leading dimensions,
works on any device and dtype and is differentiable with autograd.

A *stepper* advances the autonomous ODE ``dx/dt = f(x)`` by one step of length
``dt`` (time units of the system):

    euler_step:  x_{n+1} = x_n + dt f(x_n)                           (order 1)
    heun_step:   x_{n+1} = x_n + dt/2 (k1 + k2),  k2 = f(x_n + dt k1)  (order 2)
    rk4_step:    x_{n+1} = x_n + dt/6 (k1 + 2 k2 + 2 k3 + k4)         (order 4)

The integrator repeats a stepper and stores a snapshot every ``save_every`` steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from dlgd_course.own_work import guard_answer

Tendency = Callable[[Tensor], Tensor]
Stepper = Callable[[Tendency, Tensor, float], Tensor]


class IntegrationDivergedError(FloatingPointError):
    """The state became NaN or infinite during an integration."""


def check_time_step(dt: float) -> float:
    """Return ``dt`` as a float, or raise ``ValueError`` when it is not positive and finite."""
    if isinstance(dt, Tensor):
        if dt.numel() != 1:
            raise ValueError(f"time step dt must be a scalar, got a tensor of shape {tuple(dt.shape)}")
        dt = float(dt)
    if isinstance(dt, bool) or not isinstance(dt, (int, float)):
        raise ValueError(f"time step dt must be a number, got {type(dt).__name__}")
    if not math.isfinite(dt) or dt <= 0:
        raise ValueError(f"time step dt must be positive and finite, got {dt}")
    return float(dt)


def check_finite(state: Tensor, what: str = "state") -> None:
    """Raise ``ValueError`` when ``state`` holds a NaN or an infinity."""
    if not torch.isfinite(state).all():
        n_bad = int((~torch.isfinite(state)).sum())
        raise ValueError(f"{what} contains {n_bad} NaN/inf value(s)")


def euler_step(tendency: Tendency, state: Tensor, dt: float) -> Tensor:
    """Explicit (forward) Euler step: ``x + dt f(x)``. First order."""
    return state + dt * tendency(state)


def heun_step(tendency: Tendency, state: Tensor, dt: float) -> Tensor:
    """Heun's method (explicit trapezoidal rule). Second order."""
    guard_answer()
    k1 = tendency(state)
    k2 = tendency(state + dt * k1)
    return state + 0.5 * dt * (k1 + k2)


def rk4_step(tendency: Tendency, state: Tensor, dt: float) -> Tensor:
    """Classical fourth-order Runge–Kutta step."""
    guard_answer()
    k1 = tendency(state)
    k2 = tendency(state + 0.5 * dt * k1)
    k3 = tendency(state + 0.5 * dt * k2)
    k4 = tendency(state + dt * k3)
    return state + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


STEPPERS: dict[str, Stepper] = {"euler": euler_step, "heun": heun_step, "rk4": rk4_step}
STEPPER_ORDER: dict[str, int] = {"euler": 1, "heun": 2, "rk4": 4}


def get_stepper(stepper: str | Stepper) -> Stepper:
    """Resolve a stepper given by name (``"euler"``, ``"heun"``, ``"rk4"``) or as a function."""
    if callable(stepper):
        return stepper
    try:
        return STEPPERS[stepper]
    except KeyError:
        raise ValueError(
            f"unknown stepper {stepper!r}; choose one of {sorted(STEPPERS)} or pass a function"
        ) from None


def integrate(
    tendency: Tendency,
    initial_state: Tensor,
    dt: float,
    n_steps: int,
    stepper: str | Stepper = "rk4",
    save_every: int = 1,
) -> Tensor:
    """Integrate ``dx/dt = tendency(x)`` from ``initial_state`` for ``n_steps`` steps of ``dt``.

    Args:
        tendency: batched right-hand side.
        initial_state: tensor ``(..., *state_shape)``.
        dt: time step (time units of the system), positive.
        n_steps: number of steps, >= 0.
        stepper: ``"euler"``, ``"heun"``, ``"rk4"`` or a function ``(tendency, x, dt) -> x``.
        save_every: keep one snapshot every ``save_every`` steps.

    Returns:
        Tensor ``(n_steps // save_every + 1, ..., *state_shape)``: the initial state
        first, then every ``save_every``-th state.

    Raises:
        ValueError: bad ``dt``, ``n_steps``, ``save_every`` or a non-finite initial state.
        IntegrationDivergedError: the state became NaN/inf; the message gives the step.
    """
    dt = check_time_step(dt)
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}")
    if isinstance(save_every, bool) or not isinstance(save_every, int) or save_every < 1:
        raise ValueError(f"save_every must be a positive integer, got {save_every!r}")
    check_finite(initial_state, "initial state")
    step = get_stepper(stepper)

    state = initial_state
    snapshots = [state]
    # Checking finiteness forces a device sync; do it once per stored snapshot.
    for step_index in range(1, n_steps + 1):
        state = step(tendency, state, dt)
        if step_index % save_every == 0:
            if not torch.isfinite(state).all():
                raise IntegrationDivergedError(
                    f"integration diverged (NaN/inf) by step {step_index} "
                    f"(t = {step_index * dt:g}); reduce dt or check the parameters"
                )
            snapshots.append(state)
    if not torch.isfinite(state).all():
        raise IntegrationDivergedError(
            f"integration diverged (NaN/inf) by step {n_steps} (t = {n_steps * dt:g})"
        )
    return torch.stack(snapshots)
