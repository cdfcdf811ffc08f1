"""Lorenz-96 observed at every other site: twin data, scores by observed and unobserved sites,
the climatological OI baseline and the localised stochastic EnKF (exercise 23).

The setting is that of Sakov & Oke (2008, Tellus A 60): N = 40 sites, F = 8, RK4 with
dt = 0.05, observations every step with R = I, except that only the even sites are observed.
With fewer members than variables the ensemble covariance P = AᵀA/(N − 1) has rank N − 1 and
sampling noise of order 1/√(N − 1) in every entry: spurious correlations between distant sites
spoil the analysis and the filter diverges. Covariance (Schur-product) localisation
(Houtekamer & Mitchell 2001, MWR 129; Hamill, Whitaker & Snyder 2001, MWR 129) replaces P by
ρ ∘ P, with ρ_ij the Gaspari–Cohn (1999, QJRMS 125, eq. 4.10) taper of the distance between
sites i and j on the ring.

Functions with the signatures of the notebook's parts (each calls ``guard_answer()``: they are
the references its tests and later cells use):

* :func:`error_growth`, :func:`growth_rate` — distance between two nearby trajectories and the
  slope of its logarithm (the leading Lyapunov exponent, ≈ 1.7 per time unit);
* :func:`lorenz96_twin_experiment` — truth after a discarded spin-up, noisy observations;
* :func:`time_mean_rmse`, :func:`time_mean_spread` — scores over a subset of sites after a
  burn-in;
* :func:`climatological_oi` — optimal interpolation from the climatological mean;
* :func:`gaspari_cohn_localisation` — the ``(n, n)`` matrix ρ on a ring of n sites;
* :func:`localised_enkf_analysis` — the perturbed-observation EnKF with ρ ∘ P.

:class:`AnalysisFilter` cycles any analysis function of that signature with the course's
ensemble machinery (forecasts, inflation), and :func:`analysis_ensembles` returns every
analysis ensemble of a run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.assimilation.ensemble import EnsembleFilter, gaspari_cohn, periodic_distance
from dlgd_course.assimilation.static import kalman_gain
from dlgd_course.assimilation.twin import FilterDivergenceWarning, RunState, TwinData
from dlgd_course.dynamics import Lorenz96
from dlgd_course.own_work import guard_answer

#: An analysis ``(E (B, N, n), y (B, p), H (p, n), R (p, p), localisation (n, n), generator)``
#: → analysis ensemble ``(B, N, n)``.
Analysis = Callable[[Tensor, Tensor, Tensor, Tensor, Tensor, torch.Generator], Tensor]


def error_growth(x_a: Tensor, x_b: Tensor, n_steps: int, dt: float = 0.05, F: float = 8.0) -> Tensor:
    """RMS distance sqrt(mean_i (a_i − b_i)²) ``(n_steps + 1, B)`` between the Lorenz-96
    trajectories from ``x_a`` and ``x_b`` ``(B, n)`` (RK4, step ``dt``), the start first."""
    guard_answer()
    model = Lorenz96(N=x_a.shape[-1], F=F)
    with torch.no_grad():
        difference = model.integrate(x_a, dt, n_steps) - model.integrate(x_b, dt, n_steps)
    return difference.square().mean(-1).sqrt()


def growth_rate(distance: Tensor, dt: float, upper: float) -> float:
    """Least-squares slope (per time unit) of ℓ_k = mean_b ln d_kb against t_k = k dt over the
    steps with ℓ_k < ln ``upper`` (the exponential phase, before the distance saturates);
    ``distance (T, B)``."""
    guard_answer()
    mean_log = distance.log().mean(-1)
    kept = mean_log < torch.log(torch.tensor(upper, dtype=mean_log.dtype))
    if int(kept.sum()) < 2:
        raise ValueError(f"fewer than two steps have a distance below {upper}: nothing to fit")
    times = dt * torch.arange(len(distance), dtype=mean_log.dtype)[kept]
    logs = mean_log[kept]
    centred = times - times.mean()
    return float((centred * (logs - logs.mean())).sum() / centred.square().sum())


def lorenz96_twin_experiment(
    x0: Tensor,
    n_spinup: int,
    n_cycles: int,
    observed: Sequence[int] | Tensor,
    obs_std: float,
    seed: int,
    dt: float = 0.05,
    F: float = 8.0,
) -> tuple[Tensor, Tensor]:
    """Truth ``(n_cycles + 1, B, n)`` and observations ``(n_cycles, B, p)`` of a twin experiment.

    The states ``x0 (B, n)`` are integrated ``n_spinup`` RK4 steps of ``dt`` onto the attractor
    (discarded); the truth is the next ``n_cycles`` steps, t_0 (end of the spin-up) first. The
    sites ``observed`` are observed at t_1 … t_K with noise ``obs_std`` drawn in one call of
    ``torch.randn(n_cycles, B, p)`` from a generator seeded with ``seed``.
    """
    guard_answer()
    model = Lorenz96(N=x0.shape[-1], F=F)
    sites = torch.as_tensor(observed, dtype=torch.long)
    with torch.no_grad():
        start = model.integrate(x0, dt, n_spinup)[-1]
        truth = model.integrate(start, dt, n_cycles)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(n_cycles, x0.shape[0], len(sites), generator=generator, dtype=torch.float64)
    return truth, truth[1:, :, sites] + obs_std * noise


def time_mean_rmse(
    estimates: Tensor, truth: Tensor, components: Sequence[int] | Tensor, burn_in: int
) -> Tensor:
    """Time mean over cycles k >= ``burn_in`` of sqrt(mean_{i ∈ components} (x̂_i − x_i)²);
    ``estimates`` and ``truth`` ``(K, B, n)`` → ``(B,)``."""
    guard_answer()
    sites = torch.as_tensor(components, dtype=torch.long)
    error = (estimates[burn_in:, :, sites] - truth[burn_in:, :, sites]).square().mean(-1).sqrt()
    return error.mean(0)


def time_mean_spread(ensembles: Tensor, components: Sequence[int] | Tensor, burn_in: int) -> Tensor:
    """Time mean over cycles k >= ``burn_in`` of sqrt(mean_{i ∈ components} var_i), the unbiased
    ensemble variance (N − 1); ``ensembles (K, B, N, n)`` → ``(B,)``."""
    guard_answer()
    sites = torch.as_tensor(components, dtype=torch.long)
    variance = ensembles[burn_in:, :, :, sites].var(-2, unbiased=True)
    return variance.mean(-1).sqrt().mean(0)


def climatological_oi(
    observations: Tensor,
    mean: Tensor,
    covariance: Tensor,
    observed: Sequence[int] | Tensor,
    obs_variance: float,
) -> Tensor:
    """Optimal interpolation from the climatology at every cycle: x_a = μ + K (y − H μ),
    K = C Hᵀ (H C Hᵀ + r I)⁻¹ with H selecting ``observed``; ``observations (K, B, p)``,
    ``mean (n,)``, ``covariance (n, n)`` → analyses ``(K, B, n)``. The model is not used."""
    guard_answer()
    sites = torch.as_tensor(observed, dtype=torch.long)
    H = torch.eye(len(mean), dtype=covariance.dtype)[sites]
    gain = kalman_gain(covariance, H, obs_variance * torch.eye(len(sites), dtype=covariance.dtype))
    return mean + (observations - mean[sites]) @ gain.T


def gaspari_cohn_localisation(n: int, half_width: float) -> Tensor:
    """Localisation matrix ρ ``(n, n)`` on a ring of ``n`` sites: ρ_ij = GC(d_ij / c), d_ij the
    periodic distance, c = ``half_width`` (ρ = 0 beyond 2c), float64."""
    guard_answer()
    sites = torch.arange(n, dtype=torch.float64)
    return gaspari_cohn(periodic_distance(n, sites, sites) / half_width)


def localised_enkf_analysis(
    E: Tensor, y: Tensor, H: Tensor, R: Tensor, localisation: Tensor, generator: torch.Generator
) -> Tensor:
    """Perturbed-observation EnKF analysis with covariance localisation.

    E_a = E + (y + D − E Hᵀ) Kᵀ, K = P_l Hᵀ (H P_l Hᵀ + R)⁻¹, P_l = ρ ∘ AᵀA/(N − 1), with
    anomalies A = E − mean and D ``(B, N, p)`` draws of N(0, R) (one ``torch.randn`` call of
    ``generator``, ensemble mean removed, times the Cholesky factor of R transposed).
    ``E (B, N, n)``, ``y (B, p)``, ``H (p, n)``, ``R (p, p)``, ``localisation (n, n)``.
    """
    guard_answer()
    batch, N, _ = E.shape
    A = E - E.mean(-2, keepdim=True)
    P = localisation * (A.mT @ A) / (N - 1)
    draws = torch.randn(batch, N, H.shape[0], generator=generator, dtype=E.dtype)
    D = (draws - draws.mean(-2, keepdim=True)) @ torch.linalg.cholesky(R).T
    return E + (y[:, None, :] + D - E @ H.T) @ kalman_gain(P, H, R).mT


@dataclass(frozen=True, eq=False)
class AnalysisFilter(EnsembleFilter):
    """An ensemble filter whose analysis is ``analysis(E, y, H, R, localisation, generator)``
    (e.g. :func:`localised_enkf_analysis` or a notebook's own), cycled by the course's
    machinery: initial ensemble, RK4 forecasts, inflation λ after each analysis."""

    analysis: Analysis = field(kw_only=True)
    localisation: Tensor = field(kw_only=True)

    name: ClassVar[str] = "EnKF-local"

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        return self.analysis(E, observation, run.H, run.R, self.localisation, run.generator)


def analysis_ensembles(method: EnsembleFilter, data: TwinData, seed: int = 0) -> Tensor:
    """Every analysis ensemble ``(K, B, N, n)`` (after inflation) of ``method`` cycled through
    ``data``. A diverging filter is not an error here (its scores show it): the divergence
    warning of :meth:`~dlgd_course.assimilation.twin.SequentialMethod.assimilate` is silenced."""
    recorded: list[Tensor] = []

    class Recording(type(method)):  # the same configuration, keeping each analysis ensemble
        def post_process(self, run: RunState, E: Tensor) -> Tensor:
            E = super().post_process(run, E)
            recorded.append(E)
            return E

    copy = Recording(**{f.name: getattr(method, f.name) for f in fields(method) if f.init})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FilterDivergenceWarning)
        copy.assimilate(data, seed, keep_states=False)
    return torch.stack(recorded)
