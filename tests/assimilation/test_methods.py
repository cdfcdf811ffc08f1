"""Unit checks of the analysis steps against the Kalman filter, of the variational costs
and their autograd gradients, of localisation, of bad input and of divergence detection."""

from __future__ import annotations

import math

import pytest
import torch

from dlgd_course.assimilation import (
    ETKF,
    LETKF,
    DEnKF,
    EnKF,
    FilterDivergenceWarning,
    OptimalInterpolation,
    RunState,
    SequentialMethod,
    TwinSetup,
    Var3D,
    Var4D,
    gaspari_cohn,
    kalman_gain,
    make_twin_data,
    mean_preserving_rotation,
    minimise,
    run_twin_experiment,
    score,
    strong_4dvar_cost,
    weak_4dvar_cost,
)
from dlgd_course.assimilation.setups import sakov2012, sakov_oke2008
from dlgd_course.dynamics import Lorenz63, Lorenz96

pytestmark = pytest.mark.usefixtures("float64_default")


def small_setup(**overrides) -> TwinSetup:
    kwargs = dict(
        system=Lorenz96(N=12, F=8.0),
        dt=0.05,
        steps_per_observation=1,
        n_cycles=20,
        observation_variance=0.5,
        initial_mean=(8.0,) * 12,
        initial_variance=1.0,
        burn_in_time=0.2,
        observed_components=tuple(range(0, 12, 2)),
    )
    kwargs.update(overrides)
    return TwinSetup(**kwargs)


def ensemble_and_kalman(setup: TwinSetup, N: int, generator: torch.Generator):
    """A random ensemble, an observation and the exact Kalman analysis for the sample covariance."""
    E = (
        8
        + torch.randn(3, N, setup.state_size, generator=generator)
        @ torch.randn(setup.state_size, setup.state_size, generator=generator)
        * 0.4
    )
    H = setup.observation.matrix(0)
    y = torch.randn(3, H.shape[0], generator=generator)
    mean = E.mean(1)
    A = E - mean[:, None]
    P = A.mT @ A / (N - 1)
    K = torch.linalg.solve(H @ P @ H.T + setup.R, H @ P).mT
    mean_a = mean + (K @ (y - mean @ H.T)[..., None])[..., 0]
    P_a = (torch.eye(setup.state_size) - K @ H) @ P
    return E, y, mean_a, P_a


def analysed(method: SequentialMethod, setup: TwinSetup, E, y, generator):
    """One analysis of ``E`` (an ensemble or a mean) with ``y`` by a fresh run of ``method``."""
    run = method.initialise(setup, E.shape[0], generator)
    run.estimate = E
    method.analyse(run, y)
    return run.estimate


@pytest.mark.parametrize("filter_class", [ETKF, DEnKF])
def test_deterministic_filters_give_the_kalman_mean(filter_class, generator) -> None:
    setup = small_setup()
    E, y, mean_a, P_a = ensemble_and_kalman(setup, 8, generator)
    Ea = analysed(filter_class(N=8), setup, E, y, generator)
    torch.testing.assert_close(Ea.mean(1), mean_a, rtol=1e-9, atol=1e-9)
    A = Ea - Ea.mean(1, keepdim=True)
    covariance = A.mT @ A / 7
    if filter_class is ETKF:  # exact square root: the Kalman analysis covariance
        torch.testing.assert_close(covariance, P_a, rtol=1e-8, atol=1e-9)
    else:  # DEnKF: (I − KH) P (I − KH/2)ᵀ-like, larger than P_a but smaller than P
        assert torch.linalg.eigvalsh(covariance - P_a).min() > -1e-9


def test_perturbed_observation_enkf_is_kalman_in_the_large_ensemble_limit(generator) -> None:
    setup = small_setup()
    N = 4000
    E, y, mean_a, P_a = ensemble_and_kalman(setup, N, generator)
    Ea = analysed(EnKF(N=N), setup, E, y, generator)
    A = Ea - Ea.mean(1, keepdim=True)
    covariance = A.mT @ A / (N - 1)
    assert (Ea.mean(1) - mean_a).abs().max() < 0.05
    assert (covariance - P_a).abs().max() < 0.1 * P_a.abs().max()


