"""Scores of a reconstruction on hidden pixels only, in log10 space and in mg/L.

For the estimate ``x̂``, the truth ``x`` and the set ``H`` of hidden pixels (never shown to
the method), with ``e = x̂ - x`` on ``H``:

    RMSE  = sqrt(mean_H e²)
    nRMSE = RMSE / std_H(x)
    EV    = 1 - var_H(e) / var_H(x)          (explained variance: ignores a constant bias)
    R²    = 1 - sum_H e² / sum_H (x - mean_H x)²

Scoring on observed pixels instead would reward copying the input.
"""

from __future__ import annotations

import numpy as np
import torch

from dlgd_course.own_work import guard_answer

__all__ = ["hidden_pixel_scores", "score_arrays"]


def score_arrays(estimate: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """RMSE, nRMSE, explained variance and R² of two 1-D arrays of the same length."""
    guard_answer()
    e = estimate - truth
    var = float(np.var(truth))
    if truth.size < 2 or var == 0:
        raise ValueError("need at least two hidden pixels with a non-constant truth")
    rmse = float(np.sqrt(np.mean(e**2)))
    return {
        "rmse": rmse,
        "nrmse": rmse / float(np.sqrt(var)),
        "explained_variance": 1.0 - float(np.var(e)) / var,
        "r2": 1.0 - float(np.sum(e**2)) / float(np.sum((truth - truth.mean()) ** 2)),
    }


def hidden_pixel_scores(
    estimate: np.ndarray | torch.Tensor,
    truth: np.ndarray | torch.Tensor,
    hidden: np.ndarray | torch.Tensor,
) -> dict[str, float]:
    """Scores on the pixels where ``hidden`` is True; ``estimate`` and ``truth`` in mg/L.

    Shapes: all three the same, e.g. (time, lat, lon). Returns keys ``rmse_log``,
    ``nrmse_log``, ``explained_variance_log``, ``r2_log`` (log10 space) and ``rmse``,
    ``nrmse``, ``explained_variance``, ``r2`` (mg/L), plus ``n_hidden``.
    """
    guard_answer()
    arrays = [
        x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
        for x in (estimate, truth, hidden)
    ]
    estimate, truth, hidden = arrays
    if not (estimate.shape == truth.shape == hidden.shape):
        raise ValueError(
            f"shapes differ: estimate {estimate.shape}, truth {truth.shape}, hidden {hidden.shape}"
        )
    hidden = hidden.astype(bool)
    est, tru = estimate[hidden].astype(np.float64), truth[hidden].astype(np.float64)
    if not np.all(np.isfinite(est)):
        raise ValueError(f"estimate has {int(np.sum(~np.isfinite(est)))} non-finite hidden pixels")
    if np.any(est <= 0) or np.any(tru <= 0):
        raise ValueError("concentrations must be positive on hidden pixels (log10 scores)")
    scores = {f"{k}_log": v for k, v in score_arrays(np.log10(est), np.log10(tru)).items()}
    scores.update(score_arrays(est, tru))
    scores["n_hidden"] = int(hidden.sum())
    return scores
