"""Exercise 25 — multi-channel, multi-class cloud nowcasting with a ConvLSTM: the library code
each part must not use, the references that later cells fall back on, and the checks of a
usable ConvLSTM cell and nowcaster.

Locked cells need the results of every part: the class map (the samples are cut from it), the
split samples, the per-class IoU and the extrapolation (the scores of the baselines), the
ConvLSTM cell (the nowcaster is built on it) and the nowcaster (the locked cell trains it). They
obtain them with :func:`~dlgd_course.own_work.own_or_reference`; the fallbacks are the
library's references with the notebook's signatures. A student's result is accepted only when
it agrees with the reference: ``cloud_classes``, ``samples``, ``class_iou`` and ``extrapolation``
are ``exact`` (a wrong class map or a leaking split is replaced like a missing one), the cell
must compute the library cell's step with the same weights (:func:`convlstm_cell_problem`) and
the nowcaster the library's forward pass with its own layers (:func:`nowcaster_problem`), so
that a wrong earlier part cannot spoil a later one.
"""

from __future__ import annotations

import torch
from torch import nn

from dlgd_course.forecasting.windows import make_windows
from dlgd_course.nn.networks import ConvLSTMCell
from dlgd_course.nowcasting.lightning import CloudWindows, baseline_inputs
from dlgd_course.nowcasting.metrics import mask_scores
from dlgd_course.nowcasting.multiclass import (
    ConvLSTMNowcaster,
    class_samples,
    cloud_classes,
    convlstm_nowcast,
    extrapolate_class_map,
    extrapolate_samples,
    per_class_iou,
    split_class_samples,
)
from dlgd_course.own_work import Part, guard_answer


def convlstm_cell_fallback(in_channels: int, hidden_channels: int) -> nn.Module:
    """Reference for the notebook's ``ConvLSTMCell(in_channels, hidden_channels)``: the
    course's cell (3 × 3 gates), untrained."""
    guard_answer()
    return ConvLSTMCell(in_channels, hidden_channels)


def convlstm_cell_problem(cell: object, in_channels: int, hidden_channels: int) -> str | None:
    """Why ``cell`` is not the notebook's ConvLSTM cell, or ``None`` when it is.

    On a fixed probe (no global random state used), from a zero state and from a random
    state, ``cell(x, state)`` must return ``(h, c)`` equal to the course's cell's with the same
    ``gates`` weights (to 1e-5). The cell itself is left unchanged.
    """
    if not isinstance(cell, nn.Module) or not isinstance(getattr(cell, "gates", None), nn.Conv2d):
        return "ConvLSTMCell() should build a torch.nn.Module with a Conv2d layer `gates`"
    reference = ConvLSTMCell(in_channels, hidden_channels)
    try:
        reference.load_state_dict(cell.state_dict())
    except RuntimeError as error:
        return (
            f"the cell's layers differ from `gates` of {in_channels} + {hidden_channels} channels ({error})"
        )
    device = cell.gates.weight.device
    reference = reference.to(device)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(2, in_channels, 8, 8, generator=generator).to(device)
    state = tuple(torch.randn(2, hidden_channels, 8, 8, generator=generator).to(device) for _ in range(2))
    with torch.no_grad():
        for given in (None, state):
            got = cell(x, given)
            expected = reference(x, given)
            if not isinstance(got, tuple) or len(got) != 2:
                return f"the cell should return (h, c), got {type(got).__name__}"
            for name, a, b in zip("hc", got, expected, strict=True):
                if type(a) is not torch.Tensor or a.shape != b.shape or not torch.allclose(a, b, atol=1e-5):
                    return f"the cell's {name} differs from the ConvLSTM step"
    return None


def nowcaster_fallback(in_channels: int, hidden_channels: int, n_classes: int, n_leads: int) -> nn.Module:
    """Reference for the notebook's ``Nowcaster(in_channels, hidden_channels, n_classes,
    n_leads)``: the library's ConvLSTM nowcaster of the same sizes, untrained."""
    guard_answer()
    return ConvLSTMNowcaster(in_channels, hidden_channels, n_classes, n_leads)


def nowcaster_problem(
    model: object, in_channels: int, hidden_channels: int, n_classes: int, n_leads: int
) -> str | None:
    """Why ``model`` is not the notebook's nowcaster, or ``None`` when it is: a module with the
    layers ``cell``, ``head`` and ``extrapolation`` whose logits on a fixed probe of 3 past
    frames of 8 × 8 pixels and ``n_leads`` extrapolated maps equal (to 1e-5) the library's
    forward pass with these layers (:func:`~dlgd_course.nowcasting.multiclass.convlstm_nowcast`).
    The model is left unchanged."""
    layers = ("cell", "head", "extrapolation")
    if not isinstance(model, nn.Module) or not all(hasattr(model, name) for name in layers):
        return "Nowcaster() should build a torch.nn.Module with the layers cell, head and extrapolation"
    device = model.extrapolation.device
    generator = torch.Generator().manual_seed(0)
    probe = torch.randn(2, 3, in_channels, 8, 8, generator=generator).to(device)
    extrapolated = torch.rand(2, n_leads, n_classes, 8, 8, generator=generator).to(device)
    with torch.no_grad():
        got = model(probe, extrapolated)
        expected = convlstm_nowcast(model.cell, model.head, model.extrapolation, probe, extrapolated)
    if type(got) is not torch.Tensor or got.shape != expected.shape:
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        return f"forward should return logits of shape {tuple(expected.shape)}, got {shape}"
    if not torch.allclose(got, expected, atol=1e-5):
        return "the logits differ from the nowcaster's forward pass"
    return None


PARTS = {
    # the library's class map of the cloud types
    "cloud_classes": Part(answers=(cloud_classes,), fallback=cloud_classes, exact=True),
    # the library's samples and split, and its windowing routes (generic windows, the binary
    # nowcasting windows)
    "samples": Part(
        answers=(
            class_samples,
            split_class_samples,
            make_windows,
            CloudWindows.__getitem__,
            baseline_inputs,
        ),
        fallback={"make_samples": class_samples, "split_samples": split_class_samples},
        exact=True,
    ),
    # the library's per-class IoU and the binary scores it could be assembled from
    "class_iou": Part(answers=(per_class_iou, mask_scores), fallback=per_class_iou, exact=True),
    # the library's extrapolation of class maps and of samples (motion_field and
    # semi_lagrangian are the student's tools; pysteps' extrapolation is another flow, which the
    # exact comparison with the reference rejects)
    "extrapolation": Part(
        answers=(extrapolate_class_map, extrapolate_samples), fallback=extrapolate_class_map, exact=True
    ),
    # the course's ConvLSTM cell (also reached through the library's nowcaster)
    "convlstm_cell": Part(
        answers=(ConvLSTMCell.forward, convlstm_cell_fallback),
        fallback=convlstm_cell_fallback,
        check=convlstm_cell_problem,
    ),
    # the library's nowcaster and its forward pass; the test checks the model trained in the
    # locked cell
    "nowcaster": Part(
        answers=(ConvLSTMNowcaster.forward, convlstm_nowcast, nowcaster_fallback),
        fallback=nowcaster_fallback,
        check=nowcaster_problem,
        trains=True,
    ),
}
