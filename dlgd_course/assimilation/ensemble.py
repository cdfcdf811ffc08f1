"""Ensemble Kalman filters, batched over experiments: ensembles are ``E (B, N, n)``.

Notation (rows are members): x̄ = mean of E, A = E − x̄ (anomalies, ``(B, N, n)``),
Y = A Hᵀ (observation anomalies, ``(B, N, p)``), d = y − H x̄, N1 = N − 1.

* Perturbed-observation EnKF (Burgers, van Leeuwen & Evensen 1998, MWR 126):
  E_a = E + (y + D − E Hᵀ) C⁻¹ Yᵀ A,  C = YᵀY + N1 R, D = centred draws of N(0, R).
* ETKF (Bishop, Etherton & Majumdar 2001; Hunt, Kostelich & Szunyogh 2007, Physica D 230):
  P̃_a = (N1 I + Y R⁻¹ Yᵀ)⁻¹, w̄ = P̃_a Y R⁻¹ d, x̄_a = x̄ + w̄ᵀ A,
  A_a = [N1 P̃_a]^{1/2} A (symmetric square root, so the anomalies stay centred).
* DEnKF (Sakov & Oke 2008, Tellus A 60): mean as the EnKF with gain K = Aᵀ Y C⁻¹ (C with
  N1 R), anomalies updated with half the gain, A_a = A − ½ Y C⁻¹ Yᵀ A.
* LETKF (Hunt et al. 2007): one ETKF per state component i with R⁻¹ tapered by
  Gaspari–Cohn weights ρ_ij of the distance from i to observation j (Greybush et al. 2011).

* EnKF-N (Bocquet 2011, NPG 18; Bocquet, Raanes & Hannart 2015, NPG 22): the ETKF with the
  prior inflation λ chosen at each analysis as the mode of its dual cost (finite-size
  prior of the ensemble's mean and covariance), so that no inflation needs tuning.

Observation anomalies Y = h(E) − mean h(E) use the setup's observation operator, whatever it
is (a selection, a matrix, a nonlinear function), as DAPPER does. After the analysis, every
filter applies multiplicative inflation A ← λ A and, optionally, a random mean-preserving
rotation of the anomalies (as DAPPER's ``post_process``). The filters are frozen
configurations; the ensemble lives in the :class:`~dlgd_course.assimilation.twin.EnsembleRun`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import check_ensemble_size, check_inflation
from dlgd_course.assimilation.twin import EnsembleRun, RunState, SequentialMethod, TwinSetup, initial_state
from dlgd_course.own_work import guard_answer


def gaspari_cohn(r: Tensor) -> Tensor:
    """Gaspari & Cohn (1999, QJRMS 125, eq. 4.10) compactly supported 5th-order taper.

    ``r`` = distance / c (half-width c); 1 at r = 0, 0 for r >= 2.
    """
    guard_answer()
    r = r.abs()
    inner = 1 - 5 / 3 * r**2 + 5 / 8 * r**3 + 1 / 2 * r**4 - 1 / 4 * r**5
    safe = torch.where(r > 0, r, torch.ones_like(r))
    outer = 4 - 5 * r + 5 / 3 * r**2 + 5 / 8 * r**3 - 1 / 2 * r**4 + 1 / 12 * r**5 - 2 / (3 * safe)
    return torch.where(r <= 1, inner, torch.where(r < 2, outer, torch.zeros_like(r)))


def periodic_distance(n: int, positions_a: Tensor, positions_b: Tensor) -> Tensor:
    """Distance on a ring of ``n`` sites between every pair, ``(len(a), len(b))``."""
    guard_answer()
    difference = (positions_a[:, None] - positions_b[None, :]).abs()
    return torch.minimum(difference, n - difference)


def mean_preserving_rotation(B: int, N: int, generator: torch.Generator) -> Tensor:
    """Random orthogonal ``(B, N, N)`` matrices T with T 1 = 1 (they keep the ensemble mean).

    T = V diag(1, Q) Vᵀ with V an orthonormal basis whose first vector is 1/√N and Q a Haar
    random orthogonal matrix of size N − 1 (QR of a Gaussian matrix, signs fixed).
    """
    basis = torch.eye(N, dtype=torch.float64)
    basis[:, 0] = 1.0
    V, _ = torch.linalg.qr(basis)
    Z = torch.randn(B, N - 1, N - 1, generator=generator, dtype=torch.float64)
    Q, upper = torch.linalg.qr(Z)
    Q = Q * torch.sign(torch.diagonal(upper, dim1=-2, dim2=-1)).unsqueeze(-2)
    block = torch.zeros(B, N, N, dtype=torch.float64)
    block[:, 0, 0] = 1.0
    block[:, 1:, 1:] = Q
    return V @ block @ V.T


@dataclass(frozen=True, eq=False)
class EnsembleFilter(SequentialMethod):
    """Common part: N members, inflation λ >= 1, random rotation; subclasses implement ``update``.

    ``update(run, E, observation)`` gets the run state (observation operator ``run.observe``,
    ``run.H`` for a linear one, ``run.R``, ``run.generator``), the forecast ensemble
    ``E (B, N, n)`` and the observation ``(B, p)``, and returns the analysis ensemble.
    """

    N: int
    inflation: float = 1.0
    rotate: bool = False

    name: ClassVar[str] = "EnKF"

    def __post_init__(self) -> None:
        check_ensemble_size(self.N)
        object.__setattr__(self, "inflation", check_inflation(self.inflation))
        object.__setattr__(self, "rotate", bool(self.rotate))

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> EnsembleRun:
        return EnsembleRun(setup, initial_state(setup, (n_experiments, self.N), generator), generator)

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        raise NotImplementedError

    def analyse(self, run: RunState, observation: Tensor) -> None:
        forecast = run.estimate
        if forecast.ndim != 3 or forecast.shape[1] != self.N:
            raise ValueError(f"ensemble must have shape (B, {self.N}, n), got {tuple(forecast.shape)}")
        size = run.setup.observation.size
        if observation.shape != (forecast.shape[0], size):
            raise ValueError(
                f"observations do not match the state: expected {(forecast.shape[0], size)}, "
                f"got {tuple(observation.shape)}"
            )
        run.estimate = self.post_process(run, self.update(run, forecast, observation))

    def post_process(self, run: RunState, E: Tensor) -> Tensor:
        """Inflate the anomalies by λ and, if asked, rotate them randomly (mean kept)."""
        if self.inflation == 1.0 and not self.rotate:
            return E
        mean = E.mean(-2, keepdim=True)
        A = self.inflation * (E - mean)
        if self.rotate:
            A = mean_preserving_rotation(E.shape[0], self.N, run.generator) @ A
        return mean + A


def observed_anomalies(run: RunState, E: Tensor, observation: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """State anomalies A ``(B, N, n)``, observation anomalies Y = h(E) − mean ``(B, N, p)`` and
    innovation d = y − mean h(E) ``(B, p)``."""
    A = E - E.mean(-2, keepdim=True)
    HE = run.observe(E)
    observed_mean = HE.mean(-2)
    return A, HE - observed_mean[:, None, :], observation - observed_mean


@dataclass(frozen=True, eq=False)
class EnKF(EnsembleFilter):
    """Stochastic (perturbed-observation) EnKF."""

    name: ClassVar[str] = "EnKF-PertObs"

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        B, N, _ = E.shape
        A, Y, _ = observed_anomalies(run, E, observation)
        C = Y.mT @ Y + (N - 1) * run.R
        draws = torch.randn(B, N, run.R.shape[0], generator=run.generator, dtype=E.dtype)
        D = (draws - draws.mean(-2, keepdim=True)) @ run.setup.R_chol.T
        innovation = observation[:, None, :] + D - run.observe(E)
        return E + innovation @ torch.linalg.solve(C, Y.mT @ A)


@dataclass(frozen=True, eq=False)
class ETKF(EnsembleFilter):
    """Ensemble transform Kalman filter (square-root EnKF, symmetric transform)."""

    name: ClassVar[str] = "ETKF"

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N = E.shape[-2]
        A, Y, d = observed_anomalies(run, E, observation)
        YR = Y @ run.setup.R_inv
        eigenvalues, V = torch.linalg.eigh(YR @ Y.mT + (N - 1) * torch.eye(N, dtype=E.dtype))
        w = ((YR @ d[..., None]).mT @ V / eigenvalues[:, None, :]) @ V.mT  # (B, 1, N)
        T = (V * ((N - 1) / eigenvalues).sqrt()[:, None, :]) @ V.mT
        return E.mean(-2, keepdim=True) + w @ A + T @ A


@dataclass(frozen=True, eq=False)
class DEnKF(EnsembleFilter):
    """Deterministic EnKF of Sakov & Oke (2008): anomalies updated with half the gain."""

    name: ClassVar[str] = "DEnKF"

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N = E.shape[-2]
        A, Y, d = observed_anomalies(run, E, observation)
        C = Y.mT @ Y + (N - 1) * run.R
        CinvYtA = torch.linalg.solve(C, Y.mT @ A)  # (B, p, n)
        mean_a = E.mean(-2) + (d[:, None, :] @ CinvYtA)[:, 0]
        return mean_a[:, None, :] + A - 0.5 * Y @ CinvYtA


@dataclass(frozen=True, eq=False)
class LETKF(EnsembleFilter):
    """Local ETKF with Gaspari–Cohn tapering of R⁻¹ on a periodic 1-D domain (Lorenz-96).

    ``localisation_radius`` follows DAPPER's convention: the taper equals e^{-1/2} at that
    distance, i.e. Gaspari–Cohn half-width c = 1.82 × radius (support 2c). R must be diagonal
    and the observation operator must give the observations' sites (e.g. observed components).
    """

    localisation_radius: float = field(kw_only=True)

    name: ClassVar[str] = "LETKF"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.localisation_radius > 0:
            raise ValueError(f"localisation_radius must be > 0, got {self.localisation_radius}")

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> EnsembleRun:
        if not torch.equal(setup.R, torch.diag(torch.diagonal(setup.R))):
            raise ValueError("LETKF needs a diagonal observation covariance R")
        setup.observation.positions(0)  # raises if the observations have no sites
        return super().initialise(setup, n_experiments, generator)

    def local_scaling(self, run: RunState) -> Tensor:
        """sqrt(ρ_ij / r_j) ``(n, p)``: scales observation anomalies and innovations per site i."""
        n = run.setup.state_size
        sites = run.setup.observation.positions(run.cycle_index)
        distance = periodic_distance(n, torch.arange(n, dtype=torch.float64), sites)
        taper = gaspari_cohn(distance / (1.82 * self.localisation_radius))
        return (taper / torch.diagonal(run.R)).sqrt()

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N = E.shape[-2]
        A, Y, d = observed_anomalies(run, E, observation)  # (B, N, n), (B, N, p), (B, p)
        scaling = self.local_scaling(run)
        Yl = Y[:, None, :, :] * scaling[None, :, None, :]  # (B, n, N, p)
        dl = d[:, None, :] * scaling  # (B, n, p)
        eigenvalues, V = torch.linalg.eigh(Yl @ Yl.mT + (N - 1) * torch.eye(N, dtype=E.dtype))
        projected = (Yl @ dl[..., None]).mT @ V  # (B, n, 1, N)
        w = ((projected / eigenvalues[..., None, :]) @ V.mT)[..., 0, :]  # (B, n, N)
        T = (V * ((N - 1) / eigenvalues).sqrt()[..., None, :]) @ V.mT  # (B, n, N, N)
        A_site = A.permute(0, 2, 1)  # (B, n, N): anomalies of each component
        mean_a = E.mean(-2) + (w * A_site).sum(-1)
        A_a = (T @ A_site[..., None])[..., 0]  # (B, n, N)
        return mean_a[:, None, :] + A_a.permute(0, 2, 1)


@dataclass(frozen=True, eq=False)
class EnKFN(EnsembleFilter):
    """Finite-size EnKF (EnKF-N, dual form): an ETKF whose prior inflation is estimated.

    With the scaled observation anomalies R^{-1/2} Y = V diag(s) Uᵀ and δ = Uᵀ R^{-1/2} d, the
    inflation λ of the prior anomalies minimises the dual cost (Bocquet et al. 2015, eq. 33)

        D(λ) = Σ_j δ_j² / (λ² s_j² + N − 1) + ε_N / λ² + c_N ln λ²,

    ε_N = (N + 1)/N, c_N = (N + g)/(N − 1), with the mode correction and the hyper-prior
    boost ``xN`` of DAPPER's ``hyperprior_coeffs``; then the ETKF update of the λ-inflated
    ensemble. ``inflation`` (post-analysis, default 1) is rarely needed.
    """

    xN: float = 1.0
    g: int = 0

    name: ClassVar[str] = "EnKF-N"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.xN < math.inf:
            raise ValueError(f"xN (hyper-prior boost) must be positive and finite, got {self.xN!r}")
        if isinstance(self.g, bool) or not isinstance(self.g, int) or self.g < 0:
            raise ValueError(f"g (nullity of the anomalies) must be an integer >= 0, got {self.g!r}")

    def hyperprior(self, s: Tensor) -> tuple[Tensor, Tensor]:
        """ε_N and c_N ``(B,)`` of the inflation hyper-prior for singular values ``s (B, r)``:
        (N + 1)/N and (N + g)/(N − 1), corrected towards a mode of 1 by the prior's weight
        ≈ 1/(1 + tr(H P Hᵀ R⁻¹)/N) (Bocquet et al. 2015, eq. 36) and boosted by ``xN``."""
        N, N1 = self.N, self.N - 1
        eN = torch.full_like(s[:, 0], (N + 1) / N)
        cL = torch.full_like(s[:, 0], (N + self.g) / N1)
        diagonal = torch.cat([s.square(), s.new_zeros(s.shape[0], max(0, N - s.shape[1]))], -1)[:, :N] + N1
        prior_weight = N1 * (1 / diagonal).mean(-1)
        correction = ((eN / cL) ** prior_weight).sqrt()
        return self.xN * eN / correction, self.xN * cL * correction

    def prior_inflation(self, s: Tensor, du: Tensor) -> Tensor:
        """Mode λ ``(B,)`` of the dual cost from singular values ``s (B, r)`` and δ ``(B, r)``."""
        N1 = self.N - 1
        eN, cL = self.hyperprior(s)
        weighted = s.square() * du.square()
        l1 = torch.ones_like(eN)
        for _ in range(100):  # Newton on D'(λ) = 0 from λ = 1, as DAPPER's Newton_m
            denominator = (l1[:, None] * s).square() + N1
            first = -2 * l1 * (weighted / denominator.square()).sum(-1) - 2 * eN / l1**3 + 2 * cL / l1
            second = (
                8 * l1.square() * (s.square() * weighted / denominator**3).sum(-1)
                + 6 * eN / l1**4
                - 2 * cL / l1.square()
            )
            step = first / second
            l1 = l1 - step
            if bool((step.abs() < 1e-4).all()):
                break
        return l1

    def update(self, run: RunState, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N, N1 = E.shape[-2], E.shape[-2] - 1
        A, Y, d = observed_anomalies(run, E, observation)
        L = run.setup.R_chol
        Ys = torch.linalg.solve_triangular(L, Y.mT, upper=False).mT  # Y R^{-1/2}: (B, N, p)
        ds = torch.linalg.solve_triangular(L, d[..., None], upper=False)[..., 0]  # (B, p)
        V, s, Uh = torch.linalg.svd(Ys, full_matrices=True)  # V (B, N, N), s (B, r)
        r = s.shape[-1]
        du = (Uh[:, :r] @ ds[..., None])[..., 0]
        l1 = self.prior_inflation(s, du)  # (B,)
        s_N = torch.cat([s, s.new_zeros(s.shape[0], N - r)], -1) if r < N else s
        diagonal = (l1[:, None] * s_N).square() + N1  # (B, N)
        Pw = (V / diagonal[:, None, :]) @ V.mT
        w = (ds[:, None, :] @ (l1[:, None, None] * Ys).mT) @ Pw  # (B, 1, N)
        T = (V * (N1 / diagonal).sqrt()[:, None, :]) @ V.mT
        A = l1[:, None, None] * A
        return E.mean(-2, keepdim=True) + w @ A + T @ A
