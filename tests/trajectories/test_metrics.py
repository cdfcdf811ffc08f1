"""Metrics of BirdGAN (Roy et al., 2022, section 2.4): spectral loss, KDE MSE, movement
statistics and their Wasserstein distances, on trips whose values are known exactly."""

import numpy as np
import pytest

from dlgd_course.trajectories import kde_mse, simulate_trips, spectral_loss, trip_statistics
from dlgd_course.trajectories.dataset import positions
from dlgd_course.trajectories.metrics import (
    evaluate,
    histograms,
    mean_fourier_modulus,
    wasserstein_distances,
)


@pytest.fixture(scope="module")
def xy():
    return positions(simulate_trips("peru", n_trips=40, seed=5))


def test_spectral_loss_zero_for_same_set_and_scale_invariant(xy):
    assert spectral_loss(xy, xy) == 0.0
    assert spectral_loss(xy, 3.0 * xy) == pytest.approx(np.log(3.0) ** 2)
    assert spectral_loss(xy, xy[::-1]) == pytest.approx(0.0, abs=1e-20)  # order of trips


def test_spectral_loss_grows_with_high_frequency_noise(xy):
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(xy.shape)
    losses = [spectral_loss(xy, xy + s * noise) for s in (0.01, 0.1, 1.0)]
    assert 0 < losses[0] < losses[1] < losses[2]
    with pytest.raises(ValueError, match="differ in length"):
        spectral_loss(xy, xy[:, :100])


def test_mean_fourier_modulus_of_a_sine():
    t = np.arange(64)
    trips = np.stack([np.sin(2 * np.pi * 4 * t / 64), np.zeros(64)], axis=-1)[None]
    a = mean_fourier_modulus(np.concatenate([trips, 2 * trips]))
    assert a.shape == (2, 33)
    assert np.argmax(a[0]) == 4 and a[0, 4] == pytest.approx(1.5 * 32)  # mean of 32 and 64


def test_kde_mse(xy):
    assert kde_mse(xy, xy) == 0.0
    shifts = [kde_mse(xy, xy + np.array([d, 0.0])) for d in (0.5, 2.0, 8.0)]
    assert 0 < shifts[0] < shifts[1] < shifts[2]


def test_statistics_of_a_straight_out_and_back_and_a_square():
    out_back = np.concatenate([np.linspace(0, 10, 11), np.linspace(9, 0, 10)])
    xy = np.stack([np.zeros(21), out_back], axis=-1)[None]
    s = trip_statistics(xy, np.array([2.0]))
    assert s["straightness"][0] == pytest.approx(1.0)
    assert s["trip_distance"][0] == pytest.approx(20.0)
    assert s["max_distance"][0] == pytest.approx(10.0)
    np.testing.assert_allclose(np.abs(s["turning_angle"]), [0] * 9 + [np.pi] + [0] * 9, atol=1e-12)
    square = np.array([[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]], dtype=float)
    s = trip_statistics(square)
    np.testing.assert_allclose(s["turning_angle"], np.pi / 2)  # clockwise turns
    assert s["straightness"][0] == pytest.approx(2 * np.sqrt(2) / 4)
    assert "duration" not in s


def test_wasserstein_and_evaluate(xy):
    s = trip_statistics(xy)
    assert all(v == 0 for v in wasserstein_distances(s, s).values())
    w = wasserstein_distances(s, trip_statistics(2 * xy))
    assert w["trip_distance"] == pytest.approx(np.mean(s["trip_distance"]))  # a shift by mean
    assert w["straightness"] == pytest.approx(0.0, abs=1e-12)
    ds = simulate_trips("peru", n_trips=10, seed=1)
    r = evaluate(ds, ds)
    assert r["spectral_loss"] == 0 and r["kde_mse"] == 0 and r["w_duration"] == 0
    h = histograms(s, s, bins=10)
    np.testing.assert_array_equal(h["step_length"][1], h["step_length"][2])


def test_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        spectral_loss(np.zeros((3, 10)), np.zeros((3, 10)))
    with pytest.raises(ValueError, match="NaN"):
        trip_statistics(np.full((2, 5, 2), np.nan))
