"""The numerical tools of the lectures (dlgd_course.lectures): the finite-volume Burgers solver of
Lectures 1 and 3 against the Cole–Hopf solution (Cole 1951, Hopf 1950; REFERENCES.md)."""

from __future__ import annotations

import math

import pytest
import torch

from dlgd_course.lectures.burgers_fv import burgers_fv, cell_centres, cole_hopf_sine, stable_step


def _error_at_half(n_cells: int) -> tuple[float, torch.Tensor]:
    nu = 0.01 / math.pi
    x = cell_centres(n_cells)
    substeps = math.ceil(0.5 / stable_step(n_cells, nu, max_speed=1.0))
    u = burgers_fv(-torch.sin(math.pi * x), nu, frame_dt=0.5, n_frames=1, substeps=substeps)
    return (u[-1] - cole_hopf_sine(x, 0.5, nu)).abs().mean().item(), u


def test_finite_volumes_converge_to_cole_hopf_without_overshoot_and_conserve_mass() -> None:
    coarse, _ = _error_at_half(128)
    fine, u = _error_at_half(512)
    assert fine < coarse / 3, f"mean error {coarse:.2e} at 128 cells, {fine:.2e} at 512: no convergence"
    assert fine < 1e-3
    exact_max = cole_hopf_sine(cell_centres(512), 0.5, 0.01 / math.pi).max().item()
    assert u[-1].max().item() <= exact_max + 1e-6, "the limited scheme overshoots at the shock"
    assert abs((u[-1] - u[0]).sum().item()) < 1e-10, "the flux form must conserve the mass"


def test_solver_is_differentiable_and_rejects_bad_input() -> None:
    u0 = torch.zeros(64, dtype=torch.float64, requires_grad=True)
    target = torch.sin(math.pi * cell_centres(64))
    loss = ((burgers_fv(u0, 1e-3, 0.1, 2, 4)[-1] - target) ** 2).sum()
    (gradient,) = torch.autograd.grad(loss, u0)
    assert torch.isfinite(gradient).all() and gradient.abs().max() > 0
    with pytest.raises(ValueError, match="substeps"):
        burgers_fv(u0, 1e-3, 0.1, 2, 0)
    with pytest.raises(ValueError, match="positive"):
        cole_hopf_sine(cell_centres(8), 0.0, 1e-3)
