"""Exercise 01 — space-time interpolation of gappy fields: the library code each part must not use.

Later cells need three parts' results: the U-Nets of Part 5 train on the pairs of Parts 1 and 2,
and the comparison table scores every method with Part 3's ``hidden_scores``. Their reference
fallbacks below have the notebook's signatures (and are answers too: locked while the part is
graded).
"""

from __future__ import annotations

import numpy as np

from dlgd_course.assimilation.static import kalman_gain
from dlgd_course.assimilation.variational import minimise
from dlgd_course.forecasting.windows import make_windows
from dlgd_course.interpolation.clouds import hide_observed_pixels
from dlgd_course.interpolation.lightning import (
    GappyWindows,
    InterpolationModule,
    masked_mse,
    train_interpolator,
)
from dlgd_course.interpolation.metrics import hidden_pixel_scores, score_arrays
from dlgd_course.interpolation.optimal_interpolation import GaussianCovariance, optimal_interpolation
from dlgd_course.own_work import Part, guard_answer


def osse_pair(z_obs: np.ndarray, mask: np.ndarray, z_true: np.ndarray) -> tuple[np.ndarray, ...]:
    """Reference OSSE pair ``(inputs, input_mask, target, target_mask)``, float32: the
    observations with 0 in the gaps, the observed mask, the truth, and the hidden pixels."""
    guard_answer()
    observed = np.asarray(mask, dtype=bool)
    inputs = np.where(observed, z_obs, 0.0)
    return tuple(np.asarray(a, dtype=np.float32) for a in (inputs, observed, z_true, ~observed))


def observation_pair(z_obs: np.ndarray, mask: np.ndarray, donor_mask: np.ndarray) -> tuple[np.ndarray, ...]:
    """Reference observation-only pair ``(inputs, input_mask, target, target_mask)``, float32:
    the pixels observed and clear in ``donor_mask`` are shown, the other observed ones are the
    target (the observations, 0 in the gaps)."""
    guard_answer()
    observed = np.asarray(mask, dtype=bool)
    shown = observed & np.asarray(donor_mask, dtype=bool)
    inputs = np.where(shown, z_obs, 0.0)
    target = np.where(observed, z_obs, 0.0)
    return tuple(np.asarray(a, dtype=np.float32) for a in (inputs, shown, target, observed & ~shown))


def hidden_scores(estimate: np.ndarray, truth: np.ndarray, hidden: np.ndarray) -> dict[str, float]:
    """Reference ``{"rmse", "r2"}`` of ``estimate`` against ``truth`` on the ``hidden`` pixels."""
    guard_answer()
    hidden = np.asarray(hidden, dtype=bool)
    scores = score_arrays(
        np.asarray(estimate, dtype=np.float64)[hidden], np.asarray(truth, dtype=np.float64)[hidden]
    )
    return {"rmse": scores["rmse"], "r2": scores["r2"]}


PARTS = {
    # the library's windows build the same pairs (GappyWindows), the donor-mask hiding is
    # hide_observed_pixels
    # exact: a wrong pair or score is replaced in later cells like a missing one
    "osse_pair": Part(answers=(osse_pair, GappyWindows.__getitem__), fallback=osse_pair, exact=True),
    "observation_pair": Part(
        answers=(observation_pair, GappyWindows.__getitem__, hide_observed_pixels),
        fallback=observation_pair,
        exact=True,
    ),
    "hidden_scores": Part(
        answers=(hidden_scores, score_arrays, hidden_pixel_scores), fallback=hidden_scores, exact=True
    ),
    # the matrix-free OI solves the same equation; the 1-D kernels build B by Kronecker
    # products; the 3D-Var minimiser reaches the same analysis, and so does the Kalman gain of
    # theme 3 with a dense B and a selection H
    "oi_fill": Part(answers=(optimal_interpolation, GaussianCovariance.kernel, minimise, kalman_gain)),
    # the library's masked loss, windows (GappyWindows, forecasting windows) and training
    # (train_interpolator, InterpolationModule's loss) do what masked_mse, make_windows and
    # train_unet ask
    "unet": Part(
        answers=(
            masked_mse,
            make_windows,
            GappyWindows.__getitem__,
            train_interpolator,
            InterpolationModule.loss,
        ),
        trains=True,
    ),
}
