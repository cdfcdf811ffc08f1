"""U-Net, windows, DataModule and loss (dlgd_course.nowcasting.models / lightning)."""

from __future__ import annotations

import numpy as np
import pytest
import pytorch_lightning as pl
import torch

from dlgd_course.notebook import quiet_trainer
from dlgd_course.nowcasting import (
    NORMALISATION,
    CloudWindows,
    NowcastDataModule,
    NowcastModule,
    NowcastUNet,
    dice_loss,
    predict_masks,
    simulate_clouds,
    split_in_time,
)


@pytest.fixture(scope="module")
def scene():
    return simulate_clouds(80, size=32, seed=5)


def test_unet_shapes_and_gradients() -> None:
    """(B, 6, 4, H, W) -> (B, 4, H, W) logits; every parameter gets a gradient."""
    model = NowcastUNet(n_past=6, n_channels=4, n_leads=4, width=8)
    out = model(torch.randn(3, 6, 4, 32, 24))
    assert out.shape == (3, 4, 32, 24)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    with pytest.raises(ValueError, match="multiples of 4"):
        model(torch.randn(1, 6, 4, 30, 32))
    with pytest.raises(ValueError, match=r"\(batch, 6, 4, H, W\)"):
        model(torch.randn(1, 5, 4, 32, 32))


def test_windows_match_the_dataset(scene) -> None:
    """Window i holds normalised frames i..i+5 and the masks CT > 5 of frames i+6..i+9."""
    windows = CloudWindows(scene, ("mask", "ir108"), stride=2)
    assert len(windows) == len(range(0, 80 - 10 + 1, 2))
    past, future = windows[3]
    ct = scene["CT"].values
    assert past.shape == (6, 2, 32, 32) and past.dtype == torch.float32
    assert np.array_equal(future.numpy(), (ct[12:16] > 5).astype(np.float32))
    offset, scale = NORMALISATION["ir108"]
    assert np.allclose(past[:, 1].numpy() * scale + offset, scene["ir108"].values[6:12], atol=1e-3)
    with pytest.raises(ValueError, match="channel"):
        CloudWindows(scene, ("radar",))
    with pytest.raises(ValueError, match="fewer than one window"):
        CloudWindows(scene.isel(time=slice(0, 9)))


def test_datamodule_rejects_overlapping_blocks(scene) -> None:
    parts = split_in_time(scene)
    with pytest.raises(ValueError, match="overlap"):
        NowcastDataModule({"train": parts["val"], "val": parts["train"], "test": parts["test"]})
    with pytest.raises(ValueError, match="lacks"):
        NowcastDataModule({"train": parts["train"]})


def test_dice_loss_limits() -> None:
    """Confident right logits -> Dice loss ~0; confident wrong -> ~1."""
    target = (torch.rand(2, 4, 8, 8) > 0.5).float()
    assert dice_loss(20 * (2 * target - 1), target) < 1e-3
    assert dice_loss(-20 * (2 * target - 1), target) > 0.99


def test_training_lowers_the_loss() -> None:
    """Three epochs of BCE + Dice on a tiny scene reduce the validation loss of the U-Net."""
    pl.seed_everything(0, workers=True, verbose=False)
    dm = NowcastDataModule(
        split_in_time(simulate_clouds(160, size=32, seed=6)), channels=("mask", "ir108"), batch_size=8
    )
    model = NowcastUNet(n_channels=2, width=8)
    module = NowcastModule(model, max_epochs=3)
    val = next(iter(dm.val_dataloader()))
    with torch.no_grad():
        before = module.eval().loss(val).item()
    quiet_trainer(max_epochs=3).fit(module, dm)
    with torch.no_grad():
        after = module.eval().loss(val).item()
    assert after < before
    predicted, observed = predict_masks(model, dm.windows["test"])
    assert predicted.dtype == bool and predicted.shape == observed.shape
