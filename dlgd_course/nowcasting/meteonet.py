"""Lazy loader of real MeteoNet cloud-type files into the layout of
:func:`~dlgd_course.nowcasting.simulate_clouds`.

MeteoNet (Larvor et al. 2020) distributes the SAFNWC cloud type as netCDF files with a
variable ``CT`` (uint8, classes of :data:`~dlgd_course.nowcasting.synthetic.CLOUD_TYPES`) on
``(time, lat, lon)`` every 15 minutes. Year-long files are gigabytes: the file is opened
lazily (h5netcdf backend, no dask) and :class:`~dlgd_course.nowcasting.CloudWindows` reads one
window at a time with ``isel``. Nothing is loaded here but the coordinates.

MeteoNet's rain radar comes as NumPy ``.npz`` archives of 10 or 11 days: ``data`` (int16 maps
of the rainfall accumulated over each 5-minute scan, in hundredths of a millimetre, -1 where
missing), ``dates`` (the time of each map) and ``miss_dates`` (the times without a map), with
the pixel centres in a separate ``radar_coords_<zone>.npz`` (``lats``, ``lons``, 0.01°).
The dates are pickled ``datetime`` objects: :func:`open_meteonet_rainfall` unpickles them
with an unpickler that builds nothing but arrays of dates, so a crafted file cannot run code.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import IO

import numpy as np
import xarray as xr

from dlgd_course.nowcasting.synthetic import STEP_MINUTES

__all__ = ["open_meteonet_cloud_type", "open_meteonet_rainfall"]

RADAR_STEP_MINUTES = 5

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


class _DateArrayUnpickler(pickle.Unpickler):
    """Unpickles a NumPy object array of ``datetime``/``date`` values and refuses anything else."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("datetime", "datetime"),
        ("datetime", "date"),
    }

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of an array of dates")
        return super().find_class(module, name)


def _read_member(archive: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    """Array ``name`` of an ``.npz`` archive: plain arrays without pickle, object arrays of dates
    through :class:`_DateArrayUnpickler`."""
    if f"{name}.npy" not in archive.namelist():
        raise ValueError(
            f"{path}: no array {name!r} (arrays: {[n.removesuffix('.npy') for n in archive.namelist()]})"
        )
    with archive.open(f"{name}.npy") as handle:
        version = np.lib.format.read_magic(handle)
        header = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = header(handle)
        if dtype.hasobject:
            values = _read_dates(handle, path, name)
            return values.reshape(shape)
    with archive.open(f"{name}.npy") as handle:
        return np.lib.format.read_array(handle, allow_pickle=False)


def _read_dates(handle: IO[bytes], path: Path, name: str) -> np.ndarray:
    try:
        values = _DateArrayUnpickler(handle, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError) as error:
        raise ValueError(f"{path}: {name!r} is not an array of dates ({error})") from None
    if not isinstance(values, np.ndarray):
        raise ValueError(f"{path}: {name!r} is not an array of dates")
    return np.array([np.datetime64(v, "m") for v in values.ravel()], dtype="datetime64[m]")


def _open_npz(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{path}: not a NumPy .npz archive") from None


def open_meteonet_rainfall(path: str | Path, coords_path: str | Path) -> xr.Dataset:
    """Read a MeteoNet rain-radar archive (``rainfall_<zone>_<year>_<month>.<part>.npz``).

    Args:
        path: the rainfall archive (``data``, ``dates``, ``miss_dates``).
        coords_path: the zone's ``radar_coords_<zone>.npz`` (``lats``, ``lons`` of the pixel
            centres, degrees).

    Returns:
        Dataset with ``rainfall`` (time, y, x) float32, the rainfall accumulated over each
        5-minute scan in mm (NaN where the radar has no value), ``lat``/``lon`` (y, x)
        coordinates, and ``missing_times``: the scans of the period without a map. The time
        axis holds only the scans present, so consecutive maps may be more than 5 minutes apart.

    Raises:
        ValueError naming the file and the problem: not an ``.npz`` archive, an array missing,
        maps and dates or coordinates of different sizes, values below -1, dates not increasing
        on the 5-minute grid or also listed as missing, anything but dates in a date array.
    """
    path, coords_path = Path(path), Path(coords_path)
    with _open_npz(path) as archive:
        data = _read_member(archive, "data", path)
        dates = _read_member(archive, "dates", path)
        missing = _read_member(archive, "miss_dates", path)
    with _open_npz(coords_path) as archive:
        lats, lons = (_read_member(archive, name, coords_path) for name in ("lats", "lons"))
    if data.ndim != 3 or not np.issubdtype(data.dtype, np.integer):
        raise ValueError(f"{path}: data must be integer maps (time, y, x), got {data.dtype} {data.shape}")
    if dates.shape != (data.shape[0],):
        raise ValueError(f"{path}: {data.shape[0]} maps but {dates.size} dates")
    if lats.shape != data.shape[1:] or lons.shape != data.shape[1:]:
        raise ValueError(
            f"{coords_path}: coordinates {lats.shape} do not match the maps {data.shape[1:]} of {path}"
        )
    if (data < -1).any():
        raise ValueError(f"{path}: rainfall below -1 (the missing value) in the data")
    for label, times in (("dates", dates), ("miss_dates", missing.astype("datetime64[m]"))):
        minutes = times.astype(np.int64)
        if (minutes % RADAR_STEP_MINUTES).any() or (np.diff(minutes) <= 0).any():
            raise ValueError(f"{path}: {label} must increase on the {RADAR_STEP_MINUTES}-minute grid")
    if np.intersect1d(dates, missing).size:
        raise ValueError(f"{path}: a date is both in dates and in miss_dates")
    rainfall = np.where(data < 0, np.nan, data / 100.0).astype(np.float32)
    return xr.Dataset(
        {"rainfall": (("time", "y", "x"), rainfall, {"units": "mm", "long_name": "5-minute rainfall"})},
        coords={
            "time": dates.astype("datetime64[ns]"),
            "lat": (("y", "x"), lats, {"units": "degrees_north"}),
            "lon": (("y", "x"), lons, {"units": "degrees_east"}),
            "missing_times": ("missing", missing.astype("datetime64[ns]")),
        },
        attrs={"source": str(path), "step_minutes": RADAR_STEP_MINUTES},
    )
