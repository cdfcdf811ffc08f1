"""Synthetic data: trajectories as xarray Datasets, observation operators, netCDF cache, DataModules."""

from __future__ import annotations

from typing import Any

import xarray as xr

from dlgd_course.data.cache import cache_dir, cache_path, cached
from dlgd_course.data.datamodule import WindowDataModule, WindowDataset, split_time_ranges
from dlgd_course.data.observe import observe
from dlgd_course.data.simulate import resolve_system, simulate, system_from_dataset
from dlgd_course.dynamics import DynamicalSystem


def cached_simulation(system: str | DynamicalSystem, **kwargs: Any) -> xr.Dataset:
    """:func:`simulate` through the on-disk cache (same arguments; stepper given by name)."""
    if isinstance(system, DynamicalSystem):
        kwargs = {**system.parameters(), **kwargs}
        system = system.name
    if not isinstance(kwargs.get("stepper", "rk4"), str):
        raise ValueError("cached_simulation needs the stepper by name ('euler', 'heun' or 'rk4')")
    return cached(f"simulation-{system}", kwargs, lambda: simulate(system, **kwargs))


__all__ = [
    "WindowDataModule",
    "WindowDataset",
    "cache_dir",
    "cache_path",
    "cached",
    "cached_simulation",
    "observe",
    "resolve_system",
    "simulate",
    "split_time_ranges",
    "system_from_dataset",
]
