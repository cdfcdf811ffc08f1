"""Synthetic coastal wind stations and NWP product (dlgd_course.forecasting.wind, hybrid).

Checks the properties issue 6 asks of the generator: MeteoNet ground-station layout,
determinism from a seed, diurnal cycle, sea breeze, realistic autocorrelation, gusts,
and an NWP product with bias and errors growing with the step, used without peeking
at runs that are not yet available.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr

from dlgd_course.forecasting import WindHybridDataModule, latest_run_forecast, synthetic_coastal_wind
from dlgd_course.forecasting.hybrid import hybrid_samples
from dlgd_course.forecasting.meteonet import STATION_COLUMNS
from dlgd_course.forecasting.wind import DEFAULT_STATIONS


@pytest.fixture(scope="module")
def wind() -> xr.Dataset:
    return synthetic_coastal_wind(n_days=30, seed=3)


def test_layout_and_units(wind: xr.Dataset) -> None:
    observed = [c for c in STATION_COLUMNS if c not in ("number_sta", "lat", "lon", "height_sta", "date")]
    for name in observed:
        assert wind[name].dims == ("station", "time") and "units" in wind[name].attrs
    for name in ("nwp_u", "nwp_v", "nwp_ff"):
        assert wind[name].dims == ("run", "step", "station")
    step = np.diff(wind["time"].values[:2])[0]
    assert step == np.timedelta64(6, "m")
    assert wind.sizes["time"] == 30 * 240 and wind.sizes["station"] == 3


def test_deterministic_from_seed(wind: xr.Dataset) -> None:
    again = synthetic_coastal_wind(n_days=30, seed=3)
    xr.testing.assert_identical(wind, again)
    other = synthetic_coastal_wind(n_days=30, seed=4)
    assert not np.allclose(other["ff"].values, wind["ff"].values)


def test_physical_ranges(wind: xr.Dataset) -> None:
    assert (wind["ff"] >= 0).all() and ((wind["dd"] >= 0) & (wind["dd"] < 360)).all()
    assert ((wind["hu"] >= 0) & (wind["hu"] <= 100)).all()
    assert (wind["td"] <= wind["t"] + 0.1).all()
    assert 4.0 < float(wind["ff"].mean()) < 8.0, "mean coastal wind of a few m/s"
    assert 96000 < float(wind["psl"].min()) and float(wind["psl"].max()) < 105000


def test_autocorrelation_diurnal_cycle_and_gusts(wind: xr.Dataset) -> None:
    ff = wind["ff"].values

    def corr(lag: int) -> float:
        return float(np.mean([np.corrcoef(f[:-lag], f[lag:])[0, 1] for f in ff]))

    # 6-min series are strongly autocorrelated, decorrelating over hours to a day.
    assert corr(1) > 0.9 and 0.5 < corr(60) < corr(10) and corr(240) < 0.75
    hour = wind["time"].dt.hour
    afternoon = float(wind["ff"].where((hour >= 13) & (hour <= 16)).mean())
    night = float(wind["ff"].where((hour >= 0) & (hour <= 4)).mean())
    assert afternoon > night + 0.3, f"no daytime strengthening: {afternoon:.2f} vs {night:.2f}"
    # Gusts: heavy upper tail of 6-min increments.
    increments = np.diff(ff, axis=1).ravel()
    kurtosis = np.mean(increments**4) / np.mean(increments**2) ** 2
    assert kurtosis > 3.5, f"6-min increments should be heavy-tailed, kurtosis {kurtosis:.2f}"


def test_sea_breeze_turns_the_afternoon_wind_onshore() -> None:
    """On calm days the afternoon wind blows from the sea direction of the station."""
    ds = synthetic_coastal_wind(n_days=60, seed=5)
    hour = ds["time"].dt.hour
    calm = ds["ff"].rolling(time=240, center=True, min_periods=1).mean() < 4.5
    for k, sea_direction in enumerate((270.0, 0.0, 200.0)):
        u = ds["u"].isel(station=k)
        v = ds["v"].isel(station=k)
        rad = np.deg2rad(sea_direction)
        onshore = -(u * np.sin(rad) + v * np.cos(rad))  # wind component blowing from the sea
        select = calm.isel(station=k)
        afternoon = float(onshore.where(select & (hour >= 14) & (hour <= 16)).mean())
        morning = float(onshore.where(select & (hour >= 5) & (hour <= 7)).mean())
        assert afternoon > morning + 0.8, f"station {k}: {afternoon:.2f} vs {morning:.2f}"


def test_nwp_bias_and_error_growth(wind: xr.Dataset) -> None:
    issue = np.arange(300, wind.sizes["time"] - 240, 7)
    nwp = latest_run_forecast(wind, "nwp_ff", issue, (0, 30, 120))
    obs = wind["ff"].transpose("time", "station").values
    truth = np.stack([obs[issue + k] for k in (0, 30, 120)], axis=1)
    assert nwp.mean() < truth.mean() - 0.3, "the NWP wind speed is biased low"
    rmse = np.sqrt(((nwp - truth) ** 2).mean(axis=(0, 2)))
    assert rmse[2] > rmse[0], f"NWP error should grow with the lead: {rmse}"


def test_latest_run_respects_availability(wind: xr.Dataset) -> None:
    """An issue time 2 h after a run (delay 3 h) must use the previous run."""
    issue = np.array([240 + 20])  # day 2, 02:00
    run_index = int(np.searchsorted(wind["run"].values, wind["time"].values[issue[0]])) - 1
    assert wind["run"].values[run_index] == wind["time"].values[240]
    value = latest_run_forecast(wind, "nwp_u", issue, (40,))[0, 0]  # valid at 06:00
    previous = wind["nwp_u"].isel(run=run_index - 1).sel(step=np.timedelta64(12, "h")).values
    assert np.allclose(value, previous)
    with pytest.raises(ValueError, match="no NWP run available"):
        latest_run_forecast(wind, "nwp_u", np.array([5]), (1,))


def test_hybrid_samples_do_not_cross_splits(wind: xr.Dataset) -> None:
    dm = WindHybridDataModule(wind, n_past=10, stride=3)
    assert dm.slices["val"].start - dm.slices["train"].stop >= 10 + 60
    for split in ("train", "val", "test"):
        s = dm.samples[split]
        assert s["features"].shape[0] == s["target"].shape[0] > 100
        assert not s["features"].isnan().any()
    first = hybrid_samples(wind, slice(0, 400), 10, (5, 60))
    assert first["target"].shape[1] == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("number", 0, "number"),
        ("lat", 91.0, "lat/lon"),
        ("exposure", 0.0, "exposure"),
        ("height", np.inf, "height"),
    ],
)
def test_station_parameters_are_validated(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(DEFAULT_STATIONS[0], **{field: value})
