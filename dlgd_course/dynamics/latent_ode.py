"""Augmented (latent) neural ODE for a partially observed system, trained on multi-step rollouts.

Only ``m`` components ``u`` of the state are observed every ``dt``. The model's state is
``z = (u, h)`` with ``d`` latent variables ``h`` (augmented neural ODE: Dupont et al. 2019,
NeurIPS; latent ODE: Rubanova et al. 2019; for geophysical dynamics with partial
observations: Ouala et al. 2020, Chaos 30)::

    h_0 = e_φ(u_{−K+1}, …, u_0)              (encoder of the last K observations)
    dz/dt = f_θ(z),   z_0 = (u_0, h_0),    z_{k+1} = RK4(f_θ, z_k, dt)
    L(θ, φ) = mean_k ‖u_k − P z_k‖²,  k = 1..n_rollout        (P keeps the observed part)

``n_rollout = 1`` is one-step training; longer rollouts make the latent variables carry
what the observed ones do not (the loss needs them several steps ahead), at the cost of
back-propagating through the integrator over the rollout.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlgd_course.dynamics.integrate import rk4_step


class AugmentedNeuralODE(nn.Module):
    """Neural ODE on ``(u, h)``: ``n_observed`` observed and ``n_latent`` latent variables, the
    latent initial state encoded from ``history`` observations. Observations are normalised by
    ``mean`` and ``scale`` (each ``(n_observed,)``) inside the model."""

    def __init__(
        self,
        n_observed: int,
        n_latent: int,
        history: int,
        mean: Tensor,
        scale: Tensor,
        width: int = 64,
        time_scale: float = 10.0,
    ) -> None:
        super().__init__()
        if n_observed < 1 or n_latent < 0 or history < 1:
            raise ValueError(
                f"need n_observed >= 1, n_latent >= 0, history >= 1; got {n_observed}, {n_latent}, {history}"
            )
        self.n_observed, self.n_latent, self.history, self.time_scale = (
            n_observed,
            n_latent,
            history,
            time_scale,
        )
        size = n_observed + n_latent
        self.tendency_net = nn.Sequential(
            nn.Linear(size, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, size)
        )
        self.encoder = nn.Sequential(
            nn.Linear(history * n_observed, width), nn.Tanh(), nn.Linear(width, n_latent)
        )
        self.register_buffer("mean", mean.detach().clone())
        self.register_buffer("scale", scale.detach().clone())

    def tendency(self, state: Tensor) -> Tensor:
        """f_θ on normalised states ``(B, n_observed + n_latent)``, in normalised units per time unit."""
        return self.time_scale * self.tendency_net(state)

    def initial_state(self, past: Tensor) -> Tensor:
        """``z_0 (B, n_observed + n_latent)`` from the last ``history`` observations ``past (K, B, m)``."""
        if past.ndim != 3 or past.shape[0] != self.history or past.shape[-1] != self.n_observed:
            raise ValueError(
                f"past must have shape ({self.history}, B, {self.n_observed}), got {tuple(past.shape)}"
            )
        normalised = (past - self.mean) / self.scale
        latent = self.encoder(normalised.permute(1, 0, 2).reshape(past.shape[1], -1))
        return torch.cat([normalised[-1], latent], -1)

    def forward(self, past: Tensor, n_steps: int, dt: float) -> Tensor:
        """Forecast of the observed components ``(n_steps, B, m)``, in the data's units."""
        state, outputs = self.initial_state(past), []
        for _ in range(n_steps):
            state = rk4_step(self.tendency, state, dt)
            outputs.append(state[:, : self.n_observed])
        return torch.stack(outputs) * self.scale + self.mean


def train_augmented_ode(
    series: Tensor,
    dt: float,
    n_latent: int,
    history: int,
    n_rollout: int,
    n_iterations: int = 400,
    batch_size: int = 64,
    lr: float = 5e-3,
    seed: int = 0,
    width: int = 64,
) -> tuple[AugmentedNeuralODE, list[float]]:
    """Train on windows of ``history + n_rollout`` samples of ``series (T, m)`` (observed
    components every ``dt``): encode the first ``history``, roll out ``n_rollout`` RK4 steps,
    mean squared error on the normalised observed components. Adam with cosine decay.
    Returns the model and the loss history."""
    if series.ndim != 2 or series.shape[0] <= history + n_rollout:
        raise ValueError(
            f"series must be (T, m) with T > history + n_rollout = {history + n_rollout}, "
            f"got {tuple(series.shape)}"
        )
    if n_rollout < 1:
        raise ValueError(f"n_rollout must be >= 1, got {n_rollout}")
    torch.manual_seed(seed)
    model = AugmentedNeuralODE(series.shape[1], n_latent, history, series.mean(0), series.std(0), width)
    model = model.to(series.dtype)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=n_iterations)
    offsets = torch.arange(history + n_rollout)
    losses = []
    for _ in range(n_iterations):
        starts = torch.randint(0, series.shape[0] - history - n_rollout, (batch_size,))
        windows = series[starts[:, None] + offsets].transpose(0, 1)  # (K + n, B, m)
        predicted = model(windows[:history], n_rollout, dt)
        loss = ((predicted - windows[history:]) / model.scale).square().mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        scheduler.step()
        losses.append(loss.item())
    return model, losses


def valid_time(forecast: Tensor, truth: Tensor, scale: Tensor, dt: float, threshold: float = 0.5) -> Tensor:
    """Time ``(B,)`` until the normalised error ‖(forecast − truth)/scale‖/√m first exceeds
    ``threshold``, for ``forecast, truth (T, B, m)`` at lead times dt, 2dt, …; T·dt if never."""
    if forecast.shape != truth.shape:
        raise ValueError(f"forecast {tuple(forecast.shape)} and truth {tuple(truth.shape)} differ in shape")
    error = ((forecast - truth) / scale).square().mean(-1).sqrt()
    exceeded = ~(error <= threshold)  # NaN counts as exceeded
    n_valid = torch.where(exceeded.any(0), exceeded.to(torch.int64).argmax(0), forecast.shape[0])
    return n_valid.to(forecast.dtype) * dt
