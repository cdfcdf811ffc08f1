"""The three cases of the forecasting theme's session-5 report (``32-forecasting-report``).

A group reports on the case it worked on; the report picks it by name with
:func:`forecast_case`. Each :class:`ForecastCase` holds what differs between the cases, with the
names and settings of the exercises the group comes from, so that the report's cells are the
same for every case:

* ``"lorenz63"`` (exercise 02): 6000 steps of 0.01 (float64), windows of 10 past states and
  leads 1, 2, 4, 8 steps cut by :func:`~dlgd_course.forecasting.windows.split_windows`
  (70/15/15 %); baselines persistence and the linear autoregression on the 10 lags.
* ``"lorenz96"`` (exercise 22, Part 6): ``N = 40``, ``F = 8``, 3000 steps of 0.05, one past
  state and leads 1, 2, 4, 8, 12 steps in a
  :class:`~dlgd_course.forecasting.lightning.ForecastDataModule` (60/20/20 %); baselines
  persistence and climatology (the training mean).
* ``"coastal wind"`` (exercise 22, Parts 1–5): 60 days of
  :func:`~dlgd_course.forecasting.wind.synthetic_coastal_wind` (3 stations), the last hour of
  observations and the latest *available* NWP run, leads 30 min to 6 h, samples issued every
  18 min in a :class:`~dlgd_course.forecasting.hybrid.WindHybridDataModule` (60/20/20 %);
  baselines persistence and the raw NWP at the stations. (The synthetic NWP is given at the
  stations; the real ARPEGE sample shipped with the course is one run without station
  observations, too little for a table over seeds.)

Every split is in consecutive time blocks with a gap of one window between them (no test
window shares a time step with a training window). The seed of a report's row draws the data
(another trajectory, another 60 days of wind) and the initial weights of a trained model.

A *method* of the report is a function ``method(data, seed)`` of one seed's data (what
:meth:`ForecastCase.splits` returns) that returns a model; :meth:`ForecastCase.forecast` applies
it to the test block. The model a case takes (:attr:`ForecastCase.model_contract`):

* Lorenz-63 and Lorenz-96: a :class:`~dlgd_course.forecasting.models.Forecaster` (an
  ``nn.Module`` with ``forecast(history, leads)``: history ``(B, n_past, d)`` → forecasts
  ``(B, len(leads), d)``);
* coastal wind: an ``nn.Module`` called as ``model(features, nwp)`` on the standardised
  features ``(B, F)`` and the raw NWP wind speed ``(B, L)`` in m s⁻¹, returning the wind speed
  ``(B, L)`` in m s⁻¹ (as :class:`~dlgd_course.forecasting.hybrid.NWPCorrector`).

The placeholder of each case (the report's ``group_method`` as released) is the library's
method of the exercise: the quadratic step map fitted by least squares (Lorenz-63), the
residual periodic CNN step trained 10 epochs on one-step pairs (Lorenz-96), the NWP corrector
trained 8 epochs (coastal wind). The score is the RMSE per lead
(:func:`~dlgd_course.forecasting.metrics.rmse_per_lead`) on the test block, in the case's
``rmse_unit``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from matplotlib.axes import Axes
from torch import Tensor, nn

from dlgd_course.data import simulate
from dlgd_course.forecasting.hybrid import (
    WIND_LEADS,
    HybridModule,
    NWPCorrector,
    WindHybridDataModule,
    hybrid_forecast,
)
from dlgd_course.forecasting.lightning import ForecastDataModule, ForecastModule, forecast_in_batches
from dlgd_course.forecasting.lorenz96_forecast import residual_step_network
from dlgd_course.forecasting.metrics import rmse_per_lead
from dlgd_course.forecasting.models import (
    Climatology,
    Forecaster,
    LinearAutoregression,
    Persistence,
    PolynomialStepMap,
)
from dlgd_course.forecasting.wind import STEP_MINUTES, synthetic_coastal_wind
from dlgd_course.forecasting.windows import ForecastWindows, split_windows
from dlgd_course.notebook import quiet_trainer, seed_everything
from dlgd_course.plotting import hovmoller, time_series

__all__ = ["FORECAST_CASES", "ForecastCase", "forecast_case"]

#: One seed's data of a case: windows by split (Lorenz-63) or a data module (the other two).
CaseData = Any


@dataclass(frozen=True)
class ForecastCase:
    """One case of the forecasting report: its data, baselines, placeholder method and score.

    Attributes:
        name: the name the report's ``CASE`` line gives.
        title: what is forecast, for the report's headings.
        leads: the lead times in sampling steps, increasing.
        lead_names: one column label per lead (e.g. ``"lead 1"``, ``"30 min"``).
        step: one sampling step in ``lead_unit``.
        lead_unit: the unit of the lead times on the figures' axes.
        rmse_unit: the unit of the forecast variable, hence of the RMSE.
        make_splits: ``seed -> data``, the train / val / test blocks of one seed.
        baselines: method name -> ``data -> forecasts (N, L, ...)`` of the test block; the first
            is the reference of the ratios (persistence).
        placeholder: ``(data, seed) -> model``, the report's method as released.
        apply_model: ``(model, data) -> forecasts`` of the test block, the shape of the targets.
        test_target: ``data -> targets (N, L, ...)`` of the test block, in ``rmse_unit``.
        draw_data: ``(data, ax) -> ax``, a figure of the test block.
        model_contract: the model a method returns, in words.
    """

    name: str
    title: str
    leads: tuple[int, ...]
    lead_names: tuple[str, ...]
    step: float
    lead_unit: str
    rmse_unit: str
    make_splits: Callable[[int], CaseData]
    baselines: Mapping[str, Callable[[CaseData], Tensor]]
    placeholder: Callable[[CaseData, int], nn.Module]
    apply_model: Callable[[nn.Module, CaseData], Tensor]
    test_target: Callable[[CaseData], Tensor]
    draw_data: Callable[[CaseData, Axes | None], Axes]
    model_contract: str

    def __post_init__(self) -> None:
        if len(self.lead_names) != len(self.leads):
            raise ValueError(f"{self.name}: {len(self.lead_names)} lead names for {len(self.leads)} leads")
        if not self.baselines:
            raise ValueError(f"{self.name}: a case needs at least one baseline")

    @property
    def lead_times(self) -> tuple[float, ...]:
        """The leads in ``lead_unit`` (``step`` × leads), for the figures' axes."""
        return tuple(self.step * lead for lead in self.leads)

    @property
    def reference(self) -> str:
        """The baseline the ratios and skill scores are taken against (the first)."""
        return next(iter(self.baselines))

    def splits(self, seed: int) -> CaseData:
        """The train / val / test blocks of seed ``seed`` (disjoint in time, gaps of one window)."""
        return self.make_splits(seed)

    def forecast(self, model: nn.Module, data: CaseData) -> Tensor:
        """The forecasts of ``model`` (a method's result) on the test block, on the CPU."""
        return self.apply_model(model, data)

    def score(self, forecast: Tensor, data: CaseData) -> Tensor:
        """RMSE per lead ``(L,)`` in ``rmse_unit`` of test-block forecasts (shaped as the targets)."""
        return rmse_per_lead(torch.as_tensor(forecast), self.test_target(data))

    def plot_data(self, data: CaseData, ax: Axes | None = None) -> Axes:
        """A figure of one seed's test block; returns the axes."""
        return self.draw_data(data, ax)


