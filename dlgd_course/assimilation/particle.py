"""Particle filters: sequential importance resampling, batched over experiments.

The ensemble ``E (B, N, n)`` carries normalised weights ``w (B, N)``
(:class:`~dlgd_course.assimilation.twin.EnsembleRun`). At each analysis (van Leeuwen 2009,
MWR 137; Doucet, de Freitas & Gordon 2001, ch. 1 and 12):

* bootstrap proposal (the model): w_i ← w_i p(y | x_i), p(y | x) ∝ exp(−½‖y − h(x)‖²_R⁻¹);
* optimal proposal (``proposal_scale`` = Q_s > 0, as DAPPER's ``OptPF``; Bocquet, Pires &
  Wu 2010, MWR 138): every particle first moves with an EnKF update built from Gaussian
  kernels of covariance (Q_s h_N)² P (P the weighted ensemble covariance), and is weighted
  by its innovation's likelihood under C = H (Q_s h_N)² P Hᵀ + R;
* resampling when the effective size N_eff = 1/Σ w_i² drops to ``resampling_threshold`` × N
  (systematic resampling), then *regularisation*: duplicated particles are jittered with
  N(0, (ρ h_N)² P), ρ = ``regularisation`` and h_N = N^{−1/(n+4)} the kernel bandwidth of
  Scott's rule, so that a deterministic model does not collapse the ensemble.

Weights are computed in log space (no underflow when every likelihood is tiny).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import check_ensemble_size
from dlgd_course.assimilation.twin import EnsembleRun, RunState, SequentialMethod, TwinSetup, initial_state


def weighted_square_root(E: Tensor, w: Tensor) -> Tensor:
    """C12 ``(B, N, n)`` with C12ᵀ C12 the unbiased weighted covariance of ``E (B, N, n)``.

    Degenerate weights (one particle holds all of it) fall back to equal weights.
    """
    degenerate = (1 - w.max(-1, keepdim=True).values) < 1e-10
    w = torch.where(degenerate, torch.full_like(w, 1 / w.shape[-1]), w)
    anomalies = E - (w[..., None] * E).sum(-2, keepdim=True)
    unbias = 1 / (1 - w.square().sum(-1, keepdim=True))
    return (unbias * w).sqrt()[..., None] * anomalies


def systematic_resampling(w: Tensor, generator: torch.Generator) -> Tensor:
    """Indices ``(B, N)`` (sorted) drawn by systematic resampling of weights ``w (B, N)``."""
    B, N = w.shape
    offsets = torch.rand(B, 1, generator=generator, dtype=w.dtype) / N
    positions = offsets + torch.arange(N, dtype=w.dtype) / N
    cumulative = w.cumsum(-1)
    cumulative[:, -1] = 1.0  # guard against round-off below the last position
    return torch.searchsorted(cumulative, positions).clamp_max(N - 1)


@dataclass(frozen=True, eq=False)
class ParticleFilter(SequentialMethod):
    """Particle filter (SIR) with resampling and regularisation, bootstrap or optimal proposal.

    Attributes:
        N: number of particles.
        resampling_threshold: resample when N_eff <= this × N (DAPPER's ``NER``), in (0, 1].
        regularisation: ρ >= 0, jitter scale after resampling in units of the kernel
            bandwidth (DAPPER's ``reg``).
        proposal_scale: Q_s >= 0; 0 is the bootstrap filter, > 0 the optimal proposal.
        jitter_duplicates_only: jitter only particles drawn more than once (DAPPER's ``nuj``).
    """

    N: int
    resampling_threshold: float = 1.0
    regularisation: float = 0.0
    proposal_scale: float = 0.0
    jitter_duplicates_only: bool = True

    name: ClassVar[str] = "PF"

    def __post_init__(self) -> None:
        check_ensemble_size(self.N)
        if not 0 < self.resampling_threshold <= 1:
            raise ValueError(f"resampling_threshold must be in (0, 1], got {self.resampling_threshold!r}")
        for label in ("regularisation", "proposal_scale"):
            value = getattr(self, label)
            if not 0 <= value < math.inf:
                raise ValueError(f"{label} must be >= 0 and finite, got {value!r}")

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> EnsembleRun:
        E = initial_state(setup, (n_experiments, self.N), generator)
        weights = torch.full((n_experiments, self.N), 1 / self.N, dtype=torch.float64)
        return EnsembleRun(setup, E, generator, weights=weights)

    def bandwidth(self, state_size: int) -> float:
        """h_N = N^{−1/(n+4)}, Scott's rule for Gaussian kernels in n dimensions."""
        return self.N ** (-1 / (state_size + 4))

    def optimal_proposal(
        self, run: RunState, E: Tensor, w: Tensor, observation: Tensor
    ) -> tuple[Tensor, Tensor]:
        """Moved particles ``(B, N, n)`` and log-likelihoods ``(B, N)`` of the optimal proposal."""
        scale = self.proposal_scale * self.bandwidth(E.shape[-1])
        HE = run.observe(E)
        innovation = observation[:, None, :] - HE  # (B, N, p)
        As = scale * weighted_square_root(E, w)
        Ys = scale * weighted_square_root(HE, w)
        C = Ys.mT @ Ys + run.R  # (B, p, p)
        gain = As.mT @ torch.linalg.solve(C, Ys.mT).mT  # (B, n, p)
        draws = torch.randn(E.shape[0], self.N, self.N, generator=run.generator, dtype=E.dtype)
        moved = E + draws @ As
        noise = torch.randn(*HE.shape, generator=run.generator, dtype=E.dtype) @ run.setup.R_chol.T
        moved = moved + (observation[:, None, :] - run.observe(moved) - noise) @ gain.mT
        chi2 = (innovation * torch.linalg.solve(C, innovation.mT).mT).sum(-1)
        return moved, -0.5 * chi2

    def analyse(self, run: RunState, observation: Tensor) -> None:
        E, w = run.estimate, run.weights
        if observation.shape != (E.shape[0], run.setup.observation.size):
            raise ValueError(
                f"observations do not match the state: expected {(E.shape[0], run.setup.observation.size)}, "
                f"got {tuple(observation.shape)}"
            )
        if self.proposal_scale > 0:
            E, log_likelihood = self.optimal_proposal(run, E, w, observation)
        else:
            innovation = observation[:, None, :] - run.observe(E)
            whitened = torch.linalg.solve_triangular(run.setup.R_chol, innovation.mT, upper=False)
            log_likelihood = -0.5 * whitened.square().sum(-2)
        log_w = w.log() + log_likelihood
        w = (log_w - log_w.max(-1, keepdim=True).values).exp()
        w = w / w.sum(-1, keepdim=True)
        resample = 1 / w.square().sum(-1) <= self.resampling_threshold * self.N  # (B,)
        if bool(resample.any()):
            C12 = self.regularisation * self.bandwidth(E.shape[-1]) * weighted_square_root(E, w)
            index = systematic_resampling(w, run.generator)
            drawn = E.gather(-2, index[..., None].expand_as(E))
            jitter = torch.randn(E.shape[0], self.N, self.N, generator=run.generator, dtype=E.dtype) @ C12
            if self.jitter_duplicates_only:
                duplicated = (index == index.roll(1, -1)) | (index == index.roll(-1, -1))
                jitter = jitter * duplicated[..., None]
            E = torch.where(resample[:, None, None], drawn + jitter, E)
            w = torch.where(resample[:, None], torch.full_like(w, 1 / self.N), w)
        run.estimate, run.weights = E, w
