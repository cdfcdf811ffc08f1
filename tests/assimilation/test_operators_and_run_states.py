"""General observation operators (matrices, nonlinear functions, time-varying networks), the
scores dataset (forecast and analysis scores, rank histograms, comparison and plot), and
methods as frozen configurations whose run state is returned (issues 20 and 22)."""

from __future__ import annotations

import dataclasses

import matplotlib
import pytest
import torch

from dlgd_course.assimilation import compare, plot_scores
from dlgd_course.assimilation.ensemble import ETKF, LETKF, EnKFN
from dlgd_course.assimilation.setups import sakov2012
from dlgd_course.assimilation.static import Var3D
from dlgd_course.assimilation.twin import (
    Assimilation,
    EnsembleRun,
    ObservationOperator,
    TwinSetup,
    make_twin_data,
    run_twin_experiment,
    score,
    time_average,
)
from dlgd_course.assimilation.variational import Var4D

from .test_methods import small_setup

matplotlib.use("Agg")


pytestmark = pytest.mark.usefixtures("float64_default")


def lorenz96_setup(**overrides) -> TwinSetup:
    """12 sites, all observed every 0.05 with R = 0.5 I, 100 cycles, burn-in 1 time unit."""
    return small_setup(**{"n_cycles": 100, "burn_in_time": 1.0, "observed_components": None, **overrides})


SQUARE = ObservationOperator.nonlinear(lambda x, k: x.square() / 8, 12, 12, label="x²/8")
ABSOLUTE = ObservationOperator.nonlinear(lambda x, k: x.abs(), 12, 12, label="|x|")
ALTERNATING = ObservationOperator.components(12, [list(range(0, 12, 2)), list(range(1, 12, 2))])


def test_observations_follow_the_operator_of_each_cycle() -> None:
    """y_k − h_k(x_t) is the observation noise: N(0, 0.5) whatever h_k is."""
    for operator in (SQUARE, ALTERNATING, ObservationOperator.linear(torch.ones(1, 12) / 12)):
        data = make_twin_data(lorenz96_setup(observation_operator=operator), 4, seed=2)
        noise = torch.stack([data.observations[k] - operator(data.truth[k + 1], k) for k in range(100)])
        assert noise.shape == (100, 4, operator.size)
        assert abs(float(noise.var()) - 0.5) < 0.1 and abs(float(noise.mean())) < 0.1
    assert torch.equal(ALTERNATING.matrix(3), ALTERNATING.matrix(1))
    assert ALTERNATING.positions(1).tolist() == [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]


def test_jacobian_comes_from_autograd(generator) -> None:
    x = torch.randn(3, 5, 12, generator=generator)
    expected = torch.diag_embed(x / 4)  # ∂(x²/8)/∂x
    torch.testing.assert_close(SQUARE.jacobian(x, 0), expected)
    matrix = torch.randn(4, 12, generator=generator)
    torch.testing.assert_close(ObservationOperator.linear(matrix).jacobian(x, 7), matrix.expand(3, 5, 4, 12))


def test_etkf_with_a_general_matrix_gives_the_kalman_mean(generator) -> None:
    """A dense random H (each observation mixes all sites): the ETKF mean is the Kalman mean."""
    H = torch.randn(5, 12, generator=generator)
    setup = lorenz96_setup(observation_operator=ObservationOperator.linear(H))
    E = 8 + torch.randn(2, 9, 12, generator=generator) @ torch.randn(12, 12, generator=generator) * 0.4
    y = torch.randn(2, 5, generator=generator)
    A = E - E.mean(1, keepdim=True)
    P = A.mT @ A / 8
    K = torch.linalg.solve(H @ P @ H.T + setup.R, H @ P).mT
    expected = E.mean(1) + (K @ (y - E.mean(1) @ H.T)[..., None])[..., 0]
    method = ETKF(N=9)
    run = method.initialise(setup, 2, generator)
    run.estimate = E
    method.analyse(run, y)
    torch.testing.assert_close(run.estimate.mean(1), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    ("operator", "method"),
    [
        (SQUARE, EnKFN(N=20)),
        (ABSOLUTE, ETKF(N=20, inflation=1.1)),
        (ALTERNATING, LETKF(N=20, localisation_radius=3.0, inflation=1.1)),
        (SQUARE, Var3D(xB=0.1)),
    ],
    ids=["x²-EnKF-N", "abs-ETKF", "alternating-LETKF", "x²-3D-Var"],
)
def test_methods_assimilate_nonlinear_and_time_varying_observations(operator, method) -> None:
    """Measured over 4 experiments × 2 data seeds (100 cycles): ensemble filters 0.10–0.27,
    3D-Var (Jacobian gain) 0.5–0.7, against 0.71 for the observation noise and 4.3 for
    climatology; the bound is half the noise (ensembles), the noise level (3D-Var)."""
    data = make_twin_data(lorenz96_setup(observation_operator=operator), 4, seed=1)
    ds = run_twin_experiment(method, data, seed=2, keep_states=False)
    bound = 0.75 if isinstance(method, Var3D) else 0.35
    assert not ds["diverged"].any() and score(ds) < bound, (
        f"{method.name} on {operator.label}: {score(ds):.3f}"
    )
    assert ds.attrs["observation_operator"] == operator.label


