"""U-Net nowcaster (Ronneberger et al. 2015, MICCAI) over stacked past frames.

Input (batch, n_past, n_channels, H, W): the past frames of the cloud mask and the satellite
channels are stacked along the channel axis (as in Berthomier et al. 2020, who stack past
cloud-type frames), giving ``n_past × n_channels`` input channels; output the logits of the
cloud mask at the ``n_leads`` next frames, (batch, n_leads, H, W). The course's two-level
U-Net (:class:`~dlgd_course.nn.UNet`, three resolution levels) with batch normalisation and
ReLU, H and W multiples of 4.
"""

from __future__ import annotations

import torch
from torch import nn

from dlgd_course.nn.networks import UNet
from dlgd_course.own_work import guard_answer

__all__ = ["NowcastUNet"]


class NowcastUNet(UNet):
    """(B, n_past, n_channels, H, W) -> logits (B, n_leads, H, W); ``width`` channels at full
    resolution, doubled at each of the two coarser levels."""

    def __init__(self, n_past: int = 6, n_channels: int = 4, n_leads: int = 4, width: int = 16) -> None:
        super().__init__(n_past * n_channels, n_leads, width=width, batch_norm=True, activation=nn.ReLU)
        self.n_past, self.n_channels, self.n_leads = n_past, n_channels, n_leads

    def forward(self, past: torch.Tensor) -> torch.Tensor:
        guard_answer()
        expected = (self.n_past, self.n_channels)
        if past.ndim != 5 or tuple(past.shape[1:3]) != expected:
            raise ValueError(
                f"past must be (batch, {expected[0]}, {expected[1]}, H, W), got {tuple(past.shape)}"
            )
        return super().forward(past.flatten(1, 2))
