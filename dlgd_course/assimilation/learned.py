"""Learned variational interpolation of Lorenz-63 in the spirit of 4DVarNet.

Problem (Fablet et al. 2021, *Learning variational data assimilation models and solvers*,
JAMES 13; DLGD course material): Lorenz-63 (σ, ρ, β = 10, 28, 8/3), dt = 0.01, windows of
200 steps; only x₁ observed, every 8 steps, with noise variance 2; the first and last 10
steps of each window are unobserved. Reconstruct the full state x(t) of each window.

4DVarNet writes the reconstruction as the minimiser of a variational cost with a *learned*
prior φ and solves it with a *learned* gradient-based solver Γ, trained end to end:

    U_φ(x) = ‖m ⊙ (x − y)‖² + λ ‖x − φ(x)‖²,
    x^{(k+1)} = x^{(k)} − Γ(∇ₓ U_φ(x^{(k)}), h^{(k)}),   k = 0 … K−1,

starting from the linear interpolation of the observations (unobserved components at
their training mean); here φ is a bilinear convolutional auto-encoder (Fablet, Ouala &
Herzet 2018) and Γ a convolutional LSTM over time whose input is the gradient (computed
with autograd, kept in the graph so that φ and Γ are trained through the iterations): the
course's :class:`~dlgd_course.nn.ConvLSTMSolver` and
:func:`~dlgd_course.nn.learned_gradient_descent`, shared with the interpolation theme.

Baselines on the same windows: the linear-interpolation first guess, a direct CNN
(first guess, observations and mask → state) and weak-constraint 4D-Var with the true
model (:func:`weak_4dvar_interpolation`). Scores: MSE over the window in state units and
the MSE normalised by the test variance (mean over components), as in the references.
Tensors are ``(batch, time, component)``; networks work on normalised ``(batch, component,
time)`` internally.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytorch_lightning as pl
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from dlgd_course.assimilation.variational import minimise, weak_4dvar_cost
from dlgd_course.device import single_thread
from dlgd_course.dynamics import Lorenz63
from dlgd_course.nn.module import CourseModule
from dlgd_course.nn.networks import ConvLSTMSolver, learned_gradient_descent
from dlgd_course.nn.normalise import Normaliser
from dlgd_course.nn.predict import predict_in_batches
from dlgd_course.own_work import guard_answer


@dataclass(frozen=True)
class InterpolationProblem:
    """The observation design of the Lorenz-63 interpolation problem (defaults: the paper's)."""

    window: int = 200
    dt: float = 0.01
    observation_interval: int = 8
    noise_variance: float = 2.0
    observed_components: tuple[int, ...] = (0,)
    margin: int = 10
    spinup_steps: int = 1000

    def __post_init__(self) -> None:
        """At least two observation times inside the window; positive step, noise and
        interval; observed components among 0, 1, 2 (Lorenz-63)."""
        if not (self.dt > 0 and self.noise_variance > 0 and self.observation_interval >= 1):
            raise ValueError(
                "dt and noise_variance must be > 0 and observation_interval >= 1, got "
                f"{self.dt}, {self.noise_variance}, {self.observation_interval}"
            )
        if self.margin < 0 or self.spinup_steps < 0:
            raise ValueError(f"margin and spinup_steps must be >= 0, got {self.margin}, {self.spinup_steps}")
        if self.window - 2 * self.margin <= self.observation_interval:
            raise ValueError(
                f"a window of {self.window} steps with margins of {self.margin} holds fewer than two "
                f"observation times {self.observation_interval} steps apart"
            )
        if not self.observed_components or not set(self.observed_components) <= {0, 1, 2}:
            raise ValueError(f"observed_components must be among 0, 1, 2, got {self.observed_components}")

    def observation_times(self) -> Tensor:
        """Indices of observed steps inside a window: margin, margin + interval, … < window − margin."""
        return torch.arange(self.margin, self.window - self.margin, self.observation_interval)

    def mask(self) -> Tensor:
        """``(window, 3)`` bool, True where a component is observed."""
        mask = torch.zeros(self.window, 3, dtype=torch.bool)
        for component in self.observed_components:
            mask[self.observation_times(), component] = True
        return mask

    def interpolation_matrix(self) -> Tensor:
        """``(window, n_obs)`` weights of piecewise-linear interpolation in time (constant beyond
        the first and last observation)."""
        times = self.observation_times().to(torch.float64)
        t = torch.arange(self.window, dtype=torch.float64).clamp(times[0], times[-1])
        right = torch.searchsorted(times, t, right=False).clamp(1, len(times) - 1)
        left = right - 1
        weight = (t - times[left]) / (times[right] - times[left])
        W = torch.zeros(self.window, len(times), dtype=torch.float64)
        rows = torch.arange(self.window)
        W[rows, left] += 1 - weight
        W[rows, right] += weight
        return W


def make_windows(problem: InterpolationProblem, n_windows: int, seed: int) -> dict[str, Tensor]:
    """Truth, observations and mask for ``n_windows`` windows, float32.

    Windows are cut back to back from 16 independent trajectories (after ``spinup_steps``),
    so different seeds give independent data sets. Returns ``state``, ``observation`` (zero
    where unobserved) and ``mask``, each ``(n_windows, window, 3)``.
    """
    if n_windows < 1:
        raise ValueError(f"n_windows must be >= 1, got {n_windows}")
    system = Lorenz63()
    generator = torch.Generator().manual_seed(seed)
    n_trajectories = min(16, n_windows)
    per_trajectory = math.ceil(n_windows / n_trajectories)
    x0 = system.random_initial_state(generator, (n_trajectories,))
    with torch.no_grad(), single_thread():
        x0 = system.integrate(x0, problem.dt, problem.spinup_steps, save_every=problem.spinup_steps)[-1]
        run = system.integrate(x0, problem.dt, per_trajectory * problem.window - 1)
    windows = run.reshape(per_trajectory, problem.window, n_trajectories, 3).permute(0, 2, 1, 3)
    state = windows.reshape(-1, problem.window, 3)[:n_windows]
    mask = problem.mask().expand_as(state)
    noise = math.sqrt(problem.noise_variance) * torch.randn(
        state.shape, generator=generator, dtype=state.dtype
    )
    observation = torch.where(mask, state + noise, torch.zeros_like(state))
    return {"state": state.float(), "observation": observation.float(), "mask": mask.clone()}


def linear_interpolation(problem: InterpolationProblem, observation: Tensor, fill: Tensor) -> Tensor:
    """First guess ``(B, window, 3)``: observed components interpolated linearly in time,
    the others set to ``fill (3,)`` (their training mean)."""
    W = problem.interpolation_matrix().to(observation)
    guess = fill.to(observation).expand_as(observation).clone()
    times = problem.observation_times()
    for component in problem.observed_components:
        guess[..., component] = observation[:, times, component] @ W.T
    return guess


def scores(estimate: Tensor, truth: Tensor, test_variance: float) -> dict[str, float]:
    """MSE over all steps and components, and the MSE divided by the test variance."""
    mse = float((estimate - truth).square().mean())
    return {"mse": mse, "nmse": mse / test_variance}


class BilinearAutoencoder(nn.Module):
    """Prior φ: residual bilinear convolutional network over time (Fablet et al. 2018).

    h = conv_k(x);  φ(x) = x + conv_1([a(h), b(h) ⊙ c(h)]), a, b, c 1×1 convolutions.
    The product term lets φ represent the quadratic Lorenz-63 nonlinearity. ``(B, 3, T)``.
    """

    def __init__(self, channels: int = 24, kernel_size: int = 5) -> None:
        super().__init__()
        self.encode = nn.Conv1d(3, channels, kernel_size, padding=kernel_size // 2)
        self.linear = nn.Conv1d(channels, channels, 1)
        self.left = nn.Conv1d(channels, channels, 1)
        self.right = nn.Conv1d(channels, channels, 1)
        self.decode = nn.Conv1d(2 * channels, 3, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = self.encode(x)
        features = torch.cat([self.linear(h), self.left(h) * self.right(h)], dim=1)
        return x + self.decode(features)


class _WindowModule(CourseModule):
    """A reconstruction of Lorenz-63 windows ``model(observation, mask)``; subclasses set
    ``problem`` and ``normaliser`` (the per-component mean and std of the training states)."""

    problem: InterpolationProblem
    normaliser: Normaliser

    def encode(self, x: Tensor) -> Tensor:
        """``(B, T, 3)`` state units → ``(B, 3, T)`` normalised."""
        return self.normaliser(x).transpose(1, 2)

    def decode(self, z: Tensor) -> Tensor:
        """``(B, 3, T)`` normalised → ``(B, T, 3)`` state units."""
        return self.normaliser.inverse(z.transpose(1, 2))

    def first_guess(self, observation: Tensor) -> Tensor:
        """The linear interpolation of the observations, ``(B, T, 3)``."""
        return linear_interpolation(self.problem, observation, self.normaliser.mean)

    def reconstruction_error(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        """MSE of the reconstruction of a batch ``(truth, observation, mask)``, normalised."""
        truth, observation, mask = batch
        return ((self(observation, mask) - truth) / self.normaliser.std).square().mean()


class FourDVarNet(_WindowModule):
    """4DVarNet-style learned variational solver (prior φ + LSTM solver Γ), see module doc.

    Loss: the reconstruction MSE plus ``prior_weight`` × the misfit of φ on the true states
    (both in normalised units); ``max_epochs`` sets the cosine decay of the learning rate.
    """

    def __init__(
        self,
        problem: InterpolationProblem,
        mean: Tensor,
        std: Tensor,
        n_iterations: int = 5,
        channels: int = 24,
        prior_weight: float = 1.0,
        lr: float = 1e-2,
        max_epochs: int | None = None,
    ) -> None:
        super().__init__(lr=lr, max_epochs=max_epochs)
        self.problem, self.normaliser = problem, Normaliser(mean, std)
        if isinstance(n_iterations, bool) or not isinstance(n_iterations, int) or n_iterations < 1:
            raise ValueError(f"n_iterations must be a positive int, got {n_iterations!r}")
        self.prior = BilinearAutoencoder(channels)
        self.solver = ConvLSTMSolver(3, channels, kernel_size=3, spatial_dims=1)
        self.log_lambda = nn.Parameter(torch.zeros(()))
        self.n_iterations, self.prior_weight = n_iterations, prior_weight

    def variational_cost(self, z: Tensor, y: Tensor, m: Tensor) -> Tensor:
        """U_φ(z) in normalised units, summed over the batch."""
        observation_term = (m * (z - y)).square().sum()
        prior_term = (z - self.prior(z)).square().sum()
        return observation_term + self.log_lambda.exp() * prior_term

    def forward(self, observation: Tensor, mask: Tensor) -> Tensor:
        """Reconstruction ``(B, window, 3)`` from observations and mask ``(B, window, 3)``."""
        guard_answer()
        z = self.encode(self.first_guess(observation))
        y = self.encode(observation)
        m = mask.transpose(1, 2).to(z.dtype)
        z = learned_gradient_descent(
            lambda z: self.variational_cost(z, y, m), z, self.solver, self.n_iterations, self.training
        )
        return self.decode(z)

    def loss(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        z_truth = self.encode(batch[0])
        prior_fit = (self.prior(z_truth) - z_truth).square().mean()
        return self.reconstruction_error(batch) + self.prior_weight * prior_fit


class DirectCNN(_WindowModule):
    """Baseline: a residual 1-D CNN mapping (first guess, observations, mask) to the state;
    loss the reconstruction MSE in normalised units."""

    def __init__(
        self,
        problem: InterpolationProblem,
        mean: Tensor,
        std: Tensor,
        channels: int = 32,
        lr: float = 3e-3,
        max_epochs: int | None = None,
    ) -> None:
        super().__init__(lr=lr, max_epochs=max_epochs)
        self.problem, self.normaliser = problem, Normaliser(mean, std)
        self.net = nn.Sequential(
            nn.Conv1d(9, channels, 9, padding=4),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 9, padding=4),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 9, padding=4),
            nn.ReLU(),
            nn.Conv1d(channels, 3, 1),
        )

    def forward(self, observation: Tensor, mask: Tensor) -> Tensor:
        guard_answer()
        z = self.encode(self.first_guess(observation))
        m = mask.transpose(1, 2).to(z.dtype)
        inputs = torch.cat([z, m * self.encode(observation), m], dim=1)
        return self.decode(z + self.net(inputs))

    def loss(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        return self.reconstruction_error(batch)


class Lorenz63WindowsDataModule(pl.LightningDataModule):
    """Train / validation / test windows of the Lorenz-63 interpolation problem
    (:func:`make_windows`), from independent seeds (disjoint trajectories); ``mean`` and
    ``std`` (per component) of the training states after :meth:`setup`."""

    def __init__(
        self,
        problem: InterpolationProblem = InterpolationProblem(),
        n_train: int = 512,
        n_val: int = 64,
        n_test: int = 256,
        batch_size: int = 32,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.problem, self.batch_size = problem, batch_size
        self.sizes = {"train": n_train, "val": n_val, "test": n_test}
        self.seeds = {"train": seed, "val": seed + 1000, "test": seed + 2000}
        self.data: dict[str, dict[str, Tensor]] = {}

    def setup(self, stage: str | None = None) -> None:
        if self.data:
            return
        for split, size in self.sizes.items():
            self.data[split] = make_windows(self.problem, size, self.seeds[split])
        train = self.data["train"]["state"]
        self.mean = train.mean((0, 1))
        self.std = train.std((0, 1))
        self.test_variance = float(self.data["test"]["state"].var((0, 1)).mean())

    def _loader(self, split: str, shuffle: bool) -> DataLoader:
        d = self.data[split]
        dataset = TensorDataset(d["state"], d["observation"], d["mask"])
        generator = torch.Generator().manual_seed(self.seeds[split])
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=shuffle, generator=generator)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", False)


def reconstruct_windows(model: nn.Module, observation: Tensor, mask: Tensor, batch_size: int = 128) -> Tensor:
    """Reconstructions ``(N, window, 3)`` of all windows by ``model(observation, mask)``, on the
    CPU (:func:`~dlgd_course.nn.predict_in_batches`: eval mode, on the model's device)."""
    return predict_in_batches(model, observation, mask, batch_size=batch_size).detach()


def weak_4dvar_interpolation(
    problem: InterpolationProblem,
    observation: Tensor,
    mask: Tensor,
    fill: Tensor,
    model_error_variance: float = 1e-3,
    n_iterations: int = 300,
) -> Tensor:
    """Weak-constraint 4D-Var with the true Lorenz-63 model over each window (float64, L-BFGS).

    Control: the whole trajectory; cost :func:`~dlgd_course.assimilation.variational.weak_4dvar_cost`
    with R = noise variance, Q = ``model_error_variance`` I, no background term; started from
    the linear-interpolation first guess. Returns ``(B, window, 3)`` float32.
    """
    guard_answer()
    system = Lorenz63()
    y = observation.double().transpose(0, 1)
    m = mask.transpose(0, 1)
    first_guess = linear_interpolation(problem, observation.double(), fill.double()).transpose(0, 1)
    R_inv = torch.full((3,), 1 / problem.noise_variance, dtype=torch.float64)
    Q_inv = torch.full((3,), 1 / model_error_variance, dtype=torch.float64)

    def step(x: Tensor) -> Tensor:
        return system.step(x, problem.dt)

    def cost(trajectory: Tensor) -> Tensor:
        return weak_4dvar_cost(trajectory, y, m, step, R_inv, Q_inv).sum()

    with single_thread():
        estimate = minimise(cost, first_guess, optimiser="lbfgs", n_iterations=n_iterations)
    return estimate.transpose(0, 1).float()
