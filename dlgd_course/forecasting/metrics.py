"""Forecast scores per lead time, and their plot.

    RMSE(l) = sqrt( mean over samples n and components k of (x̂_{n,l,k} − x_{n,l,k})² )
    skill(l) = 1 − MSE_model(l) / MSE_reference(l)        (mean-squared-error skill score)

Skill is 1 for a perfect forecast, 0 for one as good as the reference (persistence
by default) and negative for a worse one (Murphy 1988, *Skill scores based on the
mean square error and their relationships to the correlation coefficient*, MWR 116).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import Tensor

from dlgd_course.own_work import guard_answer


def rmse_per_lead(forecast: Tensor, target: Tensor) -> Tensor:
    """RMSE per lead of ``forecast`` and ``target`` ``(N, L, *feature_shape)`` -> ``(L,)``.

    NaN targets (missing observations) are left out of the mean.
    """
    guard_answer()
    if forecast.shape != target.shape:
        raise ValueError(
            f"forecast shape {tuple(forecast.shape)} differs from target shape {tuple(target.shape)}"
        )
    if forecast.ndim < 2:
        raise ValueError("forecast must have shape (samples, leads, ...)")
    err2 = (forecast - target).square().transpose(0, 1).reshape(forecast.shape[1], -1)
    valid = ~torch.isnan(err2)
    if not torch.all(valid.any(dim=1)):
        raise ValueError("a lead has no valid (non-NaN) target")
    return (torch.where(valid, err2, 0.0).sum(dim=1) / valid.sum(dim=1)).sqrt()


def skill_score(rmse: Tensor | np.ndarray, reference_rmse: Tensor | np.ndarray) -> np.ndarray:
    """MSE skill score ``1 − rmse² / reference_rmse²`` per lead."""
    guard_answer()
    rmse = np.asarray(rmse, dtype=float)
    reference = np.asarray(reference_rmse, dtype=float)
    if rmse.shape != reference.shape:
        raise ValueError(f"rmse shape {rmse.shape} differs from reference shape {reference.shape}")
    if np.any(reference <= 0):
        raise ValueError("reference RMSE must be positive at every lead")
    return 1.0 - rmse**2 / reference**2


def plot_skill(
    rmse: Mapping[str, Sequence[float] | np.ndarray | Tensor],
    lead_times: Sequence[float],
    reference: str = "persistence",
    lead_unit: str = "steps",
    rmse_unit: str = "",
):
    """Two panels: RMSE per lead of every model, and its skill against ``reference``.

    Args:
        rmse: model name -> RMSE per lead (same length as ``lead_times``); must hold
            ``reference``.
        lead_times: lead times for the x axis, in ``lead_unit``.

    Returns:
        the matplotlib ``(figure, axes)``.
    """
    import matplotlib.pyplot as plt

    if reference not in rmse:
        raise ValueError(f"reference {reference!r} is not among the models {sorted(rmse)}")
    lead_times = np.asarray(lead_times, dtype=float)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, values in rmse.items():
        values = np.asarray(torch.as_tensor(values).cpu(), dtype=float)
        if values.shape != lead_times.shape:
            raise ValueError(f"{name}: {values.size} RMSE values for {lead_times.size} leads")
        axes[0].plot(lead_times, values, marker="o", label=name)
        axes[1].plot(
            lead_times,
            skill_score(values, np.asarray(torch.as_tensor(rmse[reference]).cpu(), dtype=float)),
            marker="o",
            label=name,
        )
    axes[0].set(xlabel=f"lead time ({lead_unit})", ylabel=f"RMSE {rmse_unit}".strip(), title="RMSE per lead")
    axes[1].axhline(0.0, color="k", lw=0.8)
    axes[1].set(xlabel=f"lead time ({lead_unit})", ylabel=f"skill vs {reference}", title="MSE skill score")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig, axes
