"""Shock-capturing finite-volume solver of Burgers' equation and its Cole–Hopf check.

    ∂u/∂t + ∂(u²/2)/∂x = ν ∂²u/∂x²,    x ∈ [-1, 1) periodic (cell averages u_i, Δx = 2 / n_cells).

Flux form: du_i/dt = -(F_{i+1/2} - F_{i-1/2}) / Δx + ν (u_{i+1} - 2u_i + u_{i-1}) / Δx², with the
exact Riemann (Godunov) flux of f(u) = u²/2 between face values reconstructed from minmod-limited
slopes (MUSCL, van Leer 1979), and Heun's step (second-order strong-stability-preserving
Runge–Kutta, Shu & Osher 1988). The scheme conserves Σ u_i Δx exactly, creates no new extremum
at shocks (unlike a spectral solver on a grid coarser than the shock, which produces Gibbs
oscillations), and is made of torch operations, so it is differentiable end to end (the minmod
limiter and the Godunov flux are piecewise smooth). Lectures 1 and 3 use it.

Exact solution (Cole 1951, Hopf 1950): u = -2ν ∂ₓ log φ with φ solving the heat equation; for
u₀ = -sin(πx), u(x, t) = -∫ sin(π(x-η)) w(η) dη / ∫ w(η) dη with
w(η) = exp(-cos(π(x-η)) / (2πν) - η² / (4νt)) (Basdevant et al. 1986), see :func:`cole_hopf_sine`.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from dlgd_course.own_work import guard_answer


def cell_centres(n_cells: int, dtype: torch.dtype = torch.float64) -> Tensor:
    """Centres of ``n_cells`` equal cells covering [-1, 1), shape ``(n_cells,)``."""
    if n_cells < 3:
        raise ValueError(f"n_cells must be at least 3, got {n_cells}")
    return -1 + 2 * (torch.arange(n_cells, dtype=dtype) + 0.5) / n_cells


def godunov_flux(left: Tensor, right: Tensor) -> Tensor:
    """Exact Riemann flux of f(u) = u²/2 between face values ``left`` (u⁻) and ``right`` (u⁺)."""
    guard_answer()
    return torch.maximum(0.5 * left.clamp(min=0) ** 2, 0.5 * right.clamp(max=0) ** 2)


def minmod(a: Tensor, b: Tensor) -> Tensor:
    """The smaller of ``a`` and ``b`` in magnitude where they have the same sign, else 0."""
    return 0.5 * (torch.sign(a) + torch.sign(b)) * torch.minimum(a.abs(), b.abs())


def burgers_tendency(u: Tensor, nu: float) -> Tensor:
    """du/dt of cell averages ``u (..., n_cells)`` on [-1, 1): MUSCL–Godunov advection plus
    central diffusion with viscosity ``nu``. Same shape as ``u``."""
    guard_answer()
    dx = 2.0 / u.shape[-1]
    jump = u - u.roll(1, -1)  # u_i - u_{i-1}
    slope = minmod(jump, jump.roll(-1, -1))
    flux = godunov_flux(u + 0.5 * slope, (u - 0.5 * slope).roll(-1, -1))  # at face i + 1/2
    diffusion = nu * (u.roll(-1, -1) - 2 * u + u.roll(1, -1)) / dx**2
    return -(flux - flux.roll(1, -1)) / dx + diffusion


def stable_step(n_cells: int, nu: float, max_speed: float, courant: float = 0.45) -> float:
    """Largest Heun step ``courant / (max_speed / Δx + 2ν / Δx²)`` for this grid, in time units."""
    dx = 2.0 / n_cells
    return courant / (max_speed / dx + 2 * nu / dx**2)


def burgers_fv(u0: Tensor, nu: float, frame_dt: float, n_frames: int, substeps: int) -> Tensor:
    """States at frames 0..n_frames, shape ``(n_frames + 1, *u0.shape)``, each frame ``frame_dt``
    apart and reached by ``substeps`` Heun steps. ``u0 (..., n_cells)`` holds cell averages; keep
    ``frame_dt / substeps`` below :func:`stable_step`."""
    guard_answer()
    if n_frames < 1 or substeps < 1:
        raise ValueError(f"n_frames and substeps must be positive, got {n_frames} and {substeps}")
    h = frame_dt / substeps
    frames, u = [u0], u0
    for _ in range(n_frames):
        for _ in range(substeps):
            predictor = u + h * burgers_tendency(u, nu)
            u = 0.5 * (u + predictor + h * burgers_tendency(predictor, nu))
        frames.append(u)
    return torch.stack(frames)


def cole_hopf_sine(x: Tensor, t: float, nu: float, n_quadrature: int = 20001) -> Tensor:
    """Exact u(x, t) of viscous Burgers for u₀ = -sin(πx) on [-1, 1) periodic, shape of ``x``.

    The Cole–Hopf integrals are evaluated by the trapezoidal rule on η ∈ [-1, 1] (the Gaussian
    weight is negligible beyond for ``4νt`` ≪ 1) with normalised (softmax) weights, stable for
    small ``nu``.
    """
    if t <= 0 or nu <= 0:
        raise ValueError(f"t and nu must be positive, got t={t}, nu={nu}")
    eta = torch.linspace(-1, 1, n_quadrature, dtype=x.dtype)
    shifted = x.unsqueeze(-1) - eta
    log_weights = -torch.cos(math.pi * shifted) / (2 * math.pi * nu) - eta**2 / (4 * nu * t)
    return -(torch.softmax(log_weights, dim=-1) * torch.sin(math.pi * shifted)).sum(-1)
