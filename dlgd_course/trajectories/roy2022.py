"""Set-up of BirdGAN: Roy, Fablet & Lanco Bertrand (2022), "Using generative adversarial
networks (GAN) to simulate central-place foraging trajectories", Methods Ecol. Evol. 13,
1275-1287.

Data: *Sula variegata* (Peru, 78 trips), *S. sula* (Brazil, 30) and *S. dactylatra*
(Brazil, 50), resampled to 200 steps. Model: 1-D convolutional DCGAN, BCE loss, Adam with
learning rate 2e-4 and betas (0.5, 0.999). Expected (published, 200-step sets): spectral
loss of the GAN 0.08 vs 0.91 for the HMM (Peru), 0.07 vs 0.88 (Brazil), i.e. the GAN's
spectral loss is about ten times smaller than the HMM's. On the synthetic trips of this
course, with the HMM simulated free (not conditioned on returning), the closed-loop
DCGAN reproduces that ordering (``benchmarks/trajectories_table.py``; checked by
``tests/trajectories/test_roy2022.py``).
"""

from __future__ import annotations

import xarray as xr

from dlgd_course.trajectories.dataset import split_trips
from dlgd_course.trajectories.models import TripGAN
from dlgd_course.trajectories.synthetic import simulate_trips

N_STEPS = 200
N_TRIPS = {"sula_sula": 30, "sula_dactylatra": 50, "sula_variegata": 78}
ADAM_LR = 2e-4
ADAM_BETAS = (0.5, 0.999)
PUBLISHED_SPECTRAL_LOSS = {"peru": {"gan": 0.08, "hmm": 0.91}, "brazil": {"gan": 0.07, "hmm": 0.88}}


def data(
    region: str = "peru", seed: int = 0, test_fraction: float = 0.25, n_steps: int = N_STEPS
) -> tuple[xr.Dataset, xr.Dataset]:
    """(train, held-out) synthetic trips of one region ("peru" or "brazil")."""
    if region not in PUBLISHED_SPECTRAL_LOSS:
        raise ValueError(f"region must be one of {sorted(PUBLISHED_SPECTRAL_LOSS)}, got {region!r}")
    return split_trips(simulate_trips(region, n_steps=n_steps, seed=seed), test_fraction, seed)


def dcgan(n_channels: int, n_steps: int = N_STEPS, output: str = "positions", **kwargs) -> TripGAN:
    """The BirdGAN DCGAN (BCE, Adam 2e-4, betas (0.5, 0.999)); ``output="increments"`` for
    the closed-loop generator of this course."""
    return TripGAN(n_channels, n_steps, loss="bce", lr=ADAM_LR, betas=ADAM_BETAS, output=output, **kwargs)
