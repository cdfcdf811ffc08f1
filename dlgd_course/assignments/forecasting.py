"""Exercise 02 — short-term forecasting of Lorenz-63: the library code each part must not use,
and the reference results that later cells use when a part is not solved.

Later cells need the splits of Part 1 (``windows``), the RMSE per lead of Part 2 (``metrics``),
the networks of Parts 3 and 4 (``bilinear``, ``lstm``: the locked cells train them) and the
scores of Part 5 (``evaluate``, shown in a plot). The fallbacks below have the signatures the
notebook asks for; each is an answer of its part too (guarded and listed in ``answers``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor, nn

from dlgd_course.data.splits import time_splits
from dlgd_course.dynamics.integrate import rk4_step
from dlgd_course.dynamics.lorenz63 import lorenz63_tendency
from dlgd_course.forecasting.metrics import rmse_per_lead as library_rmse_per_lead
from dlgd_course.forecasting.metrics import skill_score
from dlgd_course.forecasting.models import (
    BilinearTendency,
    LinearAutoregression,
    MLPForecaster,
    Normaliser,
    PolynomialStepMap,
    RecurrentForecaster,
)
from dlgd_course.forecasting.windows import make_windows
from dlgd_course.forecasting.windows import split_windows as library_split_windows
from dlgd_course.own_work import Part, guard_answer

# --- fallbacks (the notebook's signatures) ------------------------------------------------------


def split_windows(
    series: Tensor,
    n_past: int,
    leads: Sequence[int],
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
) -> dict[str, tuple[Tensor, Tensor]]:
    """Part 1's split: train / val / test blocks of ``int(fraction * (T - 2 g))`` steps (test:
    the rest), separated by gaps of ``g = n_past + max(leads)`` steps, each windowed."""
    guard_answer()
    gap = n_past + max(leads)
    usable = series.shape[0] - 2 * gap
    n_train, n_val = int(fractions[0] * usable), int(fractions[1] * usable)
    blocks = {
        "train": series[:n_train],
        "val": series[n_train + gap : n_train + gap + n_val],
        "test": series[n_train + n_val + 2 * gap :],
    }
    return {name: make_windows(block, n_past, leads) for name, block in blocks.items()}


def rmse_per_lead(forecast: Tensor, target: Tensor) -> Tensor:
    """Part 2's RMSE per lead: ``(N, L, d) -> (L,)``."""
    guard_answer()
    return library_rmse_per_lead(forecast, target)


class _CourseBilinearNetwork(nn.Module):
    """One RK4 step of a bilinear tendency (the course's network of Part 3)."""

    def __init__(self, dim: int, n_linear: int, n_bilinear: int, dt: float):
        super().__init__()
        self.dt = dt
        self.bilinear_tendency = BilinearTendency(dim, n_linear, n_bilinear)

    def tendency(self, z: Tensor) -> Tensor:
        return self.bilinear_tendency(z)

    def forward(self, z: Tensor) -> Tensor:
        return rk4_step(self.bilinear_tendency, z, self.dt)


def bilinear_network(dim: int = 3, n_linear: int = 6, n_bilinear: int = 6, dt: float = 0.01) -> nn.Module:
    """Part 3's ``BilinearResidualNetwork(dim, n_linear, n_bilinear, dt)``, untrained."""
    guard_answer()
    return _CourseBilinearNetwork(dim, n_linear, n_bilinear, dt)


def lstm_forecaster(dim: int = 3, hidden: int = 64, n_leads: int = 4) -> nn.Module:
    """Part 4's ``LSTMForecaster(dim, hidden, n_leads)`` (normalised units), untrained."""
    guard_answer()
    identity = Normaliser(torch.zeros(dim), torch.ones(dim))
    return RecurrentForecaster(identity, tuple(range(1, n_leads + 1)), hidden=hidden)


def evaluate(
    forecasts: Mapping[str, Tensor],
    targets: Tensor,
    reference: str = "persistence",
    rmse: Callable[[Tensor, Tensor], Tensor] | None = None,
    score: Callable[[Tensor, Tensor], Tensor] | None = None,
) -> dict[str, tuple[Tensor, Tensor]]:
    """Part 5's scores ``{name: (rmse, score against reference)}`` (RMSE per lead and MSE skill
    by default)."""
    guard_answer()
    rmse = rmse or library_rmse_per_lead
    if score is None:

        def score(r: Tensor, r_ref: Tensor) -> Tensor:
            return torch.as_tensor(skill_score(r, r_ref), dtype=r.dtype)

    values = {name: rmse(forecast, targets) for name, forecast in forecasts.items()}
    return {name: (r, score(r, values[reference])) for name, r in values.items()}


# --- the parts ------------------------------------------------------------------------------------

# the true model or a fitted polynomial step map forecast Lorenz-63 without any network
_TRUE_OR_FITTED_MODEL = (lorenz63_tendency, PolynomialStepMap.fit, PolynomialStepMap.step)

PARTS = {
    # time_splits gives the split's blocks, make_windows (and ForecastWindows, split_windows,
    # ForecastDataModule through it) the windows
    "windows": Part(
        answers=(make_windows, library_split_windows, time_splits, split_windows),
        fallback=split_windows,
        exact=True,
    ),
    "metrics": Part(answers=(library_rmse_per_lead, skill_score, rmse_per_lead), fallback=rmse_per_lead),
    # rk4_step is not listed: the instructions tell the student to use it in `forward`
    "bilinear": Part(
        answers=(BilinearTendency.forward, *_TRUE_OR_FITTED_MODEL, bilinear_network),
        fallback=bilinear_network,
        trains=True,
    ),
    # the library's recurrent forecaster, or another direct model standing in for the LSTM
    "lstm": Part(
        answers=(
            RecurrentForecaster.forward,
            MLPForecaster.forward,
            LinearAutoregression.fit,
            LinearAutoregression.forward,
            *_TRUE_OR_FITTED_MODEL,
            lstm_forecaster,
        ),
        fallback=lstm_forecaster,
        trains=True,
    ),
    "evaluate": Part(answers=(evaluate,), fallback=evaluate),
}
