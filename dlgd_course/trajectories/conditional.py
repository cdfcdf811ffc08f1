"""A species-conditioned trip GAN and its per-species evaluation (exercise 26).

BirdGAN (Roy, Fablet & Lanco Bertrand, 2022, Methods Ecol. Evol. 13, 1275) trains one GAN per
data set; the Brazilian set pools two species. A *conditional* GAN (Mirza & Osindero, 2014,
arXiv:1411.1784) learns all species at once and generates the trips of the species it is asked
for: the label ``s`` of a trip enters both networks,

* generator: ``G(z, s) = G([z, e_s])``, a learned embedding ``e_s`` (``latent_dim`` numbers)
  concatenated to the latent noise (``2 latent_dim`` inputs of
  :class:`~dlgd_course.trajectories.models.TripGenerator`);
* critic: ``D(x, s) = D([x, 1_s 1_T])``, the one-hot vector ``1_s`` repeated along the trip's
  ``T`` steps as ``n_species`` extra input channels of
  :class:`~dlgd_course.trajectories.models.TripDiscriminator`,

trained with the Wasserstein loss and gradient penalty (Gulrajani et al., 2017, NeurIPS), the
library's default GAN loss, with real and generated trips of the same species in a batch.

Per-species evaluation: the spectral loss of BirdGAN (:func:`~dlgd_course.trajectories.metrics
.spectral_loss`) and the Wasserstein-1 distance of step lengths, computed species by species
between held-out and generated trips (:func:`per_species_scores`), against the correlated random
walk fitted to each species separately (:func:`crw_per_species`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import xarray as xr
from scipy.stats import wasserstein_distance
from torch import Tensor, nn

from dlgd_course.own_work import guard_answer
from dlgd_course.trajectories.baselines import CorrelatedRandomWalk
from dlgd_course.trajectories.dataset import positions
from dlgd_course.trajectories.metrics import spectral_loss, trip_statistics
from dlgd_course.trajectories.models import TripDiscriminator, TripGAN, TripGenerator, gradient_penalty


def species_statistics(ds: xr.Dataset) -> dict[str, dict[str, float]]:
    """Summary of the trips of each species of ``ds`` (keys: the species labels, sorted):
    ``n_trips``, ``median_range_km`` (median over trips of the largest distance to the colony),
    ``median_duration_h``, ``mean_step_km`` (mean length of the resampled steps) and
    ``dive_fraction`` (fraction of the steps with a dive)."""
    guard_answer()
    out = {}
    for name in sorted(np.unique(ds["species"].values)):
        trips = ds.isel(trip=np.flatnonzero(ds["species"].values == name))
        stats = trip_statistics(positions(trips))
        out[str(name)] = {
            "n_trips": float(trips.sizes["trip"]),
            "median_range_km": float(np.median(stats["max_distance"])),
            "median_duration_h": float(np.median(trips["duration"].values)),
            "mean_step_km": float(np.mean(stats["step_length"])),
            "dive_fraction": float(trips["dive"].mean()),
        }
    return out


def species_labels(ds: xr.Dataset, species: Sequence[str]) -> Tensor:
    """Index of each trip's species in ``species``, int64 tensor (trip,); ValueError for a trip
    of a species not in the list."""
    names = list(species)
    unknown = sorted(set(ds["species"].values) - set(names))
    if unknown:
        raise ValueError(f"trips of species {unknown} not in {names}")
    return torch.as_tensor([names.index(s) for s in ds["species"].values], dtype=torch.int64)


class ConditionalTripGenerator(nn.Module):
    """``G(z, s)``: latent ``z`` (batch, latent_dim) and species indices ``s`` (batch,) -> trips
    (batch, n_channels, n_steps); a :class:`TripGenerator` of ``2 latent_dim`` inputs (closed-loop
    increments scaled by ``max_step``) fed ``[z, embedding(s)]``, the embedding learned."""

    def __init__(
        self,
        n_species: int,
        n_channels: int = 3,
        n_steps: int = 32,
        latent_dim: int = 16,
        width: int = 16,
        max_step: float = 0.1,
    ):
        guard_answer()
        super().__init__()
        self.n_species, self.latent_dim = n_species, latent_dim
        self.embedding = nn.Embedding(n_species, latent_dim)
        self.net = TripGenerator(n_channels, n_steps, 2 * latent_dim, width, "increments", max_step)

    def forward(self, z: Tensor, species: Tensor) -> Tensor:
        guard_answer()
        return self.net(torch.cat([z, self.embedding(species)], dim=1))


class ConditionalTripCritic(nn.Module):
    """``D(x, s)``: trips (batch, n_channels, n_steps) and species indices (batch,) -> one score
    per trip; a :class:`TripDiscriminator` without batch norm (WGAN-GP) of
    ``n_channels + n_species`` input channels fed the trips and ``one_hot(s)`` repeated along
    the steps; ``step_features`` as in :class:`TripDiscriminator` (the steps of channels 0, 1
    times this factor as two more channels)."""

    def __init__(
        self,
        n_species: int,
        n_channels: int = 3,
        n_steps: int = 32,
        width: int = 16,
        step_features: float = 0.0,
    ):
        guard_answer()
        super().__init__()
        self.n_species = n_species
        self.net = TripDiscriminator(
            n_channels + n_species, n_steps, width, batch_norm=False, step_features=step_features
        )

    def forward(self, x: Tensor, species: Tensor) -> Tensor:
        guard_answer()
        one_hot = nn.functional.one_hot(species, self.n_species).to(x.dtype)
        return self.net(torch.cat([x, one_hot[:, :, None].expand(-1, -1, x.shape[-1])], dim=1))


class ConditionalTripGAN(TripGAN):
    """WGAN-GP on (trips, species) batches: per batch one critic update on
    ``D(x~, s) - D(x, s) + gp_weight (|grad D(x^, s)| - 1)^2`` (means over the batch, ``x~ = G(z,
    s)`` with the labels ``s`` of the real batch, ``x^`` between ``x`` and ``x~``), and, every
    ``n_critic`` batches, one generator update on ``-D(x~, s)`` with the same ``x~``.
    Adam lr 1e-4, betas (0, 0.9) as :class:`TripGAN`'s WGAN-GP; ``history`` the losses."""

    def __init__(
        self,
        n_species: int,
        n_channels: int = 3,
        n_steps: int = 32,
        latent_dim: int = 16,
        width: int = 16,
        max_step: float = 0.1,
        n_critic: int = 2,
        lr: float = 1e-4,
    ):
        super().__init__(
            n_channels, n_steps, latent_dim, width, "wgan-gp", lr=lr, n_critic=n_critic, max_step=max_step
        )
        self.generator = ConditionalTripGenerator(n_species, n_channels, n_steps, latent_dim, width, max_step)
        self.discriminator = ConditionalTripCritic(n_species, n_channels, n_steps, width, 1.0 / max_step)

    def sample(self, species: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """One generated trip per species index of ``species`` (n,), generator in eval mode."""
        was_training = self.generator.training
        self.generator.eval()
        with torch.no_grad():
            z = torch.randn(len(species), self.generator.latent_dim, generator=generator)
            out = self.generator(z.to(self.device), species.to(self.device))
        self.generator.train(was_training)
        return out

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        guard_answer()
        real, species = batch
        opt_g, opt_d = self.optimizers()
        z = torch.randn(real.shape[0], self.generator.latent_dim, device=self.device)
        fake = self.generator(z, species)
        critic = self.discriminator
        loss_d = (
            critic(fake.detach(), species).mean()
            - critic(real, species).mean()
            + self.gp_weight * gradient_penalty(lambda x: critic(x, species), real, fake.detach())
        )
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()
        self.history["d"].append(float(loss_d.detach()))
        if batch_idx % self.n_critic == 0:
            loss_g = -critic(fake, species).mean()
            opt_g.zero_grad()
            self.manual_backward(loss_g)
            opt_g.step()
            self.history["g"].append(float(loss_g.detach()))


def per_species_scores(real: xr.Dataset, generated: xr.Dataset) -> dict[str, dict[str, float]]:
    """For each species of ``real`` (sorted labels): the spectral loss and the Wasserstein-1
    distance of the step lengths (km) between its trips in ``real`` and the trips of the same
    label in ``generated`` (ValueError when ``generated`` has none)."""
    guard_answer()
    scores = {}
    for name in sorted(np.unique(real["species"].values)):
        mine = generated["species"].values == name
        if not mine.any():
            raise ValueError(f"no generated trips of species {name!r}")
        xy_real = positions(real.isel(trip=np.flatnonzero(real["species"].values == name)))
        xy_gen = positions(generated.isel(trip=np.flatnonzero(mine)))
        steps = [trip_statistics(xy)["step_length"] for xy in (xy_real, xy_gen)]
        scores[str(name)] = {
            "spectral_loss": spectral_loss(xy_real, xy_gen),
            "w_step_length": float(wasserstein_distance(*steps)),
        }
    return scores


def crw_per_species(train: xr.Dataset, n_per_species: int, seed: int = 0) -> xr.Dataset:
    """The correlated random walk (return bridge) fitted to each species of ``train`` on its own
    trips and simulated ``n_per_species`` times with ``seed``; species in sorted order, each
    simulated trip labelled with its species and named ``<species>-crw-<i>``."""
    guard_answer()
    parts = []
    for name in sorted(np.unique(train["species"].values)):
        own = train.isel(trip=np.flatnonzero(train["species"].values == name))
        sample = CorrelatedRandomWalk().fit(own).sample(n_per_species, seed=seed)
        sample["species"] = ("trip", np.full(n_per_species, name))
        parts.append(sample.assign_coords(trip=[f"{name}-crw-{i:04d}" for i in range(n_per_species)]))
    return xr.concat(parts, dim="trip")
