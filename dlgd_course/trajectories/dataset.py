"""The common ``xarray.Dataset`` of foraging trips, built from raw tracks.

Layout (``n`` trips, ``n_steps`` resampled steps):

* ``lon``, ``lat`` (trip, step): degrees east / north;
* ``x``, ``y`` (trip, step): km east / north of the colony (local equirectangular
  projection around the colony, :func:`to_local`);
* ``dive`` (trip, step): 1 if a dive was recorded in the step's time bin, else 0 (int8);
* ``time`` (trip, step): seconds since the start of the trip;
* ``duration`` (trip): hours; ``n_fixes`` (trip): raw fixes; ``species`` (trip): label;
  ``colony_lon``, ``colony_lat`` (trip): degrees;
* coordinate ``trip``: a string id per trip.

Each trip is resampled by linear interpolation in time to ``n_steps`` equally spaced times
from its first to its last fix, as BirdGAN resamples every trip to a fixed length
(Roy et al., 2022).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from dlgd_course.own_work import guard_answer

EARTH_RADIUS_KM = 6371.0


@dataclass
class RawTrack:
    """One trip as recorded: times (s, increasing), lon/lat (deg), dive flags (0/1)."""

    trip_id: str
    time: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    dive: np.ndarray
    species: str = "unknown"


def to_local(
    lon: np.ndarray, lat: np.ndarray, colony_lon: float, colony_lat: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection: ``x = R (lon - lon0) cos(lat0)``, ``y = R (lat - lat0)``,
    angles in radians, ``R`` = 6371 km; returns km (accurate to < 1 % within 200 km)."""
    scale = np.pi / 180.0 * EARTH_RADIUS_KM
    x = (np.asarray(lon) - colony_lon) * scale * np.cos(np.deg2rad(colony_lat))
    y = (np.asarray(lat) - colony_lat) * scale
    return x, y


