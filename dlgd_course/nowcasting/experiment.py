"""End-to-end comparison on synthetic scenes: persistence, optical-flow extrapolation and the
U-Net, scored per lead time on the test block (the question of Berthomier et al. 2020, IPTA,
on MeteoNet cloud masks: 6 past frames, 4 future masks, 15 min apart).

Reference numbers (this course, ``run()`` defaults: 128 × 128 pixels, 20 days, seed 0,
441 training / 138 test windows, 10 epochs, 239 s on 2 CPU cores,
``benchmarks/nowcasting_unet.py``), test IoU at 15 / 30 / 45 / 60 min:

    persistence    0.663 0.543 0.454 0.389
    extrapolation  0.688 0.595 0.524 0.468
    U-Net          0.698 0.612 0.540 0.481

The slow test runs a 64 × 64, 12-day set-up on three seeds: there the U-Net beats
persistence at every lead and is level with extrapolation (not ahead on every seed).
"""

from __future__ import annotations

import time

import numpy as np
import pytorch_lightning as pl
import xarray as xr

from dlgd_course.notebook import quiet_trainer
from dlgd_course.nowcasting.baselines import extrapolation_forecast, persistence_forecast
from dlgd_course.nowcasting.lightning import (
    NowcastDataModule,
    NowcastModule,
    baseline_inputs,
    predict_masks,
)
from dlgd_course.nowcasting.metrics import mask_scores
from dlgd_course.nowcasting.models import NowcastUNet
from dlgd_course.nowcasting.synthetic import simulate_clouds, split_in_time

__all__ = ["CHANNELS", "run"]

CHANNELS = ("mask", "ir108", "vis06", "wv062")


def run(
    size: int = 128,
    n_days: int = 20,
    max_epochs: int = 10,
    seed: int = 0,
    width: int = 16,
    train_stride: int = 3,
    eval_stride: int = 2,
    batch_size: int = 16,
) -> dict[str, object]:
    """Simulate, split 70/15/15 in time, train the U-Net and score the three methods.

    Returns ``scores`` (method -> :func:`mask_scores` Dataset), ``train_seconds``,
    ``n_train``/``n_test`` windows.
    """
    pl.seed_everything(seed, workers=True, verbose=False)
    ds = simulate_clouds(96 * n_days, size=size, seed=seed)
    dm = NowcastDataModule(
        split_in_time(ds),
        channels=CHANNELS,
        batch_size=batch_size,
        train_stride=train_stride,
        eval_stride=eval_stride,
        seed=seed,
    )
    test = dm.windows["test"]
    past, tracer, future = baseline_inputs(test)
    scores: dict[str, xr.Dataset] = {
        "persistence": mask_scores(persistence_forecast(past, 4), future),
        "extrapolation": mask_scores(extrapolation_forecast(past, 4, tracer=tracer), future),
    }
    model = NowcastUNet(n_channels=len(CHANNELS), width=width)
    start = time.perf_counter()
    quiet_trainer(max_epochs=max_epochs).fit(NowcastModule(model, max_epochs=max_epochs), dm)
    seconds = time.perf_counter() - start
    predicted, observed = predict_masks(model, test)
    if not np.array_equal(observed, future):
        raise RuntimeError("U-Net and baselines were scored on different targets")
    scores["unet"] = mask_scores(predicted, observed)
    return {
        "scores": scores,
        "train_seconds": seconds,
        "n_train": len(dm.windows["train"]),
        "n_test": len(test),
    }
