"""Twin experiments: a truth run, noisy observations of it, and the cycling of a DA method.

A *twin experiment* uses the model both to make the truth and to assimilate: the
truth ``x_t`` is integrated from a random initial state, observed every
``steps_per_observation`` model steps as ``y_k = h_k(x_t(t_k)) + ε_k``, ε_k ~ N(0, R),
with an :class:`ObservationOperator` h_k (a selection of components, a matrix, a nonlinear
function, possibly changing with k), and a method cycles *forecast → analysis* through the
observations. Scores, as DAPPER's ``rmse.f``/``rmse.a`` and ``rmv.f``/``rmv.a``: the RMSE
``sqrt(mean_i (x̄_i − x_t,i)²)`` of the forecast and analysis means at each cycle, the ensemble
spread ``sqrt(mean_i var_i)``, and rank histograms of the truth in the forecast ensemble
(Anderson 1996, J. Climate 9), time-averaged after a burn-in.

Methods are frozen, validated *configurations* (:class:`SequentialMethod`); everything that
changes during a run (the estimate, windows, random generator) lives in a :class:`RunState`
that :meth:`SequentialMethod.assimilate` returns with the scores, so one configuration can
run on any number of setups, in any order, with the same result.

Every experiment is batched: ``n_experiments`` independent truths, observation
sequences and filters run together, which is how the tests average over seeds cheaply.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

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
class ObservationOperator:
    """Observation operator h_k: states ``(..., n)`` → observations ``(..., p)`` at cycle k.

    Build it with :meth:`components` (observed sites, fixed or changing with k),
    :meth:`linear` (one matrix or a cycle of matrices) or :meth:`nonlinear` (any
    differentiable torch function ``f(x, k)``, e.g. ``x²`` or ``|x|``). Methods that need the
    tangent linear operator get it from :meth:`jacobian` (exact for matrices, autograd
    otherwise: the adjoint is never written by hand). The number of observations ``p`` is
    the same at every cycle.

    Attributes:
        state_size: n.
        size: p.
        matrices: ``(n_networks, p, n)`` for a linear operator (network ``k mod n_networks``
            at cycle k), else ``None``.
        function: ``f(x, k)`` of a nonlinear operator, else ``None``.
        sites: ``(n_networks, p)`` positions of the observations on the state's 1-D grid
            (used by localisation), or ``None`` when they have none.
        label: short description, recorded in datasets.
    """

    state_size: int
    size: int
    matrices: Tensor | None = None
    function: Callable[[Tensor, int], Tensor] | None = None
    sites: Tensor | None = None
    label: str = "H"

    def __post_init__(self) -> None:
        if (self.matrices is None) == (self.function is None):
            raise ValueError("an observation operator needs exactly one of matrices or function")
        for name in ("state_size", "size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"observation operator {name} must be a positive integer, got {value!r}")
        if self.matrices is not None:
            expected = (self.size, self.state_size)
            if self.matrices.ndim != 3 or tuple(self.matrices.shape[1:]) != expected:
                raise ValueError(
                    f"observation matrices must have shape (n_networks, {self.size}, {self.state_size}), "
                    f"got {tuple(self.matrices.shape)}"
                )
            if not torch.isfinite(self.matrices).all():
                raise ValueError("observation matrices contain NaN/inf")
        if self.sites is not None and (self.sites.ndim != 2 or self.sites.shape[1] != self.size):
            raise ValueError(f"observation sites must have shape (n_networks, {self.size})")

    @classmethod
    def components(
        cls, state_size: int, networks: Sequence[int] | Sequence[Sequence[int]]
    ) -> ObservationOperator:
        """Observe the components ``networks`` (one list of indices), or ``networks[k mod K]``
        at cycle k (a list of K equally long lists: a time-varying network)."""
        nested = [list(networks)] if networks and isinstance(networks[0], (int, np.integer)) else networks
        nested = [[int(i) for i in network] for network in nested]
        if not nested or not nested[0]:
            raise ValueError("observed_components must be distinct and non-empty")
        size = len(nested[0])
        matrices = torch.zeros(len(nested), size, state_size, dtype=torch.float64)
        for k, network in enumerate(nested):
            if len(network) != size or len(set(network)) != size:
                raise ValueError(
                    f"observed_components must be distinct and equally many at every time, got {nested}"
                )
            if min(network) < 0 or max(network) >= state_size:
                raise ValueError(f"observed_components must lie in [0, {state_size}), got {network}")
            matrices[k, torch.arange(size), torch.tensor(network)] = 1.0
        sites = torch.tensor(nested, dtype=torch.float64)
        label = f"components {nested[0]}" if len(nested) == 1 else f"{len(nested)} networks of {size} sites"
        return cls(state_size, size, matrices=matrices, sites=sites, label=label)

    @classmethod
    def linear(cls, matrices: Tensor, sites: Tensor | None = None) -> ObservationOperator:
        """A matrix ``(p, n)``, or a cycle of matrices ``(K, p, n)`` (matrix ``k mod K`` at cycle k)."""
        matrices = torch.as_tensor(matrices, dtype=torch.float64)
        if matrices.ndim == 2:
            matrices = matrices[None]
        if matrices.ndim != 3:
            raise ValueError(f"observation matrix must be (p, n) or (K, p, n), got {tuple(matrices.shape)}")
        _, p, n = matrices.shape
        return cls(n, p, matrices=matrices, sites=sites, label=f"linear {p}x{n}")

    @classmethod
    def nonlinear(
        cls,
        function: Callable[[Tensor, int], Tensor],
        state_size: int,
        size: int,
        sites: Tensor | None = None,
        label: str = "nonlinear",
    ) -> ObservationOperator:
        """``function(x (..., n), k) -> (..., p)``, differentiable with torch autograd."""
        probe = function(torch.zeros(2, state_size, dtype=torch.float64), 0)
        if tuple(probe.shape) != (2, size):
            raise ValueError(
                f"the observation function must map (batch, {state_size}) to (batch, {size}), "
                f"got {tuple(probe.shape)}"
            )
        return cls(state_size, size, function=function, sites=sites, label=label)

    @property
    def is_linear(self) -> bool:
        return self.matrices is not None

    def matrix(self, k: int) -> Tensor:
        """The ``(p, n)`` matrix of a linear operator at cycle k."""
        if self.matrices is None:
            raise ValueError(f"the {self.label} observation operator is not linear: use jacobian()")
        return self.matrices[k % self.matrices.shape[0]]

    def positions(self, k: int) -> Tensor:
        """Grid positions ``(p,)`` of the observations at cycle k."""
        if self.sites is None:
            raise ValueError(f"the {self.label} observation operator has no observation sites")
        return self.sites[k % self.sites.shape[0]]

    def __call__(self, x: Tensor, k: int) -> Tensor:
        """h_k(x) for states ``(..., n)``, shape ``(..., p)``."""
        if self.function is None:
            return x @ self.matrix(k).T
        return self.function(x, k)

    def jacobian(self, x: Tensor, k: int) -> Tensor:
        """Tangent linear operator ∂h_k/∂x at states ``x (..., n)``, shape ``(..., p, n)``."""
        if self.function is None:
            return self.matrix(k).expand(*x.shape[:-1], self.size, self.state_size)
        flat = x.reshape(-1, self.state_size).detach()
        rows = torch.func.vmap(torch.func.jacrev(lambda v: self.function(v[None], k)[0]))(flat)
        return rows.reshape(*x.shape[:-1], self.size, self.state_size)


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
        observed_components: indices of the observed state components (all if nothing
            else is given).
        observed_fraction: alternatively a fixed random fraction of the components,
            drawn once from ``network_seed``.
        observation_operator: alternatively any :class:`ObservationOperator` (matrix,
            nonlinear, time-varying).
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
    observation_operator: ObservationOperator | None = None
    network_seed: int = 0
    name: str = "twin"
    observation: ObservationOperator = field(init=False, repr=False)
    R: Tensor = field(init=False, repr=False)
    R_inv: Tensor = field(init=False, repr=False)
    R_chol: Tensor = field(init=False, repr=False)

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
        given = [
            name
            for name in ("observed_components", "observed_fraction", "observation_operator")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                f"give one of observed_components, observed_fraction, observation_operator, not {given}"
            )
        if self.observation_operator is not None:
            operator = self.observation_operator
            if operator.state_size != n:
                raise ValueError(
                    f"the observation operator acts on {operator.state_size} components, the state has {n}"
                )
        elif self.observed_fraction is not None:
            if not 0 < self.observed_fraction <= 1:
                raise ValueError(f"observed_fraction must be in (0, 1], got {self.observed_fraction}")
            generator = torch.Generator().manual_seed(self.network_seed)
            count = max(1, round(self.observed_fraction * n))
            components = torch.randperm(n, generator=generator)[:count].sort().values.tolist()
            operator = ObservationOperator.components(n, components)
        elif self.observed_components is not None:
            operator = ObservationOperator.components(n, list(self.observed_components))
        else:
            operator = ObservationOperator.components(n, list(range(n)))
        object.__setattr__(self, "observation", operator)
        R = as_covariance(self.observation_variance, operator.size, "observation covariance R")
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "R_inv", torch.linalg.inv(R))
        object.__setattr__(self, "R_chol", torch.linalg.cholesky(R))

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
        kwargs = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
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
            setup.n_cycles, n_experiments, setup.observation.size, generator=generator, dtype=torch.float64
        )
        observed = torch.stack([setup.observation(truth[k + 1], k) for k in range(setup.n_cycles)])
    observations = observed + noise @ setup.R_chol.T
    return TwinData(setup=setup, truth=truth, observations=observations, seed=seed)


def initial_state(setup: TwinSetup, batch_shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """Estimates ``(*batch_shape, n)`` drawn from N(initial_mean, initial_variance I), independently of
    the truth: ``(B,)`` for a single estimate per experiment, ``(B, N)`` for an ensemble."""
    mean = torch.tensor(setup.initial_mean, dtype=torch.float64)
    noise = torch.randn(*batch_shape, setup.state_size, generator=generator, dtype=torch.float64)
    return mean + math.sqrt(setup.initial_variance) * noise


@dataclass(eq=False)
class RunState:
    """What changes while a method runs: the estimate (a mean ``(B, n)``), the cycle index and
    the random generator. Subclasses add what a method carries from cycle to cycle."""

    setup: TwinSetup
    estimate: Tensor
    generator: torch.Generator
    cycle_index: int = 0

    is_ensemble: ClassVar[bool] = False

    @property
    def H(self) -> Tensor:
        """The ``(p, n)`` matrix of a linear observation operator at the current cycle."""
        return self.setup.observation.matrix(self.cycle_index)

    @property
    def R(self) -> Tensor:
        return self.setup.R

    def observe(self, x: Tensor) -> Tensor:
        """h_k(x) at the current cycle, ``(..., p)``."""
        return self.setup.observation(x, self.cycle_index)

    def mean(self) -> Tensor:
        """Mean estimate ``(B, n)``."""
        return self.estimate

    def spread(self) -> Tensor:
        """``sqrt(mean_i var_i)`` over components, ``(B,)``; zero for a single estimate."""
        return torch.zeros(self.estimate.shape[0], dtype=self.estimate.dtype)

    def restart(self, lost: Tensor, state: Tensor) -> None:
        """Restart the experiments ``lost (B,)`` from ``state (n,)`` (after a divergence)."""
        mask = lost.view(-1, *([1] * (self.estimate.ndim - 1)))
        self.estimate = torch.where(mask, state.expand_as(self.estimate), self.estimate)


@dataclass(eq=False)
class EnsembleRun(RunState):
    """An ensemble ``estimate (B, N, n)``, optionally with normalised member ``weights (B, N)``
    (particle filters; ``None`` means equal weights)."""

    weights: Tensor | None = None

    is_ensemble: ClassVar[bool] = True

    def mean(self) -> Tensor:
        if self.weights is None:
            return self.estimate.mean(-2)
        return (self.weights[..., None] * self.estimate).sum(-2)

    def spread(self) -> Tensor:
        """Unbiased (weighted) ensemble variance, averaged over components, square root."""
        if self.weights is None:
            return self.estimate.var(-2, unbiased=True).mean(-1).sqrt()
        anomalies = self.estimate - self.mean()[:, None, :]
        variance = (self.weights[..., None] * anomalies.square()).sum(-2)
        correction = 1 - self.weights.square().sum(-1, keepdim=True)
        return (variance / correction.clamp_min(1e-12)).mean(-1).sqrt()

    def restart(self, lost: Tensor, state: Tensor) -> None:
        super().restart(lost, state)
        if self.weights is not None:
            uniform = torch.full_like(self.weights, 1 / self.weights.shape[-1])
            self.weights = torch.where(lost[:, None], uniform, self.weights)


@dataclass(frozen=True, eq=False)
class Assimilation:
    """What :meth:`SequentialMethod.assimilate` returns: the ``scores`` dataset (see
    :meth:`~SequentialMethod.assimilate`) and the final ``run`` state."""

    scores: xr.Dataset
    run: RunState


@dataclass(frozen=True, eq=False)
class SequentialMethod:
    """A cycling DA method: a frozen configuration; all run state is in a :class:`RunState`.

    ``initialise`` returns the run state at t_0; ``forecast`` advances it by one observation
    interval (default: the model applied to the estimate) and ``analyse`` updates it with the
    observation ``(B, p)`` of the current cycle.
    """

    name: ClassVar[str] = "method"

    def initialise(self, setup: TwinSetup, n_experiments: int, generator: torch.Generator) -> RunState:
        raise NotImplementedError

    def forecast(self, run: RunState) -> None:
        run.estimate = run.setup.forecast(run.estimate)

    def analyse(self, run: RunState, observation: Tensor) -> None:
        raise NotImplementedError

    def describe(self) -> dict[str, float | int | str]:
        """Name and scalar parameters, recorded in the scores' attributes."""
        scalars = {
            f.name: int(value) if isinstance(value, bool) else value
            for f in fields(self)
            if isinstance(value := getattr(self, f.name), (bool, int, float, str))
        }
        return {"method": self.name, **scalars}

    def assimilate(
        self,
        data: TwinData,
        seed: int = 0,
        keep_states: bool = True,
        raise_on_divergence: bool = False,
    ) -> Assimilation:
        """Cycle through ``data`` and score every cycle.

        Returns an :class:`Assimilation`: the final run state and an ``xarray.Dataset`` with
        dims ``(time, experiment)``: ``forecast_rmse``, ``analysis_rmse``, for ensembles
        ``forecast_spread``, ``analysis_spread`` and (equal weights) ``rank_histogram``
        ``(experiment, rank)`` of the truth in the forecast ensemble over all components
        after burn-in; ``diverged`` per experiment; boolean coordinate ``after_burn_in``;
        with ``keep_states`` also ``analysis`` and ``truth`` ``(time, experiment, component)``.
        Attributes record the setup, the method and its parameters. :func:`time_average`
        and :func:`score` reduce it; :func:`plot_scores` plots it.

        A filter whose analysis becomes non-finite, or whose time-averaged RMSE after burn-in
        exceeds the climatological RMSE, is flagged in ``diverged`` and reported with a
        :class:`FilterDivergenceWarning` (or a ``FloatingPointError`` if ``raise_on_divergence``).
        """
        setup = data.setup
        B, n, K = data.n_experiments, setup.state_size, setup.n_cycles
        times = data.times
        after = times > setup.burn_in_time
        run = self.initialise(setup, B, torch.Generator().manual_seed(seed))
        scores = {
            name: torch.full((K, B), float("nan"), dtype=torch.float64)
            for name in ("forecast_rmse", "analysis_rmse", "forecast_spread", "analysis_spread")
        }
        ranked = isinstance(run, EnsembleRun) and run.weights is None
        ranks = torch.zeros(B, run.estimate.shape[-2] + 1 if run.is_ensemble else 1, dtype=torch.float64)
        analysis = torch.full((K, B, n), float("nan"), dtype=torch.float64) if keep_states else None
        lost = torch.zeros(B, dtype=torch.bool)
        fallback = torch.tensor(setup.initial_mean, dtype=torch.float64)
        with torch.no_grad(), single_thread():
            for k in range(K):
                check_observation(data.observations[k], (B,), setup.observation.size)
                truth = data.truth[k + 1]
                run.cycle_index = k
                self.forecast(run)
                error = (run.mean() - truth).square().mean(-1).sqrt()
                scores["forecast_rmse"][k] = torch.where(lost, torch.nan, error)
                scores["forecast_spread"][k] = torch.where(lost, torch.nan, run.spread())
                if ranked and after[k]:
                    rank = (run.estimate < truth[:, None, :]).sum(-2)  # (B, n) in 0 … N
                    ranks += torch.nn.functional.one_hot(rank, ranks.shape[-1]).sum(-2) * ~lost[:, None]
                self.analyse(run, data.observations[k])
                mean = run.mean()
                finite = torch.isfinite(mean).all(-1) & ~lost
                if not bool(finite.all()):
                    newly = ~finite & ~lost
                    if raise_on_divergence and bool(newly.any()):
                        raise FloatingPointError(
                            f"{self.name}: analysis became non-finite at cycle {k} "
                            f"(t = {times[k]:g}) in experiment(s) {newly.nonzero().flatten().tolist()}"
                        )
                    lost |= ~finite
                    # Keep the batch computable: lost experiments restart from the initial mean and
                    # are reported as diverged; their scores from now on are NaN.
                    run.restart(lost, fallback)
                    mean = run.mean()
                error = (mean - truth).square().mean(-1).sqrt()
                scores["analysis_rmse"][k] = torch.where(lost, torch.nan, error)
                scores["analysis_spread"][k] = torch.where(lost, torch.nan, run.spread())
                if analysis is not None:
                    analysis[k] = torch.where(lost[:, None], torch.nan, mean)
        coords: dict[str, Any] = {"experiment": np.arange(B), "time": times, "after_burn_in": ("time", after)}
        names = list(scores) if run.is_ensemble else ["forecast_rmse", "analysis_rmse"]
        variables: dict[str, tuple] = {name: (("time", "experiment"), scores[name].numpy()) for name in names}
        if ranked:
            coords["rank"] = np.arange(ranks.shape[-1])
            variables["rank_histogram"] = (("experiment", "rank"), ranks.numpy())
        if analysis is not None:
            coords["component"] = np.arange(n)
            variables["analysis"] = (("time", "experiment", "component"), analysis.numpy())
            variables["truth"] = (("time", "experiment", "component"), data.truth[1:].numpy())
        with warnings.catch_warnings():  # experiments lost before burn-in have no scores
            warnings.simplefilter("ignore", RuntimeWarning)
            rmse = scores["analysis_rmse"].numpy()
            average = np.nanmean(rmse[after], axis=0) if after.any() else np.full(B, np.nan)
        clim = climatological_rmse(data.truth)
        diverged = lost.numpy() | (average > clim)
        variables["diverged"] = (("experiment",), diverged)
        attrs = {
            "setup": setup.name,
            "system": setup.system.name,
            "observation_operator": setup.observation.label,
            "dt": setup.dt,
            "steps_per_observation": setup.steps_per_observation,
            "burn_in_time": setup.burn_in_time,
            "climatological_rmse": clim,
            "data_seed": data.seed,
            "method_seed": seed,
            **{f"method_{key}" if key != "method" else key: value for key, value in self.describe().items()},
        }
        ds = xr.Dataset(variables, coords=coords, attrs=attrs)
        if diverged.any():
            message = (
                f"{self.name} diverged in experiment(s) {np.flatnonzero(diverged).tolist()} of "
                f"{B}: non-finite analysis or time-averaged RMSE above climatology ({clim:.2f})"
            )
            if raise_on_divergence:
                raise FloatingPointError(message)
            warnings.warn(message, FilterDivergenceWarning, stacklevel=2)
        return Assimilation(scores=ds, run=run)


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
    """The scores dataset of ``method.assimilate(data, ...)`` (see
    :meth:`SequentialMethod.assimilate`), for when the final run state is not needed."""
    return method.assimilate(data, seed, keep_states, raise_on_divergence).scores


