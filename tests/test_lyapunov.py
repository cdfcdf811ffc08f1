"""Lyapunov exponents against the published values of REFERENCES.md (Lorenz systems: invariants).

Estimates average 16–32 independent trajectories run as one batch; the stated
tolerances are several standard errors of that mean (printed on failure).
"""

from __future__ import annotations

import pytest
import torch

from dlgd_course.dynamics import Lorenz63, Lorenz96, kaplan_yorke_dimension, lyapunov_spectrum
from dlgd_course.dynamics.integrate import rk4_step


def on_attractor(system, generator: torch.Generator, n_members: int, dt: float, spinup_steps: int):
    initial = system.random_initial_state(generator, (n_members,))
    return system.integrate(initial, dt, spinup_steps, save_every=spinup_steps)[-1]


@pytest.mark.slow
def test_lorenz63_spectrum(generator: torch.Generator) -> None:
    """σ=10, ρ=28, β=8/3, RK4 dt=0.01: λ ≈ (0.906, 0, −14.57) (Sprott; REFERENCES.md).

    λ₁ within ±0.05, λ₂ within ±0.03 of 0; the sum equals −(σ+1+β) = −13.667 (the
    divergence of the vector field) to 1e-3; Kaplan–Yorke dimension ≈ 2.06 ± 0.01.
    """
    system = Lorenz63()
    start = on_attractor(system, generator, 16, 0.01, 1000)
    exponents = lyapunov_spectrum(system, start, dt=0.01, n_steps=5000)
    mean = exponents.mean(dim=0)
    standard_error = exponents.std(dim=0) / exponents.shape[0] ** 0.5
    message = f"mean {mean.tolist()}, standard error {standard_error.tolist()}"
    assert abs(mean[0] - 0.906) < 0.05, message
    assert abs(mean[1]) < 0.03, message
    expected_sum = -(system.sigma + 1 + system.beta)
    assert abs(exponents.sum(dim=-1).mean() - expected_sum) < 1e-3, message
    assert abs(kaplan_yorke_dimension(mean) - 2.06) < 0.01, message


@pytest.mark.slow
def test_lorenz96_leading_exponent(generator: torch.Generator) -> None:
    """N=40, F=8, RK4 dt=0.01: λ₁ ≈ 1.65 (measured 1.652/1.656 over T=1500; REFERENCES.md), ±0.1."""
    system = Lorenz96()
    start = on_attractor(system, generator, 32, 0.01, 2000)
    exponents = lyapunov_spectrum(system, start, dt=0.01, n_steps=4000, n_exponents=1)
    mean, standard_error = exponents.mean(), exponents.std() / exponents.shape[0] ** 0.5
    assert abs(mean - 1.65) < 0.1, f"λ₁ = {mean:.3f} ± {standard_error:.3f}"


def test_tangent_propagation_matches_forward_mode_autodiff(generator: torch.Generator) -> None:
    """The central-difference Jacobian–vector products equal torch.func.jvp to 1e-8 (float64)."""
    system = Lorenz96()
    state = on_attractor(system, generator, 3, 0.01, 200)
    direction = torch.randn(state.shape, generator=generator, dtype=state.dtype)

    def one_step(x: torch.Tensor) -> torch.Tensor:
        return rk4_step(system.tendency, x, 0.01)

    _, exact = torch.func.jvp(one_step, (state,), (direction,))
    epsilon = torch.finfo(state.dtype).eps ** (1 / 3)
    approximate = (one_step(state + epsilon * direction) - one_step(state - epsilon * direction)) / (
        2 * epsilon
    )
    assert (approximate - exact).abs().max() < 1e-8 * exact.abs().max()


def test_lyapunov_bad_input(generator: torch.Generator) -> None:
    system = Lorenz63()
    with pytest.raises(ValueError, match="n_exponents"):
        lyapunov_spectrum(system, torch.ones(3, dtype=torch.float64), 0.01, 10, n_exponents=4)
    with pytest.raises(ValueError, match="n_steps"):
        lyapunov_spectrum(system, torch.ones(3, dtype=torch.float64), 0.01, 0)


@pytest.mark.parametrize(
    ("spectrum", "expected"),
    [
        ((-0.5, -1.0, -2.0), 0.0),  # a stable fixed point: no expanding direction
        ((0.0, -1.0, -2.0), 1.0),  # a limit cycle: 1 + 0 / |−1|
        ((0.906, 0.0, -14.572), 2 + 0.906 / 14.572),  # Lorenz-63 (Sprott): 2.062
        ((1.0, 0.5, 0.2), 3.0),  # the whole sum non-negative: the full dimension
    ],
)
def test_kaplan_yorke_dimension_edge_cases(spectrum: tuple[float, ...], expected: float) -> None:
    """Kaplan & Yorke (1979): ``j`` leading exponents with a non-negative sum, 0 ≤ D ≤ d; a batch
    of spectra gives one dimension each."""
    dimension = kaplan_yorke_dimension(torch.tensor(spectrum, dtype=torch.float64))
    assert dimension.item() == pytest.approx(expected, abs=1e-12)
    batch = kaplan_yorke_dimension(torch.tensor([spectrum, (-0.5, -1.0, -2.0)], dtype=torch.float64))
    assert batch.tolist() == pytest.approx([expected, 0.0], abs=1e-12)
