"""Loaders for real tracking files, producing the trip Dataset of
:mod:`dlgd_course.trajectories.dataset`.

**BirdGAN CSV** (columns ``lon``, ``lat``, ``dive``, ``datetime``; the trips one after
another, as in the data of Roy et al., 2022). The file has no trip column, so trips are
separated by time: a new trip starts at a row whose ``datetime`` is *earlier* than the
previous row's (the next trip of another bird, recorded at another time) or more than
``max_gap`` later (the bird rested at the colony between two trips). An optional ``trip``
column, when present, is used instead.

**Movebank CSV** (columns ``timestamp``, ``location-long``, ``location-lat`` and a track id,
``trip-id`` if present, else ``individual-local-identifier``; an optional ``dive`` column).
Rows are grouped by id and sorted by time; when the id is an individual, its track is cut
into trips at gaps longer than ``max_gap``.

Malformed rows (wrong number of fields, a number or date that does not parse, a
coordinate out of range, a dive flag other than 0/1, a repeated time in a trip) raise
``ValueError`` naming the file line (the header is line 1).
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
            raise ValueError(
                f"{path}: empty file, expected a header with {list(required)}") from None
        missing = [name for name in required if name not in header]
        if missing:
            raise ValueError(f"{path}: missing column(s) {missing}; header is {header}")
        rows = []
        for line, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                raise ValueError(f"{path}, line {line}: {len(fields)} fields, header has "
                                 f"{len(header)}")
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
        raise ValueError(
            f"{path}, line {row['_line']}: {column}={row[column]!r} is not a number") from None
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(f"{path}, line {row['_line']}: {column}={value} outside [{low}, {high}]")
    return value


def _seconds(row: dict, column: str, path: str | Path) -> float:
    try:
        stamp = pd.Timestamp(row[column])
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ValueError(f"{path}, line {row['_line']}: {column}={row[column]!r} is not a "
                         "date-time")
    return stamp.value / 1e9


def _dive(row: dict, path: str | Path) -> int:
    text = row["dive"].strip().lower()
    flags = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}
    if text not in flags:
        raise ValueError(f"{path}, line {row['_line']}: dive={row['dive']!r} must be 0 or 1")
    return flags[text]


def _parse(rows: list[dict], path: str | Path, lon: str, lat: str, time: str,
           has_dive: bool) -> dict[str, np.ndarray]:
    return {
        "lon": np.array([_number(r, lon, path, -180.0, 180.0) for r in rows]),
        "lat": np.array([_number(r, lat, path, -90.0, 90.0) for r in rows]),
        "time": np.array([_seconds(r, time, path) for r in rows]),
        "dive": np.array([_dive(r, path) if has_dive else 0 for r in rows]),
        "line": np.array([r["_line"] for r in rows]),
    }


def _cut(values: dict[str, np.ndarray], starts: np.ndarray, path: str | Path, prefix: str,
         species: str) -> list[RawTrack]:
    """Cut parsed columns into tracks at the row indices ``starts`` (first is 0)."""
    bounds = np.append(starts, values["time"].size)
    tracks = []
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        time = values["time"][a:b]
        if b - a < 2:
            raise ValueError(f"{path}, line {values['line'][a]}: trip {prefix}{k} has a single "
                             "fix; a trip needs at least two")
        repeated = np.flatnonzero(np.diff(time) <= 0)
        if repeated.size:
            raise ValueError(f"{path}, line {values['line'][a + repeated[0] + 1]}: time does "
                             "not increase within the trip")
        tracks.append(RawTrack(trip_id=f"{prefix}{k}", time=time, lon=values["lon"][a:b],
                               lat=values["lat"][a:b], dive=values["dive"][a:b],
                               species=species))
    return tracks


def _gap_starts(time: np.ndarray, max_gap_s: float) -> np.ndarray:
    step = np.diff(time)
    return np.concatenate([[0], np.flatnonzero((step < 0) | (step > max_gap_s)) + 1])


def read_birdgan_csv(path: str | Path, n_steps: int = 200, species: str = "unknown",
                     colony: tuple[float, float] | None = None,
                     max_gap: float = 1800.0) -> xr.Dataset:
    """Read a BirdGAN CSV (``lon, lat, dive, datetime``) into the trip Dataset.

    Trip separation (module docstring): at a backwards jump in time or a gap longer than
    ``max_gap`` seconds, or by the ``trip`` column when there is one. ``colony`` (lon, lat)
    defaults to the first fix of each trip.
    """
    rows, header = _read_rows(path, BIRDGAN_COLUMNS)
    values = _parse(rows, path, "lon", "lat", "datetime", has_dive=True)
    if "trip" in header:
        labels = np.array([r["trip"] for r in rows])
        starts = np.concatenate([[0], np.flatnonzero(labels[1:] != labels[:-1]) + 1])
    else:
        starts = _gap_starts(values["time"], max_gap)
    tracks = _cut(values, starts, path, "trip-", species)
    return tracks_to_dataset(tracks, n_steps=n_steps, colony=colony,
                             attrs={"source": str(path), "format": "birdgan",
                                    "max_gap_s": max_gap})


def read_movebank_csv(path: str | Path, n_steps: int = 200, species: str = "unknown",
                      colony: tuple[float, float] | None = None, max_gap: float = 1800.0,
                      id_column: str | None = None) -> xr.Dataset:
    """Read a Movebank CSV (``timestamp, location-long, location-lat`` and an id column)
    into the trip Dataset. ``id_column`` defaults to ``trip-id`` when present, else
    ``individual-local-identifier`` (whose tracks are cut at gaps > ``max_gap`` seconds)."""
    rows, header = _read_rows(path, MOVEBANK_COLUMNS)
    if id_column is None:
        id_column = next((c for c in ("trip-id", "individual-local-identifier") if c in header),
                         None)
        if id_column is None:
            raise ValueError(f"{path}: missing id column 'trip-id' or "
                             f"'individual-local-identifier'; header is {header}")
    elif id_column not in header:
        raise ValueError(f"{path}: missing id column {id_column!r}; header is {header}")
    values = _parse(rows, path, "location-long", "location-lat", "timestamp",
                    has_dive="dive" in header)
    ids = np.array([r[id_column] for r in rows])
    tracks = []
    for ident in dict.fromkeys(ids):  # ids in order of first appearance
        index = np.flatnonzero(ids == ident)
        index = index[np.argsort(values["time"][index], kind="stable")]
        part = {name: column[index] for name, column in values.items()}
        starts = (np.array([0]) if id_column == "trip-id"
                  else np.concatenate([[0], np.flatnonzero(np.diff(part["time"]) > max_gap) + 1]))
        tracks += _cut(part, starts, path, f"{ident}-", species)
    return tracks_to_dataset(tracks, n_steps=n_steps, colony=colony,
                             attrs={"source": str(path), "format": "movebank",
                                    "id_column": id_column, "max_gap_s": max_gap})
