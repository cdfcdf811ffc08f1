"""Sliding windows over trajectories, with train/validation/test from disjoint time ranges.

The time axis is cut into three consecutive blocks (fractions ``split_fractions``);
every window lies entirely inside one block, so no time step of a validation or
test window is ever seen in training (no leakage across the split boundaries).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytorch_lightning as pl
import torch
import xarray as xr
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from dlgd_course.own_work import guard_answer

SPLITS = ("train", "val", "test")


def _as_members_time_tensor(series: np.ndarray | Tensor | xr.DataArray) -> Tensor:
    """``(members, time, *features)`` float tensor from an array ``(time, *features)`` or a DataArray."""
    if isinstance(series, xr.DataArray):
        if "time" not in series.dims:
            raise ValueError(f"series must have a 'time' dimension, got dims {series.dims}")
        if "member" in series.dims:
            rest = [d for d in series.dims if d not in ("member", "time")]
            return torch.as_tensor(series.transpose("member", "time", *rest).values)
        rest = [d for d in series.dims if d != "time"]
        return torch.as_tensor(series.transpose("time", *rest).values).unsqueeze(0)
    tensor = torch.as_tensor(np.asarray(series) if not isinstance(series, Tensor) else series)
    if tensor.ndim < 1:
        raise ValueError("series must have at least a time dimension")
    return tensor.unsqueeze(0)


def split_time_ranges(n_times: int, split_fractions: Sequence[float]) -> dict[str, range]:
    """Consecutive, disjoint time-index ranges for train, val and test."""
    fractions = np.asarray(split_fractions, dtype=float)
    if fractions.shape != (3,) or (fractions < 0).any() or not np.isclose(fractions.sum(), 1.0):
        raise ValueError(
            f"split_fractions must be three non-negative numbers summing to 1, got {split_fractions}"
        )
    bounds = np.round(np.concatenate([[0.0], np.cumsum(fractions)]) * n_times).astype(int)
    return {name: range(bounds[i], bounds[i + 1]) for i, name in enumerate(SPLITS)}


class WindowDataset(Dataset):
    """Pairs ``(input (input_length, *features), target (target_length, *features))``.

    ``data`` is ``(members, time, *features)``; ``starts`` are ``(member, time)`` index
    pairs of the first input step. The target follows the input immediately.
    """

    def __init__(
        self, data: Tensor, starts: Sequence[tuple[int, int]], input_length: int, target_length: int
    ):
        self.data = data
        self.starts = list(starts)
        self.input_length = input_length
        self.target_length = target_length

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        guard_answer()
        member, start = self.starts[index]
        middle = start + self.input_length
        return (
            self.data[member, start:middle],
            self.data[member, middle : middle + self.target_length],
        )


class WindowDataModule(pl.LightningDataModule):
    """Lightning DataModule of sliding windows over a trajectory (or an ensemble of them).

    Args:
        series: ``(time, *features)`` array/tensor, or a DataArray with a ``time`` dim
            (and optionally ``member``: windows are taken from every member).
        input_length: steps given to the model.
        target_length: steps to predict after the input (0 for autoencoding tasks).
        batch_size: samples per batch.
        split_fractions: fractions of the time axis for train, val and test.
        stride: steps between the starts of consecutive windows.
        shuffle_seed: seed of the training-set shuffling.
        dtype: dtype of the tensors served (float32 by default).
    """

    def __init__(
        self,
        series: np.ndarray | Tensor | xr.DataArray,
        input_length: int,
        target_length: int = 1,
        batch_size: int = 64,
        split_fractions: Sequence[float] = (0.7, 0.15, 0.15),
        stride: int = 1,
        shuffle_seed: int = 0,
        dtype: torch.dtype = torch.float32,
    ):
        super().__init__()
        for name, value, minimum in (
            ("input_length", input_length, 1),
            ("target_length", target_length, 0),
            ("batch_size", batch_size, 1),
            ("stride", stride, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        self.data = _as_members_time_tensor(series).to(dtype)
        if not torch.isfinite(self.data).all():
            raise ValueError("series contains NaN/inf values")
        self.input_length = input_length
        self.target_length = target_length
        self.batch_size = batch_size
        self.stride = stride
        self.shuffle_seed = shuffle_seed
        self.time_ranges = split_time_ranges(self.data.shape[1], split_fractions)
        window = input_length + target_length
        self.datasets: dict[str, WindowDataset] = {}
        for name, time_range in self.time_ranges.items():
            last_start = time_range.stop - window
            starts = [
                (member, start)
                for member in range(self.data.shape[0])
                for start in range(time_range.start, last_start + 1, stride)
            ]
            if not starts and name == "train":
                raise ValueError(
                    f"the training range ({len(time_range)} steps) is shorter than one window "
                    f"({window} steps): use a longer series or shorter windows"
                )
            self.datasets[name] = WindowDataset(self.data, starts, input_length, target_length)

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.shuffle_seed)
        return DataLoader(
            self.datasets["train"], batch_size=self.batch_size, shuffle=True, generator=generator
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.datasets["val"], batch_size=self.batch_size)

    def test_dataloader(self) -> DataLoader:
        return DataLoader(self.datasets["test"], batch_size=self.batch_size)
