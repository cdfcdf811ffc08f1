"""Two-level Lorenz-96 (Lorenz 1996; parameters of Wilks 2005, QJRMS 131, 389–407).

Slow variables X_k (k = 1..K) each coupled to J fast variables Y_{j,k}:

    dX_k/dt     = −X_{k−1} (X_{k−2} − X_{k+1}) − X_k + F − (h c / b) Σ_j Y_{j,k}
    dY_{j,k}/dt = −c b Y_{j+1,k} (Y_{j+2,k} − Y_{j−1,k}) − c Y_{j,k} + (h c / b) X_k

The fast variables form one cyclic chain of length K·J (Y_{J+1,k} = Y_{1,k+1}).
Wilks (2005): K = 8, J = 32, F = 20, h = 1, b = c = 10 — the standard test bed for
closures (parameterisations of the Y-coupling term) learned from a model whose
fast scales are too expensive to resolve.

The state is one tensor ``(..., K + K·J)``: the K slow variables then the fast ones
in order (k, j); :meth:`TwoLevelLorenz96.split_state` returns ``X (..., K)`` and
``Y (..., K, J)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.dynamics.base import DynamicalSystem
from dlgd_course.dynamics.lorenz96 import lorenz96_tendency


def two_level_lorenz96_tendency(
    X: Tensor,
    Y: Tensor,
    F: float,
    h: float,
    b: float,
    c: float,
) -> tuple[Tensor, Tensor]:
    """Tendencies ``(dX/dt (..., K), dY/dt (..., K, J))`` of the two-level model."""
    K, J = Y.shape[-2], Y.shape[-1]
    coupling = h * c / b
    dX = lorenz96_tendency(X, F) - coupling * Y.sum(dim=-1)
    y = Y.reshape(*Y.shape[:-2], K * J)
    y_plus_1 = torch.roll(y, -1, dims=-1)
    y_plus_2 = torch.roll(y, -2, dims=-1)
    y_minus_1 = torch.roll(y, 1, dims=-1)
    dy = -c * b * y_plus_1 * (y_plus_2 - y_minus_1) - c * y
    dY = dy.reshape(Y.shape) + coupling * X.unsqueeze(-1)
    return dX, dY


@dataclass(frozen=True)
class TwoLevelLorenz96(DynamicalSystem):
    """Two-level Lorenz-96 with Wilks (2005) defaults K=8, J=32, F=20, h=1, b=c=10."""

    K: int = 8
    J: int = 32
    F: float = 20.0
    h: float = 1.0
    b: float = 10.0
    c: float = 10.0

    name: ClassVar[str] = "lorenz96_two_level"
    state_dims: ClassVar[tuple[str, ...]] = ("variable",)
    integer_parameters: ClassVar[dict[str, int]] = {"K": 4, "J": 3}
    positive_parameters: ClassVar[tuple[str, ...]] = ("b",)

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (self.K + self.K * self.J,)

    def split_state(self, state: Tensor) -> tuple[Tensor, Tensor]:
        """``(X (..., K), Y (..., K, J))`` views of a state ``(..., K + K·J)``."""
        X = state[..., : self.K]
        Y = state[..., self.K :].reshape(*state.shape[:-1], self.K, self.J)
        return X, Y

    @staticmethod
    def join_state(X: Tensor, Y: Tensor) -> Tensor:
        """Inverse of :meth:`split_state`."""
        return torch.cat((X, Y.flatten(start_dim=-2)), dim=-1)

    def tendency(self, state: Tensor) -> Tensor:
        X, Y = self.split_state(state)
        dX, dY = two_level_lorenz96_tendency(X, Y, self.F, self.h, self.b, self.c)
        return self.join_state(dX, dY)

    def coupling_term(self, state: Tensor) -> Tensor:
        """The term a closure must model: ``−(h c / b) Σ_j Y_{j,k}``, shape ``(..., K)``."""
        _, Y = self.split_state(state)
        return -(self.h * self.c / self.b) * Y.sum(dim=-1)

    def initial_state_distribution(self, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
        """X: mean F/2, standard deviation F/4; Y: mean 0, standard deviation 0.1 (small fast variables)."""
        slow, fast = torch.ones(self.K, dtype=dtype), torch.ones(self.K, self.J, dtype=dtype)
        mean = self.join_state(self.F / 2 * slow, torch.zeros_like(fast))
        return mean, self.join_state(self.F / 4 * slow, 0.1 * fast)
