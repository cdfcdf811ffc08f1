"""Observation operators for twin experiments.

An observation of a true state ``x`` at time ``t`` is ``y = H x + ε``,
``ε ~ N(0, noise_std² I)``, where ``H`` selects

* every ``observation_interval``-th time step (the first included),
* a subset of state components (``observed_components``) and/or
* a random fraction of grid points at each observed time (``observed_fraction``).

Results keep the shape of the truth: unobserved values are NaN, and a boolean
``mask`` says what was observed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import xarray as xr


def observe(
    state: xr.DataArray,
    observation_interval: int = 1,
    observed_components: Sequence[int] | None = None,
    observed_fraction: float | None = None,
    noise_std: float = 0.0,
    seed: int = 0,
) -> xr.Dataset:
    """Noisy partial observations of ``state`` (dims ``("time", ...)``, last dim the state).

    Args:
        state: true states, ``time`` first, the state's components or grid last.
        observation_interval: observe every this many time steps (1 = every step).
        observed_components: indices along the last dim that are observed (default all).
        observed_fraction: if set, observe this random fraction (0, 1] of the remaining
            points, drawn independently at every observed time.
        noise_std: standard deviation of the additive Gaussian noise (state units).
        seed: seed of the noise and of the random fraction.

    Returns:
        Dataset with ``observation`` (NaN where unobserved) and ``mask`` (bool), same
        dims and coordinates as ``state``; attributes record the settings.
    """
    if not isinstance(state, xr.DataArray):
        raise ValueError(f"state must be an xarray.DataArray, got {type(state).__name__}")
    if state.ndim < 2 or state.dims[0] != "time":
        raise ValueError(f"state must have dims ('time', ..., component), got {state.dims}")
    if (
        isinstance(observation_interval, bool)
        or not isinstance(observation_interval, (int, np.integer))
        or observation_interval < 1
    ):
        raise ValueError(f"observation_interval must be a positive integer, got {observation_interval!r}")
    if not (isinstance(noise_std, (int, float)) and math.isfinite(noise_std) and noise_std >= 0):
        raise ValueError(f"noise_std must be a finite number >= 0, got {noise_std!r}")
    n_components = state.shape[-1]
    component_mask = np.ones(n_components, dtype=bool)
    if observed_components is not None:
        indices = np.asarray(observed_components)
        if indices.size == 0 or indices.ndim != 1 or not np.issubdtype(indices.dtype, np.integer):
            raise ValueError(
                f"observed_components must be a non-empty list of integers, got {observed_components!r}"
            )
        if indices.min() < -n_components or indices.max() >= n_components:
            raise ValueError(
                f"observed_components {list(indices)} out of range for a state with {n_components} components"
            )
        component_mask = np.zeros(n_components, dtype=bool)
        component_mask[indices] = True
    if observed_fraction is not None and not (
        isinstance(observed_fraction, (int, float)) and 0 < observed_fraction <= 1
    ):
        raise ValueError(f"observed_fraction must be in (0, 1], got {observed_fraction!r}")

    rng = np.random.default_rng(seed)
    time_mask = np.zeros(state.sizes["time"], dtype=bool)
    time_mask[::observation_interval] = True
    shape_ones = (1,) * (state.ndim - 2)
    mask = time_mask.reshape(-1, *shape_ones, 1) & component_mask.reshape(1, *shape_ones, -1)
    mask = np.broadcast_to(mask, state.shape).copy()
    if observed_fraction is not None:
        mask &= rng.random(state.shape) < observed_fraction
    noise = noise_std * rng.standard_normal(state.shape)
    values = np.where(mask, state.values + noise, np.nan)

    attrs = {
        "observation_interval": int(observation_interval),
        "observed_components": "all"
        if observed_components is None
        else ",".join(map(str, np.asarray(observed_components))),
        "observed_fraction": 1.0 if observed_fraction is None else float(observed_fraction),
        "noise_std": float(noise_std),
        "seed": int(seed),
    }
    return xr.Dataset(
        {
            "observation": (state.dims, values, {**state.attrs, "long_name": "noisy observation"}),
            "mask": (state.dims, mask, {"long_name": "observed (True) or missing (False)"}),
        },
        coords=state.coords,
        attrs=attrs,
    )
