"""Identification, embedding and chaos of Lecture 4 (book/lectures/04-dynamical-systems.md), as
reference code.

Lorenz-63 is identified from samples by sparse regression over a library of monomials
(SINDy, Brunton, Proctor & Kutz 2016, PNAS 113), observed through one variable by delay
embedding (Takens 1981), and its chaos measured by the largest Lyapunov exponent. Each
function is the reference answer of one part of exercise ``14-dynamical-systems``:

- :func:`quadratic_library`: Θ(x) = [1, x_i, x_i x_j (i ≤ j)], the monomials of degree ≤ 2;
- :func:`central_difference`: ẋ(t_k) ≈ (x_{k+1} − x_{k−1}) / (2Δ), second-order accurate;
- :func:`stlsq`: sequentially thresholded least squares, min ‖Θ Ξ − Ẋ‖² with the small
  coefficients set to zero and the others refitted;
- :func:`delay_embedding`: rows (x(t), x(t − τ), …, x(t − (m − 1)τ));
- :func:`largest_lyapunov_exponent`: λ₁ by two nearby trajectories, renormalised after each
  step (Benettin, Galgani & Strelcyn 1976, Phys. Rev. A 14; Benettin et al. 1980, Meccanica 15).

:func:`lorenz63_coefficients` gives the true Ξ of Lorenz-63 in the order of
:func:`quadratic_library`, and :func:`sparse_tendency` the tendency Ξᵀ Θ(x) of identified
coefficients (a route to the library of monomials, locked with it).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from dlgd_course.dynamics.integrate import rk4_step
from dlgd_course.forecasting.models import polynomial_features
from dlgd_course.own_work import guard_answer

#: Names of the columns of :func:`quadratic_library` for a state (x, y, z).
LORENZ63_TERMS = ("1", "x", "y", "z", "x²", "xy", "xz", "y²", "yz", "z²")


def quadratic_library(states: Tensor) -> Tensor:
    """Θ(x): the monomials of degree ≤ 2 of ``states (..., d)``, shape ``(..., 1 + d + d(d+1)/2)``,
    in the order ``[1, x_1, …, x_d, x_1 x_1, x_1 x_2, …, x_1 x_d, x_2 x_2, …, x_d x_d]``."""
    guard_answer()
    return polynomial_features(states, degree=2)


def central_difference(samples: Tensor, spacing: float) -> Tensor:
    """Derivative estimates ``(T − 2, ...)`` at ``samples[1:-1]`` of ``samples (T, ...)`` taken
    every ``spacing`` time units: (x_{k+1} − x_{k−1}) / (2 spacing), error O(spacing² x''')."""
    guard_answer()
    if samples.shape[0] < 3:
        raise ValueError(f"central differences need at least 3 samples, got {samples.shape[0]}")
    if spacing <= 0:
        raise ValueError(f"spacing must be > 0, got {spacing}")
    return (samples[2:] - samples[:-2]) / (2 * spacing)


def stlsq(theta: Tensor, derivative: Tensor, threshold: float, n_rounds: int = 10) -> Tensor:
    """Sequentially thresholded least squares: coefficients Ξ ``(n_terms, d)`` with
    ``theta (T, n_terms) @ Ξ ≈ derivative (T, d)``.

    Ξ starts as the least-squares solution; then, ``n_rounds`` times, the coefficients with
    |Ξ_ij| < ``threshold`` are set to zero and each column's other coefficients are refitted
    by least squares on their terms alone (a column left with no term stays zero).
    """
    guard_answer()
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    xi = torch.linalg.lstsq(theta, derivative).solution
    for _ in range(n_rounds):
        small = xi.abs() < threshold
        xi[small] = 0.0
        for column in range(derivative.shape[-1]):
            keep = ~small[:, column]
            if keep.any():
                xi[keep, column] = torch.linalg.lstsq(
                    theta[:, keep], derivative[:, column : column + 1]
                ).solution[:, 0]
    return xi


def delay_embedding(series: Tensor, dimension: int, delay: int) -> Tensor:
    """Delay vectors of ``series (T,)``: shape ``(T − (dimension − 1) delay, dimension)``, row k
    = (x(t), x(t − delay), …, x(t − (dimension − 1) delay)) at t = k + (dimension − 1) delay
    (delay in samples)."""
    guard_answer()
    if dimension < 1 or delay < 1:
        raise ValueError(f"dimension and delay must be >= 1, got {dimension} and {delay}")
    span = (dimension - 1) * delay
    if series.shape[0] <= span:
        raise ValueError(f"a series of {series.shape[0]} samples is too short for a span of {span}")
    n_rows = series.shape[0] - span
    return torch.stack([series[span - j * delay : span - j * delay + n_rows] for j in range(dimension)], -1)


def largest_lyapunov_exponent(
    tendency: Callable[[Tensor], Tensor],
    state: Tensor,
    dt: float,
    n_steps: int,
    separation: float = 1e-8,
    transient_steps: int = 100,
) -> Tensor:
    """Largest Lyapunov exponent (per time unit) of dx/dt = tendency(x) by two nearby
    trajectories (Benettin et al. 1976), batched: ``state (..., d)`` → ``(...)``.

    The companion starts at ``state + separation · (1, …, 1)/√d``; both advance by RK4 steps of
    ``dt``; after each step the distance δ between them is measured and the companion put back
    at the distance ``separation`` along the same direction. The first ``transient_steps``
    steps align the direction; over the next ``n_steps`` the exponent is
    λ₁ = Σ log(δ / separation) / (n_steps · dt).
    """
    guard_answer()
    if n_steps < 1 or transient_steps < 0:
        raise ValueError(
            f"n_steps must be >= 1 and transient_steps >= 0, got {n_steps} and {transient_steps}"
        )
    dimension = state.shape[-1]
    companion = state + separation / math.sqrt(dimension)
    total = torch.zeros(state.shape[:-1], dtype=state.dtype, device=state.device)
    with torch.no_grad():
        for step in range(transient_steps + n_steps):
            state, companion = rk4_step(tendency, torch.stack((state, companion)), dt).unbind(0)
            distance = (companion - state).norm(dim=-1, keepdim=True)
            if step >= transient_steps:
                total = total + torch.log(distance[..., 0] / separation)
            companion = state + separation * (companion - state) / distance
    return total / (n_steps * dt)


def lorenz63_coefficients(sigma: float = 10.0, rho: float = 28.0, beta: float = 8.0 / 3.0) -> Tensor:
    """The true Ξ ``(10, 3)``, float64, of Lorenz-63 over :func:`quadratic_library`'s terms
    (``LORENZ63_TERMS``): ẋ = σ(y − x), ẏ = x(ρ − z) − y, ż = xy − βz."""
    xi = torch.zeros(10, 3, dtype=torch.float64)
    xi[1, 0], xi[2, 0] = -sigma, sigma
    xi[1, 1], xi[2, 1], xi[6, 1] = rho, -1.0, -1.0
    xi[3, 2], xi[5, 2] = -beta, 1.0
    return xi


def sparse_tendency(xi: Tensor) -> Callable[[Tensor], Tensor]:
    """The tendency f(x) = Ξᵀ Θ(x) of an identified model, for coefficients ``xi (n_terms, d)``
    over :func:`quadratic_library`'s terms: a function ``(..., d) -> (..., d)``."""

    def tendency(states: Tensor) -> Tensor:
        return polynomial_features(states, degree=2) @ xi

    return tendency
