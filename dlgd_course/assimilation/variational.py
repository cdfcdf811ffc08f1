"""Variational assimilation: 3D-Var and 4D-Var costs, minimised with torch autograd.

Costs (Talagrand & Courtier 1987, QJRMS 113; Trémolet 2006, QJRMS 132 for the weak form),
every one batched over a leading experiment dimension ``B`` and returned per experiment::

    3D-Var:  J(x)   = ½‖x − x_b‖²_B⁻¹ + ½‖y − H x‖²_R⁻¹
    strong 4D-Var:  J(x_0) = ½‖x_0 − x_b‖²_B⁻¹ + ½ Σ_l ‖y_l − H M_l(x_0)‖²_R⁻¹
    weak 4D-Var:    J(x_0:T) = ½‖x_0 − x_b‖²_B⁻¹ + ½ Σ_t m_t ‖y_t − H x_t‖²_R⁻¹
                               + ½ Σ_t ‖x_{t+1} − M(x_t)‖²_Q⁻¹

with ‖v‖²_A = vᵀ A v, M_l the model over l observation intervals, M one model step and
m_t = 1 where y_t exists. H may be a matrix or an observation function h (nonlinear,
possibly a different one at each time of a 4D-Var window). Gradients come from autograd
through the RK4 model and h (the adjoint is never written by hand); :func:`minimise` runs
L-BFGS (strong-Wolfe line search) or Adam.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.assimilation.checks import as_covariance
from dlgd_course.assimilation.twin import (
    Forecast,
    RunState,
    SequentialMethod,
    TwinSetup,
    climatology,
    initial_state,
)
from dlgd_course.own_work import guard_answer


def mahalanobis(v: Tensor, precision: Tensor) -> Tensor:
    """vᵀ A v over the last dimension, for ``v (..., k)`` and ``A (k, k)``."""
    guard_answer()
    return ((v @ precision) * v).sum(-1)


def observe(H: Tensor | Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """H x for a matrix ``H (p, n)``, h(x) for a function; ``x (..., n)`` → ``(..., p)``."""
    return x @ H.T if isinstance(H, Tensor) else H(x)


def var3d_cost(
    x: Tensor, x_b: Tensor, y: Tensor, H: Tensor | Callable[[Tensor], Tensor], B_inv: Tensor, R_inv: Tensor
) -> Tensor:
    """3D-Var cost ``(B,)`` for states ``x, x_b (B, n)``, observations ``y (B, p)``, H a matrix or h."""
    guard_answer()
    return 0.5 * mahalanobis(x - x_b, B_inv) + 0.5 * mahalanobis(y - observe(H, x), R_inv)


def strong_4dvar_cost(
    x0: Tensor,
    x_b: Tensor,
    observations: Tensor,
    forecast: Forecast,
    H: Tensor | Sequence[Callable[[Tensor], Tensor]],
    B_inv: Tensor,
    R_inv: Tensor,
) -> Tensor:
    """Strong-constraint 4D-Var cost ``(B,)``.

    Args:
        x0, x_b: initial state of the window and its background, ``(B, n)``.
        observations: ``(L, B, p)`` at the L observation times after the window start.
        forecast: the model over one observation interval.
        H: one matrix ``(p, n)`` for every time, or L observation functions h_l.
    """
    guard_answer()
    cost = 0.5 * mahalanobis(x0 - x_b, B_inv)
    x = x0
    for index, y in enumerate(observations):
        x = forecast(x)
        cost = cost + 0.5 * mahalanobis(y - observe(H if isinstance(H, Tensor) else H[index], x), R_inv)
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


@dataclass(eq=False)
class WindowRun(RunState):
    """Run state of cycling 4D-Var: the background at the window start, the window's first
    cycle index and observations ``[(B, p), …]``, and the static B⁻¹."""

    window_background: Tensor | None = None
    window_start: int = 0
    window_observations: list[Tensor] = field(default_factory=list)
    B_inv: Tensor | None = None

    def restart(self, lost: Tensor, state: Tensor) -> None:
        super().restart(lost, state)
        self.window_background = torch.where(lost[:, None], state, self.window_background)


@dataclass(frozen=True, eq=False)
class Var4D(SequentialMethod):
    """Cycling strong-constraint 4D-Var over a window of ``lag`` observation intervals.

    At each analysis time t_k the control is the state at the window start t_{k−L}; the
    background there is the previous window's analysis trajectory; the analysis reported
    at t_k is the optimal trajectory's end state. B = ``xB`` × climatological covariance.
    The window then slides by one observation interval (as DAPPER's ``Var4D``).

    ``independent=True`` (default) minimises each experiment's cost on its own (its own
    L-BFGS line searches and curvature pairs), so a batch gives exactly what separate runs
    give; ``False`` minimises the batch's summed cost at once (faster, but the experiments
    share one optimisation). The default ``xB = 0.1`` suits Lorenz-63 (Sakov et al. 2012);
    the scaling must shrink as the window grows, and each setup module gives its own (e.g.
    :mod:`~dlgd_course.assimilation.setups.bocquet_sakov2013`: 0.2, 0.1, 0.02 for lags 1, 2, 4).
    """

    lag: int = 1
    xB: float = 0.1
    B: Tensor | None = None
    optimiser: str = "lbfgs"
    n_iterations: int = 20
    independent: bool = True

    name: ClassVar[str] = "4D-Var"

    def __post_init__(self) -> None:
        if isinstance(self.lag, bool) or not isinstance(self.lag, int) or self.lag < 1:
            raise ValueError(f"lag must be a positive integer, got {self.lag!r}")
        if not self.xB > 0:
            raise ValueError(f"background scaling xB must be > 0, got {self.xB}")
        if self.optimiser not in ("lbfgs", "adam"):
            raise ValueError(f"optimiser must be 'lbfgs' or 'adam', got {self.optimiser!r}")

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> WindowRun:
        B = climatology(setup)[1] if self.B is None else self.B  # this setup's when not given
        B_inv = torch.linalg.inv(self.xB * as_covariance(B, setup.state_size, "background covariance B"))
        state = initial_state(setup, (n_experiments,), generator)
        return WindowRun(setup, state, generator, window_background=state, B_inv=B_inv)

    def analyse(self, run: RunState, observation: Tensor) -> None:
        guard_answer()
        if not run.window_observations:
            run.window_start = run.cycle_index
        run.window_observations.append(observation)
        observations = torch.stack(run.window_observations)  # (L, B, p)
        operators = [
            partial(run.setup.observation, k=run.window_start + index) for index in range(len(observations))
        ]
        forecast, R_inv = run.setup.forecast, run.setup.R_inv

        def window_cost(x0: Tensor, x_b: Tensor, window: Tensor) -> Tensor:
            return strong_4dvar_cost(x0, x_b, window, forecast, operators, run.B_inv, R_inv).sum()

        x_b = run.window_background
        if self.independent:
            x0 = torch.cat(
                [
                    minimise(
                        partial(window_cost, x_b=x_b[[i]], window=observations[:, [i]]),
                        x_b[[i]],
                        optimiser=self.optimiser,
                        n_iterations=self.n_iterations,
                    )
                    for i in range(x_b.shape[0])
                ]
            )
        else:
            x0 = minimise(
                partial(window_cost, x_b=x_b, window=observations),
                x_b,
                optimiser=self.optimiser,
                n_iterations=self.n_iterations,
            )
        trajectory = [x0]
        for _ in range(len(observations)):
            trajectory.append(forecast(trajectory[-1]))
        if len(observations) == self.lag:
            run.window_observations.pop(0)
            run.window_start += 1
            run.window_background = trajectory[1]
        run.estimate = trajectory[-1]
