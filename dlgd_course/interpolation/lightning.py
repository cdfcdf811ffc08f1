"""Training plumbing for the neural interpolators: normalisation, windows, Lightning.

Training pairs are built two ways (``pairs=``):

* ``"osse"`` (observing-system simulation experiment): the input is the cloud-masked
  observation, the target is the synthetic truth on every pixel;
* ``"observations"``: only observations exist (real products). Each time a window is drawn,
  some *observed* pixels are hidden with the cloud masks of other days
  (:func:`~dlgd_course.interpolation.clouds.hide_observed_pixels`); the target is the
  observation on the hidden pixels only.

``LightningDataModule`` (data), ``LightningModule`` (loss, optimiser) and the ``Trainer``
(:func:`dlgd_course.notebook.quiet_trainer`) are kept apart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pytorch_lightning as pl
import torch
import xarray as xr
from torch.utils.data import DataLoader, Dataset

from dlgd_course.notebook import quiet_trainer

__all__ = [
    "GappyWindows",
    "InterpolationDataModule",
    "InterpolationModule",
    "LogNormalizer",
    "reconstruct",
    "train",
]


@dataclass(frozen=True)
class LogNormalizer:
    """``z = (log10 c - mean) / std``: per-pixel ``mean`` (lat, lon) and a global ``std``
    of the log10 anomalies, fitted on training observations only."""

    mean: np.ndarray
    std: float

    @classmethod
    def fit(cls, observation: np.ndarray) -> LogNormalizer:
        """Fit on ``observation`` (time, lat, lon) in mg/L, NaN in gaps."""
        logs = np.log10(np.asarray(observation, dtype=np.float64))
        counts = np.isfinite(logs).sum(axis=0)
        overall = np.nanmean(logs)
        mean = np.where(counts > 0, np.nansum(logs, axis=0) / np.maximum(counts, 1), overall)
        std = float(np.nanstd(logs - mean))
        if not np.isfinite(std) or std == 0:
            raise ValueError("cannot normalise: observations are constant or empty")
        return cls(mean.astype(np.float32), std)

    def forward(self, concentration: np.ndarray) -> np.ndarray:
        """mg/L → normalised log anomalies (NaN stays NaN)."""
        return ((np.log10(concentration) - self.mean) / self.std).astype(np.float32)

    def inverse(self, z: np.ndarray | torch.Tensor) -> np.ndarray:
        """Normalised log anomalies → mg/L."""
        z = z.detach().cpu().numpy() if isinstance(z, torch.Tensor) else np.asarray(z)
        return 10.0 ** (z * self.std + self.mean)


class GappyWindows(Dataset):
    """Windows of ``n_days`` consecutive days as tensors ``(y, input_mask, target, target_mask)``,
    each (days, lat, lon) float32, from normalised ``observation`` (NaN gaps), the
    observed ``mask`` and, for ``pairs="osse"``, the normalised ``truth``."""

    def __init__(self, observation: np.ndarray, mask: np.ndarray, n_days: int, pairs: str,
                 truth: np.ndarray | None = None, seed: int = 0) -> None:
        if pairs not in ("osse", "observations"):
            raise ValueError(f"pairs must be 'osse' or 'observations', got {pairs!r}")
        if pairs == "osse" and truth is None:
            raise ValueError("pairs='osse' needs the truth")
        if observation.shape[0] < n_days:
            raise ValueError(f"{observation.shape[0]} days is shorter than one window of {n_days}")
        self.observation = np.nan_to_num(observation, nan=0.0).astype(np.float32)
        self.mask = np.asarray(mask, dtype=bool)
        self.truth = None if truth is None else truth.astype(np.float32)
        self.n_days, self.pairs = n_days, pairs
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return self.observation.shape[0] - self.n_days + 1

    def __getitem__(self, i: int) -> tuple[torch.Tensor, ...]:
        window = slice(i, i + self.n_days)
        mask = self.mask[window]
        if self.pairs == "osse":
            target, target_mask = self.truth[window], np.ones_like(mask)
        else:
            donors = self.mask[self.rng.integers(0, self.mask.shape[0], size=self.n_days)]
            target, target_mask = self.observation[window], mask & ~donors
            mask = mask & donors
        y = self.observation[window] * mask
        return tuple(torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
                     for a in (y, mask, target, target_mask))


class InterpolationDataModule(pl.LightningDataModule):
    """Train / validation / test windows from disjoint day ranges of ``data``.

    ``data`` has ``observation`` and ``mask`` (and ``truth`` for ``pairs="osse"``);
    ``splits`` gives the number of (train, val) days, the rest is the test period.
    The normaliser is fitted on the training observations. Validation and test windows
    are scored against the truth when it exists (else like training pairs).
    """

    def __init__(self, data: xr.Dataset, splits: tuple[int, int], n_days: int = 5,
                 pairs: str = "osse", batch_size: int = 16, seed: int = 0) -> None:
        super().__init__()
        n_train, n_val = splits
        n_time = data.sizes["time"]
        if n_train < n_days or n_val < n_days or n_time - n_train - n_val < n_days:
            raise ValueError(f"splits {splits} of {n_time} days leave a period shorter than "
                             f"one window of {n_days} days")
        self.data, self.n_days, self.pairs = data, n_days, pairs
        self.batch_size, self.seed = batch_size, seed
        self.ranges = {"train": slice(0, n_train), "val": slice(n_train, n_train + n_val),
                       "test": slice(n_train + n_val, n_time)}
        self.normalizer = LogNormalizer.fit(data["observation"].values[self.ranges["train"]])

    def windows(self, split: str) -> GappyWindows:
        part = self.data.isel(time=self.ranges[split])
        z = self.normalizer.forward(part["observation"].values)
        has_truth = "truth" in part
        truth = self.normalizer.forward(part["truth"].values) if has_truth else None
        pairs = self.pairs if split == "train" or not has_truth else "osse"
        return GappyWindows(z, part["mask"].values, self.n_days, pairs, truth,
                            seed=self.seed + {"train": 0, "val": 1, "test": 2}[split])

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(self.windows("train"), batch_size=self.batch_size, shuffle=True,
                          generator=generator)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.windows("val"), batch_size=self.batch_size)

    def test_dataloader(self) -> DataLoader:
        return DataLoader(self.windows("test"), batch_size=self.batch_size)


def masked_mse(prediction: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Σ w (p - t)² / Σ w."""
    return (weight * (prediction - target) ** 2).sum() / weight.sum().clamp(min=1.0)


