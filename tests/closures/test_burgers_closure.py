"""Burgers closure building blocks: filter, exact subgrid term, coarse solver, Smagorinsky.

Setting checked: the DLGD closure setting (REFERENCES.md, "Burgers equation": 200 points
on [0, 1], ν = 0.001, dt = 0.001, coarse grid 25 points, C_s = 0.16).
"""

from __future__ import annotations

import math

import pytest
import torch

from dlgd_course.closures.burgers import (
    DynamicSmagorinskyClosure,
    FluxCNN,
    SmagorinskyClosure,
    blown_up,
    coarse_grain,
    coarse_rollout,
    energy_spectrum,
    forced_tendency,
    project_resolved,
    resolved_modes,
    subgrid_term,
)
from dlgd_course.closures.data import BurgersClosureSetup, simulate_closure_data
from dlgd_course.dynamics import Burgers, rk4_step

SETUP = BurgersClosureSetup()


@pytest.fixture(scope="module")
def short_data():
    """8 DNS runs over 0.3 time units (shocks have formed by then)."""
    return simulate_closure_data(SETUP, n_members=8, seed=11, duration=0.3)


def test_coarse_grain_keeps_resolved_modes_exactly(generator: torch.Generator) -> None:
    """A field made of modes m <= 8 is sampled exactly on 25 points; mode 9 is removed."""
    x_fine, x_coarse = SETUP.fine.grid(), SETUP.coarse.grid()
    assert resolved_modes(25) == 9
    smooth = lambda x: torch.sin(2 * math.pi * 3 * x) + 0.5 * torch.cos(2 * math.pi * 8 * x)  # noqa: E731
    assert torch.allclose(coarse_grain(smooth(x_fine), 25), smooth(x_coarse), atol=1e-12)
    rough = torch.sin(2 * math.pi * 9 * x_fine)
    assert coarse_grain(rough, 25).abs().max() < 1e-12
    batch = torch.randn(3, 2, 200, generator=generator, dtype=torch.float64)
    assert coarse_grain(batch, 25).shape == (3, 2, 25)
    with pytest.raises(ValueError, match="n_coarse"):
        coarse_grain(batch, 400)


def test_subgrid_term_vanishes_for_resolved_smooth_fields() -> None:
    """For u with modes <= 2 the product u² has modes <= 4, all resolved: M* = 0."""
    x = SETUP.fine.grid()
    u = torch.sin(2 * math.pi * x) + 0.3 * torch.cos(2 * math.pi * 2 * x)
    assert subgrid_term(u, SETUP.fine, SETUP.coarse).abs().max() < 1e-10


def test_exact_subgrid_term_closes_the_filtered_tendency(short_data) -> None:
    """ū(t+Δt) of the filtered DNS is reproduced by one coarse RK4 step driven by M*.

    Freezing M* during the step is first order in Δt; without M* the error is much larger.
    """
    u_bar = torch.as_tensor(short_data["u_bar"].values)
    forcing = torch.as_tensor(short_data["forcing_bar"].values)
    subgrid = torch.as_tensor(short_data["subgrid"].values)
    index = 20  # t = 0.2
    dt = SETUP.dt  # one DNS step from the stored state
    u = torch.as_tensor(short_data["u"].values[index])
    f = torch.as_tensor(short_data["forcing"].values)
    target = coarse_grain(rk4_step(forced_tendency(SETUP.fine, f), u, dt), 25)
    closed = coarse_rollout(SETUP.coarse, u_bar[index], dt, 1, lambda v: subgrid[index], forcing)[1]
    open_ = coarse_rollout(SETUP.coarse, u_bar[index], dt, 1, None, forcing)[1]
    error_closed = (closed - target).abs().max()
    error_open = (open_ - target).abs().max()
    assert error_closed < 0.05 * error_open, (error_closed, error_open)


