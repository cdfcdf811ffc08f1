"""Synthetic geostationary-satellite sequences in the layout of the MeteoNet cloud-type product.

Cloud fields (15-minute frames, square pixels of about 3 km) are built from three sources:

* a low and a high cloud layer, each a smooth Gaussian random field ``q`` advected by its own
  uniform wind and renewed as an AR(1) process in spectral space,

      q̂_{t+1}(k) = a · e^{-i k·w(t) Δt} q̂_t(k) + sqrt(1 - a²) · S(k) ξ̂_t(k),   a = e^{-Δt/τ},

  with ``S(k) ∝ exp(-|k|² ℓ² / 2)`` (correlation length ``ℓ``) and complex white noise ξ̂
  (growth and decay of clouds on the time scale ``τ``). The winds ``w(t)`` (pixels per
  frame) are Ornstein-Uhlenbeck processes around a mean, so that the motion changes in time;
* low clouds burn off during the day: their threshold rises with the sine of the solar
  elevation (diurnal growth and decay);
* convective cells: Gaussian blobs born at random (Poisson rate peaking in the afternoon),
  moving with the mean of both winds, growing then decaying over their life time.

The fields are simulated on a periodic domain larger than the image by ``margin`` pixels on
every side, then cropped, so that clouds really enter and leave the image.

The cloud type ``CT`` follows the 16 classes of the SAFNWC product distributed by MeteoNet
(Larvor et al. 2020), see :data:`CLOUD_TYPES`; the binary cloud mask is ``CT > 5`` (very
low clouds and fog count as clear). Derived channels: infrared brightness temperature
``ir108`` (K, 10.8 µm), visible reflectance ``vis06`` (0.6 µm, scaled by the cosine of the
solar zenith angle, zero at night) and water-vapour brightness temperature ``wv062`` (K).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from dlgd_course.data.splits import time_splits
from dlgd_course.own_work import guard_answer

__all__ = [
    "CLOUD_TYPES",
    "STEP_MINUTES",
    "CloudSceneConfig",
    "cloud_mask",
    "simulate_clouds",
    "split_in_time",
]

STEP_MINUTES = 15

#: The 16 cloud-type classes (SAFNWC / MeteoNet ``CT``). Classes 0, 3, 4 and 15 never occur
#: in the synthetic scenes (no missing data, no snow or sea ice).
CLOUD_TYPES = (
    "no data",
    "cloud-free land",
    "cloud-free sea",
    "snow over land",
    "sea ice",
    "very low clouds",
    "low clouds",
    "mid-level clouds",
    "high opaque clouds",
    "very high opaque clouds",
    "fractional clouds",
    "high semitransparent thin clouds",
    "high semitransparent meanly thick clouds",
    "high semitransparent thick clouds",
    "high semitransparent above low or medium clouds",
    "high semitransparent above snow/ice",
)


@dataclass(frozen=True)
class CloudSceneConfig:
    """Parameters of :func:`simulate_clouds` (lengths in pixels, times in frames of 15 min).

    ``wind_low``/``wind_high`` are the mean winds (dy, dx) of the two layers; ``wind_std`` the
    stationary standard deviation and ``wind_time`` the correlation time of their
    Ornstein-Uhlenbeck fluctuations; ``length_low``/``length_high`` the correlation lengths ℓ
    and ``tau_low``/``tau_high`` the renewal times τ; ``threshold_low``/``threshold_high``
    the field values above which a layer is cloudy (in units of its std), the low one raised
    by ``burn_off`` × sin(solar elevation) by day; ``cells_per_day`` the mean number of
    convective cells born per day over the simulated domain, ``cell_radius`` and
    ``cell_life`` their size and life time.
    """

    wind_low: tuple[float, float] = (0.4, 1.2)
    wind_high: tuple[float, float] = (-0.6, 2.0)
    wind_std: float = 0.6
    wind_time: float = 48.0
    length_low: float = 5.0
    length_high: float = 8.0
    tau_low: float = 12.0
    tau_high: float = 24.0
    threshold_low: float = 0.5
    threshold_high: float = 0.9
    burn_off: float = 0.6
    cells_per_day: float = 60.0
    cell_radius: tuple[float, float] = (2.5, 5.0)
    cell_life: tuple[float, float] = (6.0, 14.0)

    def __post_init__(self) -> None:
        """Winds are (dy, dx) pairs; lengths, times and ranges are positive; ``wind_std``,
        ``burn_off`` and ``cells_per_day`` are not negative; thresholds are finite."""
        for name in ("wind_low", "wind_high"):
            wind = getattr(self, name)
            if len(wind) != 2 or not all(math.isfinite(v) for v in wind):
                raise ValueError(f"{name} must be a finite (dy, dx) pair, got {wind!r}")
        for name in ("wind_time", "length_low", "length_high", "tau_low", "tau_high"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("wind_std", "burn_off", "cells_per_day"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("threshold_low", "threshold_high"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite, got {getattr(self, name)!r}")
        for name in ("cell_radius", "cell_life"):
            low, high = getattr(self, name)
            if not 0 < low <= high < math.inf:
                raise ValueError(
                    f"{name} must be a (low, high) range with 0 < low <= high, got {(low, high)!r}"
                )


def _spectral_filter(n: int, length: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = 2 * np.pi * np.fft.fftfreq(n)
    ky, kx = np.meshgrid(k, k, indexing="ij")
    filt = np.exp(-(kx**2 + ky**2) * length**2 / 2)
    filt *= n / np.sqrt(np.sum(filt**2))  # unit variance of the real field
    return filt, ky, kx


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.fft.fft2(rng.standard_normal((n, n)))


def _solar_elevation_sine(times: pd.DatetimeIndex, latitude: float = 46.0) -> np.ndarray:
    """sin(solar elevation) at longitude 0 (day of year and hour of the frame)."""
    day = times.day_of_year.to_numpy()
    hour = times.hour.to_numpy() + times.minute.to_numpy() / 60
    declination = np.deg2rad(23.44) * np.sin(2 * np.pi * (day - 81) / 365)
    phi = np.deg2rad(latitude)
    hour_angle = 2 * np.pi * (hour - 12) / 24
    return np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(hour_angle)


def cloud_mask(ct: xr.DataArray | np.ndarray) -> xr.DataArray | np.ndarray:
    """Binary cloud mask ``CT > 5`` (bool, same shape)."""
    guard_answer()
    return ct > 5


def simulate_clouds(
    n_frames: int,
    size: int = 128,
    seed: int = 0,
    start: str = "2026-06-01T00:00",
    margin: int = 32,
    config: CloudSceneConfig = CloudSceneConfig(),
) -> xr.Dataset:
    """Simulate ``n_frames`` satellite frames of ``size × size`` pixels, 15 min apart.

    Returns:
        Dataset with dims ``(time, y, x)``: ``CT`` (uint8, 16 classes), ``ir108`` (K),
        ``vis06`` (reflectance 0-1), ``wv062`` (K), ``land`` (bool, (y, x)), and the
        hidden drivers ``wind_low``/``wind_high`` ((time, component), pixels per frame);
        ``time`` is datetime64. Deterministic in ``seed``.
    """
    if n_frames < 1 or size < 8 or margin < 0:
        raise ValueError(f"need n_frames >= 1, size >= 8 and margin >= 0, got {n_frames}, {size}, {margin}")
    c = config
    rng = np.random.default_rng(seed)
    n = size + 2 * margin
    crop = (slice(margin, margin + size), slice(margin, margin + size))
    times = pd.date_range(start, periods=n_frames, freq=f"{STEP_MINUTES}min")
    sun = _solar_elevation_sine(times)

    filt_low, ky, kx = _spectral_filter(n, c.length_low)
    filt_high, _, _ = _spectral_filter(n, c.length_high)
    filt_wv, _, _ = _spectral_filter(n, 2 * c.length_high)
    a_low, a_high = np.exp(-1 / c.tau_low), np.exp(-1 / c.tau_high)
    q_low = filt_low * _noise(rng, n)
    q_high = filt_high * _noise(rng, n)
    q_wv = filt_wv * _noise(rng, n)
    land = (np.fft.ifft2(_spectral_filter(n, 12.0)[0] * _noise(rng, n)).real > 0.3)[crop]

    mean_low, mean_high = np.asarray(c.wind_low), np.asarray(c.wind_high)
    w_low = mean_low + c.wind_std * rng.standard_normal(2)
    w_high = mean_high + c.wind_std * rng.standard_normal(2)
    a_wind = np.exp(-1 / c.wind_time)
    yy, xx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    cells = np.zeros((0, 5))  # y, x, radius, age, life

    shape = (n_frames, size, size)
    ct = np.empty(shape, np.uint8)
    ir, vis, wv = (np.empty(shape, np.float32) for _ in range(3))
    winds = np.empty((2, n_frames, 2))
    for t in range(n_frames):
        if t:
            for q, w, a, filt in ((q_low, w_low, a_low, filt_low), (q_high, w_high, a_high, filt_high)):
                q *= a * np.exp(-1j * (ky * w[0] + kx * w[1]))
                q += np.sqrt(1 - a**2) * filt * _noise(rng, n)
            q_wv *= np.exp(-1j * (ky * w_high[0] + kx * w_high[1]))
            cells[:, :2] += (w_low + w_high) / 2
            cells[:, 3] += 1
            cells = cells[cells[:, 3] < cells[:, 4]]
            w_low = (
                mean_low
                + a_wind * (w_low - mean_low)
                + c.wind_std * np.sqrt(1 - a_wind**2) * rng.standard_normal(2)
            )
            w_high = (
                mean_high
                + a_wind * (w_high - mean_high)
                + c.wind_std * np.sqrt(1 - a_wind**2) * rng.standard_normal(2)
            )
        winds[0, t], winds[1, t] = w_low, w_high
        hour = times[t].hour + times[t].minute / 60
        rate = c.cells_per_day / 96 * 2 * max(np.sin(np.pi * (hour - 9) / 12), 0.0) ** 2
        n_new = rng.poisson(rate)
        if n_new:
            new = np.column_stack(
                [
                    rng.uniform(0, n, (n_new, 2)),
                    rng.uniform(*c.cell_radius, n_new),
                    np.zeros(n_new),
                    rng.uniform(*c.cell_life, n_new),
                ]
            )
            cells = np.vstack([cells, new])

        low = np.fft.ifft2(q_low).real[crop]
        high = np.fft.ifft2(q_high).real[crop]
        humidity = np.fft.ifft2(q_wv).real[crop]
        conv = np.zeros((n, n))
        for y0, x0, radius, age, life in cells:
            dy = (yy - y0 + n / 2) % n - n / 2
            dx = (xx - x0 + n / 2) % n - n / 2
            conv += 2.5 * np.sin(np.pi * (age + 1) / (life + 1)) * np.exp(-(dy**2 + dx**2) / (2 * radius**2))
        conv = conv[crop]
        ct[t], ir[t], vis[t], wv[t] = _classify(
            low - c.threshold_low - c.burn_off * max(sun[t], 0.0),
            high - c.threshold_high,
            conv,
            land,
            humidity,
            sun[t],
        )

    ds = xr.Dataset(
        {
            "CT": (("time", "y", "x"), ct),
            "ir108": (("time", "y", "x"), ir),
            "vis06": (("time", "y", "x"), vis),
            "wv062": (("time", "y", "x"), wv),
            "land": (("y", "x"), land),
            "wind_low": (("time", "component"), winds[0]),
            "wind_high": (("time", "component"), winds[1]),
        },
        coords={
            "time": times.to_numpy(),
            "y": np.arange(size),
            "x": np.arange(size),
            "component": ["dy", "dx"],
        },
        attrs={
            "source": "dlgd_course.nowcasting.simulate_clouds",
            "seed": seed,
            "step_minutes": STEP_MINUTES,
            "cloud_mask": "CT > 5",
        },
    )
    ds["ir108"].attrs["units"] = "K"
    ds["wv062"].attrs["units"] = "K"
    ds["vis06"].attrs["units"] = "1"
    return ds


def _classify(
    low: np.ndarray, high: np.ndarray, conv: np.ndarray, land: np.ndarray, humidity: np.ndarray, sun: float
) -> tuple[np.ndarray, ...]:
    """Cloud type and channels from the excesses over the thresholds (all (y, x))."""
    ct = np.where(land, 1, 2).astype(np.uint8)
    t_surface = np.where(land, 290.0 + 8.0 * sun, 289.0)
    albedo = np.where(land, 0.15, 0.06)
    ir, wv = t_surface.copy(), 245.0 + 4.0 * humidity

    is_low = low > 0
    ct[is_low & (low < 0.25)] = 5
    ct[is_low & (low >= 0.25) & (low < 1.0)] = 6
    ct[is_low & (low >= 1.0)] = 7
    ir = np.where(is_low, 278.0 - 12.0 * np.clip(low, 0, 1.5), ir)
    albedo = np.where(is_low, 0.35 + 0.3 * np.clip(low, 0, 1), albedo)

    is_high = high > 0
    thickness = np.clip(high, 0, 1.2)
    emissivity = 1 - np.exp(-2.5 * thickness)
    ir = np.where(is_high, emissivity * (225.0 - 5 * thickness) + (1 - emissivity) * ir, ir)
    albedo = np.where(is_high, albedo + (0.75 - albedo) * 0.5 * emissivity, albedo)
    ct[is_high & (thickness < 0.3)] = np.where(is_low, 14, 11)[is_high & (thickness < 0.3)]
    ct[is_high & (thickness >= 0.3) & (thickness < 0.7)] = 12
    ct[is_high & (thickness >= 0.7)] = 13
    edge = (is_low & (low < 0.1)) | (is_high & (high < 0.05))
    ct[edge & (ct >= 5)] = 10

    ct[conv > 0.5] = 8
    ct[conv > 1.2] = 9
    is_conv = conv > 0.5
    ir = np.where(is_conv, np.minimum(ir, 240.0 - 12.0 * np.clip(conv, 0, 2.5)), ir)
    albedo = np.where(is_conv, 0.85, albedo)
    wv = np.minimum(wv, np.where(is_high | is_conv, ir + 8.0, np.inf))
    vis = np.clip(albedo * max(sun, 0.0), 0, 1)
    return ct, ir.astype(np.float32), vis.astype(np.float32), wv.astype(np.float32)


def split_in_time(
    ds: xr.Dataset, fractions: Sequence[float] = (0.7, 0.15, 0.15), gap: int = 10, window: int = 10
) -> dict[str, xr.Dataset]:
    """Split along ``time`` into consecutive ``train``/``val``/``test`` blocks
    (:func:`~dlgd_course.data.splits.time_splits`).

    ``gap`` frames are dropped between blocks, at least one sample's ``window`` (6 past + 4
    future frames = 10), so that no window straddles two blocks. Raises ValueError if a
    block would be empty or the gap is shorter than a window.
    """
    n = ds.sizes["time"]
    blocks = time_splits(n, fractions, gap=gap, min_gap=window)
    for name, block in blocks.items():
        if block.stop <= block.start:
            raise ValueError(f"{n} frames are too few for the {name} block with gap {gap}")
    return {name: ds.isel(time=block) for name, block in blocks.items()}
