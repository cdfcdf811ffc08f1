"""The inverse problems of Lecture 5 (book/lectures/05-inverse-problems.md), as reference code.

A 1-D periodic field with fronts is observed at a few stations with noise (Gaussian prior
x ~ N(x_b, B), observations y = H x + ε, ε ~ N(0, R)); Lorenz-63 serves for 4D-Var and the
EnKF. Each function is the reference answer of one part of exercise ``15-inverse-problems``:

- :func:`periodic_gaussian_covariance`: B_ij = σ² exp(-d_ij² / (2ℓ²)), d the periodic distance;
- :func:`blue_analysis`: optimal interpolation (best linear unbiased estimate),
  x_a = x_b + K (y − H x_b), K = B Hᵀ (H B Hᵀ + R)⁻¹, A = (I − K H) B;
- :func:`control_variable_3dvar`: 3D-Var, the minimiser of
  J(x) = ½ ‖x − x_b‖²_B⁻¹ + ½ ‖y − h(x)‖²_R⁻¹, in the control variable v, x = x_b + L v,
  B = L Lᵀ (Lorenc 1986, QJRMS 112);
- :func:`lorenz63_4dvar_cost`: the strong-constraint 4D-Var cost (Le Dimet & Talagrand 1986,
  Tellus 38A) of a Lorenz-63 window observed in x (minimised by
  :func:`dlgd_course.assimilation.minimise`);
- :func:`stochastic_enkf_analysis`: the perturbed-observation EnKF analysis (Burgers et al.
  1998, MWR 126).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from dlgd_course.assimilation.static import kalman_gain
from dlgd_course.assimilation.variational import mahalanobis, minimise
from dlgd_course.dynamics import Burgers, Lorenz63
from dlgd_course.lectures.burgers_fv import burgers_fv, stable_step
from dlgd_course.own_work import guard_answer


def front_fields(n_fields: int, generator: torch.Generator, n_points: int = 128) -> Tensor:
    """``n_fields`` periodic fields with fronts, shape ``(n_fields, n_points)``, float64.

    Burgers' equation on a domain of length 1 with ν = 0.005 at t = 0.2 from random smooth
    initial states (3 Fourier modes), computed by the shock-capturing finite-volume solver on
    [-1, 1) with ν = 0.01 up to t = 0.4 (the same problem with x and t scaled by 2).
    """
    if n_fields < 1:
        raise ValueError(f"n_fields must be at least 1, got {n_fields}")
    initial = Burgers(n_points=n_points, nu=0.005).random_initial_state(
        generator, batch_shape=(n_fields,), n_modes=3
    )
    substeps = int(0.4 / stable_step(n_points, nu=0.01, max_speed=initial.abs().max().item())) + 1
    return burgers_fv(initial, nu=0.01, frame_dt=0.4, n_frames=1, substeps=substeps)[-1]


def periodic_gaussian_covariance(grid: Tensor, length: float, variance: float) -> Tensor:
    """Gaussian covariance B_ij = variance · exp(-d_ij² / (2 length²)) on a periodic domain of
    length 1, d_ij = min(|x_i − x_j|, 1 − |x_i − x_j|); ``grid (n,)`` in [0, 1) → ``(n, n)``."""
    guard_answer()
    if length <= 0 or variance <= 0:
        raise ValueError(f"length and variance must be > 0, got {length} and {variance}")
    distance = (grid[:, None] - grid[None, :]).abs()
    distance = torch.minimum(distance, 1 - distance)
    return variance * torch.exp(-0.5 * (distance / length) ** 2)


def blue_analysis(x_b: Tensor, B: Tensor, H: Tensor, R: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Optimal interpolation: the analysis ``x_a (..., n)`` of backgrounds ``x_b (..., n)`` and
    observations ``y (..., p)`` (leading dimensions batch), and its error covariance ``A (n, n)``,
    for ``B (n, n)``, ``H (p, n)``, ``R (p, p)``."""
    guard_answer()
    gain = kalman_gain(B, H, R)  # (n, p)
    analysis = x_b + (y - x_b @ H.T) @ gain.T
    return analysis, B - gain @ H @ B


def control_variable_3dvar(
    x_b: Tensor,
    B: Tensor,
    observe: Callable[[Tensor], Tensor],
    R: Tensor,
    y: Tensor,
    n_iterations: int = 200,
) -> Tensor:
    """3D-Var analysis ``(n,)``: minimises J(v) = ½ vᵀv + ½ ‖y − h(x_b + L v)‖²_R⁻¹ with L-BFGS
    from v = 0, B = L Lᵀ (Cholesky), for ``x_b (n,)``, ``y (p,)``, h any differentiable
    ``(n,) → (p,)``."""
    guard_answer()
    L = torch.linalg.cholesky(B)
    R_inv = torch.linalg.inv(R)

    def cost(v: Tensor) -> Tensor:
        return 0.5 * v @ v + 0.5 * mahalanobis(y - observe(x_b + L @ v), R_inv)

    v = minimise(cost, torch.zeros_like(x_b), n_iterations=n_iterations, tolerance=1e-12)
    return x_b + L @ v


def lorenz63_4dvar_cost(
    x0: Tensor,
    x0_b: Tensor,
    B_inv: Tensor,
    y_x: Tensor,
    obs_every: int,
    obs_variance: float,
    dt: float = 0.01,
) -> Tensor:
    """Strong-constraint 4D-Var cost (scalar) of the initial state ``x0 (3,)`` of a Lorenz-63
    window whose x component is observed every ``obs_every`` RK4 steps of ``dt`` from the
    start, ``y_x (K,)`` at steps 0, obs_every, …, (K − 1) obs_every:
    J = ½ (x0 − x0_b)ᵀ B⁻¹ (x0 − x0_b) + Σ_k (y_k − x(t_k))² / (2 obs_variance)."""
    guard_answer()
    window = Lorenz63().integrate(x0, dt=dt, n_steps=obs_every * (len(y_x) - 1))
    misfit = window[::obs_every, 0] - y_x
    return 0.5 * mahalanobis(x0 - x0_b, B_inv) + 0.5 * misfit.square().sum() / obs_variance


def stochastic_enkf_analysis(
    ensemble: Tensor, y: Tensor, H: Tensor, R: Tensor, perturbations: Tensor
) -> Tensor:
    """Perturbed-observation EnKF analysis of ``ensemble (N, n)``:
    x_i + K (y + ε_i − H x_i), K = P Hᵀ (H P Hᵀ + R)⁻¹, P = Xᵀ X / (N − 1) with anomalies X,
    for ``y (p,)``, ``H (p, n)``, ``R (p, p)`` and observation perturbations ε ``(N, p)``."""
    guard_answer()
    anomalies = ensemble - ensemble.mean(0)
    P = anomalies.T @ anomalies / (len(ensemble) - 1)
    return ensemble + (y + perturbations - ensemble @ H.T) @ kalman_gain(P, H, R).T