# --- Lorenz-63 (exercise 02) ----------------------------------------------------------------------

L63_LEADS, L63_PAST, L63_DT = (1, 2, 4, 8), 10, 0.01


def _lorenz63_splits(seed: int) -> dict[str, ForecastWindows]:
    """Exercise 02's windows of a 6000-step Lorenz-63 series (float64) of seed ``seed``:
    history ``(N, 10, 3)``, targets ``(N, 4, 3)``."""
    state = simulate("lorenz63", n_steps=6000, dt=L63_DT, seed=seed, spinup_steps=1000)["state"]
    return split_windows(torch.as_tensor(state.values), L63_PAST, L63_LEADS)


def _linear_autoregression(windows: dict[str, ForecastWindows]) -> LinearAutoregression:
    """The linear autoregression on the 10 past states, one per lead, fitted on the training windows."""
    train = windows["train"]
    return LinearAutoregression(3, L63_PAST, L63_LEADS).fit(train.history, train.targets)


def _quadratic_step_map(windows: dict[str, ForecastWindows], seed: int) -> PolynomialStepMap:
    """The quadratic one-step map fitted by least squares on the training block, in order."""
    seed_everything(seed)
    train = windows["train"]
    series = torch.cat([train.history[:, 0], train.history[-1, 1:]])  # the training block (stride 1)
    return PolynomialStepMap(3, degree=2).fit(series)


