"""Read real gappy products into the layout used by the synthetic data.

Layout (the same as :func:`~dlgd_course.interpolation.clouds.observe_sediment`, without
``truth``): an ``xarray.Dataset`` with ``observation`` (time, lat, lon) in mg/L, NaN in
gaps, and ``mask`` (time, lat, lon) bool, True where observed. Daily L3 ocean-colour
products of suspended particulate matter are distributed as netCDF with gaps coded as NaN
or as a ``_FillValue``; both are handled, as well as plain arrays of fields plus masks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from dlgd_course.interpolation.sediment import SEDIMENT_ATTRS

__all__ = ["from_arrays", "load_gappy_netcdf"]

_DIM_ALIASES = {
    "time": ("time", "t", "date"),
    "lat": ("lat", "latitude", "y", "rows"),
    "lon": ("lon", "longitude", "x", "columns"),
}


def from_arrays(
    fields: np.ndarray,
    masks: np.ndarray | None = None,
    time: np.ndarray | None = None,
    lat: np.ndarray | None = None,
    lon: np.ndarray | None = None,
    units: str = "mg/L",
) -> xr.Dataset:
    """Dataset from arrays: ``fields`` (time, lat, lon), NaN where missing unless ``masks``
    (same shape, True = observed) is given; values outside the mask are discarded.

    ``time`` defaults to daily dates from 2000-01-01, ``lat``/``lon`` to pixel indices.
    """
    fields = np.asarray(fields, dtype=np.float64)
    if fields.ndim != 3:
        raise ValueError(f"fields must be 3-D (time, lat, lon), got shape {fields.shape}")
    finite = np.isfinite(fields)
    if masks is None:
        masks = finite
    else:
        masks = np.asarray(masks)
        if masks.shape != fields.shape:
            raise ValueError(f"masks shape {masks.shape} differs from fields shape {fields.shape}")
        if masks.dtype != bool:
            if not np.isin(masks, (0, 1)).all():
                raise ValueError("masks must be boolean (or 0/1): True where observed")
            masks = masks.astype(bool)
        if np.any(masks & ~finite):
            raise ValueError(f"{int(np.sum(masks & ~finite))} pixels are marked observed but are not finite")
    if not masks.any():
        raise ValueError("no observed pixel: every value is missing")
    values = fields[masks]
    if np.any(values <= 0):
        raise ValueError(
            f"{int(np.sum(values <= 0))} observed concentrations are <= 0; "
            "the log-space methods need positive values"
        )
    n_time, n_lat, n_lon = fields.shape
    time = (
        np.datetime64("2000-01-01", "D") + np.arange(n_time).astype("timedelta64[D]")
        if time is None
        else np.asarray(time)
    )
    lat = np.arange(n_lat, dtype=float) if lat is None else np.asarray(lat, dtype=float)
    lon = np.arange(n_lon, dtype=float) if lon is None else np.asarray(lon, dtype=float)
    for name, coord, size in (("time", time, n_time), ("lat", lat, n_lat), ("lon", lon, n_lon)):
        if coord.shape != (size,):
            raise ValueError(f"{name} coordinate has shape {coord.shape}, expected ({size},)")
    if n_time > 1 and not np.all(time[1:] > time[:-1]):
        raise ValueError("time coordinate must be strictly increasing")
    observation = np.where(masks, fields, np.nan).astype(np.float32)
    return xr.Dataset(
        {
            "observation": (
                ("time", "lat", "lon"),
                observation,
                {**SEDIMENT_ATTRS, "units": units, "comment": "NaN in gaps"},
            ),
            "mask": (("time", "lat", "lon"), masks, {"long_name": "observed pixel"}),
        },
        coords={"time": time, "lat": ("lat", lat), "lon": ("lon", lon)},
        attrs={"Conventions": "CF-1.8"},
    )


def _find_dim(names: tuple[str, ...], wanted: str) -> str:
    for alias in _DIM_ALIASES[wanted]:
        for name in names:
            if name.lower() == alias:
                return name
    raise ValueError(f"no {wanted!r} dimension among {names} (accepted: {_DIM_ALIASES[wanted]})")


def load_gappy_netcdf(path: str | Path, variable: str | None = None) -> xr.Dataset:
    """Read a gappy (time, lat, lon) product from a netCDF file.

    ``variable`` names the concentration variable; by default the only 3-D variable of
    the file. Gaps are NaN or the variable's ``_FillValue``/``missing_value`` (decoded by
    xarray). Dimension names ``latitude``/``longitude``/``y``/``x`` are accepted.
    Raises ``ValueError`` naming the problem for a missing or unreadable file, a missing or
    ambiguous variable, wrong dimensions, non-positive values or a file without data.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        with xr.open_dataset(path, engine="h5netcdf", mask_and_scale=True, phony_dims="sort") as raw:
            raw = raw.load()
    except (OSError, ValueError, TypeError) as error:
        raise ValueError(f"{path}: not a readable netCDF-4 file ({error})") from error
    if variable is None:
        candidates = [name for name, var in raw.data_vars.items() if var.ndim == 3]
        if len(candidates) != 1:
            raise ValueError(f"{path}: expected exactly one 3-D variable, found {candidates}; pass variable=")
        variable = candidates[0]
    if variable not in raw:
        raise ValueError(f"{path}: no variable {variable!r} (have {list(raw.data_vars)})")
    data = raw[variable]
    if data.ndim != 3:
        raise ValueError(f"{path}: variable {variable!r} has dims {data.dims}, expected (time, lat, lon)")
    dims = tuple(str(d) for d in data.dims)
    order = [_find_dim(dims, d) for d in ("time", "lat", "lon")]
    data = data.transpose(*order)
    coords = {}
    for name, dim in zip(("time", "lat", "lon"), order, strict=True):
        coords[name] = data[dim].values if dim in data.coords else None
    try:
        ds = from_arrays(
            data.values,
            time=coords["time"],
            lat=coords["lat"],
            lon=coords["lon"],
            units=str(data.attrs.get("units", "mg/L")),
        )
    except ValueError as error:
        raise ValueError(f"{path}: variable {variable!r}: {error}") from error
    ds.attrs["source"] = str(path)
    ds.attrs["source_variable"] = variable
    return ds
