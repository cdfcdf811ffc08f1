"""A closure for the non-differentiable 2-D LES, from data to calibration (exercise 24).

The setting of :mod:`dlgd_course.closures.kochkov2021_kolmogorov` (forced Kolmogorov flow,
DNS 64² → LES 16², NumPy solver, Kochkov et al. 2021, PNAS 118, e2101784118) at horizons
that fit a notebook (:data:`NOTEBOOK_SETUP`), with the pieces a group builds in sessions 1–4:

* a leak-free split of filtered-DNS members (:func:`split_members`): the members start from
  independent random states, so training and test snapshots never share a trajectory;
* the a priori scores of a predicted subgrid term (:func:`apriori_scores`);
* the a posteriori errors of an LES trajectory against the filtered DNS
  (:func:`a_posteriori_errors`): the energy-spectrum error and the relative error of the
  mean enstrophy over the second half of the run;
* the a priori training of a closure network by Adam (:func:`fit_apriori_closure`);
* derivative-free calibration of the Smagorinsky constant by ensemble Kalman inversion
  (Iglesias, Law & Stuart 2013, Inverse Problems 29, 045001): the forward map
  :func:`enstrophy_forward_map` (one batched LES per ensemble) and one update
  :func:`eki_update`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from dlgd_course.closures.kochkov2021_kolmogorov import KolmogorovSetup, run_les, spectrum_errors
from dlgd_course.closures.turbulence2d import Smagorinsky2D
from dlgd_course.own_work import guard_answer

#: The notebook's setting: DNS 64² (dt 0.025) → LES 16² (dt 0.05), spin-up 5, runs of 10 time
#: units sampled every 0.25 (41 snapshots).
NOTEBOOK_SETUP = KolmogorovSetup(spinup=5.0, train_duration=10.0, test_duration=10.0)

#: An LES whose vorticity exceeds this factor times the filtered DNS's maximum has blown up.
BLOW_UP_FACTOR = 10.0


def split_members(
    omega_bar: np.ndarray, subgrid: np.ndarray, test_members: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split filtered DNS ω̄ and its subgrid term M*, each ``(t, m, n, n)``, by member (the
    members start from independent initial states).

    Returns ``train_inputs`` and ``train_targets``, each ``(t · m_train, n, n)``: the snapshots
    ω̄ and M* of the members not in ``test_members`` (in increasing order), time-major, and the
    test trajectories ``test_omega_bar`` and ``test_subgrid``, each ``(t, m_test, n, n)``, in
    the order of ``test_members``.
    """
    guard_answer()
    test_members = list(test_members)
    train_members = [m for m in range(omega_bar.shape[1]) if m not in test_members]
    n = omega_bar.shape[-1]
    train_inputs = omega_bar[:, train_members].reshape(-1, n, n)
    train_targets = subgrid[:, train_members].reshape(-1, n, n)
    return train_inputs, train_targets, omega_bar[:, test_members], subgrid[:, test_members]


def apriori_scores(predicted: np.ndarray, exact: np.ndarray) -> tuple[float, float]:
    """A priori scores of a predicted subgrid term against the exact one (same shapes).

    Returns ``(correlation, relative_rmse)``: Pearson's correlation over all values and
    ‖predicted − exact‖₂ / ‖exact‖₂ (0 is perfect, 1 is predicting zero).
    """
    guard_answer()
    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    exact = np.asarray(exact, dtype=np.float64).ravel()
    correlation = float(np.corrcoef(predicted, exact)[0, 1])
    return correlation, float(np.linalg.norm(predicted - exact) / np.linalg.norm(exact))


