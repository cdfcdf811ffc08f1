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
L-BFGS instead of the gain formula (same answer for linear H). For a nonlinear or
time-varying observation operator h_k the gain uses its Jacobian H = ∂h_k/∂x at the
background (autograd), x_a = x_b + K (y − h_k(x_b)): one Gauss–Newton step, while
``solver="lbfgs"`` minimises the full nonlinear cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import as_covariance
from dlgd_course.assimilation.twin import RunState, SequentialMethod, TwinSetup, climatology, initial_state
from dlgd_course.assimilation.variational import minimise, var3d_cost
from dlgd_course.own_work import guard_answer


def kalman_gain(B: Tensor, H: Tensor, R: Tensor) -> Tensor:
    """K = B Hᵀ (H B Hᵀ + R)⁻¹, shape ``(n, p)``; batched over leading dims of ``H (..., p, n)``."""
    guard_answer()
    return torch.linalg.solve(H @ B @ H.mT + R, H @ B).mT


def gain_update(run: RunState, background: Tensor, B: Tensor, observation: Tensor) -> Tensor:
    """x_b + K (y − h_k(x_b)) with K from B and the Jacobian of h_k at ``background (B, n)``."""
    H = run.setup.observation.jacobian(background, run.cycle_index)  # (B, p, n)
    K = kalman_gain(B, H, run.R)  # (B, n, p)
    innovation = observation - run.observe(background)
    return background + (K @ innovation[..., None])[..., 0]


@dataclass(eq=False)
class StaticRun(RunState):
    """Run state of OI and 3D-Var: the estimate, the background mean (OI) and covariance B."""

    background_mean: Tensor | None = None
    B: Tensor | None = None


@dataclass(frozen=True, eq=False)
class OptimalInterpolation(SequentialMethod):
    """OI: analysis from the climatological mean with the climatological covariance.

    The forecast is not used: x_a = μ_c + K (y − h(μ_c)), K from B = climatological covariance.
    ``mean (n,)`` and ``covariance (n, n)``: the climatology to use on every setup, or
    ``None`` to estimate it from each setup's model (:func:`climatology`) at
    :meth:`initialise`.
    """

    mean: Tensor | None = None
    covariance: Tensor | None = None

    name: ClassVar[str] = "OI"

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> StaticRun:
        if self.mean is None or self.covariance is None:
            mean, covariance = climatology(setup)  # this setup's: the configuration is reusable
        else:
            mean, covariance = self.mean, self.covariance
        n = setup.state_size
        B = as_covariance(covariance, n, "climatological covariance")
        start = mean.expand(n_experiments, n).clone()
        return StaticRun(setup, start, generator, background_mean=mean, B=B)

    def analyse(self, run: RunState, observation: Tensor) -> None:
        background = run.background_mean.expand_as(run.estimate)
        run.estimate = gain_update(run, background, run.B, observation)


@dataclass(frozen=True, eq=False)
class Var3D(SequentialMethod):
    """3D-Var with static B = ``xB`` × climatological covariance (or a given ``B``).

    ``solver="gain"`` uses the closed form; ``"lbfgs"`` minimises the cost with autograd.
    """

    xB: float = 1.0
    B: Tensor | None = None
    solver: str = "gain"
    n_iterations: int = 50

    name: ClassVar[str] = "3D-Var"

    def __post_init__(self) -> None:
        if self.solver not in ("gain", "lbfgs"):
            raise ValueError(f"solver must be 'gain' or 'lbfgs', got {self.solver!r}")
        if not self.xB > 0:
            raise ValueError(f"background scaling xB must be > 0, got {self.xB}")

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> StaticRun:
        B = climatology(setup)[1] if self.B is None else self.B  # this setup's when not given
        B_scaled = self.xB * as_covariance(B, setup.state_size, "background covariance B")
        return StaticRun(setup, initial_state(setup, (n_experiments,), generator), generator, B=B_scaled)

    def analyse(self, run: RunState, observation: Tensor) -> None:
        forecast = run.estimate
        if self.solver == "gain":
            run.estimate = gain_update(run, forecast, run.B, observation)
            return
        B_inv, R_inv = torch.linalg.inv(run.B), run.setup.R_inv

        def cost(x: Tensor) -> Tensor:
            return var3d_cost(x, forecast, observation, run.observe, B_inv, R_inv).sum()

        run.estimate = minimise(cost, forecast, optimiser="lbfgs", n_iterations=self.n_iterations)
