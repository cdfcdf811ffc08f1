"""Lorenz-63 forecasting table (dlgd_course.forecasting.experiments.fablet2018).

Prints the test RMSE at leads 1, 4, 8 of every model next to the REFERENCES.md
baselines, and the training times. Run: ``.venv/bin/python benchmarks/forecasting_l63.py``
(``--quick``: one epoch per model, a smoke run whose numbers mean nothing).
"""

from __future__ import annotations

import argparse
import logging
import warnings

import torch

from dlgd_course.forecasting.experiments import fablet2018

from _quick import parse_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs of every learned model (default: the set-up's, fablet2018.EPOCHS)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parse_args(parser, {"epochs": 1})
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    epochs = None if args.epochs is None else dict.fromkeys(fablet2018.EPOCHS, args.epochs)
    results = fablet2018.run(seed=args.seed, epochs=epochs)
    index = [fablet2018.LEADS.index(lead) for lead in fablet2018.REPORTED_LEADS]
    print(f"{'model':24s} {'lead 1':>9s} {'lead 4':>9s} {'lead 8':>9s}  {'expected':>24s}  train s")
    for name, result in results.items():
        values = " ".join(f"{float(result['rmse'][i]):9.4g}" for i in index)
        expected = fablet2018.EXPECTED.get(name, "")
        timing = f"{result['seconds']:.1f} (cpu {result['cpu_seconds']:.1f})"
        print(f"{name:24s} {values}  {str(expected):>24s}  {timing}")
    print(f"target lead-1 RMSE of bilinear / neural ODE: <= {fablet2018.TARGET_LEAD1}")
    print(f"torch threads: {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
