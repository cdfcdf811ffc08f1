"""Dynamics: stepper convergence orders, Burgers vs Cole–Hopf, autograd, batching, dtypes, bad input."""

from __future__ import annotations

import math

import pytest
import torch

from dlgd_course.dynamics import (
    STEPPER_ORDER,
    SYSTEMS,
    Burgers,
    IntegrationDivergedError,
    Lorenz63,
    Lorenz96,
    TwoLevelLorenz96,
    cole_hopf_solution,
    integrate,
    make_system,
)
from dlgd_course.dynamics.burgers import spectral_derivative

# Small instances of every system for the generic checks.
SMALL_SYSTEMS = {
    "lorenz63": Lorenz63(),
    "lorenz96": Lorenz96(N=8),
    "lorenz96_two_level": TwoLevelLorenz96(K=4, J=3),
    "burgers": Burgers(n_points=16, nu=0.05),
}
TIME_STEPS = {"lorenz63": 0.01, "lorenz96": 0.01, "lorenz96_two_level": 0.001, "burgers": 0.001}


def test_every_registered_system_is_covered() -> None:
    assert set(SMALL_SYSTEMS) == set(SYSTEMS)


def rotation_tendency(state: torch.Tensor) -> torch.Tensor:
    """dx/dt = -y, dy/dt = x: exact solution is a rotation by the elapsed time."""
    return torch.stack((-state[..., 1], state[..., 0]), dim=-1)


@pytest.mark.parametrize("stepper", ["euler", "heun", "rk4"])
def test_stepper_convergence_order(stepper: str) -> None:
    """Global error at t=1 falls as dt^p, p = 1 (Euler), 2 (Heun), 4 (RK4): observed order within 0.15."""
    initial = torch.tensor([1.0, 0.0], dtype=torch.float64)
    exact = torch.tensor([math.cos(1.0), math.sin(1.0)], dtype=torch.float64)
    errors = []
    for n_steps in (20, 40, 80):
        final = integrate(rotation_tendency, initial, 1.0 / n_steps, n_steps, stepper)[-1]
        errors.append(float((final - exact).norm()))
    orders = [math.log2(errors[i] / errors[i + 1]) for i in range(2)]
    for order in orders:
        assert abs(order - STEPPER_ORDER[stepper]) < 0.15, (stepper, errors, orders)


def test_burgers_matches_cole_hopf_and_converges_spectrally() -> None:
    """Pseudo-spectral Burgers vs the Cole–Hopf solution at t=0.5 (ν=0.02, L=1, a=1.1, b=1).

    Stated bound (max |u| ≈ 0.2): max error < 2e-2 at N=32, at least a factor 50 smaller
    each time N doubles up to 128 (exponential convergence of a smooth solution), reaching
    < 1e-7. Measured: 8.0e-3, 7.4e-5, 6.8e-9.
    """
    nu, final_time, dt = 0.02, 0.5, 2e-4
    errors = []
    for n_points in (32, 64, 128):
        system = Burgers(n_points=n_points, nu=nu)
        x = system.grid()
        initial = cole_hopf_solution(x, 0.0, nu)
        final = system.integrate(initial, dt, round(final_time / dt), save_every=round(final_time / dt))[-1]
        errors.append(float((final - cole_hopf_solution(x, final_time, nu)).abs().max()))
    assert errors[0] < 2e-2, errors
    assert errors[1] < errors[0] / 50 and errors[2] < errors[1] / 50, errors
    assert errors[2] < 1e-7, errors


def test_burgers_energy_decays_without_forcing(generator: torch.Generator) -> None:
    """Unforced viscous Burgers: ⟨u²⟩/2 never increases (the de-aliased advection conserves it)."""
    system = Burgers(n_points=128, nu=0.01)
    initial = system.random_initial_state(generator, (4,))
    trajectory = system.integrate(initial, system.max_stable_dt(float(initial.abs().max())), 400)
    energy = system.energy(trajectory)
    assert (energy[1:] <= energy[:-1] + 1e-12).all()
    assert (energy[-1] < 0.9 * energy[0]).all()


def test_burgers_advection_alone_conserves_energy(generator: torch.Generator) -> None:
    """The de-aliased advection is energy-neutral: d⟨u²/2⟩/dt = −ν ⟨(∂ₓu)²⟩ exactly (to round-off)."""
    system = Burgers(n_points=64, nu=0.01)
    u = system.random_initial_state(generator, (3,))
    energy_rate = (u * system.tendency(u)).mean(dim=-1)
    dissipation = system.nu * (spectral_derivative(u, system.domain_length) ** 2).mean(dim=-1)
    assert (energy_rate + dissipation).abs().max() < 1e-12 * dissipation.abs().max() / system.nu


