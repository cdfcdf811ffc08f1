"""Iterative ensemble Kalman smoother (iEnKS), batched over experiments.

Bocquet & Sakov (2013, NPG 20; 2014, QJRMS 140), square-root ("transform") form with
Gauss–Newton iterations, as DAPPER's ``iEnKS("Sqrt")``. The data assimilation window
(DAW) spans ``lag`` observation intervals and slides by one. With the ensemble E_s at the
window start (mean x̄_s, anomalies X_s ``(N, n)``), the control is w ∈ R^N:

    E(w, T) = x̄_s + (w 1ᵀ + T) X_s,  forecast M through the window, observed at its end,

    J(w) = ½ ‖y − h(M(E(w)))‖²_R⁻¹ (ensemble-mean) + ½ ζ ‖w‖²,   ζ = N − 1.

Each iteration takes the observation anomalies Y (de-conditioned by T⁻¹: Y₀ = T⁻¹ Y), their
SVD Y₀ = V diag(s) Uᵀ, the Gauss–Newton step Δw = (Y₀ δ − ζ w) V (s² + ζ)⁻¹ Vᵀ and the new
transform T = √(N−1) V (s² + ζ)^{−1/2} Vᵀ. With ``mda=True`` the iterations are instead the
*multiple data assimilation* annealing of Emerick & Reynolds (2013): the observation error is
inflated by the number of iterations and each one applies its update to the previous.
``xN`` (as in EnKF-N) replaces ζ by the finite-size estimate ζ(w) = (N−1) c_N / (ε_N + ‖w‖²),
so no inflation needs tuning. ``lag=1`` is the iterative EnKF (IEnKF, Sakov et al. 2012).

Each observation is assimilated once, when it enters the window at its end. The analysis at
the window end is the last forecast plus the linearised increment (Δw + T − T_old) X_f (as
DAPPER's, no extra model run); the window-start ensemble becomes x̄_s + (w 1ᵀ + T) X_s,
inflated/rotated, and moves one interval forward once the window is full.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import check_ensemble_size, check_inflation
from dlgd_course.assimilation.ensemble import EnKFN, mean_preserving_rotation
from dlgd_course.assimilation.twin import EnsembleRun, RunState, SequentialMethod, TwinSetup, initial_state
from dlgd_course.own_work import guard_answer


@dataclass(eq=False)
class SmootherRun(EnsembleRun):
    """Run state of the iEnKS: the ensemble at the window start and the window's length in
    observation intervals, besides the ensemble ``estimate`` at the latest time."""

    window_ensemble: Tensor | None = None
    window_length: int = 0

    def restart(self, lost: Tensor, state: Tensor) -> None:
        super().restart(lost, state)
        self.window_ensemble = torch.where(lost[:, None, None], state, self.window_ensemble)


@dataclass(frozen=True, eq=False)
class IEnKS(SequentialMethod):
    """Iterative ensemble Kalman smoother, square-root form (see the module docstring).

    Attributes:
        N: ensemble size.
        lag: window length in observation intervals (>= 1; 1 is the IEnKF).
        n_iterations: Gauss–Newton (or MDA) iterations per window.
        tolerance: stop iterating when ‖Δw‖² < tolerance × N (0: always ``n_iterations``).
        mda: multiple-data-assimilation iterations instead of Gauss–Newton.
        xN: finite-size (EnKF-N) inflation with this hyper-prior boost, or ``None``.
        inflation, rotate: post-analysis inflation of the window-start ensemble, rotation.
    """

    N: int
    lag: int = 1
    n_iterations: int = 10
    tolerance: float = 0.0
    mda: bool = False
    xN: float | None = None
    inflation: float = 1.0
    rotate: bool = False

    name: ClassVar[str] = "iEnKS"

    def __post_init__(self) -> None:
        check_ensemble_size(self.N)
        check_inflation(self.inflation)
        for label in ("lag", "n_iterations"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{label} must be a positive integer, got {value!r}")
        if not 0 <= self.tolerance < math.inf:
            raise ValueError(f"tolerance must be >= 0 and finite, got {self.tolerance!r}")
        if self.xN is not None and not 0 < self.xN < math.inf:
            raise ValueError(f"xN must be None or positive and finite, got {self.xN!r}")

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> SmootherRun:
        E = initial_state(setup, (n_experiments, self.N), generator)
        return SmootherRun(setup, E, generator, window_ensemble=E)

    def propagate(self, run: SmootherRun, E: Tensor) -> Tensor:
        """The window-start ensemble ``E (B, N, n)`` carried to the window's end."""
        for _ in range(run.window_length):
            E = run.setup.forecast(E)
        return E

    def forecast(self, run: RunState) -> None:
        """Open the next window position and forecast the window-start ensemble to its end."""
        run.window_length += 1
        run.estimate = self.propagate(run, run.window_ensemble)

    def ensemble_weight(self, s: Tensor, w: Tensor) -> Tensor:
        """ζ ``(B,)``: N − 1, or the EnKF-N estimate (N − 1) c_N / (ε_N + ‖w‖²) when ``xN`` is set."""
        N1 = self.N - 1
        if self.xN is None:
            return torch.full_like(w[:, 0], float(N1))
        eN, cL = EnKFN(N=self.N, xN=self.xN).hyperprior(s)
        return N1 * cL / (eN + w.square().sum(-1))

    def analyse(self, run: RunState, observation: Tensor) -> None:
        guard_answer()
        N, N1 = self.N, self.N - 1
        E0 = run.window_ensemble
        x0 = E0.mean(-2, keepdim=True)
        X0 = E0 - x0  # (B, N, n)
        B = E0.shape[0]
        eye = torch.eye(N, dtype=E0.dtype).expand(B, N, N)
        w = E0.new_zeros(B, N)
        T, T_inverse = eye.clone(), eye.clone()
        L = run.setup.R_chol
        E = run.estimate  # the forecast of iteration 0
        for iteration in range(self.n_iterations):
            if iteration > 0:
                E = self.propagate(run, x0 + (w[:, None, :] + T) @ X0)
            if iteration == 0:
                Xf = E - E.mean(-2, keepdim=True)
            T_old = T
            Eo = run.observe(E)
            observed_mean = Eo.mean(-2)
            Y = torch.linalg.solve_triangular(L, (Eo - observed_mean[:, None, :]).mT, upper=False).mT
            dy = torch.linalg.solve_triangular(L, (observation - observed_mean)[..., None], upper=False)[
                ..., 0
            ]
            Y0 = T_inverse @ Y
            V, s, _ = torch.linalg.svd(Y0, full_matrices=True)
            zeta = self.ensemble_weight(s, w)
            if self.mda:
                zeta = zeta * self.n_iterations
            s2 = torch.cat([s.square(), s.new_zeros(B, max(0, N - s.shape[-1]))], -1)[:, :N]
            diagonal = s2 + zeta[:, None]  # (B, N)

            def covariance_power(exponent: float, V: Tensor = V, diagonal: Tensor = diagonal) -> Tensor:
                return (V * diagonal[:, None, :] ** -exponent) @ V.mT

            if self.mda:
                step = (dy[:, None, :] @ Y.mT @ covariance_power(1.0) @ T)[:, 0]
                T = covariance_power(0.5) * zeta.sqrt()[:, None, None] @ T
            else:
                gradient = (Y0 @ dy[..., None])[..., 0] - w * zeta[:, None]
                step = (gradient[:, None, :] @ covariance_power(1.0))[:, 0]
                T = covariance_power(0.5) * math.sqrt(N1)
                T_inverse = covariance_power(-0.5) / math.sqrt(N1)
            w = w + step
            if bool((step.square().sum(-1) < self.tolerance * N).all()):
                break
        run.estimate = E + (step[:, None, :] + T - T_old) @ Xf
        smoothed = x0 + (w[:, None, :] + T) @ X0
        anomalies = self.inflation * (smoothed - smoothed.mean(-2, keepdim=True))
        if self.rotate:
            anomalies = mean_preserving_rotation(B, N, run.generator) @ anomalies
        smoothed = smoothed.mean(-2, keepdim=True) + anomalies
        if run.window_length == self.lag:  # the window is full: slide it by one interval
            smoothed = run.setup.forecast(smoothed)
            run.window_length -= 1
        run.window_ensemble = smoothed
