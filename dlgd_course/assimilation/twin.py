"""Twin experiments: a truth run, noisy observations of it, and the cycling of a DA method.

A *twin experiment* uses the model both to make the truth and to assimilate: the
truth ``x_t`` is integrated from a random initial state, observed every
``steps_per_observation`` model steps as ``y_k = H x_t(t_k) + ε_k``, ε_k ~ N(0, R), and a
method cycles *forecast → analysis* through the observations. The score is the
analysis RMSE ``sqrt(mean_i (x̄_a,i − x_t,i)²)`` at each cycle, time-averaged after a
burn-in (as in DAPPER's ``rmse.a``), and for ensembles the spread
``sqrt(mean_i var_i)`` (DAPPER's ``rmv.a``).

Every experiment is batched: ``n_experiments`` independent truths, observation
sequences and filters run together, which is how the tests average over seeds cheaply.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import xarray as xr
from torch import Tensor

from dlgd_course.assimilation.checks import as_covariance, check_observation
from dlgd_course.device import single_thread
from dlgd_course.dynamics import DynamicalSystem, rk4_step
from dlgd_course.dynamics.integrate import check_time_step

Forecast = Callable[[Tensor], Tensor]


class FilterDivergenceWarning(RuntimeWarning):
    """A filter lost the truth: non-finite analysis or an error above climatology."""


@dataclass(frozen=True, eq=False)
class TwinSetup:
    """A twin-experiment configuration (one per published setup, see ``setups/``).

    Attributes:
        system: the model, used for truth and forecasts.
        dt: model time step (time units of the system).
        steps_per_observation: model steps between two observation times.
        n_cycles: number of observation (analysis) times.
        observation_variance: R, a variance (R = r I) or a ``(p, p)`` covariance.
        initial_mean, initial_variance: truth and initial ensemble are drawn
            independently from N(initial_mean, initial_variance I).
        burn_in_time: analyses at times <= this are left out of time averages.
        observed_components: indices of the observed state components (all if ``None``).
        observed_fraction: alternatively a fixed random fraction of the components,
            drawn once from ``network_seed``.
        name: label used in datasets.
    """

    system: DynamicalSystem
    dt: float
    steps_per_observation: int
    n_cycles: int
    observation_variance: float | Tensor
    initial_mean: tuple[float, ...]
    initial_variance: float
    burn_in_time: float
    observed_components: tuple[int, ...] | None = None
    observed_fraction: float | None = None
    network_seed: int = 0
    name: str = "twin"
    H: Tensor = field(init=False, repr=False)
    R: Tensor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_time_step(self.dt)
        for label in ("steps_per_observation", "n_cycles"):
            value = getattr(self, label)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{label} must be a positive integer, got {value!r}")
        (n,) = self.system.state_shape
        if len(self.initial_mean) != n:
            raise ValueError(f"initial_mean must have {n} values, got {len(self.initial_mean)}")
        if not self.initial_variance > 0:
            raise ValueError(f"initial_variance must be > 0, got {self.initial_variance}")
        if self.observed_components is not None and self.observed_fraction is not None:
            raise ValueError("give observed_components or observed_fraction, not both")
        if self.observed_fraction is not None:
            if not 0 < self.observed_fraction <= 1:
                raise ValueError(f"observed_fraction must be in (0, 1], got {self.observed_fraction}")
            generator = torch.Generator().manual_seed(self.network_seed)
            count = max(1, round(self.observed_fraction * n))
            components = torch.randperm(n, generator=generator)[:count].sort().values.tolist()
        elif self.observed_components is not None:
            components = list(self.observed_components)
            if not components or len(set(components)) != len(components):
                raise ValueError("observed_components must be distinct and non-empty")
            if min(components) < 0 or max(components) >= n:
                raise ValueError(f"observed_components must lie in [0, {n}), got {components}")
        else:
            components = list(range(n))
        H = torch.zeros(len(components), n, dtype=torch.float64)
        H[torch.arange(len(components)), torch.tensor(components)] = 1.0
        object.__setattr__(self, "H", H)
        R = as_covariance(self.observation_variance, len(components), "observation covariance R")
        object.__setattr__(self, "R", R)

    @property
    def state_size(self) -> int:
        return self.system.state_shape[0]

    @property
    def observation_interval(self) -> float:
        """Time between observations, Δt_obs = dt × steps_per_observation."""
        return self.dt * self.steps_per_observation

    def forecast(self, state: Tensor) -> Tensor:
        """Advance ``state (..., n)`` by one observation interval with RK4."""
        for _ in range(self.steps_per_observation):
            state = rk4_step(self.system.tendency, state, self.dt)
        return state

    def replace(self, **changes: object) -> TwinSetup:
        """The same setup with some fields changed, e.g. ``setup.replace(n_cycles=200)``."""
        kwargs = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in ("H", "R")}
        kwargs.update(changes)
        return TwinSetup(**kwargs)


@dataclass(frozen=True, eq=False)
class TwinData:
    """Truth ``(n_cycles + 1, B, n)`` at the observation times (t_0 first) and observations
    ``(n_cycles, B, p)`` at t_1 … t_K, for ``B`` independent experiments."""

    setup: TwinSetup
    truth: Tensor
    observations: Tensor
    seed: int

    @property
    def n_experiments(self) -> int:
        return self.truth.shape[1]

    @property
    def times(self) -> np.ndarray:
        """Observation times t_1 … t_K (model time units)."""
        return self.setup.observation_interval * np.arange(1, self.setup.n_cycles + 1)


def make_twin_data(setup: TwinSetup, n_experiments: int = 1, seed: int = 0) -> TwinData:
    """Simulate ``n_experiments`` truths from N(initial_mean, initial_variance I) and observe them."""
    if isinstance(n_experiments, bool) or not isinstance(n_experiments, int) or n_experiments < 1:
        raise ValueError(f"n_experiments must be a positive integer, got {n_experiments!r}")
    generator = torch.Generator().manual_seed(seed)
    n = setup.state_size
    mean = torch.tensor(setup.initial_mean, dtype=torch.float64)
    x0 = mean + math.sqrt(setup.initial_variance) * torch.randn(
        n_experiments, n, generator=generator, dtype=torch.float64
    )
    with torch.no_grad():
        truth = setup.system.integrate(
            x0,
            setup.dt,
            setup.n_cycles * setup.steps_per_observation,
            save_every=setup.steps_per_observation,
        )
    noise = torch.randn(
        setup.n_cycles, n_experiments, setup.H.shape[0], generator=generator, dtype=torch.float64
    )
    observations = truth[1:] @ setup.H.T + noise @ torch.linalg.cholesky(setup.R).T
    return TwinData(setup=setup, truth=truth, observations=observations, seed=seed)


class SequentialMethod:
    """Interface of a cycling DA method.

    ``initialise`` returns the initial state estimate: a mean ``(B, n)`` or an ensemble
    ``(B, N, n)``; ``cycle`` takes the previous analysis, the observation ``(B, p)`` at the
    next time and the one-interval forecast, and returns the new analysis. The default
    ``cycle`` is *forecast, then* :meth:`analyse`.
    """

    name: str = "method"
    is_ensemble: bool = False

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> Tensor:
        raise NotImplementedError

    def analyse(self, forecast: Tensor, observation: Tensor) -> Tensor:
        raise NotImplementedError

    def cycle(self, state: Tensor, observation: Tensor, forecast: Forecast) -> Tensor:
        return self.analyse(forecast(state), observation)

    def mean(self, state: Tensor) -> Tensor:
        return state.mean(-2) if self.is_ensemble else state

    def spread(self, state: Tensor) -> Tensor:
        """``sqrt(mean_i var_i)`` over components, ``(B,)``; zero for a single estimate."""
        if not self.is_ensemble:
            return torch.zeros(state.shape[0], dtype=state.dtype)
        return state.var(-2, unbiased=True).mean(-1).sqrt()

    def describe(self) -> dict[str, float | int | str]:
        return {"method": self.name}


def climatology(
    setup: TwinSetup, n_samples: int = 4096, seed: int = 1, spinup_time: float = 20.0
) -> tuple[Tensor, Tensor]:
    """Climatological mean ``(n,)`` and covariance ``(n, n)`` from a free run of the model.

    ``n_samples`` states sampled every observation interval from 32 independent
    trajectories after ``spinup_time`` time units (independent of any twin-experiment truth).
    """
    n_trajectories = 32
    generator = torch.Generator().manual_seed(seed)
    x = setup.system.random_initial_state(generator, (n_trajectories,), torch.float64)
    with torch.no_grad():
        x = setup.system.integrate(x, setup.dt, max(1, round(spinup_time / setup.dt)))[-1]
        samples = []
        for _ in range(math.ceil(n_samples / n_trajectories)):
            x = setup.forecast(x)
            samples.append(x)
    flat = torch.cat(samples)[:n_samples]
    return flat.mean(0), torch.cov(flat.T)


def climatological_rmse(truth: Tensor) -> float:
    """RMSE of the climatological mean, sqrt(mean_i var_i), estimated from ``truth (T, B, n)``."""
    flat = truth.reshape(-1, truth.shape[-1])
    return float(flat.var(0).mean().sqrt())


def run_twin_experiment(
    method: SequentialMethod,
    data: TwinData,
    seed: int = 0,
    keep_states: bool = True,
    raise_on_divergence: bool = False,
) -> xr.Dataset:
    """Cycle ``method`` through ``data`` and score it.

    Returns an ``xarray.Dataset`` with dims ``(experiment, time)`` (+ ``component`` when
    ``keep_states``): ``analysis_rmse``, ``spread`` (ensemble methods), ``analysis`` and
    ``truth``, ``diverged`` per experiment; boolean coordinate ``after_burn_in``; attrs
    record the setup, the method and its parameters. Use :func:`time_average` for scores.

    A filter whose analysis becomes non-finite, or whose time-averaged RMSE after burn-in
    exceeds the climatological RMSE, is flagged in ``diverged`` and reported with a
    :class:`FilterDivergenceWarning` (or a ``FloatingPointError`` if ``raise_on_divergence``).
    """
    setup = data.setup
    B, n = data.n_experiments, setup.state_size
    generator = torch.Generator().manual_seed(seed)
    state = method.initialise(setup, B, generator)
    K = setup.n_cycles
    rmse = torch.full((K, B), float("nan"), dtype=torch.float64)
    spread = torch.full((K, B), float("nan"), dtype=torch.float64)
    analysis = torch.full((K, B, n), float("nan"), dtype=torch.float64) if keep_states else None
    lost = torch.zeros(B, dtype=torch.bool)
    fallback = torch.tensor(setup.initial_mean, dtype=torch.float64)
    with torch.no_grad(), single_thread():
        for k in range(K):
            check_observation(data.observations[k], (B,), setup.H.shape[0])
            state = method.cycle(state, data.observations[k], setup.forecast)
            mean = method.mean(state)
            finite = torch.isfinite(mean).all(-1) & ~lost
            if not bool(finite.all()):
                newly = ~finite & ~lost
                if raise_on_divergence and bool(newly.any()):
                    raise FloatingPointError(
                        f"{method.name}: analysis became non-finite at cycle {k} "
                        f"(t = {data.times[k]:g}) in experiment(s) {newly.nonzero().flatten().tolist()}"
                    )
                lost |= ~finite
                # Keep the batch computable: lost experiments restart from the initial mean and
                # are reported as diverged; their scores from now on are NaN.
                state = torch.where(lost.view(B, *([1] * (state.ndim - 1))), fallback.expand_as(state), state)
                mean = method.mean(state)
            error = (mean - data.truth[k + 1]).square().mean(-1).sqrt()
            rmse[k] = torch.where(lost, torch.nan, error)
            spread[k] = torch.where(lost, torch.nan, method.spread(state))
            if analysis is not None:
                analysis[k] = torch.where(lost[:, None], torch.nan, mean)
    times = data.times
    after = times > setup.burn_in_time
    coords = {"experiment": np.arange(B), "time": times, "after_burn_in": ("time", after)}
    variables: dict[str, tuple] = {
        "analysis_rmse": (("time", "experiment"), rmse.numpy()),
    }
    if method.is_ensemble:
        variables["spread"] = (("time", "experiment"), spread.numpy())
    if analysis is not None:
        coords["component"] = np.arange(n)
        variables["analysis"] = (("time", "experiment", "component"), analysis.numpy())
        variables["truth"] = (("time", "experiment", "component"), data.truth[1:].numpy())
    with warnings.catch_warnings():  # experiments lost before burn-in have no scores
        warnings.simplefilter("ignore", RuntimeWarning)
        average = np.nanmean(rmse.numpy()[after], axis=0) if after.any() else np.full(B, np.nan)
    clim = climatological_rmse(data.truth)
    diverged = lost.numpy() | (average > clim)
    variables["diverged"] = (("experiment",), diverged)
    attrs = {
        "setup": setup.name,
        "system": setup.system.name,
        "dt": setup.dt,
        "steps_per_observation": setup.steps_per_observation,
        "burn_in_time": setup.burn_in_time,
        "climatological_rmse": clim,
        "data_seed": data.seed,
        "method_seed": seed,
        **{f"method_{key}" if key != "method" else key: value for key, value in method.describe().items()},
    }
    ds = xr.Dataset(variables, coords=coords, attrs=attrs)
    if diverged.any():
        message = (
            f"{method.name} diverged in experiment(s) {np.flatnonzero(diverged).tolist()} of "
            f"{B}: non-finite analysis or time-averaged RMSE above climatology ({clim:.2f})"
        )
        if raise_on_divergence:
            raise FloatingPointError(message)
        warnings.warn(message, FilterDivergenceWarning, stacklevel=2)
    return ds


def time_average(ds: xr.Dataset, variable: str = "analysis_rmse") -> xr.DataArray:
    """Time average of ``variable`` after burn-in, per experiment."""
    return ds[variable].where(ds["after_burn_in"]).mean("time")


def score(ds: xr.Dataset, variable: str = "analysis_rmse") -> float:
    """Time-averaged ``variable`` after burn-in, averaged over the experiments that did not diverge."""
    per_experiment = time_average(ds, variable).where(~ds["diverged"])
    return float(per_experiment.mean())
