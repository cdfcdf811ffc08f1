"""Synthetic central-place foraging trips of boobies (three behavioural phases).

Each trip, simulated at the species' GPS sampling interval ``dt``:

1. **outbound commuting**: fast, nearly straight flight along a heading drawn once per trip
   (von Mises around the species' preferred direction); each step's heading deviates from
   it by von Mises noise of concentration ``commute_kappa``; the phase ends when the bird is
   ``R`` km from the colony, ``R`` log-normal around ``range_km``;
2. **area-restricted search**: slow correlated random walk (turning angles von Mises with
   concentration ``search_kappa``), dives as a Poisson process of rate
   ``dive_rate_per_hour``; lasts a log-normal time around ``search_hours``;
3. **return**: fast flight with heading towards the colony plus von Mises noise; the trip
   ends at the first fix within one step length of the colony, followed by a fix at the
   colony itself.

This three-phase structure (commute - search - commute) is the central-place foraging
pattern that the BirdGAN data show (Roy et al., 2022, Methods Ecol. Evol. 13, 1275).
Speeds are gamma distributed around the phase mean (shape 20 commuting, 4 searching).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from dlgd_course.trajectories.dataset import RawTrack, from_local, tracks_to_dataset
from dlgd_course.trajectories.species import REGIONS, SPECIES, get_species

MAX_RAW_STEPS = 20_000


def _simulate_raw(species: str, n_trips: int, rng: np.random.Generator) -> list[RawTrack]:
    """Simulate ``n_trips`` raw tracks of one species (all trips advanced together)."""
    p = get_species(species)
    dt = p.sampling_interval_s
    heading0 = np.deg2rad(p.heading_deg) + rng.vonmises(0.0, p.heading_kappa, n_trips)
    target_range = p.range_km * np.exp(p.range_log_std * rng.standard_normal(n_trips))
    search_time = 3600.0 * p.search_hours * np.exp(p.search_log_std * rng.standard_normal(n_trips))
    pos = np.zeros((n_trips, 2))
    heading = heading0.copy()
    phase = np.zeros(n_trips, dtype=int)  # 0 outbound, 1 search, 2 return, 3 done
    searched = np.zeros(n_trips)
    xs, ys, dives, alive = [pos[:, 0].copy()], [pos[:, 1].copy()], [np.zeros(n_trips)], []
    for _ in range(MAX_RAW_STEPS):
        active = phase < 3
        alive.append(active)
        if not active.any():
            break
        commute = phase != 1
        speed = np.where(
            commute,
            p.commute_speed * rng.gamma(20.0, 1 / 20.0, n_trips),
            p.search_speed * rng.gamma(4.0, 1 / 4.0, n_trips),
        )
        step_km = speed * dt / 1000.0
        home = np.arctan2(-pos[:, 0], -pos[:, 1])  # heading towards the colony
        turn_commute = rng.vonmises(0.0, p.commute_kappa, n_trips)
        turn_search = rng.vonmises(0.0, p.search_kappa, n_trips)
        heading = np.select(
            [phase == 0, phase == 1, phase == 2],
            [heading0 + turn_commute, heading + turn_search, home + turn_commute],
            heading,
        )
        dist = np.hypot(pos[:, 0], pos[:, 1])
        arriving = (phase == 2) & (dist <= step_km)
        move = np.stack([np.sin(heading), np.cos(heading)], axis=1) * step_km[:, None]
        new_pos = np.where(arriving[:, None], 0.0, pos + move)
        pos = np.where(active[:, None], new_pos, pos)
        dive = (phase == 1) & (rng.random(n_trips) < p.dive_rate_per_hour * dt / 3600.0)
        searched = searched + np.where(phase == 1, dt, 0.0)
        dist = np.hypot(pos[:, 0], pos[:, 1])
        phase = np.where(arriving, 3, phase)
        phase = np.where((phase == 1) & (searched >= search_time), 2, phase)
        phase = np.where((phase == 0) & (dist >= target_range), 1, phase)
        xs.append(pos[:, 0].copy())
        ys.append(pos[:, 1].copy())
        dives.append(dive.astype(float))
    else:
        raise RuntimeError(f"{species}: some trips did not return within {MAX_RAW_STEPS} steps")
    x, y, d = np.stack(xs, 1), np.stack(ys, 1), np.stack(dives, 1)
    n_fixes = np.stack(alive, 1).sum(axis=1) + 1  # + the fix at departure
    tracks = []
    for i in range(n_trips):
        n = n_fixes[i]
        lon, lat = from_local(x[i, :n], y[i, :n], p.colony_lon, p.colony_lat)
        tracks.append(
            RawTrack(
                trip_id=f"{species}-{i:03d}",
                time=dt * np.arange(n),
                lon=lon,
                lat=lat,
                dive=d[i, :n],
                species=species,
            )
        )
    return tracks


def simulate_trips(
    species: str | Sequence[str] = tuple(SPECIES),
    n_trips: int | None = None,
    n_steps: int = 200,
    seed: int = 0,
) -> xr.Dataset:
    """Synthetic foraging trips, resampled to ``n_steps`` steps (layout:
    :mod:`dlgd_course.trajectories.dataset`).

    ``species``: one name, several, or a region ("brazil", "peru"); ``n_trips`` per species,
    default the size of the BirdGAN data set (30 / 50 / 78). Deterministic in ``seed``.
    """
    names = REGIONS.get(species, (species,)) if isinstance(species, str) else tuple(species)
    tracks, colonies = [], []
    for k, name in enumerate(names):
        p = get_species(name)
        count = p.n_trips if n_trips is None else n_trips
        if count < 1:
            raise ValueError(f"n_trips must be >= 1, got {count}")
        rng = np.random.default_rng([seed, k])
        tracks += _simulate_raw(name, count, rng)
        colonies += [(p.colony_lon, p.colony_lat)] * count
    return tracks_to_dataset(
        tracks,
        n_steps=n_steps,
        colony=colonies,
        attrs={"source": "dlgd_course.trajectories.simulate_trips", "seed": seed, "species": ",".join(names)},
    )
