"""Synthetic data: trajectories as xarray Datasets, observation operators, the netCDF cache and
the one time splitter (train / val / test blocks in time)."""

from dlgd_course.data.cache import cache_dir, cache_path, cached
from dlgd_course.data.observe import observe
from dlgd_course.data.simulate import resolve_system, simulate, system_from_dataset
from dlgd_course.data.splits import time_splits

__all__ = [
    "cache_dir",
    "cache_path",
    "cached",
    "observe",
    "resolve_system",
    "simulate",
    "system_from_dataset",
    "time_splits",
]
