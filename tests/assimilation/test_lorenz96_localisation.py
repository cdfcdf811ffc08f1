"""The references of exercise 23 against the library's independent implementations."""

from __future__ import annotations

import pytest
import torch

from dlgd_course.assimilation import ETKF, LETKF, EnKF, make_twin_data, run_twin_experiment
from dlgd_course.assimilation.lorenz96_localisation import (
    analysis_ensembles,
    gaspari_cohn_localisation,
    growth_rate,
    localised_enkf_analysis,
)
from dlgd_course.assimilation.setups import sakov2012, sakov_oke2008

pytestmark = pytest.mark.usefixtures("float64_default")

HALF_OBSERVED = sakov_oke2008.SETUP.replace(observed_components=tuple(range(0, 40, 2)), n_cycles=20)


def test_the_analysis_without_localisation_is_the_library_enkf(generator) -> None:
    """ρ = 1: P Hᵀ (H P Hᵀ + R)⁻¹ equals the library's Aᵀ Y (YᵀY + (N − 1) R)⁻¹, with the same
    centred perturbations drawn from the same generator state."""
    E = 2.0 + 3.0 * torch.randn(2, 8, 40, generator=generator)
    y = torch.randn(2, 20, generator=generator)
    method = EnKF(N=8)
    run = method.initialise(HALF_OBSERVED, 2, torch.Generator().manual_seed(7))
    run.generator = torch.Generator().manual_seed(11)
    expected = method.update(run, E, y)
    ones = torch.ones(40, 40)
    got = localised_enkf_analysis(E, y, run.H, run.R, ones, torch.Generator().manual_seed(11))
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-9)


def test_the_localisation_matrix_is_the_letkf_taper() -> None:
    """The LETKF's taper of R⁻¹ with all sites observed and R = I is ρ (half-width 1.82 × radius)."""
    method = LETKF(N=5, localisation_radius=4.0)
    run = method.initialise(sakov_oke2008.SETUP, 1, torch.Generator().manual_seed(0))
    torch.testing.assert_close(gaspari_cohn_localisation(40, 1.82 * 4.0), method.local_scaling(run).square())


def test_growth_rate_needs_two_points_below_the_limit() -> None:
    distance = torch.tensor([[0.5], [2.0], [4.0]])  # the last step saturated
    assert growth_rate(distance, 0.1, 3.0) == pytest.approx(10 * torch.log(torch.tensor(4.0)).item())
    with pytest.raises(ValueError, match="fewer than two steps"):
        growth_rate(distance, 0.1, 1.0)


def test_analysis_ensembles_are_the_analyses_of_the_run() -> None:
    data = make_twin_data(sakov2012.SETUP.replace(n_cycles=20), 2, seed=0)
    method = ETKF(N=5, inflation=1.02)
    ensembles = analysis_ensembles(method, data, seed=3)
    scores = run_twin_experiment(method, data, seed=3)
    assert ensembles.shape == (20, 2, 5, 3)
    torch.testing.assert_close(ensembles.mean(2), torch.as_tensor(scores["analysis"].values))
