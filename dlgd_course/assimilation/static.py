"""Static-covariance baselines: climatology, optimal interpolation and 3D-Var.

Both use the best linear unbiased estimate with a *static* background covariance B
(Kalnay 2003, ch. 5; Lorenc 1986, QJRMS 112):

    x_a = x_b + K (y − H x_b),   K = B Hᵀ (H B Hᵀ + R)⁻¹,

which for a linear H is the minimiser of the 3D-Var cost

    J(x) = ½ (x − x_b)ᵀ B⁻¹ (x − x_b) + ½ (y − H x)ᵀ R⁻¹ (y − H x).

*Optimal interpolation* (as in DAPPER's ``OptInterp``) takes the climatological mean as
background at every analysis and B = climatological covariance; *3D-Var* (DAPPER's
``Var3D``) takes the forecast from the previous analysis as background and B = ``xB`` ×
climatological covariance. ``Var3D(solver="lbfgs")`` minimises J with torch autograd and
L-BFGS instead of the gain formula (same answer for linear H, and works for nonlinear H).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import as_covariance
from dlgd_course.assimilation.twin import Forecast, SequentialMethod, TwinSetup, climatology
from dlgd_course.assimilation.variational import minimise, var3d_cost
from dlgd_course.own_work import guard_answer


def kalman_gain(B: Tensor, H: Tensor, R: Tensor) -> Tensor:
    """K = B Hᵀ (H B Hᵀ + R)⁻¹, shape ``(n, p)``."""
    guard_answer()
    return torch.linalg.solve(H @ B @ H.T + R, H @ B).T


class OptimalInterpolation(SequentialMethod):
    """OI: analysis from the climatological mean with the climatological covariance.

    The forecast is not used: x_a = μ_c + K (y − H μ_c), K from B = climatological covariance.
    """

    name = "OI"

    def __init__(self, mean: Tensor | None = None, covariance: Tensor | None = None) -> None:
        """``mean (n,)`` and ``covariance (n, n)``: the climatology to use on every setup, or
        ``None`` to estimate it from each setup's model (:func:`climatology`) at
        :meth:`initialise`."""
        self.mean_c = mean
        self.covariance = covariance

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> Tensor:
        if self.mean_c is None or self.covariance is None:
            mean, covariance = climatology(setup)  # this setup's: the instance is reusable
        else:
            mean, covariance = self.mean_c, self.covariance
        n = setup.state_size
        B = as_covariance(covariance, n, "climatological covariance")
        self.gain = kalman_gain(B, setup.H, setup.R)
        self.H, self.background_mean = setup.H, mean
        return mean.expand(n_experiments, n).clone()

    def cycle(self, state: Tensor, observation: Tensor, forecast: Forecast) -> Tensor:
        background = self.background_mean.expand_as(state)
        return background + (observation - background @ self.H.T) @ self.gain.T


class Var3D(SequentialMethod):
    """3D-Var with static B = ``xB`` × climatological covariance (or a given ``B``).

    ``solver="gain"`` uses the closed form; ``"lbfgs"`` minimises the cost with autograd.
    """

    name = "3D-Var"

    def __init__(
        self,
        xB: float = 1.0,
        B: Tensor | None = None,
        solver: str = "gain",
        n_iterations: int = 50,
    ) -> None:
        if solver not in ("gain", "lbfgs"):
            raise ValueError(f"solver must be 'gain' or 'lbfgs', got {solver!r}")
        if not xB > 0:
            raise ValueError(f"background scaling xB must be > 0, got {xB}")
        self.xB, self.B, self.solver, self.n_iterations = xB, B, solver, n_iterations

    def describe(self) -> dict[str, float | int | str]:
        return {"method": self.name, "xB": self.xB, "solver": self.solver}

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> Tensor:
        n = setup.state_size
        B = climatology(setup)[1] if self.B is None else self.B  # this setup's when not given
        self.B_scaled = self.xB * as_covariance(B, n, "background covariance B")
        self.H, self.R = setup.H, setup.R
        self.gain = kalman_gain(self.B_scaled, setup.H, setup.R)
        self.B_inv = torch.linalg.inv(self.B_scaled)
        self.R_inv = torch.linalg.inv(setup.R)
        mean = torch.tensor(setup.initial_mean, dtype=torch.float64)
        noise = torch.randn(n_experiments, n, generator=generator, dtype=torch.float64)
        return mean + math.sqrt(setup.initial_variance) * noise

    def analyse(self, forecast: Tensor, observation: Tensor) -> Tensor:
        if self.solver == "gain":
            return forecast + (observation - forecast @ self.H.T) @ self.gain.T

        def cost(x: Tensor) -> Tensor:
            return var3d_cost(x, forecast, observation, self.H, self.B_inv, self.R_inv).sum()

        return minimise(cost, forecast, optimiser="lbfgs", n_iterations=self.n_iterations)
