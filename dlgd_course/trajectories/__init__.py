"""Theme 6: generative models of seabird foraging trips, evaluated like BirdGAN
(Roy, Fablet & Lanco Bertrand, 2022, Methods Ecol. Evol. 13, 1275-1287).

    species     settings of the three booby species (SPECIES, REGIONS)
    synthetic   simulate_trips: three-phase central-place foraging trips
    dataset     the trip xarray.Dataset, resampling, projection, train/test split
    io          read_birdgan_csv, read_movebank_csv, write_birdgan_csv
    roy2022     the BirdGAN set-up (data sizes, optimiser, published numbers)
    baselines   CorrelatedRandomWalk, MovementHMM (gamma / von Mises, Baum-Welch)
    models      TripEncoding, TripGenerator, TripDiscriminator, TripGAN, TripDataModule
    metrics     spectral_loss, kde_mse, trip_statistics, wasserstein_distances, evaluate
    conditional species-conditioned generator, critic and WGAN-GP; per-species scores and CRWs
"""

from dlgd_course.trajectories import roy2022
from dlgd_course.trajectories.baselines import CorrelatedRandomWalk, MovementHMM
from dlgd_course.trajectories.dataset import (
    RawTrack,
    arrays_to_dataset,
    positions,
    split_trips,
    tracks_to_dataset,
)
from dlgd_course.trajectories.io import read_birdgan_csv, read_movebank_csv, write_birdgan_csv
from dlgd_course.trajectories.metrics import (
    evaluate,
    kde_mse,
    spectral_loss,
    trip_statistics,
    wasserstein_distances,
)
from dlgd_course.trajectories.models import (
    TripDataModule,
    TripDiscriminator,
    TripEncoding,
    TripGAN,
    TripGenerator,
)
from dlgd_course.trajectories.species import REGIONS, SPECIES, SpeciesParameters
from dlgd_course.trajectories.synthetic import simulate_trips

__all__ = [
    "REGIONS",
    "SPECIES",
    "CorrelatedRandomWalk",
    "MovementHMM",
    "RawTrack",
    "SpeciesParameters",
    "TripDataModule",
    "TripDiscriminator",
    "TripEncoding",
    "TripGAN",
    "TripGenerator",
    "arrays_to_dataset",
    "evaluate",
    "kde_mse",
    "positions",
    "read_birdgan_csv",
    "read_movebank_csv",
    "simulate_trips",
    "spectral_loss",
    "split_trips",
    "tracks_to_dataset",
    "roy2022",
    "trip_statistics",
    "wasserstein_distances",
    "write_birdgan_csv",
]
