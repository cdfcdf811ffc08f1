"""Loaders for real tracking files, producing the trip Dataset of
:mod:`dlgd_course.trajectories.dataset`.

**BirdGAN CSV**, as published with Roy et al. (2022) (``data/trips_SV_200_steps.csv``,
``trips_SD_…``, ``trips_SS_…``: one file per species): columns ``trip, lon, lat, dive,
datetime``, the trips one after another, ``datetime`` as ``YYYY-MM-DD HH:MM:SS`` and ``dive``
the *probability* of a dive in [0, 1] (the output of a dive detector), which counts as a dive
from ``dive_threshold`` (0.5) on; 0/1 flags are read as they are. The ``trip`` column names the
trips (its values become the ``trip_id``). Without it, trips are separated by time: a new
trip starts at a row whose ``datetime`` is *earlier* than the previous row's (the next trip
of another bird, recorded at another time) or more than ``max_gap`` later (the bird rested
at the colony between two trips).

**Movebank CSV** (columns ``timestamp``, ``location-long``, ``location-lat`` and a track id,
``trip-id`` if present, else ``individual-local-identifier``; an optional ``dive`` column).
Rows are grouped by id and sorted by time; when the id is an individual, its track is cut
into trips at gaps longer than ``max_gap``.

Malformed rows (wrong number of fields, a number or date that does not parse, a
coordinate out of range, a dive that is neither a 0/1 flag nor a probability in [0, 1], a
repeated time in a trip) raise ``ValueError`` naming the file line (the header is line 1).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from dlgd_course.trajectories.dataset import RawTrack, tracks_to_dataset

BIRDGAN_COLUMNS = ("lon", "lat", "dive", "datetime")
MOVEBANK_COLUMNS = ("timestamp", "location-long", "location-lat")


def _read_rows(path: str | Path, required: Sequence[str]) -> tuple[list[dict], list[str]]:
    """Rows of a CSV file as dicts with their line number under key ``"_line"``."""
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ValueError(f"{path}: empty file, expected a header with {list(required)}") from None
        missing = [name for name in required if name not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {missing}; header is {header}")
        rows = []
        for line, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                raise ValueError(f"{path}, line {line}: {len(fields)} fields, header has {len(header)}")
            row = dict(zip(header, (f.strip() for f in fields), strict=True))
            row["_line"] = line
            rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no data rows")
    return rows, header


def _number(row: dict, column: str, path: str | Path, low: float, high: float) -> float:
    try:
        value = float(row[column])
    except ValueError:
        raise ValueError(f"{path}, line {row['_line']}: {column}={row[column]!r} is not a number") from None
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(f"{path}, line {row['_line']}: {column}={value} outside [{low}, {high}]")
    return value


def _seconds(row: dict, column: str, path: str | Path) -> float:
    try:
        stamp = pd.Timestamp(row[column])
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ValueError(f"{path}, line {row['_line']}: {column}={row[column]!r} is not a date-time")
    return stamp.value / 1e9


def _dive(row: dict, path: str | Path, threshold: float) -> int:
    """1 for a dive: a flag (``0``/``1``, ``true``/``false``) or a probability ≥ ``threshold``."""
    text = row["dive"].strip().lower()
    flags = {"false": 0, "true": 1}
    if text in flags:
        return flags[text]
    try:
        probability = float(text)
    except ValueError:
        probability = float("nan")
    if not 0.0 <= probability <= 1.0:  # also NaN
        raise ValueError(
            f"{path}, line {row['_line']}: dive={row['dive']!r} must be a flag (0 or 1) "
            "or a probability in [0, 1]"
        )
    return int(probability >= threshold)


def _check_threshold(dive_threshold: float) -> None:
    if not 0.0 < dive_threshold <= 1.0:
        raise ValueError(f"dive_threshold must be in (0, 1], got {dive_threshold!r}")


def _parse(
    rows: list[dict], path: str | Path, lon: str, lat: str, time: str, has_dive: bool, dive_threshold: float
) -> dict[str, np.ndarray]:
    return {
        "lon": np.array([_number(r, lon, path, -180.0, 180.0) for r in rows]),
        "lat": np.array([_number(r, lat, path, -90.0, 90.0) for r in rows]),
        "time": np.array([_seconds(r, time, path) for r in rows]),
        "dive": np.array([_dive(r, path, dive_threshold) if has_dive else 0 for r in rows]),
        "line": np.array([r["_line"] for r in rows]),
    }


def _cut(
    values: dict[str, np.ndarray],
    starts: np.ndarray,
    path: str | Path,
    prefix: str,
    species: str,
    names: Sequence[str] | None = None,
) -> list[RawTrack]:
    """Cut parsed columns into tracks at the row indices ``starts`` (first is 0), named
    ``names`` (one per track) or ``prefix`` and their number."""
    bounds = np.append(starts, values["time"].size)
    tracks = []
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        trip_id = names[k] if names is not None else f"{prefix}{k}"
        time = values["time"][a:b]
        if b - a < 2:
            raise ValueError(
                f"{path}, line {values['line'][a]}: trip {trip_id} has a single "
                "fix; a trip needs at least two"
            )
        repeated = np.flatnonzero(np.diff(time) <= 0)
        if repeated.size:
            raise ValueError(
                f"{path}, line {values['line'][a + repeated[0] + 1]}: time does not increase within the trip"
            )
        tracks.append(
            RawTrack(
                trip_id=trip_id,
                time=time,
                lon=values["lon"][a:b],
                lat=values["lat"][a:b],
                dive=values["dive"][a:b],
                species=species,
            )
        )
    return tracks


def _gap_starts(time: np.ndarray, max_gap_s: float) -> np.ndarray:
    step = np.diff(time)
    return np.concatenate([[0], np.flatnonzero((step < 0) | (step > max_gap_s)) + 1])


def read_birdgan_csv(
    path: str | Path,
    n_steps: int = 200,
    species: str = "unknown",
    colony: tuple[float, float] | None = None,
    max_gap: float = 1800.0,
    dive_threshold: float = 0.5,
) -> xr.Dataset:
    """Read a BirdGAN CSV (``trip, lon, lat, dive, datetime``; ``trip`` optional) into the
    trip Dataset.

    Trips (module docstring): by the ``trip`` column, whose values name them, or else at a
    backwards jump in time or a gap longer than ``max_gap`` seconds. A ``dive`` probability
    (the published files) counts as a dive from ``dive_threshold`` on; 0/1 flags are kept.
    ``colony`` (lon, lat) defaults to the first fix of each trip.
    """
    _check_threshold(dive_threshold)
    rows, header = _read_rows(path, BIRDGAN_COLUMNS)
    values = _parse(rows, path, "lon", "lat", "datetime", has_dive=True, dive_threshold=dive_threshold)
    names = None
    if "trip" in header:
        labels = np.array([r["trip"] for r in rows])
        starts = np.concatenate([[0], np.flatnonzero(labels[1:] != labels[:-1]) + 1])
        names = [str(labels[start]) for start in starts]
        seen: set[str] = set()
        for name, start in zip(names, starts, strict=True):
            if name in seen:
                raise ValueError(
                    f"{path}, line {rows[start]['_line']}: trip {name!r} appears again "
                    "after another trip; the rows of a trip must be together"
                )
            seen.add(name)
    else:
        starts = _gap_starts(values["time"], max_gap)
    tracks = _cut(values, starts, path, "trip-", species, names)
    return tracks_to_dataset(
        tracks,
        n_steps=n_steps,
        colony=colony,
        attrs={
            "source": str(path),
            "format": "birdgan",
            "max_gap_s": max_gap,
            "dive_threshold": dive_threshold,
        },
    )


def read_movebank_csv(
    path: str | Path,
    n_steps: int = 200,
    species: str = "unknown",
    colony: tuple[float, float] | None = None,
    max_gap: float = 1800.0,
    id_column: str | None = None,
    dive_threshold: float = 0.5,
) -> xr.Dataset:
    """Read a Movebank CSV (``timestamp, location-long, location-lat`` and an id column)
    into the trip Dataset. ``id_column`` defaults to ``trip-id`` when present, else
    ``individual-local-identifier`` (whose tracks are cut at gaps > ``max_gap`` seconds).
    An optional ``dive`` column holds flags or probabilities (a dive from ``dive_threshold``)."""
    _check_threshold(dive_threshold)
    rows, header = _read_rows(path, MOVEBANK_COLUMNS)
    if id_column is None:
        id_column = next((c for c in ("trip-id", "individual-local-identifier") if c in header), None)
        if id_column is None:
            raise ValueError(
                f"{path}: missing id column 'trip-id' or 'individual-local-identifier'; header is {header}"
            )
    elif id_column not in header:
        raise ValueError(f"{path}: missing id column {id_column!r}; header is {header}")
    values = _parse(
        rows,
        path,
        "location-long",
        "location-lat",
        "timestamp",
        has_dive="dive" in header,
        dive_threshold=dive_threshold,
    )
    ids = np.array([r[id_column] for r in rows])
    tracks = []
    for ident in dict.fromkeys(ids):  # ids in order of first appearance
        index = np.flatnonzero(ids == ident)
        index = index[np.argsort(values["time"][index], kind="stable")]
        part = {name: column[index] for name, column in values.items()}
        starts = (
            np.array([0])
            if id_column == "trip-id"
            else np.concatenate([[0], np.flatnonzero(np.diff(part["time"]) > max_gap) + 1])
        )
        tracks += _cut(part, starts, path, f"{ident}-", species)
    return tracks_to_dataset(
        tracks,
        n_steps=n_steps,
        colony=colony,
        attrs={
            "source": str(path),
            "format": "movebank",
            "id_column": id_column,
            "max_gap_s": max_gap,
            "dive_threshold": dive_threshold,
        },
    )


def write_birdgan_csv(
    ds: xr.Dataset,
    path: str | Path,
    start: str = "2017-04-26 05:35:00",
    dive_probability: np.ndarray | None = None,
) -> Path:
    """Write trips in the BirdGAN CSV format (``trip, lon, lat, dive, datetime``, module
    docstring), one row per step, e.g. test fixtures of the published format.

    Trip ``i`` starts ``i`` days after ``start``, its steps at ``ds["time"]`` (s). ``dive`` is
    ``dive_probability`` (trip, step) in [0, 1] when given (the published files hold the
    probabilities of a dive detector), else the 0/1 flags of ``ds``."""
    dive = ds["dive"].values if dive_probability is None else np.asarray(dive_probability, float)
    if dive.shape != ds["dive"].shape or not np.all((dive >= 0) & (dive <= 1)):
        raise ValueError(f"dive_probability must lie in [0, 1] with shape {ds['dive'].shape}")
    origin = pd.Timestamp(start)
    frames = [
        pd.DataFrame(
            {
                "trip": str(trip),
                "lon": ds["lon"].values[i],
                "lat": ds["lat"].values[i],
                "dive": dive[i],
                "datetime": (
                    origin + pd.Timedelta(days=i) + pd.to_timedelta(ds["time"].values[i], unit="s")
                ).strftime("%Y-%m-%d %H:%M:%S"),
            }
        )
        for i, trip in enumerate(ds["trip"].values)
    ]
    pd.concat(frames).to_csv(path, index=False)
    return Path(path)
