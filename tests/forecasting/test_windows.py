"""Leak-free windows and splits (dlgd_course.forecasting.windows, lightning.ForecastDataModule).

Checks the issue-6 requirement "train/val/test disjoint in time with a gap >= window
length" and that normalisation statistics come from the training block only.
"""

from __future__ import annotations

import pytest
import torch

from dlgd_course.data import time_splits
from dlgd_course.forecasting import ForecastDataModule, make_windows, split_windows
from dlgd_course.forecasting.windows import window_length


def test_make_windows_picks_past_and_leads() -> None:
    series = torch.arange(20.0)[:, None] * torch.tensor([1.0, -1.0])
    history, targets = make_windows(series, n_past=3, leads=(1, 4))
    assert history.shape == (20 - 3 - 4 + 1, 3, 2)
    assert targets.shape == (14, 2, 2)
    # Sample k is issued at time k + 2: history 0..2 of sample 0, targets at 3 and 6.
    assert torch.equal(history[0, :, 0], torch.tensor([0.0, 1.0, 2.0]))
    assert torch.equal(targets[0, :, 0], torch.tensor([3.0, 6.0]))
    assert torch.equal(targets[-1, -1], series[-1])


def test_make_windows_stride() -> None:
    history, _ = make_windows(torch.arange(30.0)[:, None], n_past=2, leads=(1,), stride=5)
    assert history[:, -1, 0].tolist() == [1.0, 6.0, 11.0, 16.0, 21.0, 26.0]


@pytest.mark.parametrize("n_past, leads", [(1, (1, 4, 8)), (10, (5, 60)), (4, (2,))])
def test_splits_share_no_time_step(n_past: int, leads: tuple[int, ...]) -> None:
    """Every time index (input or target) belongs to at most one split, and the blocks are
    separated by at least one window length."""
    series = torch.arange(1000.0)[:, None]
    windows = split_windows(series, n_past, leads)
    used = {}
    for name, w in windows.items():
        used[name] = set(w.history.flatten().tolist()) | set(w.targets.flatten().tolist())
    assert not used["train"] & used["val"]
    assert not used["val"] & used["test"]
    assert not used["train"] & used["test"]
    length = window_length(n_past, leads)
    assert min(used["val"]) - max(used["train"]) > length
    assert min(used["test"]) - max(used["val"]) > length


def test_gap_shorter_than_window_is_refused() -> None:
    with pytest.raises(ValueError, match="leakage"):
        split_windows(torch.zeros(500, 3), n_past=5, leads=(1, 10), gap=3)
    with pytest.raises(ValueError, match="sum to 1"):
        time_splits(100, (0.5, 0.3, 0.3))


@pytest.mark.parametrize("leads", [(), (0,), (3, 2), (1.5,)])
def test_bad_leads(leads) -> None:
    with pytest.raises(ValueError, match="lead"):
        make_windows(torch.zeros(50, 3), n_past=2, leads=leads)


def test_series_shorter_than_window() -> None:
    with pytest.raises(ValueError, match="shorter than one window"):
        make_windows(torch.zeros(5, 3), n_past=3, leads=(4,))


def test_datamodule_normalises_with_train_block_only() -> None:
    series = torch.cat([torch.randn(700, 2), 100.0 + torch.randn(300, 2)])
    dm = ForecastDataModule(series, n_past=2, leads=(1, 2))
    train = series[dm.slices["train"]]
    assert torch.allclose(dm.mean, train.mean(0))
    assert dm.mean.abs().max() < 1.0, "the shifted test block leaked into the statistics"
    history, targets = dm.split_tensors("test")
    assert history.shape[1:] == (2, 2) and targets.shape[1:] == (2, 2)
