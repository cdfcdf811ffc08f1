"""Lazy loader of real MeteoNet cloud-type files into the layout of
:func:`~dlgd_course.nowcasting.simulate_clouds`.

MeteoNet (Larvor et al. 2020) distributes the SAFNWC cloud type as netCDF files with a
variable ``CT`` (uint8, classes of :data:`~dlgd_course.nowcasting.synthetic.CLOUD_TYPES`) on
``(time, lat, lon)`` every 15 minutes. Year-long files are gigabytes: the file is opened
lazily (h5netcdf backend, no dask) and :class:`~dlgd_course.nowcasting.CloudWindows` reads one
window at a time with ``isel``. Nothing is loaded here but the coordinates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from dlgd_course.nowcasting.synthetic import STEP_MINUTES

__all__ = ["open_meteonet_cloud_type"]

_Y_NAMES = ("lat", "latitude", "y")
_X_NAMES = ("lon", "longitude", "x")


def open_meteonet_cloud_type(path: str | Path, time_slice: slice | None = None) -> xr.Dataset:
    """Open a MeteoNet cloud-type netCDF lazily: Dataset ``CT`` (time, y, x) uint8.

    Args:
        path: the netCDF file.
        time_slice: optional label slice of ``time`` (e.g. ``slice("2018-03", "2018-04")``).

    Returns:
        Dataset with ``CT`` lazily indexed, dims renamed to ``(time, y, x)`` with the
        original latitude/longitude kept as coordinates ``lat``/``lon``.

    Raises:
        ValueError naming the file and the problem: not netCDF/HDF5, no ``CT``, wrong
        dimensions or dtype, times not increasing in 15-minute steps.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        ds = xr.open_dataset(path, engine="h5netcdf", cache=False, decode_timedelta=False)
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not a readable netCDF-4 file ({error})") from None
    if "CT" not in ds:
        raise ValueError(f"{path}: no variable CT (variables: {list(ds.data_vars)})")
    ct = ds["CT"]
    dims = ct.dims
    if len(dims) != 3 or dims[0] != "time" or dims[1] not in _Y_NAMES or dims[2] not in _X_NAMES:
        raise ValueError(f"{path}: CT must be on (time, lat, lon), got {dims}")
    if ct.dtype != np.uint8:
        raise ValueError(f"{path}: CT must be uint8 cloud-type classes, got {ct.dtype}")
    times = ds["time"].values
    if not np.issubdtype(times.dtype, np.datetime64):
        raise ValueError(f"{path}: time is not decoded as dates (units attribute missing?)")
    if times.size > 1:
        steps = np.diff(times) / np.timedelta64(1, "m")
        bad = np.flatnonzero((steps <= 0) | (steps % STEP_MINUTES != 0))
        if bad.size:
            raise ValueError(
                f"{path}: time step {bad[0]} -> {bad[0] + 1} is {steps[bad[0]]} min, "
                f"expected increasing multiples of {STEP_MINUTES} min"
            )
    out = ds[["CT"]].rename({dims[1]: "y", dims[2]: "x"})
    out = out.assign_coords(lat=("y", ds[dims[1]].values), lon=("x", ds[dims[2]].values))
    out = out.drop_vars([d for d in ("y", "x") if d in out.coords])
    if time_slice is not None:
        out = out.sel(time=time_slice)
    out.attrs.update(source=str(path), step_minutes=STEP_MINUTES, cloud_mask="CT > 5")
    return out
