"""Training plumbing for the neural interpolators: windows, DataModule, LightningModule.

Training pairs are built two ways (``pairs=``):

* ``"osse"`` (observing-system simulation experiment): the input is the cloud-masked
  observation, the target is the synthetic truth on every pixel;
* ``"observations"``: only observations exist (real products). Each time a window is drawn,
  some *observed* pixels are hidden with the cloud masks of other days
  (:func:`~dlgd_course.interpolation.clouds.hide_observed_pixels`); the target is the
  observation on the hidden pixels only.

Optionally (``first_guess="oi"``, OSSE pairs) every window also carries a first guess: the
optimal interpolation of the observations of its period (train, validation or test, each
solved on its own), with the space-time Gaussian covariance fitted on the training
observations (moments, and with ``oi_scales="cv"`` L and T cross-validated on the last
``CV_DAYS`` training days). A model given it learns a correction of OI (residual learning on a first
guess): the gaps are filled with both the memory of OI (every day of its period, weighted by
the fitted time scale, while the network sees a few days) and what the network learnt of
the non-Gaussian plume shapes that a stationary Gaussian covariance cannot represent.

The loss is the mean squared error on the target pixels in normalised log space, plus
optionally (``physical_weight > 0``) the same error on the concentrations in mg/L, scaled by
their standard deviation. The first alone fits the conditional *median* of the
concentration, which shrinks the rare, high plume concentrations that dominate errors in
mg/L; the second pulls the estimate towards the conditional mean there.

``LightningDataModule`` (data), ``LightningModule`` (loss, optimiser) and the ``Trainer``
(:func:`dlgd_course.notebook.quiet_trainer`) are kept apart.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import pytorch_lightning as pl
import torch
import xarray as xr
from torch.utils.data import DataLoader, Dataset

from dlgd_course.data.splits import time_splits
from dlgd_course.interpolation.optimal_interpolation import (
    GaussianCovariance,
    cross_validate_scales,
    fit_gaussian_covariance,
    optimal_interpolation,
)
from dlgd_course.nn.module import CourseModule
from dlgd_course.nn.normalise import Normaliser
from dlgd_course.nn.predict import predict_in_batches
from dlgd_course.notebook import quiet_trainer
from dlgd_course.own_work import guard_answer

__all__ = [
    "GappyWindows",
    "InterpolationDataModule",
    "InterpolationModule",
    "reconstruct",
    "train_interpolator",
]


class GappyWindows(Dataset):
    """Windows of ``n_days`` consecutive days as tensors ``(y, input_mask, target, target_mask)``,
    each (days, lat, lon) float32, from normalised ``observation`` (NaN gaps), the
    observed ``mask`` and, for ``pairs="osse"``, the normalised ``truth``. With a normalised
    ``first_guess`` (time, lat, lon), its window is appended as a fifth tensor."""

    def __init__(
        self,
        observation: np.ndarray,
        mask: np.ndarray,
        n_days: int,
        pairs: str,
        truth: np.ndarray | None = None,
        seed: int = 0,
        first_guess: np.ndarray | None = None,
    ) -> None:
        if pairs not in ("osse", "observations"):
            raise ValueError(f"pairs must be 'osse' or 'observations', got {pairs!r}")
        if pairs == "osse" and truth is None:
            raise ValueError("pairs='osse' needs the truth")
        if first_guess is not None and pairs != "osse":
            raise ValueError(
                "a first guess needs pairs='osse': with pairs='observations' it would "
                "have seen the pixels hidden from the input"
            )
        if first_guess is not None and first_guess.shape != observation.shape:
            raise ValueError(f"first_guess shape {first_guess.shape} != observation {observation.shape}")
        if observation.shape[0] < n_days:
            raise ValueError(f"{observation.shape[0]} days is shorter than one window of {n_days}")
        self.observation = np.nan_to_num(observation, nan=0.0).astype(np.float32)
        self.mask = np.asarray(mask, dtype=bool)
        self.truth = None if truth is None else truth.astype(np.float32)
        self.first_guess = None if first_guess is None else first_guess.astype(np.float32)
        self.n_days, self.pairs = n_days, pairs
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return self.observation.shape[0] - self.n_days + 1

    def __getitem__(self, i: int) -> tuple[torch.Tensor, ...]:
        guard_answer()
        window = slice(i, i + self.n_days)
        mask = self.mask[window]
        if self.pairs == "osse":
            target, target_mask = self.truth[window], np.ones_like(mask)
        else:
            donors = self.mask[self.rng.integers(0, self.mask.shape[0], size=self.n_days)]
            target, target_mask = self.observation[window], mask & ~donors
            mask = mask & donors
        y = self.observation[window] * mask
        extra = () if self.first_guess is None else (self.first_guess[window],)
        return tuple(
            torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
            for a in (y, mask, target, target_mask, *extra)
        )


CV_DAYS = 120  # training days used to cross-validate the OI scales (oi_scales="cv")


class InterpolationDataModule(pl.LightningDataModule):
    """Train / validation / test windows from disjoint day ranges of ``data``.

    ``data`` has ``observation`` and ``mask`` (and ``truth`` for ``pairs="osse"``);
    ``splits`` gives the number of (train, val) days, the rest is the test period
    (consecutive blocks, :func:`~dlgd_course.data.splits.time_splits`; windows are cut inside
    each period, so no day is shared). The normaliser (``log10``, per-pixel mean, one
    std) is fitted on the training observations. Validation and test windows
    are scored against the truth when it exists (else like training pairs).
    ``first_guess="oi"`` adds the OI of each period to its windows (:meth:`first_guess`);
    ``oi_scales`` is how its covariance is fitted (:attr:`covariance`).
    """

    def __init__(
        self,
        data: xr.Dataset,
        splits: tuple[int, int],
        n_days: int = 5,
        pairs: str = "osse",
        batch_size: int = 16,
        seed: int = 0,
        first_guess: str | None = None,
        oi_scales: str = "fit",
    ) -> None:
        super().__init__()
        if first_guess not in (None, "oi"):
            raise ValueError(f"first_guess must be None or 'oi', got {first_guess!r}")
        if oi_scales not in ("fit", "cv"):
            raise ValueError(f"oi_scales must be 'fit' or 'cv', got {oi_scales!r}")
        if first_guess is not None and pairs != "osse":
            raise ValueError("first_guess='oi' needs pairs='osse'")
        n_train, n_val = splits
        n_time = data.sizes["time"]
        if n_train < n_days or n_val < n_days or n_time - n_train - n_val < n_days:
            raise ValueError(
                f"splits {splits} of {n_time} days leave a period shorter than one window of {n_days} days"
            )
        self.data, self.n_days, self.pairs = data, n_days, pairs
        self.batch_size, self.seed, self.first_guess_kind = batch_size, seed, first_guess
        self.oi_scales = oi_scales
        n_test = n_time - n_train - n_val
        self.ranges = time_splits(n_time, (n_train / n_time, n_val / n_time, n_test / n_time))
        train_observation = data["observation"].values[self.ranges["train"]]
        self.normaliser = Normaliser.fit(train_observation, n_axes=1, std_axes=3, log10=True)
        self.concentration_std = float(np.nanstd(train_observation))
        self._first_guess: dict[str, np.ndarray] = {}
        self._covariance: GaussianCovariance | None = None

    @property
    def covariance(self) -> GaussianCovariance:
        """OI covariance of the log10 anomalies of the training observations: moment fit
        (:func:`fit_gaussian_covariance`), then with ``oi_scales="cv"`` L and T chosen by
        :func:`cross_validate_scales` on the last ``CV_DAYS`` training days."""
        if self._covariance is None:
            log_mean = self.normaliser.mean.numpy()
            anomaly = np.log10(self.data["observation"].values[self.ranges["train"]]) - log_mean
            self._covariance = fit_gaussian_covariance(anomaly)
            if self.oi_scales == "cv":
                self._covariance = cross_validate_scales(anomaly[-CV_DAYS:], self._covariance, seed=self.seed)
        return self._covariance

    def first_guess(self, split: str) -> np.ndarray:
        """Normalised OI analysis (time, lat, lon) of the observations of ``split`` alone,
        background the training mean; computed once per split."""
        if split not in self.ranges:
            raise ValueError(f"split must be one of {sorted(self.ranges)}, got {split!r}")
        if split not in self._first_guess:
            log_obs = np.log10(self.data["observation"].values[self.ranges[split]])
            mean = self.normaliser.mean.numpy().astype(np.float64)
            analysis = optimal_interpolation(log_obs, self.covariance, background=mean).cpu().numpy()
            self._first_guess[split] = ((analysis - mean) / float(self.normaliser.std)).astype(np.float32)
        return self._first_guess[split]

    def windows(self, split: str) -> GappyWindows:
        part = self.data.isel(time=self.ranges[split])
        z = self.normaliser(part["observation"].values)
        has_truth = "truth" in part
        truth = self.normaliser(part["truth"].values) if has_truth else None
        pairs = self.pairs if split == "train" or not has_truth else "osse"
        first_guess = None if self.first_guess_kind is None else self.first_guess(split)
        return GappyWindows(
            z,
            part["mask"].values,
            self.n_days,
            pairs,
            truth,
            seed=self.seed + {"train": 0, "val": 1, "test": 2}[split],
            first_guess=first_guess,
        )

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(
            self.windows("train"), batch_size=self.batch_size, shuffle=True, generator=generator
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.windows("val"), batch_size=self.batch_size)

    def test_dataloader(self) -> DataLoader:
        return DataLoader(self.windows("test"), batch_size=self.batch_size)


def masked_mse(prediction: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Σ w (p - t)² / Σ w."""
    guard_answer()
    return (weight * (prediction - target) ** 2).sum() / weight.sum().clamp(min=1.0)


