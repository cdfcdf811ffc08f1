"""Lazy MeteoNet cloud-type loader (dlgd_course.nowcasting.meteonet) on the published sample
``CT_NW_2016.nc`` (shipped in tests/data/meteonet, Etalab Open Licence 2.0) and on small files
written here in the MeteoNet layout: ``CT`` uint8 on (time, lat, lon), 15-minute steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from dlgd_course.nowcasting import CloudWindows, open_meteonet_cloud_type


def _write(path, ct=None, times=None, name="CT", dims=("time", "lat", "lon")):
    times = pd.date_range("2018-03-01", periods=12, freq="15min") if times is None else times
    rng = np.random.default_rng(0)
    ct = rng.integers(0, 16, (len(times), 8, 12)).astype(np.uint8) if ct is None else ct
    ds = xr.Dataset(
        {name: (dims, ct)},
        coords={
            "time": times,
            dims[1]: np.linspace(51.0, 50.0, ct.shape[1]),
            dims[2]: np.linspace(-5.0, -3.0, ct.shape[2]),
        },
    )
    ds.to_netcdf(path, engine="h5netcdf")
    return ds


def test_opens_lazily_in_course_layout(tmp_path) -> None:
    """CT keeps its values and dtype, dims become (time, y, x) with lat/lon coordinates,
    and nothing is loaded before a window is read."""
    written = _write(tmp_path / "ct.nc")
    ds = open_meteonet_cloud_type(tmp_path / "ct.nc")
    assert ds["CT"].dims == ("time", "y", "x") and ds["CT"].dtype == np.uint8
    assert not isinstance(ds["CT"].variable._data, np.ndarray)  # lazily indexed backend array
    assert np.array_equal(ds["CT"].values, written["CT"].values)
    assert np.allclose(ds["lat"].values, written["lat"].values)
    subset = open_meteonet_cloud_type(tmp_path / "ct.nc", time_slice=slice("2018-03-01T01:00", None))
    assert subset.sizes["time"] == 8


def test_windows_from_a_meteonet_file(tmp_path) -> None:
    """CloudWindows reads the mask CT > 5 of the right frames from the file."""
    written = _write(tmp_path / "ct.nc")
    windows = CloudWindows(open_meteonet_cloud_type(tmp_path / "ct.nc"), ("mask",))
    assert len(windows) == 12 - 10 + 1
    past, future = windows[2]
    assert past.shape == (6, 1, 8, 12) and future.shape == (4, 8, 12)
    assert np.array_equal(future.numpy() > 0.5, written["CT"].values[8:12] > 5)
    assert np.array_equal(past[:, 0].numpy() > 0, written["CT"].values[2:8] > 5)


def test_bad_files_are_named(tmp_path) -> None:
    """Each malformed file raises ValueError naming the file and the problem."""
    (tmp_path / "text.nc").write_text("not a netCDF file")
    with pytest.raises(ValueError, match="text.nc: not a readable netCDF"):
        open_meteonet_cloud_type(tmp_path / "text.nc")
    with pytest.raises(ValueError, match="no such file"):
        open_meteonet_cloud_type(tmp_path / "missing.nc")
    _write(tmp_path / "other.nc", name="cloud")
    with pytest.raises(ValueError, match="other.nc: no variable CT"):
        open_meteonet_cloud_type(tmp_path / "other.nc")
    _write(tmp_path / "float.nc", ct=np.zeros((12, 8, 12), np.float32))
    with pytest.raises(ValueError, match="uint8"):
        open_meteonet_cloud_type(tmp_path / "float.nc")
    _write(tmp_path / "dims.nc", dims=("time", "lon", "lat"))
    with pytest.raises(ValueError, match=r"\(time, lat, lon\)"):
        open_meteonet_cloud_type(tmp_path / "dims.nc")
    irregular = pd.DatetimeIndex(
        pd.date_range("2018-03-01", periods=12, freq="15min").to_numpy()[
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10]
        ]
    )
    _write(tmp_path / "order.nc", times=irregular)
    with pytest.raises(ValueError, match="order.nc: time step 10 -> 11"):
        open_meteonet_cloud_type(tmp_path / "order.nc")
    _write(tmp_path / "ten.nc", times=pd.date_range("2018-03-01", periods=12, freq="10min"))
    with pytest.raises(ValueError, match="multiples of 15 min"):
        open_meteonet_cloud_type(tmp_path / "ten.nc")


PUBLISHED_CT = Path(__file__).resolve().parent.parent / "data" / "meteonet" / "CT_NW_2016.nc"


def test_published_cloud_type_sample_opens() -> None:
    """MeteoNet's published sample (tests/data/meteonet/NOTICE.md): 9 frames of 188 × 261 on
    2016-01-01 from 00:00 to 02:15 UTC, the 01:15 frame missing, 16 cloud-type classes."""
    ds = open_meteonet_cloud_type(PUBLISHED_CT)
    assert dict(ds.sizes) == {"time": 9, "y": 188, "x": 261}
    steps = np.diff(ds["time"].values) / np.timedelta64(1, "m")
    assert steps.tolist() == [15, 15, 15, 15, 30, 15, 15, 15]
    ct = ds["CT"].values
    assert ct.dtype == np.uint8 and ct.max() <= 15
    assert ds["lat"].values[0] > ds["lat"].values[-1]  # north to south, as published


def test_windows_never_bridge_the_missing_frame_of_the_published_sample() -> None:
    """The real file's gap (01:00 → 01:30): a window of 4 frames starts at 00:00, 00:15 or
    01:30, never across the gap; each window's frames are 15 minutes apart."""
    ds = open_meteonet_cloud_type(PUBLISHED_CT)
    windows = CloudWindows(ds, n_past=2, n_leads=2)
    assert windows.starts.tolist() == [0, 1, 5]
    for start in windows.starts:
        times = ds["time"].values[start : start + 4]
        assert (np.diff(times) == np.timedelta64(15, "m")).all()
    past, future = windows[2]
    mask = ds["CT"].values > 5
    assert np.array_equal(past[:, 0].numpy() > 0, mask[5:7]) and np.array_equal(future.numpy() > 0, mask[7:9])
    assert CloudWindows(ds, n_past=2, n_leads=2, stride=2).starts.tolist() == [0]  # 2 and 4 cross it
    with pytest.raises(ValueError, match="no window of 4 \\+ 2 consecutive frames"):
        CloudWindows(ds, n_past=4, n_leads=2, stride=2)  # 0 → 5 and 2 → 7 both cross it
