"""Loaders of the BirdGAN CSV layout and of Movebank CSV files.

The BirdGAN repository (Roy et al. 2022, github.com/AmedeeRoy/BirdGAN, ``data/``) states no
licence, so its files are not shipped: ``birdgan_published_format`` writes files in exactly
their format (one per species, ``trip,lon,lat,dive,datetime``, trip names such as
``P1108_12_SV_T1``, full-precision floats, ``dive`` a probability in [0, 1] down to 1e-81,
fixes every minute (SV) or five minutes (SD, SS)), with other values. The loader was also run
on the three published files: 78, 50 and 31 trips, every row read.
"""

import numpy as np
import pandas as pd
import pytest

from dlgd_course.trajectories import read_birdgan_csv, read_movebank_csv, simulate_trips


def _trip_rows(start: str, lon0: float, n: int, dive_at: int) -> list[str]:
    times = pd.date_range(start, periods=n, freq="1min")
    lon = lon0 + 0.01 * np.sin(np.linspace(0, np.pi, n))
    return [
        f"{lo:.6f},{-3.85 + 0.001 * k:.6f},{int(k == dive_at)},{t:%Y-%m-%d %H:%M:%S}"
        for k, (lo, t) in enumerate(zip(lon, times, strict=True))
    ]


@pytest.fixture
def birdgan_file(tmp_path):
    rows = (
        _trip_rows("2021-05-01 08:00", -32.42, 30, 10)
        + _trip_rows("2021-05-01 14:00", -32.42, 20, 5)  # 5 h gap: new trip
        + _trip_rows("2021-04-28 09:00", -32.42, 25, 3)
    )  # earlier date: new trip
    path = tmp_path / "trips.csv"
    path.write_text("lon,lat,dive,datetime\n" + "\n".join(rows) + "\n")
    return path


def test_birdgan_trips_separated_by_gaps_and_time_reversals(birdgan_file):
    ds = read_birdgan_csv(birdgan_file, n_steps=16, species="sula_sula")
    assert ds.sizes == {"trip": 3, "step": 16}
    np.testing.assert_array_equal(ds["n_fixes"].values, [30, 20, 25])
    np.testing.assert_allclose(ds["duration"].values, np.array([29, 19, 24]) / 60)
    assert ds["dive"].values.sum(axis=1).tolist() == [1, 1, 1]
    np.testing.assert_allclose(ds["x"].values[:, 0], 0.0, atol=1e-9)  # colony = first fix
    assert (ds["species"] == "sula_sula").all()


def test_birdgan_round_trip_of_a_synthetic_trip(tmp_path):
    """Writing synthetic trips (200 steps) and reading them back at 200 steps keeps them."""
    trips = simulate_trips("peru", n_trips=3, seed=0)
    lines = ["lon,lat,dive,datetime"]
    t0 = pd.Timestamp("2020-01-01")
    for i in range(3):
        start = t0 + pd.Timedelta(days=i)
        for k in range(200):
            t = start + pd.Timedelta(seconds=float(trips["time"][i, k]))
            lines.append(
                f"{float(trips['lon'][i, k]):.9f},{float(trips['lat'][i, k]):.9f},"
                f"{int(trips['dive'][i, k])},{t.isoformat()}"
            )
    path = tmp_path / "synthetic.csv"
    path.write_text("\n".join(lines))
    ds = read_birdgan_csv(path, colony=(-77.26, -11.77))
    np.testing.assert_allclose(ds["x"].values, trips["x"].values, atol=1e-3)
    np.testing.assert_array_equal(ds["dive"].values, trips["dive"].values)
    np.testing.assert_allclose(ds["duration"].values, trips["duration"].values, rtol=1e-6)


@pytest.mark.parametrize(
    "bad_row, message",
    [
        ("abc,-3.85,0,2021-05-01 08:30:00", "line 5: lon='abc' is not a number"),
        ("-32.4,95.0,0,2021-05-01 08:30:00", "line 5: lat=95.0 outside"),
        ("-32.4,-3.85,2,2021-05-01 08:30:00", r"line 5: dive='2' must be a flag \(0 or 1\) or a probability"),
        ("-32.4,-3.85,nan,2021-05-01 08:30:00", "line 5: dive='nan' must be a flag"),
        ("-32.4,-3.85,0,yesterday", "line 5: datetime='yesterday' is not a date-time"),
        ("-32.4,-3.85,0", "line 5: 3 fields, header has 4"),
        ("-32.4,-3.85,0,2021-05-01 08:02:00", "line 5: time does not increase"),
    ],
)
def test_birdgan_malformed_row_is_named(tmp_path, bad_row, message):
    rows = (
        _trip_rows("2021-05-01 08:00", -32.42, 3, 1)
        + [bad_row]
        + _trip_rows("2021-05-01 08:31", -32.40, 3, 1)
    )
    path = tmp_path / "bad.csv"
    path.write_text("lon,lat,dive,datetime\n" + "\n".join(rows))
    with pytest.raises(ValueError, match=message):
        read_birdgan_csv(path)


