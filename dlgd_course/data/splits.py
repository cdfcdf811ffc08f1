"""The one time splitter of the course: train / val / test blocks in time, with a gap.

Every theme splits a time series the same way: three contiguous blocks ordered in time
(train, then validation, then test), separated by a gap of discarded steps at least as long
as one sample's window, so that no time step is shared by samples of two splits (leakage).
Trajectories drawn from independent initial states need no gap; a single series does.
"""

from __future__ import annotations

from collections.abc import Sequence

from dlgd_course.own_work import guard_answer

SPLITS = ("train", "val", "test")


def time_splits(
    n_times: int,
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    gap: int = 0,
    min_gap: int = 0,
) -> dict[str, slice]:
    """Contiguous train / val / test index ranges, in this order, separated by ``gap`` steps.

    Args:
        n_times: length of the series.
        fractions: shares of ``n_times - 2 * gap`` given to train, val, test (sum to 1).
        gap: number of discarded steps between two consecutive blocks.
        min_gap: the smallest admissible gap, usually :func:`window_length`; a smaller
            ``gap`` raises ``ValueError`` (the splits would share time steps through
            overlapping windows).

    Returns:
        ``{"train": slice, "val": slice, "test": slice}`` into the time axis.
    """
    guard_answer()
    if len(fractions) != 3 or any(f <= 0 for f in fractions):
        raise ValueError(f"fractions must be three positive numbers, got {tuple(fractions)}")
    if abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(f"fractions must sum to 1, got {sum(fractions):g}")
    if gap < min_gap:
        raise ValueError(
            f"gap of {gap} steps between splits is shorter than one window ({min_gap} steps): "
            "train and test samples would overlap in time (leakage)"
        )
    usable = n_times - 2 * gap
    if usable < 3:
        raise ValueError(f"series of {n_times} steps is too short for three splits and gaps")
    n_train = int(round(fractions[0] * usable))
    n_val = int(round(fractions[1] * usable))
    start_val = n_train + gap
    start_test = start_val + n_val + gap
    return {
        "train": slice(0, n_train),
        "val": slice(start_val, start_val + n_val),
        "test": slice(start_test, n_times),
    }
