"""The registry of exercise 05 (dlgd_course.assignments.cloud_nowcasting): the check that decides
whether the locked training cell trains the student's U-Net or the course's, and the fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from dlgd_course.assignments.cloud_nowcasting import (
    PARTS,
    iou_per_lead_fallback,
    unet_fallback,
    unet_problem,
)
from dlgd_course.nowcasting import NowcastUNet, mask_scores
from dlgd_course.own_work import OwnWorkError, graded_part


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU()
    )


class _NotebookUNet(nn.Module):
    """The notebook's U-Net; ``variant`` plants a student's mistake in its forward pass."""

    def __init__(self, variant: str = "") -> None:
        super().__init__()
        c, self.variant = 8, variant
        self.enc1, self.enc2, self.bottom = _block(6, c), _block(c, 2 * c), _block(2 * c, 4 * c)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = _block(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec1 = _block(2 * c, c)
        self.head = nn.Conv2d(c, 4, 1)

    def forward(self, past: torch.Tensor) -> torch.Tensor:
        x = past.flatten(1, 2)
        if self.variant == "constant":
            return self.head.bias.view(1, -1, 1, 1).expand(x.shape[0], -1, *x.shape[-2:])
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        logits = self.head(self.dec1(torch.cat([self.up1(d2), e1], dim=1)))
        if self.variant == "sigmoid":
            return torch.sigmoid(logits)
        if self.variant == "detached":
            return logits.detach()
        if self.variant == "one_lead":
            return logits[:, :1]
        return logits


def test_unet_problem_accepts_a_correct_unet_and_leaves_it_unchanged() -> None:
    torch.manual_seed(0)
    model = _NotebookUNet()
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    assert unet_problem(model) is None
    assert all(torch.equal(p, before[n]) and p.grad is None for n, p in model.named_parameters())


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        ("constant", "does not depend on the input"),
        ("sigmoid", "bias of `head`"),
        ("detached", "does not depend on the parameters"),
        ("one_lead", "shape (2, 4, 32, 32)"),
    ],
)
def test_unet_problem_rejects_a_unet_that_cannot_be_trained_as_asked(variant: str, reason: str) -> None:
    torch.manual_seed(0)
    assert reason in (unet_problem(_NotebookUNet(variant)) or "")


def test_unet_problem_rejects_what_is_not_a_module() -> None:
    assert "torch.nn.Module" in unet_problem(lambda past: past)


def test_fallbacks_compute_the_reference_results() -> None:
    model = unet_fallback()
    assert isinstance(model, NowcastUNet) and model(torch.zeros(2, 6, 1, 32, 32)).shape == (2, 4, 32, 32)
    rng = np.random.default_rng(0)
    forecast, target = rng.random((2, 5, 3, 4, 4)) < 0.5
    np.testing.assert_allclose(
        iou_per_lead_fallback(forecast, target), mask_scores(forecast, target)["iou"].values
    )


def test_the_fallbacks_are_locked_with_their_parts() -> None:
    with graded_part("05-cloud-nowcasting", "unet"), pytest.raises(OwnWorkError):
        unet_fallback()
    with graded_part("05-cloud-nowcasting", "iou"), pytest.raises(OwnWorkError):
        iou_per_lead_fallback(np.ones((1, 1, 2, 2), bool), np.ones((1, 1, 2, 2), bool))
    assert PARTS["iou"].trains and not PARTS["unet"].trains
