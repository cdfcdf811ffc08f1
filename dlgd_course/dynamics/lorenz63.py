"""Lorenz-63 (Lorenz 1963, *Deterministic nonperiodic flow*, J. Atmos. Sci. 20, 130–141).

    dx/dt = σ (y − x)
    dy/dt = x (ρ − z) − y
    dz/dt = x y − β z

Classic parameters σ = 10, ρ = 28, β = 8/3 give the butterfly attractor with
Lyapunov spectrum ≈ (0.906, 0, −14.57) whose sum is −(σ + 1 + β) (the divergence
of the vector field, constant in space).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.dynamics.base import DynamicalSystem
from dlgd_course.own_work import guard_answer

#: Initial state of the Sakov et al. (2012) twin experiment, on the attractor.
SAKOV2012_INITIAL_STATE = (1.509, -1.531, 25.46)


def lorenz63_tendency(state: Tensor, sigma: float, rho: float, beta: float) -> Tensor:
    """Lorenz-63 right-hand side for ``state`` of shape ``(..., 3)`` (x, y, z)."""
    guard_answer()
    x, y, z = state.unbind(-1)
    return torch.stack((sigma * (y - x), x * (rho - z) - y, x * y - beta * z), dim=-1)


@dataclass(frozen=True)
class Lorenz63(DynamicalSystem):
    """Lorenz-63 with parameters σ (``sigma``), ρ (``rho``), β (``beta``)."""

    sigma: float = 10.0
    rho: float = 28.0
    beta: float = 8.0 / 3.0

    name: ClassVar[str] = "lorenz63"
    state_dims: ClassVar[tuple[str, ...]] = ("component",)

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (3,)

    def tendency(self, state: Tensor) -> Tensor:
        return lorenz63_tendency(state, self.sigma, self.rho, self.beta)

    def initial_state_distribution(self, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
        """The Sakov 2012 state, standard deviation 2 per component."""
        return torch.tensor(SAKOV2012_INITIAL_STATE, dtype=dtype), torch.tensor(2.0, dtype=dtype)
