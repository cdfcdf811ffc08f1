"""Station wind forecasts from t + 30 min to t + 6 h: persistence, raw NWP, and NWP
corrected by a network that also sees the recent observations (the "hybrid").

At an issue time ``t`` only NWP runs already *available* are used (run time +
``availability_delay_hours`` <= t): the latest one, linearly interpolated from its
hourly steps to the valid times ``t + lead``. The hybrid forecast of the wind speed
at lead ``l`` is

    ff̂(t + l) = ff_NWP(t + l) + g_l(features(t)),

with ``g`` an MLP and features the last ``n_past`` observed ``(u, v, ff)``, the NWP
``(u, v, ff)`` at ``t`` and at every ``t + l``, the hour of day (sin, cos) and the
station (one-hot). Samples of train / val / test come from disjoint time blocks with
a gap of at least one window (``n_past + max lead``) between them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytorch_lightning as pl
import torch
import xarray as xr
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from dlgd_course.data.splits import SPLITS, time_splits
from dlgd_course.forecasting.windows import check_leads, window_length
from dlgd_course.nn import CourseModule, predict_in_batches
from dlgd_course.own_work import guard_answer

#: Leads of the wind task, in 6-minute steps: 30 min, 1 h, 2 h, ..., 6 h.
WIND_LEADS: tuple[int, ...] = (5, 10, 20, 30, 40, 50, 60)


def latest_run_forecast(
    ds: xr.Dataset, variable: str, issue_index: np.ndarray, offsets: Sequence[int]
) -> np.ndarray:
    """NWP ``variable`` from the latest run available at each issue time, at valid times
    ``time[issue] + offset * 6 min`` (offsets in steps, may be 0), linearly interpolated
    between hourly steps.

    Returns ``(n_issue, len(offsets), station)``. Raises ``ValueError`` when no run is
    available yet, or a valid time lies beyond the last step of that run.
    """
    guard_answer()
    if variable not in ds:
        raise ValueError(f"dataset has no NWP variable {variable!r}")
    delay = np.timedelta64(int(ds.attrs.get("availability_delay_hours", 0)), "h")
    runs = ds["run"].values
    issue_times = ds["time"].values[issue_index]
    run_idx = np.searchsorted(runs, issue_times - delay, side="right") - 1
    if np.any(run_idx < 0):
        first = issue_times[np.argmax(run_idx < 0)]
        raise ValueError(f"no NWP run available at issue time {first}")
    step_minutes = (ds["time"].values[1] - ds["time"].values[0]) / np.timedelta64(1, "m")
    valid = issue_times[:, None] + np.asarray(offsets)[None, :] * np.timedelta64(int(step_minutes), "m")
    step_hours = (valid - runs[run_idx][:, None]) / np.timedelta64(1, "h")
    grid = ds["step"].values / np.timedelta64(1, "h")
    if np.any(step_hours > grid[-1]):
        raise ValueError(f"valid time beyond the last NWP step ({grid[-1]:g} h)")
    lower = np.clip(np.searchsorted(grid, step_hours, side="right") - 1, 0, grid.size - 2)
    weight = (step_hours - grid[lower]) / (grid[lower + 1] - grid[lower])
    values = ds[variable].transpose("run", "step", "station").values
    a = values[run_idx[:, None], lower]
    b = values[run_idx[:, None], lower + 1]
    return (1.0 - weight[..., None]) * a + weight[..., None] * b


def first_issue_index(ds: xr.Dataset, n_past: int) -> int:
    """First time index with ``n_past`` past observations and an available NWP run."""
    delay = np.timedelta64(int(ds.attrs.get("availability_delay_hours", 0)), "h")
    first_available = ds["run"].values[0] + delay
    return max(n_past - 1, int(np.searchsorted(ds["time"].values, first_available)))


def hybrid_samples(
    ds: xr.Dataset, time_slice: slice, n_past: int, leads: Sequence[int], stride: int = 1
) -> dict[str, Tensor]:
    """Samples of every station with issue times inside ``time_slice`` whose windows stay inside.

    Returns a dict of float32 tensors: ``features`` ``(N, F)``, ``target``, ``persistence``,
    ``nwp`` (``(N, L)`` wind speeds in m s⁻¹), ``station`` ``(N,)`` station positions.
    """
    guard_answer()
    leads = check_leads(leads)
    start = max(time_slice.start or 0, first_issue_index(ds, n_past))
    stop = (time_slice.stop if time_slice.stop is not None else ds.sizes["time"]) - max(leads)
    issue = np.arange(start, stop, stride)
    if issue.size == 0:
        raise ValueError(f"no complete window in time range {time_slice}")
    obs = {name: ds[name].transpose("time", "station").values for name in ("u", "v", "ff")}
    past = np.stack(
        [obs[name][issue[:, None] + np.arange(-n_past + 1, 1)[None, :]] for name in ("u", "v", "ff")], axis=1
    )  # (N, 3, n_past, station)
    offsets = (0, *leads)
    nwp = np.stack(
        [latest_run_forecast(ds, f"nwp_{name}", issue, offsets) for name in ("u", "v", "ff")], axis=1
    )  # (N, 3, 1 + L, station)
    hours = (ds["time"].values[issue] - ds["time"].values[issue].astype("datetime64[D]")) / np.timedelta64(
        1, "h"
    )
    clock = np.stack([np.sin(2 * np.pi * hours / 24), np.cos(2 * np.pi * hours / 24)], 1)
    n_sta = ds.sizes["station"]
    target = obs["ff"][issue[:, None] + np.array(leads)[None, :]]  # (N, L, station)
    rows = []
    for s in range(n_sta):
        onehot = np.zeros((issue.size, n_sta))
        onehot[:, s] = 1.0
        rows.append(
            {
                "features": np.concatenate(
                    [
                        past[..., s].reshape(issue.size, -1),
                        nwp[..., s].reshape(issue.size, -1),
                        clock,
                        onehot,
                    ],
                    1,
                ),
                "target": target[..., s],
                "persistence": np.repeat(obs["ff"][issue, s][:, None], len(leads), 1),
                "nwp": nwp[:, 2, 1:, s],
                "station": np.full(issue.size, s),
            }
        )
    out = {
        key: torch.as_tensor(np.concatenate([r[key] for r in rows]), dtype=torch.float32) for key in rows[0]
    }
    keep = torch.isfinite(out["features"]).all(1) & torch.isfinite(out["target"]).all(1)
    return {key: value[keep] for key, value in out.items()}


class WindHybridDataModule(pl.LightningDataModule):
    """Hybrid-forecast samples in disjoint time blocks (train, val, test, in this order).

    Features are standardised with training-sample statistics only.
    """

    def __init__(
        self,
        ds: xr.Dataset,
        n_past: int = 10,
        leads: Sequence[int] = WIND_LEADS,
        fractions: Sequence[float] = (0.6, 0.2, 0.2),
        stride: int = 1,
        batch_size: int = 512,
        seed: int = 0,
    ):
        super().__init__()
        self.leads, self.n_past = check_leads(leads), n_past
        length = window_length(n_past, self.leads)
        self.slices = time_splits(ds.sizes["time"], fractions, gap=length, min_gap=length)
        self.samples = {
            name: hybrid_samples(ds, self.slices[name], n_past, self.leads, stride) for name in SPLITS
        }
        train = self.samples["train"]["features"]
        self.feature_mean, self.feature_std = train.mean(0), train.std(0).clamp_min(1e-6)
        self.target_std = float(self.samples["train"]["target"].std())
        self.batch_size, self.seed = batch_size, seed

    def dataset(self, split: str) -> TensorDataset:
        s = self.samples[split]
        return TensorDataset((s["features"] - self.feature_mean) / self.feature_std, s["nwp"], s["target"])

    def train_dataloader(self) -> DataLoader:
        return DataLoader(
            self.dataset("train"),
            batch_size=self.batch_size,
            shuffle=True,
            generator=torch.Generator().manual_seed(self.seed),
        )

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.dataset("val"), batch_size=8192)


class NWPCorrector(nn.Module):
    """MLP correction of the NWP wind speed: ``ff̂ = ff_NWP + scale * g(features)``, ``(N, L)``."""

    def __init__(self, n_features: int, n_leads: int, hidden: int = 128, scale: float = 1.0):
        super().__init__()
        self.scale = scale
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
            nn.GELU(),
            nn.Linear(hidden, n_leads),
        )

    def forward(self, features: Tensor, nwp: Tensor) -> Tensor:
        guard_answer()
        return nwp + self.scale * self.net(features)


class HybridModule(CourseModule):
    """Mean squared error (m² s⁻²) of the corrected forecast, Adam with a cosine schedule."""

    def __init__(self, model: NWPCorrector, lr: float = 2e-3, max_epochs: int | None = 10):
        super().__init__(lr=lr, max_epochs=max_epochs)
        self.model = model

    def loss(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        """Mean squared error of ``model(features, nwp)`` to ``target`` over a batch, all ``(B, ...)``."""
        features, nwp, target = batch
        return (self.model(features, nwp) - target).square().mean()


def hybrid_forecast(model: NWPCorrector, data: WindHybridDataModule, split: str) -> Tensor:
    """Corrected wind speed ``(N, L)`` in m s⁻¹ of every sample of ``split`` (on CPU)."""
    features, nwp, _ = data.dataset(split).tensors
    return predict_in_batches(model, features, nwp, batch_size=8192)