def test_subgrid_term_is_conservative_and_dissipative(short_data) -> None:
    """M* has zero domain mean (momentum) and drains resolved energy: ⟨ū M*⟩ < 0 on average."""
    u_bar = torch.as_tensor(short_data["u_bar"].values[5:])
    subgrid = torch.as_tensor(short_data["subgrid"].values[5:])
    assert subgrid.mean(-1).abs().max() < 1e-9
    assert (u_bar * subgrid).mean() < 0


def test_smagorinsky_is_dissipative_and_scales_with_cs_squared(short_data) -> None:
    """Eddy viscosity removes energy, ⟨ū M⟩ ≤ 0, and M ∝ C_s²; the dynamic C_s² is clipped
    at 0 and positive on average (Lilly 1992 least squares)."""
    u_bar = torch.as_tensor(short_data["u_bar"].values[10])
    smag = SmagorinskyClosure(SETUP.coarse, C_s=0.16)
    term = smag(u_bar)
    assert ((u_bar * term).mean(-1) <= 1e-12).all()
    assert torch.allclose(SmagorinskyClosure(SETUP.coarse, C_s=0.32)(u_bar), 4 * term)
    coefficient = DynamicSmagorinskyClosure(SETUP.coarse).coefficient(u_bar)
    assert coefficient.shape == (8, 1) and (coefficient >= 0).all() and coefficient.mean() > 0
    with pytest.raises(ValueError, match="C_s"):
        SmagorinskyClosure(SETUP.coarse, C_s=-1.0)


def test_flux_cnn_conserves_mean_and_batches(generator: torch.Generator) -> None:
    """The flux-form network has zero-mean output and treats batch members independently."""
    torch.manual_seed(0)
    net = FluxCNN(SETUP.coarse, hidden=8).double()
    u = torch.randn(4, 3, 25, generator=generator, dtype=torch.float64)
    out = net(u)
    assert out.shape == u.shape
    assert out.mean(-1).abs().max() < 1e-12
    assert torch.allclose(net(u[2:3, 1]), out[2:3, 1], atol=1e-12)
    assert torch.allclose(project_resolved(out), out, atol=1e-12)


def test_coarse_rollout_is_differentiable_and_flags_blowups() -> None:
    """Gradients reach the closure through the unrolled RK4 steps; blow-ups are counted."""
    torch.manual_seed(0)
    net = FluxCNN(SETUP.coarse, hidden=8).double()
    u0 = torch.sin(2 * math.pi * SETUP.coarse.grid()).expand(2, 25).clone()
    trajectory = coarse_rollout(SETUP.coarse, u0, 0.01, 5, net)
    trajectory[-1].pow(2).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())
    reference = trajectory.detach().clone()
    bad = reference.clone()
    bad[3, 1] = float("nan")
    assert blown_up(bad, reference).tolist() == [False, True]
    with pytest.raises(ValueError, match="n_steps"):
        coarse_rollout(SETUP.coarse, u0, 0.01, -1)


def test_energy_spectrum_satisfies_parseval(generator: torch.Generator) -> None:
    """Σ_m E(m) = ⟨u²⟩ for even and odd grid sizes."""
    for n in (24, 25):
        u = torch.randn(5, n, generator=generator, dtype=torch.float64)
        assert torch.allclose(energy_spectrum(u).sum(-1), (u * u).mean(-1))


def test_setup_validation() -> None:
    """Inconsistent setups are rejected with a message naming the problem."""
    with pytest.raises(ValueError, match="forcing_modes"):
        BurgersClosureSetup(forcing_modes=9)
    with pytest.raises(ValueError, match="n_coarse"):
        BurgersClosureSetup(n_coarse=400)
    with pytest.raises(ValueError, match="n_members"):
        simulate_closure_data(SETUP, 0, seed=0)
    assert SETUP.coarse == Burgers(n_points=25, nu=0.001)


@pytest.mark.parametrize("test_ratio", [1.0, 0.5, math.inf])
def test_dynamic_smagorinsky_needs_a_coarser_test_filter(test_ratio: float) -> None:
    with pytest.raises(ValueError, match="test_ratio"):
        DynamicSmagorinskyClosure(BurgersClosureSetup().coarse, test_ratio)