def test_letkf_without_localisation_is_the_etkf(generator) -> None:
    setup = small_setup()
    etkf, letkf = ETKF(N=6), LETKF(N=6, localisation_radius=1e6)
    E, y, *_ = ensemble_and_kalman(setup, 6, generator)
    torch.testing.assert_close(
        analysed(letkf, setup, E, y, generator), analysed(etkf, setup, E, y, generator), rtol=1e-6, atol=1e-6
    )


def test_letkf_leaves_sites_far_from_every_observation_unchanged(generator) -> None:
    setup = small_setup(observed_components=(0,))
    E, y, *_ = ensemble_and_kalman(setup, 5, generator)
    Ea = analysed(LETKF(N=5, localisation_radius=1.0), setup, E, y, generator)
    far = [4, 5, 6, 7, 8]  # beyond the taper's support 2 × 1.82 from site 0 on the ring of 12
    torch.testing.assert_close(Ea[..., far], E[..., far])
    assert not torch.allclose(Ea[..., 0], E[..., 0])


def test_gaspari_cohn_shape() -> None:
    """1 at 0, 0 from r = 2 on, continuous at r = 1 and 2, ≈ e^{-1/2} at the DAPPER radius."""
    r = torch.tensor([0.0, 1 - 1e-9, 1 + 1e-9, 2 - 1e-9, 2.0, 3.0])
    values = gaspari_cohn(r)
    assert values[0] == 1 and values[4] == 0 and values[5] == 0
    assert abs(values[1] - values[2]) < 1e-6 and abs(values[3]) < 1e-6
    assert abs(float(gaspari_cohn(torch.tensor(1 / 1.82))) - math.exp(-0.5)) < 0.03
    assert (torch.diff(gaspari_cohn(torch.linspace(0, 2, 101))) <= 1e-12).all()


def test_rotation_is_orthogonal_and_keeps_the_mean(generator) -> None:
    T = mean_preserving_rotation(4, 7, generator)
    torch.testing.assert_close(T @ T.mT, torch.eye(7).expand(4, 7, 7), rtol=0, atol=1e-12)
    torch.testing.assert_close(T @ torch.ones(7), torch.ones(4, 7), rtol=0, atol=1e-12)


def test_3dvar_autograd_minimiser_equals_the_gain_formula(generator) -> None:
    setup = small_setup()
    B = torch.eye(12) + 0.3 * torch.diag(torch.ones(11), 1) + 0.3 * torch.diag(torch.ones(11), -1)
    gain, lbfgs = Var3D(B=B, solver="gain"), Var3D(B=B, solver="lbfgs")
    xb = 8 + torch.randn(3, 12, generator=generator)
    y = torch.randn(3, 6, generator=generator)
    by_gain = analysed(gain, setup, xb, y, generator)
    torch.testing.assert_close(analysed(lbfgs, setup, xb, y, generator), by_gain, rtol=1e-6, atol=1e-6)
    H = setup.observation.matrix(0)
    K = kalman_gain(B, H, setup.R)
    torch.testing.assert_close(by_gain, xb + (y - xb @ H.T) @ K.T)


def test_strong_4dvar_gradient_matches_finite_differences(generator) -> None:
    setup = small_setup()
    x_b = 8 + torch.randn(2, 12, generator=generator)
    observations = torch.randn(3, 2, 6, generator=generator)
    B_inv, R_inv = torch.eye(12) * 2.0, torch.linalg.inv(setup.R)
    x0 = (x_b + 0.1 * torch.randn(2, 12, generator=generator)).requires_grad_(True)

    def cost(x):
        return strong_4dvar_cost(
            x, x_b, observations, setup.forecast, setup.observation.matrix(0), B_inv, R_inv
        )

    assert torch.autograd.gradcheck(lambda x: cost(x).sum(), (x0,), eps=1e-6, atol=1e-5)


