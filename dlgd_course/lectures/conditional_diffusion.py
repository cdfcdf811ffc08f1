"""Denoising diffusion prior for 1-D fields, conditioned on sparse noisy observations.

Prior (Ho et al. 2020, NeurIPS): fields ``x_0 (n,)``, normalised, noised as
``x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε``; a network ε_θ(x_t, t) is trained to predict ε.

Conditioning on ``y = H x_0 + η``, η ~ N(0, σ_y² I), by *reconstruction guidance* (Ho et al.
2022, Video Diffusion Models; Chung et al. 2023, ICLR, DPS; Song et al. 2023, ICLR, ΠGDM for
the variance): the score of p(x_t | y) is the prior's plus ∇_{x_t} log p(y | x_t), with::

    x̂_0(x_t) = (x_t − √(1 − ᾱ_t) ε_θ(x_t, t)) / √ᾱ_t                      (Tweedie's mean)
    log p(y | x_t) ≈ −‖y − H x̂_0(x_t)‖² / (2 (σ_y² + r_t²)),   r_t² = 1 − ᾱ_t
    ε̃ = ε_θ − √(1 − ᾱ_t) ∇_{x_t} log p(y | x_t)

and ancestral steps use ε̃. r_t² is the variance of x_0 given x_t for a unit-variance prior:
early (noisy) steps are guided weakly, late ones with the observation noise alone. The
Jacobian ∂x̂_0/∂x_t is taken as √ᾱ_t I, its value for a unit Gaussian prior, for which the
guidance is then exact: ∇_{x_t} log p(y | x_t) ≈ √ᾱ_t Hᵀ(y − H x̂_0)/(σ_y² + r_t²). Back-
propagating through the denoiser instead (DPS) multiplies its errors by 1/√ᾱ_t, about 200 at
the first step of this schedule, and the samples blow up. This is guidance by the likelihood,
not inpainting by replacement, so noisy observations are not imposed exactly.

The reference is the analysis under the Gaussian prior N(μ, C) with the training fields' mean
and covariance (optimal interpolation with the climatological covariance), exact when the
prior is Gaussian: mean μ + K(y − Hμ), covariance (I − KH) C, K = C Hᵀ (H C Hᵀ + σ_y² I)⁻¹.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from dlgd_course.assimilation.static import kalman_gain


@dataclass(frozen=True)
class NoiseSchedule:
    """Linear β schedule of ``n_steps`` steps from ``beta_min`` to ``beta_max``."""

    n_steps: int = 100
    beta_min: float = 1e-4
    beta_max: float = 0.2

    def __post_init__(self) -> None:
        if self.n_steps < 1 or not 0 < self.beta_min <= self.beta_max < 1:
            raise ValueError(
                f"need n_steps >= 1 and 0 < beta_min <= beta_max < 1, got {self.n_steps}, "
                f"{self.beta_min}, {self.beta_max}"
            )

    @property
    def betas(self) -> Tensor:
        """β_t, ``(n_steps,)``."""
        return torch.linspace(self.beta_min, self.beta_max, self.n_steps)

    @property
    def alpha_bars(self) -> Tensor:
        """ᾱ_t = Π_{s≤t} (1 − β_s), ``(n_steps,)``."""
        return torch.cumprod(1 - self.betas, 0)


class FieldDenoiser(nn.Module):
    """ε_θ(x_t, t) for normalised fields ``(B, n)``: an MLP on the field and 8 Fourier features
    of t; ``mean (n,)`` and ``scale`` (a number) map the data's units to normalised ones."""

    def __init__(self, n: int, mean: Tensor, scale: float, schedule: NoiseSchedule, width: int = 256) -> None:
        super().__init__()
        self.schedule = schedule
        self.net = nn.Sequential(
            nn.Linear(n + 8, width), nn.SiLU(), nn.Linear(width, width), nn.SiLU(), nn.Linear(width, n)
        )
        self.register_buffer("mean", mean.detach().clone())
        self.scale = scale

    def forward(self, x_t: Tensor, t: Tensor) -> Tensor:
        angle = t.float().unsqueeze(-1) / self.schedule.n_steps * math.pi * torch.arange(1, 5).float()
        return self.net(torch.cat([x_t, torch.sin(angle), torch.cos(angle)], -1))


