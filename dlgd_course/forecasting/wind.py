"""Synthetic coastal wind stations and an NWP forecast product, in the MeteoNet layout.

The generator mimics MeteoNet ground stations (Larvor et al. 2020, *MeteoNet, an open
reference weather dataset*, Météo-France): 6-minute observations of wind direction
``dd`` (degrees, the direction the wind blows *from*), wind speed ``ff`` (m s⁻¹),
precipitation ``precip`` (kg m⁻² per 6 min), relative humidity ``hu`` (%), dew point
``td`` and temperature ``t`` (K) and mean-sea-level pressure ``psl`` (Pa), at a few
coastal stations. The 10-m wind vector is the sum of

* a synoptic wind shared by the stations: a twice-filtered Ornstein–Uhlenbeck process
  (time scale ``synoptic_hours``), i.e. smooth on hours, decorrelated over days, with a
  pressure anomaly in geostrophic-like relation to it;
* a diurnal modulation of the surface wind by boundary-layer mixing (daytime
  strengthening), and a sea breeze blowing from the sea in the afternoon whose
  strength decreases with the synoptic wind speed and with cloudiness;
* mesoscale fluctuations (OU process, ``mesoscale_hours``), gusts (Poisson events with
  a rate growing with wind speed, decaying over a few steps) and measurement noise.

The NWP product mimics an AROME-like model interpolated to the stations: runs every
``run_every_hours`` hours, hourly steps up to ``max_step_hours``, available
``availability_delay_hours`` after the run time. It forecasts the large-scale part
(synoptic + damped sea breeze + diurnal mixing), smoothed over an hour (no mesoscale,
no gusts), with a speed bias, a direction bias, a phase (timing) error growing with
the step, and an amplitude error growing with the step.

Layout (shared with :mod:`dlgd_course.forecasting.meteonet`): dims ``station``,
``time`` (6 min), ``run``, ``step`` (hourly ``timedelta64``); observations
``(station, time)``; NWP variables ``nwp_*`` ``(run, step, station)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

STEP_MINUTES = 6
STEPS_PER_HOUR = 60 // STEP_MINUTES


@dataclass(frozen=True)
class CoastalStation:
    """A coastal station: MeteoNet-like identity plus its local climate parameters.

    ``sea_direction`` is the direction (degrees, meteorological) the sea breeze blows
    from; ``exposure`` the ratio of surface to synoptic wind; ``sea_breeze`` the
    onshore breeze speed (m s⁻¹) on a calm sunny afternoon.
    """

    number: int
    lat: float
    lon: float
    height: float
    sea_direction: float
    exposure: float
    sea_breeze: float

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number <= 0:
            raise ValueError(f"station number must be a positive int, got {self.number!r}")
        for name in ("lat", "lon", "height", "sea_direction", "exposure", "sea_breeze"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"station {self.number}: {name} must be finite, got {getattr(self, name)}")
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"station {self.number}: lat/lon out of range, got {self.lat}, {self.lon}")
        if self.exposure <= 0 or self.sea_breeze < 0:
            raise ValueError(
                f"station {self.number}: exposure must be > 0 and sea_breeze >= 0, "
                f"got {self.exposure} and {self.sea_breeze}"
            )


#: Three stations of a Breton-like coast (made up; the numbers follow MeteoNet's 8 digits).
DEFAULT_STATIONS: tuple[CoastalStation, ...] = (
    CoastalStation(29075001, 48.45, -4.42, 94.0, 270.0, 0.60, 3.0),
    CoastalStation(22168001, 48.83, -3.47, 58.0, 0.0, 0.55, 2.5),
    CoastalStation(56186003, 47.53, -3.15, 16.0, 200.0, 0.70, 3.5),
)


def _ou(
    rng: np.random.Generator, n: int, tau_steps: float, std: float, size: tuple[int, ...] = ()
) -> np.ndarray:
    """Stationary Ornstein–Uhlenbeck (AR(1)) samples ``(n, *size)``, correlation time ``tau_steps``."""
    phi = np.exp(-1.0 / tau_steps)
    noise = rng.standard_normal((n, *size)) * std * np.sqrt(1.0 - phi**2)
    out = np.empty((n, *size))
    out[0] = rng.standard_normal(size) * std
    for i in range(1, n):
        out[i] = phi * out[i - 1] + noise[i]
    return out


def _smooth_ou(
    rng: np.random.Generator, n: int, tau_steps: float, std: float, size: tuple[int, ...] = ()
) -> np.ndarray:
    """OU process filtered by a second AR(1) of the same time scale (smooth on short times)."""
    raw = _ou(rng, n, tau_steps, 1.0, size)
    phi = np.exp(-1.0 / tau_steps)
    out = np.empty_like(raw)
    out[0] = raw[0]
    for i in range(1, n):
        out[i] = phi * out[i - 1] + (1.0 - phi) * raw[i]
    return std * out / out.std(axis=0)


def wind_components(ff: np.ndarray, dd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eastward and northward wind ``(u, v)`` from speed ``ff`` and direction ``dd`` (from, degrees)."""
    rad = np.deg2rad(dd)
    return -ff * np.sin(rad), -ff * np.cos(rad)


