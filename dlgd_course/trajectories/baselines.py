"""Classical movement models as baselines: a correlated random walk (CRW) and a hidden
Markov model (HMM) with gamma step lengths and von Mises turning angles.

Both work on the fixed-length resampled trips: steps ``l_t = |x_{t+1} - x_t|`` (km) and
turning angles ``phi_t`` between consecutive steps. The HMM is the standard model of
animal movement (Langrock et al., 2012, Ecology 93, 2336-2342; Michelot et al., 2016,
moveHMM, Methods Ecol. Evol. 7, 1308), here with an extra Bernoulli emission for the dive
flag; it is fitted by expectation-maximisation (Baum-Welch, scaled forward-backward
recursions) in NumPy/SciPy.

**Return to the colony.** A simulated random walk does not come back by itself. BirdGAN
compares with HMM simulations of trips of the same length; here both baselines are
*conditioned on returning* by the bridge construction ``x_t <- x_t - (t / (T-1)) x_{T-1}``
(the linear drift that takes the walk from the colony back to it is removed), so that every
simulated trip starts and ends at the colony like the data. ``close_loop=False`` gives
the unconditioned walks. The first heading is drawn from the training trips' first
headings and the trip duration from their durations (the baselines model shapes only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import brentq
from scipy.special import digamma, gammaln, i0e, i1e, logsumexp

from dlgd_course.trajectories.dataset import arrays_to_dataset, positions

TINY_STEP_KM = 1e-6


def steps_and_turns(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step lengths (n, T-1) in km, headings (n, T-1) in rad clockwise from north and
    turning angles (n, T-2) in (-pi, pi] of positions ``xy`` (n, T, 2)."""
    steps = np.diff(np.asarray(xy, dtype=float), axis=1)
    length = np.hypot(steps[..., 0], steps[..., 1])
    heading = np.arctan2(steps[..., 0], steps[..., 1])
    return length, heading, np.angle(np.exp(1j * np.diff(heading, axis=1)))


def _integrate(length: np.ndarray, heading: np.ndarray, close_loop: bool) -> np.ndarray:
    """Positions (n, T, 2) from the colony along steps ``length``/``heading`` (n, T-1)."""
    moves = length[..., None] * np.stack([np.sin(heading), np.cos(heading)], axis=-1)
    xy = np.concatenate([np.zeros((length.shape[0], 1, 2)), np.cumsum(moves, axis=1)], axis=1)
    if close_loop:
        fraction = np.linspace(0.0, 1.0, xy.shape[1])[None, :, None]
        xy = xy - fraction * xy[:, -1:, :]
    return xy


