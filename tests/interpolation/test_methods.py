"""OI, DINEOF, the neural interpolators, the training pairs and the hidden-pixel metrics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlgd_course.interpolation import (
    GappyWindows,
    GaussianCovariance,
    InterpolationDataModule,
    LearnedVariationalInterpolator,
    MaskedUNet,
    SedimentConfig,
    WindowOIFirstGuess,
    cross_validate_scales,
    dineof,
    fit_gaussian_covariance,
    hidden_pixel_scores,
    observe_sediment,
    optimal_interpolation,
    reconstruct,
    simulate_sediment,
    windowed_optimal_interpolation,
)
from dlgd_course.nn import Normaliser


def _gaussian_field(shape: tuple[int, int, int], cov: GaussianCovariance, seed: int) -> np.ndarray:
    """Sample of the separable Gaussian covariance (Kronecker factors' Cholesky)."""
    rng = np.random.default_rng(seed)
    factors = []
    for n, scale in zip(shape, (cov.time_scale, cov.length_scale, cov.length_scale), strict=True):
        k = cov.kernel(n, scale, torch.float64, torch.device("cpu")).numpy()
        factors.append(np.linalg.cholesky(k + 1e-8 * np.eye(n)))
    white = rng.standard_normal(shape)
    field = np.einsum("ts,ik,jl,skl->tij", *factors, white, optimize=True)
    return np.sqrt(cov.variance) * field


def test_oi_matches_the_dense_analysis_equation() -> None:
    """The matrix-free CG solution equals x_b + B Hᵀ (H B Hᵀ + R)⁻¹ (y - H x_b) computed with
    dense matrices (Bretherton et al. 1976); splitting the record into time blocks is an
    approximation that stays close."""
    cov = GaussianCovariance(variance=1.0, length_scale=2.0, time_scale=1.5, noise_variance=0.05)
    shape = (7, 6, 5)
    rng = np.random.default_rng(0)
    y = rng.normal(size=shape)
    y[rng.random(shape) < 0.5] = np.nan
    background = 0.3
    kt, ky, kx = (
        cov.kernel(n, s, torch.float64, torch.device("cpu")).numpy()
        for n, s in zip(shape, (1.5, 2.0, 2.0), strict=True)
    )
    b = np.kron(np.kron(kt, ky), kx)
    obs = np.isfinite(y.ravel())
    d = y.ravel()[obs] - background
    w = np.linalg.solve(b[np.ix_(obs, obs)] + 0.05 * np.eye(obs.sum()), d)
    dense = background + b[:, obs] @ w
    exact = optimal_interpolation(y, cov, background=background, rtol=1e-9).numpy()
    np.testing.assert_allclose(exact.ravel(), dense, atol=1e-7)
    # Blocks of 3 days with a 4T = 6-day margin: the neglected days change the analysis a little
    # (0.02 measured for this case, values of order 1).
    blocks = optimal_interpolation(y, cov, background=background, block_days=3, rtol=1e-9).numpy()
    np.testing.assert_allclose(blocks.ravel(), dense, atol=0.05)


def test_oi_covariance_fit_recovers_known_scales() -> None:
    """Fitted L, T, σ², σ_o² of a sampled Gaussian random field are within 20 % of the truth."""
    true = GaussianCovariance(variance=1.0, length_scale=3.0, time_scale=2.0, noise_variance=0.1)
    field = _gaussian_field((60, 32, 32), true, seed=1)
    rng = np.random.default_rng(2)
    field = field + rng.normal(0, np.sqrt(true.noise_variance), field.shape)
    field[rng.random(field.shape) < 0.5] = np.nan
    fit = fit_gaussian_covariance(field)
    assert fit.length_scale == pytest.approx(3.0, rel=0.2)
    assert fit.time_scale == pytest.approx(2.0, rel=0.2)
    assert fit.variance == pytest.approx(1.0, rel=0.2)
    assert fit.noise_variance == pytest.approx(0.1, rel=0.5)


def test_cross_validated_scales_recover_the_true_ones() -> None:
    """On a Gaussian field with known L = 3, T = 2, cross-validation on hidden observed pixels
    picks the grid values nearest the truth, starting from wrong scales; σ² and σ_o² stay."""
    true = GaussianCovariance(variance=1.0, length_scale=3.0, time_scale=2.0, noise_variance=0.01)
    field = _gaussian_field((30, 24, 24), true, seed=5)
    rng = np.random.default_rng(6)
    field[rng.random(field.shape) < 0.4] = np.nan
    wrong = GaussianCovariance(variance=1.0, length_scale=9.0, time_scale=5.0, noise_variance=0.01)
    picked = cross_validate_scales(
        field, wrong, length_scales=(1.5, 3.0, 6.0, 9.0), time_scales=(0.7, 2.0, 5.0)
    )
    assert (picked.length_scale, picked.time_scale) == (3.0, 2.0)
    assert (picked.variance, picked.noise_variance) == (1.0, 0.01)
    with pytest.raises(ValueError, match="must not be empty"):
        cross_validate_scales(field, wrong, length_scales=())


def test_oi_reconstructs_a_gaussian_field_better_than_the_background() -> None:
    """On a field drawn from its own prior, OI's hidden-pixel error is well below the prior std."""
    cov = GaussianCovariance(variance=1.0, length_scale=3.0, time_scale=2.0, noise_variance=0.01)
    truth = _gaussian_field((20, 24, 24), cov, seed=3)
    rng = np.random.default_rng(4)
    hidden = rng.random(truth.shape) < 0.7
    obs = np.where(hidden, np.nan, truth)
    analysis = optimal_interpolation(obs, cov).numpy()
    rmse = np.sqrt(np.mean((analysis - truth)[hidden] ** 2))
    assert rmse < 0.2, rmse
    with pytest.raises(ValueError, match="no observed pixel"):
        optimal_interpolation(np.full((2, 4, 4), np.nan), cov)
    with pytest.raises(ValueError, match="length_scale"):
        GaussianCovariance(1.0, -1.0, 1.0, 0.1)


def test_windowed_oi_averages_the_analyses_of_the_windows_that_contain_each_day() -> None:
    """Windowed OI (the information of a 3-day window network) equals, day by day, the mean of
    the OI analyses of the windows that contain the day; a window of the whole record is OI of
    the record; on a field drawn from its prior, more days in the window give a smaller error."""
    cov = GaussianCovariance(variance=1.0, length_scale=3.0, time_scale=2.0, noise_variance=0.01)
    truth = _gaussian_field((8, 12, 12), cov, seed=5)
    hidden = np.random.default_rng(6).random(truth.shape) < 0.7
    obs = np.where(hidden, np.nan, truth)
    windowed = windowed_optimal_interpolation(obs, cov, n_days=3, background=0.2).numpy()
    assert windowed.shape == truth.shape
    windows = [optimal_interpolation(obs[s : s + 3], cov, background=0.2).numpy() for s in range(6)]
    np.testing.assert_allclose(windowed[0], windows[0][0])  # day 0: in window 0 only
    np.testing.assert_allclose(windowed[1], (windows[0][1] + windows[1][0]) / 2)
    np.testing.assert_allclose(windowed[4], (windows[2][2] + windows[3][1] + windows[4][0]) / 3)
    np.testing.assert_allclose(
        windowed_optimal_interpolation(obs, cov, n_days=8).numpy(), optimal_interpolation(obs, cov).numpy()
    )
    errors = [
        np.sqrt(np.mean((windowed_optimal_interpolation(obs, cov, n).numpy() - truth)[hidden] ** 2))
        for n in (1, 8)
    ]
    assert errors[1] < 0.8 * errors[0], errors
    for n_days in (0, 9):
        with pytest.raises(ValueError, match="n_days"):
            windowed_optimal_interpolation(obs, cov, n_days)


def test_dineof_recovers_a_low_rank_field_and_its_rank() -> None:
    """A rank-3 space-time field with 50 % gaps and small noise: DINEOF (Beckers & Rixen 2003)
    needs at least the 3 true modes by cross-validation (a few more help while the EM iterations
    are stopped at tol=1e-3: 7 measured) and fills the gaps to within twice the noise."""
    rng = np.random.default_rng(5)
    spatial = rng.normal(size=(3, 16 * 16))
    temporal = rng.normal(size=(80, 3)) * np.array([3.0, 2.0, 1.0])
    truth = (temporal @ spatial).reshape(80, 16, 16)
    noisy = truth + rng.normal(0, 0.05, truth.shape)
    hidden = rng.random(truth.shape) < 0.5
    result = dineof(np.where(hidden, np.nan, noisy), max_modes=10, seed=0)
    assert 3 <= result.n_modes <= 9, result.cv_rmse
    rmse = np.sqrt(np.mean((result.reconstruction.numpy() - truth)[hidden] ** 2))
    assert rmse < 0.1, rmse
    with pytest.raises(ValueError, match="max_modes"):
        dineof(truth, max_modes=80)


WINDOW_COVARIANCE = GaussianCovariance(variance=1.0, length_scale=3.0, time_scale=2.0, noise_variance=0.05)


def _unet_on_window_oi(n_days: int) -> WindowOIFirstGuess:
    return WindowOIFirstGuess(MaskedUNet(n_days=n_days, first_guess=True), WINDOW_COVARIANCE)


@pytest.mark.parametrize("model_class", [MaskedUNet, LearnedVariationalInterpolator, _unet_on_window_oi])
def test_neural_interpolators_shapes_gradients_and_gap_invariance(model_class) -> None:
    """Output has the window shape, gradients reach every parameter, values under the mask do
    not leak into the output (the model never sees what is hidden: for the U-Net on each
    window's OI, neither the OI), and eval mode works under ``torch.no_grad`` (the variational
    solver re-enables autograd for ∇U)."""
    torch.manual_seed(0)
    model = model_class(n_days=3)
    y = torch.randn(2, 3, 8, 12)
    mask = (torch.rand(2, 3, 8, 12) > 0.5).float()
    out = model(y, mask)
    assert out.shape == (2, 3, 8, 12)
    out.pow(2).mean().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    with torch.no_grad():
        a = model(y, mask)
        b = model(y + 10.0 * (1 - mask), mask)
    torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="model built for 3 days"):
        model(y[:, :2], mask[:, :2])


