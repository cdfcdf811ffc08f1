"""Exercise 06 — GANs for seabird foraging trips: the library code each part must not use, and
the reference results that later cells fall back on when a part is not solved.

The GAN that the locked training cell trains is built from the student's Parts 1 to 3: the
training trips encoded by Part 1 (``fit_scale``, ``to_tensor``) and the networks of Part 2
(``Generator``, ``Discriminator``) come through ``own_or_reference``, so that an unsolved Part 1
or 2 costs only its own points; the training step (Part 3) is the part whose trained model the
tests check.
"""

from __future__ import annotations

import torch
import xarray as xr
from torch import nn

from dlgd_course.own_work import Part, guard_answer
from dlgd_course.trajectories.metrics import mean_fourier_modulus, spectral_loss, trip_statistics
from dlgd_course.trajectories.models import (
    TripDiscriminator,
    TripEncoding,
    TripGAN,
    TripGenerator,
)

# The notebook's constants: trips of N_STEPS steps, latent vectors of LATENT numbers, the
# generator's increments scaled by MAX_STEP (in units of the training scale).
N_STEPS = 64
LATENT = 16
MAX_STEP = 0.12


def encode_trips(ds: xr.Dataset) -> tuple[float, torch.Tensor]:
    """Reference result of Part 1 for ``ds``: ``(scale, tensor)`` with ``scale`` the largest
    distance to the colony (km) and ``tensor`` (trip, 3, step) float32 holding ``x / scale``,
    ``y / scale`` and ``2 dive - 1``."""
    guard_answer()
    encoding = TripEncoding.fit(ds, with_duration=False)
    return encoding.scale, encoding.encode(ds)


def make_networks(width: int = 16) -> tuple[nn.Module, nn.Module]:
    """Reference result of Part 2: the generator (latent ``(batch, LATENT)`` -> trips
    ``(batch, 3, N_STEPS)``, increments integrated into a closed trip) and the discriminator
    (trips -> one logit per trip) of the given width."""
    guard_answer()
    generator = TripGenerator(3, N_STEPS, LATENT, width, output="increments", max_step=MAX_STEP)
    return generator, TripDiscriminator(3, N_STEPS, width)


PARTS = {
    # the scale is the largest distance to the colony: TripEncoding.fit, or the "max_distance"
    # movement statistic, would give it; TripEncoding.encode is to_tensor
    "preprocess": Part(
        answers=(TripEncoding.fit, TripEncoding.encode, trip_statistics, encode_trips), fallback=encode_trips
    ),
    # the library's networks (also reached through TripGAN(...) and make_networks)
    "networks": Part(
        answers=(
            TripGenerator.__init__,
            TripGenerator.forward,
            TripDiscriminator.__init__,
            TripDiscriminator.forward,
            make_networks,
        ),
        fallback=make_networks,
    ),
    # the library's GAN step and its two losses; the locked training cell trains the
    # student's GAN with this part's answers switched off
    "training_step": Part(
        answers=(TripGAN.training_step, TripGAN.discriminator_loss, TripGAN.generator_loss), trains=True
    ),
    "spectral_loss": Part(answers=(spectral_loss, mean_fourier_modulus)),
}
