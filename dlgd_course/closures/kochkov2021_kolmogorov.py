"""A learned closure for the non-differentiable NumPy 2-D turbulence solver.

Forced Kolmogorov flow as in Kochkov et al. (2021, PNAS 118, e2101784118): forcing
k_f cos(k_f y) with k_f = 4, linear drag μ = 0.1 on [0, 2π)², here at a CPU-sized
viscosity ν = 2·10⁻³ (their ν = 10⁻³ needs 2048² DNS). DNS on 64² (``n_fine``), LES on
16² (``n_coarse``, resolves |k| <= 5). Because the solver is NumPy, the closure is learned
*offline* (a priori, regression of the exact subgrid term M* on filtered DNS snapshots)
and tested *a posteriori* inside the LES against the filtered DNS and Smagorinsky.
No gradient can flow through the LES, so a posteriori tuning is derivative-free:
:func:`eki_calibrate_smagorinsky` calibrates C_s by ensemble Kalman inversion
(Iglesias, Law & Stuart 2013, Inverse Problems 29, 045001) on the LES energy spectrum of
the *training* members.

Metric: the time-averaged LES energy spectrum over the second half of the test horizon
against the filtered DNS one, as mean |log10 E_LES(k) − log10 E_DNS(k)| over the resolved
shells 1 <= k <= 5 (and the same for the enstrophy spectrum k² E(k)).

Expected numbers (our measurement, defaults, 2 test members, 30 epochs,
``benchmarks/closures_turbulence2d.py``), energy-spectrum error / enstrophy-spectrum
relative L1 error: no closure 0.248 / 0.575, Smagorinsky C_s = 0.17 0.256 / 0.289,
CNN a priori 0.086 / 0.168, Smagorinsky with C_s = 0.119 from EKI 0.224 / 0.277; no
blow-up. The reduced test (horizons 5/10/10) measures 0.08 (CNN) vs 0.23 (Smagorinsky).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import xarray as xr
from torch.utils.data import DataLoader, TensorDataset

from dlgd_course.closures.training import APrioriClosure
from dlgd_course.closures.turbulence2d import (
    KolmogorovFlow,
    Smagorinsky2D,
    VorticityCNN,
    coarse_grain2d,
    energy_spectrum2d,
    integrate_flow,
    subgrid_term2d,
)
from dlgd_course.data.cache import cached
from dlgd_course.nn import predict_in_batches
from dlgd_course.notebook import quiet_trainer, seed_everything
from dlgd_course.own_work import guard_answer


@dataclass(frozen=True)
class KolmogorovSetup:
    """Grids, time steps and horizons of the experiment (model time units)."""

    n_fine: int = 64
    n_coarse: int = 16
    nu: float = 2e-3
    mu: float = 0.1
    k_f: int = 4
    dt_fine: float = 0.025
    dt_coarse: float = 0.05
    spinup: float = 10.0
    train_duration: float = 20.0
    test_duration: float = 20.0
    sample_every: float = 0.25

    def __post_init__(self) -> None:
        """Check the grids (through :class:`KolmogorovFlow`), that the LES grid is coarser than
        the DNS one, and that every horizon is a whole number of both time steps."""
        for name, flow in (("DNS (n_fine)", lambda: self.fine), ("LES (n_coarse)", lambda: self.coarse)):
            try:
                flow()  # the flow checks its own grid, viscosity, drag and forcing
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from None
        if self.n_coarse >= self.n_fine:
            raise ValueError(f"n_coarse must be below n_fine, got {self.n_coarse} and {self.n_fine}")
        if not (self.dt_fine > 0 and self.dt_coarse > 0):
            raise ValueError(
                f"time steps must be > 0, got dt_fine={self.dt_fine}, dt_coarse={self.dt_coarse}"
            )
        if self.spinup < 0:
            raise ValueError(f"spinup must be >= 0, got {self.spinup}")
        horizons = {
            "sample_every": self.sample_every,
            "train_duration": self.train_duration,
            "test_duration": self.test_duration,
        }
        for name, duration in horizons.items():
            for dt in (self.dt_fine, self.dt_coarse):
                try:
                    _steps(duration, dt)
                except ValueError as error:
                    raise ValueError(f"{name}: {error}") from None
        if self.spinup > 0:
            _steps(self.spinup, self.dt_fine)

    @property
    def fine(self) -> KolmogorovFlow:
        return KolmogorovFlow(self.n_fine, self.nu, self.mu, self.k_f)

    @property
    def coarse(self) -> KolmogorovFlow:
        return KolmogorovFlow(self.n_coarse, self.nu, self.mu, self.k_f)


def _steps(duration: float, dt: float) -> int:
    steps = round(duration / dt)
    if abs(steps * dt - duration) > 1e-9 or steps < 1:
        raise ValueError(f"duration {duration} is not a positive multiple of dt {dt}")
    return steps


def filtered_dns(setup: KolmogorovSetup, seed: int, n_members: int, duration: float) -> dict[str, np.ndarray]:
    """Spun-up DNS sampled every ``sample_every``, through the on-disk cache
    (:func:`dlgd_course.data.cache.cached`: the NumPy DNS is the slow step of the experiment).

    Returns ``omega_bar`` and the exact ``subgrid`` term, each ``(t, m, n_c, n_c)``.
    """

    def generate() -> xr.Dataset:
        fine = setup.fine
        omega = fine.random_initial_state(seed, n_members)
        omega = integrate_flow(fine, omega, setup.dt_fine, _steps(setup.spinup, setup.dt_fine))[-1]
        every = _steps(setup.sample_every, setup.dt_fine)
        trajectory = integrate_flow(fine, omega, setup.dt_fine, _steps(duration, setup.dt_fine), every)
        dims = ("time", "member", "y", "x")
        return xr.Dataset(
            {
                "omega_bar": (dims, coarse_grain2d(trajectory, setup.n_coarse)),
                "subgrid": (dims, subgrid_term2d(trajectory, fine, setup.coarse)),
            }
        )

    parameters = {**asdict(setup), "seed": seed, "n_members": n_members, "duration": duration}
    dataset = cached("kolmogorov-filtered-dns", parameters, generate)
    return {name: dataset[name].values for name in ("omega_bar", "subgrid")}


def spectrum_errors(omega: np.ndarray, reference: np.ndarray, k_max: int) -> tuple[float, float]:
    """(energy, enstrophy) spectrum errors: mean |log10 ratio| over shells 1..k_max.

    ``omega``/``reference``: LES and filtered-DNS vorticity ``(t, m, n, n)``. NaN -> inf.
    """
    guard_answer()
    if not np.isfinite(omega).all():
        return float("inf"), float("inf")
    shells = np.arange(1, k_max + 1)
    energy, energy_ref = energy_spectrum2d(omega)[shells], energy_spectrum2d(reference)[shells]
    error = float(np.mean(np.abs(np.log10(energy / energy_ref))))
    # The log-ratio of k² E(k) equals that of E(k) shell by shell, so the enstrophy
    # spectrum is scored by its relative L1 error, which weights the small scales.
    enstrophy, enstrophy_ref = shells**2 * energy, shells**2 * energy_ref
    enstrophy_error = float(np.abs(enstrophy - enstrophy_ref).sum() / enstrophy_ref.sum())
    return error, enstrophy_error


def run_les(setup: KolmogorovSetup, omega0: np.ndarray, closure: Any, duration: float) -> np.ndarray:
    """LES trajectory on the coarse grid sampled every ``sample_every``, ``(t, m, n_c, n_c)``."""
    every = _steps(setup.sample_every, setup.dt_coarse)
    return integrate_flow(
        setup.coarse, omega0, setup.dt_coarse, _steps(duration, setup.dt_coarse), every, closure
    )


def eki_calibrate_smagorinsky(
    setup: KolmogorovSetup,
    omega_bar: np.ndarray,
    duration: float,
    n_ensemble: int = 8,
    n_iterations: int = 3,
    prior_C_s: float = 0.17,  # noqa: N803
    prior_log_std: float = 0.5,
    noise_std: float = 0.05,
    seed: int = 0,
) -> np.ndarray:
    """Ensemble Kalman inversion of θ = log C_s against the filtered-DNS energy spectrum.

    Forward map G(θ) = log10 E_LES(k), k = 1..k_max, time-averaged over the second half of an
    LES of ``duration`` started from ``omega_bar[0]`` (filtered DNS ``(t, m, n_c, n_c)``, sampled
    every ``sample_every``); data y = the same for ``omega_bar``. Each iteration (perturbed
    observations, noise Γ = ``noise_std`` ² I)::

        θ_j ← θ_j + C_θG (C_GG + Γ)⁻¹ (y + η_j − G(θ_j)),   η_j ~ N(0, Γ).

    The whole ensemble runs as one batched LES. Returns the ensemble of C_s after each
    iteration, ``(n_iterations + 1, n_ensemble)``.
    """
    guard_answer()
    if n_ensemble < 2 or n_iterations < 1:
        raise ValueError(f"need n_ensemble >= 2 and n_iterations >= 1, got {n_ensemble}, {n_iterations}")
    rng = np.random.default_rng(seed)
    k_max = int(np.ceil(setup.n_coarse / 3)) - 1
    shells = np.arange(1, k_max + 1)
    half = _steps(duration, setup.sample_every) // 2
    target = np.log10(energy_spectrum2d(omega_bar[half:])[shells])

    def forward(theta: np.ndarray) -> np.ndarray:
        c_s = np.exp(theta).reshape(-1, 1, 1, 1)
        start = np.repeat(omega_bar[0][None], len(theta), axis=0)
        les = run_les(setup, start, Smagorinsky2D(setup.coarse, c_s), duration)
        return np.stack([np.log10(energy_spectrum2d(les[half:, j])[shells]) for j in range(len(theta))])

    theta = np.log(prior_C_s) + prior_log_std * rng.standard_normal(n_ensemble)
    history = [np.exp(theta)]
    for _ in range(n_iterations):
        predictions = forward(theta)
        if not np.isfinite(predictions).all():
            raise FloatingPointError("an LES of the EKI ensemble blew up; lower prior_log_std")
        theta_anomaly = theta - theta.mean()
        g_anomaly = predictions - predictions.mean(axis=0)
        c_theta_g = theta_anomaly @ g_anomaly / (n_ensemble - 1)
        c_gg = g_anomaly.T @ g_anomaly / (n_ensemble - 1)
        gamma = noise_std**2 * np.eye(k_max)
        perturbed = target + noise_std * rng.standard_normal((n_ensemble, k_max))
        theta = theta + (perturbed - predictions) @ np.linalg.solve(c_gg + gamma, c_theta_g)
        history.append(np.exp(theta))
    return np.stack(history)


def run_experiment(
    setup: KolmogorovSetup = KolmogorovSetup(),
    n_train: int = 4,
    n_test: int = 2,
    epochs: int = 30,
    C_s: float = 0.17,  # noqa: N803
    seed: int = 0,
    eki_iterations: int = 0,
) -> dict[str, Any]:
    """DNS → filtered data → offline CNN → a posteriori LES scores for none / Smagorinsky / CNN.

    With ``eki_iterations`` > 0, C_s is also calibrated by ensemble Kalman inversion on the
    training members and that Smagorinsky closure is scored too (key ``"eki_C_s"``).

    Returns ``{"errors": {name: (energy_error, enstrophy_error, blew_up)}, "seconds": {...},
    "spectra": {name: E(k)}}``.
    """
    seed_everything(seed)
    start = time.perf_counter()
    train = filtered_dns(setup, seed + 1, n_train, setup.train_duration)
    test = filtered_dns(setup, seed + 2, n_test, setup.test_duration)
    dns_seconds = time.perf_counter() - start

    shape = (-1, setup.n_coarse, setup.n_coarse)
    inputs = torch.as_tensor(train["omega_bar"].reshape(shape), dtype=torch.float32)
    targets = torch.as_tensor(train["subgrid"].reshape(inputs.shape), dtype=torch.float32)
    network = VorticityCNN(
        hidden=16, n_layers=4, input_scale=float(inputs.std()), output_scale=float(targets.std())
    )
    start = time.perf_counter()
    loader = DataLoader(
        TensorDataset(inputs[:, None], targets),  # one-state windows, as APrioriClosure reads them
        batch_size=32,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    quiet_trainer(max_epochs=epochs).fit(APrioriClosure(network, lr=2e-3), loader)
    train_seconds = time.perf_counter() - start
    network.eval()

    closures = {
        "no closure": None,
        f"Smagorinsky C_s={C_s}": Smagorinsky2D(setup.coarse, C_s),
        "CNN (a priori)": network.as_array_closure(setup.coarse),
    }
    eki_C_s = None  # noqa: N806
    if eki_iterations:
        history = eki_calibrate_smagorinsky(
            setup, train["omega_bar"], setup.train_duration, n_iterations=eki_iterations, seed=seed
        )
        eki_C_s = float(history[-1].mean())  # noqa: N806
        closures[f"Smagorinsky EKI C_s={eki_C_s:.3f}"] = Smagorinsky2D(setup.coarse, eki_C_s)
    reference = test["omega_bar"]
    half = reference.shape[0] // 2
    k_max = int(np.ceil(setup.n_coarse / 3)) - 1
    errors: dict[str, tuple[float, float, bool]] = {}
    spectra: dict[str, np.ndarray] = {"filtered DNS": energy_spectrum2d(reference[half:])}
    start = time.perf_counter()
    for name, closure in closures.items():
        les = run_les(setup, reference[0], closure, setup.test_duration)
        blew_up = not np.isfinite(les).all() or np.abs(les).max() > 10 * np.abs(reference).max()
        errors[name] = (*spectrum_errors(les[half:], reference[half:], k_max), bool(blew_up))
        if not blew_up:
            spectra[name] = energy_spectrum2d(les[half:])
    les_seconds = time.perf_counter() - start
    return {
        "errors": errors,
        "spectra": spectra,
        "seconds": {
            "dns (or its cache)": dns_seconds,
            "training": train_seconds,
            "les (all closures)": les_seconds,
        },
        "network": network,
        "eki_C_s": eki_C_s,
        "a_priori_correlation": float(
            np.corrcoef(predict_in_batches(network, inputs).numpy().ravel(), targets.numpy().ravel())[0, 1]
        ),
    }
