"""EnKF-N, the particle filter and the iEnKS (issue 22): their analysis steps against exact
answers, and the iEnKS's published figure on a short run. The long reproductions are in
``tests/assimilation/test_setups.py`` and ``benchmarks/da_dapper_methods.py``."""

from __future__ import annotations

import pytest
import torch

from dlgd_course.assimilation import ETKF, EnKFN, make_twin_data, run_twin_experiment, score, time_average
from dlgd_course.assimilation.particle import ParticleFilter, systematic_resampling
from dlgd_course.assimilation.setups import sakov2012, wiljes2017
from dlgd_course.assimilation.smoother import IEnKS

pytestmark = pytest.mark.usefixtures("float64_default")


def test_enkf_n_inflation_is_the_minimiser_of_its_dual_cost(generator) -> None:
    """λ from Newton's method equals the grid minimiser of D(λ) (Bocquet et al. 2015, eq. 33)
    for typical singular values and innovations (δ of order one per unit of R)."""
    method = EnKFN(N=8)
    s = torch.rand(6, 3, generator=generator) * 3
    du = torch.randn(6, 3, generator=generator) * 1.5
    found = method.prior_inflation(s, du)
    eN, cL = method.hyperprior(s)
    grid = torch.linspace(0.2, 10.0, 49001)[:, None]
    cost = (
        (du.square() / ((grid[..., None] * s).square() + 7)).sum(-1) + eN / grid**2 + cL * torch.log(grid**2)
    )
    best = grid[cost.argmin(0), 0]
    torch.testing.assert_close(found, best, atol=5e-4, rtol=0)


def test_enkf_n_with_inflation_one_is_the_etkf_update_of_the_inflated_ensemble(generator) -> None:
    setup = sakov2012.SETUP
    E = 5 + torch.randn(2, 6, 3, generator=generator) * 2
    y = torch.randn(2, 3, generator=generator)
    method = EnKFN(N=6)
    run = method.initialise(setup, 2, generator)
    run.estimate = E
    method.analyse(run, y)
    # the same λ, found again, applied to the prior anomalies by hand, then an ETKF analysis
    A = E - E.mean(1, keepdim=True)
    Ys = (A @ run.H.T) / setup.R.diagonal().sqrt()
    _, s, Uh = torch.linalg.svd(Ys, full_matrices=True)
    d = (y - E.mean(1)) / setup.R.diagonal().sqrt()
    inflation = method.prior_inflation(s, (Uh[:, :3] @ d[..., None])[..., 0])
    etkf = ETKF(N=6)
    inflated = E.mean(1, keepdim=True) + inflation[:, None, None] * A
    check = etkf.initialise(setup, 2, generator)
    check.estimate = inflated
    etkf.analyse(check, y)
    torch.testing.assert_close(run.estimate, check.estimate, rtol=1e-9, atol=1e-9)


def test_particle_filter_weights_give_the_bayes_posterior_mean(generator) -> None:
    """20 000 particles of N(μ, P) in Lorenz-63's state space, x observed with R = 8: the
    weighted mean is the Kalman mean (sampling error ≈ 0.02; tolerance 0.1)."""
    setup = wiljes2017.SETUP
    N = 20000
    mix = torch.tensor([[2.0, 0.0, 0.0], [1.5, 1.0, 0.0], [0.0, 0.5, 1.5]])
    E = torch.tensor([1.0, 2.0, 25.0]) + torch.randn(2, N, 3, generator=generator) @ mix.T
    y = torch.tensor([[3.0], [-1.0]])
    P, H = mix @ mix.T, torch.tensor([[1.0, 0.0, 0.0]])
    K = P @ H.T / (H @ P @ H.T + 8.0)
    expected = torch.tensor([1.0, 2.0, 25.0]) + (y - 1.0) @ K.T
    method = ParticleFilter(N=N, resampling_threshold=1e-6)  # no resampling: weights kept
    run = method.initialise(setup, 2, generator)
    run.estimate = E
    method.analyse(run, y)
    assert run.weights.shape == (2, N) and torch.allclose(run.weights.sum(-1), torch.ones(2))
    assert (run.mean() - expected).abs().max() < 0.1, f"{run.mean()} vs Kalman {expected}"


def test_particle_filter_resamples_and_jitters_duplicates(generator) -> None:
    setup = wiljes2017.SETUP
    method = ParticleFilter(N=50, resampling_threshold=1.0, regularisation=1.0)
    run = method.initialise(setup, 3, generator)
    before = run.estimate.clone()
    method.analyse(run, torch.tensor([[0.0], [5.0], [-5.0]]))
    assert torch.equal(run.weights, torch.full((3, 50), 1 / 50))  # resampled: equal weights
    # drawn particles, jittered where duplicated: every particle is distinct
    assert not torch.equal(run.estimate, before)
    assert all(len(torch.unique(run.estimate[b, :, 0])) == 50 for b in range(3))


def test_systematic_resampling_draws_each_particle_its_expected_number_of_times(generator) -> None:
    w = torch.softmax(torch.randn(4, 30, generator=generator) * 2, -1)
    index = systematic_resampling(w, generator)
    counts = torch.nn.functional.one_hot(index, 30).sum(1)
    assert ((counts - 30 * w).abs() < 1 + 1e-9).all()
    assert (index.diff(dim=-1) >= 0).all()


def test_ienks_with_one_iteration_and_lag_one_is_the_etkf() -> None:
    data = make_twin_data(sakov2012.SETUP.replace(n_cycles=1, burn_in_time=0.0), 2, seed=2)
    ienks = IEnKS(N=7, n_iterations=1).assimilate(data, seed=4).run
    etkf = ETKF(N=7).assimilate(data, seed=4).run
    torch.testing.assert_close(ienks.estimate, etkf.estimate, rtol=1e-9, atol=1e-9)


def test_ienks_reproduces_its_published_rmse_on_a_short_run() -> None:
    """Sakov et al. (2012) setup, IEnKF N = 10, inflation 1.02, rotation: published 0.31
    (DAPPER). 150 cycles (86 after burn-in), 4 experiments: measured 0.30–0.32 per experiment
    over 300 cycles; 10 %. The iterations must pay: the ETKF with the same N and inflation
    scores 0.6 here (0.60 published)."""
    setup = sakov2012.SETUP.replace(n_cycles=150)
    data = make_twin_data(setup, 4, seed=3)
    ds = run_twin_experiment(sakov2012.methods()["iEnKS"], data, seed=11, keep_states=False)
    rmse = score(ds)
    assert abs(rmse - 0.31) <= 0.1 * 0.31, f"iEnKS analysis RMSE {rmse:.3f}, published 0.31"
    assert (time_average(ds) < 0.45).all()