def test_var4d_with_a_time_varying_nonlinear_operator_reduces_the_error() -> None:
    """Window of 2 intervals, x² at even cycles and |x| at odd ones: 4D-Var's analysis beats
    its free forecast (measured 0.3–0.5 against 1–3 after 20 cycles)."""
    operator = ObservationOperator.nonlinear(
        lambda x, k: x.square() / 8 if k % 2 == 0 else x.abs(), 12, 12, label="x²/8, |x| alternately"
    )
    data = make_twin_data(
        lorenz96_setup(observation_operator=operator, n_cycles=20, burn_in_time=0.5), 2, seed=4
    )
    ds = run_twin_experiment(Var4D(lag=2, xB=0.05, n_iterations=10), data, seed=0, keep_states=False)
    assert score(ds) < 0.6 * score(ds, "forecast_rmse") + 0.3


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ObservationOperator.nonlinear(lambda x, k: x[..., :3], 12, 4), r"\(batch, 4\)"),
        (lambda: ObservationOperator.components(12, [[0, 1], [2]]), "equally many"),
        (lambda: lorenz96_setup(observation_operator=SQUARE, observed_components=(0,)), "one of"),
        (lambda: lorenz96_setup(observation_operator=ObservationOperator.linear(torch.ones(2, 10))), "10"),
        (lambda: ABSOLUTE.matrix(0), "not linear"),
        (lambda: LETKF(N=5, localisation_radius=2.0).initialise(
            lorenz96_setup(observation_operator=ABSOLUTE), 1, torch.Generator()), "no observation sites"),
    ],
)  # fmt: skip
def test_bad_operators_raise(build, message) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_scores_dataset_has_forecast_and_analysis_scores_and_plots(generator) -> None:
    data = make_twin_data(lorenz96_setup(observed_components=tuple(range(0, 12, 2))), 3, seed=0)
    runs = {
        "ETKF": run_twin_experiment(ETKF(N=10, inflation=1.1), data, keep_states=False),
        "3D-Var": run_twin_experiment(Var3D(xB=0.1), data, keep_states=False),
    }
    for ds in runs.values():
        # the analysis uses the observation the forecast has not seen: it is better on average
        assert (time_average(ds, "analysis_rmse") < time_average(ds, "forecast_rmse")).all()
    histogram = runs["ETKF"]["rank_histogram"]  # 11 ranks of the truth among 10 members
    assert histogram.sizes == {"experiment": 3, "rank": 11}
    assert "spread" not in runs["3D-Var"] and "analysis_spread" not in runs["3D-Var"]
    table = compare(runs)
    assert table["analysis_rmse"].dims == ("method", "time", "experiment")
    assert table["analysis_spread"].sel({"method": "3D-Var"}).isnull().all()
    ax = plot_scores(table)
    assert len(ax.get_lines()) == 3  # two RMSE curves and the ETKF's spread
    matplotlib.pyplot.close(ax.figure)


def test_methods_are_frozen_and_assimilate_returns_the_run_state() -> None:
    method = EnKFN(N=6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        method.N = 7
    data = make_twin_data(lorenz96_setup(n_cycles=30), 2, seed=0)
    first = method.assimilate(data, seed=3, keep_states=False)
    assert isinstance(first, Assimilation) and isinstance(first.run, EnsembleRun)
    assert first.run.estimate.shape == (2, 6, 12) and first.run.cycle_index == 29
    again = method.assimilate(data, seed=3, keep_states=False)  # nothing was kept: same run
    assert first.scores["analysis_rmse"].equals(again.scores["analysis_rmse"])
    assert torch.equal(first.run.estimate, again.run.estimate)


def test_batched_var4d_optimises_each_experiment_on_its_own() -> None:
    """Experiment 0 of a batch of 2 gets exactly what it gets alone (same initial draw); with
    one summed cost (``independent=False``) it does not."""
    setup = sakov2012.SETUP.replace(n_cycles=4, burn_in_time=0.0)
    batch = make_twin_data(setup, 2, seed=5)
    alone = type(batch)(setup, batch.truth[:, :1], batch.observations[:, :1], seed=5)
    options = dict(lag=2, xB=0.1, n_iterations=5)
    batched = run_twin_experiment(Var4D(**options), batch, keep_states=False)["analysis_rmse"][:, 0]
    single = run_twin_experiment(Var4D(**options), alone, keep_states=False)["analysis_rmse"][:, 0]
    torch.testing.assert_close(torch.as_tensor(batched.values), torch.as_tensor(single.values))
    joint = run_twin_experiment(Var4D(**options, independent=False), batch, keep_states=False)
    assert not torch.allclose(
        torch.as_tensor(joint["analysis_rmse"][:, 0].values), torch.as_tensor(single.values)
    )
