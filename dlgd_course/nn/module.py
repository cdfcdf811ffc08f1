"""The one Lightning base of the course: every theme's LightningModule derives from it.

It fixes what the themes must agree on, so that a student who has trained one module can
train them all:

- hyper-parameter names: ``lr`` (Adam's learning rate) and ``max_epochs`` (the length of
  the cosine decay of the learning rate; ``None`` keeps ``lr`` constant);
- :meth:`~pytorch_lightning.LightningModule.save_hyperparameters` for every constructor
  argument that is not a network (networks are saved in the state dict);
- logged names: ``train_loss`` each step, ``val_loss`` and ``test_loss`` each epoch;
- one method to write, :meth:`CourseModule.loss`, the scalar loss of one batch.

Seeding is not the module's business: the caller seeds the processes once
(``pytorch_lightning.seed_everything(seed, workers=True)``) before it builds the networks,
and a DataModule shuffles with its own ``torch.Generator``.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytorch_lightning as pl
import torch
from torch import Tensor


class CourseModule(pl.LightningModule):
    """Adam with an optional cosine decay, ``train_loss``/``val_loss``/``test_loss`` logged.

    Subclasses call ``super().__init__(lr=lr, max_epochs=max_epochs)`` first in their
    constructor and implement :meth:`loss`; they override :meth:`trained_parameters` when
    only part of the module is trained (a GAN's two optimisers override
    :meth:`configure_optimizers` instead).
    """

    def __init__(self, lr: float = 1e-3, max_epochs: int | None = None) -> None:
        super().__init__()
        if not (isinstance(lr, int | float) and lr > 0):
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        if max_epochs is not None and not (isinstance(max_epochs, int) and max_epochs >= 1):
            raise ValueError(f"max_epochs must be a positive int or None, got {max_epochs!r}")
        self.lr, self.max_epochs = float(lr), max_epochs
        self.save_hyperparameters(ignore=self._network_arguments(), frame=inspect.currentframe().f_back)

    def _network_arguments(self) -> list[str]:
        """Names of the subclass constructor's arguments that hold networks (not saved)."""
        frame = inspect.currentframe().f_back.f_back
        return [name for name, value in frame.f_locals.items() if isinstance(value, torch.nn.Module)]

    def loss(self, batch: Any) -> Tensor:
        """The scalar loss of one batch (to be implemented by the subclass)."""
        raise NotImplementedError(f"{type(self).__name__} must implement loss(batch)")

    def trained_parameters(self) -> Any:
        """The parameters Adam updates: all of the module's by default."""
        return self.parameters()

    def training_step(self, batch: Any, batch_idx: int) -> Tensor:
        loss = self.loss(batch)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        self.log("val_loss", self.loss(batch), prog_bar=True)

    def test_step(self, batch: Any, batch_idx: int) -> None:
        self.log("test_loss", self.loss(batch))

    def configure_optimizers(self) -> dict[str, Any]:
        optimiser = torch.optim.Adam(self.trained_parameters(), lr=self.lr)
        if self.max_epochs is None:
            return {"optimizer": optimiser}
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=self.max_epochs)
        return {"optimizer": optimiser, "lr_scheduler": schedule}