def wind_speed_direction(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Speed ``ff`` and meteorological direction ``dd`` in [0, 360) from ``(u, v)``."""
    ff = np.hypot(u, v)
    dd = np.mod(np.rad2deg(np.arctan2(-u, -v)), 360.0)
    return ff, dd


def dew_point(t: np.ndarray, hu: np.ndarray) -> np.ndarray:
    """Dew point (K) from temperature (K) and relative humidity (%), Magnus formula
    (Alduchov & Eskridge 1996: a = 17.625, b = 243.04 °C)."""
    a, b = 17.625, 243.04
    tc = t - 273.15
    gamma = np.log(np.clip(hu, 1.0, 100.0) / 100.0) + a * tc / (b + tc)
    return b * gamma / (a - gamma) + 273.15


def synthetic_coastal_wind(
    n_days: int = 120,
    seed: int = 0,
    stations: Sequence[CoastalStation] = DEFAULT_STATIONS,
    start: str = "2016-01-01",
    synoptic_hours: float = 30.0,
    synoptic_std: float = 6.0,
    mean_wind: tuple[float, float] = (4.0, 1.0),
    mesoscale_hours: float = 1.5,
    mesoscale_std: float = 0.9,
    run_every_hours: int = 6,
    max_step_hours: int = 24,
    availability_delay_hours: int = 3,
    nwp_speed_bias: float = 0.85,
    nwp_direction_bias: float = 12.0,
    nwp_phase_error_hours: float = 1.5,
) -> xr.Dataset:
    """Observations and NWP forecasts at ``stations`` for ``n_days`` days, from ``seed``.

    Speeds in m s⁻¹, directions in degrees (from), time scales in hours. The same
    arguments give the same bytes. See the module docstring for the model and layout.
    """
    if n_days < 2:
        raise ValueError(f"n_days must be >= 2, got {n_days}")
    if not stations:
        raise ValueError("at least one station is needed")
    if run_every_hours < 1 or max_step_hours < run_every_hours + availability_delay_hours:
        raise ValueError(
            "max_step_hours must cover run_every_hours + availability_delay_hours so that a "
            f"forecast is always available (got {max_step_hours} < "
            f"{run_every_hours} + {availability_delay_hours})"
        )
    rng = np.random.default_rng(seed)
    n_sta = len(stations)
    n = n_days * 24 * STEPS_PER_HOUR
    times = np.datetime64(start, "ns") + np.arange(n) * np.timedelta64(STEP_MINUTES, "m")
    hour = (np.arange(n) * STEP_MINUTES / 60.0) % 24.0
    sph = STEPS_PER_HOUR

    # Large scale, shared by the stations (with small station offsets).
    synoptic = _smooth_ou(rng, n, synoptic_hours * sph, synoptic_std, (2,)) + np.array(mean_wind)
    offsets = rng.normal(0.0, 0.8, (n_sta, 2))
    cloud = 1.0 / (1.0 + np.exp(-_smooth_ou(rng, n, 18 * sph, 1.5)))  # cloud fraction in (0, 1)
    pressure = 101300.0 - 120.0 * (synoptic[:, 1] - mean_wind[1]) + _smooth_ou(rng, n, 60 * sph, 700.0)
    # Sunshine (daytime heating) and its afternoon-peaking, lagged version driving the breeze.
    sun = np.clip(np.sin(np.pi * (hour - 6.0) / 12.0), 0.0, None)
    breeze_phase = np.clip(np.sin(np.pi * (hour - 10.0) / 10.0), 0.0, None)
    mixing = 0.85 + 0.3 * sun * (1.0 - 0.5 * cloud)

    sea_dir = np.array([s.sea_direction for s in stations])
    exposure = np.array([s.exposure for s in stations])
    breeze_amp = np.array([s.sea_breeze for s in stations])
    syn_speed = np.hypot(synoptic[:, 0], synoptic[:, 1])
    breeze_speed = (
        breeze_amp[None, :]
        * breeze_phase[:, None]
        * (1.0 - 0.7 * cloud[:, None])
        * np.exp(-syn_speed[:, None] / 10.0)
    )
    breeze_u, breeze_v = wind_components(breeze_speed, sea_dir[None, :])

    large_u = exposure * mixing[:, None] * (synoptic[:, :1] + offsets[:, 0]) + breeze_u
    large_v = exposure * mixing[:, None] * (synoptic[:, 1:] + offsets[:, 1]) + breeze_v

    # Small scales: mesoscale OU, gusts along the wind, measurement noise.
    meso = _ou(rng, n, mesoscale_hours * sph, mesoscale_std, (n_sta, 2))
    u = large_u + meso[..., 0] * (1.0 + 0.05 * np.hypot(large_u, large_v))
    v = large_v + meso[..., 1] * (1.0 + 0.05 * np.hypot(large_u, large_v))
    speed = np.hypot(u, v)
    rate = 0.01 + 0.004 * speed * (1.0 + sun[:, None])  # gust events per 6 min
    kicks = (rng.random((n, n_sta)) < rate) * rng.exponential(1.5, (n, n_sta))
    gust = np.empty_like(kicks)
    gust[0] = kicks[0]
    for i in range(1, n):
        gust[i] = 0.5 * gust[i - 1] + kicks[i]
    unit_u, unit_v = u / np.maximum(speed, 0.1), v / np.maximum(speed, 0.1)
    u = u + gust * unit_u + rng.normal(0.0, 0.25, (n, n_sta))
    v = v + gust * unit_v + rng.normal(0.0, 0.25, (n, n_sta))
    ff, dd = wind_speed_direction(u, v)
    ff, dd = np.round(ff, 1), np.mod(np.round(dd), 360.0)
    u, v = wind_components(ff, dd)

    # Thermodynamics: diurnal and synoptic temperature, humidity, pressure, rain.
    t_syn = _smooth_ou(rng, n, 48 * sph, 2.5)
    t = (
        281.0
        + (5.0 * (1.0 - 0.6 * cloud) * np.cos(2 * np.pi * (hour - 15.0) / 24.0))[:, None]
        - 0.006 * np.array([s.height for s in stations])[None, :]
        + t_syn[:, None]
        + 0.25 * (synoptic[:, 1:] - mean_wind[1])
        + rng.normal(0.0, 0.15, (n, n_sta))
    )
    hu = np.clip(
        95.0
        - 25.0 * sun[:, None] * (1.0 - cloud[:, None])
        - 8.0 * (1.0 - cloud[:, None])
        + _ou(rng, n, 6 * sph, 4.0, (n_sta,)),
        20.0,
        100.0,
    )
    td = dew_point(t, hu)
    rain_driver = cloud[:, None] + 0.1 * _ou(rng, n, 2 * sph, 1.0, (n_sta,))
    precip = np.round(np.clip(rain_driver - 0.85, 0.0, None) * 2.0, 1)
    psl = pressure[:, None] + rng.normal(0.0, 20.0, (n, n_sta))

    obs = {
        "dd": dd,
        "ff": ff,
        "precip": precip,
        "hu": np.round(hu),
        "td": np.round(td, 1),
        "t": np.round(t, 1),
        "psl": np.round(psl, -1),
        "u": u,
        "v": v,
    }

    nwp = _nwp_product(
        rng,
        n,
        n_sta,
        sph,
        synoptic,
        offsets,
        exposure,
        mixing,
        breeze_u,
        breeze_v,
        t,
        pressure,
        run_every_hours,
        max_step_hours,
        nwp_speed_bias,
        nwp_direction_bias,
        nwp_phase_error_hours,
    )
    runs = times[0] + np.arange(nwp["nwp_u"].shape[0]) * np.timedelta64(run_every_hours, "h")
    steps = np.arange(max_step_hours + 1) * np.timedelta64(1, "h").astype("timedelta64[ns]")

    ds = xr.Dataset(
        {name: (("station", "time"), values.T) for name, values in obs.items()}
        | {name: (("run", "step", "station"), values) for name, values in nwp.items()},
        coords={
            "station": [s.number for s in stations],
            "lat": ("station", [s.lat for s in stations]),
            "lon": ("station", [s.lon for s in stations]),
            "height_sta": ("station", [s.height for s in stations]),
            "time": times,
            "run": runs,
            "step": steps,
        },
        attrs={
            "title": "synthetic coastal wind stations and NWP forecasts (MeteoNet layout)",
            "source": "dlgd_course.forecasting.wind.synthetic_coastal_wind",
            "seed": seed,
            "availability_delay_hours": availability_delay_hours,
        },
    )
    set_units(ds)
    return ds


def _nwp_product(
    rng,
    n,
    n_sta,
    sph,
    synoptic,
    offsets,
    exposure,
    mixing,
    breeze_u,
    breeze_v,
    t,
    pressure,
    run_every_hours,
    max_step_hours,
    speed_bias,
    direction_bias,
    phase_error_hours,
) -> dict[str, np.ndarray]:
    """NWP forecasts ``(run, step, station)``: hourly valid times of runs every few hours."""
    n_runs = n // (run_every_hours * sph)
    steps_h = np.arange(max_step_hours + 1)
    # Model climate: the synoptic wind it forecasts is smoothed over one hour.
    kernel = np.ones(sph) / sph
    syn_smooth = np.stack([np.convolve(synoptic[:, k], kernel, mode="same") for k in range(2)], 1)
    rot = np.deg2rad(direction_bias)
    cos, sin = np.cos(rot), np.sin(rot)
    out = {
        name: np.empty((n_runs, steps_h.size, n_sta))
        for name in ("nwp_u", "nwp_v", "nwp_ff", "nwp_dd", "nwp_t", "nwp_psl")
    }
    for r in range(n_runs):
        run_index = r * run_every_hours * sph
        # Timing error grows linearly with the step; amplitude error as a random walk.
        shift_h = (
            rng.normal(0.0, 0.3 * phase_error_hours)
            + rng.normal(0.0, phase_error_hours) * steps_h / max_step_hours
        )
        valid = run_index + steps_h * sph
        shifted = np.clip(np.round(valid + shift_h * sph).astype(int), 0, n - 1)
        valid = np.clip(valid, 0, n - 1)
        walk = np.cumsum(rng.normal(0.0, 0.35, (steps_h.size, 2)), axis=0)
        walk -= walk[0]
        su = syn_smooth[shifted, 0][:, None] + offsets[None, :, 0] + walk[:, :1]
        sv = syn_smooth[shifted, 1][:, None] + offsets[None, :, 1] + walk[:, 1:]
        mix = mixing[valid][:, None]
        fu = speed_bias * (exposure * mix * su + 0.5 * breeze_u[valid])
        fv = speed_bias * (exposure * mix * sv + 0.5 * breeze_v[valid])
        # Direction bias: rotate the forecast wind clockwise by ``direction_bias`` degrees.
        out["nwp_u"][r] = cos * fu - sin * fv
        out["nwp_v"][r] = sin * fu + cos * fv
        out["nwp_t"][r] = t[valid] - 0.8 + rng.normal(0.0, 0.1 + 0.05 * steps_h)[:, None]
        out["nwp_psl"][r] = pressure[shifted][:, None] + 40.0 * walk[:, :1]
    out["nwp_ff"], out["nwp_dd"] = wind_speed_direction(out["nwp_u"], out["nwp_v"])
    return out


UNITS = {
    "dd": ("degree", "wind direction (from)"),
    "ff": ("m s-1", "wind speed"),
    "precip": ("kg m-2", "precipitation over 6 min"),
    "hu": ("%", "relative humidity"),
    "td": ("K", "dew point"),
    "t": ("K", "temperature"),
    "psl": ("Pa", "sea-level pressure"),
    "u": ("m s-1", "eastward wind"),
    "v": ("m s-1", "northward wind"),
    "nwp_u": ("m s-1", "NWP eastward 10-m wind"),
    "nwp_v": ("m s-1", "NWP northward 10-m wind"),
    "nwp_ff": ("m s-1", "NWP 10-m wind speed"),
    "nwp_dd": ("degree", "NWP wind direction (from)"),
    "nwp_t": ("K", "NWP 2-m temperature"),
    "nwp_psl": ("Pa", "NWP mean-sea-level pressure"),
}


def set_units(ds: xr.Dataset) -> None:
    """Attach CF ``units`` and ``long_name`` to the known variables of ``ds`` (in place)."""
    for name, (units, long_name) in UNITS.items():
        if name in ds:
            ds[name].attrs.update(units=units, long_name=long_name)
