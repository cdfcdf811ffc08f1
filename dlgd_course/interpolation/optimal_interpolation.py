"""Optimal interpolation (OI) of gappy fields with a separable space-time Gaussian covariance.

With background ``x_b``, observations ``y`` on the observed set (operator ``H``, a pixel
selection) and error covariances ``B`` and ``R = σ_o² I`` (Gandin 1963; Bretherton, Davis &
Fandry 1976, Deep-Sea Research 23, 559-582), the analysis is

    x_a = x_b + B Hᵀ (H B Hᵀ + R)⁻¹ (y - H x_b),

    B(Δt, Δy, Δx) = σ² exp(-Δt²/(2T²)) exp(-Δy²/(2L²)) exp(-Δx²/(2L²)).

B is a Kronecker product ``σ² K_t ⊗ K_y ⊗ K_x`` of three small 1-D Gaussian matrices, so
``B v`` costs three small matrix products and the linear system is solved matrix-free
by conjugate gradients (Hestenes & Stiefel 1952), over the whole record or over blocks of
days with a margin of ``4T`` on each side. The hyperparameters are fitted to the empirical
space and time covariances of the observed anomalies (:func:`fit_gaussian_covariance`). When
the field mixes scales (a domain-wide signal plus plumes), one Gaussian fitted to the moments
gets ``L`` and ``T`` too long; :func:`cross_validate_scales` then picks them by the error of
OI on observed pixels hidden under other days' clouds, as DINEOF picks its rank (Beckers et
al. 2006, Ocean Science 2, 183-199). :func:`windowed_optimal_interpolation` gives OI only the
days a window network sees, so that the two are compared on the same information.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from dlgd_course.interpolation.clouds import hide_observed_pixels
from dlgd_course.own_work import guard_answer

__all__ = [
    "GaussianCovariance",
    "cross_validate_scales",
    "fit_gaussian_covariance",
    "optimal_interpolation",
    "windowed_optimal_interpolation",
]


@dataclass(frozen=True)
class GaussianCovariance:
    """``variance`` σ² and ``noise_variance`` σ_o² (field units²), ``length_scale`` L
    (pixels), ``time_scale`` T (days)."""

    variance: float
    length_scale: float
    time_scale: float
    noise_variance: float

    def __post_init__(self) -> None:
        for name in ("variance", "length_scale", "time_scale", "noise_variance"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be finite and > 0, got {value}")

    def kernel(self, n: int, scale: float, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """1-D Gaussian correlation matrix exp(-(i-j)²/(2 scale²)), shape (n, n)."""
        guard_answer()
        i = torch.arange(n, dtype=dtype, device=device)
        return torch.exp(-((i[:, None] - i[None, :]) ** 2) / (2.0 * scale**2))


def _as_tensor(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))


def _lagged_covariance(a: torch.Tensor, valid: torch.Tensor, dim: int, lag: int) -> float:
    """Mean product of anomalies ``lag`` apart along ``dim`` over pairs both observed."""
    n = a.shape[dim]
    first = a.narrow(dim, 0, n - lag) * valid.narrow(dim, 0, n - lag)
    second = a.narrow(dim, lag, n - lag) * valid.narrow(dim, lag, n - lag)
    pairs = (valid.narrow(dim, 0, n - lag) & valid.narrow(dim, lag, n - lag)).sum()
    return float((first * second).sum() / pairs.clamp(min=1))


def fit_gaussian_covariance(
    anomaly: np.ndarray | torch.Tensor, max_space_lag: int = 10, max_time_lag: int = 6
) -> GaussianCovariance:
    """Fit σ², L, T, σ_o² to the empirical covariances of ``anomaly`` (time, lat, lon), NaN in gaps.

    ``C(r) = σ² exp(-r²/(2L²))`` is fitted by least squares on ``log C`` at spatial lags
    1..``max_space_lag`` (both axes, lags where ``C > 0.1 C(0)``); the nugget
    ``σ_o² = C(0) - σ²`` is the observation noise plus unresolved variance. ``T`` is fitted
    the same way on time lags, normalised by σ².
    """
    a = _as_tensor(anomaly).double()
    if a.ndim != 3:
        raise ValueError(f"anomaly must be (time, lat, lon), got shape {tuple(a.shape)}")
    valid = torch.isfinite(a)
    if valid.sum() < 100:
        raise ValueError("need at least 100 observed pixels to fit a covariance")
    a = torch.where(valid, a, torch.zeros_like(a))
    c0 = float((a**2).sum() / valid.sum())

    def fit(dims: tuple[int, ...], max_lag: int) -> tuple[np.ndarray, np.ndarray]:
        lags, logs = [], []
        for lag in range(1, max_lag + 1):
            if any(lag >= a.shape[d] for d in dims):
                break
            c = np.mean([_lagged_covariance(a, valid, d, lag) for d in dims])
            if c <= 0.1 * c0:
                break
            lags.append(lag)
            logs.append(math.log(c))
        if len(lags) < 2:
            raise ValueError(
                f"correlation along dims {dims} drops below 0.1 within one lag: "
                "cannot fit a Gaussian covariance"
            )
        return np.array(lags, dtype=float), np.array(logs)

    lags, logs = fit((1, 2), max_space_lag)
    slope, intercept = np.polyfit(lags**2, logs, 1)
    variance = min(math.exp(intercept), 0.98 * c0)
    length = math.sqrt(-0.5 / slope) if slope < 0 else float(max_space_lag)
    t_lags, t_logs = fit((0,), max_time_lag)
    t_logs = t_logs - math.log(variance)
    t_slope = float(np.sum(t_lags**2 * t_logs) / np.sum(t_lags**4))  # through the origin
    time_scale = math.sqrt(-0.5 / t_slope) if t_slope < 0 else float(max_time_lag)
    return GaussianCovariance(variance, length, time_scale, max(c0 - variance, 1e-4 * c0))


def optimal_interpolation(
    observation: np.ndarray | torch.Tensor,
    covariance: GaussianCovariance,
    background: np.ndarray | torch.Tensor | float = 0.0,
    block_days: int | None = None,
    max_iter: int = 500,
    rtol: float = 1e-5,
) -> torch.Tensor:
    """OI analysis of ``observation`` (..., time, lat, lon), NaN in gaps, float64 on its device.

    Leading dimensions (e.g. a batch of windows of days) are independent records solved
    together, each by its own conjugate gradients. ``background`` broadcasts against the
    field (e.g. a (lat, lon) climatology in the same units). ``block_days=None`` solves the
    whole record at once (exact); an integer splits long records into blocks solved with a
    ``4T`` margin of days on each side (approximate: the inverse of a Gaussian covariance is
    not local). Returns the analysis, shape (..., time, lat, lon), with gaps filled (a record
    without any observation gets its background).
    """
    guard_answer()
    y = _as_tensor(observation).double()
    if y.ndim < 3:
        raise ValueError(f"observation must be (..., time, lat, lon), got shape {tuple(y.shape)}")
    xb = torch.broadcast_to(_as_tensor(background).to(y), y.shape)
    mask = torch.isfinite(y)
    if not mask.any():
        raise ValueError("no observed pixel")
    n_t, n_y, n_x = y.shape[-3:]
    block_days = n_t if block_days is None else block_days
    if block_days < 1:
        raise ValueError(f"block_days must be >= 1, got {block_days}")
    opts = {"dtype": y.dtype, "device": y.device}
    ky = covariance.kernel(n_y, covariance.length_scale, **opts)
    kx = covariance.kernel(n_x, covariance.length_scale, **opts)
    margin = math.ceil(4 * covariance.time_scale)
    innovation = torch.where(mask, y - xb, torch.zeros_like(y))
    analysis = xb.clone()
    for start in range(0, n_t, block_days):
        stop = min(start + block_days, n_t)
        lo, hi = max(start - margin, 0), min(stop + margin, n_t)
        kt = covariance.kernel(hi - lo, covariance.time_scale, **opts)
        m = mask[..., lo:hi, :, :].to(y.dtype)
        d = innovation[..., lo:hi, :, :]

        def apply_b(v: torch.Tensor, kt: torch.Tensor = kt) -> torch.Tensor:
            v = (kt @ v.flatten(-2)).unflatten(-1, (n_y, n_x))  # K_t along time
            return covariance.variance * (ky @ v @ kx)  # K_y, K_x symmetric

        def apply_a(w: torch.Tensor, m: torch.Tensor = m) -> torch.Tensor:
            return m * apply_b(m * w) + covariance.noise_variance * w

        # Conjugate gradients on (H B Hᵀ + R) w = d, w supported on observed pixels, one per
        # record of the leading dimensions (a converged record takes steps of length 0).
        w = torch.zeros_like(d)
        r = d.clone()
        p = r.clone()
        rs = (r * r).sum(dim=(-3, -2, -1), keepdim=True)
        target = rtol**2 * rs
        for _ in range(max_iter):
            active = rs > target
            if not active.any():
                break
            ap = apply_a(p)
            alpha = torch.where(active, rs / (p * ap).sum(dim=(-3, -2, -1), keepdim=True), 0.0)
            w = w + alpha * p
            r = r - alpha * ap
            rs_new = (r * r).sum(dim=(-3, -2, -1), keepdim=True)
            p = r + torch.where(active, rs_new / rs, 0.0) * p
            rs = rs_new
        analysis[..., start:stop, :, :] = (
            xb[..., start:stop, :, :] + apply_b(m * w)[..., start - lo : stop - lo, :, :]
        )
    return analysis


def windowed_optimal_interpolation(
    observation: np.ndarray | torch.Tensor,
    covariance: GaussianCovariance,
    n_days: int,
    background: np.ndarray | torch.Tensor | float = 0.0,
) -> torch.Tensor:
    """OI restricted to windows of ``n_days`` days, averaged as a window network's estimates are.

    ``observation`` (time, lat, lon), NaN in gaps. Every window ``[s, s + n_days)`` is analysed
    from its own observations alone (:func:`optimal_interpolation`, ``x_a^s``), and day ``t``
    is the mean over the windows that contain it,

        x̂_t = (1 / |W_t|) Σ_{s ∈ W_t} x_a^s(t),   W_t = {s : s ≤ t < s + n_days, 0 ≤ s ≤ time - n_days},

    as :func:`~dlgd_course.interpolation.lightning.reconstruct` averages a window model: the
    estimate of day ``t`` uses days ``t - n_days + 1`` to ``t + n_days - 1`` only, the
    information of a network reading ``n_days``-day windows. ``background`` broadcasts as in
    :func:`optimal_interpolation`. Returns float64 (time, lat, lon) on the observation's device.
    """
    y = _as_tensor(observation).double()
    if y.ndim != 3:
        raise ValueError(f"observation must be (time, lat, lon), got shape {tuple(y.shape)}")
    if not 1 <= n_days <= y.shape[0]:
        raise ValueError(f"n_days must be between 1 and the {y.shape[0]} days of the record, got {n_days}")
    xb = torch.broadcast_to(_as_tensor(background).to(y), y.shape)
    total = torch.zeros_like(y)
    count = torch.zeros(y.shape[0], dtype=y.dtype, device=y.device)
    for start in range(y.shape[0] - n_days + 1):
        days = slice(start, start + n_days)
        total[days] += optimal_interpolation(y[days], covariance, background=xb[days])
        count[days] += 1
    return total / count[:, None, None]


def cross_validate_scales(
    anomaly: np.ndarray | torch.Tensor,
    covariance: GaussianCovariance,
    length_scales: tuple[float, ...] = (4, 5, 7, 9, 12, 16, 24),
    time_scales: tuple[float, ...] = (1.0, 1.5, 2.0, 2.5, 3.0),
    seed: int = 0,
) -> GaussianCovariance:
    """``covariance`` with the (L, T) of the grid whose OI best recovers hidden observations.

    ``anomaly`` (time, lat, lon), NaN in gaps: on each day, the observed pixels that are
    cloudy on another day (:func:`~dlgd_course.interpolation.clouds.hide_observed_pixels`)
    are hidden, OI of the rest is computed for every (L, T), and the pair with the lowest
    RMSE on the hidden pixels is kept; σ² and σ_o² stay as given.
    """
    a = _as_tensor(anomaly).double()
    if a.ndim != 3:
        raise ValueError(f"anomaly must be (time, lat, lon), got shape {tuple(a.shape)}")
    if not length_scales or not time_scales:
        raise ValueError("length_scales and time_scales must not be empty")
    observed = torch.isfinite(a).cpu().numpy()
    kept, hidden = hide_observed_pixels(observed, seed=seed)
    if hidden.sum() < 10:
        raise ValueError("fewer than 10 observed pixels to hide: cannot cross-validate")
    kept_t, hidden_t = torch.as_tensor(kept, device=a.device), torch.as_tensor(hidden, device=a.device)
    inputs = torch.where(kept_t, a, torch.full_like(a, float("nan")))
    best: tuple[float, float, float] | None = None
    for length in length_scales:
        for time_scale in time_scales:
            candidate = GaussianCovariance(
                covariance.variance, float(length), float(time_scale), covariance.noise_variance
            )
            error = optimal_interpolation(inputs, candidate) - a
            rmse = float(error[hidden_t].pow(2).mean().sqrt())
            if best is None or rmse < best[0]:
                best = (rmse, float(length), float(time_scale))
    return GaussianCovariance(covariance.variance, best[1], best[2], covariance.noise_variance)