def _gamma_fit(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted maximum-likelihood gamma (shape k, scale theta):
    ``log k - psi(k) = log(mean x) - mean(log x)``, ``theta = mean x / k``."""
    w = w / w.sum()
    mean = float(np.sum(w * x))
    s = np.log(mean) - float(np.sum(w * np.log(x)))
    s = max(s, 1e-8)
    k = brentq(lambda k: np.log(k) - digamma(k) - s, 1e-4, 1e6)
    return k, mean / k


def _von_mises_fit(phi: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted maximum-likelihood von Mises (mu, kappa): ``mu`` the weighted circular mean,
    ``kappa`` solving ``I1(kappa)/I0(kappa) = R_bar``."""
    z = np.sum(w * np.exp(1j * phi)) / w.sum()
    r = min(abs(z), 0.999)
    kappa = brentq(lambda k: i1e(k) / i0e(k) - r, 1e-8, 1e4) if r > 1e-6 else 0.0
    return float(np.angle(z)), float(kappa)


def _von_mises_logpdf(phi: np.ndarray, mu: float, kappa: float) -> np.ndarray:
    return kappa * (np.cos(phi - mu) - 1.0) - np.log(2 * np.pi * i0e(kappa))


def _gamma_logpdf(x: np.ndarray, k: float, theta: float) -> np.ndarray:
    return (k - 1.0) * np.log(x) - x / theta - gammaln(k) - k * np.log(theta)


@dataclass
class _Empirical:
    """What both baselines resample from the training trips."""

    first_heading: np.ndarray
    duration: np.ndarray
    n_steps: int

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> _Empirical:
        _, heading, _ = steps_and_turns(positions(ds))
        return cls(heading[:, 0], ds["duration"].values, ds.sizes["step"])


class CorrelatedRandomWalk:
    """Single-state CRW: i.i.d. gamma step lengths and von Mises turning angles, dives
    i.i.d. Bernoulli. Parameters (``shape``, ``scale``, ``mu``, ``kappa``, ``dive_prob``)
    are maximum-likelihood estimates from the training trips."""

    def fit(self, ds: xr.Dataset) -> CorrelatedRandomWalk:
        length, _, turn = steps_and_turns(positions(ds))
        length = np.maximum(length, TINY_STEP_KM)
        self.shape, self.scale = _gamma_fit(length.ravel(), np.ones(length.size))
        self.mu, self.kappa = _von_mises_fit(turn.ravel(), np.ones(turn.size))
        self.dive_prob = float(ds["dive"].mean())
        self.empirical = _Empirical.from_dataset(ds)
        return self

    def sample(self, n_trips: int, seed: int = 0, close_loop: bool = True) -> xr.Dataset:
        """``n_trips`` simulated trips as a trip Dataset."""
        rng = np.random.default_rng(seed)
        e, n = self.empirical, n_trips
        length = rng.gamma(self.shape, self.scale, (n, e.n_steps - 1))
        turn = (
            rng.vonmises(self.mu, self.kappa, (n, e.n_steps - 2))
            if self.kappa > 0
            else rng.uniform(-np.pi, np.pi, (n, e.n_steps - 2))
        )
        start = rng.choice(e.first_heading, n)
        heading = start[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(turn, 1)], 1)
        xy = _integrate(length, heading, close_loop)
        dive = (rng.random((n, e.n_steps)) < self.dive_prob).astype(np.int8)
        return arrays_to_dataset(xy, dive, rng.choice(e.duration, n), species="crw")


