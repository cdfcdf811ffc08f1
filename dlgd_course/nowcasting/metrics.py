"""Categorical scores of binary cloud-mask forecasts per lead time.

From the contingency table summed over samples and pixels (hits TP, false alarms FP,
misses FN, correct negatives TN) at each lead:

    accuracy = (TP + TN) / N,   IoU = CSI = TP / (TP + FP + FN),   F1 = 2 TP / (2 TP + FP + FN).

IoU of the cloud class equals the critical success index (Schaefer 1990, Wea. Forecasting 5,
570-575); F1 equals the Dice coefficient. Scores are pooled over samples, not averaged
per sample, so that nearly clear scenes do not dominate.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from dlgd_course.own_work import guard_answer

__all__ = ["mask_scores", "plot_scores"]


def mask_scores(forecast: np.ndarray, target: np.ndarray, step_minutes: int = 15) -> xr.Dataset:
    """Scores per lead of forecasts (N, n_leads, H, W) against targets of the same shape.

    Returns a Dataset over ``lead`` (minutes) with ``accuracy``, ``iou``, ``f1``, ``csi``
    (= iou) and the counts ``tp``, ``fp``, ``fn``, ``tn``.
    """
    guard_answer()
    forecast, target = np.asarray(forecast).astype(bool), np.asarray(target).astype(bool)
    if forecast.shape != target.shape or forecast.ndim != 4:
        raise ValueError(
            f"forecast and target must both be (N, n_leads, H, W), got {forecast.shape} and {target.shape}"
        )
    axes = (0, 2, 3)
    tp = (forecast & target).sum(axes).astype(float)
    fp = (forecast & ~target).sum(axes).astype(float)
    fn = (~forecast & target).sum(axes).astype(float)
    tn = (~forecast & ~target).sum(axes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = tp / (tp + fp + fn)
        f1 = 2 * tp / (2 * tp + fp + fn)
    lead = step_minutes * np.arange(1, forecast.shape[1] + 1)
    dims = ("lead",)
    return xr.Dataset(
        {
            "accuracy": (dims, (tp + tn) / (tp + fp + fn + tn)),
            "iou": (dims, iou),
            "csi": (dims, iou),
            "f1": (dims, f1),
            "tp": (dims, tp),
            "fp": (dims, fp),
            "fn": (dims, fn),
            "tn": (dims, tn),
        },
        coords={"lead": ("lead", lead, {"units": "min"})},
    )


def plot_scores(scores: dict[str, xr.Dataset], metrics: Sequence[str] = ("accuracy", "iou", "f1"), ax=None):
    """One panel per metric, one line per method, against lead time. Returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.2))
    ax = np.atleast_1d(ax)
    for panel, metric in zip(ax, metrics, strict=True):
        for name, ds in scores.items():
            panel.plot(ds["lead"], ds[metric], marker="o", label=name)
        panel.set_xlabel("lead time (min)")
        panel.set_ylabel(metric)
    ax[0].legend()
    return ax
