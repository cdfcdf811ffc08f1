"""Multi-class cloud nowcasting (dlgd_course.nowcasting.multiclass) and the checks of exercise 25's
registry (dlgd_course.assignments.multichannel_nowcasting)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr

from dlgd_course.assignments.multichannel_nowcasting import convlstm_cell_problem, nowcaster_problem
from dlgd_course.nn import ConvLSTMCell
from dlgd_course.nowcasting import simulate_clouds
from dlgd_course.nowcasting.multiclass import (
    ConvLSTMNowcaster,
    class_samples,
    cloud_classes,
    extrapolate_class_map,
    extrapolate_samples,
    per_class_iou,
    split_class_samples,
)


def _scene(n_frames: int) -> xr.Dataset:
    scene = simulate_clouds(n_frames, size=16, seed=3, margin=8)
    scene["classes"] = (("time", "y", "x"), cloud_classes(scene["CT"].values))
    return scene


def test_cloud_classes_groups_the_sixteen_types() -> None:
    assert cloud_classes(np.arange(16)).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 0]
    with pytest.raises(ValueError, match="0..15"):
        cloud_classes(np.array([16]))


def test_samples_are_windows_of_channels_and_one_hot_classes() -> None:
    scene = _scene(30)
    inputs, targets = class_samples(scene, 4, 3)
    assert inputs.shape == (24, 4, 7, 16, 16) and targets.shape == (24, 3, 16, 16)
    classes = scene["classes"].values
    assert torch.equal(inputs[5, :, 3:].argmax(1), torch.as_tensor(classes[5:9]))
    assert torch.equal(targets[5], torch.as_tensor(classes[9:12]))
    ir = (scene["ir108"].values[5:9] - 265.0) / 20.0
    assert np.allclose(inputs[5, :, 0].numpy(), ir, atol=1e-5)


def test_split_samples_never_straddle_two_blocks() -> None:
    split = split_class_samples(_scene(80), 4, 4)
    # blocks of 45, 10 and 9 frames (time_splits with a gap of 8): 38, 3 and 2 windows
    assert {name: len(inputs) for name, (inputs, _) in split.items()} == {"train": 38, "val": 3, "test": 2}


def test_per_class_iou_is_pooled_and_nan_for_absent_classes() -> None:
    target = np.array([[[[0, 1]]], [[[0, 0]]]])
    forecast = np.array([[[[0, 0]]], [[[0, 1]]]])
    iou = per_class_iou(forecast, target, 3)
    assert np.allclose(iou[0, :2], [0.5, 0.0]) and np.isnan(iou[0, 2])


def test_extrapolation_moves_a_class_with_the_tracer() -> None:
    yy, xx = np.mgrid[:32, :32]
    tracer = np.stack([np.exp(-((yy - 16) ** 2 + (xx - 8 - 2 * t) ** 2) / 20) for t in range(4)])
    past = np.zeros((4, 32, 32), np.int64)
    past[-1, 12:20, 12:20] = 2
    out = extrapolate_class_map(past, tracer, 2, 4)
    shifts = [np.nonzero(out[lead] == 2)[1].mean() - 15.5 for lead in range(2)]
    assert 1.4 < shifts[0] < 2.2 and 2.8 < shifts[1] < 4.4


def test_samples_are_extrapolated_one_by_one() -> None:
    inputs, _ = class_samples(_scene(12), 4, 2)
    got = extrapolate_samples(inputs[:3], 2, 4)
    for sample, forecast in zip(inputs[:3], got, strict=True):
        expected = extrapolate_class_map(sample[:, 3:].argmax(1).numpy(), sample[:, 0].numpy(), 2, 4)
        assert np.array_equal(forecast, expected)
    with pytest.raises(ValueError, match="classes"):
        extrapolate_samples(inputs[:, :, :4], 2, 4)


def test_untrained_nowcaster_is_the_extrapolation() -> None:
    model = ConvLSTMNowcaster(7, 4, 4, 3)
    past = torch.zeros(2, 4, 7, 8, 8)
    past[:, -1, 3 + 1] = 1.0  # persistence says class 1
    extrapolated = torch.zeros(2, 3, 4, 8, 8)
    extrapolated[:, :, 2] = 1.0  # the extrapolation says class 2
    with torch.no_grad():
        logits = model(past, extrapolated)
    assert logits.shape == (2, 3, 4, 8, 8) and torch.allclose(logits, extrapolated)
    with pytest.raises(ValueError, match="3 leads"):
        model(past, extrapolated[:, :2])
    with pytest.raises(ValueError, match="matching past"):
        model(past, extrapolated[:, :, :, :4])


def test_registry_checks_accept_the_reference_and_reject_mistakes() -> None:
    cell = ConvLSTMCell(5, 3)
    assert convlstm_cell_problem(cell, 5, 3) is None

    class CellStateOut(ConvLSTMCell):  # returns c' as h' (no output gate, no tanh)
        def forward(self, x: torch.Tensor, state: tuple | None = None) -> tuple:
            _, c = super().forward(x, state)
            return c, c

    assert "differs" in convlstm_cell_problem(CellStateOut(5, 3), 5, 3)
    model = ConvLSTMNowcaster(7, 4, 4, 2)
    assert nowcaster_problem(model, 7, 4, 4, 2) is None
    assert "layers" in nowcaster_problem(torch.nn.Linear(2, 2), 7, 4, 4, 2)

    class PersistenceBase(ConvLSTMNowcaster):  # corrects persistence, not the extrapolation
        def forward(self, past: torch.Tensor, extrapolated: torch.Tensor) -> torch.Tensor:
            last = past[:, -1:, -extrapolated.shape[2] :].expand_as(extrapolated)
            return super().forward(past, extrapolated) + self.extrapolation * (last - extrapolated)

    assert "differ" in nowcaster_problem(PersistenceBase(7, 4, 4, 2), 7, 4, 4, 2)
