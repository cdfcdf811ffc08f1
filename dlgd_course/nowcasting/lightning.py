"""Windows of satellite sequences, a streaming DataModule and a segmentation LightningModule.

A sample is ``n_past`` frames of the stacked channels (the cloud mask ``CT > 5`` first, then
the satellite channels, normalised by fixed constants) and the masks of the ``n_leads``
following frames. Windows are read from the ``xarray.Dataset`` one at a time (``isel``), so a
lazily opened MeteoNet file is never loaded whole. Train with
:func:`dlgd_course.notebook.quiet_trainer`.

Loss: binary cross-entropy on the logits plus ``dice_weight`` × soft Dice loss
(Milletari et al. 2016), ``1 - (2 Σ p y + 1) / (Σ p + Σ y + 1)`` per lead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytorch_lightning as pl
import torch
import xarray as xr
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from dlgd_course.nn.module import CourseModule
from dlgd_course.nn.predict import predict_in_batches
from dlgd_course.nowcasting.models import NowcastUNet
from dlgd_course.nowcasting.synthetic import STEP_MINUTES
from dlgd_course.own_work import guard_answer

__all__ = [
    "NORMALISATION",
    "CloudWindows",
    "NowcastDataModule",
    "NowcastModule",
    "baseline_inputs",
    "dice_loss",
    "predict_masks",
]

#: (offset, scale) of each input channel: x -> (x - offset) / scale.
NORMALISATION = {"mask": (0.5, 0.5), "ir108": (265.0, 20.0), "vis06": (0.2, 0.2), "wv062": (240.0, 8.0)}


def _without_gap(times: np.ndarray, length: int) -> np.ndarray:
    """``(T - length + 1,)`` bool: whether frames ``s .. s + length - 1`` follow each other
    every :data:`STEP_MINUTES` minutes (always, for a time axis that does not hold dates)."""
    n_starts = times.size - length + 1
    if not np.issubdtype(times.dtype, np.datetime64):
        return np.ones(n_starts, bool)
    regular = np.diff(times) == np.timedelta64(STEP_MINUTES, "m")
    gaps_before = np.concatenate([[0], np.cumsum(~regular)])  # gaps among steps 0 .. k-1
    return gaps_before[length - 1 :] - gaps_before[:n_starts] == 0


class CloudWindows(Dataset):
    """Sliding windows of one Dataset with ``CT`` (time, y, x) and optional channels.

    Item i: (past (n_past, n_channels, H, W) float32, future masks (n_leads, H, W) float32),
    frames ``start_i .. start_i + n_past + n_leads - 1``: the starts ``0, stride, 2 × stride,
    …`` whose window has no time gap (every step one frame of ``STEP_MINUTES`` when ``time``
    holds dates: a missing frame, as in MeteoNet's files, is never bridged).
    """

    def __init__(
        self,
        ds: xr.Dataset,
        channels: Sequence[str] = ("mask",),
        n_past: int = 6,
        n_leads: int = 4,
        stride: int = 1,
    ) -> None:
        if "CT" not in ds:
            raise ValueError(f"the dataset has no CT variable (variables: {list(ds.data_vars)})")
        unknown = [c for c in channels if c not in NORMALISATION or (c != "mask" and c not in ds)]
        if unknown or not channels:
            raise ValueError(
                f"unknown or missing channel(s) {unknown}; available: "
                f"{['mask'] + [c for c in NORMALISATION if c in ds]}"
            )
        if n_past < 1 or n_leads < 1 or stride < 1:
            raise ValueError(f"n_past, n_leads and stride must be >= 1, got {n_past}, {n_leads}, {stride}")
        self.ds, self.channels = ds, tuple(channels)
        self.n_past, self.n_leads, self.stride = n_past, n_leads, stride
        n_windows = ds.sizes["time"] - n_past - n_leads + 1
        if n_windows < 1:
            raise ValueError(f"{ds.sizes['time']} frames are fewer than one window ({n_past} + {n_leads})")
        starts = np.arange(0, n_windows, stride)
        self.starts = starts[_without_gap(ds["time"].values, n_past + n_leads)[starts]]
        if self.starts.size == 0:
            raise ValueError(
                f"no window of {n_past} + {n_leads} consecutive frames: the time axis "
                f"has a gap (a missing {STEP_MINUTES}-minute frame) in every one"
            )

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
        guard_answer()
        start = int(self.starts[i])
        window = self.ds.isel(time=slice(start, start + self.n_past + self.n_leads))
        mask = window["CT"].values > 5
        stack = []
        for name in self.channels:
            values = mask[: self.n_past] if name == "mask" else window[name].values[: self.n_past]
            offset, scale = NORMALISATION[name]
            stack.append((values.astype(np.float32) - offset) / scale)
        past = torch.from_numpy(np.stack(stack, axis=1))
        return past, torch.from_numpy(mask[self.n_past :].astype(np.float32))


class NowcastDataModule(pl.LightningDataModule):
    """Train / val / test windows from three Datasets disjoint in time
    (e.g. :func:`~dlgd_course.nowcasting.split_in_time`)."""

    def __init__(
        self,
        splits: dict[str, xr.Dataset],
        channels: Sequence[str] = ("mask",),
        n_past: int = 6,
        n_leads: int = 4,
        batch_size: int = 16,
        train_stride: int = 1,
        eval_stride: int = 4,
        num_workers: int = 0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        missing = {"train", "val", "test"} - set(splits)
        if missing:
            raise ValueError(f"splits lacks {sorted(missing)}")
        times = [splits[s]["time"].values for s in ("train", "val", "test")]
        for a, b, names in ((0, 1, "train/val"), (1, 2, "val/test")):
            if times[a][-1] >= times[b][0]:
                raise ValueError(f"{names} blocks overlap or are out of order in time")
        self.windows = {
            s: CloudWindows(
                splits[s], channels, n_past, n_leads, train_stride if s == "train" else eval_stride
            )
            for s in ("train", "val", "test")
        }
        self.batch_size, self.num_workers, self.seed = batch_size, num_workers, seed

    def train_dataloader(self) -> DataLoader:
        return DataLoader(
            self.windows["train"],
            batch_size=self.batch_size,
            shuffle=True,
            num_workers=self.num_workers,
            generator=torch.Generator().manual_seed(self.seed),
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.windows["val"], batch_size=self.batch_size, num_workers=self.num_workers)

    def test_dataloader(self) -> DataLoader:
        return DataLoader(self.windows["test"], batch_size=self.batch_size, num_workers=self.num_workers)


def dice_loss(logits: Tensor, target: Tensor) -> Tensor:
    """Soft Dice loss averaged over leads; logits and target (B, n_leads, H, W)."""
    guard_answer()
    p = torch.sigmoid(logits)
    dims = (0, 2, 3)
    dice = (2 * (p * target).sum(dims) + 1) / (p.sum(dims) + target.sum(dims) + 1)
    return 1 - dice.mean()


class NowcastModule(CourseModule):
    """BCE + ``dice_weight`` × Dice training of a :class:`NowcastUNet`; Adam with the cosine
    decay of :class:`~dlgd_course.nn.CourseModule` over ``max_epochs``."""

    def __init__(
        self, model: NowcastUNet, lr: float = 2e-3, dice_weight: float = 0.5, max_epochs: int | None = 10
    ) -> None:
        super().__init__(lr=lr, max_epochs=max_epochs)
        if not dice_weight >= 0:
            raise ValueError(f"dice_weight must be >= 0, got {dice_weight!r}")
        self.model, self.dice_weight = model, dice_weight

    def forward(self, past: Tensor) -> Tensor:
        return self.model(past)

    def loss(self, batch: tuple[Tensor, Tensor]) -> Tensor:
        past, future = batch
        logits = self.model(past)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, future)
        return bce + self.dice_weight * dice_loss(logits, future)


def predict_masks(
    model: torch.nn.Module,
    windows: CloudWindows,
    batch_size: int = 32,
    device: torch.device | str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Masks predicted (logit > 0) and observed, both bool (N, n_leads, H, W).

    Windows are read one batch at a time (:func:`~dlgd_course.nn.predict_in_batches`), on
    the model's device, or on ``device`` when given (the model is moved there).
    """
    if device is not None:
        model = model.to(device)
    observed: list[Tensor] = []

    def forecast(indices: Tensor) -> Tensor:
        past, future = zip(*(windows[i] for i in indices.tolist()), strict=True)
        observed.append(torch.stack(future) > 0.5)
        return model(torch.stack(past).to(indices.device)) > 0

    predicted = predict_in_batches(model, torch.arange(len(windows)), batch_size=batch_size, apply=forecast)
    return predicted.numpy(), torch.cat(observed).numpy()


def baseline_inputs(windows: CloudWindows, tracer: str = "ir108") -> tuple[np.ndarray, ...]:
    """Past masks, past tracer (or masks if absent) and future masks of every window:
    bool/float (N, n_past, H, W), (N, n_past, H, W), bool (N, n_leads, H, W)."""
    guard_answer()
    masks, tracers, futures = [], [], []
    for start in windows.starts:
        window = windows.ds.isel(time=slice(int(start), int(start) + windows.n_past + windows.n_leads))
        mask = window["CT"].values > 5
        masks.append(mask[: windows.n_past])
        futures.append(mask[windows.n_past :])
        tracers.append(
            window[tracer].values[: windows.n_past]
            if tracer in window
            else mask[: windows.n_past].astype(float)
        )
    return np.stack(masks), np.stack(tracers), np.stack(futures)
