"""Burgers closure data: DNS families, filtered trajectories and exact subgrid terms.

:func:`simulate_closure_data` runs the DNS of :class:`BurgersClosureSetup` from random
initial conditions and random steady forcings and returns, every coarse time step, the
DNS state, its coarse-grained version ū and the exact subgrid term M* as an
``xarray.Dataset``. Everything is drawn from one seeded ``torch.Generator`` on the CPU in
float64, so the same seed gives the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import xarray as xr

from dlgd_course.closures.burgers import (
    coarse_grain,
    forced_tendency,
    random_forcing,
    subgrid_term,
)
from dlgd_course.dynamics import Burgers, integrate


@dataclass(frozen=True)
class BurgersClosureSetup:
    """Fine/coarse Burgers pair and time stepping of a closure experiment.

    Defaults: the DLGD closure setting (200 points on [0, 1), ν = 0.001, dt = 0.001,
    T = 2.5, coarse grid 25 points, C_s = 0.16), with random steady forcing of the first
    ``forcing_modes`` Fourier modes so that the flow does not simply decay.
    ``coarse_every`` DNS steps make one coarse step (coarse dt = 0.01).
    """

    n_fine: int = 200
    n_coarse: int = 25
    nu: float = 0.001
    domain_length: float = 1.0
    dt: float = 0.001
    duration: float = 2.5
    coarse_every: int = 10
    forcing_amplitude: float = 1.0
    forcing_modes: int = 3
    initial_modes: int = 4

    def __post_init__(self) -> None:
        if self.n_coarse > self.n_fine:
            raise ValueError(f"n_coarse ({self.n_coarse}) exceeds n_fine ({self.n_fine})")
        if self.coarse_every < 1:
            raise ValueError(f"coarse_every must be >= 1, got {self.coarse_every}")
        if self.forcing_modes >= self.n_coarse / 3:
            raise ValueError(
                f"forcing_modes ({self.forcing_modes}) must be resolved on the coarse grid "
                f"(< n_coarse/3 = {self.n_coarse / 3:.2f})"
            )
        steps = self.duration / self.dt
        if abs(steps - round(steps)) > 1e-6 or round(steps) % self.coarse_every:
            raise ValueError(
                f"duration/dt = {steps:g} must be an integer multiple of coarse_every ({self.coarse_every})"
            )

    @property
    def fine(self) -> Burgers:
        return Burgers(n_points=self.n_fine, nu=self.nu, domain_length=self.domain_length)

    @property
    def coarse(self) -> Burgers:
        return Burgers(n_points=self.n_coarse, nu=self.nu, domain_length=self.domain_length)

    @property
    def coarse_dt(self) -> float:
        return self.dt * self.coarse_every

    @property
    def n_coarse_steps(self) -> int:
        return round(self.duration / self.dt) // self.coarse_every


def simulate_closure_data(
    setup: BurgersClosureSetup, n_members: int, seed: int, duration: float | None = None
) -> xr.Dataset:
    """DNS of ``n_members`` random initial states and forcings, with filtered fields.

    Args:
        setup: the experiment (grids, ν, time steps).
        n_members: number of independent DNS runs.
        seed: seed of the generator drawing initial states and forcings.
        duration: simulated time (default ``setup.duration``), a multiple of the coarse dt.

    Returns:
        Dataset with dims (time, member, x) / (time, member, x_coarse):
        ``u`` DNS state, ``u_bar`` coarse-grained state, ``subgrid`` exact subgrid term M*
        (tendency units), ``forcing`` / ``forcing_bar`` steady forcing, ``time`` coordinate
        every coarse step; attributes record the setup and the seed.
    """
    if isinstance(n_members, bool) or not isinstance(n_members, int) or n_members < 1:
        raise ValueError(f"n_members must be a positive integer, got {n_members!r}")
    duration = setup.duration if duration is None else duration
    n_coarse_steps = duration / setup.coarse_dt
    if abs(n_coarse_steps - round(n_coarse_steps)) > 1e-6 or round(n_coarse_steps) < 1:
        raise ValueError(
            f"duration {duration} must be a positive multiple of the coarse dt {setup.coarse_dt}"
        )
    n_coarse_steps = round(n_coarse_steps)
    fine, coarse = setup.fine, setup.coarse
    generator = torch.Generator().manual_seed(seed)
    u0 = fine.random_initial_state(generator, (n_members,), n_modes=setup.initial_modes)
    forcing = random_forcing(fine, generator, (n_members,), setup.forcing_modes, setup.forcing_amplitude)
    u = integrate(
        forced_tendency(fine, forcing),
        u0,
        setup.dt,
        n_coarse_steps * setup.coarse_every,
        save_every=setup.coarse_every,
    )
    u_bar = coarse_grain(u, setup.n_coarse)
    subgrid = subgrid_term(u, fine, coarse)
    time = np.arange(n_coarse_steps + 1) * setup.coarse_dt
    dataset = xr.Dataset(
        {
            "u": (("time", "member", "x"), u.numpy(), {"long_name": "DNS velocity"}),
            "u_bar": (
                ("time", "member", "x_coarse"),
                u_bar.numpy(),
                {"long_name": "coarse-grained DNS velocity"},
            ),
            "subgrid": (
                ("time", "member", "x_coarse"),
                subgrid.numpy(),
                {"long_name": "exact subgrid tendency M*", "units": "u per time"},
            ),
            "forcing": (("member", "x"), forcing.numpy(), {"long_name": "steady forcing f"}),
            "forcing_bar": (
                ("member", "x_coarse"),
                coarse_grain(forcing, setup.n_coarse).numpy(),
                {"long_name": "coarse-grained forcing"},
            ),
        },
        coords={
            "time": ("time", time, {"units": "model time"}),
            "x": ("x", fine.grid().numpy()),
            "x_coarse": ("x_coarse", coarse.grid().numpy()),
        },
        attrs={
            **asdict(setup),
            "seed": seed,
            "description": "forced viscous Burgers DNS, filtered and coarse-grained",
        },
    )
    if not math.isfinite(float(np.abs(dataset["u"].values).max())):
        raise FloatingPointError("DNS produced non-finite values")
    return dataset
