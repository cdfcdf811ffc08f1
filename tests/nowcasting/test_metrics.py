"""Accuracy, IoU (= CSI) and F1 per lead (dlgd_course.nowcasting.metrics)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from dlgd_course.nowcasting import mask_scores, plot_scores


def test_scores_from_a_hand_made_table() -> None:
    """Lead 1: TP 2, FP 1, FN 1, TN 4 -> accuracy 6/8, IoU 2/4, F1 4/6; lead 2 perfect."""
    target = np.zeros((1, 2, 2, 4), bool)
    target[0, :, 0, :3] = True
    forecast = target.copy()
    forecast[0, 0, 0, 0] = False
    forecast[0, 0, 1, 3] = True
    scores = mask_scores(forecast, target)
    assert scores["lead"].values.tolist() == [15, 30]
    assert scores["accuracy"].values == pytest.approx([6 / 8, 1])
    assert scores["iou"].values == pytest.approx([2 / 4, 1])
    assert scores["f1"].values == pytest.approx([4 / 6, 1])
    assert np.array_equal(scores["csi"].values, scores["iou"].values)


def test_scores_are_pooled_over_samples() -> None:
    """A clear sample with one false alarm weighs one pixel, not one sample."""
    target = np.zeros((2, 1, 4, 4), bool)
    target[0, 0] = True
    forecast = target.copy()
    forecast[1, 0, 0, 0] = True
    assert mask_scores(forecast, target)["iou"].item() == pytest.approx(16 / 17)


def test_shape_mismatch_and_plot() -> None:
    with pytest.raises(ValueError, match="N, n_leads, H, W"):
        mask_scores(np.zeros((1, 2, 3, 3)), np.zeros((1, 2, 3, 4)))
    scores = mask_scores(np.ones((1, 4, 2, 2)), np.ones((1, 4, 2, 2)))
    axes = plot_scores({"a": scores})
    assert len(axes) == 3 and len(axes[1].lines) == 1
