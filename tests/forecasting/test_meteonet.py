"""MeteoNet loaders (dlgd_course.forecasting.meteonet): on MeteoNet's published GRIB files of
one ARPEGE run (tests/data/meteonet/) and on files in the published formats written by the tests.

The ground-station CSV (columns number_sta, lat, lon, height_sta, date, dd, ff, precip, hu,
td, t, psl) and the NWP files give the layout of the synthetic generator; malformed files raise
ValueError naming the line and column (or the missing variable).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from dlgd_course.forecasting import (
    load_meteonet_masks,
    load_meteonet_nwp,
    load_meteonet_stations,
    meteonet_dataset,
    synthetic_coastal_wind,
)
from dlgd_course.forecasting.hybrid import hybrid_samples

HEADER = "number_sta,lat,lon,height_sta,date,dd,ff,precip,hu,td,t,psl\n"


def station_csv(tmp_path: Path, n_hours: int = 30, edit=None) -> Path:
    """Two stations, 6-minute records, one missing record and one missing value."""
    lines = [HEADER]
    for sta, lat, lon, height in ((29075001, 48.45, -4.42, 94.0), (22168001, 48.83, -3.47, 58.0)):
        for k in range(n_hours * 10):
            if sta == 22168001 and k == 7:
                continue  # a missing record
            hour, minute = divmod(6 * k, 60)
            day, hour = divmod(hour, 24)
            date = f"201601{day + 1:02d} {hour:02d}:{minute:02d}"
            ff = "" if (sta == 29075001 and k == 3) else f"{3 + (k % 7) * 0.5:.1f}"
            lines.append(
                f"{sta},{lat},{lon},{height},{date},{(10 * k) % 360},{ff},0.0,85,280.1,282.3,101200\n"
            )
    if edit is not None:
        lines = edit(lines)
    path = tmp_path / "SE_20160101.csv"
    path.write_text("".join(lines))
    return path


def nwp_file(tmp_path: Path, run: str, drop: str | None = None) -> Path:
    lat = np.linspace(47.0, 50.0, 13)
    lon = np.linspace(-6.0, -2.0, 17)
    steps = np.arange(25) * np.timedelta64(1, "h")
    rng = np.random.default_rng(0)
    shape = (25, lat.size, lon.size)
    ds = xr.Dataset(
        {
            name: (("step", "latitude", "longitude"), rng.normal(2.0, 1.0, shape))
            for name in ("u10", "v10", "t2m", "msl")
            if name != drop
        },
        coords={"latitude": lat, "longitude": lon, "step": steps, "time": np.datetime64(run, "ns")},
    )
    path = tmp_path / f"arome_{run[:10]}_{run[11:13]}.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def test_station_csv_layout(tmp_path: Path) -> None:
    ds = load_meteonet_stations(station_csv(tmp_path))
    assert list(ds["station"].values) == [22168001, 29075001]
    assert ds["ff"].dims == ("station", "time") and ds.sizes["time"] == 300
    assert np.isnan(ds["ff"].sel(station=29075001).values[3])  # empty field
    assert np.isnan(ds["dd"].sel(station=22168001).values[7])  # missing record
    assert ds["ff"].sel(station=22168001).values[8] == pytest.approx(3.5)
    # Same observed variables as the synthetic generator.
    synthetic = synthetic_coastal_wind(n_days=2)
    station_vars = {v for v in synthetic.data_vars if not v.startswith("nwp_")}
    assert station_vars == set(ds.data_vars)
    assert set(synthetic["ff"].coords) == set(ds["ff"].coords)
    u = ds["u"].sel(station=22168001).values[9]  # dd = 90: wind from the east, u < 0
    assert u == pytest.approx(-ds["ff"].sel(station=22168001).values[9])


def test_station_csv_in_the_documented_and_pandas_forms(tmp_path: Path) -> None:
    """MeteoNet's documentation writes dates ``YYYY-MM-DD HH:MM:SS`` and a file written back by
    pandas carries ``nan`` for missing values: both read as the files' own form does."""
    native = load_meteonet_stations(station_csv(tmp_path))

    def documented(lines: list[str]) -> list[str]:
        out = [lines[0]]
        for line in lines[1:]:
            fields = line.split(",")
            date = fields[4]
            fields[4] = f"{date[:4]}-{date[4:6]}-{date[6:8]} {date[9:]}:00"
            out.append(",".join("nan" if field == "" else field for field in fields))
        return out

    folder = tmp_path / "documented"
    folder.mkdir()
    other = load_meteonet_stations(station_csv(folder, edit=documented))
    assert "nan" in (folder / "SE_20160101.csv").read_text()
    xr.testing.assert_identical(other.drop_attrs(), native.drop_attrs())


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda lines: [lines[0].replace(",psl", ",pres")] + lines[1:],
            r"line 1 \(header\): missing column\(s\) psl",
        ),
        (
            lambda lines: lines[:5] + [lines[5].replace(",85,", ",eighty,")] + lines[6:],
            r"line 6, column 'hu': expected a number, got 'eighty'",
        ),
        (
            lambda lines: lines[:9] + [lines[9].replace("20160101 00:48", "01/01/2016 00:48")] + lines[10:],
            r"line 10, column 'date': expected YYYYMMDD HH:MM or YYYY-MM-DD HH:MM:SS",
        ),
        (
            lambda lines: lines[:4] + [lines[4].replace("20160101 00:18", "20160101 00:19")] + lines[5:],
            r"line 5, column 'date'.*6-minute grid",
        ),
        (
            lambda lines: lines[:3] + [",".join(lines[3].split(",")[:8]) + "\n"] + lines[4:],
            r"line 4: 8 fields, the header has 12",
        ),
        (lambda lines: lines + [lines[2]], r"duplicate record for station 29075001"),
        (
            lambda lines: lines[:2] + [lines[2].replace("29075001,", "x9075001,", 1)] + lines[3:],
            r"line 3, column 'number_sta'",
        ),
    ],
)
def test_malformed_station_csv(tmp_path: Path, edit, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_meteonet_stations(station_csv(tmp_path, edit=edit))


def test_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ValueError, match="empty file"):
        load_meteonet_stations(path)


