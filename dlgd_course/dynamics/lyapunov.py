"""Lyapunov exponents of a discretised flow by tangent propagation and QR re-orthonormalisation.

Benettin et al. (1980), Shimada & Nagashima (1979): propagate ``n_exponents``
tangent vectors Q with the Jacobian of the one-step map M, re-orthonormalise by QR
after each step, and average the logarithms of the diagonal of R:

    λ_i ≈ 1 / (n_steps · dt) Σ_n log abs(R⁽ⁿ⁾_ii).

The Jacobian–vector products use central differences,
``M'(x) q ≈ (M(x + εq) − M(x − εq)) / 2ε`` with ε = eps^{1/3} of the dtype, which is
accurate to ~1e-10 in float64 (the tests compare it with ``torch.func.jvp``) and
about 25 times faster on a CPU than forward-mode autodiff for these small systems.
Tangent vectors are first aligned for ``alignment_steps`` (growth discarded):
without it short runs overestimate the leading exponent.

Batched over leading dimensions of the initial state: independent trajectories give
independent estimates, whose mean and spread tell the sampling error.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlgd_course.dynamics.base import DynamicalSystem
from dlgd_course.dynamics.integrate import Stepper, check_time_step, get_stepper
from dlgd_course.own_work import guard_answer


def lyapunov_spectrum(
    system: DynamicalSystem,
    initial_state: Tensor,
    dt: float,
    n_steps: int,
    n_exponents: int | None = None,
    stepper: str | Stepper = "rk4",
    spinup_steps: int = 0,
    alignment_steps: int = 500,
) -> Tensor:
    """The ``n_exponents`` leading Lyapunov exponents (per time unit) of ``system``.

    Args:
        system: a system whose state is a vector ``(..., d)``.
        initial_state: ``(..., d)``; each leading index is an independent trajectory.
        dt: time step of the stepper (time units).
        n_steps: steps over which exponents are averaged (after ``spinup_steps``).
        n_exponents: how many, default all ``d``.
        spinup_steps: steps run first to reach the attractor (state only).
        alignment_steps: steps that align the tangent vectors, growth not counted.

    Returns:
        Tensor ``(..., n_exponents)`` in decreasing order (per trajectory).
    """
    guard_answer()
    system.check_state(initial_state)
    if len(system.state_shape) != 1:
        raise ValueError(f"{system.name}: Lyapunov exponents need a vector state")
    dt = check_time_step(dt)
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    dimension = system.state_shape[0]
    n_exponents = dimension if n_exponents is None else n_exponents
    if not 1 <= n_exponents <= dimension:
        raise ValueError(f"n_exponents must be between 1 and {dimension}, got {n_exponents}")
    step = get_stepper(stepper)

    def one_step(state: Tensor) -> Tensor:
        return step(system.tendency, state, dt)

    epsilon = torch.finfo(initial_state.dtype).eps ** (1.0 / 3.0)
    with torch.no_grad():
        state = initial_state
        for _ in range(spinup_steps):
            state = one_step(state)
        batch_shape = state.shape[:-1]
        # Tangent vectors stored as rows: (..., n_exponents, d).
        eye = torch.eye(dimension, n_exponents, dtype=state.dtype, device=state.device)
        tangents = eye.T.expand(*batch_shape, n_exponents, dimension).contiguous()
        log_growth = torch.zeros(*batch_shape, n_exponents, dtype=state.dtype, device=state.device)
        for step_index in range(alignment_steps + n_steps):
            centre = state.unsqueeze(-2)
            pushed = (one_step(centre + epsilon * tangents) - one_step(centre - epsilon * tangents)) / (
                2.0 * epsilon
            )
            state = one_step(state)
            q, r = torch.linalg.qr(pushed.transpose(-1, -2))  # columns are the pushed vectors
            if step_index >= alignment_steps:
                log_growth += torch.log(torch.diagonal(r, dim1=-2, dim2=-1).abs())
            tangents = q.transpose(-1, -2)
        if not torch.isfinite(log_growth).all():
            raise FloatingPointError("Lyapunov computation diverged (NaN/inf)")
    exponents = log_growth / (n_steps * dt)
    return exponents.sort(dim=-1, descending=True).values


def kaplan_yorke_dimension(exponents: Tensor) -> Tensor:
    """Kaplan–Yorke dimension ``j + Σ_{i≤j} λ_i / |λ_{j+1}|`` from a sorted spectrum ``(..., d)``.

    ``j`` is the largest number of leading exponents whose sum is non-negative: 0 when even
    the largest exponent is negative (a stable fixed point, dimension 0) and ``d`` when the
    whole sum is non-negative (dimension ``d``). Kaplan & Yorke (1979), *Chaotic behavior of
    multidimensional difference equations*, Lecture Notes in Mathematics 730.
    """
    cumulative = exponents.cumsum(dim=-1)
    j = (cumulative >= 0).sum(dim=-1)  # number of leading exponents with non-negative sum
    d = exponents.shape[-1]
    j_clamped = j.clamp(max=d - 1)
    partial = torch.gather(cumulative, -1, (j_clamped - 1).clamp(min=0).unsqueeze(-1)).squeeze(-1)
    next_exponent = torch.gather(exponents, -1, j_clamped.unsqueeze(-1)).squeeze(-1)
    dimension = j + partial / next_exponent.abs()
    dimension = torch.where(j >= d, torch.full_like(dimension, float(d)), dimension)
    return torch.where(j == 0, torch.zeros_like(dimension), dimension)
