"""Station wind table (dlgd_course.forecasting.experiments.coastal_wind): test RMSE (m/s)
per lead of persistence, raw NWP and the NWP corrected by a network.

Run: ``.venv/bin/python benchmarks/forecasting_wind.py`` (``--quick``: 10 days, one epoch, a
smoke run whose numbers mean nothing).
"""

from __future__ import annotations

import argparse
import logging
import warnings

from dlgd_course.forecasting.experiments import coastal_wind

from _quick import parse_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=coastal_wind.N_DAYS)
    parser.add_argument("--epochs", type=int, default=coastal_wind.EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    args = parse_args(parser, {"days": 10, "epochs": 1})
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    results = coastal_wind.run(seed=args.seed, n_days=args.days, epochs=args.epochs)
    header = " ".join(f"{m:>6d}" for m in coastal_wind.LEAD_MINUTES)
    print(f"{'lead (min)':12s} {header}  train s")
    for name, result in results.items():
        values = " ".join(f"{float(v):6.3f}" for v in result["rmse"])
        print(f"{name:12s} {values}  {result['seconds']:.1f} (cpu {result['cpu_seconds']:.1f})")


if __name__ == "__main__":
    main()