def _lorenz63_figure(windows: dict[str, ForecastWindows], ax: Axes | None) -> Axes:
    test = windows["test"]
    ax = time_series(
        L63_DT * torch.arange(len(test.targets)),
        {name: test.targets[:, 0, k] for k, name in enumerate("xyz")},
        ax=ax,
        ylabel="state (model units)",
    )
    ax.set(xlabel="time in the test block (model time units)", title="Lorenz-63: the one-step targets")
    return ax


# --- Lorenz-96 (exercise 22, Part 6) ----------------------------------------------------------

L96_LEADS, L96_DT, L96_EPOCHS = (1, 2, 4, 8, 12), 0.05, 10


def _lorenz96_splits(seed: int) -> ForecastDataModule:
    """Exercise 22's Lorenz-96 windows (``N = 40``, ``F = 8``, 3000 steps of 0.05) of seed
    ``seed``: one past state ``(B, 1, 40)``, targets ``(B, 5, 40)``."""
    state = simulate("lorenz96", n_steps=3000, dt=L96_DT, seed=seed, spinup_steps=200, N=40, F=8.0)["state"]
    series = torch.as_tensor(state.values, dtype=torch.float32)
    return ForecastDataModule(series, n_past=1, leads=L96_LEADS, fractions=(0.6, 0.2, 0.2), batch_size=64)


def _residual_cnn_step(data: ForecastDataModule, seed: int) -> nn.Module:
    """Exercise 22's residual periodic CNN step, trained on one-step pairs of the training block."""
    seed_everything(seed)
    model = residual_step_network(data.mean, data.std)
    module = ForecastModule(model, L96_LEADS, data.std, train_leads=(1,), lr=3e-3, max_epochs=L96_EPOCHS)
    quiet_trainer(max_epochs=L96_EPOCHS, limit_val_batches=0).fit(module, data)
    return model.cpu().eval()


def _lorenz96_figure(data: ForecastDataModule, ax: Axes | None) -> Axes:
    targets = data.split_tensors("test")[1][:, 0]  # (N, 40): the one-step targets, in order
    ax = hovmoller(
        targets,
        torch.arange(targets.shape[1]),
        L96_DT * torch.arange(len(targets)),
        ax=ax,
        colorbar_label="X",
    )
    ax.set(xlabel="site k", ylabel="time in the test block (model time units)", title="Lorenz-96: test block")
    return ax


# --- Coastal wind (exercise 22, Parts 1–5) ----------------------------------------------------

WIND_EPOCHS, WIND_STRIDE = 8, 3
WIND_FIGURE_SAMPLES = 4 * 24 * 60 // (WIND_STRIDE * STEP_MINUTES)  # four days of issue times


def _wind_splits(seed: int) -> WindHybridDataModule:
    """Exercise 22's hybrid samples of 60 synthetic days of seed ``seed`` (3 stations, issued
    every 18 min): features ``(N, F)``, raw NWP and targets ``(N, 7)`` in m s⁻¹."""
    ds = synthetic_coastal_wind(n_days=60, seed=seed)
    return WindHybridDataModule(
        ds, n_past=10, leads=WIND_LEADS, fractions=(0.6, 0.2, 0.2), stride=WIND_STRIDE, seed=seed
    )


def _nwp_corrector(data: WindHybridDataModule, seed: int) -> NWPCorrector:
    """Exercise 22's hybrid: the raw NWP corrected by an MLP, trained on the training block."""
    seed_everything(seed)
    model = NWPCorrector(data.samples["train"]["features"].shape[1], len(WIND_LEADS))
    quiet_trainer(max_epochs=WIND_EPOCHS, limit_val_batches=0).fit(
        HybridModule(model, max_epochs=WIND_EPOCHS), data
    )
    return model.cpu().eval()


def _wind_figure(data: WindHybridDataModule, ax: Axes | None) -> Axes:
    test = data.samples["test"]
    first = torch.nonzero(test["station"] == 0)[:, 0][:WIND_FIGURE_SAMPLES]  # the first station, in order
    hours = STEP_MINUTES / 60 * WIND_STRIDE * torch.arange(len(first))
    ax = time_series(
        hours,
        {
            "station, 30 min after issue": test["target"][first, 0],
            "raw NWP for the same time": test["nwp"][first, 0],
        },
        ax=ax,
        ylabel="wind speed (m/s)",
    )
    ax.set(xlabel="hours into the test block", title="coastal wind: four test days at the first station")
    return ax


