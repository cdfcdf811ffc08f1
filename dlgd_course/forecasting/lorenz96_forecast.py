"""A learned one-step model of Lorenz-96, rolled out to every lead.

Lorenz-96 (Lorenz 1996, *Predictability: a problem partly solved*) on ``N`` sites of a
circle, ``dX_k/dt = (X_{k+1} − X_{k−2}) X_{k−1} − X_k + F``, is local and invariant under a
shift of the sites. The model of one sampling step ``δt`` keeps both properties: a residual
network of periodic (circular) 1-D convolutions over the sites,

    x_{t+1} = x_t + s ⊙ g((x_t − μ) / s),

with ``μ, s`` the training-block mean and standard deviation of each site, and ``g`` two
convolutions of width 5 (GELU) and a pointwise one, so that each site's increment depends on
its ±4 neighbours. Iterating it ``ℓ`` times forecasts lead ``ℓ`` (:func:`rollout`), as the
bilinear residual network of Fablet, Ouala & Herzet (2018, *Bilinear residual neural network
for the identification and forecasting of geophysical dynamics*, EUSIPCO) does for
Lorenz-63. It trains with :class:`~dlgd_course.forecasting.lightning.ForecastModule` on lead
1 (``train_leads=(1,)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

from dlgd_course.forecasting.models import OneStepModel
from dlgd_course.own_work import guard_answer


def periodic_conv(n_in: int, n_out: int, width: int) -> nn.Conv1d:
    """A 1-D convolution over the sites of a circle: ``(B, n_in, N) -> (B, n_out, N)``, odd ``width``."""
    if width < 1 or width % 2 == 0:
        raise ValueError(f"width must be a positive odd number of sites, got {width}")
    return nn.Conv1d(n_in, n_out, width, padding=width // 2, padding_mode="circular")


class PeriodicResidualStep(OneStepModel):
    """``x_{t+1} = x_t + s ⊙ g((x_t − μ)/s)`` on states ``(..., N)`` in physical units.

    Args:
        mean, std: training-block mean and standard deviation ``(N,)`` (``std > 0``).
        channels: hidden channels of the periodic convolutional network ``g``.
    """

    def __init__(self, mean: Tensor, std: Tensor, channels: int = 16):
        super().__init__()
        if mean.ndim != 1 or mean.shape != std.shape or not bool((std > 0).all()):
            raise ValueError("mean and std must be (N,) tensors of the same shape, std > 0")
        self.dim = mean.shape[-1]
        self.register_buffer("mean", mean.detach().to(torch.float32).clone())
        self.register_buffer("std", std.detach().to(torch.float32).clone())
        self.net = nn.Sequential(
            periodic_conv(1, channels, 5),
            nn.GELU(),
            periodic_conv(channels, channels, 5),
            nn.GELU(),
            periodic_conv(channels, 1, 1),
        )

    def step(self, state: Tensor) -> Tensor:
        guard_answer()
        z = (state - self.mean) / self.std
        increment = self.net(z.reshape(-1, 1, self.dim)).reshape(state.shape)
        return state + self.std * increment


def residual_step_network(mean: Tensor, std: Tensor, channels: int = 16) -> PeriodicResidualStep:
    """An untrained :class:`PeriodicResidualStep` (``mean``, ``std`` of shape ``(N,)``)."""
    guard_answer()
    return PeriodicResidualStep(mean, std, channels)


class _GivenStep(OneStepModel):
    """A :class:`OneStepModel` whose step is a given function (for :func:`rollout`)."""

    def __init__(self, step: Callable[[Tensor], Tensor], dim: int):
        super().__init__()
        self.given_step, self.dim = step, dim

    def step(self, state: Tensor) -> Tensor:
        return self.given_step(state)


def rollout(step: Callable[[Tensor], Tensor], x0: Tensor, leads: Sequence[int]) -> Tensor:
    """Apply ``step`` repeatedly from ``x0`` ``(B, N)``; the states after each lead ``(B, L, N)``.

    ``leads`` are numbers of steps, strictly increasing; ``step`` maps ``(B, N)`` to ``(B, N)``.
    """
    guard_answer()
    if x0.ndim != 2:
        raise ValueError(f"x0 must have shape (batch, N), got {tuple(x0.shape)}")
    return _GivenStep(step, x0.shape[-1]).forecast(x0[:, None], leads)
