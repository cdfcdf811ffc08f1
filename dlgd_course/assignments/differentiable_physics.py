"""Exercise 11 — differentiable physics (Lecture 1): the library code each part must not use,
and the reference results that later cells use when a part is not solved.

Later cells need the tangent and adjoint of Part 1 (a cost comparison of the two modes), the
solver of Part 3 (the figures and the time-step widget), the gradient check of Part 4 (its
error against the step size), the inverse problem of Part 5 and the residual of Part 6 (the
comparison of differentiable physics with a physics-informed network). The fallbacks below have
the signatures the notebook asks for; each is an answer of its part too (guarded and listed in
``answers``). Part 2 (the finite-volume tendency) has no fallback: later cells use the solver of
:mod:`dlgd_course.lectures.burgers_fv`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from dlgd_course.assimilation.variational import minimise
from dlgd_course.dynamics.integrate import heun_step
from dlgd_course.lectures.burgers_fv import burgers_fv, burgers_tendency, godunov_flux
from dlgd_course.own_work import Part, guard_answer

# --- fallbacks (the notebook's signatures) ------------------------------------------------------


def l96_jvp(x: Tensor, v: Tensor) -> Tensor:
    """Tangent (forward mode) of the Lorenz-96 tendency f_i = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F:
    ``J(x) v`` with (J v)_i = (v_{i+1} - v_{i-2}) x_{i-1} + (x_{i+1} - x_{i-2}) v_{i-1} - v_i.
    ``x``, ``v`` of shape ``(..., n)``; same shape out."""
    guard_answer()
    return (
        (v.roll(-1, -1) - v.roll(2, -1)) * x.roll(1, -1)
        + (x.roll(-1, -1) - x.roll(2, -1)) * v.roll(1, -1)
        - v
    )


def l96_vjp(x: Tensor, w: Tensor) -> Tensor:
    """Adjoint (reverse mode) of the Lorenz-96 tendency: ``J(x)ᵀ w``, the transpose of
    :func:`l96_jvp`, (Jᵀw)_j = w_{j-1} x_{j-2} - w_{j+2} x_{j+1} + w_{j+1} (x_{j+2} - x_{j-1}) - w_j.
    ``x``, ``w`` of shape ``(..., n)``; same shape out."""
    guard_answer()
    weighted = w * x.roll(1, -1)
    return (
        weighted.roll(1, -1) - weighted.roll(-2, -1) + (w * (x.roll(-1, -1) - x.roll(2, -1))).roll(-1, -1) - w
    )


def heun_solve(
    tendency: Callable[[Tensor], Tensor], u0: Tensor, frame_dt: float, n_frames: int, substeps: int
) -> Tensor:
    """Frames 0..n_frames, ``frame_dt`` apart, each reached by ``substeps`` Heun steps of
    du/dt = tendency(u); shape ``(n_frames + 1, *u0.shape)``."""
    guard_answer()
    frames, u = [u0], u0
    for _ in range(n_frames):
        for _ in range(substeps):
            u = heun_step(tendency, u, frame_dt / substeps)
        frames.append(u)
    return torch.stack(frames)


def directional_derivatives(
    loss: Callable[[Tensor], Tensor], u0: Tensor, direction: Tensor, eps: float
) -> tuple[float, float]:
    """The derivative of the scalar ``loss`` at ``u0`` along ``direction``: by reverse-mode AD,
    ∇loss(u0) · d, and by the central difference (loss(u0 + εd) - loss(u0 - εd)) / 2ε."""
    guard_answer()
    point = u0.detach().clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(loss(point), point)
    with torch.no_grad():
        central = (loss(u0 + eps * direction) - loss(u0 - eps * direction)) / (2 * eps)
    return (gradient * direction).sum().item(), central.item()


def recover_initial_state(
    observe: Callable[[Tensor], Tensor],
    observation: Tensor,
    n_iterations: int = 100,
    lr: float = 0.05,
    smoothness: float = 0.0,
) -> tuple[Tensor, list[float]]:
    """Adam from u0 = 0 on mean((observe(u0) - observation)²) + smoothness · mean((Δu0 / Δx)²),
    Δu0_i = u0_{i+1} - u0_i on [-1, 1) periodic (Δx = 2 / n). Returns the detached u0 (shape of
    ``observation``) and the data misfit before each of the ``n_iterations`` steps."""
    guard_answer()
    u0 = torch.zeros_like(observation, requires_grad=True)
    dx = 2.0 / observation.shape[-1]
    optimiser = torch.optim.Adam([u0], lr=lr)
    misfits = []
    for _ in range(n_iterations):
        optimiser.zero_grad()
        misfit = ((observe(u0) - observation) ** 2).mean()
        prior = (((u0.roll(-1, -1) - u0) / dx) ** 2).mean()
        (misfit + smoothness * prior).backward()
        optimiser.step()
        misfits.append(misfit.item())
    return u0.detach(), misfits


def pinn_residual(model: nn.Module, x: Tensor, t: Tensor, nu: float) -> Tensor:
    """Burgers residual u_t + u u_x - ν u_xx of ``u = model(x, t)`` at points ``x``, ``t`` of shape
    ``(n,)``, by autograd with the graph kept (the residual trains the model); shape ``(n,)``."""
    guard_answer()
    x = x.detach().requires_grad_(True)
    t = t.detach().requires_grad_(True)
    u = model(x, t)
    u_t, u_x = torch.autograd.grad(u.sum(), (t, x), create_graph=True)
    (u_xx,) = torch.autograd.grad(u_x.sum(), x, create_graph=True)
    return u_t + u * u_x - nu * u_xx


PARTS = {
    "tangent_adjoint": Part(answers=(l96_jvp, l96_vjp), fallback={"l96_jvp": l96_jvp, "l96_vjp": l96_vjp}),
    # the library's finite-volume tendency, its flux, and the solver that calls them
    "fv_tendency": Part(answers=(godunov_flux, burgers_tendency, burgers_fv)),
    # the library's Heun step (also the route dynamics.integrate(..., stepper="heun")) and solver
    "heun_solve": Part(answers=(heun_solve, heun_step, burgers_fv), fallback=heun_solve),
    "gradient_check": Part(answers=(directional_derivatives,), fallback=directional_derivatives),
    # the loop must be the student's: the library's Adam/L-BFGS minimiser would do it
    "recover_initial_state": Part(
        answers=(recover_initial_state, minimise), fallback=recover_initial_state, trains=True
    ),
    "pinn_residual": Part(answers=(pinn_residual,), fallback=pinn_residual),
}