@pytest.mark.parametrize("name", sorted(SMALL_SYSTEMS))
def test_gradcheck_through_steps(name: str, generator: torch.Generator) -> None:
    """torch.autograd.gradcheck through three RK4 steps of each system (float64)."""
    system = SMALL_SYSTEMS[name]
    initial = system.random_initial_state(generator, (2,)).requires_grad_(True)
    dt = TIME_STEPS[name]

    def three_steps(state: torch.Tensor) -> torch.Tensor:
        return system.integrate(state, dt, 3)[-1]

    assert torch.autograd.gradcheck(three_steps, (initial,), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", sorted(SMALL_SYSTEMS))
def test_batch_equals_members(name: str, generator: torch.Generator) -> None:
    """A batch (2, 3, ...) integrates exactly like its members one by one."""
    system = SMALL_SYSTEMS[name]
    batch = system.random_initial_state(generator, (2, 3))
    together = system.integrate(batch, TIME_STEPS[name], 20)
    for i in range(2):
        for j in range(3):
            alone = system.integrate(batch[i, j], TIME_STEPS[name], 20)
            torch.testing.assert_close(together[:, i, j], alone, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SMALL_SYSTEMS))
def test_float32_agrees_with_float64(name: str, generator: torch.Generator) -> None:
    """Over 50 steps (short of chaotic divergence) float32 follows float64 to 1e-3 relative."""
    system = SMALL_SYSTEMS[name]
    initial = system.random_initial_state(generator, (2,))
    double = system.integrate(initial, TIME_STEPS[name], 50)[-1]
    single = system.integrate(initial.float(), TIME_STEPS[name], 50)[-1]
    assert single.dtype == torch.float32
    scale = double.abs().max()
    assert (single.double() - double).abs().max() < 1e-3 * scale


def test_two_level_coupling_and_split() -> None:
    """Wilks (2005) defaults; split/join round-trip; the slow tendency contains −(hc/b) Σ_j Y."""
    system = TwoLevelLorenz96()
    assert (system.K, system.J, system.F, system.h, system.b, system.c) == (8, 32, 20.0, 1.0, 10.0, 10.0)
    state = torch.randn(5, system.state_shape[0], dtype=torch.float64)
    X, Y = system.split_state(state)
    torch.testing.assert_close(system.join_state(X, Y), state)
    uncoupled = Lorenz96(N=8, F=20.0).tendency(X)
    torch.testing.assert_close(system.tendency(state)[..., :8] - uncoupled, system.coupling_term(state))


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("dt", [0.0, -0.01, float("nan"), float("inf")])
def test_bad_time_step(dt: float) -> None:
    with pytest.raises(ValueError, match="time step dt"):
        Lorenz63().integrate(torch.ones(3), dt, 10)


def test_wrong_state_shape() -> None:
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 40\)"):
        Lorenz96().integrate(torch.ones(39), 0.01, 10)


def test_non_finite_state() -> None:
    with pytest.raises(ValueError, match="NaN/inf"):
        Lorenz63().step(torch.tensor([1.0, float("nan"), 0.0]), 0.01)


@pytest.mark.parametrize(
    ("name", "parameters", "message"),
    [
        ("lorenz63", {"gamma": 1.0}, "unknown parameter"),
        ("lorenz96", {"N": 2}, "N must be an integer >= 4"),
        ("lorenz96", {"N": 40.5}, "N must be an integer"),
        ("burgers", {"nu": -0.1}, "nu must be > 0"),
        ("lorenz63", {"rho": float("nan")}, "rho must be finite"),
        ("lorenz99", {}, "unknown system"),
    ],
)
def test_bad_parameters(name: str, parameters: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_system(name, **parameters)


def test_bad_step_counts() -> None:
    with pytest.raises(ValueError, match="n_steps"):
        Lorenz63().integrate(torch.ones(3), 0.01, -1)
    with pytest.raises(ValueError, match="save_every"):
        Lorenz63().integrate(torch.ones(3), 0.01, 10, save_every=0)
    with pytest.raises(ValueError, match="unknown stepper"):
        Lorenz63().integrate(torch.ones(3), 0.01, 10, stepper="rk5")


def test_divergence_is_reported_not_returned() -> None:
    """Lorenz-96 with a far too large explicit Euler step blows up: an error names the step."""
    with pytest.raises(IntegrationDivergedError, match="diverged .* by step"):
        Lorenz96().integrate(torch.full((40,), 8.0) + torch.linspace(0, 1, 40), 0.5, 200, "euler")


@pytest.mark.parametrize("name", ["lorenz63", "lorenz96", "lorenz96_two_level"])
def test_initial_state_draw_follows_its_distribution(name: str, generator: torch.Generator) -> None:
    """The base's one Gaussian draw: 20 000 states have the system's mean and spread (5 sigma)."""
    system = SMALL_SYSTEMS[name]
    mean, std = (x.expand(system.state_shape) for x in system.initial_state_distribution(torch.float64))
    states = system.random_initial_state(generator, (20_000,))
    assert states.shape == (20_000, *system.state_shape) and states.dtype == torch.float64
    # standard errors of a sample mean and a sample std: sigma / sqrt(n) and sigma / sqrt(2 n)
    assert float(((states.mean(0) - mean) / std).abs().max()) < 5 / 20_000**0.5
    assert float((states.std(0) / std - 1).abs().max()) < 5 / 40_000**0.5
