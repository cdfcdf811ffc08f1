"""RMSE and MSE skill score per lead (dlgd_course.forecasting.metrics)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from dlgd_course.forecasting import plot_skill, rmse_per_lead, skill_score


def test_rmse_per_lead_values() -> None:
    target = torch.zeros(4, 2, 3)
    forecast = torch.zeros(4, 2, 3)
    forecast[:, 1] = 2.0
    forecast[0, 0, 0] = 12.0**0.5  # one squared error of 12 among 12 values -> MSE 1
    assert torch.allclose(rmse_per_lead(forecast, target), torch.tensor([1.0, 2.0]))


def test_rmse_ignores_missing_targets() -> None:
    target = torch.tensor([[[0.0]], [[float("nan")]]])
    forecast = torch.tensor([[[3.0]], [[100.0]]])
    assert rmse_per_lead(forecast, target).item() == pytest.approx(3.0)


def test_rmse_shape_mismatch() -> None:
    with pytest.raises(ValueError, match="shape"):
        rmse_per_lead(torch.zeros(3, 2), torch.zeros(3, 3))


def test_skill_score() -> None:
    assert np.allclose(skill_score([1.0, 2.0, 4.0], [2.0, 2.0, 2.0]), [0.75, 0.0, -3.0])
    with pytest.raises(ValueError, match="positive"):
        skill_score([1.0], [0.0])


def test_plot_skill() -> None:
    fig, axes = plot_skill({"persistence": [1.0, 2.0], "model": [0.5, 1.0]}, [1, 2])
    assert len(axes) == 2 and len(axes[1].lines) == 3  # two models + the zero line
    with pytest.raises(ValueError, match="reference"):
        plot_skill({"model": [1.0]}, [1])
    import matplotlib.pyplot as plt

    plt.close(fig)