class MovementHMM:
    """HMM with ``n_states`` behavioural states; in state ``s`` the step length is
    Gamma(``shape[s]``, ``scale[s]``), the turning angle von Mises(``mu[s]``, ``kappa[s]``)
    and the dive flag Bernoulli(``dive_prob[s]``), independent given the state.

    Observation ``t`` of a trip is (l_{t+1}, phi_t, dive_{t+1}) for t = 0..T-3 (the turn
    into step t+1 and that step's length). ``fit`` runs Baum-Welch over all trips.
    """

    def __init__(self, n_states: int = 3, max_iter: int = 200, tol: float = 1e-6):
        if n_states < 1:
            raise ValueError(f"n_states must be >= 1, got {n_states}")
        self.n_states, self.max_iter, self.tol = n_states, max_iter, tol

    @staticmethod
    def _observations(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        length, _, turn = steps_and_turns(positions(ds))
        return (np.maximum(length[:, 1:], TINY_STEP_KM), turn, ds["dive"].values[:, 2:].astype(float))

    def _log_emission(self, length: np.ndarray, turn: np.ndarray, dive: np.ndarray) -> np.ndarray:
        """log p(obs_t | state s), shape (n, L, S)."""
        out = []
        for s in range(self.n_states):
            p = np.clip(self.dive_prob[s], 1e-6, 1 - 1e-6)
            out.append(
                _gamma_logpdf(length, self.shape[s], self.scale[s])
                + _von_mises_logpdf(turn, self.mu[s], self.kappa[s])
                + dive * np.log(p)
                + (1 - dive) * np.log1p(-p)
            )
        return np.stack(out, axis=-1)

    def _forward_backward(self, log_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Posterior state probabilities (n, L, S), expected transition counts (S, S) and the
        total log-likelihood, by log-space forward-backward recursions."""
        n, steps, _ = log_b.shape
        log_a = np.log(self.transition)
        alpha = np.empty_like(log_b)
        beta = np.zeros_like(log_b)
        alpha[:, 0] = np.log(self.initial) + log_b[:, 0]
        for t in range(1, steps):
            alpha[:, t] = logsumexp(alpha[:, t - 1, :, None] + log_a, axis=1) + log_b[:, t]
        for t in range(steps - 2, -1, -1):
            beta[:, t] = logsumexp(log_a + (log_b[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)
        loglik = logsumexp(alpha[:, -1], axis=1)
        posterior = np.exp(alpha + beta - loglik[:, None, None])
        xi = np.exp(
            alpha[:, :-1, :, None]
            + log_a
            + (log_b[:, 1:] + beta[:, 1:])[:, :, None, :]
            - loglik[:, None, None, None]
        ).sum(axis=(0, 1))
        return posterior, xi, float(loglik.sum())

    def fit(self, ds: xr.Dataset) -> MovementHMM:
        """Baum-Welch from a start that orders the states by step length (quantiles)."""
        length, turn, dive = self._observations(ds)
        n_s = self.n_states
        edges = np.quantile(length, np.linspace(0, 1, n_s + 1))
        label = np.clip(np.searchsorted(edges, length, side="right") - 1, 0, n_s - 1)
        self.shape, self.scale = np.ones(n_s), np.ones(n_s)
        self.mu, self.kappa, self.dive_prob = np.zeros(n_s), np.ones(n_s), np.full(n_s, 0.1)
        self._m_step(length, turn, dive, (label[..., None] == np.arange(n_s)).astype(float))
        self.initial = np.full(n_s, 1.0 / n_s)
        self.transition = (
            np.full((n_s, n_s), 0.1 / max(n_s - 1, 1)) + np.eye(n_s) * 0.9 if n_s > 1 else np.ones((1, 1))
        )
        self.loglik_history = []
        for _ in range(self.max_iter):
            posterior, xi, loglik = self._forward_backward(self._log_emission(length, turn, dive))
            self.loglik_history.append(loglik)
            self.initial = posterior[:, 0].mean(axis=0)
            self.transition = xi / xi.sum(axis=1, keepdims=True)
            self._m_step(length, turn, dive, posterior)
            if len(self.loglik_history) > 1 and abs(loglik - self.loglik_history[-2]) < self.tol * abs(
                loglik
            ):
                break
        self.empirical = _Empirical.from_dataset(ds)
        return self

    def _m_step(self, length: np.ndarray, turn: np.ndarray, dive: np.ndarray, weight: np.ndarray) -> None:
        for s in range(self.n_states):
            w = weight[..., s].ravel() + 1e-12
            self.shape[s], self.scale[s] = _gamma_fit(length.ravel(), w)
            self.mu[s], self.kappa[s] = _von_mises_fit(turn.ravel(), w)
            self.dive_prob[s] = float(np.sum(w * dive.ravel()) / w.sum())

    def log_likelihood(self, ds: xr.Dataset) -> float:
        """Total log-likelihood of the trips of ``ds`` under the fitted model."""
        return self._forward_backward(self._log_emission(*self._observations(ds)))[2]

    def sample(self, n_trips: int, seed: int = 0, close_loop: bool = True) -> xr.Dataset:
        """``n_trips`` simulated trips (state chain from the fitted initial distribution)."""
        rng = np.random.default_rng(seed)
        e, n = self.empirical, n_trips
        n_obs = e.n_steps - 1  # one state per step
        state = np.empty((n, n_obs), dtype=int)
        state[:, 0] = rng.choice(self.n_states, n, p=self.initial)
        cumulative = np.cumsum(self.transition, axis=1)
        for t in range(1, n_obs):
            u = rng.random(n)[:, None]
            state[:, t] = np.minimum((u > cumulative[state[:, t - 1]]).sum(axis=1), self.n_states - 1)
        length = rng.gamma(self.shape[state], self.scale[state])
        # von Mises(mu, 0) is the uniform law on the circle, which NumPy draws for kappa = 0
        turn = rng.vonmises(self.mu[state[:, 1:]], self.kappa[state[:, 1:]])
        start = rng.choice(e.first_heading, n)
        heading = start[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(turn, 1)], 1)
        xy = _integrate(length, heading, close_loop)
        dive = np.zeros((n, e.n_steps), np.int8)
        dive[:, 1:] = rng.random((n, n_obs)) < self.dive_prob[state]
        return arrays_to_dataset(xy, dive, rng.choice(e.duration, n), species="hmm")
