"""Rollout evaluation of Burgers closures against the filtered DNS, and the speed-up.

For each closure the coarse model is rolled out from the filtered DNS initial states of a
test family over the whole horizon; reported: RMSE against ū in time and over the
horizon (blown-up members excluded from the RMSE and *counted*), the time-averaged
energy spectrum and its log-error against the filtered DNS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import xarray as xr
from torch import Tensor

from dlgd_course.closures.burgers import (
    Closure,
    blown_up,
    coarse_grain,
    coarse_rollout,
    energy_spectrum,
    forced_tendency,
    random_forcing,
    resolved_modes,
)
from dlgd_course.closures.data import BurgersClosureSetup
from dlgd_course.dynamics import integrate
from dlgd_course.own_work import guard_answer


@dataclass
class RolloutScore:
    """Scores of one closure on one test family.

    ``rmse``: RMSE over time, members and space of the members that did not blow up;
    ``rmse_in_time (time,)``; ``blowups``: number of members that blew up;
    ``spectrum (modes,)``: time-averaged energy spectrum over the resolved modes;
    ``spectrum_error``: mean |log10 E − log10 E_ref| over resolved modes m >= 1.
    """

    rmse: float
    rmse_in_time: Tensor
    blowups: int
    spectrum: Tensor
    spectrum_error: float
    trajectory: Tensor


def evaluate_closures(
    setup: BurgersClosureSetup,
    test: xr.Dataset,
    closures: dict[str, Closure | None],
    dtype: torch.dtype = torch.float32,
) -> dict[str, RolloutScore]:
    """Roll every closure out from ``test``'s initial ū over its whole horizon and score it.

    ``closures`` maps a name to a closure (``None``: no closure). The reference is the
    filtered DNS ``test["u_bar"]`` (time, member, x_coarse). Returns a score per name; the
    entry ``"filtered DNS"`` holds the reference spectrum.
    """
    guard_answer()
    reference = torch.as_tensor(test["u_bar"].values, dtype=dtype)
    forcing = torch.as_tensor(test["forcing_bar"].values, dtype=dtype)
    n_steps = reference.shape[0] - 1
    keep = resolved_modes(setup.n_coarse)
    reference_spectrum = energy_spectrum(reference).mean(dim=(0, 1))[:keep]
    scores: dict[str, RolloutScore] = {}
    for name, closure in closures.items():
        with torch.no_grad():
            trajectory = coarse_rollout(
                setup.coarse, reference[0], setup.coarse_dt, n_steps, closure, forcing
            )
        bad = blown_up(trajectory, reference)
        error = (trajectory - reference)[:, ~bad] ** 2
        spectrum = energy_spectrum(trajectory[:, ~bad]).mean(dim=(0, 1))[:keep]
        log_error = (spectrum[1:].log10() - reference_spectrum[1:].log10()).abs().mean()
        scores[name] = RolloutScore(
            rmse=float(error.mean().sqrt()) if (~bad).any() else float("inf"),
            rmse_in_time=error.mean(dim=(1, 2)).sqrt(),
            blowups=int(bad.sum()),
            spectrum=spectrum,
            spectrum_error=float(log_error),
            trajectory=trajectory,
        )
    scores["filtered DNS"] = RolloutScore(
        0.0, torch.zeros(n_steps + 1), 0, reference_spectrum, 0.0, reference
    )
    return scores


def measure_speedup(
    setup: BurgersClosureSetup,
    closure: Closure,
    n_members: int = 128,
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
    repeats: int = 3,
) -> dict[str, float]:
    """Wall-clock of the DNS and of the coarse model + closure over ``setup.duration``.

    Both run in the same process on the same device and dtype, batched over the same
    ``n_members``; the best of ``repeats`` runs is kept. Returns seconds and the ratio.
    """
    generator = torch.Generator().manual_seed(seed)
    fine = setup.fine
    u0 = fine.random_initial_state(generator, (n_members,), dtype=dtype)
    forcing = random_forcing(
        fine, generator, (n_members,), setup.forcing_modes, setup.forcing_amplitude, dtype
    )
    n_fine_steps = setup.n_coarse_steps * setup.coarse_every
    u0_bar, forcing_bar = coarse_grain(u0, setup.n_coarse), coarse_grain(forcing, setup.n_coarse)
    timings = {"dns_seconds": float("inf"), "coarse_seconds": float("inf")}
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            integrate(
                forced_tendency(fine, forcing),
                u0,
                setup.dt,
                n_fine_steps,
                save_every=setup.coarse_every,
            )
            timings["dns_seconds"] = min(timings["dns_seconds"], time.perf_counter() - start)
            start = time.perf_counter()
            coarse_rollout(setup.coarse, u0_bar, setup.coarse_dt, setup.n_coarse_steps, closure, forcing_bar)
            timings["coarse_seconds"] = min(timings["coarse_seconds"], time.perf_counter() - start)
    timings["speedup"] = timings["dns_seconds"] / timings["coarse_seconds"]
    return timings
