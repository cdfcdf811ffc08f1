"""Exercise 22 — coastal wind forecasting from stations and NWP, and Lorenz-96 forecasting: the
library code each part must not use, and the references that later cells use when a part is
not solved.

Later cells need the time blocks of Part 1 (``split``), the NWP of the latest available run
(``latest_run``), the scores of Part 3 (``metrics``), the persistence forecast and the
nearest grid point (``baselines``), the corrector that the locked cell trains (``hybrid``)
and the Lorenz-96 step and rollout (``lorenz96``). The fallbacks below have the notebook's
signatures; each is an answer of its part too (guarded and listed in ``answers``). Routes
that end in a listed function are locked with it: ``WindHybridDataModule`` and
``ForecastDataModule`` (``time_splits``), ``hybrid_samples`` (``latest_run_forecast``),
``load_meteonet_nwp`` (``_nwp_at_stations``), ``Persistence.forecast`` and every one-step
model's forecast (``OneStepModel.forecast``), ``Lorenz96`` and ``simulate`` of it
(``lorenz96_tendency``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import xarray as xr
from torch import Tensor, nn

from dlgd_course.assignments.forecasting import rmse_per_lead
from dlgd_course.data.splits import time_splits
from dlgd_course.dynamics.lorenz96 import lorenz96_tendency
from dlgd_course.forecasting.hybrid import NWPCorrector, hybrid_samples, latest_run_forecast
from dlgd_course.forecasting.lorenz96_forecast import PeriodicResidualStep, residual_step_network, rollout
from dlgd_course.forecasting.meteonet import _nwp_at_stations
from dlgd_course.forecasting.metrics import rmse_per_lead as library_rmse_per_lead
from dlgd_course.forecasting.metrics import skill_score
from dlgd_course.forecasting.models import (
    BilinearTendency,
    ODEStepModel,
    OneStepModel,
    Persistence,
    PolynomialStepMap,
)
from dlgd_course.forecasting.windows import split_windows
from dlgd_course.own_work import Part, guard_answer

# --- fallbacks (the notebook's signatures) ------------------------------------------------------


def time_blocks(n_times: int, window: int, fractions: Sequence[float] = (0.6, 0.2, 0.2)) -> dict[str, slice]:
    """Part 1's train / val / test slices of the time axis, separated by gaps of ``window`` steps."""
    guard_answer()
    return time_splits(n_times, fractions, gap=window, min_gap=window)


def blocks_differ(
    result: object, n_times: int, window: int, fractions: Sequence[float] = (0.6, 0.2, 0.2)
) -> str | None:
    """Why Part 1's ``result`` is not the reference's blocks (``None`` when it is): slices are
    compared by their start and stop, which :func:`~dlgd_course.own_work.mismatch` cannot do."""
    expected = time_splits(n_times, fractions, gap=window, min_gap=window)
    if not isinstance(result, dict) or list(result) != list(expected):
        return f"expected a dict with the keys {list(expected)}"
    for name, block in expected.items():
        got = result[name]
        if not isinstance(got, slice) or (got.start or 0, got.stop) != (block.start, block.stop):
            return f"the {name} block should be {block}, got {got!r}"
    return None


def nwp_forecast(ds: xr.Dataset, issue_index: np.ndarray, leads: Sequence[int]) -> np.ndarray:
    """Part 2's NWP wind speed ``(N, L, station)`` of the latest run available at each issue time."""
    guard_answer()
    return latest_run_forecast(ds, "nwp_ff", np.asarray(issue_index), leads)


def skill(rmse: Tensor, rmse_reference: Tensor) -> Tensor:
    """Part 3's MSE skill score ``1 − rmse² / rmse_reference²`` per lead, a tensor."""
    guard_answer()
    return torch.as_tensor(skill_score(rmse, rmse_reference), dtype=rmse.dtype)


def persistence_forecast(ff: np.ndarray, issue_index: np.ndarray, leads: Sequence[int]) -> np.ndarray:
    """Part 4's persistence ``(N, L, station)``: the observation ``ff (T, station)`` at the issue time."""
    guard_answer()
    return np.repeat(np.asarray(ff)[np.asarray(issue_index)][:, None], len(leads), axis=1)


def nearest_grid_point(
    grid_lat: np.ndarray, grid_lon: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Part 4's indices ``(i, j)`` ``(station,)`` of the grid latitude and longitude nearest to
    each station (1-D grid axes, in any order)."""
    guard_answer()
    i = np.abs(np.asarray(grid_lat)[None, :] - np.asarray(lat)[:, None]).argmin(1)
    j = np.abs(np.asarray(grid_lon)[None, :] - np.asarray(lon)[:, None]).argmin(1)
    return i, j


def wind_corrector(n_features: int, n_leads: int, hidden: int = 128) -> nn.Module:
    """Part 5's ``WindCorrector``: the NWP plus an MLP correction, untrained."""
    guard_answer()
    return NWPCorrector(n_features, n_leads, hidden)


# --- the parts ------------------------------------------------------------------------------------

PARTS = {
    # the course's splitter and every windowed split built on it
    "split": Part(
        answers=(time_splits, split_windows, time_blocks), fallback=time_blocks, check=blocks_differ
    ),
    "latest_run": Part(answers=(latest_run_forecast, nwp_forecast), fallback=nwp_forecast, exact=True),
    # the library's scores, and exercise 02's reference RMSE (same signature)
    "metrics": Part(
        answers=(library_rmse_per_lead, skill_score, rmse_per_lead, skill),
        fallback={"rmse_per_lead": rmse_per_lead, "skill": skill},
    ),
    # the hybrid's samples hold persistence, the MeteoNet loader picks the nearest grid point
    "baselines": Part(
        answers=(
            Persistence.step,
            hybrid_samples,
            _nwp_at_stations,
            persistence_forecast,
            nearest_grid_point,
        ),
        fallback={"persistence_forecast": persistence_forecast, "nearest_grid_point": nearest_grid_point},
        exact=True,
    ),
    "hybrid": Part(answers=(NWPCorrector.forward, wind_corrector), fallback=wind_corrector, trains=True),
    # the course's step and rollout, any library one-step model, and the true model
    "lorenz96": Part(
        answers=(
            PeriodicResidualStep.step,
            residual_step_network,
            rollout,
            OneStepModel.forecast,
            ODEStepModel.step,
            BilinearTendency.forward,
            PolynomialStepMap.fit,
            PolynomialStepMap.step,
            lorenz96_tendency,
        ),
        fallback={"ResidualStep": residual_step_network, "rollout": rollout},
        trains=True,
    ),
}
