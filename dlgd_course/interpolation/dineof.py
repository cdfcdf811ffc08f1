"""DINEOF: Data Interpolating Empirical Orthogonal Functions.

Beckers & Rixen (2003, J. Atmos. Oceanic Technol. 20, 1839-1856); Alvera-Azcárate et al.
(2005, Ocean Modelling 9, 325-346). The anomaly matrix ``X`` (pixels × days) has its gaps
set to zero, then for ``k = 1, 2, ...`` modes the gaps are iteratively replaced by the
rank-``k`` truncated SVD reconstruction

    X ← M ∘ X_obs + (1 - M) ∘ U_k Σ_k V_kᵀ

until the gap values stop changing. A cloud-shaped subset of the observed pixels (Beckers
et al. 2006, Ocean Science 2, 183-199) is set aside for cross-validation; the number of
modes that minimises their RMSE is kept and the final reconstruction is redone with all
observations, starting from the converged state. The rank-``k`` reconstruction uses the
eigenvectors of the small days × days Gram matrix ``XᵀX`` (``X V_k V_kᵀ``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["DineofResult", "dineof"]


@dataclass(frozen=True)
class DineofResult:
    """``reconstruction`` (time, lat, lon), ``n_modes`` retained, ``cv_rmse[k-1]`` the
    cross-validation RMSE with ``k`` modes."""

    reconstruction: torch.Tensor
    n_modes: int
    cv_rmse: list[float]


def _converge(
    x: torch.Tensor, obs: torch.Tensor, gaps: torch.Tensor, k: int, max_iter: int, tol: float
) -> torch.Tensor:
    """Iterate the rank-``k`` gap filling of ``x`` (pixels, days) until the gaps change by
    less than ``tol`` (relative RMS)."""
    for _ in range(max_iter):
        _, vectors = torch.linalg.eigh(x.T @ x)
        v = vectors[:, -k:]
        recon = (x @ v) @ v.T
        new = torch.where(gaps, recon, obs)
        scale = torch.linalg.vector_norm(new[gaps]).clamp(min=1e-12)
        change = torch.linalg.vector_norm((new - x)[gaps]) / scale
        x = new
        if change < tol:
            break
    return x


def dineof(
    anomaly: np.ndarray | torch.Tensor,
    max_modes: int = 20,
    cv_fraction: float = 0.03,
    max_iter: int = 50,
    tol: float = 1e-3,
    patience: int = 3,
    seed: int = 0,
) -> DineofResult:
    """Fill the NaN gaps of ``anomaly`` (time, lat, lon; zero-mean per pixel is assumed).

    Modes are added one at a time until the cross-validation error has not improved for
    ``patience`` consecutive ranks (or ``max_modes``). Returns a :class:`DineofResult`.
    """
    a = (anomaly if isinstance(anomaly, torch.Tensor) else torch.as_tensor(np.asarray(anomaly))).double()
    if a.ndim != 3:
        raise ValueError(f"anomaly must be (time, lat, lon), got shape {tuple(a.shape)}")
    n_t = a.shape[0]
    if max_modes < 1 or max_modes >= n_t:
        raise ValueError(f"max_modes must be in [1, {n_t - 1}] for {n_t} days, got {max_modes}")
    if not 0.0 < cv_fraction < 0.5:
        raise ValueError(f"cv_fraction must be in (0, 0.5), got {cv_fraction}")
    x_obs = a.reshape(n_t, -1).T  # (pixels, days)
    observed = torch.isfinite(x_obs)
    if observed.sum() < 10:
        raise ValueError("too few observed pixels for DINEOF")
    obs = torch.where(observed, x_obs, torch.zeros_like(x_obs))
    # Cloud-shaped validation set (Beckers et al. 2006): on randomly chosen days, the observed
    # pixels that are cloudy on another random day.
    generator = torch.Generator().manual_seed(seed)
    donors = observed[:, torch.randperm(n_t, generator=generator).to(a.device)]
    candidates = observed & ~donors
    p_day = min(1.0, cv_fraction * float(observed.sum()) / max(float(candidates.sum()), 1.0))
    cv = candidates & (torch.rand(n_t, generator=generator).to(a.device) < p_day)[None, :]
    gaps = ~observed | cv
    x = torch.where(gaps, torch.zeros_like(obs), obs)
    cv_rmse: list[float] = []
    best_k, best_err, best_x = 1, float("inf"), x
    for k in range(1, max_modes + 1):
        x = _converge(x, obs, gaps, k, max_iter, tol)
        err = float(torch.sqrt(torch.mean((x[cv] - obs[cv]) ** 2)))
        cv_rmse.append(err)
        if err < best_err:
            best_k, best_err, best_x = k, err, x
        elif k - best_k >= patience:
            break
    # Restart from the converged best-rank state with the validation pixels given back.
    final = _converge(torch.where(observed, obs, best_x), obs, ~observed, best_k, max_iter, tol)
    return DineofResult(final.T.reshape(a.shape), best_k, cv_rmse)
