"""A small OSSE end to end (slow): every method fills the cloud gaps of the test period better
than the training climatology, and the learned interpolator beats OI, scored on hidden pixels
only.

Setting: 220 days of 32×32 synthetic sediment (seed 0), 160 train / 20 validation / 40 test
days, ~55 % missing. Reference numbers measured with this setting are in each test; the table of
the project page comes from ``benchmarks/interpolation_table.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import pytorch_lightning as pl
import xarray as xr

from dlgd_course.interpolation import (
    InterpolationDataModule,
    LearnedVariationalInterpolator,
    MaskedUNet,
    SedimentConfig,
    dineof,
    fit_gaussian_covariance,
    hidden_pixel_scores,
    observe_sediment,
    optimal_interpolation,
    reconstruct,
    simulate_sediment,
    train_interpolator,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def osse() -> dict:
    data = observe_sediment(simulate_sediment(220, seed=0, config=SedimentConfig(n_lat=32, n_lon=32)), seed=0)
    dm = InterpolationDataModule(data, (160, 20), n_days=3, pairs="osse", batch_size=16)
    test: xr.Dataset = data.isel(time=dm.ranges["test"])
    truth, obs, mask = test["truth"].values, test["observation"].values, test["mask"].values
    climatology = np.broadcast_to(10.0 ** dm.normaliser.mean.numpy(), truth.shape)
    reference = hidden_pixel_scores(climatology, truth, ~mask)
    return {"data": data, "dm": dm, "truth": truth, "obs": obs, "mask": mask, "climatology": reference}


def test_oi_and_dineof_beat_climatology(osse: dict) -> None:
    """OI with the covariance fitted on training anomalies and DINEOF (cross-validated rank)
    both cut the hidden-pixel log10 RMSE of the climatology by more than 30 %
    (measured: climatology 0.333, OI 0.15, DINEOF 0.19 with 15 modes)."""
    mean = osse["dm"].normaliser.mean.numpy().astype(np.float64)
    train_obs = osse["data"]["observation"].values[:160]
    covariance = fit_gaussian_covariance(np.log10(train_obs) - mean)
    oi = 10.0 ** optimal_interpolation(np.log10(osse["obs"]), covariance, background=mean).numpy()
    scores_oi = hidden_pixel_scores(oi, osse["truth"], ~osse["mask"])
    both = np.concatenate([train_obs, osse["obs"]])
    result = dineof(np.log10(both) - mean, max_modes=10)
    din = 10.0 ** (result.reconstruction.numpy()[160:] + mean)
    scores_din = hidden_pixel_scores(din, osse["truth"], ~osse["mask"])
    reference = osse["climatology"]["rmse_log"]
    assert scores_oi["rmse_log"] < 0.7 * reference, (scores_oi, reference)
    assert scores_din["rmse_log"] < 0.7 * reference, (scores_din, reference)
    assert scores_oi["r2_log"] > 0.5


def test_unet_trained_with_lightning_beats_climatology(osse: dict) -> None:
    """The masked U-Net trained 4 epochs on OSSE pairs through the DataModule/LightningModule
    cuts the hidden-pixel log10 RMSE of the climatology by more than 25 % (measured 0.19)."""
    dm = osse["dm"]
    pl.seed_everything(0, workers=True, verbose=False)
    model, _ = train_interpolator(MaskedUNet(n_days=3, channels=16), dm, max_epochs=4, lr=3e-3)
    z = reconstruct(model, dm.normaliser(osse["obs"]), osse["mask"], n_days=3)
    scores = hidden_pixel_scores(dm.normaliser.inverse(z), osse["truth"], ~osse["mask"])
    assert scores["rmse_log"] < 0.75 * osse["climatology"]["rmse_log"], (scores, osse["climatology"])


def test_learned_variational_interpolator_learns(osse: dict) -> None:
    """Three epochs of 4DVarNet training from observation-only pairs (hidden observed pixels)
    beat the climatology on the truth's hidden pixels by more than 10 % (climatology 0.333;
    one epoch measured 0.311, not enough; three epochs pass)."""
    data = osse["data"]
    dm = InterpolationDataModule(data, (160, 20), n_days=3, pairs="observations", batch_size=16)
    pl.seed_everything(0, workers=True, verbose=False)
    model, _ = train_interpolator(LearnedVariationalInterpolator(n_days=3, n_iterations=4), dm, max_epochs=3)
    z = reconstruct(model, dm.normaliser(osse["obs"]), osse["mask"], n_days=3)
    scores = hidden_pixel_scores(dm.normaliser.inverse(z), osse["truth"], ~osse["mask"])
    assert scores["rmse_log"] < 0.9 * osse["climatology"]["rmse_log"], (scores, osse["climatology"])


def test_unet_correcting_oi_beats_oi_in_log_and_mg_per_litre(osse: dict) -> None:
    """The issue's target: the learned interpolator beats OI on hidden-pixel RMSE, in log10
    and in mg/L. A masked U-Net given the OI analysis as first guess (5-day windows, 20
    epochs, loss log-space MSE + mg/L MSE) against the same OI, whose L and T are
    cross-validated on hidden observed training pixels (stronger than the moment fit:
    log10 RMSE 0.130 instead of 0.133 here, mg/L 2.28 instead of 3.12). Measured over
    data/initialisation seeds 0, 1, 2: log10 RMSE ratios to OI 0.918, 0.894, 0.930 and mg/L
    ratios 0.941, 0.861, 0.789 (seed 0 is the one run here); the limits 0.97 hold for all."""
    dm = InterpolationDataModule(
        osse["data"], (160, 20), n_days=5, pairs="osse", batch_size=16, first_guess="oi", oi_scales="cv"
    )
    guess = dm.first_guess("test")
    hidden = ~osse["mask"]
    oi = hidden_pixel_scores(dm.normaliser.inverse(guess), osse["truth"], hidden)
    pl.seed_everything(0, workers=True, verbose=False)
    model, _ = train_interpolator(
        MaskedUNet(n_days=5, channels=24, first_guess=True), dm, max_epochs=20, physical_weight=1.0
    )
    z = reconstruct(model, dm.normaliser(osse["obs"]), osse["mask"], n_days=5, first_guess=guess)
    learned = hidden_pixel_scores(dm.normaliser.inverse(z), osse["truth"], hidden)
    ratios = {"log10": learned["rmse_log"] / oi["rmse_log"], "mg/L": learned["rmse"] / oi["rmse"]}
    assert ratios["log10"] < 0.97 and ratios["mg/L"] < 0.97, (ratios, learned, oi)