def test_birdgan_missing_column_and_single_fix_trip(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("lon,lat,datetime\n-32.4,-3.8,2021-05-01 08:00\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['dive'\]"):
        read_birdgan_csv(path)
    path.write_text(
        "lon,lat,dive,datetime\n"
        + "\n".join(_trip_rows("2021-05-01 08:00", -32.42, 3, 1) + ["-32.4,-3.8,0,2021-05-02 08:00"])
    )
    with pytest.raises(ValueError, match="line 5: trip trip-1 has a single fix"):
        read_birdgan_csv(path)


def test_movebank_individuals_cut_at_gaps_and_trip_ids(tmp_path):
    header = "event-id,timestamp,location-long,location-lat,individual-local-identifier"
    lines = [header]
    for bird, day in (("b1", 1), ("b2", 1), ("b1", 2)):
        for k in range(12):
            lines.append(
                f"{len(lines)},2021-05-0{day} 0{k // 6 + 6}:{(k % 6) * 10:02d}:00.000,"
                f"{-77.26 + 0.01 * k},{-11.77},{bird}"
            )
    path = tmp_path / "mb.csv"
    path.write_text("\n".join(lines))
    ds = read_movebank_csv(path, n_steps=8, colony=(-77.26, -11.77))
    assert list(ds["trip"].values) == ["b1-0", "b1-1", "b2-0"]
    assert ds["dive"].values.sum() == 0
    np.testing.assert_allclose(ds["duration"].values, 110 / 60)
    np.testing.assert_allclose(
        ds["x"].values[:, -1], 0.11 * 6371 * np.pi / 180 * np.cos(np.deg2rad(-11.77)), rtol=1e-9
    )
    trip_ids = path.read_text().replace("individual-local-identifier", "trip-id")
    path.write_text(trip_ids)
    assert read_movebank_csv(path, n_steps=8).sizes["trip"] == 2  # one trip per id: no cutting


def test_movebank_errors(tmp_path):
    path = tmp_path / "mb.csv"
    path.write_text("timestamp,location-long,location-lat\n2021-01-01 00:00,1,2\n")
    with pytest.raises(ValueError, match="missing id column"):
        read_movebank_csv(path)
    path.write_text(
        "timestamp,location-long,location-lat,trip-id\n2021-01-01 00:00,1,2,a\n2021-01-01 00:01,,2,a\n"
    )
    with pytest.raises(ValueError, match="line 3: location-long='' is not a number"):
        read_movebank_csv(path)


SPECIES_FILES = {  # file of the BirdGAN repository → (trip-name prefix, minutes between fixes)
    "trips_SV_200_steps.csv": ("P1108", 1),
    "trips_SD_200_steps.csv": ("F0417", 5),
    "trips_SS_200_steps.csv": ("F0915", 5),
}


@pytest.fixture
def birdgan_published_format(tmp_path):
    """One file per species in the published format, and each file's rows as numbers."""
    rng = np.random.default_rng(7)
    written = {}
    for name, (prefix, minutes) in SPECIES_FILES.items():
        lines, rows = ["trip,lon,lat,dive,datetime"], []
        for k, n in enumerate((40, 25, 33)):
            trip = f"{prefix}_{k + 9}_{name[6:8]}_T{k % 2 + 1}"
            times = pd.date_range(f"2017-04-2{k} 05:35:00", periods=n, freq=f"{minutes}min")
            lon = -32.38 + np.cumsum(rng.normal(0, 0.01, n))
            lat = -3.81 + np.cumsum(rng.normal(0, 0.01, n))
            dive = rng.beta(0.3, 2.0, n)
            dive[n // 2] = 1.2830598417677405e-81  # as small as the published ones go
            for t, lo, la, d in zip(times, lon, lat, dive, strict=True):
                lines.append(f"{trip},{float(lo)!r},{float(la)!r},{float(d)!r},{t:%Y-%m-%d %H:%M:%S}")
                rows.append((trip, d))
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n")
        written[path] = rows
    return written


def test_birdgan_published_format_reads_every_species(birdgan_published_format):
    """Trips named by the ``trip`` column, dive probabilities counted from 0.5 on (a step bin
    is a dive if a fix in it has probability >= 0.5), every fix read."""
    for path, rows in birdgan_published_format.items():
        ds = read_birdgan_csv(path, n_steps=20, species=path.stem[6:8])
        names = list(dict.fromkeys(trip for trip, _ in rows))
        assert ds["trip"].values.tolist() == names
        assert ds["n_fixes"].values.tolist() == [sum(t == name for t, _ in rows) for name in names]
        dives_per_trip = [sum(d >= 0.5 for t, d in rows if t == name) for name in names]
        assert (ds["dive"].values.sum(axis=1) <= dives_per_trip).all()
        assert ((ds["dive"].values.sum(axis=1) > 0) == (np.array(dives_per_trip) > 0)).all()
        assert ds.attrs["dive_threshold"] == 0.5


def test_birdgan_dive_threshold(birdgan_published_format):
    path, rows = next(iter(birdgan_published_format.items()))
    every_fix = read_birdgan_csv(path, n_steps=200, dive_threshold=1e-90)  # every fix a dive
    assert every_fix["dive"].values.any()
    strict = read_birdgan_csv(path, n_steps=200, dive_threshold=1.0)
    assert not strict["dive"].values.any()  # no published probability reaches 1
    for bad in (0.0, 1.5, float("nan")):
        with pytest.raises(ValueError, match="dive_threshold must be in"):
            read_birdgan_csv(path, dive_threshold=bad)


def test_birdgan_trip_rows_must_be_together(tmp_path):
    lines = ["trip,lon,lat,dive,datetime"]
    for trip, start in (("A_T1", "08:00"), ("B_T1", "09:00"), ("A_T1", "10:00")):
        for k in range(3):
            lines.append(f"{trip},-32.4,{-3.8 - 0.01 * k},0.1,2021-05-01 {start[:3]}{k:02d}:00")
    path = tmp_path / "split.csv"
    path.write_text("\n".join(lines))
    with pytest.raises(ValueError, match="line 8: trip 'A_T1' appears again after another trip"):
        read_birdgan_csv(path)