def test_batched_oi_solves_every_record_alone() -> None:
    """OI of a batch of records (batch, time, lat, lon) equals the OI of each record alone, a
    record with no observation getting its background."""
    cov = GaussianCovariance(variance=1.0, length_scale=2.0, time_scale=1.5, noise_variance=0.05)
    rng = np.random.default_rng(7)
    y = rng.normal(size=(3, 4, 6, 5))
    y[rng.random(y.shape) < 0.5] = np.nan
    y[2] = np.nan
    batched = optimal_interpolation(y, cov, background=0.1, rtol=1e-10).numpy()
    for record in range(2):
        alone = optimal_interpolation(y[record], cov, background=0.1, rtol=1e-10).numpy()
        np.testing.assert_allclose(batched[record], alone, atol=1e-8)
    np.testing.assert_allclose(batched[2], 0.1)
    with pytest.raises(ValueError, match="time, lat, lon"):
        optimal_interpolation(y[0, 0], cov)


def test_window_oi_first_guess_is_the_oi_of_each_window() -> None:
    """The U-Net on each window's OI is the U-Net given, as first guess, the OI of every window
    of the batch alone from its observed pixels (to CG's residual of 1e-3)."""
    torch.manual_seed(0)
    model = _unet_on_window_oi(3).eval()
    y = torch.randn(2, 3, 8, 12)
    mask = (torch.rand(2, 3, 8, 12) > 0.5).float()
    observed = torch.where(mask > 0, y, torch.nan)
    with torch.no_grad():
        oi = torch.stack([optimal_interpolation(w, WINDOW_COVARIANCE, rtol=1e-9).float() for w in observed])
        torch.testing.assert_close(model(y, mask), model.net(y, mask, oi), atol=1e-2, rtol=0)
    with pytest.raises(ValueError, match="first_guess=True"):
        WindowOIFirstGuess(MaskedUNet(n_days=3), WINDOW_COVARIANCE)