def test_nwp_slices_nearest_point(tmp_path: Path) -> None:
    paths = [nwp_file(tmp_path, "2016-01-01T06:00"), nwp_file(tmp_path, "2016-01-01T00:00")]
    nwp = load_meteonet_nwp(paths, lat=[48.45, 48.83], lon=[-4.42, -3.47])
    assert nwp["nwp_u"].dims == ("run", "step", "station")
    assert nwp["run"].values[0] == np.datetime64("2016-01-01T00:00")  # sorted
    with xr.open_dataset(paths[1]) as raw:
        expected = raw["u10"].sel(latitude=48.45, longitude=-4.42, method="nearest").values
    assert np.allclose(nwp["nwp_u"].isel(run=0, station=0).values, expected)
    assert np.allclose(nwp["nwp_ff"], np.hypot(nwp["nwp_u"], nwp["nwp_v"]))
    assert set(nwp.data_vars) >= {"nwp_t", "nwp_psl", "nwp_dd"}


def test_nwp_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="missing variable 'v10'"):
        load_meteonet_nwp([nwp_file(tmp_path, "2016-01-01T00:00", drop="v10")], [48.5], [-4.4])
    with pytest.raises(ValueError, match="outside the NWP grid"):
        load_meteonet_nwp([nwp_file(tmp_path, "2016-01-01T00:00")], [43.0], [5.0])
    bad = tmp_path / "bad.nc"
    bad.write_text("not netcdf")
    with pytest.raises(ValueError, match="not a readable netCDF"):
        load_meteonet_nwp([bad], [48.5], [-4.4])


def test_meteonet_dataset_feeds_the_hybrid(tmp_path: Path) -> None:
    """The real-data layout goes through the same sample builder as the synthetic data."""
    runs = [nwp_file(tmp_path, f"2016-01-0{d}T{h:02d}:00") for d in (1, 2) for h in (0, 6, 12, 18)]
    ds = meteonet_dataset(station_csv(tmp_path), runs)
    samples = hybrid_samples(ds, slice(0, ds.sizes["time"]), n_past=5, leads=(5, 10))
    assert samples["features"].shape[0] > 0 and samples["nwp"].shape[1] == 2
    assert not samples["target"].isnan().any(), "samples with missing targets are dropped"


# MeteoNet's published ARPEGE run of 2018-05-01 00 UTC over north-western France, the three
# GRIB files of the 10 m, 2 m and sea-level fields (tests/data/meteonet/NOTICE.md).
PUBLISHED = Path(__file__).parents[1] / "data" / "meteonet"
ARPEGE_RUN = {
    level: PUBLISHED / f"arpege_{level}_NW_20180501000000.grib" for level in ("10m", "2m", "P_sea_level")
}
BREST, SAINT_BRIEUC = (48.45, -4.42), (48.53, -2.77)


def open_grib(path: Path) -> xr.Dataset:
    return xr.open_dataset(path, engine="cfgrib", backend_kwargs={"indexpath": ""})


