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
with autograd, kept in the graph so that φ and Γ are trained through the iterations).

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


class ConvLSTMSolver(nn.Module):
    """Gradient modulator Γ: a 1-D convolutional LSTM cell fed with ∇ₓU, returning the step."""

    def __init__(self, hidden: int = 24, kernel_size: int = 3) -> None:
        super().__init__()
        self.hidden = hidden
        self.gates = nn.Conv1d(3 + hidden, 4 * hidden, kernel_size, padding=kernel_size // 2)
        self.out = nn.Conv1d(hidden, 3, 1)

    def forward(self, gradient: Tensor, state: tuple[Tensor, Tensor] | None):
        if state is None:
            zeros = gradient.new_zeros(gradient.shape[0], self.hidden, gradient.shape[-1])
            state = (zeros, zeros)
        h, c = state
        i, f, o, g = self.gates(torch.cat([gradient, h], dim=1)).chunk(4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return self.out(h), (h, c)


class Normaliser(nn.Module):
    """Per-component standardisation with the training mean and std (buffers)."""

    def __init__(self, mean: Tensor, std: Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.float().view(1, 3, 1))
        self.register_buffer("std", std.float().view(1, 3, 1))

    def encode(self, x: Tensor) -> Tensor:
        """``(B, T, 3)`` state units → ``(B, 3, T)`` normalised."""
        return (x.transpose(1, 2) - self.mean) / self.std

    def decode(self, z: Tensor) -> Tensor:
        return (z * self.std + self.mean).transpose(1, 2)


class FourDVarNet(pl.LightningModule):
    """4DVarNet-style learned variational solver (prior φ + LSTM solver Γ), see module doc."""

    def __init__(
        self,
        problem: InterpolationProblem,
        mean: Tensor,
        std: Tensor,
        n_iterations: int = 5,
        channels: int = 24,
        prior_weight: float = 1.0,
        lr: float = 1e-2,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["problem", "mean", "std"])
        self.problem = problem
        self.normaliser = Normaliser(mean, std)
        self.prior = BilinearAutoencoder(channels)
        self.solver = ConvLSTMSolver(channels)
        self.log_lambda = nn.Parameter(torch.zeros(()))
        self.n_iterations, self.prior_weight, self.lr = n_iterations, prior_weight, lr

    def variational_cost(self, z: Tensor, y: Tensor, m: Tensor) -> Tensor:
        """U_φ(z) in normalised units, summed over the batch."""
        observation_term = (m * (z - y)).square().sum()
        prior_term = (z - self.prior(z)).square().sum()
        return observation_term + self.log_lambda.exp() * prior_term

    def forward(self, observation: Tensor, mask: Tensor) -> Tensor:
        """Reconstruction ``(B, window, 3)`` from observations and mask ``(B, window, 3)``."""
        guard_answer()
        first_guess = linear_interpolation(self.problem, observation, self.normaliser.mean.view(3))
        z = self.normaliser.encode(first_guess)
        y = self.normaliser.encode(observation)
        m = mask.transpose(1, 2).to(z.dtype)
        state = None
        with torch.enable_grad():
            if not z.requires_grad:
                z = z.requires_grad_(True)
            for _ in range(self.n_iterations):
                cost = self.variational_cost(z, y, m)
                (gradient,) = torch.autograd.grad(cost, z, create_graph=self.training)
                step, state = self.solver(gradient, state)
                z = z - step
        return self.normaliser.decode(z)

    def _loss(self, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        truth, observation, mask = batch
        estimate = self(observation, mask)
        scale = self.normaliser.std.view(1, 1, 3)
        reconstruction = ((estimate - truth) / scale).square().mean()
        z_truth = self.normaliser.encode(truth)
        prior_fit = (self.prior(z_truth) - z_truth).square().mean()
        return reconstruction + self.prior_weight * prior_fit

    def training_step(self, batch, batch_idx: int) -> Tensor:
        loss = self._loss(batch)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:
        truth, observation, mask = batch
        estimate = self(observation, mask).detach()
        self.log("val_mse", (estimate - truth).square().mean(), prog_bar=False)

    def configure_optimizers(self):
        optimiser = torch.optim.Adam(self.parameters(), lr=self.lr)
        epochs = self.trainer.max_epochs if self.trainer.max_epochs else 1
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(epochs, 1))
        return [optimiser], [schedule]


class DirectCNN(pl.LightningModule):
    """Baseline: a residual 1-D CNN mapping (first guess, observations, mask) to the state."""

    def __init__(
        self,
        problem: InterpolationProblem,
        mean: Tensor,
        std: Tensor,
        channels: int = 32,
        lr: float = 3e-3,
    ) -> None:
        super().__init__()
        self.problem = problem
        self.normaliser = Normaliser(mean, std)
        self.lr = lr
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
        first_guess = linear_interpolation(self.problem, observation, self.normaliser.mean.view(3))
        z = self.normaliser.encode(first_guess)
        m = mask.transpose(1, 2).to(z.dtype)
        inputs = torch.cat([z, m * self.normaliser.encode(observation), m], dim=1)
        return self.normaliser.decode(z + self.net(inputs))

    def training_step(self, batch, batch_idx: int) -> Tensor:
        truth, observation, mask = batch
        scale = self.normaliser.std.view(1, 1, 3)
        loss = ((self(observation, mask) - truth) / scale).square().mean()
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


class InterpolationDataModule(pl.LightningDataModule):
    """Train / validation / test windows from independent seeds (disjoint trajectories)."""

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


def predict(model: nn.Module, observation: Tensor, mask: Tensor, batch_size: int = 128) -> Tensor:
    """Reconstructions of all windows (eval mode, on the model's device), on the CPU."""
    model.eval()
    device = next(model.parameters()).device
    outputs = []
    for start in range(0, len(observation), batch_size):
        o = observation[start : start + batch_size].to(device)
        m = mask[start : start + batch_size].to(device)
        outputs.append(model(o, m).detach().cpu())
    return torch.cat(outputs)


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
