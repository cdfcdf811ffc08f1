"""Baselines: the gamma / von Mises HMM (Langrock et al., 2012; Michelot et al., 2016)
fitted by Baum-Welch recovers its own parameters, and the correlated random walk."""

import numpy as np
import pytest

from dlgd_course.trajectories import CorrelatedRandomWalk, MovementHMM, simulate_trips
from dlgd_course.trajectories.baselines import steps_and_turns
from dlgd_course.trajectories.dataset import positions


@pytest.fixture(scope="module")
def trips():
    return simulate_trips("peru", n_trips=30, seed=2)


def _known_hmm(trips):
    """A two-state model: slow tortuous search, fast straight commuting."""
    model = MovementHMM(2).fit(trips)  # only for the empirical start headings/durations
    model.shape, model.scale = np.array([2.0, 20.0]), np.array([0.05, 0.015])
    model.mu, model.kappa = np.array([0.0, 0.0]), np.array([1.0, 30.0])
    model.dive_prob = np.array([0.2, 0.0])
    model.initial = np.array([0.3, 0.7])
    model.transition = np.array([[0.95, 0.05], [0.03, 0.97]])
    return model


def test_hmm_recovers_known_parameters(trips):
    truth = _known_hmm(trips)
    sample = truth.sample(150, seed=4, close_loop=False)
    fit = MovementHMM(2).fit(sample)
    order = np.argsort(fit.shape)
    np.testing.assert_allclose(fit.shape[order], truth.shape, rtol=0.1)
    np.testing.assert_allclose(fit.scale[order], truth.scale, rtol=0.1)
    np.testing.assert_allclose(fit.kappa[order], truth.kappa, rtol=0.15)
    np.testing.assert_allclose(fit.dive_prob[order], truth.dive_prob, atol=0.02)
    np.testing.assert_allclose(fit.transition[np.ix_(order, order)], truth.transition, atol=0.01)
    assert fit.log_likelihood(sample) >= truth.log_likelihood(sample) - 1.0


def test_hmm_state_with_zero_concentration_turns_uniformly(trips):
    """kappa = 0 is the uniform turning angle (von Mises with no concentration), not a straight
    walk: with kappa = 0 in every state, the sampled turns have mean resultant length near 0 (for n
    uniform angles its spread is about 1/sqrt(n)) and cover the circle."""
    model = _known_hmm(trips)
    model.kappa = np.array([0.0, 0.0])
    _, _, turn = steps_and_turns(positions(model.sample(200, seed=5, close_loop=False)))
    resultant = np.abs(np.exp(1j * turn).mean())
    assert resultant < 5 / np.sqrt(turn.size), f"mean resultant length {resultant:.3f}"
    assert np.quantile(np.abs(turn), 0.9) > 0.8 * np.pi


def test_em_log_likelihood_never_decreases(trips):
    model = MovementHMM(3, max_iter=30).fit(trips)
    history = np.array(model.loglik_history)
    assert np.all(np.diff(history) >= -1e-6 * np.abs(history[1:]))
    assert np.allclose(model.transition.sum(axis=1), 1) and model.initial.sum() == pytest.approx(1)


def test_crw_fit_matches_moments_and_samples(trips):
    crw = CorrelatedRandomWalk().fit(trips)
    length, _, turn = steps_and_turns(positions(trips))
    assert crw.shape * crw.scale == pytest.approx(length.mean(), rel=1e-3)  # gamma MLE mean
    a = crw.sample(20, seed=1)
    b = crw.sample(20, seed=1)
    np.testing.assert_array_equal(a["x"].values, b["x"].values)
    assert a.sizes == {"trip": 20, "step": trips.sizes["step"]}


@pytest.mark.parametrize("model", [CorrelatedRandomWalk(), MovementHMM(2)])
def test_return_bridge_closes_trips(trips, model):
    model.fit(trips)
    closed = positions(model.sample(10, seed=0))
    np.testing.assert_allclose(closed[:, [0, -1]], 0.0, atol=1e-9)
    free = positions(model.sample(10, seed=0, close_loop=False))
    assert np.abs(free[:, -1]).max() > 1.0  # an unconditioned walk ends kilometres away
    # the bridge removes a linear drift only: steps differ by a constant per trip
    np.testing.assert_allclose(np.diff(np.diff(free - closed, axis=1), axis=1), 0.0, atol=1e-9)


def test_bad_states():
    with pytest.raises(ValueError, match="n_states"):
        MovementHMM(0)
