"""Lorenz-96, one level (Lorenz 1996, *Predictability: a problem partly solved*).

    dX_k/dt = (X_{k+1} − X_{k−2}) X_{k−1} − X_k + F,   k = 1..N, indices cyclic.

With N = 40 and F = 8 the system is chaotic with leading Lyapunov exponent ≈ 1.65
(about 13 positive exponents), climatological mean ≈ 2.34 and standard deviation
≈ 3.64; the Lyapunov spectrum sums to −N (the divergence of the vector field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.dynamics.base import DynamicalSystem
from dlgd_course.own_work import guard_answer


def lorenz96_tendency(state: Tensor, F: float) -> Tensor:
    """Lorenz-96 right-hand side for ``state`` of shape ``(..., N)``."""
    guard_answer()
    x_plus_1 = torch.roll(state, -1, dims=-1)
    x_minus_1 = torch.roll(state, 1, dims=-1)
    x_minus_2 = torch.roll(state, 2, dims=-1)
    return (x_plus_1 - x_minus_2) * x_minus_1 - state + F


@dataclass(frozen=True)
class Lorenz96(DynamicalSystem):
    """Lorenz-96 with ``N`` variables and forcing ``F``."""

    N: int = 40
    F: float = 8.0

    name: ClassVar[str] = "lorenz96"
    state_dims: ClassVar[tuple[str, ...]] = ("site",)
    integer_parameters: ClassVar[dict[str, int]] = {"N": 4}

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (self.N,)

    def tendency(self, state: Tensor) -> Tensor:
        return lorenz96_tendency(state, self.F)

    def initial_state_distribution(self, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
        """``F`` everywhere, standard deviation 1."""
        return torch.tensor(self.F, dtype=dtype), torch.tensor(1.0, dtype=dtype)
