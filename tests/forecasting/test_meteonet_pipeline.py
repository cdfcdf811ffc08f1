"""The forecasting theme's real-data pipeline end to end on MeteoNet's published ARPEGE run
(2018-05-01 00 UTC, north-western France; tests/data/meteonet/NOTICE.md): station records in
MeteoNet's station format (no real station sample is available, book/real-data.md) and the
three published GRIB files -> ``meteonet_dataset`` -> ``hybrid_samples``, the hybrid
forecaster's inputs. Windows never span a missing station record (issue 19, item 3).
"""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from dlgd_course.forecasting import meteonet_dataset
from dlgd_course.forecasting.hybrid import hybrid_samples

pytest.importorskip("cfgrib")

PUBLISHED = Path(__file__).parents[1] / "data" / "meteonet"
RUN = [PUBLISHED / f"arpege_{level}_NW_20180501000000.grib" for level in ("10m", "2m", "P_sea_level")]
STATIONS = {29075001: (48.45, -4.42), 22168001: (48.53, -2.77)}  # Brest, Saint-Brieuc
HEADER = "number_sta,lat,lon,height_sta,date,dd,ff,precip,hu,td,t,psl\n"
N_RECORDS = 240  # 24 h of 6-minute records
MISSING = 100  # Saint-Brieuc's record of 10:00 is absent
N_PAST, LEADS = 5, (5, 10)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> xr.Dataset:
    lines = [HEADER]
    for number, (lat, lon) in STATIONS.items():
        for k in range(N_RECORDS):
            if number == 22168001 and k == MISSING:
                continue
            hour, minute = divmod(6 * k, 60)
            ff = 4.0 + np.sin(k / 20.0)
            date = f"20180501 {hour:02d}:{minute:02d}"
            lines.append(f"{number},{lat},{lon},30.0,{date},{(7 * k) % 360},{ff:.2f},0,80,280,285,101500\n")
    path = tmp_path_factory.mktemp("stations") / "NW_20180501.csv"
    path.write_text("".join(lines))
    return meteonet_dataset(path, RUN)


def test_samples_take_the_published_run_at_the_stations(dataset: xr.Dataset) -> None:
    """The NWP input at lead 10 (1 h) of a sample issued on the hour is the ARPEGE 10 m wind
    speed of the published file at the nearest grid point, one hour later."""
    samples = hybrid_samples(dataset, slice(0, N_RECORDS), N_PAST, LEADS)
    brest = samples["station"] == dataset["station"].values.tolist().index(29075001)
    first = 30  # 03:00, the run's availability delay of 3 h
    issue = np.arange(first, N_RECORDS - max(LEADS))
    assert int(brest.sum()) == issue.size  # no record missing at Brest: every window kept
    with xr.open_dataset(RUN[0], engine="cfgrib", backend_kwargs={"indexpath": ""}) as raw:
        point = raw.sel(latitude=48.45, longitude=-4.42, method="nearest")
        speed = np.hypot(point["u10"].values, point["v10"].values)
    on_the_hour = issue % 10 == 0
    hours = issue[on_the_hour] // 10 + 1
    np.testing.assert_allclose(samples["nwp"][brest][on_the_hour, 1].numpy(), speed[hours], rtol=1e-5)


def test_windows_never_span_a_missing_station_record(dataset: xr.Dataset) -> None:
    """A window uses the past records ``issue - 4 .. issue`` and the targets ``issue + 5``,
    ``issue + 10``: the 7 issue times whose window holds the missing record give no sample."""
    assert np.isnan(dataset["ff"].sel(station=22168001).values[MISSING])
    samples = hybrid_samples(dataset, slice(0, N_RECORDS), N_PAST, LEADS)
    issue = np.arange(30, N_RECORDS - max(LEADS))
    spans = [i for i in issue if MISSING in (*range(i - N_PAST + 1, i + 1), *(i + lead for lead in LEADS))]
    assert len(spans) == 7
    saint_brieuc = dataset["station"].values.tolist().index(22168001)
    assert int((samples["station"] == saint_brieuc).sum()) == issue.size - len(spans)


def test_windows_never_span_a_missing_run(tmp_path: Path) -> None:
    """Runs at 00, 06 and 18 UTC, the 12 UTC run missing: every sample takes all its NWP values
    from one run, the latest available at its issue time (3 h delay), so from 15:00 to 20:54
    the 06 UTC run at leads of 9-15 h, and never a mixture of two runs."""
    lat, lon = np.linspace(47.0, 50.0, 13), np.linspace(-6.0, -2.0, 17)
    runs = []
    for hour in (0, 6, 18):
        shape = (25, lat.size, lon.size)
        fields = {"u10": np.full(shape, hour + 1.0), "v10": np.zeros(shape), "t2m": np.full(shape, 280.0)}
        fields["msl"] = np.full(shape, 101500.0)
        ds = xr.Dataset(
            {name: (("step", "latitude", "longitude"), value) for name, value in fields.items()},
            coords={
                "latitude": lat,
                "longitude": lon,
                "step": np.arange(25) * np.timedelta64(1, "h"),
                "time": np.datetime64(f"2018-05-01T{hour:02d}:00", "ns"),
            },
        )
        runs.append(tmp_path / f"run_{hour:02d}.nc")
        ds.to_netcdf(runs[-1], engine="h5netcdf")
    lines = [HEADER] + [
        f"29075001,48.45,-4.42,94,20180501 {k // 10:02d}:{6 * (k % 10):02d},{k % 360},4,0,80,280,285,101500\n"
        for k in range(N_RECORDS)
    ]
    (tmp_path / "NW_20180501.csv").write_text("".join(lines))
    samples = hybrid_samples(
        meteonet_dataset(tmp_path / "NW_20180501.csv", runs), slice(0, N_RECORDS), 5, LEADS
    )
    nwp = samples["nwp"].numpy()  # (sample, lead) wind speed = run hour + 1
    np.testing.assert_array_equal(nwp[:, 0], nwp[:, 1])  # one run per window
    issue_hour = (np.arange(30, N_RECORDS - max(LEADS)) * 6) // 60
    expected = np.select([issue_hour < 9, issue_hour < 21], [1.0, 7.0], 19.0)
    np.testing.assert_array_equal(nwp[:, 0], expected)
