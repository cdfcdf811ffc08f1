"""Windowed forecasting samples cut from a time series, without leakage.

A sample issued at time index ``t`` holds the *history* ``x[t - n_past + 1 .. t]``
(inputs) and the *targets* ``x[t + l]`` for every lead ``l`` in ``leads`` (in time
steps). One sample therefore touches ``n_past + max(leads)`` consecutive times: that
is the *window length*.

Leakage happens when a validation/test target (or input) also appears inside a
training sample. :func:`time_splits` cuts the series into train / val / test blocks
that are contiguous and ordered in time and separated by a gap of at least one
window length, so no time index is shared by samples of two different splits.
Normalisation statistics must then come from the training block only
(:func:`fit_normalisation`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from dlgd_course.data.splits import SPLITS, time_splits
from dlgd_course.own_work import guard_answer


def check_leads(leads: Sequence[int]) -> tuple[int, ...]:
    """Return ``leads`` as a tuple of strictly increasing positive ints, or raise ``ValueError``."""
    leads = tuple(leads)
    if not leads:
        raise ValueError("leads must hold at least one lead time (in steps)")
    for lead in leads:
        if isinstance(lead, bool) or not isinstance(lead, (int, np.integer)) or lead < 1:
            raise ValueError(f"every lead must be a positive integer number of steps, got {lead!r}")
    if any(b <= a for a, b in zip(leads, leads[1:], strict=False)):
        raise ValueError(f"leads must be strictly increasing, got {leads}")
    return tuple(int(lead) for lead in leads)


def window_length(n_past: int, leads: Sequence[int]) -> int:
    """Number of consecutive time steps one sample touches: ``n_past + max(leads)``."""
    if isinstance(n_past, bool) or not isinstance(n_past, int) or n_past < 1:
        raise ValueError(f"n_past must be a positive integer, got {n_past!r}")
    return n_past + max(check_leads(leads))


def make_windows(series: Tensor, n_past: int, leads: Sequence[int], stride: int = 1) -> tuple[Tensor, Tensor]:
    """All samples of one contiguous series.

    Args:
        series: tensor ``(T, *feature_shape)``, regularly sampled in time.
        n_past: number of past states given as input (the last one is the issue time).
        leads: lead times in steps, strictly increasing, >= 1.
        stride: distance in steps between consecutive issue times.

    Returns:
        ``history`` of shape ``(N, n_past, *feature_shape)`` and ``targets`` of shape
        ``(N, len(leads), *feature_shape)``, with ``N = (T - window_length) // stride + 1``.
    """
    guard_answer()
    leads = check_leads(leads)
    length = window_length(n_past, leads)
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    if series.ndim < 1:
        raise ValueError("series must have a leading time dimension")
    if series.shape[0] < length:
        raise ValueError(
            f"series of {series.shape[0]} steps is shorter than one window "
            f"(n_past={n_past} + max lead {max(leads)} = {length} steps)"
        )
    issue = torch.arange(n_past - 1, series.shape[0] - max(leads), stride)
    past_offsets = torch.arange(-n_past + 1, 1)
    history = series[issue[:, None] + past_offsets[None, :]]
    targets = series[issue[:, None] + torch.tensor(leads)[None, :]]
    return history, targets


def fit_normalisation(train_series: Tensor) -> tuple[Tensor, Tensor]:
    """Per-feature mean and standard deviation of the *training* block ``(T, *feature_shape)``."""
    guard_answer()
    mean = train_series.mean(dim=0)
    std = train_series.std(dim=0)
    if not torch.all(std > 0):
        raise ValueError("a feature is constant over the training block (zero std)")
    return mean, std


class ForecastWindows(Dataset):
    """Map-style dataset of ``(history, targets)`` pairs from :func:`make_windows`."""

    def __init__(self, series: Tensor, n_past: int, leads: Sequence[int], stride: int = 1):
        self.leads = check_leads(leads)
        self.n_past = n_past
        self.history, self.targets = make_windows(series, n_past, self.leads, stride)

    def __len__(self) -> int:
        return self.history.shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        return self.history[index], self.targets[index]


def split_windows(
    series: Tensor,
    n_past: int,
    leads: Sequence[int],
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    gap: int | None = None,
    stride: int = 1,
) -> dict[str, ForecastWindows]:
    """Leak-free train / val / test :class:`ForecastWindows` of ``series`` ``(T, *features)``.

    ``gap`` defaults to one window length (``n_past + max(leads)``), the smallest gap
    that keeps every time step in at most one split.
    """
    guard_answer()
    length = window_length(n_past, leads)
    gap = length if gap is None else gap
    slices = time_splits(series.shape[0], fractions, gap=gap, min_gap=length)
    return {name: ForecastWindows(series[slices[name]], n_past, leads, stride) for name in SPLITS}
