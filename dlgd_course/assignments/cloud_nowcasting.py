"""Exercise 05 — cloud-cover nowcasting as segmentation: the library code each part must not use,
the reference results that later cells fall back on, and the check of a usable U-Net.

The locked training cell needs two earlier results: a U-Net to train (part ``unet``) and the
IoU per lead to score it (part ``iou``). It obtains them with
:func:`~dlgd_course.own_work.own_or_reference`; :func:`unet_fallback` and :func:`iou_per_lead_fallback` are
the references it falls back on, with the notebook's signatures, and :func:`unet_problem` says
why a student's U-Net cannot be trained (so that a broken forward pass costs only the points
of part ``unet``). No later cell needs ``make_samples`` (the training streams its windows from
the library's DataModule) nor ``dice_loss`` (the library's training module has its own).
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from dlgd_course.forecasting.windows import make_windows
from dlgd_course.nn.networks import UNet
from dlgd_course.nowcasting.lightning import CloudWindows, baseline_inputs, dice_loss
from dlgd_course.nowcasting.metrics import mask_scores
from dlgd_course.nowcasting.models import NowcastUNet
from dlgd_course.nowcasting.synthetic import cloud_mask
from dlgd_course.own_work import Part, guard_answer


def unet_fallback(n_past: int = 6, n_channels: int = 1, n_leads: int = 4, width: int = 8) -> nn.Module:
    """Reference for the notebook's ``UNet(n_past, n_channels, n_leads, width)``: the library's
    U-Net of the same sizes (with batch normalisation), untrained."""
    guard_answer()
    return NowcastUNet(n_past=n_past, n_channels=n_channels, n_leads=n_leads, width=width)


def iou_per_lead_fallback(forecast: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Reference for the notebook's ``iou_per_lead``: IoU of the cloud class per lead, pooled
    over samples and pixels, for boolean (N, L, H, W) forecasts and targets."""
    guard_answer()
    return np.asarray(mask_scores(forecast, target)["iou"].values, dtype=float)


def unet_problem(
    model: object, n_past: int = 6, n_leads: int = 4, size: tuple[int, int] = (32, 32)
) -> str | None:
    """Why ``model`` cannot be trained as the notebook's U-Net, or ``None`` when it can.

    Checked on a fixed probe of two random ±1 mask sequences (no global random state used):
    it is a module with trainable parameters, returns finite floating-point logits of shape
    ``(2, n_leads, H, W)`` that depend on the input (the two samples differ) and on the
    parameters (the gradient of the output reaches them), and, on a copy whose parameters are
    all zero but the bias of ``head``, returns that bias everywhere: the logits come from the
    layer ``head``, with no activation after it (the property that Part 2's visible test shows).
    The model itself is left unchanged.
    """
    if not isinstance(model, nn.Module):
        return f"UNet() should build a torch.nn.Module, got {type(model).__name__}"
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        return "the U-Net has no trainable parameters"
    generator = torch.Generator().manual_seed(0)
    probe = 2 * (torch.rand(2, n_past, 1, *size, generator=generator) > 0.5).float() - 1
    probe = probe.to(params[0].device)
    out = model(probe)
    expected = (2, n_leads, *size)
    if type(out) is not torch.Tensor or tuple(out.shape) != expected:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        return f"forward should return logits of shape {expected}, got {got}"
    if not out.dtype.is_floating_point or not bool(torch.isfinite(out).all()):
        return "forward should return finite floating-point logits"
    if torch.allclose(out[0], out[1]):
        return "the output does not depend on the input"
    if not out.requires_grad:
        return "the output does not depend on the parameters (no gradient)"
    grads = torch.autograd.grad(out.square().mean(), params, allow_unused=True)
    if not any(g is not None and bool(g.abs().sum() > 0) for g in grads):
        return "no gradient reaches the parameters"
    zeroed = copy.deepcopy(model)
    bias = torch.arange(n_leads, dtype=out.dtype, device=probe.device) - 1.5
    with torch.no_grad():
        for p in zeroed.parameters():
            p.zero_()
        zeroed.head.bias.copy_(bias)
        constant = zeroed(probe)
    if not torch.allclose(constant, bias.view(1, -1, 1, 1).expand(expected), atol=1e-5):
        return "with all weights zero the logits should be the bias of `head` (no activation after it)"
    return None


PARTS = {
    # the windows of masks: the library's windowing (generic or of cloud scenes) and its mask
    "samples": Part(
        answers=(
            make_windows,
            CloudWindows.__getitem__,
            baseline_inputs,
            cloud_mask,
        )
    ),
    # the library's U-Nets (the course's two-level U-Net and the nowcasting one that derives
    # from it; the fallback builds one)
    "unet": Part(
        answers=(UNet.forward, NowcastUNet.forward, unet_fallback), fallback=unet_fallback, check=unet_problem
    ),
    # the library's Dice loss (also reached through NowcastModule.loss)
    "dice": Part(answers=(dice_loss,)),
    # the library's pooled scores; the test checks the U-Net trained in the locked cell
    "iou": Part(answers=(mask_scores, iou_per_lead_fallback), fallback=iou_per_lead_fallback, trains=True),
}
