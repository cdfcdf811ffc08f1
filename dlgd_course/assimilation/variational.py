"""Variational assimilation: 3D-Var and 4D-Var costs, minimised with torch autograd.

Costs (Talagrand & Courtier 1987, QJRMS 113; Trémolet 2006, QJRMS 132 for the weak form),
every one batched over a leading experiment dimension ``B`` and returned per experiment::

    3D-Var:  J(x)   = ½‖x − x_b‖²_B⁻¹ + ½‖y − H x‖²_R⁻¹
    strong 4D-Var:  J(x_0) = ½‖x_0 − x_b‖²_B⁻¹ + ½ Σ_l ‖y_l − H M_l(x_0)‖²_R⁻¹
    weak 4D-Var:    J(x_0:T) = ½‖x_0 − x_b‖²_B⁻¹ + ½ Σ_t m_t ‖y_t − H x_t‖²_R⁻¹
                               + ½ Σ_t ‖x_{t+1} − M(x_t)‖²_Q⁻¹

with ‖v‖²_A = vᵀ A v, M_l the model over l observation intervals, M one model step and
m_t = 1 where y_t exists. Gradients come from autograd through the RK4 model (the adjoint
is never written by hand); :func:`minimise` runs L-BFGS (strong-Wolfe line search) or Adam.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import as_covariance
from dlgd_course.assimilation.twin import Forecast, SequentialMethod, TwinSetup, climatology
from dlgd_course.own_work import guard_answer


def mahalanobis(v: Tensor, precision: Tensor) -> Tensor:
    """vᵀ A v over the last dimension, for ``v (..., k)`` and ``A (k, k)``."""
    guard_answer()
    return ((v @ precision) * v).sum(-1)


def var3d_cost(x: Tensor, x_b: Tensor, y: Tensor, H: Tensor, B_inv: Tensor, R_inv: Tensor) -> Tensor:
    """3D-Var cost ``(B,)`` for states ``x, x_b (B, n)``, observations ``y (B, p)``."""
    guard_answer()
    return 0.5 * mahalanobis(x - x_b, B_inv) + 0.5 * mahalanobis(y - x @ H.T, R_inv)


def strong_4dvar_cost(
    x0: Tensor,
    x_b: Tensor,
    observations: Tensor,
    forecast: Forecast,
    H: Tensor,
    B_inv: Tensor,
    R_inv: Tensor,
) -> Tensor:
    """Strong-constraint 4D-Var cost ``(B,)``.

    Args:
        x0, x_b: initial state of the window and its background, ``(B, n)``.
        observations: ``(L, B, p)`` at the L observation times after the window start.
        forecast: the model over one observation interval.
    """
    guard_answer()
    cost = 0.5 * mahalanobis(x0 - x_b, B_inv)
    x = x0
    for y in observations:
        x = forecast(x)
        cost = cost + 0.5 * mahalanobis(y - x @ H.T, R_inv)
    return cost


def weak_4dvar_cost(
    trajectory: Tensor,
    observations: Tensor,
    mask: Tensor,
    step: Callable[[Tensor], Tensor],
    R_inv_diag: Tensor,
    Q_inv_diag: Tensor,
    x_b: Tensor | None = None,
    B_inv_diag: Tensor | None = None,
) -> Tensor:
    """Weak-constraint 4D-Var cost ``(B,)`` with diagonal R, Q, B and observations at model steps.

    Args:
        trajectory: control variable, states ``(T, B, n)`` at every model step.
        observations: ``(T, B, n)``, any value where ``mask`` is False.
        mask: ``(T, B, n)`` bool, True where a component is observed.
        step: one model step.
        R_inv_diag, Q_inv_diag: ``(n,)`` inverse variances of observation and model errors.
        x_b, B_inv_diag: optional background ``(B, n)`` of the first state and its precision.
    """
    guard_answer()
    innovation = torch.where(mask, observations - trajectory, torch.zeros_like(trajectory))
    cost = 0.5 * (innovation.square() * R_inv_diag).sum((0, 2))
    model_error = trajectory[1:] - step(trajectory[:-1])
    cost = cost + 0.5 * (model_error.square() * Q_inv_diag).sum((0, 2))
    if x_b is not None and B_inv_diag is not None:
        cost = cost + 0.5 * ((trajectory[0] - x_b).square() * B_inv_diag).sum(-1)
    return cost


def minimise(
    cost: Callable[[Tensor], Tensor],
    x_init: Tensor,
    optimiser: str = "lbfgs",
    n_iterations: int = 50,
    lr: float = 1.0,
    tolerance: float = 1e-9,
) -> Tensor:
    """Minimise the scalar ``cost(x)`` from ``x_init`` with autograd; returns the detached minimiser.

    ``optimiser="lbfgs"``: L-BFGS with strong-Wolfe line search, at most ``n_iterations``
    iterations; ``"adam"``: ``n_iterations`` Adam steps of learning rate ``lr``.
    """
    guard_answer()
    x = x_init.detach().clone().contiguous().requires_grad_(True)
    with torch.enable_grad():
        if optimiser == "lbfgs":
            opt = torch.optim.LBFGS(
                [x],
                lr=lr,
                max_iter=n_iterations,
                history_size=20,
                tolerance_grad=tolerance,
                tolerance_change=tolerance * 1e-3,
                line_search_fn="strong_wolfe",
            )

            def closure() -> Tensor:
                opt.zero_grad()
                value = cost(x)
                value.backward()
                return value

            opt.step(closure)
        elif optimiser == "adam":
            opt = torch.optim.Adam([x], lr=lr)
            for _ in range(n_iterations):
                opt.zero_grad()
                cost(x).backward()
                opt.step()
        else:
            raise ValueError(f"optimiser must be 'lbfgs' or 'adam', got {optimiser!r}")
    return x.detach()


class Var4D(SequentialMethod):
    """Cycling strong-constraint 4D-Var over a window of ``lag`` observation intervals.

    At each analysis time t_k the control is the state at the window start t_{k−L}; the
    background there is the previous window's analysis trajectory; the analysis reported
    at t_k is the optimal trajectory's end state. B = ``xB`` × climatological covariance.
    The window then slides by one observation interval (as DAPPER's ``Var4D``).
    """

    name = "4D-Var"

    def __init__(
        self,
        lag: int = 1,
        xB: float = 0.1,
        B: Tensor | None = None,
        optimiser: str = "lbfgs",
        n_iterations: int = 20,
    ) -> None:
        if isinstance(lag, bool) or not isinstance(lag, int) or lag < 1:
            raise ValueError(f"lag must be a positive integer, got {lag!r}")
        self.lag, self.xB, self.B = lag, xB, B
        self.optimiser, self.n_iterations = optimiser, n_iterations

    def describe(self) -> dict[str, float | int | str]:
        return {"method": self.name, "lag": self.lag, "xB": self.xB, "n_iterations": self.n_iterations}

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> Tensor:
        n = setup.state_size
        B = climatology(setup)[1] if self.B is None else self.B  # this setup's when not given
        self.B_inv = torch.linalg.inv(self.xB * as_covariance(B, n, "background covariance B"))
        self.H, self.R_inv = setup.H, torch.linalg.inv(setup.R)
        mean = torch.tensor(setup.initial_mean, dtype=torch.float64)
        noise = torch.randn(n_experiments, n, generator=generator, dtype=torch.float64)
        state = mean + math.sqrt(setup.initial_variance) * noise
        self.window_background = state
        self.window_observations: list[Tensor] = []
        return state

    def cycle(self, state: Tensor, observation: Tensor, forecast: Forecast) -> Tensor:
        guard_answer()
        self.window_observations.append(observation)
        observations = torch.stack(self.window_observations)
        x_b = self.window_background

        def cost(x0: Tensor) -> Tensor:
            return strong_4dvar_cost(x0, x_b, observations, forecast, self.H, self.B_inv, self.R_inv).sum()

        x0 = minimise(cost, x_b, optimiser=self.optimiser, n_iterations=self.n_iterations)
        trajectory = [x0]
        for _ in range(len(self.window_observations)):
            trajectory.append(forecast(trajectory[-1]))
        if len(self.window_observations) == self.lag:
            self.window_observations.pop(0)
            self.window_background = trajectory[1]
        return trajectory[-1]