@pytest.mark.parametrize("model_class", [MaskedUNet, LearnedVariationalInterpolator])
def test_neural_interpolators_start_from_a_first_guess(model_class) -> None:
    """Given a first guess x_b (e.g. the OI analysis), the U-Net returns x_b + a learned
    correction (x_b itself when the output layer is zero) and the variational solver starts
    from x_0 = x_b (x_b itself when the update layer is zero); gaps still do not leak."""
    torch.manual_seed(0)
    kwargs = {"first_guess": True} if model_class is MaskedUNet else {}
    model = model_class(n_days=3, **kwargs)
    y = torch.randn(2, 3, 8, 12)
    mask = (torch.rand(2, 3, 8, 12) > 0.5).float()
    guess = torch.randn(2, 3, 8, 12)
    out = model(y, mask, guess)
    assert out.shape == (2, 3, 8, 12)
    out.pow(2).mean().backward()
    assert all(p.grad is not None for p in model.parameters())
    last = model.head if model_class is MaskedUNet else model.solver.out
    with torch.no_grad():
        last.weight.zero_()
        last.bias.zero_()
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(y, mask, guess), guess)
        torch.testing.assert_close(model(y + 10.0 * (1 - mask), mask, guess), guess)
    with pytest.raises(ValueError, match="first_guess must have the shape"):
        model(y, mask, guess[:, :, :4])
    if model_class is MaskedUNet:
        with pytest.raises(ValueError, match="built with first_guess=True"):
            model(y, mask)
        with pytest.raises(ValueError, match="built with first_guess=False"):
            MaskedUNet(n_days=3)(y, mask, guess)


