"""2-D Kolmogorov flow (NumPy solver): a posteriori spectrum errors of LES closures.

DNS 64², LES 16², see ``dlgd_course.closures.kochkov2021_kolmogorov``. The CNN closure is
trained offline (a priori) and evaluated inside the non-differentiable LES against the
filtered DNS and Smagorinsky. Run: ``.venv/bin/python benchmarks/closures_turbulence2d.py``
(``--quick``: a smoke run of a few seconds on short horizons; the numbers mean nothing).
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np
import torch

from dlgd_course.closures.kochkov2021_kolmogorov import KolmogorovSetup, run_experiment

from _quick import parse_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--eki-iterations", type=int, default=3)
    defaults = KolmogorovSetup()
    parser.add_argument("--n-fine", type=int, default=defaults.n_fine, help="DNS grid points per side")
    for name in ("spinup", "train_duration", "test_duration"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(defaults, name))
    args = parse_args(
        parser,
        {
            "epochs": 1,
            "eki_iterations": 1,
            "n_fine": 32,
            "spinup": 1.0,
            "train_duration": 2.0,
            "test_duration": 2.0,
        },
    )
    torch.set_num_threads(args.threads)
    setup = dataclasses.replace(
        defaults,
        n_fine=args.n_fine,
        spinup=args.spinup,
        train_duration=args.train_duration,
        test_duration=args.test_duration,
    )
    result = run_experiment(setup, epochs=args.epochs, eki_iterations=args.eki_iterations)
    print(
        f"DNS {setup.n_fine}², LES {setup.n_coarse}², ν = {setup.nu}, test horizon "
        f"{setup.test_duration} (spectra averaged over its second half)\n"
    )
    print(
        "| closure | energy spectrum error (mean abs log10, k = 1..5) "
        "| enstrophy spectrum rel. L1 error | blew up |"
    )
    print("| --- | --- | --- | --- |")
    for name, (energy, enstrophy, blew_up) in result["errors"].items():
        print(f"| {name} | {energy:.3f} | {enstrophy:.3f} | {blew_up} |")
    print("\nE(k), k = 1..7:")
    for name, spectrum in result["spectra"].items():
        print(f"  {name:>22s}: {np.array2string(spectrum[1:8], precision=4)}")
    print(f"\na priori correlation of the CNN with M* (training set): {result['a_priori_correlation']:.3f}")
    print(
        f"ensemble Kalman inversion (8 members, {args.eki_iterations} iterations): "
        f"C_s = {result['eki_C_s']:.3f}"
    )
    print("seconds:", {k: round(v, 1) for k, v in result["seconds"].items()})


if __name__ == "__main__":
    main()