def time_average(ds: xr.Dataset, variable: str = "analysis_rmse") -> xr.DataArray:
    """Time average of ``variable`` after burn-in, per experiment."""
    return ds[variable].where(ds["after_burn_in"]).mean("time")


def score(ds: xr.Dataset, variable: str = "analysis_rmse") -> float:
    """Time-averaged ``variable`` after burn-in, averaged over the experiments that did not diverge."""
    per_experiment = time_average(ds, variable).where(~ds["diverged"])
    return float(per_experiment.mean())


def compare(runs: dict[str, xr.Dataset]) -> xr.Dataset:
    """The scores of several methods on the same data as one dataset with a ``method`` dimension
    (scores only: states and rank histograms, whose sizes differ, are left out)."""
    if not runs:
        raise ValueError("compare needs at least one dataset")
    kept = ("forecast_rmse", "analysis_rmse", "forecast_spread", "analysis_spread")
    parts = []
    for ds in runs.values():
        missing = {name: xr.full_like(ds["analysis_rmse"], np.nan) for name in kept if name not in ds}
        parts.append(ds[[name for name in kept if name in ds] + ["diverged"]].assign(missing))
    return xr.concat(parts, dim="method", join="outer").assign_coords(method=list(runs))


def plot_scores(ds: xr.Dataset, ax: Any = None, smoothing: int = 1) -> Any:
    """Plot forecast and analysis RMSE (solid) and spread (dashed) over time, averaged over
    the experiments; one colour per method for a :func:`compare` dataset. Returns the axes.

    ``smoothing``: width of a running mean over cycles (1 = none). The burn-in is shaded.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    methods = list(ds["method"].values) if "method" in ds.dims else [None]
    for index, method in enumerate(methods):
        one = ds if method is None else ds.sel({"method": method})
        colour = f"C{index}"
        for variable, style in (("analysis_rmse", "-"), ("analysis_spread", "--")):
            if variable not in one or bool(one[variable].isnull().all()):
                continue
            series = one[variable].mean("experiment").rolling(time=smoothing, min_periods=1).mean()
            label = f"{method or ds.attrs.get('method', '')} {variable.replace('_', ' ')}".strip()
            ax.plot(one["time"], series, style, color=colour, label=label)
    ax.axvspan(float(ds["time"][0]), float(ds.attrs.get("burn_in_time", 0.0)), color="0.9", zorder=0)
    ax.set_xlabel("time")
    ax.set_ylabel("RMSE / spread")
    ax.set_yscale("log")
    ax.legend(fontsize="small")
    return ax
