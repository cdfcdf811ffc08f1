"""Training Burgers closures with Lightning: a priori and solver-in-the-loop (a posteriori).

* A priori: regress the instantaneous exact subgrid term,
  min_θ E ‖M_θ(ū) − M*(u)‖², on pairs (ū, M*) from filtered DNS snapshots.
* A posteriori / solver-in-the-loop (Um et al. 2020, "Solver-in-the-Loop: Learning from
  Differentiable Physics to Interact with Iterative PDE-Solvers", NeurIPS): unroll the
  differentiable coarse solver with the closure for ``n_unroll`` coarse steps from a
  filtered DNS state and minimise the trajectory misfit
  (1/K) Σ_{k=1}^{K} ‖ū_θ(t_k) − ū(t_k)‖², back-propagating through every RK4 step.

The DataModule / LightningModule / Trainer are kept apart: :class:`ClosureDataModule`
serves the windows, :class:`APrioriClosure` and :class:`SolverInTheLoopClosure` (both
:class:`~dlgd_course.nn.CourseModule`) wrap any ``nn.Module`` closure, and the caller brings a ``Trainer``
(e.g. :func:`dlgd_course.notebook.quiet_trainer`).
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import xarray as xr
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from dlgd_course.closures.burgers import coarse_rollout
from dlgd_course.dynamics import Burgers
from dlgd_course.nn import CourseModule
from dlgd_course.own_work import guard_answer


def unrolled_windows(dataset: xr.Dataset, n_unroll: int, stride: int = 1) -> tuple[Tensor, Tensor]:
    """Windows of ``n_unroll + 1`` consecutive coarse states and their forcing.

    Returns ``windows (n_windows, n_unroll + 1, n_coarse)`` and
    ``forcing (n_windows, n_coarse)``, float32, windows starting every ``stride`` steps.
    """
    n_time = dataset.sizes["time"]
    if n_unroll < 1 or n_unroll >= n_time:
        raise ValueError(f"n_unroll must be in [1, {n_time - 1}], got {n_unroll}")
    u_bar = torch.as_tensor(dataset["u_bar"].values, dtype=torch.float32)  # (time, member, x)
    forcing = torch.as_tensor(dataset["forcing_bar"].values, dtype=torch.float32)
    starts = range(0, n_time - n_unroll, stride)
    windows = torch.stack([u_bar[s : s + n_unroll + 1] for s in starts])  # (w, K+1, member, x)
    windows = windows.permute(0, 2, 1, 3).reshape(-1, n_unroll + 1, u_bar.shape[-1])
    forcing = forcing.unsqueeze(0).expand(len(starts), -1, -1).reshape(-1, u_bar.shape[-1])
    return windows, forcing


class ClosureDataModule(pl.LightningDataModule):
    """Train/validation loaders from two *independent* DNS families (different seeds).

    Each batch is ``(windows (B, n_unroll + 1, n_coarse), forcing (B, n_coarse),
    subgrid (B, n_coarse))`` where ``subgrid`` is M* at the window's first state, so the
    same module serves a priori (``n_unroll`` is then ignored by the model) and
    a posteriori training. The training batches are shuffled by a generator seeded with ``seed``.
    """

    def __init__(
        self,
        train: xr.Dataset,
        val: xr.Dataset,
        n_unroll: int = 1,
        batch_size: int = 64,
        stride: int = 1,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.sets = {"train": train, "val": val}
        self.n_unroll, self.batch_size, self.stride, self.seed = n_unroll, batch_size, stride, seed
        self.tensors: dict[str, TensorDataset] = {}

    def setup(self, stage: str | None = None) -> None:
        for name, dataset in self.sets.items():
            windows, forcing = unrolled_windows(dataset, self.n_unroll, self.stride)
            subgrid = torch.as_tensor(dataset["subgrid"].values, dtype=torch.float32)
            n_windows = windows.shape[0] // subgrid.shape[1]
            starts = torch.arange(n_windows) * self.stride
            first = subgrid[starts].reshape(-1, subgrid.shape[-1])
            self.tensors[name] = TensorDataset(windows, forcing, first)

    def train_dataloader(self) -> DataLoader:
        generator = torch.Generator().manual_seed(self.seed)
        return DataLoader(
            self.tensors["train"], batch_size=self.batch_size, shuffle=True, generator=generator
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.tensors["val"], batch_size=4 * self.batch_size)


class ClosureTraining(CourseModule):
    """Training of a closure network by Adam on the :meth:`loss` of a batch (subclasses)."""

    def __init__(self, closure: nn.Module | None, lr: float = 1e-3, max_epochs: int | None = None) -> None:
        super().__init__(lr=lr, max_epochs=max_epochs)
        self.closure = closure


class APrioriClosure(ClosureTraining):
    """Fit a closure network to the instantaneous subgrid term (mean squared error), in 1-D
    (Burgers) or 2-D (Kolmogorov flow).

    A batch's first tensor holds windows of coarse states ``(B, K + 1, *grid)``, of which only
    the first state is used; its last tensor is the exact subgrid term M* at that state
    ``(B, *grid)`` (a :class:`ClosureDataModule` batch, or ``(states[:, None], subgrid)``).
    """

    def loss(self, batch: tuple[Tensor, ...]) -> Tensor:
        guard_answer()
        windows, subgrid = batch[0], batch[-1]
        return torch.mean((self.closure(windows[:, 0]) - subgrid) ** 2)


class SolverInTheLoopClosure(ClosureTraining):
    """Fit a closure through ``n_unroll`` steps of the differentiable coarse solver.

    Loss: mean over the unrolled steps k = 1..K of ‖ū_θ(t_k) − ū(t_k)‖² (Um et al. 2020).
    """

    def __init__(
        self,
        closure: nn.Module | None,
        coarse: Burgers,
        dt: float,
        lr: float = 1e-3,
        max_epochs: int | None = None,
    ) -> None:
        super().__init__(closure, lr, max_epochs)
        self.coarse = coarse
        self.dt = dt

    def loss(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        guard_answer()
        windows, forcing, _ = batch
        n_unroll = windows.shape[1] - 1
        rollout = coarse_rollout(
            self.coarse, windows[:, 0], self.dt, n_unroll, self.closure, forcing
        )  # (K + 1, B, x)
        return torch.mean((rollout[1:] - windows.transpose(0, 1)[1:]) ** 2)