class InterpolationModule(pl.LightningModule):
    """Wraps an interpolator ``model(y, mask)``; loss: MSE on the target pixels. Adam with a
    cosine learning-rate decay over ``max_epochs``; ``val_loss`` logged each epoch."""

    def __init__(self, model: torch.nn.Module, lr: float = 2e-3, max_epochs: int = 10) -> None:
        super().__init__()
        self.model, self.lr, self.max_epochs = model, lr, max_epochs

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.model(y, mask)

    def _loss(self, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        y, mask, target, target_mask = batch
        return masked_mse(self(y, mask), target, target_mask)

    def training_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> torch.Tensor:
        loss = self._loss(batch)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, ...], batch_idx: int) -> None:
        self.log("val_loss", self._loss(batch), prog_bar=False)

    def configure_optimizers(self) -> dict:
        optimizer = torch.optim.Adam(self.parameters(), lr=self.lr)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.max_epochs)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


def train(model: torch.nn.Module, datamodule: InterpolationDataModule, max_epochs: int,
          lr: float = 2e-3, **trainer_kwargs: object) -> tuple[torch.nn.Module, float]:
    """Fit ``model`` with a quiet Trainer (gradients enabled in validation, needed by the
    variational solver); returns the trained model (in eval mode) and the wall time (s)."""
    module = InterpolationModule(model, lr=lr, max_epochs=max_epochs)
    trainer = quiet_trainer(max_epochs=max_epochs, inference_mode=False, **trainer_kwargs)
    start = time.perf_counter()
    trainer.fit(module, datamodule=datamodule)
    return model.eval(), time.perf_counter() - start


def reconstruct(model: torch.nn.Module, observation: np.ndarray, mask: np.ndarray,
                n_days: int, batch_size: int = 16) -> np.ndarray:
    """Fill a normalised (time, lat, lon) record with a window model: every day is the
    average of the predictions of all windows that contain it. Returns (time, lat, lon)."""
    n_time = observation.shape[0]
    if n_time < n_days:
        raise ValueError(f"{n_time} days is shorter than one window of {n_days}")
    param = next(model.parameters())
    y = torch.from_numpy(np.nan_to_num(observation, nan=0.0).astype(np.float32))
    m = torch.from_numpy(np.asarray(mask, dtype=np.float32))
    total = torch.zeros(y.shape)
    count = torch.zeros(n_time)
    starts = list(range(n_time - n_days + 1))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for b in range(0, len(starts), batch_size):
            idx = starts[b:b + batch_size]
            ys = torch.stack([y[i:i + n_days] for i in idx]).to(param)
            ms = torch.stack([m[i:i + n_days] for i in idx]).to(param)
            out = model(ys * ms, ms).cpu().float()
            for j, i in enumerate(idx):
                total[i:i + n_days] += out[j]
                count[i:i + n_days] += 1
    model.train(was_training)
    return (total / count[:, None, None]).numpy()
