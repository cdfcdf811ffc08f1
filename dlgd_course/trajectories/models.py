"""Generative adversarial networks for fixed-length foraging trips.

* :class:`TripEncoding`: trips <-> tensors (trip, channel, step) with channels
  ``x / scale``, ``y / scale`` (``scale`` = largest training distance to the colony),
  ``2 dive - 1`` and, optionally, the standardised log-duration (constant along the trip;
  decoded as its mean) - all in [-1, 1] or of order one.
* :class:`TripGenerator` / :class:`TripDiscriminator`: the 1-D convolutional DCGAN pair of
  BirdGAN (Roy, Fablet & Lanco Bertrand, 2022, Methods Ecol. Evol. 13, 1275), built like
  DCGAN (Radford et al., 2016, ICLR): transposed convolutions doubling the length,
  batch norm, ReLU, ``tanh`` output; strided convolutions with LeakyReLU(0.2).
* :class:`TripGAN`: the Lightning module, manual optimisation, with the ``"bce"`` loss of
  Goodfellow et al. (2014) (non-saturating generator loss, Adam lr 2e-4, betas (0.5, 0.999)
  as in BirdGAN) or the ``"wgan-gp"`` improvement of Gulrajani et al. (2017, NeurIPS):
  critic loss ``E[D(x~)] - E[D(x)] + lambda E[(|grad D(x^)| - 1)^2]``, ``lambda = 10``,
  ``n_critic`` critic updates per generator update, Adam lr 1e-4, betas (0.0, 0.9),
  no batch norm in the critic.
* :class:`TripDataModule`: the encoded training trips and the largest step of the increments
  generator fitted on them (:func:`fit_max_step`).

The default :class:`TripGAN` is the configuration that beats the correlated random walk and
the HMM on BirdGAN's real trips (``benchmarks/trajectories_real.py``): WGAN-GP, closed-loop
increments generator, ``max_step`` fitted on the data and a critic that also sees the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch
import xarray as xr
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from dlgd_course.nn import CourseModule
from dlgd_course.own_work import guard_answer
from dlgd_course.trajectories.dataset import arrays_to_dataset, positions

N_UPSAMPLING = 3  # the generator doubles the length three times: n_steps % 8 == 0


@dataclass(frozen=True)
class TripEncoding:
    """Scaling of trips to network inputs (module docstring); ``scale`` in km."""

    scale: float
    log_duration_mean: float
    log_duration_std: float
    with_duration: bool = True

    def __post_init__(self) -> None:
        for name in ("scale", "log_duration_mean", "log_duration_std"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite, got {getattr(self, name)}")
        if self.scale <= 0 or self.log_duration_std <= 0:
            raise ValueError(
                f"scale and log_duration_std must be > 0, got {self.scale} and {self.log_duration_std}"
            )

    @classmethod
    def fit(cls, ds: xr.Dataset, with_duration: bool = True) -> TripEncoding:
        """Scales from the training trips ``ds``."""
        guard_answer()
        xy = positions(ds)
        log_d = np.log(ds["duration"].values)
        return cls(
            float(np.hypot(xy[..., 0], xy[..., 1]).max()),
            float(log_d.mean()),
            float(max(log_d.std(), 1e-6)),
            with_duration,
        )

    @property
    def n_channels(self) -> int:
        return 4 if self.with_duration else 3

    def encode(self, ds: xr.Dataset) -> Tensor:
        """Trips -> float32 tensor (trip, channel, step)."""
        guard_answer()
        xy = positions(ds) / self.scale
        channels = [xy[..., 0], xy[..., 1], 2.0 * ds["dive"].values - 1.0]
        if self.with_duration:
            z = (np.log(ds["duration"].values) - self.log_duration_mean) / self.log_duration_std
            channels.append(np.repeat(z[:, None], xy.shape[1], axis=1))
        return torch.as_tensor(np.stack(channels, axis=1), dtype=torch.float32)

    def decode(self, tensor: Tensor, species: str = "gan") -> xr.Dataset:
        """Tensor (trip, channel, step) -> trip Dataset (dive = channel 2 > 0)."""
        if tensor.ndim != 3 or tensor.shape[1] != self.n_channels:
            raise ValueError(f"expected (trip, {self.n_channels}, step), got {tuple(tensor.shape)}")
        a = tensor.detach().cpu().double().numpy()
        xy = np.stack([a[:, 0], a[:, 1]], axis=-1) * self.scale
        duration = (
            np.exp(a[:, 3].mean(axis=1) * self.log_duration_std + self.log_duration_mean)
            if self.with_duration
            else None
        )
        return arrays_to_dataset(xy, (a[:, 2] > 0).astype(np.int8), duration, species=species)


def integrate_increments(steps: Tensor, max_step: float) -> Tensor:
    """Positions of trips that start and end at the colony from increments in [-1, 1]:
    ``p_t = max_step * sum_{s<t} v_s`` (``p_0 = 0``), then the bridge correction
    ``p_t <- p_t - t/(T-1) p_{T-1}``; ``steps`` (batch, 2, T) -> positions (batch, 2, T)."""
    pos = torch.cumsum(max_step * steps[..., :-1], dim=-1)
    pos = torch.cat([torch.zeros_like(pos[..., :1]), pos], dim=-1)
    frac = torch.linspace(0.0, 1.0, pos.shape[-1], device=pos.device, dtype=pos.dtype)
    return pos - frac * pos[..., -1:]


def fit_max_step(ds: xr.Dataset, scale: float, margin: float = 1.1) -> float:
    """Largest step of the increments generator, in units of ``scale`` (km): ``margin`` times
    the longest step between consecutive positions of the trips ``ds``."""
    if scale <= 0 or margin <= 0:
        raise ValueError(f"scale and margin must be > 0, got {scale} and {margin}")
    longest = float(np.hypot(*np.diff(positions(ds), axis=1).transpose(2, 0, 1)).max())
    if longest <= 0:
        raise ValueError("the trips never move: no step to fit max_step on")
    return margin * longest / scale


class TripGenerator(nn.Module):
    """Latent ``z`` (batch, latent_dim) -> trips (batch, n_channels, n_steps).

    ``output="positions"`` (BirdGAN): the ``tanh`` output is the trip. ``"increments"``:
    channels 0, 1 are steps scaled by ``max_step`` and integrated into a closed trip by
    :func:`integrate_increments` (smooth by construction, back at the colony).
    """

    def __init__(
        self,
        n_channels: int,
        n_steps: int = 200,
        latent_dim: int = 32,
        width: int = 32,
        output: str = "positions",
        max_step: float = 0.015,
    ):
        guard_answer()
        super().__init__()
        if n_steps % 2**N_UPSAMPLING:
            raise ValueError(f"n_steps must be a multiple of {2**N_UPSAMPLING}, got {n_steps}")
        if output not in ("positions", "increments"):
            raise ValueError(f"output must be 'positions' or 'increments', got {output!r}")
        self.latent_dim, self.output, self.max_step = latent_dim, output, max_step
        w = width

        def up(c_in: int, c_out: int) -> list[nn.Module]:
            # resize-convolution: linear upsampling then convolution, no checkerboard
            # artefacts of strided transposed convolutions (Odena et al., 2016, Distill)
            return [
                nn.Upsample(scale_factor=2, mode="linear"),
                nn.Conv1d(c_in, c_out, 5, padding=2, bias=False),
            ]

        self.net = nn.Sequential(
            nn.ConvTranspose1d(latent_dim, 4 * w, n_steps // 2**N_UPSAMPLING, bias=False),
            nn.BatchNorm1d(4 * w),
            nn.ReLU(),
            *up(4 * w, 2 * w),
            nn.BatchNorm1d(2 * w),
            nn.ReLU(),
            *up(2 * w, w),
            nn.BatchNorm1d(w),
            nn.ReLU(),
            *up(w, w),
            nn.BatchNorm1d(w),
            nn.ReLU(),
            nn.Conv1d(w, n_channels, 5, padding=2),
            nn.Tanh(),
        )

    def forward(self, z: Tensor) -> Tensor:
        guard_answer()
        out = self.net(z[..., None])
        if self.output == "increments":
            out = torch.cat([integrate_increments(out[:, :2], self.max_step), out[:, 2:]], dim=1)
        return out


class TripDiscriminator(nn.Module):
    """Trips (batch, n_channels, n_steps) -> one logit (or critic score) per trip."""

    def __init__(
        self,
        n_channels: int,
        n_steps: int = 200,
        width: int = 32,
        batch_norm: bool = True,
        step_features: float = 0.0,
    ):
        guard_answer()
        super().__init__()
        self.step_features = step_features
        n_in = n_channels + (2 if step_features else 0)
        if n_steps % 2**N_UPSAMPLING:
            raise ValueError(f"n_steps must be a multiple of {2**N_UPSAMPLING}, got {n_steps}")
        w = width

        def norm(c: int) -> nn.Module:
            return nn.BatchNorm1d(c) if batch_norm else nn.Identity()

        self.net = nn.Sequential(
            nn.Conv1d(n_in, w, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv1d(w, 2 * w, 4, 2, 1, bias=not batch_norm),
            norm(2 * w),
            nn.LeakyReLU(0.2),
            nn.Conv1d(2 * w, 4 * w, 4, 2, 1, bias=not batch_norm),
            norm(4 * w),
            nn.LeakyReLU(0.2),
            nn.Conv1d(4 * w, 1, n_steps // 2**N_UPSAMPLING),
        )

    def forward(self, x: Tensor) -> Tensor:
        guard_answer()
        if self.step_features:
            steps = torch.diff(x[:, :2], dim=-1, prepend=x[:, :2, :1]) * self.step_features
            x = torch.cat([x, steps], dim=1)
        return self.net(x).flatten()


def gradient_penalty(critic: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
    """``E[(|grad_x D(x^)|_2 - 1)^2]`` at ``x^ = e x + (1 - e) x~``, ``e ~ U(0, 1)`` per trip
    (Gulrajani et al., 2017, eq. 3)."""
    eps = torch.rand(real.shape[0], 1, 1, device=real.device, dtype=real.dtype)
    mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


class TripGAN(CourseModule):
    """GAN on encoded trips, manual optimisation (one discriminator and, every
    ``n_critic`` batches, one generator update per batch). ``loss``: "bce" or "wgan-gp".

    Defaults (module docstring): WGAN-GP, ``output="increments"``; ``step_features`` (the
    factor of the steps the critic sees as two extra channels) defaults to ``1 / max_step``
    for the increments generator (steps of order one) and to none for positions. Pass
    ``max_step`` fitted on the training trips (:attr:`TripDataModule.max_step`).

    A :class:`~dlgd_course.nn.CourseModule` with two optimisers: both Adams use ``lr``
    (default 2e-4 for "bce", 1e-4 for "wgan-gp") and ``betas``, with the base's cosine decay
    over ``max_epochs`` when given. ``history`` holds the per-batch losses ("d", "g"): a GAN has no
    single ``train_loss``.
    """

    def __init__(
        self,
        n_channels: int,
        n_steps: int = 200,
        latent_dim: int = 32,
        width: int = 32,
        loss: str = "wgan-gp",
        lr: float | None = None,
        betas: tuple[float, float] | None = None,
        n_critic: int | None = None,
        gp_weight: float = 10.0,
        output: str = "increments",
        max_step: float = 0.015,
        step_features: float | None = None,
        max_epochs: int | None = None,
    ):
        if loss not in ("bce", "wgan-gp"):
            raise ValueError(f"loss must be 'bce' or 'wgan-gp', got {loss!r}")
        wgan = loss == "wgan-gp"
        # the loss's defaults, resolved before the base saves the hyper-parameters
        lr = lr if lr is not None else (1e-4 if wgan else 2e-4)
        betas = betas if betas is not None else ((0.0, 0.9) if wgan else (0.5, 0.999))
        n_critic = n_critic if n_critic is not None else (5 if wgan else 1)
        if step_features is None:
            step_features = 1.0 / max_step if output == "increments" else 0.0
        super().__init__(lr=lr, max_epochs=max_epochs)
        self.loss_name, self.gp_weight, self.betas, self.n_critic = loss, gp_weight, betas, n_critic
        self.automatic_optimization = False
        self.generator = TripGenerator(n_channels, n_steps, latent_dim, width, output, max_step)
        self.discriminator = TripDiscriminator(
            n_channels, n_steps, width, batch_norm=not wgan, step_features=step_features
        )
        self.history: dict[str, list[float]] = {"d": [], "g": []}

    def configure_optimizers(
        self,
    ) -> list[torch.optim.Optimizer] | tuple[list[torch.optim.Optimizer], list[Any]]:
        """The generator's and the discriminator's Adam, and their cosine schedules if ``max_epochs``."""
        optimisers = [
            torch.optim.Adam(network.parameters(), lr=self.lr, betas=self.betas)
            for network in (self.generator, self.discriminator)
        ]
        if self.max_epochs is None:
            return optimisers
        schedules = [torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=self.max_epochs) for o in optimisers]
        return optimisers, schedules

    def on_train_epoch_end(self) -> None:
        """Manual optimisation steps the cosine schedules itself, once per epoch."""
        for schedule in self.lr_schedulers() or []:
            schedule.step()

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` generated trips (n, n_channels, n_steps), generator in eval mode."""
        was_training = self.generator.training
        self.generator.eval()
        with torch.no_grad():
            z = torch.randn(n, self.generator.latent_dim, generator=generator)
            out = self.generator(z.to(self.device))
        self.generator.train(was_training)
        return out

    def discriminator_loss(self, real: Tensor, fake: Tensor) -> Tensor:
        guard_answer()
        d_real, d_fake = self.discriminator(real), self.discriminator(fake)
        if self.loss_name == "bce":
            bce = nn.functional.binary_cross_entropy_with_logits
            return bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
        return (
            d_fake.mean() - d_real.mean() + self.gp_weight * gradient_penalty(self.discriminator, real, fake)
        )

    def generator_loss(self, fake: Tensor) -> Tensor:
        guard_answer()
        d_fake = self.discriminator(fake)
        if self.loss_name == "bce":
            return nn.functional.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
        return -d_fake.mean()

    def training_step(self, batch: tuple[Tensor], batch_idx: int) -> None:
        guard_answer()
        real = batch[0]
        opt_g, opt_d = self.optimizers()
        z = torch.randn(real.shape[0], self.generator.latent_dim, device=self.device)
        fake = self.generator(z)
        loss_d = self.discriminator_loss(real, fake.detach())
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()
        self.history["d"].append(float(loss_d.detach()))
        if batch_idx % self.n_critic == 0:
            loss_g = self.generator_loss(fake)
            opt_g.zero_grad()
            self.manual_backward(loss_g)
            opt_g.step()
            self.history["g"].append(float(loss_g.detach()))


class TripDataModule(pl.LightningDataModule):
    """Encoded training trips; ``encoding`` and ``max_step`` (:func:`fit_max_step`, units of
    the encoding's scale) are fitted on them."""

    def __init__(self, train: xr.Dataset, batch_size: int = 16, with_duration: bool = True, seed: int = 0):
        super().__init__()
        self.encoding = TripEncoding.fit(train, with_duration)
        self.max_step = fit_max_step(train, self.encoding.scale)
        self.tensor = self.encoding.encode(train)
        self.batch_size, self.seed = batch_size, seed

    def train_dataloader(self) -> DataLoader:
        return DataLoader(
            TensorDataset(self.tensor),
            batch_size=self.batch_size,
            shuffle=True,
            drop_last=True,
            generator=torch.Generator().manual_seed(self.seed),
        )
