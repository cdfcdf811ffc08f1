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

After the analysis, every filter applies multiplicative inflation A ← λ A and, optionally,
a random mean-preserving rotation of the anomalies (as DAPPER's ``post_process``).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import check_ensemble_size, check_inflation
from dlgd_course.assimilation.twin import SequentialMethod, TwinSetup
from dlgd_course.own_work import guard_answer


def gaspari_cohn(r: Tensor) -> Tensor:
    """Gaspari & Cohn (1999, QJRMS 125, eq. 4.10) compactly supported 5th-order taper.

    ``r`` = distance / c (half-width c); 1 at r = 0, 0 for r >= 2.
    """
    r = r.abs()
    inner = 1 - 5 / 3 * r**2 + 5 / 8 * r**3 + 1 / 2 * r**4 - 1 / 4 * r**5
    safe = torch.where(r > 0, r, torch.ones_like(r))
    outer = 4 - 5 * r + 5 / 3 * r**2 + 5 / 8 * r**3 - 1 / 2 * r**4 + 1 / 12 * r**5 - 2 / (3 * safe)
    return torch.where(r <= 1, inner, torch.where(r < 2, outer, torch.zeros_like(r)))


def periodic_distance(n: int, positions_a: Tensor, positions_b: Tensor) -> Tensor:
    """Distance on a ring of ``n`` sites between every pair, ``(len(a), len(b))``."""
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


class EnsembleFilter(SequentialMethod):
    """Common part: initial ensemble, inflation, rotation; subclasses implement ``update``."""

    is_ensemble = True
    name = "EnKF"

    def __init__(self, N: int, inflation: float = 1.0, rotate: bool = False) -> None:
        self.N = check_ensemble_size(N)
        self.inflation = check_inflation(inflation)
        self.rotate = bool(rotate)

    def describe(self) -> dict[str, float | int | str]:
        return {"method": self.name, "N": self.N, "inflation": self.inflation, "rotate": int(self.rotate)}

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> Tensor:
        """Members drawn from N(initial_mean, initial_variance I), independently of the truth."""
        self.H, self.R = setup.H, setup.R
        self.R_inv = torch.linalg.inv(setup.R)
        self.R_chol = torch.linalg.cholesky(setup.R)
        self.generator = generator
        self.prepare(setup)
        mean = torch.tensor(setup.initial_mean, dtype=torch.float64)
        noise = torch.randn(n_experiments, self.N, setup.state_size, generator=generator, dtype=torch.float64)
        return mean + math.sqrt(setup.initial_variance) * noise

    def prepare(self, setup: TwinSetup) -> None:
        """Hook for set-up that depends on the twin setup (e.g. localisation weights)."""

    def update(self, E: Tensor, observation: Tensor) -> Tensor:
        raise NotImplementedError

    def analyse(self, forecast: Tensor, observation: Tensor) -> Tensor:
        if forecast.ndim != 3 or forecast.shape[1] != self.N:
            raise ValueError(f"ensemble must have shape (B, {self.N}, n), got {tuple(forecast.shape)}")
        if observation.shape != (forecast.shape[0], self.H.shape[0]):
            raise ValueError(
                f"observations do not match the state: expected {(forecast.shape[0], self.H.shape[0])}, "
                f"got {tuple(observation.shape)}"
            )
        return self.post_process(self.update(forecast, observation))

    def post_process(self, E: Tensor) -> Tensor:
        """Inflate the anomalies by λ and, if asked, rotate them randomly (mean kept)."""
        if self.inflation == 1.0 and not self.rotate:
            return E
        mean = E.mean(-2, keepdim=True)
        A = self.inflation * (E - mean)
        if self.rotate:
            A = mean_preserving_rotation(E.shape[0], self.N, self.generator) @ A
        return mean + A


class EnKF(EnsembleFilter):
    """Stochastic (perturbed-observation) EnKF."""

    name = "EnKF-PertObs"

    def update(self, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        B, N, _ = E.shape
        A = E - E.mean(-2, keepdim=True)
        Y = A @ self.H.T
        C = Y.mT @ Y + (N - 1) * self.R
        draws = torch.randn(B, N, self.H.shape[0], generator=self.generator, dtype=E.dtype)
        D = (draws - draws.mean(-2, keepdim=True)) @ self.R_chol.T
        innovation = observation[:, None, :] + D - E @ self.H.T
        return E + innovation @ torch.linalg.solve(C, Y.mT @ A)


class ETKF(EnsembleFilter):
    """Ensemble transform Kalman filter (square-root EnKF, symmetric transform)."""

    name = "ETKF"

    def update(self, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N = E.shape[-2]
        mean = E.mean(-2)
        A = E - mean[:, None, :]
        Y = A @ self.H.T
        YR = Y @ self.R_inv
        eigenvalues, V = torch.linalg.eigh(YR @ Y.mT + (N - 1) * torch.eye(N, dtype=E.dtype))
        d = observation - mean @ self.H.T
        w = ((YR @ d[..., None]).mT @ V / eigenvalues[:, None, :]) @ V.mT  # (B, 1, N)
        T = (V * ((N - 1) / eigenvalues).sqrt()[:, None, :]) @ V.mT
        return mean[:, None, :] + w @ A + T @ A


class DEnKF(EnsembleFilter):
    """Deterministic EnKF of Sakov & Oke (2008): anomalies updated with half the gain."""

    name = "DEnKF"

    def update(self, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N = E.shape[-2]
        mean = E.mean(-2)
        A = E - mean[:, None, :]
        Y = A @ self.H.T
        C = Y.mT @ Y + (N - 1) * self.R
        CinvYtA = torch.linalg.solve(C, Y.mT @ A)  # (B, p, n)
        d = observation - mean @ self.H.T
        mean_a = mean + (d[:, None, :] @ CinvYtA)[:, 0]
        return mean_a[:, None, :] + A - 0.5 * Y @ CinvYtA


class LETKF(EnsembleFilter):
    """Local ETKF with Gaspari–Cohn tapering of R⁻¹ on a periodic 1-D domain (Lorenz-96).

    ``localisation_radius`` follows DAPPER's convention: the taper equals e^{-1/2} at that
    distance, i.e. Gaspari–Cohn half-width c = 1.82 × radius (support 2c). R must be diagonal.
    """

    name = "LETKF"

    def __init__(
        self, N: int, localisation_radius: float, inflation: float = 1.0, rotate: bool = False
    ) -> None:
        super().__init__(N, inflation, rotate)
        if not localisation_radius > 0:
            raise ValueError(f"localisation_radius must be > 0, got {localisation_radius}")
        self.localisation_radius = float(localisation_radius)

    def describe(self) -> dict[str, float | int | str]:
        return {**super().describe(), "localisation_radius": self.localisation_radius}

    def prepare(self, setup: TwinSetup) -> None:
        if not torch.equal(self.R, torch.diag(torch.diagonal(self.R))):
            raise ValueError("LETKF needs a diagonal observation covariance R")
        n = setup.state_size
        observed_sites = setup.H.argmax(-1).to(torch.float64)
        distance = periodic_distance(n, torch.arange(n, dtype=torch.float64), observed_sites)
        taper = gaspari_cohn(distance / (1.82 * self.localisation_radius))  # (n, p)
        # sqrt(ρ_ij / r_j): scales observation anomalies and innovations per local analysis.
        self.local_scaling = (taper / torch.diagonal(self.R)).sqrt()

    def update(self, E: Tensor, observation: Tensor) -> Tensor:
        guard_answer()
        N = E.shape[-2]
        mean = E.mean(-2)  # (B, n)
        A = E - mean[:, None, :]  # (B, N, n)
        Y = A @ self.H.T  # (B, N, p)
        d = observation - mean @ self.H.T  # (B, p)
        Yl = Y[:, None, :, :] * self.local_scaling[None, :, None, :]  # (B, n, N, p)
        dl = d[:, None, :] * self.local_scaling  # (B, n, p)
        eigenvalues, V = torch.linalg.eigh(Yl @ Yl.mT + (N - 1) * torch.eye(N, dtype=E.dtype))
        projected = (Yl @ dl[..., None]).mT @ V  # (B, n, 1, N)
        w = ((projected / eigenvalues[..., None, :]) @ V.mT)[..., 0, :]  # (B, n, N)
        T = (V * ((N - 1) / eigenvalues).sqrt()[..., None, :]) @ V.mT  # (B, n, N, N)
        A_site = A.permute(0, 2, 1)  # (B, n, N): anomalies of each component
        mean_a = mean + (w * A_site).sum(-1)
        A_a = (T @ A_site[..., None])[..., 0]  # (B, n, N)
        return mean_a[:, None, :] + A_a.permute(0, 2, 1)