def test_published_grib_run_at_the_stations() -> None:
    """The three files of one run merge into one run; each variable is the nearest grid value."""
    nwp = load_meteonet_nwp(list(ARPEGE_RUN.values()), *zip(BREST, SAINT_BRIEUC, strict=True))
    assert nwp["run"].values == np.array(["2018-05-01T00:00"], dtype="datetime64[ns]")
    assert nwp.sizes == {"run": 1, "step": 25, "station": 2}
    assert nwp["step"].values[-1] == np.timedelta64(24, "h")
    for name, (level, source) in {
        "nwp_u": ("10m", "u10"),
        "nwp_v": ("10m", "v10"),
        "nwp_t": ("2m", "t2m"),
        "nwp_psl": ("P_sea_level", "msl"),
    }.items():
        with open_grib(ARPEGE_RUN[level]) as raw:
            for station, (lat, lon) in enumerate((BREST, SAINT_BRIEUC)):
                expected = raw[source].sel(latitude=lat, longitude=lon, method="nearest").values
                np.testing.assert_array_equal(nwp[name].isel(run=0, station=station).values, expected)


def test_wind_speed_and_direction_agree_with_meteo_france() -> None:
    """nwp_ff, nwp_dd computed from u10, v10 match the file's own ws and wdir (degrees the wind
    comes from): the course's direction convention is Météo-France's."""
    nwp = load_meteonet_nwp([ARPEGE_RUN["10m"]], *zip(BREST, SAINT_BRIEUC, strict=True))
    with open_grib(ARPEGE_RUN["10m"]) as raw:
        for station, (lat, lon) in enumerate((BREST, SAINT_BRIEUC)):
            point = raw.sel(latitude=lat, longitude=lon, method="nearest")
            ff, dd = nwp["nwp_ff"].isel(run=0, station=station), nwp["nwp_dd"].isel(run=0, station=station)
            np.testing.assert_allclose(ff.values, point["ws"].values, atol=0.01)
            turn = (dd.values - point["wdir"].values + 180.0) % 360.0 - 180.0
            assert np.abs(turn).max() < 0.5, "direction differs from the published wdir (degrees)"
    assert "nwp_t" not in nwp and "nwp_psl" not in nwp, "only what every run has is kept"


def test_published_grib_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="missing variable 'u10'.*10 m file"):
        load_meteonet_nwp([ARPEGE_RUN["2m"]], [48.45], [-4.42])
    with pytest.raises(ValueError, match="nwp_u, nwp_v given by more than one file"):
        load_meteonet_nwp([ARPEGE_RUN["10m"], ARPEGE_RUN["10m"]], [48.45], [-4.42])
    with pytest.raises(ValueError, match="outside the NWP grid"):
        load_meteonet_nwp([ARPEGE_RUN["10m"]], [43.3], [5.4])  # Marseille: the SE domain
    truncated = tmp_path / "truncated.grib"
    truncated.write_bytes(ARPEGE_RUN["10m"].read_bytes()[:5000])
    with pytest.raises(ValueError, match="not a readable GRIB file"):
        load_meteonet_nwp([truncated], [48.45], [-4.42])
    monkeypatch.setitem(sys.modules, "cfgrib", None)  # as if the grib extra were not installed
    with pytest.raises(ValueError, match=r"GRIB file.*pip install 'dlgd-course\[grib\]'"):
        load_meteonet_nwp([ARPEGE_RUN["10m"]], [48.45], [-4.42])


def test_published_land_sea_and_relief_masks() -> None:
    """MeteoNet's NW masks: 0.025° AROME grid, land fraction in [0, 1], relief in metres."""
    masks = load_meteonet_masks(PUBLISHED / "NW_masks.grib")
    assert masks.sizes == {"latitude": 227, "longitude": 315}
    assert np.diff(masks["longitude"].values).mean() == pytest.approx(0.025, abs=1e-4)
    at = {
        name: masks.sel(latitude=lat, longitude=lon, method="nearest")
        for name, (lat, lon) in {"Brest": BREST, "open sea": (47.5, -5.5)}.items()
    }
    assert float(at["Brest"]["land_fraction"]) == 1.0 and 50.0 < float(at["Brest"]["relief"]) < 150.0
    assert float(at["open sea"]["land_fraction"]) == 0.0 and abs(float(at["open sea"]["relief"])) < 0.01
    fraction = masks["land_fraction"].values
    assert ((fraction > 0) & (fraction < 1)).any(), "coastal cells hold a fraction of land"
    with pytest.raises(ValueError, match="expected the variables lsm and h"):
        load_meteonet_masks(ARPEGE_RUN["10m"])