def train_field_diffusion(
    fields: Tensor, schedule: NoiseSchedule, seed: int, n_iterations: int = 1500, batch_size: int = 256
) -> FieldDenoiser:
    """Train ε_θ on ``fields (N, n)`` (float32) with the simple loss of Ho et al. 2020."""
    if fields.ndim != 2:
        raise ValueError(f"fields must be (N, n), got {tuple(fields.shape)}")
    torch.manual_seed(seed)
    denoiser = FieldDenoiser(
        fields.shape[1], fields.mean(0), (fields - fields.mean(0)).std().item(), schedule
    )
    normalised = (fields - denoiser.mean) / denoiser.scale
    alpha_bars = schedule.alpha_bars
    optimiser = torch.optim.Adam(denoiser.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=n_iterations)
    for _ in range(n_iterations):
        x0 = normalised[torch.randint(0, len(normalised), (batch_size,))]
        t = torch.randint(0, schedule.n_steps, (batch_size,))
        noise = torch.randn_like(x0)
        a = alpha_bars[t].unsqueeze(-1)
        loss = (denoiser(a.sqrt() * x0 + (1 - a).sqrt() * noise, t) - noise).square().mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        scheduler.step()
    return denoiser.requires_grad_(False)


def guided_posterior_samples(
    denoiser: FieldDenoiser,
    observations: Tensor,
    observed: Tensor,
    obs_std: float,
    n_samples: int,
    generator: torch.Generator,
    spread_factor: float = 1.0,
) -> Tensor:
    """Posterior samples ``(n_samples, B, n)`` in the data's units given ``observations (B, p)``
    of the points ``observed (p,)`` (indices) with noise ``obs_std`` (data units), by
    reconstruction guidance (module docstring), with r_t² = ``spread_factor`` × (1 − ᾱ_t): below 1
    the guidance is stronger at the noisy steps (the fields' prior is not a unit Gaussian)."""
    if observations.ndim != 2 or observations.shape[1] != len(observed):
        raise ValueError(f"observations must be (B, {len(observed)}), got {tuple(observations.shape)}")
    if obs_std <= 0 or spread_factor <= 0:
        raise ValueError(f"obs_std and spread_factor must be > 0, got {obs_std} and {spread_factor}")
    schedule = denoiser.schedule
    betas, alpha_bars = schedule.betas, schedule.alpha_bars
    batch, n = observations.shape[0], denoiser.mean.shape[0]
    y = ((observations - denoiser.mean[observed]) / denoiser.scale).repeat(n_samples, 1)
    noise_var = (obs_std / denoiser.scale) ** 2
    x = torch.randn(n_samples * batch, n, generator=generator)
    for t in reversed(range(schedule.n_steps)):
        eps = denoiser(x, torch.full((len(x),), t))
        x0_hat = (x - (1 - alpha_bars[t]).sqrt() * eps) / alpha_bars[t].sqrt()
        grad = torch.zeros_like(x)
        grad[:, observed] = (
            alpha_bars[t].sqrt()
            * (y - x0_hat[:, observed])
            / (noise_var + spread_factor * (1 - alpha_bars[t]))
        )
        guided = eps - (1 - alpha_bars[t]).sqrt() * grad
        x = (x - betas[t] / (1 - alpha_bars[t]).sqrt() * guided) / (1 - betas[t]).sqrt()
        if t > 0:
            x = x + betas[t].sqrt() * torch.randn(x.shape, generator=generator)
    return (x * denoiser.scale + denoiser.mean).reshape(n_samples, batch, n)


def gaussian_posterior(
    prior_mean: Tensor, prior_cov: Tensor, observations: Tensor, observed: Tensor, obs_std: float
) -> tuple[Tensor, Tensor]:
    """Posterior mean ``(B, n)`` and covariance ``(n, n)`` under the Gaussian prior N(μ, C),
    ``prior_mean (n,)``, ``prior_cov (n, n)``, for ``observations (B, p)`` of the points ``observed``."""
    H = torch.eye(len(prior_mean), dtype=prior_cov.dtype)[observed]
    R = obs_std**2 * torch.eye(len(observed), dtype=prior_cov.dtype)
    gain = kalman_gain(prior_cov, H, R)
    mean = prior_mean + (observations - prior_mean[observed]) @ gain.T
    return mean, prior_cov - gain @ H @ prior_cov


def ensemble_scores(samples: Tensor, truth: Tensor) -> dict[str, float]:
    """RMSE of the sample mean against ``truth (B, n)`` and the spread ``√(mean variance)`` of
    ``samples (S, B, n)``; their ratio is 1 for a calibrated ensemble (up to (S + 1)/S)."""
    rmse = (samples.mean(0) - truth).square().mean().sqrt().item()
    spread = samples.var(0).mean().sqrt().item()
    return {"rmse": rmse, "spread": spread, "spread / rmse": spread / rmse}
