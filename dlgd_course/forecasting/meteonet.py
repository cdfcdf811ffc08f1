"""Loaders for real MeteoNet files, giving the layout of :mod:`dlgd_course.forecasting.wind`.

* Ground stations (Larvor et al. 2020, MeteoNet): CSV with the header
  ``number_sta,lat,lon,height_sta,date,dd,ff,precip,hu,td,t,psl``; ``date`` written
  ``YYYYMMDD HH:MM`` (the files) or ``YYYY-MM-DD HH:MM:SS`` (MeteoNet's documentation, and
  files written back by pandas); missing values are empty fields or ``nan``. The station series are put on a
  regular 6-minute grid (NaN where no record).
* NWP slices (AROME/ARPEGE 2-D fields): netCDF files with ``u10``, ``v10`` (required),
  ``t2m``, ``msl`` (optional) on ``(step, latitude, longitude)``, the run time in a
  scalar or one-element coordinate ``time``, ``step`` a time delta. The grid point
  nearest to each station is taken.

A malformed file raises ``ValueError`` naming the file, the line (1 = header) and the
column, or the missing variable.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from dlgd_course.forecasting.wind import (
    STEP_MINUTES,
    set_units,
    wind_components,
    wind_speed_direction,
)

STATION_COLUMNS = (
    "number_sta",
    "lat",
    "lon",
    "height_sta",
    "date",
    "dd",
    "ff",
    "precip",
    "hu",
    "td",
    "t",
    "psl",
)
OBSERVED = ("dd", "ff", "precip", "hu", "td", "t", "psl")
# the files' own format first, then MeteoNet's documentation's and pandas' ISO forms
DATE_FORMATS = ("%Y%m%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
MISSING = ("", "nan", "na")  # lower case


def _read_station_csv(path: Path) -> pd.DataFrame:
    try:
        with open(path, encoding="utf-8") as handle:
            header = handle.readline()
            n_fields = header.count(",") + 1
            for line_number, line in enumerate(handle, start=2):
                if line.strip() and line.count(",") + 1 != n_fields:
                    raise ValueError(
                        f"{path}: line {line_number}: {line.count(',') + 1} fields, the header has {n_fields}"
                    )
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not a UTF-8 text file ({error})") from None
    if not header.strip():
        raise ValueError(f"{path}: empty file, expected the header {','.join(STATION_COLUMNS)}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    missing = [c for c in STATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: line 1 (header): missing column(s) {', '.join(missing)}")
    return frame


def _numeric(frame: pd.DataFrame, column: str, path: Path, required: bool) -> np.ndarray:
    text = frame[column].str.strip()
    missing = text.str.lower().isin(MISSING).to_numpy()
    values = np.where(missing, np.nan, pd.to_numeric(text, errors="coerce").to_numpy(dtype=float))
    bad = np.isnan(values) & (~missing | required)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(
            f"{path}: line {row + 2}, column {column!r}: expected a number, got {text.iloc[row]!r}"
        )
    return values


def load_meteonet_stations(path: str | Path, stations: Sequence[int] | None = None) -> xr.Dataset:
    """MeteoNet ground-station CSV -> Dataset ``(station, time)`` on a 6-minute grid.

    Args:
        path: the CSV file.
        stations: ``number_sta`` values to keep (default all).

    Returns:
        variables ``dd ff precip hu td t psl u v`` (units as MeteoNet: degree, m s⁻¹,
        kg m⁻², %, K, K, Pa), coords ``station``, ``lat``, ``lon``, ``height_sta``, ``time``.
    """
    path = Path(path)
    frame = _read_station_csv(path)
    if frame.empty:
        raise ValueError(f"{path}: no data line after the header")
    numbers = _numeric(frame, "number_sta", path, required=True).astype(np.int64)
    meta = {c: _numeric(frame, c, path, required=True) for c in ("lat", "lon", "height_sta")}
    text = frame["date"].str.strip()
    dates = pd.to_datetime(text, format=DATE_FORMATS[0], errors="coerce")
    for date_format in DATE_FORMATS[1:]:
        dates = dates.fillna(pd.to_datetime(text, format=date_format, errors="coerce"))
    if dates.isna().any():
        row = int(np.argmax(dates.isna().to_numpy()))
        raise ValueError(
            f"{path}: line {row + 2}, column 'date': expected "
            f"YYYYMMDD HH:MM or YYYY-MM-DD HH:MM:SS, got {frame['date'].iloc[row]!r}"
        )
    minutes = dates.dt.minute.to_numpy() + 60 * dates.dt.hour.to_numpy()
    off_grid = minutes % STEP_MINUTES != 0
    if off_grid.any():
        row = int(np.argmax(off_grid))
        raise ValueError(
            f"{path}: line {row + 2}, column 'date': {frame['date'].iloc[row]!r} "
            f"is not on the {STEP_MINUTES}-minute grid"
        )
    values = {c: _numeric(frame, c, path, required=False) for c in OBSERVED}

    keep = np.ones(len(frame), bool) if stations is None else np.isin(numbers, list(stations))
    if not keep.any():
        raise ValueError(f"{path}: none of the requested stations {list(stations)} is present")
    station_ids = np.unique(numbers[keep])
    times = pd.date_range(dates[keep].min(), dates[keep].max(), freq=f"{STEP_MINUTES}min").to_numpy()
    sta_pos = np.searchsorted(station_ids, numbers[keep])
    time_pos = np.searchsorted(times, dates[keep].to_numpy())
    if pd.Series(sta_pos * times.size + time_pos).duplicated().any():
        row = int(np.argmax(pd.Series(sta_pos * times.size + time_pos).duplicated().to_numpy()))
        row = int(np.flatnonzero(keep)[row])
        raise ValueError(
            f"{path}: line {row + 2}: duplicate record for station "
            f"{numbers[row]} at {frame['date'].iloc[row]}"
        )
    data = {}
    for name in OBSERVED:
        grid = np.full((station_ids.size, times.size), np.nan)
        grid[sta_pos, time_pos] = values[name][keep]
        data[name] = (("station", "time"), grid)
    u, v = wind_components(data["ff"][1], data["dd"][1])
    data["u"], data["v"] = (("station", "time"), u), (("station", "time"), v)
    first = np.array([np.flatnonzero(keep & (numbers == s))[0] for s in station_ids])
    ds = xr.Dataset(
        data,
        coords={
            "station": station_ids,
            "lat": ("station", meta["lat"][first]),
            "lon": ("station", meta["lon"][first]),
            "height_sta": ("station", meta["height_sta"][first]),
            "time": times,
        },
        attrs={"title": "MeteoNet ground stations", "source": str(path)},
    )
    set_units(ds)
    return ds


NWP_VARIABLES = {"u10": "nwp_u", "v10": "nwp_v", "t2m": "nwp_t", "msl": "nwp_psl"}


def load_meteonet_nwp(paths: Sequence[str | Path], lat: Sequence[float], lon: Sequence[float]) -> xr.Dataset:
    """NWP netCDF slices (one run each) at the grid points nearest to the stations.

    Returns ``nwp_u, nwp_v, nwp_ff, nwp_dd`` (and ``nwp_t``, ``nwp_psl`` when present in
    every file) with dims ``(run, step, station)``, runs sorted in time.
    """
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    if not paths:
        raise ValueError("no NWP file given")
    runs = []
    for path in paths:
        path = Path(path)
        try:
            with xr.open_dataset(path) as raw:
                raw = raw.load()
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: not a readable netCDF file ({error})") from None
        for name in ("u10", "v10", "latitude", "longitude", "step", "time"):
            if name not in raw.variables:
                raise ValueError(
                    f"{path}: missing variable {name!r} (MeteoNet NWP slices have "
                    "u10, v10 on (step, latitude, longitude) and a run time 'time')"
                )
        if raw["time"].size != 1:
            raise ValueError(f"{path}: expected one run per file, 'time' has {raw['time'].size}")
        grid_lat, grid_lon = raw["latitude"].values, raw["longitude"].values
        outside = (
            (lat < grid_lat.min()) | (lat > grid_lat.max()) | (lon < grid_lon.min()) | (lon > grid_lon.max())
        )
        if outside.any():
            k = int(np.argmax(outside))
            raise ValueError(f"{path}: station at lat {lat[k]}, lon {lon[k]} lies outside the NWP grid")
        i = np.abs(grid_lat[None, :] - lat[:, None]).argmin(1)
        j = np.abs(grid_lon[None, :] - lon[:, None]).argmin(1)
        point = raw.isel(latitude=xr.DataArray(i, dims="station"), longitude=xr.DataArray(j, dims="station"))
        if "time" in point.dims:
            point = point.isel(time=0)
        present = [name for name in NWP_VARIABLES if name in point]
        runs.append(
            point[present]
            .rename({k: NWP_VARIABLES[k] for k in present})
            .drop_vars([c for c in point.coords if c not in ("step", "time")])
            .transpose("step", "station")
            .expand_dims(run=[point["time"].values])
        )
    common = set.intersection(*(set(r.data_vars) for r in runs))
    nwp = xr.concat([r[sorted(common)] for r in runs], dim="run", coords="minimal", compat="override").sortby(
        "run"
    )
    if "time" in nwp.coords:
        nwp = nwp.drop_vars("time")
    nwp["nwp_ff"], nwp["nwp_dd"] = xr.apply_ufunc(
        wind_speed_direction, nwp["nwp_u"], nwp["nwp_v"], output_core_dims=[[], []]
    )
    return nwp.transpose("run", "step", "station")


def meteonet_dataset(
    station_csv: str | Path,
    nwp_files: Sequence[str | Path],
    stations: Sequence[int] | None = None,
    availability_delay_hours: int = 3,
) -> xr.Dataset:
    """Stations and NWP slices together, in the layout of ``synthetic_coastal_wind``."""
    obs = load_meteonet_stations(station_csv, stations)
    nwp = load_meteonet_nwp(nwp_files, obs["lat"].values, obs["lon"].values)
    ds = xr.merge([obs, nwp.assign_coords(station=obs["station"].values)])
    ds.attrs.update(obs.attrs, availability_delay_hours=availability_delay_hours)
    set_units(ds)
    return ds
