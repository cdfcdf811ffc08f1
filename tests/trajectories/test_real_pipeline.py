"""The real-data pipeline of the trajectory theme end to end, on files in the exact format of
BirdGAN's published CSVs (Roy et al. 2022; REFERENCES.md, "Seabird trajectories"): one file
per species, columns ``trip,lon,lat,dive,datetime``, dives as probabilities. The published
files carry no licence and are not shipped; ``benchmarks/trajectories_real.py`` runs the same
pipeline on them (the table on the trajectories project page). Here the trips are synthetic,
written by ``write_birdgan_csv``: load -> split -> CRW, HMM and the default GAN (a short
training) -> metrics.
"""

import numpy as np
import pytest
import torch

from dlgd_course.notebook import quiet_trainer
from dlgd_course.trajectories import (
    TripDataModule,
    TripGAN,
    evaluate,
    read_birdgan_csv,
    simulate_trips,
    split_trips,
    write_birdgan_csv,
)
from dlgd_course.trajectories.baselines import CorrelatedRandomWalk, MovementHMM

FILES = {"SV": "sula_variegata", "SD": "sula_dactylatra", "SS": "sula_sula"}
N_STEPS = 32


@pytest.fixture(scope="module")
def published_format(tmp_path_factory):
    """trips_<code>_200_steps.csv per species, and the trips written into each."""
    folder = tmp_path_factory.mktemp("birdgan")
    written = {}
    for k, (code, species) in enumerate(FILES.items()):
        trips = simulate_trips(species, n_trips=24, n_steps=N_STEPS, seed=k)
        # a detector's probabilities: above 0.5 exactly where the flags are 1
        rng = np.random.default_rng(k)
        flags = trips["dive"].values
        probability = np.where(
            flags > 0, rng.uniform(0.5, 1.0, flags.shape), rng.uniform(0, 0.5, flags.shape)
        )
        path = write_birdgan_csv(trips, folder / f"trips_{code}_200_steps.csv", dive_probability=probability)
        written[path] = trips
    return written


def test_written_files_have_the_published_columns_and_read_back(published_format):
    for path, trips in published_format.items():
        assert path.read_text().splitlines()[0] == "trip,lon,lat,dive,datetime"
        ds = read_birdgan_csv(path, n_steps=N_STEPS, species=path.stem)
        assert ds["trip"].values.tolist() == [str(t) for t in trips["trip"].values]
        # the format's whole seconds move a fix by under half a second of flight (< 1e-3 degree)
        np.testing.assert_allclose(ds["lon"].values, trips["lon"].values, atol=1e-3)
        np.testing.assert_allclose(ds["duration"].values, trips["duration"].values, rtol=1e-6)
        # same times in and out, so each fix is its own step: the thresholded probabilities
        # are the original flags
        np.testing.assert_array_equal(ds["dive"].values, trips["dive"].values)


def test_write_rejects_dive_probabilities_outside_the_unit_interval(tmp_path):
    trips = simulate_trips("sula_sula", n_trips=2, n_steps=8, seed=0)
    with pytest.raises(ValueError, match=r"dive_probability must lie in \[0, 1\]"):
        write_birdgan_csv(trips, tmp_path / "bad.csv", dive_probability=np.full((2, 8), 1.5))


@pytest.mark.usefixtures("one_torch_thread")
def test_load_train_evaluate_every_species(published_format):
    """Every model of the benchmark runs on every species file and gives finite metrics; the
    default GAN's trips start and end at the colony and its steps stay within the fitted
    ``max_step`` (closed-loop increments)."""
    for path in published_format:
        train, test = split_trips(read_birdgan_csv(path, n_steps=N_STEPS, species=path.stem), 0.25, 0)
        generated = {
            "crw": CorrelatedRandomWalk().fit(train).sample(20, 1, close_loop=False),
            "hmm": MovementHMM(2, max_iter=20).fit(train).sample(20, 1, close_loop=False),
        }
        torch.manual_seed(0)
        data = TripDataModule(train, batch_size=8)
        gan = TripGAN(data.encoding.n_channels, N_STEPS, latent_dim=8, width=8, max_step=data.max_step)
        quiet_trainer(max_epochs=2, accelerator="cpu").fit(gan, data)
        assert len(gan.history["d"]) == 2 * len(data.train_dataloader())
        sample = gan.sample(20, torch.Generator().manual_seed(1))
        generated["gan"] = data.encoding.decode(sample)
        xy = np.stack([generated["gan"]["x"].values, generated["gan"]["y"].values], axis=-1)
        np.testing.assert_allclose(xy[:, [0, -1]], 0.0, atol=1e-4 * data.encoding.scale)
        step = np.hypot(*np.diff(xy, axis=1).transpose(2, 0, 1))
        assert step.max() <= 2 * data.max_step * data.encoding.scale  # bridge adds at most max_step
        for name, fake in generated.items():
            metrics = evaluate(test, fake)
            assert all(np.isfinite(metrics[m]) for m in ("spectral_loss", "kde_mse", "w_step_length")), (
                name,
                metrics,
            )
