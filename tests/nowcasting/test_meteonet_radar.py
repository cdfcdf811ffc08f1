"""MeteoNet's rain radar (open_meteonet_rainfall) on the published sample of the north-western
zone, 21–31 August 2016 (tests/data/meteonet/NOTICE.md), and on crafted bad archives."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dlgd_course.nowcasting import open_meteonet_rainfall

SAMPLES = Path(__file__).parents[1] / "data" / "meteonet"
RAINFALL, COORDS = SAMPLES / "rainfall_NW_2016_08.3.npz", SAMPLES / "radar_coords_NW.npz"


def test_published_rainfall_sample() -> None:
    ds = open_meteonet_rainfall(RAINFALL, COORDS)
    assert ds["rainfall"].dims == ("time", "y", "x") and ds["rainfall"].shape == (45, 565, 784)
    # MeteoNet: a file covers its 10 or 11 days at one scan every 5 minutes; the scans without
    # a map are listed apart. Both together are the whole period, each scan once.
    every_scan = np.arange("2016-08-21T00:00", "2016-09-01T00:00", 5, dtype="datetime64[m]")
    present, missing = ds["time"].values.astype("datetime64[m]"), ds["missing_times"].values
    assert (present.size, missing.size) == (45, 3123)
    np.testing.assert_array_equal(
        np.sort(np.concatenate([present, missing.astype("datetime64[m]")])), every_scan
    )
    assert str(present[0]) == "2016-08-21T00:10"
    # Pixel centres every 0.01° from 51.891°N, 5.837°W.
    assert ds["lat"].values[0, 0] == pytest.approx(51.891) and ds["lon"].values[0, 0] == pytest.approx(-5.837)
    assert np.diff(ds["lon"].values[0]).mean() == pytest.approx(0.01, abs=1e-6)
    # Hundredths of a millimetre, -1 where missing: the trusted sample read by NumPy itself.
    with np.load(RAINFALL, allow_pickle=True) as raw:
        data = raw["data"]
    rainfall = ds["rainfall"].values
    np.testing.assert_array_equal(np.isnan(rainfall), data == -1)
    np.testing.assert_allclose(rainfall[data >= 0], data[data >= 0] / 100.0, rtol=1e-6)
    assert 0.0 < np.isnan(rainfall).mean() < 0.5 and np.nanmax(rainfall) > 1.0


def write_npz(path: Path, arrays: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in arrays.items():
            archive.writestr(f"{name}.npy", payload)
    return path


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


class Planted:
    """Unpickling it would create a file (what a crafted archive could do with plain np.load)."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (str(self.target),))


def test_dates_are_unpickled_safely(tmp_path: Path) -> None:
    target = tmp_path / "planted"
    with zipfile.ZipFile(RAINFALL) as published:
        arrays = {name.removesuffix(".npy"): published.read(name) for name in published.namelist()}
    arrays["dates"] = npy(np.array([Planted(target)] * 45, dtype=object))
    crafted = write_npz(tmp_path / "crafted.npz", arrays)
    with pytest.raises(ValueError, match="'dates' is not an array of dates.*posix.mkdir"):
        open_meteonet_rainfall(crafted, COORDS)
    assert not target.exists(), "the crafted pickle ran"
    with np.load(crafted, allow_pickle=True) as plain:  # what the guard prevents
        plain["dates"]
    assert target.is_dir(), "the crafted archive is not a real attack (plain NumPy did not run it)"


def test_bad_radar_archives(tmp_path: Path) -> None:
    with zipfile.ZipFile(RAINFALL) as published:
        arrays = {name.removesuffix(".npy"): published.read(name) for name in published.namelist()}
    not_zip = tmp_path / "not.npz"
    not_zip.write_text("rain")
    with pytest.raises(ValueError, match="not a NumPy .npz archive"):
        open_meteonet_rainfall(not_zip, COORDS)
    with pytest.raises(ValueError, match="no array 'miss_dates'"):
        open_meteonet_rainfall(
            write_npz(tmp_path / "a.npz", {k: arrays[k] for k in ("data", "dates")}), COORDS
        )
    short = {**arrays, "data": npy(np.zeros((44, 565, 784), np.int16))}
    with pytest.raises(ValueError, match="44 maps but 45 dates"):
        open_meteonet_rainfall(write_npz(tmp_path / "b.npz", short), COORDS)
    negative = {**arrays, "data": npy(np.full((45, 565, 784), -2, np.int16))}
    with pytest.raises(ValueError, match="below -1"):
        open_meteonet_rainfall(write_npz(tmp_path / "c.npz", negative), COORDS)
    with pytest.raises(ValueError, match="do not match the maps"):
        small = {"lats": npy(np.zeros((10, 10))), "lons": npy(np.zeros((10, 10)))}
        open_meteonet_rainfall(RAINFALL, write_npz(tmp_path / "coords.npz", small))
    with pytest.raises(ValueError, match="both in dates and in miss_dates"):
        both = {**arrays, "miss_dates": arrays["dates"]}
        open_meteonet_rainfall(write_npz(tmp_path / "d.npz", both), COORDS)