class InterpolationModule(CourseModule):
    """Wraps an interpolator ``model(y, mask[, first_guess])``. Loss on the target pixels:

        L = MSE(ẑ, z) + physical_weight · MSE(ĉ / s_c, c / s_c),   c = 10^(z s + μ),

    with the normaliser's ``μ`` (lat, lon) and ``s``, and ``s_c`` the standard deviation of
    the training concentrations (mg/L); ``physical_weight = 0`` is the log-space MSE alone.
    Adam with the cosine decay of :class:`~dlgd_course.nn.CourseModule` over ``max_epochs``."""

    def __init__(
        self,
        model: torch.nn.Module,
        lr: float = 2e-3,
        max_epochs: int | None = 10,
        physical_weight: float = 0.0,
        normaliser: Normaliser | None = None,
        concentration_std: float = 1.0,
    ) -> None:
        super().__init__(lr=lr, max_epochs=max_epochs)
        if physical_weight < 0:
            raise ValueError(f"physical_weight must be >= 0, got {physical_weight}")
        if physical_weight > 0 and (normaliser is None or not normaliser.log10):
            raise ValueError("physical_weight > 0 needs the log10 normaliser (to convert to mg/L)")
        if not concentration_std > 0:
            raise ValueError(f"concentration_std must be > 0, got {concentration_std}")
        self.model, self.normaliser = model, normaliser
        self.physical_weight, self.concentration_std = physical_weight, concentration_std

    def forward(self, y: torch.Tensor, mask: torch.Tensor, *first_guess: torch.Tensor) -> torch.Tensor:
        return self.model(y, mask, *first_guess)

    def loss(self, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        guard_answer()
        y, mask, target, target_mask, *first_guess = batch
        estimate = self(y, mask, *first_guess)
        loss = masked_mse(estimate, target, target_mask)
        if self.physical_weight > 0:
            scaled = [self.normaliser.inverse(z) / self.concentration_std for z in (estimate, target)]
            loss = loss + self.physical_weight * masked_mse(*scaled, target_mask)
        return loss


def train_interpolator(
    model: torch.nn.Module,
    datamodule: InterpolationDataModule,
    max_epochs: int,
    lr: float = 2e-3,
    physical_weight: float = 0.0,
    **trainer_kwargs: object,
) -> tuple[torch.nn.Module, float]:
    """Fit ``model`` with a quiet Trainer (gradients enabled in validation, needed by the
    variational solver); ``physical_weight`` adds the mg/L term of the loss
    (:class:`InterpolationModule`). Returns the trained model (in eval mode) and the wall
    time (s)."""
    guard_answer()
    module = InterpolationModule(
        model,
        lr=lr,
        max_epochs=max_epochs,
        physical_weight=physical_weight,
        normaliser=copy.deepcopy(datamodule.normaliser),
        concentration_std=datamodule.concentration_std,
    )
    trainer = quiet_trainer(max_epochs=max_epochs, inference_mode=False, **trainer_kwargs)
    start = time.perf_counter()
    trainer.fit(module, datamodule=datamodule)
    return model.eval(), time.perf_counter() - start


def reconstruct(
    model: torch.nn.Module,
    observation: np.ndarray,
    mask: np.ndarray,
    n_days: int,
    batch_size: int = 16,
    first_guess: np.ndarray | None = None,
) -> np.ndarray:
    """Fill a normalised (time, lat, lon) record with a window model: every day is the
    average of the predictions of all windows that contain it (windows predicted by
    :func:`~dlgd_course.nn.predict_in_batches`). ``first_guess`` (normalised, same shape,
    e.g. :meth:`InterpolationDataModule.first_guess`) is passed to models built for one.
    Returns (time, lat, lon)."""
    n_time = observation.shape[0]
    if n_time < n_days:
        raise ValueError(f"{n_time} days is shorter than one window of {n_days}")
    if first_guess is not None and first_guess.shape != observation.shape:
        raise ValueError(f"first_guess shape {first_guess.shape} != observation {observation.shape}")
    y = torch.from_numpy(np.nan_to_num(observation, nan=0.0).astype(np.float32))
    m = torch.from_numpy(np.asarray(mask, dtype=np.float32))
    windows = [a.unfold(0, n_days, 1).movedim(-1, 1) for a in (y * m, m)]  # (n_windows, days, lat, lon)
    if first_guess is not None:
        guess = torch.from_numpy(np.asarray(first_guess, dtype=np.float32))
        windows.append(guess.unfold(0, n_days, 1).movedim(-1, 1))
    dtype = next(model.parameters()).dtype
    out = predict_in_batches(
        model, *windows, batch_size=batch_size, apply=lambda *w: model(*(a.to(dtype) for a in w))
    ).float()
    total = torch.zeros(y.shape)
    count = torch.zeros(n_time)
    for start in range(out.shape[0]):
        total[start : start + n_days] += out[start]
        count[start : start + n_days] += 1
    return (total / count[:, None, None]).numpy()
