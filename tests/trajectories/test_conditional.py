"""The species-conditioned GAN and the per-species evaluation of exercise 26
(dlgd_course.trajectories.conditional)."""

import numpy as np
import pytest
import torch

from dlgd_course.trajectories import simulate_trips
from dlgd_course.trajectories.conditional import (
    ConditionalTripCritic,
    ConditionalTripGAN,
    ConditionalTripGenerator,
    crw_per_species,
    per_species_scores,
    species_labels,
    species_statistics,
)

SPECIES = ("sula_dactylatra", "sula_sula")


@pytest.fixture(scope="module")
def trips():
    return simulate_trips(SPECIES, n_trips=6, n_steps=16, seed=0)


def test_statistics_per_species(trips):
    summary = species_statistics(trips)
    assert sorted(summary) == list(SPECIES)
    assert summary["sula_sula"]["n_trips"] == 6.0
    # the red-footed booby ranges further than the masked booby (45 against 30 km, synthetic settings)
    assert summary["sula_sula"]["median_range_km"] > summary["sula_dactylatra"]["median_range_km"]


def test_labels_and_unknown_species(trips):
    labels = species_labels(trips, SPECIES)
    assert labels.dtype == torch.int64 and labels.tolist() == [0] * 6 + [1] * 6
    with pytest.raises(ValueError, match="sula_sula"):
        species_labels(trips, ("sula_dactylatra",))


def test_scores_zero_against_themselves_and_missing_species(trips):
    scores = per_species_scores(trips, trips)
    assert all(row == {"spectral_loss": 0.0, "w_step_length": 0.0} for row in scores.values())
    with pytest.raises(ValueError, match="no generated trips"):
        per_species_scores(trips, trips.isel(trip=np.arange(6)))


def test_crw_fitted_per_species(trips):
    walks = crw_per_species(trips, 4, seed=1)
    assert walks.sizes["trip"] == 8 and len(set(walks["trip"].values)) == 8
    assert list(walks["species"].values) == [SPECIES[0]] * 4 + [SPECIES[1]] * 4


def test_conditional_networks_use_the_label_and_train():
    torch.manual_seed(0)
    generator = ConditionalTripGenerator(2, n_steps=16, latent_dim=8, width=8)
    critic = ConditionalTripCritic(2, n_steps=16, width=8, step_features=10.0)
    z = torch.randn(3, 8).repeat(2, 1)
    species = torch.tensor([0, 0, 0, 1, 1, 1])
    generator.eval()
    trips = generator(z, species)
    assert trips.shape == (6, 3, 16) and not torch.allclose(trips[:3], trips[3:])
    scores = critic(trips[:3].repeat(2, 1, 1), species)
    assert scores.shape == (6,) and not torch.allclose(scores[:3], scores[3:])
    gan = ConditionalTripGAN(2, n_steps=16, latent_dim=8, width=8)
    optimisers = gan.configure_optimizers()
    gan.optimizers = lambda: optimisers
    gan.manual_backward = lambda loss: loss.backward()
    gan.training_step((torch.rand(4, 3, 16) - 0.5, torch.tensor([0, 1, 0, 1])), 0)
    assert len(gan.history["d"]) == 1 and len(gan.history["g"]) == 1
    assert all(np.isfinite(gan.history["d"] + gan.history["g"]))
