"""Exercise 21 — interpolation trained from the observations alone: the library code each part
must not use, and the references that later cells fall back on.

Later cells need every part's result: the figures the coverage of Part 1, the normaliser,
baselines and networks the split of Part 2, the comparison tables the score of Part 3 and the
persistence baseline of Part 4, the training and validation pairs the withheld patches of
Part 5. Their reference fallbacks have the notebook's signatures (and are answers too: locked
while the part is graded); a wrong result is replaced in later cells like a missing one (the
parts are ``exact``; the split, a dict of slices, is compared day by day).
"""

from __future__ import annotations

import numpy as np

from dlgd_course.assignments import interpolation as exercise_01
from dlgd_course.data.splits import time_splits
from dlgd_course.interpolation.clouds import hide_observed_pixels
from dlgd_course.interpolation.lightning import (
    GappyWindows,
    InterpolationModule,
    masked_mse,
    train_interpolator,
)
from dlgd_course.interpolation.metrics import hidden_pixel_scores, score_arrays
from dlgd_course.interpolation.observation_only import persistence_fill, withhold_patches
from dlgd_course.own_work import Part, guard_answer


def coverage(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference ``(daily_missing, observed_fraction)`` of a (time, lat, lon) mask (True where
    observed): the missing fraction of each day (time,) and the observed fraction of each
    pixel over the record (lat, lon), float64."""
    guard_answer()
    observed = np.asarray(mask, dtype=np.float64)
    return 1.0 - observed.mean(axis=(1, 2)), observed.mean(axis=0)


def split_days(n_time: int, n_test: int, n_val: int, gap: int) -> dict[str, slice]:
    """Reference split of ``n_time`` days into train, val and test blocks in this order, the
    test block the last ``n_test`` days, ``gap`` discarded days between two blocks."""
    guard_answer()
    n_train = n_time - n_test - n_val - 2 * gap
    if min(n_test, n_val) < 1 or gap < 0 or n_train < 1:
        raise ValueError(f"cannot split {n_time} days into {n_test} test, {n_val} val and gaps of {gap}")
    return {
        "train": slice(0, n_train),
        "val": slice(n_train + gap, n_train + gap + n_val),
        "test": slice(n_time - n_test, n_time),
    }


def _other_days(result: object, n_time: int, n_test: int, n_val: int, gap: int) -> str | None:
    """Why the split ``result`` of ``split_days`` differs from the reference's (slices are
    compared by the days they select), or ``None``."""
    expected = split_days(n_time, n_test, n_val, gap)
    for name, block in expected.items():
        got = result.get(name) if isinstance(result, dict) else None
        if not isinstance(got, slice) or range(n_time)[got] != range(n_time)[block]:
            return f"block {name!r} should be days {block.start}-{block.stop - 1}"
    return None


def hidden_rmse(estimate: np.ndarray, reference: np.ndarray, input_mask: np.ndarray) -> float:
    """Reference RMSE of ``estimate`` against ``reference`` on the pixels not given to the
    method (``input_mask`` False) where the reference is known (finite)."""
    guard_answer()
    scored = ~np.asarray(input_mask, dtype=bool) & np.isfinite(reference)
    if not scored.any():
        raise ValueError("no pixel to score: every pixel was given to the method or has no reference")
    return float(np.sqrt(np.mean((np.asarray(estimate, dtype=np.float64)[scored] - reference[scored]) ** 2)))


PARTS = {
    "coverage": Part(answers=(coverage,), fallback=coverage, exact=True),
    # the course's one time splitter does the same with fractions
    "split_days": Part(answers=(split_days, time_splits), fallback=split_days, check=_other_days),
    # the library's scores on hidden pixels, and exercise 01's
    "hidden_rmse": Part(
        answers=(hidden_rmse, score_arrays, hidden_pixel_scores, exercise_01.hidden_scores),
        fallback=hidden_rmse,
        exact=True,
    ),
    "persistence_fill": Part(answers=(persistence_fill,), fallback=persistence_fill, exact=True),
    # the donor-day hiding of the library and of exercise 01 builds observation-only pairs too
    "withhold_patches": Part(
        answers=(
            withhold_patches,
            hide_observed_pixels,
            exercise_01.observation_pair,
            GappyWindows.__getitem__,
        ),
        fallback=withhold_patches,
        exact=True,
    ),
    # the library's masked loss and training (and exercise 01's answers to them)
    "observation_training": Part(
        answers=(masked_mse, InterpolationModule.loss, train_interpolator, GappyWindows.__getitem__),
        trains=True,
    ),
}
