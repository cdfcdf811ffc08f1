"""Exercise 26 — a species-conditioned GAN for seabird foraging trips: the library code each part
must not use, and the references that later cells fall back on.

The locked cells need the split (part ``split_by_trip``), the per-species scores (part
``per_species_scores``), the CRW baseline (part ``crw_per_species``) and the conditional networks
(part ``conditioning``): they obtain them with :func:`~dlgd_course.own_work.own_or_reference`,
whose fallbacks are the library's with the notebook's signatures. The training step (part
``training_step``) is the part whose trained model the tests check.
"""

from __future__ import annotations

from torch import nn

from dlgd_course.own_work import Part, guard_answer
from dlgd_course.trajectories.conditional import (
    ConditionalTripCritic,
    ConditionalTripGAN,
    ConditionalTripGenerator,
    crw_per_species,
    per_species_scores,
    species_statistics,
)
from dlgd_course.trajectories.dataset import split_trips
from dlgd_course.trajectories.metrics import mean_fourier_modulus, spectral_loss, trip_statistics
from dlgd_course.trajectories.models import TripGAN

# The notebook's constants: trips of N_STEPS steps, latent vectors of LATENT numbers.
N_STEPS = 32
LATENT = 16


def conditional_networks(n_species: int, width: int, max_step: float) -> tuple[nn.Module, nn.Module]:
    """Reference of Part 5: the conditional generator and critic of the notebook (3 channels,
    ``N_STEPS`` steps, ``LATENT`` latent numbers, the critic seeing the steps times ``1 / max_step``)."""
    guard_answer()
    return (
        ConditionalTripGenerator(n_species, 3, N_STEPS, LATENT, width, max_step),
        ConditionalTripCritic(n_species, 3, N_STEPS, width, 1.0 / max_step),
    )


def make_conditional_networks(max_step: float) -> tuple[nn.Module, nn.Module]:
    """Reference result of Part 5 for the training cell (``build_networks(max_step)``): the
    networks of width 16 for the notebook's two species."""
    guard_answer()
    return conditional_networks(2, 16, max_step)


PARTS = {
    # the library's summary and the movement statistics it is built on
    "species_statistics": Part(answers=(species_statistics, trip_statistics)),
    # the library's stratified split by whole trips
    "split_by_trip": Part(answers=(split_trips,), fallback=split_trips),
    # the library's per-species scores, the spectral loss and its mean spectrum, and the movement
    # statistics with the step lengths (evaluate and the other routes end in these)
    "per_species_scores": Part(
        answers=(per_species_scores, spectral_loss, mean_fourier_modulus, trip_statistics),
        fallback={"spectral_loss": spectral_loss, "per_species_scores": per_species_scores},
    ),
    # the per-species CRW of the library (the CRW itself is the student's tool)
    "crw_per_species": Part(answers=(crw_per_species,), fallback=crw_per_species),
    "conditioning": Part(
        answers=(
            ConditionalTripGenerator.__init__,
            ConditionalTripGenerator.forward,
            ConditionalTripCritic.__init__,
            ConditionalTripCritic.forward,
            conditional_networks,
            make_conditional_networks,
        ),
        fallback=make_conditional_networks,
    ),
    # the library's conditional and unconditional GAN steps and losses
    "training_step": Part(
        answers=(
            ConditionalTripGAN.training_step,
            TripGAN.training_step,
            TripGAN.discriminator_loss,
            TripGAN.generator_loss,
        ),
        trains=True,
    ),
}