def test_strong_4dvar_recovers_the_initial_state_of_a_window(generator) -> None:
    """With accurate observations over a 3-interval window the initial state is recovered."""
    setup = small_setup(observation_variance=1e-4, observed_components=None)
    truth0 = setup.system.integrate(8 + torch.randn(1, 12, generator=generator), 0.05, 100)[-1]
    states = [truth0]
    for _ in range(3):
        states.append(setup.forecast(states[-1]))
    observations = torch.stack(states[1:])
    x_b = truth0 + 0.5 * torch.randn(1, 12, generator=generator)

    def cost(x):
        return strong_4dvar_cost(
            x,
            x_b,
            observations,
            setup.forecast,
            setup.observation.matrix(0),
            torch.eye(12),
            1e4 * torch.eye(12),
        ).sum()

    x_a = minimise(cost, x_b, n_iterations=100)
    assert (x_a - truth0).abs().max() < 1e-3, f"max error {(x_a - truth0).abs().max():.2e}"


def test_weak_4dvar_with_true_model_beats_the_observations(generator) -> None:
    """Lorenz-63, all components observed every 8 steps with variance 2 (the 4DVarNet setting)."""
    system, dt = Lorenz63(), 0.01
    truth = system.integrate(system.random_initial_state(generator, (4,)), dt, 1200)[1000:]
    mask = torch.zeros_like(truth, dtype=torch.bool)
    mask[::8] = True
    observations = truth + math.sqrt(2.0) * torch.randn(truth.shape, generator=generator)
    step = lambda x: system.step(x, dt)  # noqa: E731

    def cost(trajectory):
        return weak_4dvar_cost(
            trajectory, observations, mask, step, torch.full((3,), 0.5), torch.full((3,), 1e3)
        ).sum()

    first_guess = observations[::8].repeat_interleave(8, 0)[: len(truth)]
    estimate = minimise(cost, first_guess, n_iterations=300)
    error = (estimate - truth).square().mean()
    assert error < 0.5, f"weak 4D-Var MSE {error:.3f}, observation noise variance 2"


@pytest.mark.slow
def test_var4d_cycling_beats_3dvar_on_lorenz63() -> None:
    """Strong-constraint 4D-Var (window of 2 intervals) vs 3D-Var, same B, Sakov 2012 setup."""
    setup = sakov2012.SETUP.replace(n_cycles=20, burn_in_time=1.25)
    data = make_twin_data(setup, 2, seed=5)
    var3d = score(run_twin_experiment(Var3D(xB=0.1), data))
    var4d = score(run_twin_experiment(Var4D(lag=2, xB=0.1, n_iterations=8), data))
    # Measured over 4 data seeds: 4D-Var 0.62-0.71, 3D-Var 0.94-1.08 (ratio <= 0.7).
    assert var4d < 0.85 * var3d, f"4D-Var RMSE {var4d:.3f}, 3D-Var {var3d:.3f}"


def test_dataset_layout_and_burn_in() -> None:
    setup = small_setup(observed_components=None)
    data = make_twin_data(setup, 2, seed=0)
    ds = run_twin_experiment(ETKF(N=5, inflation=1.1), data)
    assert not ds["diverged"].any()
    assert ds["analysis_rmse"].dims == ("time", "experiment")
    assert ds["analysis"].shape == (20, 2, 12) and ds["analysis_spread"].shape == (20, 2)
    assert ds["forecast_rmse"].shape == ds["forecast_spread"].shape == (20, 2)
    # rank of the truth among 5 members, every component of the 16 cycles after burn-in
    assert ds["rank_histogram"].shape == (2, 6) and (ds["rank_histogram"].sum("rank") == 16 * 12).all()
    assert int(ds["after_burn_in"].sum()) == 16  # times 0.25 … 1.0 are after 0.2
    assert ds.attrs["method"] == "ETKF" and ds.attrs["method_N"] == 5
    torch.testing.assert_close(torch.from_numpy(ds["truth"].values), data.truth[1:])


