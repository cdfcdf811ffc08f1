"""BirdGAN-style comparison table: CRW, HMM and GANs on held-out synthetic booby trips.

For one region ("peru": Sula variegata, 78 trips; "brazil": S. sula + S. dactylatra,
80 trips), 75 % of the trips train every model and the held-out 25 % are the reference.
Each model generates ``--n-generated`` trips; metrics from dlgd_course.trajectories.metrics.
Rows: the training trips themselves (the floor set by sampling noise), CRW and 3-state HMM
with and without the return-to-colony bridge, the BirdGAN DCGAN (positions output, BCE),
the DCGAN with the closed-loop increments generator, and the WGAN-GP with that generator.

Published (Roy et al., 2022, Methods Ecol. Evol. 13, 1275; 200-step sets): spectral loss
GAN 0.08 vs HMM 0.91 (Peru), 0.07 vs 0.88 (Brazil) - on real data and with the paper's
normalisation of the loss, so only the ordering is comparable.

    .venv/bin/python benchmarks/trajectories_table.py --region peru --gan-steps 800
    .venv/bin/python benchmarks/trajectories_table.py --quick   # smoke run, seconds; numbers mean nothing
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from dlgd_course.notebook import quiet_trainer, seed_everything, setup_notebook
from dlgd_course.trajectories import (
    CorrelatedRandomWalk,
    MovementHMM,
    TripDataModule,
    TripGAN,
    evaluate,
    simulate_trips,
    split_trips,
)

from _quick import parse_args

GANS = {
    "dcgan (positions, BirdGAN)": {"loss": "bce", "output": "positions"},
    "dcgan (closed-loop increments)": {"loss": "bce", "output": "increments"},
    "wgan-gp (closed-loop increments)": {"loss": "wgan-gp", "output": "increments"},
}
COLUMNS = (
    "spectral_loss",
    "kde_mse",
    "w_step_length",
    "w_turning_angle",
    "w_trip_distance",
    "w_duration",
    "w_straightness",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="peru", choices=("peru", "brazil"))
    parser.add_argument("--gan-steps", type=int, default=800, help="discriminator updates")
    parser.add_argument("--n-generated", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", default="all", help="comma-separated GAN names or 'all'")
    parser.add_argument(
        "--max-step",
        type=float,
        default=0.015,
        help="largest step of the increments generator (units of the scale)",
    )
    parser.add_argument("--json", default=None, help="write the rows to this file")
    args = parse_args(parser, {"gan_steps": 2, "n_generated": 16})
    device = setup_notebook(args.seed)
    torch.set_num_threads(args.threads)
    train, test = split_trips(simulate_trips(args.region, seed=args.seed), 0.25, args.seed)
    rows: dict[str, dict[str, float]] = {"training trips (floor)": evaluate(test, train)}
    for name, model in (("crw", CorrelatedRandomWalk()), ("hmm-3", MovementHMM(3))):
        start = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - start
        for close in (True, False):
            label = f"{name} ({'return bridge' if close else 'free'})"
            rows[label] = evaluate(test, model.sample(args.n_generated, args.seed + 1, close))
            rows[label]["train_s"] = fit_s
    names = list(GANS) if args.models == "all" else args.models.split(",")
    for name in names:
        seed_everything(args.seed)
        data = TripDataModule(train, batch_size=16, seed=args.seed)
        gan = TripGAN(data.encoding.n_channels, max_step=args.max_step, **GANS[name])
        epochs = max(1, round(args.gan_steps / len(data.train_dataloader())))
        start = time.perf_counter()
        quiet_trainer(max_epochs=epochs, accelerator=device.type).fit(gan, data)
        train_s = time.perf_counter() - start
        fake = data.encoding.decode(
            gan.sample(args.n_generated, torch.Generator().manual_seed(args.seed + 1))
        )
        rows[name] = evaluate(test, fake) | {"train_s": train_s, "epochs": epochs}
    print(
        f"region {args.region}: {train.sizes['trip']} training / {test.sizes['trip']} held-out "
        f"trips, {train.sizes['step']} steps, {args.n_generated} generated per model"
    )
    print("| model | " + " | ".join(COLUMNS) + " | train s |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for label, r in rows.items():
        print(
            f"| {label} | "
            + " | ".join(f"{r[c]:.3g}" for c in COLUMNS)
            + f" | {r.get('train_s', float('nan')):.0f} |"
        )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"region": args.region, "args": vars(args), "rows": rows}, handle, indent=1)


if __name__ == "__main__":
    main()
