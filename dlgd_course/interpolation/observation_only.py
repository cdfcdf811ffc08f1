"""Gap filling learnt and judged from the observations alone (real products have no truth).

Two pieces that need nothing but the gappy record:

* :func:`persistence_fill`, the simplest baseline of daily composites: every gap takes the
  last value observed at the same pixel, if it is at most ``max_age`` days old, else the
  climatology (0 in normalised anomalies),

      x̂_t(p) = y_{t-a}(p)  with  a = min{a ≥ 0 : p observed on day t - a},  if a ≤ max_age,
      x̂_t(p) = 0            otherwise;

* :func:`withhold_patches`, the training (and validation) pairs of observation-only learning:
  square patches of ``patch × patch`` pixels are withheld at random with probability
  ``fraction``, independently on every day; the network sees the observed pixels outside
  them and its loss (or the score) is taken on the observed pixels inside them, where the
  observation is the only target there is. Patches rather than single pixels, so that the
  withheld pixels look like cloud gaps: an isolated withheld pixel is filled from its
  observed neighbours, which teaches nothing about large gaps. This is the cloud-shaped
  cross-validation of DINEOF (Beckers et al. 2006, Ocean Science 2, 183-199) turned into a
  training signal.
"""

from __future__ import annotations

import numpy as np

from dlgd_course.own_work import guard_answer

__all__ = ["persistence_fill", "withhold_patches"]


def persistence_fill(z_obs: np.ndarray, mask: np.ndarray, max_age: int) -> np.ndarray:
    """Fill the gaps of ``z_obs`` (time, lat, lon; normalised anomalies, NaN in gaps) with the
    last observation of the same pixel at most ``max_age`` days old, else 0 (climatology).

    ``mask`` (time, lat, lon) is True where observed; observed pixels keep their value. Days
    before the first one of the record are unknown (a pixel not yet observed gets 0).
    Returns float64 (time, lat, lon).
    """
    guard_answer()
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != np.shape(z_obs) or mask.ndim != 3:
        raise ValueError(
            f"z_obs and mask must both be (time, lat, lon), got {np.shape(z_obs)} and {mask.shape}"
        )
    if max_age < 0:
        raise ValueError(f"max_age must be >= 0 days, got {max_age}")
    filled = np.zeros(mask.shape)
    last = np.zeros(mask.shape[1:])
    age = np.full(mask.shape[1:], np.inf)
    for day in range(mask.shape[0]):
        last = np.where(mask[day], z_obs[day], last)
        age = np.where(mask[day], 0.0, age + 1)
        filled[day] = np.where(age <= max_age, last, 0.0)
    return filled


def withhold_patches(
    mask: np.ndarray, fraction: float, patch: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Withhold random square patches of the observed pixels.

    ``mask`` (..., lat, lon), True where observed, lat and lon multiples of ``patch``. Each
    ``patch × patch`` block of every leading index (sample, day) is withheld when
    ``np.random.default_rng(seed).random((..., lat // patch, lon // patch)) < fraction``.
    Returns boolean ``(input_mask, target_mask)`` of the shape of ``mask``: the observed
    pixels outside the withheld patches (what the method is given) and those inside (where
    it is trained or scored, against the observation).
    """
    guard_answer()
    mask = np.asarray(mask, dtype=bool)
    if patch < 1:
        raise ValueError(f"patch must be >= 1 pixel, got {patch}")
    if mask.ndim < 2 or mask.shape[-1] % patch or mask.shape[-2] % patch:
        raise ValueError(
            f"mask must be (..., lat, lon) with lat and lon multiples of {patch}, got {mask.shape}"
        )
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    blocks = (*mask.shape[:-2], mask.shape[-2] // patch, mask.shape[-1] // patch)
    withheld = np.random.default_rng(seed).random(blocks) < fraction
    withheld = withheld.repeat(patch, axis=-2).repeat(patch, axis=-1)
    return mask & ~withheld, mask & withheld