def test_observed_fraction_draws_a_fixed_network() -> None:
    setup = small_setup(observed_components=None, observed_fraction=0.25, network_seed=4)
    H = setup.observation.matrix(0)
    assert H.shape == (3, 12) and (H.sum(1) == 1).all()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: small_setup(observation_variance=torch.zeros(6, 6)), "not positive definite"),
        (lambda: small_setup(observation_variance=-1.0), "positive"),
        (lambda: small_setup(observation_variance=torch.eye(5)), r"\(6, 6\)"),
        (lambda: ETKF(N=1), "ensemble size"),
        (lambda: EnKF(N=10, inflation=0.9), "inflation"),
        (lambda: small_setup(observed_components=(0, 12)), "observed_components"),
    ],
)
def test_bad_configuration_raises(build, message) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_non_positive_definite_background_raises(generator) -> None:
    B = torch.ones(12, 12)  # rank one
    with pytest.raises(ValueError, match="background covariance B.*not positive definite"):
        Var3D(B=B).initialise(small_setup(), 1, generator)
    with pytest.raises(ValueError, match="climatological covariance.*not positive definite"):
        OptimalInterpolation(torch.zeros(12), B).initialise(small_setup(), 1, generator)


def test_observations_that_do_not_match_the_state_raise(generator) -> None:
    setup = small_setup()
    method = ETKF(N=4)
    run = method.initialise(setup, 2, generator)
    with pytest.raises(ValueError, match="observations do not match the state"):
        method.analyse(run, torch.zeros(2, 12))
    data = make_twin_data(setup, 2)
    bad = type(data)(setup=setup, truth=data.truth, observations=data.observations[..., :3], seed=0)
    with pytest.raises(ValueError, match="observations do not match the state"):
        run_twin_experiment(Var3D(), bad)


def test_diverging_filter_is_detected_and_reported() -> None:
    """An ETKF with N = 3 and no inflation on the 40-site Lorenz-96 loses the truth."""
    data = make_twin_data(sakov_oke2008.SETUP.replace(n_cycles=500), 2, seed=0)
    with pytest.warns(FilterDivergenceWarning, match="diverged"):
        ds = run_twin_experiment(ETKF(N=3), data, keep_states=False)
    assert ds["diverged"].all()
    with pytest.raises(FloatingPointError, match="diverged"):
        run_twin_experiment(ETKF(N=3), data, keep_states=False, raise_on_divergence=True)


class ExplodingFilter(SequentialMethod):
    """Returns NaN for experiment 0 from cycle 5 on: a numerically blown-up filter."""

    name = "exploding"

    def initialise(self, setup, n_experiments, generator):
        return RunState(setup, torch.tensor(setup.initial_mean).expand(n_experiments, -1).clone(), generator)

    def analyse(self, run, observation):
        if run.cycle_index >= 4:
            run.estimate = run.estimate.clone()
            run.estimate[0] = float("nan")


def test_non_finite_analysis_is_flagged_per_experiment() -> None:
    data = make_twin_data(small_setup(), 2, seed=0)
    with pytest.warns(FilterDivergenceWarning, match=r"experiment\(s\) \[0"):
        ds = run_twin_experiment(ExplodingFilter(), data)
    assert bool(ds["diverged"][0]) and ds["analysis_rmse"][4:, 0].isnull().all()
    assert not ds["analysis_rmse"][:, 1].isnull().any()
    with pytest.raises(FloatingPointError, match="non-finite at cycle 4"):
        run_twin_experiment(ExplodingFilter(), data, raise_on_divergence=True)


@pytest.mark.parametrize(
    "build",
    [OptimalInterpolation, Var3D, lambda: Var4D(lag=2, n_iterations=5)],
    ids=["OI", "3D-Var", "4D-Var"],
)
def test_a_method_reused_on_another_setup_uses_that_setups_climatology(build) -> None:
    """A method without a given B (or climatology) estimates it from each setup it runs on: run
    on a second setup, of another size or of the same size with another forcing, it scores
    exactly as a new instance does there (it kept the first setup's B before)."""
    first = small_setup()
    others = [
        small_setup(system=Lorenz96(N=12, F=12.0), initial_mean=(12.0,) * 12),
        small_setup(system=Lorenz96(N=10, F=8.0), initial_mean=(8.0,) * 10, observed_components=(0, 3, 6)),
    ]
    reused = build()
    run_twin_experiment(reused, make_twin_data(first, 2, seed=1), keep_states=False)
    for setup in others:
        data = make_twin_data(setup, 2, seed=3)
        expected = run_twin_experiment(build(), data, keep_states=False)["analysis_rmse"]
        again = run_twin_experiment(reused, data, keep_states=False)["analysis_rmse"]
        torch.testing.assert_close(torch.as_tensor(again.values), torch.as_tensor(expected.values))
