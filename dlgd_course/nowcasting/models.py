"""U-Net nowcaster (Ronneberger et al. 2015, MICCAI) over stacked past frames.

Input (batch, n_past, n_channels, H, W): the past frames of the cloud mask and the satellite
channels are stacked along the channel axis (as in Berthomier et al. 2020, who stack past
cloud-type frames), giving ``n_past × n_channels`` input channels; output the logits of the
cloud mask at the ``n_leads`` next frames, (batch, n_leads, H, W). Three resolution levels,
H and W multiples of 4.
"""

from __future__ import annotations

import torch
from torch import nn

from dlgd_course.own_work import guard_answer

__all__ = ["NowcastUNet"]


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class NowcastUNet(nn.Module):
    """(B, n_past, n_channels, H, W) -> logits (B, n_leads, H, W); ``width`` channels at full
    resolution, doubled at each of the two coarser levels."""

    def __init__(self, n_past: int = 6, n_channels: int = 4, n_leads: int = 4, width: int = 16) -> None:
        super().__init__()
        self.n_past, self.n_channels, self.n_leads = n_past, n_channels, n_leads
        c = width
        self.enc1 = _block(n_past * n_channels, c)
        self.enc2 = _block(c, 2 * c)
        self.bottom = _block(2 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = _block(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec1 = _block(2 * c, c)
        self.head = nn.Conv2d(c, n_leads, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, past: torch.Tensor) -> torch.Tensor:
        guard_answer()
        expected = (self.n_past, self.n_channels)
        if past.ndim != 5 or tuple(past.shape[1:3]) != expected:
            raise ValueError(
                f"past must be (batch, {expected[0]}, {expected[1]}, H, W), got {tuple(past.shape)}"
            )
        if past.shape[-1] % 4 or past.shape[-2] % 4:
            raise ValueError(f"H and W must be multiples of 4, got {tuple(past.shape[-2:])}")
        x = past.flatten(1, 2)
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1)