def test_training_pairs_from_observations_never_use_unobserved_pixels() -> None:
    """pairs='observations': the input mask is a subset of the observed pixels, the target
    mask is observed-but-hidden, and the input is zero on hidden pixels."""
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(12, 8, 8)).astype(np.float32)
    mask = rng.random(obs.shape) > 0.4
    obs[~mask] = np.nan
    windows = GappyWindows(obs, mask, n_days=4, pairs="observations", seed=0)
    assert len(windows) == 9
    y, m, target, tm = (t.numpy() for t in windows[2])
    observed = mask[2:6]
    assert np.all(m <= observed) and np.all(tm <= observed)
    assert not np.any((m > 0) & (tm > 0)) and tm.sum() > 0
    assert np.all(y[tm > 0] == 0)
    np.testing.assert_array_equal(target[tm > 0], obs[2:6][tm > 0])
    with pytest.raises(ValueError, match="needs the truth"):
        GappyWindows(obs, mask, n_days=4, pairs="osse")
    with pytest.raises(ValueError, match="first guess needs pairs='osse'"):
        GappyWindows(obs, mask, n_days=4, pairs="observations", first_guess=np.zeros_like(obs))


def test_oi_first_guess_comes_from_each_period_alone() -> None:
    """first_guess='oi': the OI of each period uses only that period's observations, with the
    covariance fitted on the training observations, and rides along as a fifth tensor."""
    data = observe_sediment(simulate_sediment(40, seed=0, config=SedimentConfig(n_lat=16, n_lon=16)), seed=0)
    dm = InterpolationDataModule(data, (20, 10), n_days=3, first_guess="oi")
    mean, std = dm.normaliser.mean.numpy().astype(np.float64), float(dm.normaliser.std)
    test_obs = np.log10(data["observation"].values[30:])
    expected = optimal_interpolation(test_obs, dm.covariance, background=mean).numpy()
    np.testing.assert_allclose(dm.first_guess("test") * std + mean, expected, atol=1e-5)
    fit = fit_gaussian_covariance(np.log10(data["observation"].values[:20]) - dm.normaliser.mean.numpy())
    assert dm.covariance == fit
    batch = dm.windows("train")[0]
    assert len(batch) == 5
    np.testing.assert_allclose(batch[4].numpy(), dm.first_guess("train")[:3])
    with pytest.raises(ValueError, match="needs pairs='osse'"):
        InterpolationDataModule(data, (20, 10), n_days=3, pairs="observations", first_guess="oi")
    with pytest.raises(ValueError, match="first_guess must be None or 'oi'"):
        InterpolationDataModule(data, (20, 10), n_days=3, first_guess="dineof")


def test_normaliser_and_sliding_reconstruction_round_trip() -> None:
    """The log10 Normaliser inverts exactly; reconstruct() with an identity model returns the input."""
    rng = np.random.default_rng(1)
    field = 10 ** rng.normal(0.5, 0.3, size=(10, 8, 8))
    norm = Normaliser.fit(field, n_axes=1, std_axes=3, log10=True)
    np.testing.assert_allclose(norm.inverse(norm(field)), field, rtol=1e-5)

    class Identity(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(()))

        def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.w * y

    z = norm(field)
    out = reconstruct(Identity(), z, np.ones(z.shape, dtype=bool), n_days=3)
    np.testing.assert_allclose(out, z, atol=1e-6)


def test_metrics_are_computed_on_hidden_pixels_only() -> None:
    """Perfect on hidden pixels → RMSE 0 and R² = 1 whatever happens on observed pixels; the
    mean of the truth as estimate → R² = 0 and nRMSE = 1; a constant factor 2 → log RMSE
    = log10 2."""
    rng = np.random.default_rng(2)
    truth = 10 ** rng.normal(0.5, 0.4, size=(5, 6, 6))
    hidden = rng.random(truth.shape) < 0.5
    estimate = np.where(hidden, truth, 100.0)
    s = hidden_pixel_scores(estimate, truth, hidden)
    assert s["rmse"] == 0 and s["r2_log"] == 1 and s["n_hidden"] == hidden.sum()
    mean = np.full_like(truth, truth[hidden].mean())
    s = hidden_pixel_scores(mean, truth, hidden)
    assert s["r2"] == pytest.approx(0.0, abs=1e-12) and s["nrmse"] == pytest.approx(1.0)
    s = hidden_pixel_scores(2 * truth, truth, hidden)
    assert s["rmse_log"] == pytest.approx(np.log10(2)) and s["explained_variance_log"] == pytest.approx(1)
    with pytest.raises(ValueError, match="shapes differ"):
        hidden_pixel_scores(truth[0], truth, hidden)
