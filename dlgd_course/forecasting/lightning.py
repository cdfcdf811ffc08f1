"""Lightning plumbing: a leak-free windowed DataModule, a LightningModule for any
learned :class:`~dlgd_course.forecasting.models.Forecaster` (a
:class:`~dlgd_course.nn.CourseModule`), and batched forecasts.
Train with :func:`dlgd_course.notebook.quiet_trainer`.

The loss is the mean squared error in *normalised* units (each component divided by
its training-block std), over the training leads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytorch_lightning as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader

from dlgd_course.data.splits import SPLITS, time_splits
from dlgd_course.forecasting.models import Forecaster
from dlgd_course.forecasting.windows import ForecastWindows, fit_normalisation, window_length
from dlgd_course.nn import CourseModule, predict_in_batches


class ForecastDataModule(pl.LightningDataModule):
    """Train / val / test windows of one series ``(T, d)``, disjoint in time.

    Attributes after construction: ``slices`` (split name -> time slice),
    ``windows`` (split name -> ForecastWindows),
    ``mean``/``std`` (training block only), ``leads``, ``n_past``.
    """

    def __init__(
        self,
        series: Tensor,
        n_past: int,
        leads: Sequence[int],
        fractions: Sequence[float] = (0.7, 0.15, 0.15),
        gap: int | None = None,
        batch_size: int = 256,
        stride: int = 1,
        seed: int = 0,
    ):
        super().__init__()
        if series.ndim != 2:
            raise ValueError(f"series must have shape (time, features), got {tuple(series.shape)}")
        self.series = series.to(torch.float32)
        length = window_length(n_past, leads)
        self.slices = time_splits(
            self.series.shape[0], fractions, gap=length if gap is None else gap, min_gap=length
        )
        self.windows = {
            name: ForecastWindows(self.series[self.slices[name]], n_past, leads, stride) for name in SPLITS
        }
        self.mean, self.std = fit_normalisation(self.series[self.slices["train"]])
        self.leads, self.n_past = self.windows["train"].leads, n_past
        self.batch_size, self.seed = batch_size, seed

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(
            self.windows["train"], batch_size=self.batch_size, shuffle=True, generator=generator
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.windows["val"], batch_size=4096)

    def test_dataloader(self) -> DataLoader:
        return DataLoader(self.windows["test"], batch_size=4096)

    def split_tensors(self, split: str) -> tuple[Tensor, Tensor]:
        """``(history, targets)`` of a whole split."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return self.windows[split].history, self.windows[split].targets


class ForecastModule(CourseModule):
    """Trains ``model`` so that ``model.forecast(history, leads)`` matches the targets.

    Args:
        model: a learned forecaster (its parameters are optimised).
        leads: the leads the data module provides (targets ``(B, len(leads), d)``).
        std: per-component scale of the loss (training-block std), ``(d,)``.
        train_leads: the subset used in the loss (default all; ``(1,)`` trains a one-step
            model on one step only).
        lr: Adam learning rate, decayed by a cosine schedule over ``max_epochs``.
    """

    def __init__(
        self,
        model: Forecaster,
        leads: Sequence[int],
        std: Tensor,
        train_leads: Sequence[int] | None = None,
        lr: float = 3e-3,
        max_epochs: int | None = 50,
    ):
        super().__init__(lr=lr, max_epochs=max_epochs)
        self.model, self.leads = model, tuple(leads)
        self.train_leads = tuple(train_leads) if train_leads is not None else self.leads
        missing = set(self.train_leads) - set(self.leads)
        if missing:
            raise ValueError(f"train_leads {sorted(missing)} are not among the data leads")
        self.index = [self.leads.index(lead) for lead in self.train_leads]
        self.register_buffer("loss_scale", torch.as_tensor(std, dtype=torch.float32).clone())

    def loss(self, batch: tuple[Tensor, Tensor]) -> Tensor:
        """Mean squared error in normalised units over the training leads of ``(history, targets)``."""
        history, targets = batch
        prediction = self.model.forecast(history, self.train_leads)
        error = (prediction - targets[:, self.index]) / self.loss_scale
        return error.square().mean()

    def trained_parameters(self) -> Iterator[torch.nn.Parameter]:
        return self.model.parameters()


def forecast_in_batches(
    model: Forecaster, history: Tensor, leads: Sequence[int], batch_size: int = 8192
) -> Tensor:
    """``model.forecast(history, leads)`` over a whole split ``(N, n_past, d)`` in batches
    (:func:`~dlgd_course.nn.predict_in_batches`, on the model's device: that of its parameters,
    or of its buffers for a closed-form baseline); ``(N, len(leads), d)`` on the CPU.
    """
    return predict_in_batches(
        model, history, batch_size=batch_size, apply=lambda batch: model.forecast(batch, leads)
    )
