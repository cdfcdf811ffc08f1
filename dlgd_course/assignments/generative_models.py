"""Exercise 13 — generative models (Lecture 3): the library code each part must not use, and the
references that later cells fall back on.

The locked training cells need the VAE's loss (part ``elbo``) and the GAN's losses (part
``gan_losses``), the evaluation cells the spectrum (part ``spectrum``), the distances (part
``distances``) and the trained VAE (part ``train_vae``): they call the student's functions through
:func:`~dlgd_course.own_work.own_or_reference`, whose fallbacks are the lecture's references
with the notebook's signatures. The loss parts are ``exact``: a wrong loss is replaced like a
missing one and cannot spoil the training of the later parts. Routes that end in a listed
function are locked with it: :class:`FieldVAE`'s forward pass (``reparameterise``), the trip
GAN's losses (exercise 06), the closures' energy spectrum and the trips' spectral loss and
Wasserstein distances.
"""

from dlgd_course.closures.burgers import energy_spectrum
from dlgd_course.lectures.generative_models import (
    coverage,
    discriminator_loss,
    gaussian_kl,
    generator_loss,
    mean_power_spectrum,
    negative_elbo,
    reparameterise,
    sliced_wasserstein,
    spectral_distance,
    train_vae,
)
from dlgd_course.own_work import Part
from dlgd_course.trajectories.metrics import mean_fourier_modulus, spectral_loss, wasserstein_distances
from dlgd_course.trajectories.models import TripGAN

PARTS = {
    "elbo": Part(
        answers=(reparameterise, gaussian_kl, negative_elbo),
        fallback={
            "reparameterise": reparameterise,
            "gaussian_kl": gaussian_kl,
            "negative_elbo": negative_elbo,
        },
        exact=True,
    ),
    # the reference loop (the VAE itself, FieldVAE, is the student's tool)
    "train_vae": Part(answers=(train_vae,), fallback=train_vae, trains=True),
    # the lecture's losses and the trip GAN's (exercise 06), which compute the same with BCE
    "gan_losses": Part(
        answers=(discriminator_loss, generator_loss, TripGAN.discriminator_loss, TripGAN.generator_loss),
        fallback={"discriminator_loss": discriminator_loss, "generator_loss": generator_loss},
        exact=True,
    ),
    # the lecture's spectrum and distance, the closures' energy spectrum (the same per field) and
    # the trips' Fourier moduli and spectral loss
    "spectrum": Part(
        answers=(
            mean_power_spectrum,
            spectral_distance,
            energy_spectrum,
            mean_fourier_modulus,
            spectral_loss,
        ),
        fallback={"mean_power_spectrum": mean_power_spectrum, "spectral_distance": spectral_distance},
    ),
    # the lecture's distance and coverage, and the trips' 1-D Wasserstein distances (one per projection)
    "distances": Part(
        answers=(sliced_wasserstein, coverage, wasserstein_distances),
        fallback={"sliced_wasserstein": sliced_wasserstein, "coverage": coverage},
    ),
}
