"""The library's default trip GAN against the correlated random walk and the HMM on BirdGAN's
real trips (issue 19): one table per species, mean ± std over seeds.

Data: the CSVs published with Roy, Fablet & Lanco Bertrand (2022, Methods Ecol. Evol. 13, 1275)
in the BirdGAN repository, folder ``data/``: ``trips_SV_200_steps.csv`` (*Sula variegata*,
Peru), ``trips_SD_200_steps.csv`` (*S. dactylatra*, Brazil), ``trips_SS_200_steps.csv``
(*S. sula*, Brazil); they carry no licence, so the course does not ship them: download them
and give their folder. Each file is read by ``read_birdgan_csv`` (200 steps per trip). For
each seed, 75 % of the trips train every model (split by that seed) and the held-out 25 % are
the reference of the metrics (``dlgd_course.trajectories.evaluate``). Rows: the training trips
themselves (the floor set by sampling noise), the CRW and 3-state HMM simulated free and with
the return-to-colony bridge, and the default ``TripGAN`` (WGAN-GP, closed-loop increments,
``max_step`` fitted on the data) trained for ``--gan-steps`` critic updates on one thread;
its training time is CPU time (``time.process_time``). Ratios: GAN / baseline of the
seed-averaged metric (below 1: the GAN is closer to the held-out trips).

    .venv/bin/python benchmarks/trajectories_real.py /path/to/BirdGAN/data --seeds 0 1 2
    .venv/bin/python benchmarks/trajectories_real.py --quick   # format fixtures; numbers mean nothing
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from dlgd_course.notebook import quiet_trainer, seed_everything
from dlgd_course.trajectories import (
    CorrelatedRandomWalk,
    MovementHMM,
    TripDataModule,
    TripGAN,
    evaluate,
    read_birdgan_csv,
    simulate_trips,
    split_trips,
    write_birdgan_csv,
)

from _quick import parse_args

FILES = {"SV": "trips_SV_200_steps.csv", "SD": "trips_SD_200_steps.csv", "SS": "trips_SS_200_steps.csv"}
COLUMNS = ("spectral_loss", "kde_mse", "w_step_length", "w_turning_angle", "w_straightness")
BASELINES = ("crw (free)", "hmm-3 (free)")


def format_fixtures(folder: Path) -> Path:
    """Synthetic trips written as the three BirdGAN files (``--quick`` only: the smoke run
    needs no download); dives as probabilities like the published files."""
    names = {"SV": "sula_variegata", "SD": "sula_dactylatra", "SS": "sula_sula"}
    for k, (code, species) in enumerate(names.items()):
        trips = simulate_trips(species, n_trips=24, n_steps=24, seed=k)
        probability = np.where(trips["dive"].values > 0, 0.9, 0.1)
        write_birdgan_csv(trips, folder / FILES[code], dive_probability=probability)
    return folder


def cpu_name() -> str:
    """The CPU's model name (Linux), else the machine type."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def one_seed(path: Path, seed: int, gan_steps: int, n_generated: int, n_steps: int) -> dict[str, dict]:
    """Metrics of every model on one species for one seed (split and training)."""
    train, test = split_trips(read_birdgan_csv(path, n_steps=n_steps, species=path.stem), 0.25, seed)
    rows = {"training trips (floor)": evaluate(test, train)}
    for name, model in (("crw", CorrelatedRandomWalk()), ("hmm-3", MovementHMM(3))):
        model.fit(train)
        for close in (False, True):
            label = f"{name} ({'return bridge' if close else 'free'})"
            rows[label] = evaluate(test, model.sample(n_generated, seed + 1, close))
    seed_everything(seed)
    data = TripDataModule(train, batch_size=16, seed=seed)
    gan = TripGAN(data.encoding.n_channels, n_steps, max_step=data.max_step)
    epochs = max(1, round(gan_steps / len(data.train_dataloader())))
    start = time.process_time()
    quiet_trainer(max_epochs=epochs, accelerator="cpu").fit(gan, data)
    cpu_s = time.process_time() - start
    fake = data.encoding.decode(gan.sample(n_generated, torch.Generator().manual_seed(seed + 1)))
    rows["gan (library default)"] = evaluate(test, fake) | {"cpu_s": cpu_s}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="folder of the BirdGAN CSVs (data/)")
    parser.add_argument("--species", nargs="+", default=list(FILES), choices=list(FILES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--gan-steps", type=int, default=1500, help="critic updates")
    parser.add_argument("--n-generated", type=int, default=500)
    parser.add_argument("--n-steps", type=int, default=200)
    args = parse_args(parser, {"gan_steps": 2, "n_generated": 16, "n_steps": 24, "seeds": [0]})
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        if args.folder is None:
            if not args.quick:
                parser.error("give the folder of the BirdGAN CSVs (or --quick for the smoke run)")
            args.folder = format_fixtures(Path(scratch))
        print(f"CPU: {cpu_name()}, torch {torch.__version__}, 1 thread")
        for code in args.species:
            path = args.folder / FILES[code]
            runs = [one_seed(path, s, args.gan_steps, args.n_generated, args.n_steps) for s in args.seeds]
            report(code, runs, args)


def report(code: str, runs: list[dict[str, dict]], args: argparse.Namespace) -> None:
    """Print the mean ± std table of one species and the GAN / baseline ratios."""
    stats = {
        label: {
            c: (np.mean([r[label][c] for r in runs]), np.std([r[label][c] for r in runs])) for c in COLUMNS
        }
        for label in runs[0]
    }
    cpu = [r["gan (library default)"]["cpu_s"] for r in runs]
    print(
        f"\n{code} ({FILES[code]}): seeds {args.seeds}, {args.gan_steps} critic updates, "
        f"GAN training CPU time {np.mean(cpu):.0f} ± {np.std(cpu):.0f} s"
    )
    print("| model | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for label, row in stats.items():
        print(f"| {label} | " + " | ".join(f"{m:.3g} ± {s:.2g}" for m, s in row.values()) + " |")
    for baseline in BASELINES:
        ratios = [stats["gan (library default)"][c][0] / stats[baseline][c][0] for c in COLUMNS]
        print(f"| GAN / {baseline} | " + " | ".join(f"{r:.2f}" for r in ratios) + " |")


if __name__ == "__main__":
    main()
