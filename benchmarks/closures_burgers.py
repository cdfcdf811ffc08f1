"""Burgers closures: rollout RMSE table against the filtered DNS and speed-up vs the DNS.

DLGD closure setting (200 → 25 points, ν = 0.001, T = 2.5), see
``dlgd_course.closures.um2020_burgers``. Run: ``.venv/bin/python benchmarks/closures_burgers.py``
(about a minute on one CPU core). Prints a Markdown table. ``--quick``: a smoke run of a few
seconds (4 training members, one epoch each; the numbers mean nothing).
"""

from __future__ import annotations

import argparse
import dataclasses

import torch

from dlgd_course.closures.data import simulate_closure_data
from dlgd_course.closures.evaluation import evaluate_closures, measure_speedup
from dlgd_course.closures.um2020_burgers import SETUP, TrainingConfig, run_experiment

from _quick import parse_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--long-horizon", type=float, default=10.0)
    parser.add_argument("--long-members", type=int, default=16, help="members of the long horizon")
    parser.add_argument("--speedup-members", type=int, nargs="*", default=[128, 512])
    parser.add_argument(
        "--duration", type=float, default=SETUP.duration, help="horizon T of the training and test members"
    )
    defaults = TrainingConfig()
    parser.add_argument("--n-train", type=int, default=defaults.n_train)
    parser.add_argument("--n-test", type=int, default=defaults.n_test)
    parser.add_argument("--apriori-epochs", type=int, default=defaults.apriori_epochs)
    parser.add_argument("--unrolled-epochs", type=int, default=defaults.unrolled_epochs)
    args = parse_args(
        parser,
        {
            "long_horizon": 1.0,
            "long_members": 2,
            "speedup_members": [8],
            "duration": 0.5,
            "n_train": 2,
            "n_test": 2,
            "apriori_epochs": 1,
            "unrolled_epochs": 1,
        },
    )
    setup = dataclasses.replace(SETUP, duration=args.duration)
    torch.set_num_threads(args.threads)
    config = TrainingConfig(
        n_train=args.n_train,
        n_val=min(defaults.n_val, args.n_train),
        n_test=args.n_test,
        apriori_epochs=args.apriori_epochs,
        unrolled_epochs=args.unrolled_epochs,
    )
    result = run_experiment(config, setup, speedup_members=0)
    scores = result["scores"]
    reference = scores.pop("filtered DNS")
    best = scores["solver-in-the-loop CNN"].rmse
    print(
        f"test members: {reference.trajectory.shape[1]}, horizon T = "
        f"{(reference.trajectory.shape[0] - 1) * 0.01:g}, std of ū = "
        f"{float(reference.trajectory.std()):.3f}\n"
    )
    print(
        "| closure | rollout RMSE | RMSE / solver-in-the-loop | RMSE at T | blow-ups | spectrum log10 error |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, score in scores.items():
        print(
            f"| {name} | {score.rmse:.4f} | {score.rmse / best:.1f} | "
            f"{float(score.rmse_in_time[-1]):.4f} | {score.blowups} | {score.spectrum_error:.3f} |"
        )
    long_test = simulate_closure_data(setup, args.long_members, seed=99, duration=args.long_horizon)
    long_scores = evaluate_closures(setup, long_test, result["closures"])
    long_scores.pop("filtered DNS")
    print(
        f"\nlong horizon T = {args.long_horizon:g} ({args.long_members} new members, "
        f"{args.long_horizon / setup.duration:g}x the training horizon):"
    )
    print("| closure | rollout RMSE | RMSE in the last tenth | blow-ups |")
    print("| --- | --- | --- | --- |")
    for name, score in long_scores.items():
        tail = score.rmse_in_time[-len(score.rmse_in_time) // 10 :].pow(2).mean().sqrt()
        print(f"| {name} | {score.rmse:.4f} | {float(tail):.4f} | {score.blowups} |")
    print("\ntraining seconds:", {k: round(v, 1) for k, v in result["train_seconds"].items()})
    closure = result["closures"]["solver-in-the-loop CNN"]
    for members in args.speedup_members:
        speed = measure_speedup(setup, closure, n_members=members)
        print(
            f"DNS {speed['dns_seconds']:.2f} s, coarse + CNN {speed['coarse_seconds']:.3f} s "
            f"({members} members, float32, {args.threads} thread(s), T = {setup.duration:g}): "
            f"speed-up {speed['speedup']:.1f}x"
        )


if __name__ == "__main__":
    main()
