"""Evaluation of generated trips as in BirdGAN (Roy, Fablet & Lanco Bertrand, 2022,
Methods Ecol. Evol. 13, 1275-1287, section 2.4): spectral loss, distance between kernel
density estimates of positions, and distributions of movement statistics.

All functions take positions relative to the colony, ``xy`` of shape (trip, step, 2) in km.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy.ndimage import gaussian_filter
from scipy.stats import wasserstein_distance

from dlgd_course.own_work import guard_answer
from dlgd_course.trajectories.dataset import positions

STATISTICS = ("step_length", "turning_angle", "trip_distance", "max_distance", "duration", "straightness")


def _check_xy(xy: np.ndarray, name: str) -> np.ndarray:
    xy = np.asarray(xy, dtype=float)
    if xy.ndim != 3 or xy.shape[-1] != 2 or xy.shape[1] < 3:
        raise ValueError(f"{name} must have shape (trip, step>=3, 2), got {xy.shape}")
    if not np.all(np.isfinite(xy)):
        raise ValueError(f"{name} contains NaN or inf")
    return xy


def mean_fourier_modulus(xy: np.ndarray) -> np.ndarray:
    """``A[c, k] = (1/n) sum_i |F(x_i,c)_k|``: the modulus of the real FFT over time of each
    coordinate ``c`` (x, y) of each trip ``i``, averaged over the trips; shape (2, T//2+1)."""
    guard_answer()
    xy = _check_xy(xy, "xy")
    return np.abs(np.fft.rfft(xy, axis=1)).mean(axis=0).T


def spectral_loss(real: np.ndarray, generated: np.ndarray, eps: float = 1e-12) -> float:
    """Spectral loss ``L = 1/(2K) sum_c sum_k (log A[c,k] - log Â[c,k])^2`` between the
    trip-averaged Fourier moduli (:func:`mean_fourier_modulus`) of real and generated trips,
    over the two coordinates ``c`` and the ``K = T//2 + 1`` frequencies ``k``.

    BirdGAN writes ``L = sum (log|F(x)| - log|F(x_hat)|)^2``; we average the moduli over trips
    *before* the logarithm (trips are unpaired samples, only their mean spectrum is
    comparable) and divide the sum by ``2K`` so that the value does not depend on the
    sequence length. The loss is invariant to a common change of units (a log ratio).
    Both sets must have the same number of steps ``T``.
    """
    guard_answer()
    a, b = mean_fourier_modulus(real), mean_fourier_modulus(generated)
    if a.shape != b.shape:
        raise ValueError(f"real and generated trips differ in length: {a.shape} vs {b.shape}")
    return float(np.mean((np.log(a + eps) - np.log(b + eps)) ** 2))


def position_density(xy: np.ndarray, scale: float, n_grid: int = 64, bandwidth: float = 0.05) -> np.ndarray:
    """Gaussian kernel density estimate of all positions on an ``n_grid``² grid covering
    ``[-1.1, 1.1]²`` in units of ``scale`` km; isotropic kernel of std ``bandwidth`` (same
    units). Normalised to integrate to 1 over the plane (positions off the grid are lost)."""
    xy = _check_xy(xy, "xy").reshape(-1, 2) / scale
    edges = np.linspace(-1.1, 1.1, n_grid + 1)
    cell = edges[1] - edges[0]
    hist, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=(edges, edges))
    density = gaussian_filter(hist / (xy.shape[0] * cell**2), sigma=bandwidth / cell, mode="constant")
    return density


def kde_mse(real: np.ndarray, generated: np.ndarray, n_grid: int = 64, bandwidth: float = 0.05) -> float:
    """Mean squared difference between the position densities (:func:`position_density`)
    of real and generated trips, both in units of the largest real distance to the colony
    (so that the value is dimensionless and comparable between species)."""
    real = _check_xy(real, "real")
    scale = float(np.hypot(real[..., 0], real[..., 1]).max())
    if scale <= 0:
        raise ValueError("real trips never leave the colony")
    a = position_density(real, scale, n_grid, bandwidth)
    b = position_density(generated, scale, n_grid, bandwidth)
    return float(np.mean((a - b) ** 2))


def trip_statistics(xy: np.ndarray, duration: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Movement statistics (all trips pooled for step length and turning angle):

    step_length (km), turning_angle (rad, in (-pi, pi], between consecutive non-zero steps),
    trip_distance (total path length, km), max_distance (km from the colony), duration (h,
    if given) and straightness ``2 (max d - min d) / total distance`` with ``d`` the distance
    to the colony (1 for a straight out-and-back trip, near 0 for a tortuous one).
    """
    guard_answer()
    xy = _check_xy(xy, "xy")
    steps = np.diff(xy, axis=1)
    length = np.hypot(steps[..., 0], steps[..., 1])
    heading = np.arctan2(steps[..., 0], steps[..., 1])
    turn = np.angle(np.exp(1j * np.diff(heading, axis=1)))
    moving = (length[:, 1:] > 0) & (length[:, :-1] > 0)
    dist = np.hypot(xy[..., 0], xy[..., 1])
    total = length.sum(axis=1)
    stats = {
        "step_length": length.ravel(),
        "turning_angle": turn[moving],
        "trip_distance": total,
        "max_distance": dist.max(axis=1),
        "straightness": 2.0 * (dist.max(axis=1) - dist.min(axis=1)) / np.maximum(total, 1e-12),
    }
    if duration is not None and np.all(np.isfinite(duration)):
        stats["duration"] = np.asarray(duration, dtype=float)
    return stats


def wasserstein_distances(real: dict[str, np.ndarray], generated: dict[str, np.ndarray]) -> dict[str, float]:
    """1-D Wasserstein-1 distance per statistic present in both dicts (turning angles are
    treated as numbers in (-pi, pi], not on the circle)."""
    guard_answer()
    return {
        name: float(wasserstein_distance(real[name], generated[name]))
        for name in STATISTICS
        if name in real and name in generated
    }


def evaluate(real: xr.Dataset, generated: xr.Dataset) -> dict[str, float]:
    """All metrics of generated against real trips: ``spectral_loss``, ``kde_mse`` and
    ``w_<statistic>`` (Wasserstein distances, :func:`wasserstein_distances`), plus the dive
    fraction of both sets."""
    xy_real, xy_gen = positions(real), positions(generated)
    result = {"spectral_loss": spectral_loss(xy_real, xy_gen), "kde_mse": kde_mse(xy_real, xy_gen)}
    distances = wasserstein_distances(
        trip_statistics(xy_real, real["duration"].values),
        trip_statistics(xy_gen, generated["duration"].values),
    )
    result.update({f"w_{name}": value for name, value in distances.items()})
    result["dive_fraction_real"] = float(real["dive"].mean())
    result["dive_fraction_generated"] = float(generated["dive"].mean())
    return result


def histograms(
    stats: dict[str, np.ndarray], reference: dict[str, np.ndarray], bins: int = 30
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Density histograms of ``stats`` and ``reference`` on common bins, per statistic:
    name -> (edges, density of stats, density of reference)."""
    out = {}
    for name in STATISTICS:
        if name in stats and name in reference:
            both = np.concatenate([stats[name], reference[name]])
            edges = np.histogram_bin_edges(both, bins=bins)
            out[name] = (
                edges,
                np.histogram(stats[name], edges, density=True)[0],
                np.histogram(reference[name], edges, density=True)[0],
            )
    return out
