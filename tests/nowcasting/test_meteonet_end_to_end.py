"""The nowcasting pipeline end to end on MeteoNet's published cloud-type sample
(tests/data/meteonet/CT_NW_2016.nc: 2016-01-01 00:00–02:15 UTC, the 01:15 frame missing).

The sample is too short to train anything that means something: what is checked is that the
real file goes through every step of the theme (windows that respect the gap, both
baselines, the U-Net trained and evaluated, the scores), in the layout the synthetic data have.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from dlgd_course.notebook import quiet_trainer
from dlgd_course.nowcasting import (
    CloudWindows,
    NowcastModule,
    NowcastUNet,
    baseline_inputs,
    extrapolation_forecast,
    mask_scores,
    open_meteonet_cloud_type,
    persistence_forecast,
    predict_masks,
)

SAMPLE = Path(__file__).parents[1] / "data" / "meteonet" / "CT_NW_2016.nc"


def test_pipeline_on_the_published_cloud_type_sample() -> None:
    scene = open_meteonet_cloud_type(SAMPLE)
    with pytest.raises(ValueError, match="multiples of 4"):  # 188 × 261 pixels as published
        NowcastUNet(n_past=2, n_channels=1, n_leads=1, width=4)(torch.zeros(1, 2, 1, 188, 261))
    scene = scene.isel(x=slice(0, 260))  # the U-Net's two poolings need multiples of 4
    before_gap, after_gap = scene.isel(time=slice(0, 5)), scene.isel(time=slice(5, None))
    train = CloudWindows(before_gap, n_past=2, n_leads=1)  # 00:00 … 01:00: 3 windows
    test = CloudWindows(after_gap, n_past=2, n_leads=1)  # 01:30 … 02:15: 2 windows
    assert (len(train), len(test), len(CloudWindows(scene, n_past=2, n_leads=1))) == (3, 2, 5)

    past, tracer, future = baseline_inputs(test)
    assert past.shape == (2, 2, 188, 260) and future.shape == (2, 1, 188, 260)
    scores = {
        "persistence": mask_scores(persistence_forecast(past, 1), future),
        "extrapolation": mask_scores(extrapolation_forecast(past, 1, tracer=tracer), future),
    }
    pl.seed_everything(0, workers=True, verbose=False)
    model = NowcastUNet(n_past=2, n_channels=1, n_leads=1, width=4)
    quiet_trainer(max_epochs=2).fit(NowcastModule(model, max_epochs=2), DataLoader(train, batch_size=3))
    predicted, observed = predict_masks(model, test)
    np.testing.assert_array_equal(observed, future)
    scores["unet"] = mask_scores(predicted, observed)
    for name, ds in scores.items():
        iou = ds["iou"].values
        assert iou.shape == (1,) and 0.0 <= iou[0] <= 1.0, f"{name}: IoU {iou}"
    # 15 minutes ahead on real clouds, persistence is already a strong baseline
    assert scores["persistence"]["iou"].values[0] > 0.5