def from_local(
    x: np.ndarray, y: np.ndarray, colony_lon: float, colony_lat: float
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_local`: km east/north of the colony -> lon/lat in degrees."""
    scale = np.pi / 180.0 * EARTH_RADIUS_KM
    lon = colony_lon + np.asarray(x) / (scale * np.cos(np.deg2rad(colony_lat)))
    lat = colony_lat + np.asarray(y) / scale
    return lon, lat


def resample_track(track: RawTrack, n_steps: int) -> dict[str, np.ndarray]:
    """Resample one track to ``n_steps`` equally spaced times (linear interpolation of
    lon/lat); the dive flag of step ``i`` is 1 if any raw dive falls in its time bin
    (bins bounded by the midpoints between resampled times)."""
    if n_steps < 2:
        raise ValueError(f"n_steps must be >= 2, got {n_steps}")
    if track.time.size < 2:
        raise ValueError(f"trip {track.trip_id!r} has {track.time.size} fix(es); need >= 2")
    if np.any(np.diff(track.time) <= 0):
        raise ValueError(f"trip {track.trip_id!r}: times must be strictly increasing")
    t = track.time - track.time[0]
    new_t = np.linspace(0.0, t[-1], n_steps)
    lon = np.interp(new_t, t, track.lon)
    lat = np.interp(new_t, t, track.lat)
    edges = np.concatenate([[-np.inf], 0.5 * (new_t[1:] + new_t[:-1]), [np.inf]])
    counts, _ = np.histogram(t[np.asarray(track.dive) > 0], bins=edges)
    return {"time": new_t, "lon": lon, "lat": lat, "dive": (counts > 0).astype(np.int8)}


def tracks_to_dataset(
    tracks: Sequence[RawTrack],
    n_steps: int = 200,
    colony: tuple[float, float] | Sequence[tuple[float, float]] | None = None,
    attrs: dict | None = None,
) -> xr.Dataset:
    """Resample raw tracks into the trip Dataset (layout in the module docstring).

    ``colony`` is one (lon, lat) for all trips, one per trip, or None: then the colony of
    each trip is its first fix (a central-place trip starts at the colony).
    """
    if len(tracks) == 0:
        raise ValueError("no trips to put into the dataset")
    if colony is None:
        colonies = [(float(t.lon[0]), float(t.lat[0])) for t in tracks]
    elif len(colony) == 2 and np.isscalar(colony[0]):
        colonies = [(float(colony[0]), float(colony[1]))] * len(tracks)
    else:
        colonies = [(float(c[0]), float(c[1])) for c in colony]
        if len(colonies) != len(tracks):
            raise ValueError(f"got {len(colonies)} colonies for {len(tracks)} trips")
    fields = {name: [] for name in ("time", "lon", "lat", "dive", "x", "y")}
    for track, (lon0, lat0) in zip(tracks, colonies, strict=True):
        sample = resample_track(track, n_steps)
        x, y = to_local(sample["lon"], sample["lat"], lon0, lat0)
        for name, value in (*sample.items(), ("x", x), ("y", y)):
            fields[name].append(value)
    pair = ("trip", "step")
    data = {name: (pair, np.stack(values)) for name, values in fields.items()}
    data["duration"] = ("trip", np.array([t.time[-1] - t.time[0] for t in tracks]) / 3600.0)
    data["n_fixes"] = ("trip", np.array([t.time.size for t in tracks]))
    data["species"] = ("trip", np.array([t.species for t in tracks]))
    data["colony_lon"] = ("trip", np.array([c[0] for c in colonies]))
    data["colony_lat"] = ("trip", np.array([c[1] for c in colonies]))
    ds = xr.Dataset(
        data,
        coords={"trip": [t.trip_id for t in tracks], "step": np.arange(n_steps)},
        attrs=dict(attrs or {}),
    )
    ds["x"].attrs["units"] = ds["y"].attrs["units"] = "km"
    ds["time"].attrs["units"] = "s"
    ds["duration"].attrs["units"] = "h"
    ds.attrs["n_steps"] = n_steps
    return ds


def split_trips(ds: xr.Dataset, test_fraction: float = 0.25, seed: int = 0) -> tuple[xr.Dataset, xr.Dataset]:
    """Random split into (train, held-out test) trips, stratified by species."""
    guard_answer()
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    test = np.zeros(ds.sizes["trip"], dtype=bool)
    for name in np.unique(ds["species"].values):
        index = np.flatnonzero(ds["species"].values == name)
        n_test = max(1, int(round(test_fraction * index.size)))
        if n_test >= index.size:
            raise ValueError(f"species {name!r} has too few trips ({index.size}) to split")
        test[rng.choice(index, n_test, replace=False)] = True
    return ds.isel(trip=np.flatnonzero(~test)), ds.isel(trip=np.flatnonzero(test))


def arrays_to_dataset(
    xy: np.ndarray,
    dive: np.ndarray | None = None,
    duration: np.ndarray | None = None,
    colony: tuple[float, float] = (0.0, 0.0),
    species: str = "generated",
    attrs: dict | None = None,
) -> xr.Dataset:
    """Trip Dataset from already fixed-length positions ``xy`` (n, n_steps, 2) in km
    relative to ``colony`` (lon, lat), e.g. generated trips. ``dive`` (n, n_steps) 0/1,
    ``duration`` (n,) hours (NaN when unknown; ``time`` is then NaN too)."""
    xy = np.asarray(xy, dtype=float)
    if xy.ndim != 3 or xy.shape[-1] != 2:
        raise ValueError(f"xy must have shape (trip, step, 2), got {xy.shape}")
    n, n_steps, _ = xy.shape
    dive = np.zeros((n, n_steps), np.int8) if dive is None else np.asarray(dive, np.int8)
    duration = np.full(n, np.nan) if duration is None else np.asarray(duration, float)
    if dive.shape != (n, n_steps) or duration.shape != (n,):
        raise ValueError(f"dive {dive.shape} / duration {duration.shape} do not match xy {xy.shape}")
    lon, lat = from_local(xy[..., 0], xy[..., 1], *colony)
    pair = ("trip", "step")
    time = duration[:, None] * 3600.0 * np.linspace(0.0, 1.0, n_steps)[None, :]
    ds = xr.Dataset(
        {
            "time": (pair, time),
            "lon": (pair, lon),
            "lat": (pair, lat),
            "dive": (pair, dive),
            "x": (pair, xy[..., 0]),
            "y": (pair, xy[..., 1]),
            "duration": ("trip", duration),
            "n_fixes": ("trip", np.full(n, n_steps)),
            "species": ("trip", np.full(n, species)),
            "colony_lon": ("trip", np.full(n, colony[0])),
            "colony_lat": ("trip", np.full(n, colony[1])),
        },
        coords={"trip": [f"{species}-{i:04d}" for i in range(n)], "step": np.arange(n_steps)},
        attrs=dict(attrs or {}),
    )
    ds.attrs["n_steps"] = n_steps
    return ds


def positions(ds: xr.Dataset) -> np.ndarray:
    """Positions relative to the colony, (trip, step, 2) in km."""
    return np.stack([ds["x"].values, ds["y"].values], axis=-1)