def a_posteriori_errors(les: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(energy-spectrum error, enstrophy error) of an LES ``(t, m, n, n)`` against the filtered
    DNS ``reference`` of the same shape, over the second half ``t // 2:`` of both.

    Energy-spectrum error: mean over the shells 1 <= k < n/3 of |log10 E_LES(k) / E_DNS(k)|
    (time- and member-averaged spectra, :func:`~dlgd_course.closures.turbulence2d.energy_spectrum2d`).
    Enstrophy error: |Z_LES / Z_DNS − 1| with Z the mean of ω²/2. Both are ``inf`` when the LES
    blew up (a non-finite value or |ω| above :data:`BLOW_UP_FACTOR` × the reference's maximum).
    """
    guard_answer()
    if not np.isfinite(les).all() or np.abs(les).max() > BLOW_UP_FACTOR * np.abs(reference).max():
        return math.inf, math.inf
    half = reference.shape[0] // 2
    k_max = math.ceil(reference.shape[-1] / 3) - 1
    spectrum_error, _ = spectrum_errors(les[half:], reference[half:], k_max)
    enstrophy_ratio = np.mean(les[half:] ** 2) / np.mean(reference[half:] ** 2)
    return spectrum_error, float(abs(enstrophy_ratio - 1.0))


def fit_apriori_closure(
    network: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    n_epochs: int = 15,
    batch_size: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
) -> list[float]:
    """A priori training: Adam on the mean squared error of ``network(inputs)`` against the
    exact subgrid terms ``targets`` (both ``(samples, n, n)``), minibatches of a permutation
    drawn each epoch from a generator seeded with ``seed``. Returns the mean loss of each epoch.
    """
    guard_answer()
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(network.parameters(), lr=lr)
    network.train()
    epoch_losses = []
    for _ in range(n_epochs):
        order = torch.randperm(len(inputs), generator=generator).to(inputs.device)
        total = 0.0
        for start in range(0, len(inputs), batch_size):
            batch = order[start : start + batch_size]
            loss = torch.mean((network(inputs[batch]) - targets[batch]) ** 2)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        epoch_losses.append(total / len(inputs))
    network.eval()
    return epoch_losses


def enstrophy_forward_map(setup: KolmogorovSetup, omega_bar: np.ndarray, C_s: np.ndarray) -> np.ndarray:  # noqa: N803
    """G(C_s): log of the mean enstrophy ⟨ω²/2⟩ of each member over the second half of a
    Smagorinsky LES started from the filtered DNS ``omega_bar[0]`` (``omega_bar (t, m, n, n)``,
    sampled every ``setup.sample_every``, same horizon), for each constant of ``C_s (J,)``.

    The J × m runs go as one batched LES. Returns ``(J, m)``; a blown-up run gives ``inf``.
    """
    C_s = np.asarray(C_s, dtype=float)  # noqa: N806
    duration = (omega_bar.shape[0] - 1) * setup.sample_every
    start = np.repeat(omega_bar[0][None], len(C_s), axis=0)  # (J, m, n, n)
    les = run_les(setup, start, Smagorinsky2D(setup.coarse, C_s.reshape(-1, 1, 1, 1)), duration)
    half = omega_bar.shape[0] // 2
    with np.errstate(all="ignore"):
        enstrophy = np.mean(les[half:] ** 2 / 2, axis=(0, 3, 4))  # (J, m)
        return np.where(np.isfinite(enstrophy), np.log(enstrophy), np.inf)


def eki_update(
    theta: np.ndarray,
    predictions: np.ndarray,
    target: np.ndarray,
    noise_std: float,
    perturbations: np.ndarray,
) -> np.ndarray:
    """One ensemble Kalman inversion step with perturbed observations (Iglesias et al. 2013).

    ``theta (J, p)`` parameters, ``predictions (J, d)`` = G(θ_j), ``target (d,)`` = y,
    ``perturbations (J, d)`` the draws η_j, Γ = σ² I with σ = ``noise_std``::

        θ_j ← θ_j + C_θG (C_GG + Γ)⁻¹ (y + η_j − G(θ_j)),

    with the ensemble (cross-)covariances C_θG (p × d) and C_GG (d × d) normalised by J − 1.
    Returns the updated ``(J, p)``.
    """
    guard_answer()
    n_members = theta.shape[0]
    theta_anomalies = theta - theta.mean(axis=0)
    prediction_anomalies = predictions - predictions.mean(axis=0)
    cross = theta_anomalies.T @ prediction_anomalies / (n_members - 1)
    spread = prediction_anomalies.T @ prediction_anomalies / (n_members - 1)
    gain = np.linalg.solve(spread + noise_std**2 * np.eye(len(target)), cross.T).T  # (p, d)
    return theta + (target + perturbations - predictions) @ gain.T
