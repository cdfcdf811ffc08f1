"""Loaders for real MeteoNet files, giving the layout of :mod:`dlgd_course.forecasting.wind`.

* Ground stations (Larvor et al. 2020, MeteoNet): CSV with the header
  ``number_sta,lat,lon,height_sta,date,dd,ff,precip,hu,td,t,psl``; ``date`` written
  ``YYYYMMDD HH:MM`` (the files) or ``YYYY-MM-DD HH:MM:SS`` (MeteoNet's documentation, and
  files written back by pandas); missing values are empty fields or ``nan``. The station series are put on a
  regular 6-minute grid (NaN where no record).
* NWP runs (AROME/ARPEGE 2-D fields): MeteoNet publishes one GRIB (edition 1) file per run
  and level: ``*_10m_*.grib`` holds ``u10, v10`` (and ``ws, wdir``), ``*_2m_*.grib`` holds
  ``t2m`` (with ``d2m, r``), ``*_P_sea_level_*.grib`` holds ``msl``, all float32 on
  ``(step, latitude, longitude)`` (latitude decreasing, ``step`` 0–24 h), the run time in
  the scalar coordinate ``time``. GRIB files are read with cfgrib (the optional extra
  ``grib``: ``pip install 'dlgd-course[grib]'``); netCDF files with the same variables and
  coordinates are read too. The files of one run are merged; ``u10`` and ``v10`` must come
  with every run, ``t2m`` and ``msl`` are kept when every run has them. The grid point
  nearest to each station is taken.

* Land-sea and relief masks: one GRIB file per zone, read by :func:`load_meteonet_masks`.

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
from dlgd_course.own_work import guard_answer

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


def _open_nwp_file(path: Path) -> xr.Dataset:
    """One NWP file, GRIB (by its ``GRIB`` magic bytes) or netCDF, loaded into memory."""
    with path.open("rb") as handle:
        is_grib = handle.read(4) == b"GRIB"
    if is_grib:
        try:
            import cfgrib  # noqa: F401  (the engine xarray needs for GRIB)
        except ImportError:
            raise ValueError(
                f"{path}: a GRIB file, and reading GRIB needs cfgrib and ecCodes: "
                "pip install 'dlgd-course[grib]'"
            ) from None
        # indexpath="": no .idx file written beside the data (read-only data folders)
        options: dict = {"engine": "cfgrib", "backend_kwargs": {"indexpath": ""}}
    else:
        options = {}
    try:
        with xr.open_dataset(path, **options) as raw:
            return raw.load()
    except (OSError, ValueError, EOFError) as error:
        kind = "GRIB" if is_grib else "netCDF"
        raise ValueError(f"{path}: not a readable {kind} file ({error})") from None


def _nwp_at_stations(path: Path, lat: np.ndarray, lon: np.ndarray) -> xr.Dataset:
    """The course's NWP variables of one file at the grid points nearest to the stations,
    ``(step, station)``, with the run time as a one-element ``run`` dimension."""
    guard_answer()
    raw = _open_nwp_file(path)
    for name in ("latitude", "longitude", "step", "time"):
        if name not in raw.variables:
            raise ValueError(
                f"{path}: missing coordinate {name!r} (MeteoNet NWP files have their fields on "
                "(step, latitude, longitude) and the run time in 'time')"
            )
    present = [name for name in NWP_VARIABLES if name in raw.data_vars]
    if not present:
        raise ValueError(f"{path}: none of the NWP variables {', '.join(NWP_VARIABLES)} in the file")
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
    point = raw[present].isel(
        latitude=xr.DataArray(i, dims="station"), longitude=xr.DataArray(j, dims="station")
    )
    run = raw["time"].values.reshape(-1)[0]
    if "time" in point.dims:
        point = point.isel(time=0)
    return (
        point.rename({name: NWP_VARIABLES[name] for name in present})
        .drop_vars([c for c in point.coords if c != "step"])
        .astype(np.float64)
        .transpose("step", "station")
        .expand_dims(run=[run])
    )


def load_meteonet_nwp(paths: Sequence[str | Path], lat: Sequence[float], lon: Sequence[float]) -> xr.Dataset:
    """NWP runs at the grid points nearest to the stations (GRIB or netCDF files).

    Args:
        paths: NWP files, any number per run (e.g. the ``10m``, ``2m`` and ``P_sea_level``
            files of one run); the run of a file is its ``time`` coordinate.
        lat, lon: station coordinates (degrees north, degrees east), one value per station.

    Returns:
        ``nwp_u, nwp_v`` (m/s), ``nwp_ff`` (m/s), ``nwp_dd`` (degrees, direction the wind
        comes from), and ``nwp_t`` (K), ``nwp_psl`` (Pa) when every run has them, with dims
        ``(run, step, station)``, runs sorted in time.
    """
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    if not paths:
        raise ValueError("no NWP file given")
    by_run: dict[np.datetime64, list[xr.Dataset]] = {}
    for path in map(Path, paths):
        part = _nwp_at_stations(path, lat, lon)
        by_run.setdefault(part["run"].values[0], []).append(part)
    runs = []
    for run, parts in by_run.items():
        names = [name for part in parts for name in part.data_vars]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"run {run}: {', '.join(repeated)} given by more than one file")
        merged = xr.merge(parts, join="exact", compat="override")
        for name in ("nwp_u", "nwp_v"):
            if name not in merged:
                source = {"nwp_u": "u10", "nwp_v": "v10"}[name]
                raise ValueError(
                    f"run {run}: missing variable {source!r} (give the run's 10 m file, which "
                    "holds u10 and v10)"
                )
        runs.append(merged)
    common = set.intersection(*(set(r.data_vars) for r in runs))
    nwp = xr.concat([r[sorted(common)] for r in runs], dim="run", coords="minimal", compat="override")
    nwp = nwp.sortby("run")
    nwp["nwp_ff"], nwp["nwp_dd"] = xr.apply_ufunc(
        wind_speed_direction, nwp["nwp_u"], nwp["nwp_v"], output_core_dims=[[], []]
    )
    nwp.attrs = {}  # cfgrib's attributes carry the time of reading
    return nwp.transpose("run", "step", "station")


def load_meteonet_masks(path: str | Path) -> xr.Dataset:
    """MeteoNet's land-sea and relief masks of one zone (``<zone>_masks.grib``, 0.025°).

    Returns:
        Dataset on ``(latitude, longitude)`` (latitude decreasing, as in the file) with
        ``land_fraction`` (the land-sea mask ``lsm``: MeteoNet's documentation calls it binary,
        the published files hold the fraction of land of each cell, 0 = sea to 1 = land) and
        ``relief`` (m; ``p3008``, read as ``h`` by recent cfgrib versions), float32.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    raw = _open_nwp_file(path)
    relief = next((name for name in ("h", "p3008") if name in raw.data_vars), None)
    if "lsm" not in raw.data_vars or relief is None:
        raise ValueError(f"{path}: expected the variables lsm and h (or p3008), got {list(raw.data_vars)}")
    if raw["lsm"].dims != ("latitude", "longitude"):
        raise ValueError(f"{path}: lsm must be on (latitude, longitude), got {raw['lsm'].dims}")
    lsm = raw["lsm"].values
    if not ((lsm >= 0.0) & (lsm <= 1.0)).all():
        raise ValueError(f"{path}: lsm must be a land fraction in [0, 1]")
    masks = xr.Dataset(
        {
            "land_fraction": (("latitude", "longitude"), lsm, {"units": "1"}),
            "relief": (("latitude", "longitude"), raw[relief].values, {"units": "m"}),
        },
        coords={"latitude": raw["latitude"].values, "longitude": raw["longitude"].values},
        attrs={"source": str(path)},
    )
    return masks


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
