"""Cloud masks, sensor noise and gappy observations of a sediment field.

Clouds are the excursion set of a space-time correlated Gaussian random field: a white
noise filtered in Fourier space by a Gaussian kernel of length ``cloud_length`` (pixels)
evolves day to day as an AR(1) process (lag-one correlation ``persistence``), and on day
``t`` the pixels above the ``1 - f_t`` quantile are cloudy. The daily missing fraction
``f_t = sigmoid(μ + z_t)`` with ``z_t`` another AR(1) process reproduces the broad
distribution of real L3 ocean-colour coverage (near 0 to above 90 % missing; e.g.
Alvera-Azcárate et al. 2005, Ocean Modelling 9, 325-346, report ~60-70 % missing on
average). Sensor noise is multiplicative (log-normal), as for ocean-colour retrievals.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from dlgd_course.interpolation.sediment import SEDIMENT_ATTRS
from dlgd_course.own_work import guard_answer

__all__ = ["cloud_masks", "observe_sediment", "hide_observed_pixels"]


def _smooth_noise(rng: np.random.Generator, n: int, shape: tuple[int, int], length: float) -> np.ndarray:
    """``n`` independent unit-variance Gaussian fields of correlation length ``length`` pixels."""
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.rfftfreq(shape[1])[None, :]
    kernel = np.exp(-2.0 * (np.pi * length) ** 2 * (ky**2 + kx**2))
    white = rng.standard_normal((n, *shape))
    field = np.fft.irfft2(np.fft.rfft2(white) * kernel, s=shape)
    return field / field.std(axis=(-2, -1), keepdims=True)


def cloud_masks(
    n_days: int,
    shape: tuple[int, int],
    seed: int = 0,
    mean_missing: float = 0.6,
    cloud_length: float = 6.0,
    persistence: float = 0.6,
    coverage_std: float = 2.0,
    coverage_persistence: float = 0.5,
) -> np.ndarray:
    """Boolean cloud masks (``True`` = cloudy = missing), shape ``(n_days, *shape)``.

    ``mean_missing`` sets μ (the logit of the median daily missing fraction);
    ``coverage_std`` and ``coverage_persistence`` set the AR(1) ``z_t``.
    """
    if not 0.0 < mean_missing < 1.0:
        raise ValueError(f"mean_missing must be in (0, 1), got {mean_missing}")
    if not 0.0 <= persistence < 1.0 or not 0.0 <= coverage_persistence < 1.0:
        raise ValueError("persistence and coverage_persistence must be in [0, 1)")
    if cloud_length <= 0:
        raise ValueError(f"cloud_length must be > 0, got {cloud_length}")
    if n_days < 1 or len(shape) != 2:
        raise ValueError(f"need n_days >= 1 and a 2-D shape, got {n_days}, {shape}")
    rng = np.random.default_rng(seed)
    innovations = _smooth_noise(rng, n_days, tuple(shape), cloud_length)
    field = np.empty_like(innovations)
    field[0] = innovations[0]
    scale = np.sqrt(1.0 - persistence**2)
    for t in range(1, n_days):
        field[t] = persistence * field[t - 1] + scale * innovations[t]
    z = np.empty(n_days)
    z[0] = rng.normal(0.0, coverage_std)
    for t in range(1, n_days):
        z[t] = coverage_persistence * z[t - 1] + rng.normal(
            0.0, coverage_std * np.sqrt(1.0 - coverage_persistence**2)
        )
    mu = np.log(mean_missing / (1.0 - mean_missing))
    fraction = 1.0 / (1.0 + np.exp(-(mu + z)))
    flat = field.reshape(n_days, -1)
    threshold = np.array([np.quantile(flat[t], 1.0 - fraction[t]) for t in range(n_days)])
    return field > threshold[:, None, None]


def observe_sediment(
    truth: xr.Dataset,
    seed: int = 0,
    noise_std: float = 0.03,
    clear_day_fraction: float = 0.05,
    **cloud_kwargs: float,
) -> xr.Dataset:
    """Add cloud gaps and sensor noise to ``truth`` (a Dataset with ``truth`` (time, lat, lon)).

    Returns a copy with ``observation`` (mg/L, NaN under clouds), ``mask`` (bool, True where
    observed) and ``clear_day`` (bool per day: fully observed days, a fraction
    ``clear_day_fraction`` of days drawn at random, held out for evaluation). The noise is
    log-normal: ``log10 y = log10 c + ε``, ``ε ~ N(0, noise_std²)``.
    """
    if "truth" not in truth:
        raise ValueError("observe_sediment needs a Dataset with a 'truth' variable")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    if not 0.0 <= clear_day_fraction < 1.0:
        raise ValueError(f"clear_day_fraction must be in [0, 1), got {clear_day_fraction}")
    field = truth["truth"].values
    if np.any(~(field > 0)):
        raise ValueError("truth must be positive everywhere (log-normal noise)")
    n_days = field.shape[0]
    rng = np.random.default_rng([seed, 1])
    cloudy = cloud_masks(n_days, field.shape[1:], seed=seed, **cloud_kwargs)
    clear = rng.random(n_days) < clear_day_fraction
    cloudy[clear] = False
    noise = rng.normal(0.0, noise_std, size=field.shape)
    observed = field * 10.0**noise
    observed = np.where(cloudy, np.nan, observed).astype(np.float32)
    ds = truth.copy()
    ds["observation"] = (
        ("time", "lat", "lon"),
        observed,
        {**SEDIMENT_ATTRS, "comment": "NaN under clouds", "noise_std_log10": noise_std},
    )
    ds["mask"] = (("time", "lat", "lon"), ~cloudy, {"long_name": "observed pixel"})
    ds["clear_day"] = ("time", clear, {"long_name": "fully observed day held out for evaluation"})
    ds.attrs["observation_seed"] = seed
    return ds


def hide_observed_pixels(
    mask: np.ndarray, seed: int = 0, donor_masks: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Hide part of the observed pixels with the cloud mask of another day.

    For each day ``t`` of ``mask`` (bool (T, H, W), True = observed) a donor day is drawn
    from ``donor_masks`` (default: ``mask`` itself) and its cloudy pixels are removed from
    day ``t``. Returns ``(input_mask, hidden_mask)``: what the model sees, and the pixels
    that were observed but hidden (where the loss or the score is computed). This is how
    training pairs are built from real products, which have no truth under the clouds.
    """
    guard_answer()
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 3:
        raise ValueError(f"mask must be (time, lat, lon), got shape {mask.shape}")
    donors = mask if donor_masks is None else np.asarray(donor_masks, dtype=bool)
    if donors.shape[1:] != mask.shape[1:]:
        raise ValueError(f"donor_masks spatial shape {donors.shape[1:]} != mask {mask.shape[1:]}")
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, donors.shape[0], size=mask.shape[0])
    input_mask = mask & donors[pick]
    hidden = mask & ~input_mask
    return input_mask, hidden