def _hours(lead: int) -> str:
    minutes = lead * STEP_MINUTES
    return f"{minutes} min" if minutes < 60 else f"{minutes / 60:g} h"


def _lorenz_case(
    name: str,
    title: str,
    leads: tuple[int, ...],
    dt: float,
    shape: tuple[int, int],
    make_splits: Callable[[int], CaseData],
    windows: Callable[[CaseData], dict[str, ForecastWindows]],
    baseline: tuple[str, Callable[[CaseData], Forecaster]],
    placeholder: Callable[[CaseData, int], nn.Module],
    draw_data: Callable[[CaseData, Axes | None], Axes],
) -> ForecastCase:
    """A case on a Lorenz system: windows of one series (``windows(data)`` by split, history
    ``(B, n_past, d)``, targets ``(B, L, d)`` in model units, ``shape = (n_past, d)``), every
    method a Forecaster; baselines persistence and ``baseline`` (a name and the Forecaster it
    builds from the data)."""
    n_past, dim = shape

    def test_forecast(model: nn.Module, data: CaseData) -> Tensor:
        return forecast_in_batches(model, windows(data)["test"].history, leads)

    def persistence(data: CaseData) -> Tensor:
        return test_forecast(Persistence(dim), data)

    second_name, second_model = baseline
    return ForecastCase(
        name=name,
        title=title,
        leads=leads,
        lead_names=tuple(f"lead {lead}" for lead in leads),
        step=dt,
        lead_unit="model time units",
        rmse_unit="model units",
        make_splits=make_splits,
        baselines={
            "persistence": persistence,
            second_name: lambda data: test_forecast(second_model(data), data),
        },
        placeholder=placeholder,
        apply_model=test_forecast,
        test_target=lambda data: windows(data)["test"].targets,
        draw_data=draw_data,
        model_contract=(
            f"a Forecaster (an nn.Module with forecast(history, leads)): history (B, {n_past}, {dim}) -> "
            f"forecasts (B, len(leads), {dim}) in model units"
        ),
    )


#: The report's cases by name, in the order the report lists them.
FORECAST_CASES: dict[str, ForecastCase] = {
    case.name: case
    for case in (
        _lorenz_case(
            "lorenz63",
            "Lorenz-63 (x, y, z)",
            L63_LEADS,
            L63_DT,
            (L63_PAST, 3),
            _lorenz63_splits,
            lambda windows: windows,
            ("linear autoregression", _linear_autoregression),
            _quadratic_step_map,
            _lorenz63_figure,
        ),
        _lorenz_case(
            "lorenz96",
            "Lorenz-96 (N = 40, F = 8)",
            L96_LEADS,
            L96_DT,
            (1, 40),
            _lorenz96_splits,
            lambda data: data.windows,
            ("climatology", lambda data: Climatology(data.mean)),
            _residual_cnn_step,
            _lorenz96_figure,
        ),
        ForecastCase(
            name="coastal wind",
            title="coastal wind speed at three stations",
            leads=WIND_LEADS,
            lead_names=tuple(_hours(lead) for lead in WIND_LEADS),
            step=STEP_MINUTES / 60,
            lead_unit="hours",
            rmse_unit="m/s",
            make_splits=_wind_splits,
            baselines={
                "persistence": lambda data: data.samples["test"]["persistence"],
                "raw NWP": lambda data: data.samples["test"]["nwp"],
            },
            placeholder=_nwp_corrector,
            apply_model=lambda model, data: hybrid_forecast(model, data, "test"),
            test_target=lambda data: data.samples["test"]["target"],
            draw_data=_wind_figure,
            model_contract=(
                "an nn.Module called as model(features, nwp): standardised features (B, F) and the raw "
                "NWP wind speed (B, 7) in m/s -> the wind speed (B, 7) in m/s"
            ),
        ),
    )
}


def forecast_case(name: str) -> ForecastCase:
    """The case of the report called ``name`` (one of :data:`FORECAST_CASES`).

    Raises:
        ValueError: ``name`` is not a known case; the message lists the known ones.
    """
    if name not in FORECAST_CASES:
        raise ValueError(f"unknown forecasting case {name!r}; the cases are {list(FORECAST_CASES)}")
    return FORECAST_CASES[name]
