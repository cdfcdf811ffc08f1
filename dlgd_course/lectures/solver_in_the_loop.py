"""Learned corrections of a coarse differentiable Burgers solver, trained with the solver in the loop.

A coarse solver S (the finite-volume scheme of :mod:`dlgd_course.lectures.burgers_fv` on a grid
``factor`` times coarser than the reference) advances cell averages by one frame; a network c_θ
corrects each step,

    ũ_{k+1} = S(ũ_k) + c_θ(S(ũ_k)),    ũ_k, r_k ∈ ℝ^{batch × n_coarse},

where r_k are the reference frames (the fine solution averaged over each coarse cell). Training
minimises the mean squared error over ``unroll`` corrected steps started from reference states,

    L(θ) = 1/m Σ_{k=1..m} ‖ũ_k - r_k‖² / n,    ũ_0 = r_0,

with gradients back-propagated through every solver step (Um et al. 2020, "Solver-in-the-loop",
NeurIPS). ``unroll = 1`` is their *non-interacting* baseline: the network only ever sees
solver outputs of reference states (a priori training, no gradient through S needed); with
``unroll > 1`` it sees, and learns to correct, the states its own corrections produce.

The correction network is a periodic (circular-padded) CNN, so the corrected solver stays
translation equivariant; in *flux form* it predicts face fluxes G_{i+1/2} and corrects by
-(G_{i+1/2} - G_{i-1/2}), so Σ_i ũ_i (the momentum of Burgers' equation) is conserved by
construction, like the solver itself.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from dlgd_course.lectures.burgers_fv import burgers_fv

Step = Callable[[Tensor], Tensor]


def coarse_grain(u: Tensor, factor: int) -> Tensor:
    """Averages of ``factor`` neighbouring cells: ``(..., n)`` → ``(..., n // factor)``.

    Cell averages of the coarse grid, the projection that commutes with the flux form."""
    if factor < 1 or u.shape[-1] % factor:
        raise ValueError(f"factor must be a positive divisor of the {u.shape[-1]} cells, got {factor}")
    return u.unflatten(-1, (u.shape[-1] // factor, factor)).mean(-1)


def coarse_solver(nu: float, frame_dt: float, substeps: int) -> Step:
    """The coarse step S: one frame of ``frame_dt`` by ``substeps`` Heun steps of
    :func:`~dlgd_course.lectures.burgers_fv.burgers_fv`; ``(..., n)`` → ``(..., n)``."""
    if substeps < 1:
        raise ValueError(f"substeps must be positive, got {substeps}")
    return lambda u: burgers_fv(u, nu, frame_dt, n_frames=1, substeps=substeps)[-1]


class ConvCorrection(nn.Module):
    """Correction c_θ(u) of a periodic 1-D field, ``(batch, n)`` → ``(batch, n)``.

    Three 1-D convolutions (kernel ``kernel_size``, ``width`` channels, tanh) with
    ``padding_mode`` ``"circular"`` (translation equivariant on a periodic domain) or
    ``"zeros"``; the last layer starts at zero, so c_θ = 0 before training. With ``flux_form``
    the output G is read as face fluxes and the correction is -(G_{i+1/2} - G_{i-1/2}), whose
    sum over the periodic domain is zero.
    """

    def __init__(
        self, width: int = 32, kernel_size: int = 5, flux_form: bool = False, padding_mode: str = "circular"
    ) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (centred stencil), got {kernel_size}")
        if padding_mode not in ("circular", "zeros"):
            raise ValueError(f"padding_mode must be 'circular' or 'zeros', got {padding_mode!r}")
        padding = kernel_size // 2

        def conv(channels_in: int, channels_out: int) -> nn.Conv1d:
            return nn.Conv1d(
                channels_in, channels_out, kernel_size, padding=padding, padding_mode=padding_mode
            )

        self.net = nn.Sequential(conv(1, width), nn.Tanh(), conv(width, width), nn.Tanh(), conv(width, 1))
        nn.init.zeros_(self.net[-1].weight)  # c_θ = 0 at the start: training begins from the solver
        nn.init.zeros_(self.net[-1].bias)
        self.flux_form = flux_form

    def forward(self, u: Tensor) -> Tensor:
        output = self.net(u.unsqueeze(-2)).squeeze(-2)
        return -(output - output.roll(1, -1)) if self.flux_form else output


def corrected_rollout(
    solver: Step, correction: Callable[[Tensor], Tensor] | None, u0: Tensor, n_steps: int
) -> Tensor:
    """Frames ũ_0 = ``u0`` … ũ_{n_steps} of S (+ c_θ), shape ``(n_steps + 1, *u0.shape)``;
    ``correction=None`` runs the uncorrected coarse solver."""
    frames, u = [u0], u0
    for _ in range(n_steps):
        u = solver(u)
        if correction is not None:
            u = u + correction(u)
        frames.append(u)
    return torch.stack(frames)


def train_correction(
    correction: nn.Module,
    solver: Step,
    reference: Tensor,
    unroll: int,
    n_iterations: int = 200,
    batch_size: int = 32,
    learning_rate: float = 2e-3,
    generator: torch.Generator | None = None,
) -> list[float]:
    """Fit ``correction`` in place to ``reference (n_frames, n_trajectories, n)`` through
    ``unroll`` solver steps (1 = a priori); Adam, the learning rate cut by 10 for the last
    third. Each iteration draws ``batch_size`` (trajectory, start frame) pairs. Returns the
    loss L(θ) of each iteration."""
    n_frames, n_trajectories, _ = reference.shape
    if not 1 <= unroll < n_frames:
        raise ValueError(
            f"unroll must be in [1, {n_frames - 1}] for {n_frames} reference frames, got {unroll}"
        )
    optimiser = torch.optim.Adam(correction.parameters(), lr=learning_rate)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimiser, [2 * n_iterations // 3], gamma=0.1)
    losses = []
    for _ in range(n_iterations):
        trajectory = torch.randint(0, n_trajectories, (batch_size,), generator=generator)
        start = torch.randint(0, n_frames - unroll, (batch_size,), generator=generator)
        window = torch.stack([reference[start + k, trajectory] for k in range(unroll + 1)])
        predicted = corrected_rollout(solver, correction, window[0], unroll)
        loss = (predicted[1:] - window[1:]).pow(2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        losses.append(loss.item())
    return losses
